"""Faults a long sweep meets (issue 17): a full disk at any write, and a lost Dask worker.

A full disk is injected, not staged: `atomic_write` (core/io.py), through which every file of a
sweep folder is written, is wrapped so that its k-th call writes its data and then fails with
OSError(ENOSPC) as write() or fsync() would on a full disk. The test tries every k of a whole
sweep: each time the files written before are intact and readable, no temporary file is left,
the failure is reported in one line naming the folder, and `--resume` finishes the sweep once
the disk has room, with a table identical to an uninterrupted one.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from grassroots.core import io as io_mod
from grassroots.sweeps import store as store_mod
from grassroots.sweeps.executors import SerialExecutor, SweepError
from grassroots.sweeps.experiment import load_experiment
from grassroots.sweeps.runner import execute, plan_sweep
from test_sweep import LONGER, TINY, runs_table  # the same experiments as the sweep tests

FLUSH_EVERY = 2  # 8 runs: four batches, so a failure can strike between them


def full_disk_at(monkeypatch, k: int | None) -> dict:
    """Make the k-th atomic write fail with ENOSPC after writing its data (None: count the
    writes, fail none). Returns the counter."""
    calls = {"n": 0, "paths": []}
    real = io_mod.atomic_write

    def failing(path, write, mode="w", **kw):
        calls["n"] += 1
        calls["paths"].append(Path(path).name)
        if calls["n"] != k:
            return real(path, write, mode, **kw)

        def then_full(f):
            write(f)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, then_full, mode, **kw)

    monkeypatch.setattr(io_mod, "atomic_write", failing)
    monkeypatch.setattr(store_mod, "atomic_write", failing)
    return calls


def sweep(path: Path, out: Path, resume: bool = False):
    exp = load_experiment(path)
    with SerialExecutor() as ex:
        return execute(plan_sweep(exp, out, resume=resume), ex, progress=False,
                       flush_every=FLUSH_EVERY)


def assert_intact(out: Path) -> None:
    """Every file under a final name reads back; no temporary file is left behind."""
    left = [p for p in out.rglob("*") if p.name.startswith(".tmp-")]
    assert not left, left
    for p in out.rglob("*.parquet"):
        pq.read_table(p)
    if (out / "manifest.json").exists():
        json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    work = tmp_path_factory.mktemp("faults")
    path = work / "tiny.toml"
    path.write_text(TINY)
    assert sweep(path, work / "ref").status == "complete"
    return path, runs_table(work / "ref"), pq.read_table(work / "ref" / "timeseries.parquet")


def test_a_full_disk_at_any_write_loses_nothing_and_resume_completes(reference, tmp_path,
                                                                    monkeypatch):
    path, ref_runs, ref_ts = reference
    with monkeypatch.context() as m:
        counter = full_disk_at(m, None)
        assert sweep(path, tmp_path / "count").status == "complete"
    writes = counter["n"]
    # manifest, design, 4 batches x (time series part, runs part), time series, runs, manifest
    assert writes == 2 + 4 * 2 + 3, counter["paths"]
    for k in range(1, writes + 1):
        out = tmp_path / f"full-at-{k}"
        with monkeypatch.context() as m:
            full_disk_at(m, k)
            try:
                report = sweep(path, out)
                assert report.status == "aborted", (k, report)
                message = report.message
            except SweepError as err:  # the very first writes: nothing was run yet
                assert k <= 2, k
                message = str(err)
        assert f"cannot write to {str(out)!r}: No space left on device" in message, (k, message)
        assert "\n" not in message
        assert_intact(out)
        assert not (out / "runs.parquet").exists() or k == writes  # only the last write left
        # space is back: resume (or, when not even the manifest was written, start again)
        resume = (out / "manifest.json").exists()
        assert sweep(path, out, resume=resume).status == "complete", k
        assert runs_table(out).equals(ref_runs), k
        assert pq.read_table(out / "timeseries.parquet").equals(ref_ts), k
        assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


INJECT = textwrap.dedent("""
    import errno, sys
    from pathlib import Path
    from grassroots.core import io as io_mod
    from grassroots.sweeps import store as store_mod
    real, k, calls = io_mod.atomic_write, int(sys.argv[1]), [0]
    def failing(path, write, mode="w", **kw):
        calls[0] += 1
        if calls[0] != k:
            return real(path, write, mode, **kw)
        def then_full(f):
            write(f)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, then_full, mode, **kw)
    io_mod.atomic_write = store_mod.atomic_write = failing
    from grassroots.cli import main
    sys.exit(main(sys.argv[2:]))
""")


def test_the_cli_reports_a_full_disk_in_one_line_and_resume_finishes(reference, tmp_path):
    path, ref_runs, _ = reference
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, "-c", INJECT, "6", "sweep", str(path), "--out",
                           str(out), "--workers", "1", "--no-progress", "--flush-every",
                           str(FLUSH_EVERY)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"grassroots: error: cannot write to {str(out)!r}: No space "
                               f"left on device"), lines[0]
    assert "--resume" in lines[0]
    assert_intact(out)
    proc = subprocess.run([sys.executable, "-m", "grassroots.cli", "sweep", str(path), "--out",
                           str(out), "--resume", "--workers", "1", "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert runs_table(out).equals(ref_runs)


def test_a_full_disk_leaves_a_run_folder_as_it_was(tmp_path):
    out = tmp_path / "run"
    args = ["run", "--residents", "150", "--days", "90", "--out", str(out)]
    proc = subprocess.run([sys.executable, "-m", "grassroots.cli", *args],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # the summary is written with Path.write_text, not atomic_write: fill the disk there
    inject = INJECT.replace("io_mod.atomic_write = store_mod.atomic_write = failing",
                            "Path.write_text = lambda *a, **k: (_ for _ in ()).throw("
                            "OSError(errno.ENOSPC, 'No space left on device'))")
    proc = subprocess.run([sys.executable, "-c", inject, "0", *args, "--seed", "3"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"grassroots: error: cannot read or write {out}: No space left on device; "
                     f"{str(out)!r} is left as it was"], proc.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run.")]  # no temp left


# -- a lost Dask worker ------------------------------------------------------------------------
def test_a_lost_dask_worker_mid_sweep_changes_nothing(tmp_path):
    """A real scheduler and two `dask worker` processes on loopback; after the first batch
    is written, one worker (its nanny and its worker process) gets SIGKILL. Dask runs the
    lost worker's runs again on the other one: the sweep completes with every run recorded
    exactly once and a table identical to an uninterrupted serial sweep."""
    import os
    import signal

    from distributed import Client

    from dask_cluster import dask_cluster
    from grassroots.sweeps.executors import DaskExecutor

    path = tmp_path / "longer.toml"
    path.write_text(LONGER)
    exp = load_experiment(path)
    with SerialExecutor() as ex:
        assert execute(plan_sweep(exp, tmp_path / "ref"), ex,
                       progress=False).status == "complete"
    with dask_cluster(tmp_path, workers=2) as (address, workers):
        killed = []

        def kill_one(ran: int) -> None:
            if not killed:
                os.killpg(workers["w1"].pid, signal.SIGKILL)
                killed.append(ran)

        with DaskExecutor(scheduler=address) as ex:
            report = execute(plan_sweep(exp, tmp_path / "lost"), ex, progress=False,
                             flush_every=4, on_flush=kill_one)
        with Client(address, timeout=10) as c:
            alive = [w["name"] for w in c.scheduler_info()["workers"].values()]
    assert killed and killed[0] < exp.n_runs, killed  # it died mid-sweep
    assert workers["w1"].wait(10) is not None and alive == ["w2"], alive
    assert report.status == "complete", report.message
    runs = pq.read_table(tmp_path / "lost" / "runs.parquet")
    ids = runs["run_id"].to_pylist()
    assert sorted(ids) == list(range(exp.n_runs)) and len(set(ids)) == len(ids)
    assert runs_table(tmp_path / "lost").equals(runs_table(tmp_path / "ref"))
    assert pq.read_table(tmp_path / "lost" / "timeseries.parquet").equals(
        pq.read_table(tmp_path / "ref" / "timeseries.parquet"))


def test_a_lost_dask_worker_mid_optimisation_changes_nothing(tmp_path):
    """The same on `grassroots optimise`: a small search with failure conditions on a real
    scheduler and two `dask worker` processes; after ten runs have come back, one worker
    gets SIGKILL. The search completes on the other worker, every run cached exactly once,
    and its front, evaluations, packages and failure conditions are identical to the same
    search run serially."""
    import os
    import signal

    from distributed import Client

    from dask_cluster import dask_cluster
    from grassroots.optimise import search
    from grassroots.optimise.spec import from_dict
    from grassroots.sweeps.executors import DaskExecutor

    opt = from_dict({
        "name": "lost_worker", "seed": 5, "budget": 1.4, "residents": 200,
        "scenarios": ["flood"], "seeds": 2,
        "objectives": ["resident_days_in_need", "cost"],
        "levers": {"volunteer_share": [0.0, 0.3], "external_openness": [0.0, 1.0]},
        "algorithm": {"name": "nsga2", "population": 6, "generations": 2},
        "set": {"days": 120},
        "conditions": {"samples": 10, "points": 1, "ranges": {"intensity": [0.4, 1.0]}}})
    with SerialExecutor() as ex:
        search(opt, tmp_path / "ref", ex, progress=False, plots=False)

    class KillOneAfter:
        """The Dask executor, with one worker killed once `after` runs have come back."""

        def __init__(self, ex, after, kill):
            self.ex, self.after, self.kill, self.seen = ex, after, kill, 0

        def describe(self):
            return self.ex.describe()

        def run(self, fn, specs):
            for result in self.ex.run(fn, specs):
                yield result
                self.seen += 1
                if self.seen == self.after:
                    self.kill()

    with dask_cluster(tmp_path, workers=2) as (address, workers):
        killed = []

        def kill():
            os.killpg(workers["w1"].pid, signal.SIGKILL)
            killed.append(True)

        with DaskExecutor(scheduler=address) as ex:
            search(opt, tmp_path / "lost", KillOneAfter(ex, 10, kill), progress=False,
                   plots=False)
        with Client(address, timeout=10) as c:
            alive = [w["name"] for w in c.scheduler_info()["workers"].values()]
    assert killed and workers["w1"].wait(10) is not None and alive == ["w2"], alive
    runs = pq.read_table(tmp_path / "lost" / "runs.parquet").to_pandas()
    assert not runs.duplicated(["candidate", "scenario", "replicate"]).any()
    assert runs["status"].eq("ok").all()
    for name in ("front.parquet", "evaluations.parquet", "packages.parquet",
                 "conditions.parquet", "runs.parquet"):
        assert pq.read_table(tmp_path / "lost" / name).equals(
            pq.read_table(tmp_path / "ref" / name)), name
    assert (tmp_path / "lost" / "failures.md").read_text() == \
        (tmp_path / "ref" / "failures.md").read_text()
