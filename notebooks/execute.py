"""Execute every notebook here top to bottom and save it with its outputs.

    python notebooks/execute.py [NAME.ipynb ...]

Each runs in this folder with the project's Python (the `python3` kernel of the environment
this script runs in) and must finish within the time limit. The test suite runs the same
notebooks on copies (tests/test_notebooks.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
TIMEOUT = 120  # seconds per cell


def execute(path: Path, cwd: Path) -> tuple[float, nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    elapsed = time.perf_counter() - t0
    return elapsed, nb


def main(names: list[str]) -> None:
    paths = [HERE / n for n in names] if names else sorted(HERE.glob("*.ipynb"))
    for path in paths:
        elapsed, nb = execute(path, HERE)
        nbformat.write(nb, path)
        print(f"{path.name}: {elapsed:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
