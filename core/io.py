"""The small input/output and validation core every surface shares.

* `atomic_write`, `atomic_write_text`, `atomic_save`: a file is written under a hidden temporary name in its own folder,
  flushed to disk and renamed into place, so a reader (or a killed process) sees the old file
  or the new one, never part of one.
* `named_or_file`: the one rule for inputs that are "a shipped name or a file" (scenarios,
  policies, experiment entries, dashboard pickers).
* `check_seed`: the one rule for seeds, whichever surface takes them.
* `read_toml`, `check_keys`, `suggest`: TOML tables read with one-line errors that name the
  file and the key, with a did-you-mean hint for a misspelt key.

Every error raised here is an instance of the `error` class the caller passes (its own
`ValueError` subclass: ParameterError, ScenarioError, ExperimentError, ...), with a one-line
message that names the field and what is allowed. Nothing here imports the rest of
Grassroots.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

#: Seeds are integers in [0, MAX_SEED]: numpy's SeedSequence takes any non-negative integer;
#: 128 bits is what `secrets.randbits(128)` draws for an experiment's master seed.
MAX_SEED = 2**128 - 1
SEED_ALLOWED = "an integer in [0, 2^128 - 1]"


# -- atomic writes ------------------------------------------------------------------------
def temporary_name(path: Path) -> Path:
    """A hidden name beside `path`, unique to this process and call."""
    path = Path(path)
    return path.with_name(f".tmp-{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}")


def atomic_write(path: str | Path, write: Callable[[Any], Any], mode: str = "w",
                 **open_kwargs: Any) -> None:
    """Call `write(file)` on a temporary file beside `path`, fsync it, rename it to `path`.

    On any error the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        with open(tmp, mode, **open_kwargs) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_text(text: str, path: str | Path) -> None:
    """Write a UTF-8 text file atomically."""
    atomic_write(path, lambda f: f.write(text), "w", encoding="utf-8")


def atomic_save(path: str | Path, save: Callable[[Path], Any]) -> None:
    """For writers that want a path, not a file object (matplotlib's `savefig`, pandas):
    `save(tmp)` writes a temporary path beside `path`, which is then renamed into place."""
    path = Path(path)
    tmp = temporary_name(path).with_suffix(path.suffix)
    try:
        save(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# -- names and files ----------------------------------------------------------------------
def named_or_file(value: str, shipped: Mapping[str, Path], what: str,
                  error: type[Exception], base: str | Path | None = None,
                  extra_names: Iterable[str] = ()) -> Path | str:
    """Resolve a "shipped name or a file" input.

    Returns the shipped file for a shipped name, `value` itself for one of `extra_names`
    (such as the scenario `none`), else the file `value` names (relative to `base` when
    given), made absolute. Raises `error` naming `what` when it is neither.
    """
    extra = tuple(extra_names)
    if value in extra:
        return value
    if value in shipped:
        return Path(shipped[value])
    candidate = Path(base) / value if base is not None else Path(value)
    if candidate.is_file():
        return candidate.resolve()
    names = ", ".join([*extra, *shipped])
    raise error(f"{what}: {value!r} is neither a shipped {what} ({names}) nor a file")


# -- seeds --------------------------------------------------------------------------------
def check_seed(value: Any, error: type[Exception], field: str = "seed") -> int:
    """A seed: an integer in [0, MAX_SEED] given as an int, an integral float or text."""
    if isinstance(value, bool):
        raise error(f"{field}: got {value!r}; allowed: {SEED_ALLOWED}")
    text = value.strip() if isinstance(value, str) else value
    try:
        seed = int(text)
        if isinstance(text, float) and text != seed:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise error(f"{field}: got {value!r}; allowed: {SEED_ALLOWED}") from None
    if not 0 <= seed <= MAX_SEED:
        raise error(f"{field}: got {value!r}; allowed: {SEED_ALLOWED}")
    return seed


# -- TOML tables --------------------------------------------------------------------------
def suggest(name: str, known: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, if any is close."""
    hits = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return hits[0] if hits else None


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict:
    """Parse a TOML file; a missing, unreadable or malformed file raises `error` in one line
    naming the file."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} {path.name}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise error(f"{what} {path.name}: not valid TOML ({str(err).splitlines()[0]})") from None
    except OSError as err:
        raise error(f"{what} {path.name}: cannot be read ({err.strerror})") from None


def check_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str,
               error: type[Exception]) -> None:
    """Every key of `table` must be allowed; the first that is not raises `error` with a
    did-you-mean hint and the list of allowed keys."""
    allowed = sorted(allowed)
    for key in table:
        if key not in allowed:
            close = suggest(key, allowed)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise error(f"{where}: unknown key {key!r}{hint}; allowed: {', '.join(allowed)}")


# -- one writer per output folder ---------------------------------------------------------
class FolderLock:
    """One writer per output folder: a lock file created with O_EXCL that names its holder.

    `with FolderLock(folder, error, what="sweep"):` holds the lock for the block. The lock file
    (`LOCK_NAME` in the folder) records the holder's pid, host, process start time and when it
    took the lock. A second writer is refused with one line naming the holder. A lock whose
    holder is gone — same host, and no process with that pid and start time — is stale and is
    taken over: it is first renamed aside (an atomic rename, so of two processes taking over
    at once only one succeeds), then created anew with O_EXCL. A lock held from another host
    cannot be checked from here and counts as held.
    """

    LOCK_NAME = ".grassroots-lock"

    def __init__(self, folder: str | Path, error: type[Exception], what: str = "writer"):
        self.folder, self.error, self.what = Path(folder), error, what
        self.path = self.folder / self.LOCK_NAME
        self.held = False

    def holder(self) -> dict | None:
        """The recorded holder, or None when there is no lock (an unreadable lock file is a
        holder we know nothing about)."""
        import json

        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    @staticmethod
    def alive(holder: dict) -> bool:
        """Whether the holder may still be running."""
        import socket

        import psutil

        if not holder or holder.get("host") != socket.gethostname():
            return True  # another host, or nothing readable: assume it is held
        try:
            proc = psutil.Process(int(holder["pid"]))
            return abs(proc.create_time() - float(holder["started"])) < 1.0
        except (psutil.NoSuchProcess, KeyError, ValueError, TypeError):
            return False

    def check(self) -> None:
        """Raise `error` when a live holder has the folder (without taking the lock)."""
        holder = self.holder()
        if holder is not None and self.alive(holder):
            raise self.error(self._refusal(holder))

    def acquire(self) -> None:
        import json
        import socket
        import time

        import psutil

        self.folder.mkdir(parents=True, exist_ok=True)
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": psutil.Process().create_time(), "since": time.time(),
              "what": self.what}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    continue  # released meanwhile: try again
                if self.alive(holder):
                    raise self.error(self._refusal(holder)) from None
                aside = temporary_name(self.path)
                with contextlib.suppress(FileNotFoundError):  # stale: take it over
                    os.replace(self.path, aside)
                    aside.unlink()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(me, f)
                f.flush()
                os.fsync(f.fileno())
            self.held = True
            return
        raise self.error(f"{self.folder}: could not take the {self.what} lock "
                         f"({self.path.name}); allowed: one {self.what} at a time")

    def release(self) -> None:
        if self.held:
            holder = self.holder()
            if holder and holder.get("pid") == os.getpid():
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            self.held = False

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _refusal(self, holder: dict) -> str:
        import time

        if not holder:
            return (f"{self.folder}: locked by another {self.what} ({self.path.name} is "
                    "unreadable); allowed: one writer at a time")
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("since", 0)))
        return (f"{self.folder}: in use by {holder.get('what', 'a writer')} pid "
                f"{holder.get('pid')} on {holder.get('host')} since {since}; allowed: one "
                f"writer at a time (wait for it, or stop it and --resume)")
