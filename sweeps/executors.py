"""Executors: where a sweep's runs run.

* SerialExecutor: in this process, one run after another (`--workers 1`).
* ProcessPool: local worker processes (concurrent.futures; forkserver on Linux, spawn
  elsewhere); no Dask needed (`--workers N`).
* DaskExecutor: Dask distributed, an existing `dask scheduler` by address (`--scheduler`) or
  a LocalCluster (`--dask-local N`).

`make_executor` picks one from the CLI options. Every executor is a context manager with
`run(fn, specs)`, an iterator of `fn(spec)` results as they finish (the pools yield None
every `tick` seconds while none does, so the driver can flush), `describe()` and `workers`;
the pools also have `stop()` (drop the runs in flight) and `warm()` (start every worker and
import the model first). Which executor ran a sweep changes only the runs' wall_time.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata

import psutil

from grassroots.sweeps.experiment import RunSpec
from grassroots.sweeps.rows import error_line

#: imported once in the forkserver, so every pool worker starts with them imported
PRELOAD = ["grassroots.sweeps.executors", "grassroots.sweeps.rows", "grassroots.model.run"]


class SweepError(Exception):
    """A sweep that cannot start or go on (bad folder, unreachable cluster); one line."""


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


def _alive(process: psutil.Process) -> bool:
    """Whether `process` runs (a zombie — killed, not yet reaped — does not)."""
    try:
        return process.is_running() and process.status() not in (psutil.STATUS_ZOMBIE,
                                                                 psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def _worker_init(driver: int) -> None:
    """In each pool process: leave Ctrl-C to the driver, and exit when the driver is gone.
    A SIGKILLed driver must not leave orphans behind; the forkserver cannot notice by
    itself, since every worker holds a copy of the pipe it watches."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = psutil.Process(driver)
    except psutil.NoSuchProcess:
        os._exit(1)

    def watch():
        while True:
            time.sleep(0.5)
            if not _alive(process):
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="driver-watch").start()


def warm_up(delay: float) -> int:
    """Run in a worker: import the model (the import is the warm-up), wait `delay` seconds
    (so every worker of a pool gets one), return the worker's process id."""
    import grassroots.model.run  # noqa: F401

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
            ctx.set_forkserver_preload(PRELOAD)
        else:
            ctx = mp.get_context("spawn")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init,
                                        initargs=(os.getpid(),))
        return self

    def warm(self) -> None:
        """Start every worker and import the model in it (benchmarks time runs, not
        start-up)."""
        futs = [self.pool.submit(warm_up, 0.3) for _ in range(self.workers)]
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
    """The installed Grassroots (and Python) of this process, to compare with the driver's
    (as the manifest records it: from the package metadata)."""
    try:
        version = metadata.version("grassroots")
    except metadata.PackageNotFoundError:
        version = None
    return {"grassroots": version, "python": sys.version.split()[0]}


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
                                            preload=["grassroots.sweeps.executors"],  # dask_setup
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
