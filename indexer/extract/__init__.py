"""Extraction: a file's bytes to an ExtractedDocument, by the format its content shows.

The formats and the manager that picks one live in indexer.extract.registry; each format
is one module of this package.
"""

from __future__ import annotations

from pathlib import Path

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.registry import extract_bytes
from indexer.models import ExtractedDocument

__all__ = ["ExtractionError", "ExtractOptions", "extract_file", "extract_bytes"]


def extract_file(path: Path, options: ExtractOptions = ExtractOptions()) -> tuple[ExtractedDocument, str]:
    """Read and extract one file; returns the document and the sha256 of its bytes."""
    import hashlib

    data = read_regular_file(path, options.max_bytes)
    return extract_bytes(data, path.name, options), hashlib.sha256(data).hexdigest()


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, else ExtractionError.

    Opened without blocking and checked after opening, so a file swapped for a FIFO or a
    device between discovery and now is reported instead of hanging the worker."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ExtractionError("unreadable", exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ExtractionError("unreadable", "not a regular file")
        if st.st_size > max_bytes:
            raise ExtractionError("too_large", f"{st.st_size:,} bytes is over the {max_bytes:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)  # a file still growing stops at the limit
    except OSError as exc:
        raise ExtractionError("unreadable", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ExtractionError("too_large", f"over the {max_bytes:,}-byte limit (the file grew while read)")
    return data
