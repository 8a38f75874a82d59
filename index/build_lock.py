"""One build of an index at a time: a second ``index build`` (or the eval syncing the index) while one runs
stops with the pid of the first, instead of deleting the collections that one is writing and both failing
with "the index is damaged (Collection … does not exist)"."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zzbot.commands import Unavailable

if TYPE_CHECKING:
    from zzbot.settings import Settings

log = logging.getLogger(__name__)

LOCK_FILE = "build.lock"  # in the embedded store's folder, beside (never among) the store's own files
_held_locks: dict[Path, list[int]] = {}  # lock file → [descriptor, depth] of the build this process runs
_held_guard = threading.Lock()


class BuildRunning(Unavailable):
    """Another process is building this index."""


def build_lock_path(settings: Settings) -> Path:
    """The file a build locks: in the embedded store's folder, or for a server's collection under var/."""
    chroma = settings.chroma
    if chroma.host:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{chroma.host}-{chroma.port}-{chroma.collection}")
        return settings.var_dir / f"chroma-build-{name}.lock"
    return settings.chroma_path / LOCK_FILE


@contextmanager
def held(path: Path, location: str) -> Iterator[None]:
    """Hold the lock ``path`` for this process, or raise BuildRunning naming the process holding it. The system
    releases it when the process ends, however it ends. Entered again by the same process (a rebuild's sync),
    it is held once."""
    with _held_guard:
        entry = _held_locks.get(path)
        if entry is None:
            entry = _held_locks[path] = [_lock(path, location), 0]
        entry[1] += 1
    try:
        yield
    finally:
        with _held_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _held_locks[path]
                os.close(entry[0])  # releases the lock


def _lock(path: Path, location: str) -> int:
    """The descriptor of ``path`` locked for this process, which it names by its pid."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise Unavailable(f"cannot create the build lock {path} ({err.strerror})") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
        os.close(descriptor)
        raise BuildRunning(f"another build of the index at {location} is running (pid {holder}); "
                           "wait for it to finish, then build again") from None
    except OSError as err:  # a file system without locks: building unguarded beats not building
        log.warning("cannot lock %s (%s); not guarded against a second build", path, err.strerror)
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor
