"""One writer per output folder (core/io.py FolderLock; issue 17, item 1): a second writer is
refused with one line naming the holder, a lock left by a dead process is taken over, and
`grassroots sweep` (new or --resume) refuses a folder another sweep is writing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grassroots.core.io import FolderLock

ROOT = Path(__file__).resolve().parent.parent


class Refused(ValueError):
    pass


@pytest.mark.unit
def test_acquire_release_and_a_second_writer_is_refused_naming_the_holder(tmp_path):
    with FolderLock(tmp_path / "out", Refused, what="sweep") as lock:
        holder = json.loads(lock.path.read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with pytest.raises(Refused, match=rf"in use by sweep pid {os.getpid()} on "):
            FolderLock(tmp_path / "out", Refused).acquire()
        with pytest.raises(Refused, match="one writer at a time"):
            FolderLock(tmp_path / "out", Refused).check()
    assert not lock.path.exists()
    FolderLock(tmp_path / "out", Refused).check()  # free again


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.mark.unit
def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / FolderLock.LOCK_NAME).write_text(json.dumps(
        {"pid": _dead_pid(), "host": socket.gethostname(), "started": 0.0, "since": 0.0}))
    with FolderLock(out, Refused) as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    assert not list(out.iterdir())  # the stale lock was moved aside and removed


@pytest.mark.unit
def test_a_pid_reused_by_another_process_is_not_the_holder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # our own pid, but a start time that is not ours: the recorded holder is gone
    (out / FolderLock.LOCK_NAME).write_text(json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname(), "started": 1.0, "since": 1.0}))
    with FolderLock(out, Refused):
        pass


@pytest.mark.unit
def test_a_lock_held_from_another_host_counts_as_held(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / FolderLock.LOCK_NAME).write_text(json.dumps(
        {"pid": 1, "host": "elsewhere.invalid", "started": 0.0, "since": 0.0}))
    with pytest.raises(Refused, match="on elsewhere.invalid"):
        FolderLock(out, Refused).acquire()


@pytest.fixture
def holder(tmp_path):
    """A live process holding the lock of tmp_path/sweep, as a running sweep would."""
    out = tmp_path / "sweep"
    code = textwrap.dedent(f"""
        import time
        from grassroots.core.io import FolderLock
        with FolderLock({str(out)!r}, ValueError, what="sweep"):
            print("locked", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    yield out, proc
    proc.kill()
    proc.wait()


@pytest.mark.surfaces
@pytest.mark.parametrize("resume", [False, True])
def test_sweep_refuses_a_folder_another_sweep_is_writing(holder, capsys, resume):
    from grassroots.cli import main

    out, proc = holder
    args = ["sweep", str(ROOT / "experiments" / "smoke.toml"), "--out", str(out),
            "--no-progress"] + (["--resume"] if resume else [])
    before = sorted(p.name for p in out.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"pid {proc.pid}" in err[0] and "one writer at a time" in err[0]
    assert sorted(p.name for p in out.iterdir()) == before  # nothing written


@pytest.mark.surfaces
def test_after_the_holder_is_killed_the_folder_can_be_locked_again(holder):
    out, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with FolderLock(out, Refused):
                return
        except Refused:
            time.sleep(0.1)
    pytest.fail("the dead holder's lock was not taken over")


@pytest.mark.unit
def test_an_optimisation_refuses_a_folder_another_writer_holds(tmp_path):
    """`grassroots optimise` (new or --resume) takes the same lock: while another writer holds
    the folder, it is refused in one line naming the holder and nothing is written."""
    from grassroots.optimise import OptimisationError, load_optimisation, search
    from grassroots.sweeps.executors import SerialExecutor

    opt = load_optimisation(ROOT / "experiments" / "smoke.optimise.toml")
    out = tmp_path / "out"
    with FolderLock(out, Refused, what="optimisation"):
        before = sorted(p.name for p in out.iterdir())
        for resume in (False, True):
            with pytest.raises(OptimisationError, match=rf"in use by optimisation pid "
                                                        rf"{os.getpid()} on "):
                search(opt, out, SerialExecutor(), resume=resume, progress=False)
        assert sorted(p.name for p in out.iterdir()) == before  # nothing written
