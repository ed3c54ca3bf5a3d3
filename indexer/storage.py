"""The index folder as storage: what a failed write means (a full disk, a read-only folder),
what a failed or interrupted run leaves behind, and the file-system steps an atomic swap needs.

Engine-free: the engines raise IndexWriteError through it, the pipeline turns it into one line.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

# Below this much free space an engine's write error with no errno of its own (tantivy's
# writer threads report "an index writer was killed") is taken for a full disk.
LOW_SPACE = 64 * 1024 * 1024
FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


class IndexWriteError(Exception):
    """The index could not be written (exit 1). `errno` when the cause is known."""

    def __init__(self, index_dir: Path | str, detail: str, errno_: int | None = None):
        self.index_dir = Path(index_dir)
        self.detail = " ".join(str(detail).split())[:200]
        self.errno = errno_
        self.kept: str = "nothing was changed"  # the pipeline says more once it has written
        super().__init__(self.detail)

    @classmethod
    def from_os(cls, index_dir: Path | str, exc: OSError) -> "IndexWriteError":
        where = f": {exc.filename}" if exc.filename else ""
        return cls(index_dir, f"{exc.strerror or exc}{where}", exc.errno)

    def full(self) -> bool:
        if self.errno is not None:
            return self.errno in FULL
        return free_bytes(self.index_dir) < LOW_SPACE

    def read_only(self) -> bool:
        return self.errno in READ_ONLY

    def __str__(self) -> str:
        where = self.index_dir
        if self.full():
            return (
                f"no space left on the disk of {where} ({human_bytes(free_bytes(where))} free): {self.kept}; "
                "free some space and run `foi index` again"
            )
        if self.read_only():
            return f"cannot write to the index folder {where} ({self.detail}): {self.kept}"
        return f"cannot write the index in {where} ({self.detail}): {self.kept}"


def write_error(index_dir: Path | str, exc: BaseException) -> IndexWriteError | None:
    """`exc` as an IndexWriteError when it is one (or an OSError of the file system), else None."""
    if isinstance(exc, IndexWriteError):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        return IndexWriteError.from_os(index_dir, exc)
    return None


def free_bytes(path: Path | str) -> int:
    """Free space for this user on the disk holding `path` (or its nearest existing parent)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return st.f_bavail * st.f_frsize


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def remove(path: Path) -> int:
    """Remove a file or a folder; the bytes freed (0 when it was not there)."""
    try:
        if path.is_dir() and not path.is_symlink():
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
            import shutil  # rarely needed: not imported with the module (every search imports it)

            shutil.rmtree(path, ignore_errors=True)
            return size
        size = path.lstat().st_size
        path.unlink()
        return size
    except OSError:
        return 0


def exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so that anyone opening
    `b` sees the old folder or the new one, never neither. Where the kernel or the file system
    cannot, `b` is moved aside and `a` renamed in (a gap of two renames)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(b))
    aside = b.with_name(b.name + ".old")
    remove(aside)
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
