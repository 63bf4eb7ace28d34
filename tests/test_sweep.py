"""Sweeps: identical results on every executor, streaming, kill and resume, failing runs."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from dask_cluster import dask_cluster, free_port
from grassroots.model.run import run
from grassroots.sweeps.executors import DaskExecutor, ProcessPool, SerialExecutor, SweepError
from grassroots.sweeps.experiment import load_experiment
from grassroots.sweeps.runner import execute, plan_sweep


TINY = """
name = "tiny"
seed = 11
replicates = 2
days = 100
[constants]
residents = 150
[vary]
mutual_aid_strength = [0.2, 0.8]
party_contact_rate = [0.0, 2.0]
[outputs]
timeseries = 10
timeseries_columns = ["structure", "function", "combined"]
"""

# 48 runs, slow enough (a few seconds) to be killed in the middle
LONGER = """
name = "longer"
seed = 5
replicates = 4
days = 150
[constants]
residents = 300
[vary]
mutual_aid_strength = [0.1, 0.4, 0.7]
volunteer_share = [0.0, 0.05, 0.1, 0.2]
[outputs]
timeseries = 5
timeseries_columns = ["structure", "combined"]
"""

# days = 40 ends before the flood's onset on day 60: those runs raise, the rest run
FAILING = """
name = "failing"
seed = 3
replicates = 2
[constants]
residents = 120
[vary]
days = [40, 90]
mutual_aid_strength = [0.3, 0.6]
"""


def cli(*args, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "grassroots.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def sweep_api(path: Path, out: Path, executor, **kw):
    exp = load_experiment(path)
    plan = plan_sweep(exp, out)
    with executor:
        return execute(plan, executor, progress=False, **kw)


def runs_table(out: Path):
    """The runs table without the only executor-dependent column."""
    return pq.read_table(out / "runs.parquet").drop_columns(["wall_time"])


def assert_no_partial_results(out: Path) -> None:
    """What a reader could take for a result is whole: every file under a final name reads
    back, consolidated tables are absent until the sweep is complete."""
    assert not (out / "runs.parquet").exists()
    assert not (out / "timeseries.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] != "complete"
    for p in out.rglob("*.parquet"):
        if not p.name.startswith(".tmp-"):
            pq.read_table(p)  # raises on a truncated file


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep")


@pytest.fixture(scope="module")
def reference(work):
    """The tiny and the longer experiment, run uninterrupted in this process."""
    tiny = write(work, "tiny.toml", TINY)
    longer = write(work, "longer.toml", LONGER)
    sweep_api(tiny, work / "tiny-serial", SerialExecutor())
    sweep_api(longer, work / "longer-ref", SerialExecutor())
    return {"tiny": tiny, "longer": longer}


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory):
    """A real Dask scheduler and two single-threaded workers (tests/dask_cluster.py)."""
    with dask_cluster(tmp_path_factory.mktemp("dask"), workers=2) as (address, _):
        yield address


# -- identical results on every executor --------------------------------------------------
def test_serial_pool_and_dask_give_identical_tables(work, reference, dask_scheduler):
    tiny = reference["tiny"]
    ref = work / "tiny-serial"
    sweep_api(tiny, work / "tiny-pool", ProcessPool(2))
    sweep_api(tiny, work / "tiny-dask", DaskExecutor(scheduler=dask_scheduler))
    sweep_api(tiny, work / "tiny-dask-local", DaskExecutor(local_workers=2))
    proc = cli("sweep", tiny, "--scheduler", dask_scheduler, "--out", work / "tiny-dask-cli",
               "--no-progress", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "dask scheduler tcp://127.0.0.1" in proc.stdout

    expected = runs_table(ref)
    assert expected.num_rows == 8 and expected["run_id"].to_pylist() == list(range(8))
    assert set(expected["status"].to_pylist()) == {"ok"}
    for name in ("tiny-pool", "tiny-dask", "tiny-dask-local", "tiny-dask-cli"):
        out = work / name
        assert runs_table(out).equals(expected), name
        assert pq.read_table(out / "timeseries.parquet").equals(
            pq.read_table(ref / "timeseries.parquet")), name
        assert pq.read_table(out / "design.parquet").equals(
            pq.read_table(ref / "design.parquet")), name
    # the per-run wall time is recorded (the one column allowed to differ)
    assert min(pq.read_table(work / "tiny-dask" / "runs.parquet")["wall_time"]
               .to_pylist()) > 0


def test_runs_table_layout_and_recorded_seeds(work, reference):
    exp = load_experiment(reference["tiny"])
    t = pq.read_table(work / "tiny-serial" / "runs.parquet").to_pandas()
    head = ["run_id", "point", "sample", "replicate", "scenario", "policy", "residents",
            "days", "mutual_aid_strength", "party_contact_rate", "seed", "status", "error",
            "wall_time"]
    assert list(t.columns[:len(head)]) == head and t.columns[-1] == "traceback"
    assert t["seed"].tolist() == [exp.run_seed(k) for k in range(8)]
    for metric in ("combined.loss_of_resilience", "function.robustness",
                   "peaks.residents_in_need", "final.trust", "combined.recovered"):
        assert metric in t.columns and t[metric].notna().all()
    assert t["error"].isna().all()
    ts = pq.read_table(work / "tiny-serial" / "timeseries.parquet").to_pandas()
    assert list(ts.columns) == ["run_id", "day", "structure", "function", "combined"]
    assert set(ts["day"]) == set(range(0, 101, 10))  # every 10th day of 0..100
    assert len(ts) == 8 * 11


def test_a_recorded_run_is_reproduced_by_the_entry_point(work, reference):
    t = pq.read_table(work / "tiny-serial" / "runs.parquet").to_pandas()
    row = t.iloc[5]
    params = {k: row[k].item() for k in ("residents", "days", "mutual_aid_strength",
                                         "party_contact_rate")}
    result = run(params, seed=int(row["seed"]), scenario=row["scenario"],
                 policy=row["policy"], indicators=False)
    m = result.summary["metrics"]
    assert m["combined"]["loss_of_resilience"] == row["combined.loss_of_resilience"]
    assert m["function"]["robustness"] == row["function.robustness"]


def test_manifest_records_experiment_seed_versions_and_times(work, reference):
    m = json.loads((work / "tiny-serial" / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert m["experiment"]["seed"] == 11
    assert m["experiment"] == load_experiment(reference["tiny"]).resolved()
    assert m["experiment_file"]["text"] == TINY
    assert len(m["experiment_file"]["sha256"]) == 64
    assert m["design"]["runs"] == 8 and m["design"]["varied"] == ["mutual_aid_strength",
                                                                  "party_contact_rate"]
    for pkg in ("grassroots", "mesa", "numpy", "pyarrow", "SALib", "distributed", "python"):
        assert m["versions"][pkg]
    assert set(m["git"]) == {"commit", "dirty"}
    assert m["started"] <= m["ended"]
    assert m["counts"] == {"ok": 8, "failed": 0, "missing": 0}
    assert m["sessions"][0]["executor"] == "serial (in-process)"
    # the parts are gone once the consolidated tables are in place
    assert not (work / "tiny-serial" / "runs").exists()


# -- streaming ----------------------------------------------------------------------------
def test_results_stream_to_part_files_while_the_sweep_runs(work, reference):
    out = work / "stream"
    seen = []

    def on_flush(ran):
        parts = sorted(p.name for p in (out / "runs").glob("part-*.parquet"))
        seen.append((ran, parts, (out / "runs.parquet").exists()))

    sweep_api(reference["tiny"], out, SerialExecutor(), flush_every=3, on_flush=on_flush)
    assert [s[0] for s in seen] == [3, 6, 8]
    assert [len(s[1]) for s in seen] == [1, 2, 3]
    assert not any(s[2] for s in seen)  # no consolidated table before the end
    assert runs_table(out).equals(runs_table(work / "tiny-serial"))


def test_timeseries_none_writes_no_timeseries(work):
    path = write(work, "nots.toml", TINY.replace("timeseries = 10", 'timeseries = "none"'))
    out = work / "nots"
    report = sweep_api(path, out, SerialExecutor())
    assert report.status == "complete" and report.ok == 8
    assert (out / "runs.parquet").is_file() and not (out / "timeseries.parquet").exists()


# -- failing runs -------------------------------------------------------------------------
def test_a_failing_run_is_recorded_and_the_rest_complete(work):
    path = write(work, "failing.toml", FAILING)
    out = work / "failing"
    proc = cli("sweep", path, "--workers", "2", "--out", out, "--no-progress", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "8 runs (4 ok, 4 failed)" in proc.stdout
    t = pq.read_table(out / "runs.parquet").to_pandas()
    assert len(t) == 8
    bad, good = t[t["days"] == 40], t[t["days"] == 90]
    assert (bad["status"] == "failed").all() and (good["status"] == "ok").all()
    for err in bad["error"]:
        assert err.startswith("ScenarioError: ") and "past the horizon of 40 days" in err
    assert bad["traceback"].str.contains("ScenarioError").all()
    assert bad["combined.loss_of_resilience"].isna().all()
    assert good["combined.loss_of_resilience"].notna().all() and good["error"].isna().all()
    m = json.loads((out / "manifest.json").read_text())
    assert m["counts"] == {"ok": 4, "failed": 4, "missing": 0}

    # --resume --retry-failed runs exactly the failed ones again
    plan = plan_sweep(load_experiment(path), out, resume=True, retry_failed=True)
    assert plan.todo == sorted(bad["run_id"].tolist())
    assert plan_sweep(load_experiment(path), out, resume=True).finished


# -- interruption and resume --------------------------------------------------------------
def _start(path: Path, out: Path, *extra, resume=False):
    args = [sys.executable, "-m", "grassroots.cli", "sweep", str(path), "--out", str(out),
            "--flush-every", "2", "--no-progress", *map(str, extra)]
    if resume:
        args.append("--resume")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _parts(out: Path) -> int:
    return len(list((out / "runs").glob("part-*.parquet"))) if (out / "runs").is_dir() else 0


def _wait_for_parts(proc, out: Path, more_than: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _parts(out) <= more_than:
        assert proc.poll() is None, f"sweep ended before it could be interrupted: " \
                                    f"{proc.communicate()}"
        assert time.monotonic() < deadline, "no batch was written in time"
        time.sleep(0.01)


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_sigkill_midway_then_resume_equals_an_uninterrupted_sweep(work, reference):
    """Killed three times (once with two worker processes, whose workers must exit by
    themselves), resumed each time: the same runs table as the uninterrupted sweep."""
    path, out = reference["longer"], work / "killed"
    for cycle, extra in enumerate((["--workers", "2"], ["--workers", "1"],
                                   ["--workers", "2"])):
        before = _parts(out)
        proc = _start(path, out, *extra, resume=cycle > 0)
        try:
            _wait_for_parts(proc, out, before + 1)
            workers = _children(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)  # the driver only, as `kill -9 PID` does
            proc.wait(10)
            assert proc.returncode == -signal.SIGKILL
            gone, alive = psutil.wait_procs(workers, timeout=10)
            assert not alive, f"orphaned workers: {alive}"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        assert_no_partial_results(out)
        assert _parts(out) >= before + 1
    proc = cli("sweep", path, "--out", out, "--resume", "--workers", "2", "--no-progress",
               cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert runs_table(out).equals(runs_table(work / "longer-ref"))
    assert pq.read_table(out / "timeseries.parquet").equals(
        pq.read_table(work / "longer-ref" / "timeseries.parquet"))
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and len(m["sessions"]) == 4
    assert sum(s.get("runs_done", 0) for s in m["sessions"]) <= 48  # nothing ran twice
    assert not list(out.rglob(".tmp-*"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_keeps_finished_runs_and_exits_with_the_signal_code(work, reference,
                                                                       signum):
    path, out = reference["longer"], work / f"interrupted-{signum}"
    proc = _start(path, out, "--workers", "2")
    try:
        _wait_for_parts(proc, out, 0)
        workers = _children(proc.pid)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == 128 + signum
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    name = signal.Signals(signum).name
    assert lines[0].startswith(f"grassroots: interrupted ({name}): kept ")
    assert "of 48 runs" in lines[0] and "--resume" in lines[0]
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "interrupted" and m["counts"]["missing"] > 0
    assert_no_partial_results(out)
    kept = m["counts"]["ok"]
    proc = cli("sweep", path, "--out", out, "--resume", "--workers", "1", "--no-progress",
               cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert f"this session ran {48 - kept} " in proc.stdout
    assert runs_table(out).equals(runs_table(work / "longer-ref"))


def test_resume_checks_the_folder_and_the_file(work, reference):
    out = work / "tiny-serial"
    proc = cli("sweep", reference["tiny"], "--out", out, "--workers", "1", cwd=work)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"grassroots: error: --out: {str(out)!r} already holds a "
                                   f"sweep; add --resume to finish it, or choose another "
                                   f"folder")
    changed = write(work, "tiny-changed.toml", TINY.replace("replicates = 2", "replicates = 3"))
    proc = cli("sweep", changed, "--out", out, "--resume", cwd=work)
    assert proc.returncode == 2
    assert "differs from the one this sweep ran (at replicates)" in proc.stderr
    proc = cli("sweep", reference["tiny"], "--out", out, "--resume", cwd=work)
    assert proc.returncode == 0 and "nothing to do" in proc.stdout
    with pytest.raises(SweepError, match="holds no sweep"):
        plan_sweep(load_experiment(reference["tiny"]), work / "empty", resume=True)


def test_unreachable_scheduler_is_a_one_line_error_and_writes_nothing(work, reference):
    out = work / "noscheduler"
    port = free_port()  # nothing listens there
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    proc = subprocess.run([sys.executable, "-m", "grassroots.cli", "sweep",
                           str(reference["tiny"]), "--scheduler", f"tcp://127.0.0.1:{port}",
                           "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=work, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"grassroots: error: --scheduler tcp://127.0.0.1:{port}: cannot connect")
    assert not out.exists()


def _die_on_run_3(spec):
    """A run function whose worker process dies on run 3 (an executor failure, not a
    failing run)."""
    from grassroots.sweeps.rows import run_one

    if spec.run_id == 3:
        os._exit(7)
    return run_one(spec)


def test_a_dead_worker_aborts_keeping_finished_runs(work, reference):
    out = work / "deadworker"
    exp = load_experiment(reference["tiny"])
    with ProcessPool(2) as pool:
        report = execute(plan_sweep(exp, out), pool, progress=False, flush_every=1,
                         run_fn=_die_on_run_3)
    assert report.status == "aborted" and "BrokenProcessPool" in report.message
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "aborted"
    assert_no_partial_results(out)
    plan = plan_sweep(exp, out, resume=True)
    assert 3 in plan.todo and len(plan.todo) == 8 - report.ok
    with SerialExecutor() as ex:
        assert execute(plan, ex, progress=False).status == "complete"
    assert runs_table(out).equals(runs_table(work / "tiny-serial"))
