"""Run an experiment's runs on an executor and stream the results to disk.

Layout of a sweep folder (DIR):

    manifest.json          resolved experiment, master seed, design, package versions, git
                           commit, start/end of every session, status, counts
    design.parquet         the sampler's rows (what Morris analysis needs as X)
    runs/part-NNNNNN.parquet        finished runs, one file per flush (a batch of runs)
    timeseries/part-NNNNNN.parquet  their kept time series, same batch number
    runs.parquet           consolidated: one row per run, sorted by run_id
    timeseries.parquet     consolidated: one row per run and kept day, sorted by (run_id, day)

Every file is written under a hidden temporary name (`.tmp-...`) and renamed into place
(atomic on POSIX), so a reader never sees a partial file under a final name. A batch's
time-series part is renamed before its runs part: the runs part commits the batch, and a
time-series part without its runs part is an orphan that the next session deletes.
runs.parquet and timeseries.parquet exist only once every run of the experiment is recorded
(ok or failed); then the part files are removed. While runs go on, the driver holds at most
one unwritten batch, so its memory does not grow with the sweep; consolidation holds the
runs table (one row per run) and CONSOLIDATE_CHUNK runs' time series at a time. A killed sweep keeps every flushed batch;
it loses the runs in flight and the finished runs not yet flushed — at most `flush_every`
runs or FLUSH_SECONDS of work. `--resume` runs only the run ids not yet recorded.

Runs table columns: run_id, point, sample, replicate, scenario, policy, the parameters the
experiment sets, seed, status ("ok" or "failed"), error (type and first line of the
exception), wall_time (seconds the run took on its worker), every summary metric
(`<dimension>.<metric>`, `peaks.*`, `final.*`, `capacities.*`, `community.*`, `totals.*`;
numbers as float64, missing as null) and traceback (failed runs). Only wall_time depends on
the executor; the rest is a function of the experiment file and its master seed.

Executors: SerialExecutor (in this process), ProcessPool (local processes; no Dask needed),
DaskExecutor (an existing `dask scheduler` by address, or a LocalCluster). Every run goes
through grassroots.model.run.run, the one entry point.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import multiprocessing as mp
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback as _traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from grassroots.sweeps.experiment import Experiment, RunSpec

FORMAT = "grassroots-sweep/1"
#: a batch of finished runs is written at the latest this many seconds after the last one
FLUSH_SECONDS = 10.0
FLUSH_EVERY = 100
#: runs per chunk when timeseries.parquet is consolidated (bounds the driver's memory) ...
CONSOLIDATE_CHUNK = 256
#: ... unless all the time series together have at most this many rows
CONSOLIDATE_IN_MEMORY_ROWS = 250_000
HEAD = ("run_id", "point", "sample", "replicate", "scenario", "policy")
TAIL = ("seed", "status", "error", "wall_time")
PACKAGES = ("grassroots", "mesa", "numpy", "scipy", "pandas", "networkx", "pyarrow", "SALib",
            "dask", "distributed", "tqdm", "matplotlib")


class SweepError(Exception):
    """A sweep that cannot start or go on (bad folder, unreachable cluster); one line."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; `signum` says which."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# -- one run ------------------------------------------------------------------------------
def run_one(spec: RunSpec) -> tuple[dict, pa.Table | None]:
    """Run one spec through the model's one entry point; never raises for a failing run.

    Returns the runs-table row and the kept time series (run_id, day, columns) or None.
    """
    from grassroots.model.run import run

    row: dict[str, Any] = {"run_id": spec.run_id, "point": spec.point, "sample": spec.sample,
                           "replicate": spec.replicate, "scenario": spec.scenario,
                           "policy": spec.policy, **spec.params, "seed": spec.seed}
    t0 = time.perf_counter()
    try:
        result = run(dict(spec.params), seed=spec.seed, scenario=spec.scenario,
                     policy=spec.policy, network=spec.network, indicators=spec.indicators)
        metrics = flatten_summary(result.summary)
        ts = None
        if spec.timeseries_every:
            df = result.timeseries
            df = df.loc[df["day"] % spec.timeseries_every == 0,
                        ["day", *spec.timeseries_columns]]
            ts = pa.Table.from_pandas(df, preserve_index=False)
            ts = ts.add_column(0, "run_id", pa.array(np.full(len(df), spec.run_id, np.int64)))
    except Exception as err:  # the run failed: record it, the sweep goes on
        row.update(status="failed", error=error_line(err),
                   wall_time=time.perf_counter() - t0, traceback=_traceback.format_exc())
        return row, None
    row.update(status="ok", error=None, wall_time=time.perf_counter() - t0)
    row.update(metrics)
    return row, ts


def error_line(err: BaseException) -> str:
    """`Type: first line of the message`."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def flatten_summary(summary: dict) -> dict[str, Any]:
    """The run summary as flat columns: numbers as float, flags as bool, labels as text,
    None kept (a null); lists, the parameters, the scenario description and fixed texts are
    left out (the parameters are columns already)."""
    out: dict[str, Any] = {}

    def put(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                put(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            out[prefix] = value
        elif isinstance(value, (int, float, np.integer, np.floating)):
            out[prefix] = float(value)
        # lists (onset-wise plan quality, events) are not columns

    put("", summary["metrics"])
    for section in ("peaks", "final"):
        put(section, summary[section])
    caps = dict(summary["capacities"])
    if caps.get("prevention") is None:
        caps.pop("prevention", None)
    else:
        caps["prevention"] = {k: v for k, v in caps["prevention"].items()
                              if k != "compared_with"}
    put("capacities", caps)
    put("community", {k: summary[k] for k in ("residents", "neighbourhoods", "ties")})
    out["events.count"] = float(len(summary["events"]))
    put("totals", {k: summary[k] for k in ("resources_used", "warnings_issued",
                                           "community_reserve_left")})
    return out


# -- executors ----------------------------------------------------------------------------
class SerialExecutor:
    """Runs in this process, one after another."""

    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def describe(self) -> str:
        return "serial (in-process)"

    def run(self, fn: Callable, specs: Iterable[RunSpec]) -> Iterator:
        for spec in specs:
            yield fn(spec)


def _drain(submit: Callable, specs: Iterable[RunSpec], window: int, tick: float) -> Iterator:
    """Keep at most `window` runs in flight; yield each result as it finishes, or None every
    `tick` seconds while none does (so the driver can flush). Stopping the iteration stops
    submitting."""
    done: queue.Queue = queue.Queue()
    pending: set = set()
    it = iter(specs)

    def fill():
        while len(pending) < window:
            spec = next(it, None)
            if spec is None:
                return
            fut = submit(spec)
            pending.add(fut)
            fut.add_done_callback(done.put)

    fill()
    while pending:
        try:
            fut = done.get(timeout=tick)
        except queue.Empty:
            yield None
            continue
        pending.discard(fut)
        result = fut.result()  # raises only for executor failures (a worker died, ...)
        del fut
        yield result
        fill()


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie — killed, not yet reaped — does not)."""
    stat = f"/proc/{pid}/stat"
    if os.path.exists("/proc/self/stat"):
        try:
            with open(stat) as f:
                return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except (FileNotFoundError, ProcessLookupError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _worker_init(driver: int) -> None:
    """In each pool process: leave Ctrl-C to the driver, and exit when the driver is gone.
    A SIGKILLed driver must not leave orphans behind; the forkserver cannot notice by
    itself, since every worker holds a copy of the pipe it watches."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while True:
            time.sleep(0.5)
            if not _alive(driver):
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="driver-watch").start()


def _warm(delay: float) -> int:
    import grassroots.model.run  # noqa: F401  (the import is the warm-up)

    time.sleep(delay)
    return os.getpid()


class ProcessPool:
    """Local worker processes (concurrent.futures; forkserver on Linux, spawn elsewhere)."""

    def __init__(self, workers: int, tick: float = 1.0):
        self.workers = workers
        self.tick = tick
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        if "forkserver" in mp.get_all_start_methods():
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["grassroots.sweep", "grassroots.model.run"])
        else:
            ctx = mp.get_context("spawn")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init,
                                        initargs=(os.getpid(),))
        return self

    def warm(self) -> None:
        """Start every worker and import the model in it (benchmarks time runs, not
        start-up)."""
        futs = [self.pool.submit(_warm, 0.3) for _ in range(self.workers)]
        for f in futs:
            f.result()

    def describe(self) -> str:
        return f"local process pool, {self.workers} workers"

    def run(self, fn: Callable, specs: Iterable[RunSpec]) -> Iterator:
        return _drain(lambda s: self.pool.submit(fn, s), specs, 2 * self.workers, self.tick)

    def stop(self) -> None:
        """Drop queued runs and terminate the workers (the runs in flight are lost)."""
        if self.pool is None:
            return
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            with contextlib.suppress(Exception):
                p.terminate()
        for p in procs:
            with contextlib.suppress(Exception):
                p.join(5)
        self.pool = None

    def __exit__(self, exc_type, *exc):
        if self.pool is not None:
            if exc_type is None:
                self.pool.shutdown(wait=True)
                self.pool = None
            else:
                self.stop()
        return False


def dask_setup(worker) -> None:
    """Dask preload hook (LocalCluster workers): leave Ctrl-C to the driver, which stops the
    sweep and closes the cluster itself."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_versions() -> dict:
    from grassroots import __version__

    return {"grassroots": __version__, "python": sys.version.split()[0]}


class DaskExecutor:
    """Dask distributed: an existing scheduler (`scheduler="tcp://host:port"`, workers
    started with `dask worker`) or a LocalCluster of `local_workers` single-threaded
    processes. Workers must have the same Grassroots installed (checked). Connecting waits
    Dask's `distributed.comm.timeouts.connect` (default 30 s; environment variable
    DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT) unless `connect_timeout` is given."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 tick: float = 1.0, connect_timeout: float | None = None,
                 worker_timeout: float = 60.0):
        if (scheduler is None) == (local_workers is None):
            raise ValueError("give a scheduler address or a number of local workers")
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.tick = tick
        self.connect_timeout = connect_timeout
        self.worker_timeout = worker_timeout
        self.client = None
        self.cluster = None
        self.token = uuid.uuid4().hex[:8]

    def __enter__(self):
        import logging

        from distributed import Client, LocalCluster

        try:
            if self.scheduler is not None:
                kw = {} if self.connect_timeout is None else {"timeout": self.connect_timeout}
                self.client = Client(self.scheduler, **kw)
            else:
                self.cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1,
                                            processes=True, host="127.0.0.1",
                                            dashboard_address="127.0.0.1:0",
                                            preload=["grassroots.sweep"],
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError, ValueError) as err:
            self._close()
            where = f"--scheduler {self.scheduler}" if self.scheduler else "--dask-local"
            raise SweepError(f"{where}: cannot connect ({error_line(err)})") from None
        try:
            self.client.wait_for_workers(1, timeout=self.worker_timeout)
        except (TimeoutError, OSError):
            self._close()
            raise SweepError(f"--scheduler {self.scheduler}: no worker joined within "
                             f"{self.worker_timeout:.0f} s") from None
        mine = _worker_versions()
        for addr, theirs in self.client.run(_worker_versions).items():
            if theirs["grassroots"] != mine["grassroots"]:
                self._close()
                raise SweepError(f"dask worker {addr} has grassroots {theirs['grassroots']}, "
                                 f"this driver {mine['grassroots']}; install the same "
                                 f"version on every worker")
        if self.scheduler:
            self._description = (f"dask scheduler {self.scheduler}, {self.workers} worker "
                                 f"threads")
        else:
            self._description = f"dask LocalCluster, {self.local_workers} worker processes"
        return self

    @property
    def workers(self) -> int:
        return sum(self.client.nthreads().values())

    def describe(self) -> str:
        return getattr(self, "_description", "dask (not connected)")

    def run(self, fn: Callable, specs: Iterable[RunSpec]) -> Iterator:
        window = max(4, 2 * self.workers)
        self._pending: set = set()

        def submit(spec):
            fut = self.client.submit(fn, spec, key=f"grassroots-{self.token}-{spec.run_id}",
                                     pure=False)
            self._pending.add(fut)
            return fut

        for result in _drain(submit, specs, window, self.tick):
            self._pending = {f for f in self._pending if not f.done()}
            yield result

    def _close(self):
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)
        self.client = self.cluster = None

    def stop(self) -> None:
        """Cancel the runs submitted and not finished."""
        if self.client is not None and getattr(self, "_pending", None):
            with contextlib.suppress(Exception):
                self.client.cancel(list(self._pending))
            self._pending = set()

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            self.stop()
        self._close()
        return False


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None):
    """The executor the CLI options ask for: serial for one worker, a process pool for
    more (default: one per available core), Dask when asked."""
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler)
    if dask_local is not None:
        return DaskExecutor(local_workers=dask_local)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
    return SerialExecutor() if workers <= 1 else ProcessPool(workers)


# -- the folder ---------------------------------------------------------------------------
def _tmp_name(path: Path) -> Path:
    return path.with_name(f".tmp-{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}")


def _atomic_write(path: Path, mode: str, write: Callable, **open_kwargs) -> None:
    """Write a file under a temporary name, fsync it, rename it into place (a killed process
    leaves either the old file or the new one, never part of one)."""
    tmp = _tmp_name(path)
    try:
        with open(tmp, mode, **open_kwargs) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file atomically (see _atomic_write)."""
    _atomic_write(path, "wb", lambda f: pq.write_table(table, f))


def atomic_write_text(text: str, path: Path) -> None:
    """Write a text file atomically (see _atomic_write)."""
    _atomic_write(path, "w", lambda f: f.write(text), encoding="utf-8")


def design_table(exp: Experiment) -> pa.Table:
    """The sampler's rows: `sample` and each varied parameter, as the sampler drew it
    (before rounding integers) for lhs/sobol/morris, as run for factorial."""
    if exp.raw is not None:
        cols = {"sample": np.arange(exp.n_samples)}
        cols.update({name: exp.raw[:, j] for j, name in enumerate(exp.problem["names"])})
        return pa.table(cols)
    return rows_to_table([{"sample": k, **s} for k, s in enumerate(exp.samples)])


def rows_to_table(rows: list[dict]) -> pa.Table:
    """A batch of runs-table rows as an Arrow table (columns: union of the rows' keys)."""
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return pa.table({k: pa.array([r.get(k) for r in rows]) for k in keys})


class SweepStore:
    """The files of one sweep folder."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.manifest_path = self.out / "manifest.json"
        self.runs_path = self.out / "runs.parquet"
        self.ts_path = self.out / "timeseries.parquet"
        self.design_path = self.out / "design.parquet"
        self.runs_dir = self.out / "runs"
        self.ts_dir = self.out / "timeseries"

    # reading
    def manifest(self) -> dict | None:
        if not self.manifest_path.is_file():
            return None
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def parts(self) -> list[int]:
        """Committed batch numbers (a runs part exists), ascending."""
        if not self.runs_dir.is_dir():
            return []
        return sorted(int(p.stem.split("-")[1]) for p in self.runs_dir.glob("part-*.parquet"))

    def part(self, k: int) -> tuple[Path, Path]:
        return self.runs_dir / f"part-{k:06d}.parquet", self.ts_dir / f"part-{k:06d}.parquet"

    def sources(self) -> list[tuple[Path, Path | None]]:
        """Where recorded runs are, oldest first: the consolidated files, then the parts;
        a later record of a run id wins over an earlier one."""
        out = []
        if self.runs_path.is_file():
            out.append((self.runs_path, self.ts_path if self.ts_path.is_file() else None))
        for k in self.parts():
            r, t = self.part(k)
            out.append((r, t if t.is_file() else None))
        return out

    def recorded(self) -> dict[int, str]:
        """run_id -> status of every recorded run (the latest record wins)."""
        status: dict[int, str] = {}
        for runs, _ in self.sources():
            t = pq.ParquetFile(runs).read(columns=["run_id", "status"])
            status.update(zip(t["run_id"].to_pylist(), t["status"].to_pylist()))
        return status

    def clean(self) -> None:
        """Remove temporary files and time-series parts whose batch was never committed."""
        for d in (self.out, self.runs_dir, self.ts_dir):
            if d.is_dir():
                for p in d.glob(".tmp-*"):
                    with contextlib.suppress(OSError):
                        p.unlink() if p.is_file() else shutil.rmtree(p)
        committed = set(self.parts())
        if self.ts_dir.is_dir():
            for p in self.ts_dir.glob("part-*.parquet"):
                if int(p.stem.split("-")[1]) not in committed:
                    p.unlink()

    # writing
    def next_part(self) -> int:
        nums = [0]
        for d in (self.runs_dir, self.ts_dir):
            if d.is_dir():
                nums += [int(p.stem.split("-")[1]) for p in d.glob("part-*.parquet")]
        return max(nums) + 1

    def write_batch(self, rows: list[dict], ts: list[pa.Table]) -> int:
        k = self.next_part()
        runs_file, ts_file = self.part(k)
        self.runs_dir.mkdir(exist_ok=True)
        if ts:
            self.ts_dir.mkdir(exist_ok=True)
            atomic_write_table(pa.concat_tables(ts, promote_options="permissive"), ts_file)
        atomic_write_table(rows_to_table(rows), runs_file)  # commits the batch
        return k

    def write_manifest(self, manifest: dict) -> None:
        atomic_write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                          self.manifest_path)

    def consolidate(self, param_columns: list[str]) -> dict[str, int]:
        """Write runs.parquet and timeseries.parquet from every recorded batch (latest record
        of a run wins), sorted by run id; the time series chunk by chunk, so memory stays
        bounded. Returns the counts of ok and failed runs."""
        sources = self.sources()
        tables, src = [], []
        for i, (runs, _) in enumerate(sources):
            t = pq.ParquetFile(runs).read()
            tables.append(t)
            src.append(np.full(t.num_rows, i, np.int64))
        table = pa.concat_tables(tables, promote_options="permissive")
        ids = table["run_id"].to_numpy()
        src_all = np.concatenate(src)
        # the last record of each run id wins
        keep = len(ids) - 1 - np.unique(ids[::-1], return_index=True)[1]  # sorted by run id
        table = table.take(pa.array(keep))
        winner_src = src_all[keep]
        for name in ("error", "traceback"):  # text columns even when no run failed
            col = table[name].cast(pa.string()) if name in table.column_names \
                else pa.nulls(table.num_rows, pa.string())
            if name in table.column_names:
                table = table.set_column(table.column_names.index(name), name, col)
            else:
                table = table.append_column(name, col)
        table = table.select(_column_order(table.column_names, param_columns))

        ts_sources = [(i, t) for i, (_, t) in enumerate(sources) if t is not None]
        if ts_sources:
            # sources holding a record that lost to a later one must be read filtered
            partial = set(np.unique(src_all[np.setdiff1d(np.arange(len(ids)), keep)]))
            self._consolidate_timeseries(table["run_id"].to_numpy(), winner_src, sources,
                                         partial)
        atomic_write_table(table, self.runs_path)  # after the time series: see docstring
        status = table["status"].to_pylist()
        return {"ok": status.count("ok"), "failed": status.count("failed")}

    def _consolidate_timeseries(self, run_ids: np.ndarray, winner_src: np.ndarray,
                                sources: list[tuple[Path, Path | None]],
                                partial: set) -> None:
        paths = [t for _, t in sources if t is not None]
        schema = pa.unify_schemas([pq.read_schema(t) for t in paths],
                                  promote_options="permissive")
        rows = sum(pq.read_metadata(t).num_rows for t in paths)
        size = len(run_ids) if rows <= CONSOLIDATE_IN_MEMORY_ROWS else CONSOLIDATE_CHUNK
        tmp = _tmp_name(self.ts_path)
        try:
            with open(tmp, "wb") as f:
                with pq.ParquetWriter(f, schema) as writer:
                    for start in range(0, len(run_ids), size):
                        ids = run_ids[start:start + size]
                        srcs = winner_src[start:start + size]
                        parts = []
                        for s in np.unique(srcs):
                            path = sources[s][1]
                            if path is None:
                                continue
                            if size >= len(run_ids) and s not in partial:
                                t = pq.ParquetFile(path).read()  # every run is wanted
                            else:
                                want = ids[srcs == s].tolist()
                                t = pq.read_table(path, filters=[("run_id", "in", want)])
                            parts.append(_conform(t, schema))
                        if not parts:
                            continue
                        chunk = pa.concat_tables(parts).sort_by([("run_id", "ascending"),
                                                                 ("day", "ascending")])
                        writer.write_table(chunk)
                        del chunk, parts
                        pa.default_memory_pool().release_unused()
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.ts_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def remove_parts(self) -> None:
        for d in (self.runs_dir, self.ts_dir):
            shutil.rmtree(d, ignore_errors=True)


def _conform(t: pa.Table, schema: pa.Schema) -> pa.Table:
    cols = [t[name].cast(fld.type) if name in t.column_names
            else pa.nulls(t.num_rows, fld.type) for name, fld in zip(schema.names, schema)]
    return pa.table(cols, schema=schema)


def _column_order(names: list[str], params: list[str]) -> list[str]:
    head = [c for c in (*HEAD, *params, *TAIL) if c in names]
    rest = sorted(c for c in names if c not in head and c != "traceback")
    return head + rest + (["traceback"] if "traceback" in names else [])


# -- manifest -----------------------------------------------------------------------------
def _now() -> str:
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


# -- the sweep ----------------------------------------------------------------------------
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
    manifest = store.manifest()
    if not resume:
        if manifest is not None:
            raise SweepError(f"--out: {str(store.out)!r} already holds a sweep; add --resume "
                             f"to finish it, or choose another folder")
        if store.out.is_dir() and any(store.out.iterdir()):
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
    pass a known-answer function through the same machinery).
    """
    from tqdm import tqdm

    exp, store = plan.experiment, plan.store
    store.out.mkdir(parents=True, exist_ok=True)
    store.clean()
    session = {"started": _now(), "executor": executor.describe(), "runs_to_do": len(plan.todo)}
    if plan.manifest is None:
        manifest = {
            "format": FORMAT,
            "experiment": exp.resolved(),
            "experiment_file": _file_record(source_file or exp.source),
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
        manifest = dict(plan.manifest)
        manifest.update(status="running", ended=None)
        now_versions, now_git = package_versions(), git_state()
        if now_versions != manifest.get("versions") or now_git != manifest.get("git"):
            session["versions"], session["git"] = now_versions, now_git
    manifest["sessions"] = list(manifest.get("sessions", [])) + [session]
    store.write_manifest(manifest)
    if not store.design_path.is_file():
        atomic_write_table(design_table(exp), store.design_path)

    rows: list[dict] = []
    series: list[pa.Table] = []
    ran = failed_now = 0
    last_flush = time.monotonic()
    t0 = time.perf_counter()
    status, message, signum = "complete", "", None

    def flush():
        nonlocal rows, series, last_flush
        if rows:
            store.write_batch(rows, series)
            rows, series = [], []
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
    except KeyboardInterrupt as err:
        _stop(executor, results)
        flush()
        status = "interrupted"
        signum = getattr(err, "signum", signal.SIGINT)
        message = "interrupted by " + signal.Signals(signum).name
    except Exception as err:  # the executor failed (not a run: runs never raise)
        _stop(executor, results)
        flush()
        status, message = "aborted", f"executor failed: {error_line(err)}"
    finally:
        bar.close()
        _restore_sigterm(previous)

    report = SweepReport(status=status, total=exp.n_runs, ran=ran,
                         elapsed=time.perf_counter() - t0, message=message, signum=signum)
    recorded = store.recorded()
    report.missing = exp.n_runs - len(recorded)
    if status == "complete" and report.missing == 0:
        counts = store.consolidate(exp.parameter_columns)
        report.ok, report.failed = counts["ok"], counts["failed"]
        report.files = [str(store.runs_path)] + ([str(store.ts_path)]
                                                 if store.ts_path.is_file() else [])
    else:
        values = list(recorded.values())
        report.ok, report.failed = values.count("ok"), values.count("failed")
        if status == "complete":  # cannot happen unless parts vanished under us
            status = report.status = "aborted"
    session.update(ended=_now(), status=status, runs_done=ran, message=message or None)
    manifest.update(status=status, ended=session["ended"],
                    counts={"ok": report.ok, "failed": report.failed,
                            "missing": report.missing})
    store.write_manifest(manifest)
    if status == "complete":
        store.remove_parts()
    return report


def _stop(executor, results) -> None:
    """Stop submitting and drop the runs in flight."""
    with contextlib.suppress(Exception):
        results.close()
    stop = getattr(executor, "stop", None)
    if stop is not None:
        stop()


def _file_record(path: str | None) -> dict | None:
    if not path or not Path(path).is_file():
        return None
    from grassroots.sweeps.experiment import file_digest

    p = Path(path)
    return {"path": str(p.resolve()), "sha256": file_digest(p),
            "text": p.read_text(encoding="utf-8")}


def _install_sigterm():
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise Interrupted(signum)

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
