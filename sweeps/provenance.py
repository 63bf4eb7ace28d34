"""The manifest's provenance: what ran, with what, when.

manifest.json (written by grassroots.sweeps.store.SweepStore) records, besides the status
and counts the runner keeps up to date:

    format           FORMAT, the version of the sweep-folder layout
    experiment       the resolved experiment (what `--resume` compares against)
    experiment_file  path, SHA-256 and text of the file it was read from
    design           samples, points, runs, the varied parameters, the SALib problem
    columns          the parameter columns of the runs table
    versions         Python and the PACKAGES that shape the results
    git              commit of the Grassroots checkout and whether it had local changes
    started, ended   UTC times of the first session's start and the last one's end
    sessions         one record per session: started, ended, executor, runs_to_do,
                     runs_done, status, message; versions and git again when they changed
"""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from grassroots.sweeps.experiment import Experiment, file_digest

FORMAT = "grassroots-sweep/1"
PACKAGES = ("grassroots", "mesa", "numpy", "scipy", "pandas", "networkx", "pyarrow", "SALib",
            "dask", "distributed", "tqdm", "matplotlib")


def now() -> str:
    """The time in UTC, to the second, ISO 8601."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_state() -> dict[str, Any]:
    """Commit of the Grassroots checkout that is running, and whether it has uncommitted
    changes to tracked files (None where it is not a git checkout)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def file_record(path: str | None) -> dict | None:
    """Path, SHA-256 and text of the experiment file (None if there is no such file)."""
    if not path or not Path(path).is_file():
        return None
    p = Path(path)
    return {"path": str(p.resolve()), "sha256": file_digest(p),
            "text": p.read_text(encoding="utf-8")}


def open_session(exp: Experiment, previous: dict | None, executor: str, runs_to_do: int,
                 source_file: str | None = None) -> tuple[dict, dict]:
    """The manifest of a session starting now, and its session record (the manifest's last).

    `previous` is the manifest of the sweep being resumed, or None for a new sweep."""
    session = {"started": now(), "executor": executor, "runs_to_do": runs_to_do}
    if previous is None:
        manifest = {
            "format": FORMAT,
            "experiment": exp.resolved(),
            "experiment_file": file_record(source_file or exp.source),
            "design": exp.design_summary(),
            "columns": {"parameters": exp.parameter_columns},
            "versions": package_versions(),
            "git": git_state(),
            "started": session["started"],
            "ended": None,
            "status": "running",
            "sessions": [],
        }
    else:
        manifest = dict(previous)
        manifest.update(status="running", ended=None)
        now_versions, now_git = package_versions(), git_state()
        if now_versions != manifest.get("versions") or now_git != manifest.get("git"):
            session["versions"], session["git"] = now_versions, now_git
    manifest["sessions"] = list(manifest.get("sessions", [])) + [session]
    return manifest, session


def close_session(manifest: dict, session: dict, status: str, runs_done: int, message: str,
                  counts: dict[str, int]) -> None:
    """Record the end of the session in it and in the manifest."""
    session.update(ended=now(), status=status, runs_done=runs_done, message=message or None)
    manifest.update(status=status, ended=session["ended"], counts=counts)
