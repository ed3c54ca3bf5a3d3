"""Whoosh segments written outside Whoosh's committing writer: one new segment with an id chosen
by the caller, and segments merged into one by streaming their postings.

Whoosh's own writer reads the TOC, takes the index's write lock and commits; these build a
segment's files and hand back the Segment, for the foi writer to record in a TOC of its own
(lanes.py runs them in writer processes of their own).
"""
from __future__ import annotations

import heapq
import io
import pickle
import struct
import zlib
from array import array
from pickle import dumps, loads

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PostingsWriter,
    W3Segment,
    _lenfield,
)
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import delta_decode, delta_encode
from whoosh.writing import SegmentWriter

INDEX_NAME = "foi"
TEMP_PREFIX = f"{INDEX_NAME}.tmp"  # Whoosh's temporary folder
COMPRESSION = 1  # zlib level of posting blocks: a third of commit time at level 3, ~10% larger index
COMPRESS_FROM = 64  # bytes: a smaller block is stored as it is (zlib costs more than it saves)
INLINE_LIMIT = 4  # a term with fewer postings keeps them in its entry of the term index


def codec() -> W3Codec:
    """The codec the index's segments are recorded with (what readers use)."""
    return W3Codec(compression=COMPRESSION)


class FastPostingsWriter(W3PostingsWriter):
    """Whoosh 3's postings writer, in Whoosh 3's format, with less Python per term and posting.

    Most terms of a segment have a posting or two (a generated response adds about 50 terms
    no other document of its segment has), so the cost per term is what counts: a term with
    fewer than INLINE_LIMIT postings keeps them in its term-index entry (Whoosh 3's inlined
    postings, which its reader supports but whoosh-reloaded 2.7.5's writer cannot write: it
    calls a method that does not exist, so Whoosh never inlines), and a small block is not
    compressed (each block records whether it is; zlib's set-up costs more than it saves).
    No type checks per posting."""

    def add_posting(self, id_, weight, vbytes, length=None):
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self):
        terminfo = self._terminfo
        if not self._blockcount and len(self._ids) < self._inlinelimit:
            terminfo.add_block(self)
            # values None: a format without values (Whoosh's ListMatcher reads () as no items)
            terminfo._inlined = (tuple(self._ids), tuple(self._weights), tuple(self._values) or None)
        else:
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 2)
        comp = self._compression if len(databytes) >= COMPRESS_FROM else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                           length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class WritingCodec(W3Codec):
    """The codec segments are written with: Whoosh 3's, with the faster postings writer."""

    def postings_writer(self, dbfile, byteids=False):
        return FastPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=self._compression, inlinelimit=self._inlinelimit)


class TermPool:
    """A new segment's postings grouped by term as documents are added (documents come in
    order, so each term's postings are in order): at the flush only the terms are sorted, not
    every posting (Whoosh's pool sorts all of them). Held in memory: a lane holds the documents
    of one commit at most."""

    def __init__(self):
        self.fieldnames: set[str] = set()
        self.terms: dict[tuple[str, bytes], list] = {}

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        postings = self.terms.get((fieldname, tbytes))
        if postings is None:
            self.terms[(fieldname, tbytes)] = [(docnum, weight, vbytes)]
            self.fieldnames.add(fieldname)
        else:
            postings.append((docnum, weight, vbytes))

    def sorted_terms(self):
        terms = self.terms
        return ((key, terms[key]) for key in sorted(terms))

    def cleanup(self) -> None:
        self.terms = {}


_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part
_KEY_VALUE = struct.Struct("!ii")  # a hash file record's key and value lengths
_INT = struct.Struct("!i")
_BLOCK_LIMIT = 128  # postings per block (W3Codec's default)


def write_terms(fieldwriter, schema, lengths: "FieldLengths", terms) -> None:
    """Postings grouped by term, terms in order, written to a W3FieldWriter's files: the bytes
    Whoosh writes with FastPostingsWriter (terms with fewer than INLINE_LIMIT postings
    inlined), in one loop without Whoosh's objects per term and per posting. Writing a
    segment is mostly this loop, and most of it is per term (a segment of 300 responses has
    29,000 terms for 223,000 postings), so it keeps positions itself instead of asking the
    files, and packs each term's entry directly."""
    tindex = fieldwriter._tindex
    tfile, pfile = tindex.dbfile, fieldwriter._postfile
    twrite, pwrite = tfile.write, pfile.write
    tpos, ppos = tfile.tell(), pfile.tell()
    buckets, hashfn, positions = tindex.buckets, tindex.hashfn, tindex.index
    fieldmap = fieldwriter._fieldmap
    lastkey, lastfield = tindex.lastkey, None
    prefix, table, size, fixedsize = b"", [], 0, None
    for (fieldname, btext), postings in terms:
        if fieldname != lastfield:
            if fieldname not in fieldmap:
                fieldmap[fieldname] = len(fieldmap)
            prefix = pack_ushort(fieldmap[fieldname])
            table = lengths.table(fieldname)
            size = len(table)
            fixedsize = schema[fieldname].format.fixed_value_size()
            lastfield = fieldname
        count = len(postings)
        if count < INLINE_LIMIT:
            ids = tuple(p[0] for p in postings)
            raw = [p[1] for p in postings]
            weights = array("f", raw)
            values = tuple(v for _, _, v in postings if v)
            found = [table[d] for d in ids if d < size]
            found = [n for n in found if n]
            value = _TERMINFO.pack(1, sum(weights), count, length_to_byte(min(found)) if found else 0,
                                   length_to_byte(max(found, default=0)), max(0, *raw), ids[0], ids[-1])
            value += dumps((ids, tuple(weights), values or None), 2)
        else:
            start = ppos
            pwrite(WHOOSH3_HEADER_MAGIC)
            ppos += 4
            total, minlength, maxlength, maxweight = 0.0, None, 0, 0
            for first in range(0, count, _BLOCK_LIMIT):
                block = postings[first: first + _BLOCK_LIMIT]
                ids = [p[0] for p in block]
                raw = [p[1] for p in block]
                weights = array("f", raw)
                found = [table[d] for d in ids if d < size]
                found = [n for n in found if n]
                bmin = min(found) if found else None
                bmax = max(found, default=0)
                bweight = max(0, *raw)
                total += sum(weights)
                if bmin is not None:
                    minlength = bmin if minlength is None else min(minlength, bmin)
                maxlength, maxweight = max(maxlength, bmax), max(maxweight, bweight)
                if fixedsize is None or fixedsize < 0:
                    values = tuple(v for _, _, v in block if v)
                elif fixedsize == 0:
                    values = None
                else:
                    values = b"".join(v for _, _, v in block if v)
                if all(w == 1.0 for w in weights):
                    mini = None
                elif all(w == weights[0] for w in weights):
                    mini = weights[0]
                else:
                    mini = tuple(weights)
                data = dumps((tuple(delta_encode(ids)), mini, values), 2)
                comp = COMPRESSION if len(data) >= COMPRESS_FROM else 0
                if comp:
                    data = zlib.compress(data, comp)
                info = dumps((len(ids), ids[-1], bweight, comp, length_to_byte(bmin), length_to_byte(bmax)), 2)
                length = len(info) + len(data)
                pwrite(pack_int(-length if first + _BLOCK_LIMIT >= count else length))
                pwrite(info)
                pwrite(data)
                ppos += 4 + length
            value = _TERMINFO.pack(0, total, count, 0 if minlength is None else length_to_byte(minlength),
                                   length_to_byte(maxlength), maxweight, postings[0][0], postings[-1][0])
            value += pack_long(start) + pack_int(ppos - start)
        key = prefix + btext
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        positions.append(tpos)
        record = _KEY_VALUE.pack(len(key), len(value)) + key + value
        twrite(record)
        hashed = hashfn(key)
        buckets[hashed & 255].append((hashed, tpos))
        tpos += len(record)
        lastkey = key
    tindex.lastkey = lastkey


class SegmentBuilder(SegmentWriter):
    """One new segment of `schema` in `storage`, named `segid`: add documents (or whole
    segments, see merge_segments), then finish(). No TOC is read or written and no lock is
    taken, so several builders (in several processes) can write beside a live index. Postings
    wait in a TermPool (memory) until finish()."""

    def __init__(self, storage, schema, segid: str):
        # What SegmentWriter.__init__ sets, minus the TOC and the lock (whoosh-reloaded 2.7.5)
        self.writelock = None
        self.codec = WritingCodec(compression=COMPRESSION, inlinelimit=INLINE_LIMIT)
        self.storage = storage
        self.indexname = INDEX_NAME
        self.generation = None
        self.schema = schema
        self.segments = []
        self.docnum = self.docbase = 0
        self._setup_doc_offsets()
        self._tempstorage = None  # the term pool never spills to disk
        self.newsegment = W3Segment(self.codec, INDEX_NAME, segid=segid)
        self.compound = self.newsegment.should_assemble()
        self.is_closed = False
        self._added = False
        self.pool = TermPool()
        self.perdocwriter = self.codec.per_document_writer(storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(storage, self.newsegment)
        self.merge = True
        self.optimize = False
        self.mergetype = None
        self._searcher = None

    @property
    def segid(self) -> str:
        return self.newsegment.segment_id()

    def add_document(self, **fields):
        """Whoosh's SegmentWriter.add_document, each posting put straight into the term pool
        (about 750 postings a response: the call and tuple per posting were half the cost)."""
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        terms, pool = self.pool.terms, self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        posting = (docnum, weight * boost, vbytes)
                        postings = terms.get((fieldname, tbytes))
                        if postings is None:
                            terms[(fieldname, tbytes)] = [posting]
                        else:
                            postings.append(posting)
                    pool.fieldnames.add(fieldname)
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname!r}: spelling and vectors are not written by this writer")
                stored = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        """Whoosh's, from the term pool, with each posting's field length from a list."""
        self.perdocwriter.close()
        lengths = FieldLengths(self.per_document_reader())
        try:
            write_terms(self.fieldwriter, self.schema, lengths, self.pool.sorted_terms())
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
            self.is_closed = True
        segment._codec = codec()  # recorded in the TOC: readers need only Whoosh's own
        return segment

    def abandon(self) -> None:
        """Drop the segment and its files."""
        if self.is_closed:
            return
        try:
            self._close_segment()
        finally:
            self.is_closed = True
            remove_segment_files(self.storage, self.newsegment)


class FieldLengths:
    """The length of each document's field, as a posting writer asks for it: from one list per
    field read at once, not one column lookup per posting (a tenth of Whoosh's commit time)."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._tables: dict[str, list[int]] = {}

    def table(self, fieldname: str) -> list[int]:
        table = self._tables.get(fieldname)
        if table is None:
            reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            table = [byte_to_length(b) if b else 0 for b in reader] if reader is not None else []
            self._tables[fieldname] = table
        return table

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self.table(fieldname)
        return table[docnum] if docnum < len(table) else default

    def close(self) -> None:
        self._perdoc.close()


def merge_segments(storage, schema, sources: list, segid: str):
    """One new segment `segid` holding the live documents of `sources`, in their order; None
    when they hold none. Each source's terms come in order with their postings in order, so
    the sources are merged term by term, reading whole blocks: nothing is held in memory but
    one term's postings (Whoosh's own merge puts every posting through its sorting pool)."""
    from whoosh.reading import SegmentReader

    builder = SegmentBuilder(storage, schema, segid)
    readers = []
    try:
        maps = []
        for segment in sources:
            reader = SegmentReader(storage, schema, segment)
            readers.append(reader)
            base = builder.docnum
            names = set(schema.names()) | {n for n in reader.indexed_field_names() if n in schema}
            maps.append((base, builder.write_per_doc(names, reader)))  # docmap: None without deletions
        if builder.docnum == 0:
            builder.abandon()
            return None
        builder._added = True
        builder.perdocwriter.close()
        lengths = FieldLengths(builder.per_document_reader())
        try:
            streams = [_terms_of(reader, number, schema) for number, reader in enumerate(readers)]
            merged = _merged_terms(heapq.merge(*streams), readers, maps, schema)
            write_terms(builder.fieldwriter, schema, lengths, merged)
            builder.fieldwriter.close()
        finally:
            lengths.close()
        builder._close_segment()
        builder._assemble_segment()
        builder.is_closed = True
        segment = builder.get_segment()
        segment._codec = codec()
        return segment
    except BaseException:
        builder.abandon()
        raise
    finally:
        for reader in readers:
            reader.close()


def _terms_of(reader, number: int, schema):
    """(term, source number, term entry bytes) of a segment, in term order, read straight
    from its term index (no TermInfo object per term)."""
    tindex = reader._terms._tindex
    names = reader._terms._fieldunmap
    known = [name in schema for name in names]
    for keybytes, valbytes in tindex.items():
        fieldid = (keybytes[0] << 8) | keybytes[1]
        if known[fieldid]:
            yield (names[fieldid], keybytes[2:]), number, valbytes


def _merged_terms(entries, readers, maps, schema):
    """(term, postings renumbered) for each term of the merged sources, in order."""
    current, postings = None, []
    formats: dict[str, int | None] = {}
    for term, number, entry in entries:
        if term != current:
            if postings:
                yield current, postings
            current, postings = term, []
        fixedsize = formats.get(term[0], -1)
        if fixedsize == -1:
            fixedsize = formats[term[0]] = schema[term[0]].format.fixed_value_size()
        base, docmap = maps[number]
        found = _postings(readers[number], entry, fixedsize)
        if docmap is None:
            postings.extend((docnum + base, weight, value) for docnum, weight, value in found)
        else:  # a source with deletions: its live documents only
            postings.extend((docmap[docnum], weight, value) for docnum, weight, value in found if docnum in docmap)
    if postings:
        yield current, postings


_ENTRY_SIZE = _TERMINFO.size
_POINTER = struct.Struct("!qi")  # a term entry's postings: offset and length in the postings file


def _postings(reader, entry: bytes, fixedsize):
    """(docnum, weight, value) of one term entry of a segment, a block at a time: what
    Whoosh's W3LeafMatcher reads, without a matcher."""
    if entry[0]:  # inlined
        ids, weights, values = loads(entry[_ENTRY_SIZE:])
        return zip(ids, weights, values or (None,) * len(ids))
    offset, length = _POINTER.unpack_from(entry, _ENTRY_SIZE)
    postfile = reader._terms._postfile
    data = postfile.get(offset, length)
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"postings of a term at {offset}: no block header")
    found, position = [], 4
    while position < length:
        size = _INT.unpack_from(data, position)[0]
        block = io.BytesIO(data[position + 4: position + 4 + abs(size)])
        count, _, _, compression, _, _ = pickle.load(block)
        raw = block.read()
        ids, weights, values = loads(zlib.decompress(raw) if compression else raw)
        ids = tuple(delta_decode(ids))
        if weights is None:
            weights = (1.0,) * count
        elif isinstance(weights, float):
            weights = (weights,) * count
        if fixedsize is None or fixedsize < 0:
            pass
        elif fixedsize == 0:
            values = (None,) * count
        else:
            values = tuple(values[i: i + fixedsize] for i in range(0, len(values), fixedsize))
        found.extend(zip(ids, weights, values))
        position += 4 + abs(size)
        if size < 0:
            break
    return found


def remove_segment_files(storage, segment) -> None:
    """Every file of a segment that no TOC names (a cancelled or superseded one)."""
    prefix = f"{segment.segment_id()}."
    for name in list(storage.list()):
        if name.startswith(prefix):
            try:
                storage.delete_file(name)
            except OSError:
                pass
