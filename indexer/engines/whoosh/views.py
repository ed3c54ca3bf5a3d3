"""Opening Whoosh segments without copying them.

A segment stored as one compound file is memory-mapped, and each of its inner files
(postings, terms, columns, stored fields) is handed out as a BufferFile over a slice of the
map. Whoosh 2.7.5's BufferFile also wraps that slice in a BytesIO, which copies it: opening
a searcher read every byte of the index into memory (0.97 s of CPU for 94 inner files at
10,000 documents, most of the one-shot search time, and the index's size in memory).
Here the slice is wrapped in a file object that reads from it in place, and closing it lets
go of the map, so that closing the segment unmaps it at once (the indexing process opens the
index's every segment at each commit that deletes or replaces documents: a thousand doc-id
lookups in a 50,000-document index touch some 47 MB of the maps).

Opening a segment's term table also read its directory of 256 hash tables an entry at a
time (256 reads per segment, most of the work of opening one); it is read in one piece.
"""

from __future__ import annotations

import os

from whoosh.filedb import filetables
from whoosh.filedb.structfile import BufferFile
from whoosh.system import _INT_SIZE


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
        """Let go of the segment's map: while a view of it is held, closing the segment
        cannot unmap it (mmap refuses with BufferError and Whoosh leaves it to the garbage
        collector, which may not run for many commits)."""
        self._view.release()


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    """BufferFile.__init__ of whoosh-reloaded 2.7.5, reading `buf` in place instead of copying it."""
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _buffer_file_close(self) -> None:
    """StructFile.close, then the BufferFile's own view of the map released (see ViewFile.close)."""
    _struct_file_close(self)
    if isinstance(self._buf, memoryview):
        self._buf.release()


_struct_file_close = BufferFile.close
BufferFile.__init__ = _buffer_file_init
BufferFile.close = _buffer_file_close


def _hash_reader_init(self, dbfile, length=None, magic=b"HSH3", startoffset=0) -> None:
    """HashReader.__init__ of whoosh-reloaded 2.7.5, its directory read in one piece."""
    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints of unused header space
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    # the extras end the file (their length is its last int); the directory is just before them
    exptr = startoffset + length - _INT_SIZE
    expos = exptr - dbfile.get_int(exptr)
    dbfile.seek(expos)
    self._read_extras()
    dbfile.seek(expos - filetables._directory_size)
    directory = dbfile.read(filetables._directory_size)
    if len(directory) != filetables._directory_size:
        raise filetables.FileFormatError("truncated hash directory")
    # (position, number of slots) of each of the 256 hash tables
    self.tables = list(filetables._dir_entry.iter_unpack(directory))
    self.endofdata = self.tables[0][0]


_whoosh_hash_reader_init = filetables.HashReader.__init__
filetables.HashReader.__init__ = _hash_reader_init
