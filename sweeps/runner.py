"""Run a sweep: plan which runs are missing, run them on an executor, stream them to disk.

    plan = plan_sweep(load_experiment("experiments/smoke.toml"), "results/sweeps/smoke")
    with make_executor(workers=2) as executor:
        report = execute(plan, executor)

`plan_sweep` checks the folder (a new sweep needs an empty one; `resume` one of the same
experiment) and writes nothing. `execute` opens a session in the manifest, runs the missing
runs, writes the finished ones in batches of `flush_every` runs or every `flush_seconds`
(whichever comes first), handles Ctrl-C and SIGTERM, and once every run is recorded
consolidates the folder (grassroots.sweeps.store) and closes the session.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from grassroots.core.io import FolderLock
from grassroots.sweeps.executors import SweepError
from grassroots.sweeps.experiment import Experiment
from grassroots.sweeps.provenance import FORMAT, close_session, open_session
from grassroots.sweeps.rows import error_line, run_one
from grassroots.sweeps.store import SweepStore

#: a batch of finished runs is written at the latest this many seconds after the last one
FLUSH_SECONDS = 10.0
FLUSH_EVERY = 100


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; `signum` says which."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class SweepPlan:
    """What a sweep session will do, decided before anything is started or written."""

    experiment: Experiment
    store: SweepStore
    todo: list[int]
    recorded: int
    resume: bool
    manifest: dict | None = None

    @property
    def finished(self) -> bool:
        """Nothing left to do: every run recorded and consolidated."""
        return (not self.todo and self.manifest is not None
                and self.manifest.get("status") == "complete"
                and self.store.runs_path.is_file() and not self.store.parts())


@dataclass
class SweepReport:
    status: str  # complete | interrupted | aborted
    total: int
    ran: int
    ok: int = 0
    failed: int = 0
    missing: int = 0
    elapsed: float = 0.0
    message: str = ""
    signum: int | None = None
    files: list[str] = field(default_factory=list)


def plan_sweep(experiment: Experiment, out: str | Path, resume: bool = False,
               retry_failed: bool = False) -> SweepPlan:
    """Check the output folder and work out which runs are missing; writes nothing.

    A new sweep needs an empty or absent folder; `resume` needs the folder of a sweep of the
    same experiment (the resolved file must match the manifest's)."""
    store = SweepStore(out)
    if store.out.exists() and not store.out.is_dir():
        raise SweepError(f"--out: {str(store.out)!r} exists and is not a folder")
    if store.out.is_dir():
        FolderLock(store.out, SweepError, what="sweep").check()  # a live writer has it
    manifest = store.manifest()
    if not resume:
        if manifest is not None:
            raise SweepError(f"--out: {str(store.out)!r} already holds a sweep; add --resume "
                             f"to finish it, or choose another folder")
        if store.out.is_dir() and any(p.name != FolderLock.LOCK_NAME
                                      for p in store.out.iterdir()):
            raise SweepError(f"--out: {str(store.out)!r} is not empty")
        return SweepPlan(experiment, store, list(range(experiment.n_runs)), 0, False)
    if manifest is None:
        raise SweepError(f"--resume: {str(store.out)!r} holds no sweep (no manifest.json)")
    if manifest.get("format") != FORMAT:
        raise SweepError(f"--resume: {store.manifest_path}: format {manifest.get('format')!r};"
                         f" allowed: {FORMAT}")
    mine, theirs = experiment.resolved(), manifest["experiment"]
    if mine != theirs:
        key = _first_difference(theirs, mine)
        raise SweepError(f"--resume: the experiment file differs from the one this sweep "
                         f"ran (at {key}); resume with the same file")
    recorded = store.recorded()
    done = {k for k, s in recorded.items() if s == "ok" or not retry_failed}
    todo = [k for k in range(experiment.n_runs) if k not in done]
    return SweepPlan(experiment, store, todo, len(done), True, manifest)


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}.{k}" if path else k)
    return path or "top level"


def execute(plan: SweepPlan, executor, *, flush_every: int = FLUSH_EVERY,
            flush_seconds: float = FLUSH_SECONDS, progress: bool = True,
            on_flush: Callable[[int], None] | None = None, run_fn: Callable = run_one,
            source_file: str | None = None) -> SweepReport:
    """Run the plan's missing runs on an entered executor, streaming batches to disk.

    Ctrl-C (SIGINT) or SIGTERM: stop submitting, flush what finished, mark the manifest
    `interrupted`, return a report with status "interrupted". An executor failure (a worker
    process died, the scheduler went away) keeps what finished and returns "aborted".
    `run_fn` is the module-level function run on each spec (the model by default; tests
    pass a known-answer function through the same machinery). A second writer on the same
    folder is refused (SweepError naming the holder) while this one runs.
    """
    # one writer per sweep folder, held for the whole session (core/io.py FolderLock)
    with FolderLock(plan.store.out, SweepError, what="sweep"):
        try:
            return _execute(plan, executor, flush_every=flush_every,
                            flush_seconds=flush_seconds, progress=progress,
                            on_flush=on_flush, run_fn=run_fn, source_file=source_file)
        except WriteFailed as err:  # before any run (the manifest, the design)
            raise SweepError(str(err)) from None


class WriteFailed(Exception):
    """A write into the sweep folder failed (a full disk, a lost mount): every file written
    before is intact (each is written atomically), the failed one is not there, and
    `--resume` finishes the sweep once the folder is writable again."""

    def __init__(self, folder: Path, err: OSError):
        super().__init__(f"cannot write to {str(folder)!r}: {err.strerror or err}; the runs "
                         f"recorded before are kept")


def _writing(store, write: Callable, *args):
    """`write(*args)`, an OSError turned into WriteFailed naming the folder."""
    try:
        return write(*args)
    except OSError as err:
        raise WriteFailed(store.out, err) from err


def _execute(plan: SweepPlan, executor, *, flush_every: int, flush_seconds: float,
             progress: bool, on_flush: Callable[[int], None] | None, run_fn: Callable,
             source_file: str | None) -> SweepReport:
    from tqdm import tqdm

    exp, store = plan.experiment, plan.store
    store.clean()
    manifest, session = open_session(exp, plan.manifest, executor.describe(), len(plan.todo),
                                     source_file)
    _writing(store, store.write_manifest, manifest)
    _writing(store, store.write_design, exp)

    rows: list[dict] = []
    series: list[pa.Table] = []
    ran = failed_now = 0
    last_flush = time.monotonic()
    t0 = time.perf_counter()
    status, message, signum = "complete", "", None

    def flush():
        nonlocal rows, series, last_flush
        if rows:
            batch, rows, series = (rows, series), [], []
            # a batch that cannot be written is not recorded: --resume runs it again
            _writing(store, store.write_batch, *batch)
            if on_flush is not None:
                on_flush(ran)
        last_flush = time.monotonic()

    bar = tqdm(total=exp.n_runs, initial=plan.recorded, desc=exp.name, unit="run",
               disable=not progress, file=sys.stderr, smoothing=0.05, mininterval=0.5,
               dynamic_ncols=True)
    previous = _install_sigterm()
    results = executor.run(run_fn, exp.specs(plan.todo))
    try:
        for result in results:
            if result is not None:
                row, ts = result
                rows.append(row)
                if ts is not None:
                    series.append(ts)
                ran += 1
                bar.update(1)
                if row["status"] != "ok":
                    failed_now += 1
                    bar.set_postfix(failed=failed_now, refresh=False)
            if len(rows) >= flush_every or time.monotonic() - last_flush >= flush_seconds:
                flush()
        flush()
    except WriteFailed as err:
        _stop(executor, results)
        status, message = "aborted", str(err)
    except KeyboardInterrupt as err:
        _stop(executor, results)
        status = "interrupted"
        signum = getattr(err, "signum", signal.SIGINT)
        message = "interrupted by " + signal.Signals(signum).name
        message = _last_flush(flush, message)
    except Exception as err:  # the executor failed (not a run: runs never raise)
        _stop(executor, results)
        status, message = "aborted", _last_flush(flush, f"executor failed: {error_line(err)}")
    finally:
        bar.close()
        _restore_sigterm(previous)

    report = SweepReport(status=status, total=exp.n_runs, ran=ran,
                         elapsed=time.perf_counter() - t0, message=message, signum=signum)
    recorded = store.recorded()
    report.missing = exp.n_runs - len(recorded)
    consolidated = False
    if status == "complete" and report.missing == 0:
        try:
            counts = _writing(store, store.consolidate, exp.parameter_columns)
            consolidated = True
        except WriteFailed as err:  # the parts stay: --resume consolidates them
            status = report.status = "aborted"
            message = report.message = str(err)
    if consolidated:
        report.ok, report.failed = counts["ok"], counts["failed"]
        report.files = [str(store.runs_path)] + ([str(store.ts_path)]
                                                 if store.ts_path.is_file() else [])
    else:
        values = list(recorded.values())
        report.ok, report.failed = values.count("ok"), values.count("failed")
        if status == "complete":  # cannot happen unless parts vanished under us
            status = report.status = "aborted"
    close_session(manifest, session, status, ran, message,
                  {"ok": report.ok, "failed": report.failed, "missing": report.missing})
    try:
        _writing(store, store.write_manifest, manifest)
    except WriteFailed as err:
        # the manifest on disk still says "running": --resume picks the sweep up from it
        if status == "complete":
            status = report.status = "aborted"
        report.message = f"{report.message}; {err}" if report.message else str(err)
        return report
    if status == "complete":
        store.remove_parts()
    return report


def _last_flush(flush: Callable[[], None], message: str) -> str:
    """Write what finished before stopping; a failed write is added to the message."""
    try:
        flush()
    except WriteFailed as err:
        return f"{message}; {err}"
    return message


def _stop(executor, results) -> None:
    """Stop submitting and drop the runs in flight."""
    with contextlib.suppress(Exception):
        results.close()
    stop = getattr(executor, "stop", None)
    if stop is not None:
        stop()


def _install_sigterm():
    """SIGTERM raises Interrupted, as Ctrl-C raises KeyboardInterrupt (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise Interrupted(signum)

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
