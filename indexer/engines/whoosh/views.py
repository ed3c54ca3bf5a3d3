"""Opening Whoosh segments without copying them.

A segment stored as one compound file is memory-mapped, and each of its inner files
(postings, terms, columns, stored fields) is handed out as a BufferFile over a slice of the
map. Whoosh 2.7.5's BufferFile also wraps that slice in a BytesIO, which copies it: opening
a searcher read every byte of the index into memory (0.97 s of CPU for 94 inner files at
10,000 documents, most of the one-shot search time, and the index's size in memory).
Here the slice is wrapped in a file object that reads from it in place.
"""

from __future__ import annotations

import os

from whoosh.filedb.structfile import BufferFile


class ViewFile:
    """A read-only, seekable file object over a buffer, reading it in place."""

    __slots__ = ("_view", "_pos")

    def __init__(self, buf) -> None:
        self._view = memoryview(buf)
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start, end = self._pos, len(self._view)
        if size is not None and size >= 0:
            end = min(end, start + size)
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def peek(self, size: int = 0) -> bytes:
        """Bytes ahead without moving: pickle.load reads a whole pickle in one call with it
        (one per opcode without), and Whoosh reads a pickle at every postings block."""
        return self._view[self._pos : self._pos + max(size, 1)].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        start, end = self._pos, len(self._view)
        if size is not None and size >= 0:
            end = min(end, start + size)
        pos = start
        while pos < end:  # in chunks: a memoryview has no find()
            chunk = self._view[pos : min(end, pos + 4096)].tobytes()
            found = chunk.find(b"\n")
            if found >= 0:
                end = pos + found + 1
                break
            pos += len(chunk)
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def close(self) -> None:
        """Nothing to free: the buffer belongs to the segment's map (its BufferFile keeps it too)."""


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    """BufferFile.__init__ of whoosh-reloaded 2.7.5, reading `buf` in place instead of copying it."""
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


BufferFile.__init__ = _buffer_file_init
