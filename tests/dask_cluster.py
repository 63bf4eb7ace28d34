"""A real Dask cluster for the tests: a `dask scheduler` and single-threaded `dask worker`
processes, each started with Dask's own command in its own process group, on loopback only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(logs: Path, workers: int = 2):
    """Yields (scheduler address, {worker name: Popen}); everything is stopped on exit. A
    worker's Popen is the head of its process group (its nanny and the worker process), so
    `os.killpg(p.pid, SIGKILL)` takes the whole worker away."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs, named = [], {}

    def start(args, name):
        log = open(logs / f"{name}.log", "w")
        p = subprocess.Popen([str(VENV_BIN / "dask"), *args], stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(p)
        return p

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
              "scheduler")
        for k in range(1, workers + 1):
            named[f"w{k}"] = start(["worker", address, "--nthreads", "1", "--nworkers", "1",
                                    "--host", "127.0.0.1", "--no-dashboard", "--name",
                                    f"w{k}"], f"worker{k}")
        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout=5) as c:
                    c.wait_for_workers(workers, timeout=60)
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address, named
    finally:  # each started in its own session: the group holds the nanny's worker too
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)
