"""One writer at a time: an OS-level lock (released by the kernel if the writer is killed)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from indexer.storage import IndexWriteError

LOCK_NAME = "foi-writer.lock"


class IndexBusy(Exception):
    def __init__(self, pid: int | None):
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"index is being updated by another process{who}; try again when it has finished")
        self.pid = pid


class WriterLock:
    """flock on index/foi-writer.lock. A killed writer's lock vanishes with its process,
    so a stale lock file never blocks: only a live holder does."""

    def __init__(self, index_dir: Path, wait: float = 5.0):
        self.path = Path(index_dir) / LOCK_NAME
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        """Raises IndexBusy, or storage.IndexWriteError when the folder cannot be written
        (read-only, not ours): that is the first write of every run."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexWriteError.from_os(self.path.parent, exc) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    pid = _read_pid(fd)
                    os.close(fd)
                    raise IndexBusy(pid) from None
                time.sleep(0.1)
        self._fd = fd
        try:  # the pid only names the holder in a busy message: a full disk must not stop the run
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            os.fsync(fd)
        except OSError:
            pass

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None
