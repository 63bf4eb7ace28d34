"""The lever-effects report (validation/levers.py): every lever and capacity compared, its
rows equal to measures/comparison.py's paired rows on the same runs, the file the command
writes and its bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from grassroots.core.params import LEVER_GROUPS, levers
from grassroots.measures.comparison import paired_row
from grassroots.validation import levers as report

RESIDENTS = 40


def test_every_lever_is_compared_by_paired_rows_and_the_table_is_written(tmp_path):
    out = tmp_path / "levers.md"
    assert report.main(["--scenarios", "flood", "--seeds", "2", "--residents",
                        str(RESIDENTS), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    labels = [f"`{p.name}` off" for p in levers()] + [f"all {g} levers off"
                                                      for g in LEVER_GROUPS]
    rows = [line for line in text.splitlines() if line.startswith("| `")
            or line.startswith("| all ")]
    assert [r.split(" | ")[0][2:] for r in rows] == labels
    # the first row recomputed from its own runs, through the paired comparison
    lever = levers()[0]
    ref = [report.outcomes(("flood", s, RESIDENTS, {})) for s in range(2)]
    off = [report.outcomes(("flood", s, RESIDENTS, {lever.name: lever.off_value}))
           for s in range(2)]
    assert all(r["need"] > 0 for r in ref)  # the flood leaves people in need
    cells = rows[0].strip("| ").split(" | ")[2:]
    for cell, (key, _, _) in zip(cells, report.OUTCOMES, strict=True):
        want = paired_row(f"outcomes.{key}", np.array([r[key] for r in ref]),
                          np.array([r[key] for r in off]))
        assert cell == report._cell(want)


def test_bad_input_is_one_line_and_exit_2_with_nothing_written(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "grassroots.validation.levers", "--seeds",
                           "1", "--out", str(tmp_path / "x.md")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--seeds" in proc.stderr and list(tmp_path.iterdir()) == []
    proc = subprocess.run([sys.executable, "-m", "grassroots.validation.levers", "--scenarios",
                           "nowhere", "--out", str(tmp_path / "x.md")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--scenarios" in proc.stderr and list(tmp_path.iterdir()) == []
