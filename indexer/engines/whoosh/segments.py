"""Whoosh segments written outside Whoosh's committing writer: one new segment with an id chosen
by the caller, and segments merged into one by streaming their postings.

Whoosh's own writer reads the TOC, takes the index's write lock and commits; these build a
segment's files and hand back the Segment, for the foi writer to record in a TOC of its own
(lanes.py runs them in writer processes of their own).
"""
from __future__ import annotations

import heapq

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3Segment, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

INDEX_NAME = "foi"
TEMP_PREFIX = f"{INDEX_NAME}.tmp"  # Whoosh's own temporary folder, and each builder's beside it


def codec() -> W3Codec:
    # zlib level 1 on posting blocks: a third of commit time at level 3, ~10% larger index
    return W3Codec(compression=1)


class SegmentBuilder(SegmentWriter):
    """One new segment of `schema` in `storage`, named `segid`: add documents (or whole
    segments, see merge_segments), then finish(). No TOC is read or written and no lock is
    taken, so several builders (in several processes) can write beside a live index; their
    sorting runs go to a temporary folder of their own, which Whoosh's writer does not clear."""

    def __init__(self, storage, schema, segid: str, limitmb: int = 64):
        # What SegmentWriter.__init__ sets, minus the TOC and the lock (whoosh-reloaded 2.7.5)
        self.writelock = None
        self.codec = codec()
        self.storage = storage
        self.indexname = INDEX_NAME
        self.generation = None
        self.schema = schema
        self.segments = []
        self.docnum = self.docbase = 0
        self._setup_doc_offsets()
        self._tempstorage = storage.temp_storage(f"{TEMP_PREFIX}-{segid}")
        self.newsegment = W3Segment(self.codec, INDEX_NAME, segid=segid)
        self.compound = self.newsegment.should_assemble()
        self.is_closed = False
        self._added = False
        self.pool = PostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self.perdocwriter = self.codec.per_document_writer(storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(storage, self.newsegment)
        self.merge = True
        self.optimize = False
        self.mergetype = None
        self._searcher = None

    @property
    def segid(self) -> str:
        return self.newsegment.segment_id()

    def _flush_segment(self):
        """Whoosh's, with each posting's field length read from a list instead of a column."""
        self.perdocwriter.close()
        lengths = FieldLengths(self.per_document_reader())
        try:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            lengths.close()

    def finish(self):
        """The finished Segment, or None when nothing was added (its files are then removed)."""
        if not self._added:
            self.abandon()
            return None
        try:
            segment = self._finalize_segment()
        finally:
            self._tempstorage.destroy()
            self.is_closed = True
        return segment

    def abandon(self) -> None:
        """Drop the segment: its files and sorting runs go."""
        if self.is_closed:
            return
        try:
            self._close_segment()
        finally:
            self._tempstorage.destroy()
            self.is_closed = True
            remove_segment_files(self.storage, self.newsegment)


class FieldLengths:
    """The length of each document's field, as a posting writer asks for it: from one list per
    field read at once, not one column lookup per posting (a tenth of Whoosh's commit time)."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._tables: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self._tables.get(fieldname)
        if table is None:
            reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            table = [byte_to_length(b) if b else 0 for b in reader] if reader is not None else []
            self._tables[fieldname] = table
        return table[docnum] if docnum < len(table) else default

    def close(self) -> None:
        self._perdoc.close()


def merge_segments(storage, schema, sources: list, segid: str):
    """One new segment `segid` holding the live documents of `sources`, in their order; None
    when they hold none. Each source's postings are already sorted, so they are merged as
    streams: nothing is held in memory but a block per source (Whoosh's own merge puts every
    posting through its sorting pool)."""
    from whoosh.reading import SegmentReader

    builder = SegmentBuilder(storage, schema, segid)
    readers = []
    try:
        streams = []
        for segment in sources:
            reader = SegmentReader(storage, schema, segment)
            readers.append(reader)
            base = builder.docnum
            names = set(schema.names()) | {n for n in reader.indexed_field_names() if n in schema}
            docmap = builder.write_per_doc(names, reader)
            streams.append(builder._process_posts(reader.iter_postings(), base, docmap))
        if builder.docnum == 0:
            builder.abandon()
            return None
        builder._added = True
        builder.perdocwriter.close()
        lengths = FieldLengths(builder.per_document_reader())
        try:
            builder.fieldwriter.add_postings(schema, lengths, heapq.merge(*streams))
            builder.fieldwriter.close()
        finally:
            lengths.close()
        builder._close_segment()
        builder._assemble_segment()
        builder._tempstorage.destroy()
        builder.is_closed = True
        return builder.get_segment()
    except BaseException:
        builder.abandon()
        raise
    finally:
        for reader in readers:
            reader.close()


def remove_segment_files(storage, segment) -> None:
    """Every file of a segment that no TOC names (a cancelled or superseded one)."""
    prefix = f"{segment.segment_id()}."
    for name in list(storage.list()):
        if name.startswith(prefix):
            try:
                storage.delete_file(name)
            except OSError:
                pass
