"""Whoosh segments written outside Whoosh's committing writer: one new segment with an id chosen
by the caller, and segments merged into one by streaming their postings.

Whoosh's own writer reads the TOC, takes the index's write lock and commits; these build a
segment's files and hand back the Segment, for the foi writer to record in a TOC of its own
(lanes.py runs them in writer processes of their own).
"""

from __future__ import annotations

import io
from functools import partial
from hashlib import md5
from itertools import accumulate
from operator import sub
import pickle
import struct
import zlib
from array import array
from pickle import dumps, loads

from whoosh.filedb.filetables import md5_hash
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PostingsWriter,
    W3Segment,
    _lenfield,
)
from whoosh.columns import VarBytesColumn
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.engines.whoosh.schema import INDEX_NAME, TEMP_PREFIX  # noqa: F401 - TEMP_PREFIX for importers

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
        infobytes = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                comp,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
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
        return FastPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class TermPool:
    """A new segment's postings grouped by term as documents are added (documents come in
    order, so each term's postings are in order): at the flush only the terms are sorted, not
    every posting (Whoosh's pool sorts all of them). Held in memory: a lane holds the documents
    of one commit at most."""

    def __init__(self):
        # field name -> term bytes -> [(docnum, weight, value)]: a dictionary per field, so
        # that a posting costs no (field, term) key
        self.fields: dict[str, dict[bytes, list]] = {}

    @property
    def fieldnames(self) -> set[str]:
        return {name for name, terms in self.fields.items() if terms}

    def terms_of(self, fieldname: str) -> dict[bytes, list]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.terms_of(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = [(docnum, weight, vbytes)]
        else:
            postings.append((docnum, weight, vbytes))

    def sorted_terms(self):
        """((field, term), [(docnum, weight, value)...]) in term order (fields by name, then
        terms), the postings in document order: the list as held (write_terms reads it)."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield (fieldname, tbytes), terms[tbytes]

    def cleanup(self) -> None:
        self.fields = {}


_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part
_KEY_VALUE = struct.Struct("!ii")  # a hash file record's key and value lengths
_INT = struct.Struct("!i")
_F32 = struct.Struct("f")  # a weight as Whoosh stores it (a C float)
_BLOCK_LIMIT = 128  # postings per block (W3Codec's default)


# A term of one posting (most terms) keeps it inlined as dumps(((docnum,), (weight,),
# (value,) or None), 2). Pickling a value costs 6 us in protocol 2 (bytes go through
# _codecs.encode): the pickle is put together from its three parts instead, each the bytes
# pickle writes for it. They do not depend on each other: the two tuples before the value
# are always memo entries 0 and 1, whatever they hold. one_posting_pickle is the reference.
_BINFLOAT = b"G"
_WEIGHT_PART = struct.Struct(">cd3s")  # BINFLOAT, the weight as a C double, TUPLE1 and its memo put
_WEIGHT_END = b"\x85q\x01"
_NO_VALUE_PART = b"N\x87q\x02."  # None, TUPLE3 and its memo put, STOP
_VALUE_PARTS: dict[bytes, bytes] = {}
_VALUE_PARTS_MAX = 65_536  # distinct values kept (most are a single position's, few)


def one_posting_pickle(docnum: int, weight: float, vbytes) -> bytes:
    """What write_terms stores after a one-posting term's fixed entry: the posting pickled."""
    return dumps(((docnum,), (weight,), (vbytes,) if vbytes else None), 2)


def _docnum_part(docnum: int) -> bytes:
    """The pickle's opening and its first tuple, (docnum,)."""
    return dumps((docnum,), 2)[:-1]  # without STOP


_VALUE_START = len(one_posting_pickle(0, 0.0, None)) - len(_NO_VALUE_PART)


def _value_part(vbytes) -> bytes:
    """The pickle's end from its third tuple, (vbytes,), on."""
    part = _VALUE_PARTS.get(vbytes) if vbytes.__class__ is bytes else None
    if part is None:
        part = one_posting_pickle(0, 0.0, vbytes)[_VALUE_START:]
        if vbytes.__class__ is bytes and len(_VALUE_PARTS) < _VALUE_PARTS_MAX:
            _VALUE_PARTS[vbytes] = part
    return part


def write_terms(fieldwriter, schema, lengths: "FieldLengths", terms, compression: int = COMPRESSION) -> None:
    """Postings grouped by term as (term, (docnums, weights, values)), terms in order, written
    to a W3FieldWriter's files (a term's postings may also come as its inlined entry's bytes,
    made already: written as they are): the bytes
    Whoosh writes with FastPostingsWriter (terms with fewer than INLINE_LIMIT postings
    inlined), in one loop without Whoosh's objects per term and per posting.

    Writing a segment is mostly this loop, and mostly per term: a segment of 100 generated
    responses has about 150 terms a response (half of them in no other response of the
    segment) for 740 postings. So the loop keeps file positions itself, packs each term's
    entry directly (a term of one posting, the most common, on a path of its own), hashes
    keys as Whoosh does (the low 32 bits of their MD5) and writes in batches."""
    tindex = fieldwriter._tindex
    if tindex.hashfn is not md5_hash:
        raise ValueError("write_terms writes MD5-hashed term indexes only")
    tfile, pfile = tindex.dbfile, fieldwriter._postfile
    tpos, ppos = tfile.tell(), pfile.tell()
    tout: list[bytes] = []
    pout: list[bytes] = []
    buckets, positions = _compact_buckets(tindex), tindex.index
    fieldmap = fieldwriter._fieldmap
    lastkey, lastfield = tindex.lastkey, None
    prefix, table, size, fixedsize = b"", [], 0, None
    lbyte: dict[int, int] = {}  # field length -> its byte (Whoosh's lengths are a byte each)
    pack_entry, pack_record, f32 = _TERMINFO.pack, _KEY_VALUE.pack, _F32
    pack_weight = _WEIGHT_PART.pack
    heads: dict[int, bytes] = {}  # docnum -> its part of a one-posting entry's pickle
    for (fieldname, btext), postings in terms:
        if fieldname != lastfield:
            if fieldname not in fieldmap:
                fieldmap[fieldname] = len(fieldmap)
            prefix = pack_ushort(fieldmap[fieldname])
            table = lengths.table(fieldname)
            size = len(table)
            fixedsize = schema[fieldname].format.fixed_value_size()
            lastfield = fieldname
        if postings.__class__ is bytes:  # an inlined entry made already (see _merged_terms)
            value = postings
        else:
            if postings.__class__ is list:  # a new segment's, as TermPool holds them: rows
                count = len(postings)
                if count == 1:
                    docnum, weight, vbytes = postings[0]
                else:
                    allids, allweights, allvalues = zip(*postings)
            else:  # a merge's: columns
                allids, allweights, allvalues = postings
                count = len(allids)
                if count == 1:
                    docnum, weight, vbytes = allids[0], allweights[0], allvalues[0]
            if count == 1:
                weight32 = f32.unpack(f32.pack(weight))[0]
                length = table[docnum] if docnum < size else 0
                byte = lbyte.get(length)
                if byte is None:
                    byte = lbyte[length] = length_to_byte(length) if length else 0
                head = heads.get(docnum)
                if head is None:
                    head = heads[docnum] = _docnum_part(docnum)
                value = (
                    pack_entry(1, weight32, 1, byte, byte, weight if weight > 0 else 0, docnum, docnum)
                    + head
                    + pack_weight(_BINFLOAT, weight32, _WEIGHT_END)
                    + (_value_part(vbytes) if vbytes else _NO_VALUE_PART)
                )
            elif count < INLINE_LIMIT:
                ids = tuple(allids)
                weights = array("f", allweights)
                values = tuple(filter(None, allvalues))
                found = [n for n in (table[d] if d < size else 0 for d in ids) if n]
                value = pack_entry(
                    1,
                    sum(weights),
                    count,
                    length_to_byte(min(found)) if found else 0,
                    length_to_byte(max(found, default=0)),
                    max(0, *allweights),
                    ids[0],
                    ids[-1],
                )
                value += dumps((ids, tuple(weights), values or None), 2)
            else:
                start = ppos
                pout.append(WHOOSH3_HEADER_MAGIC)
                ppos += 4
                total, minlength, maxlength, maxweight = 0.0, None, 0, 0
                for first in range(0, count, _BLOCK_LIMIT):
                    # columns of the block; per posting work is done in C (map, filter, array)
                    last = first + _BLOCK_LIMIT
                    ids, raw, vals = tuple(allids[first:last]), allweights[first:last], allvalues[first:last]
                    weights = array("f", raw)
                    found = (
                        list(filter(None, map(table.__getitem__, ids)))
                        if ids[-1] < size
                        else [n for n in (table[d] if d < size else 0 for d in ids) if n]
                    )
                    bmin = min(found) if found else None
                    bmax = max(found, default=0)
                    bweight = max(raw)
                    if bweight <= 0:
                        bweight = 0
                    total += sum(weights)
                    if bmin is not None:
                        minlength = bmin if minlength is None else min(minlength, bmin)
                    maxlength, maxweight = max(maxlength, bmax), max(maxweight, bweight)
                    if fixedsize is None or fixedsize < 0:
                        values = tuple(filter(None, vals))
                    elif fixedsize == 0:
                        values = None
                    else:
                        values = b"".join(filter(None, vals))
                    if weights.count(1.0) == len(weights):
                        mini = None
                    elif weights.count(weights[0]) == len(weights):
                        mini = weights[0]
                    else:
                        mini = tuple(weights)
                    deltas = tuple(map(sub, ids, (0, *ids[:-1])))
                    data = dumps((deltas, mini, values), 2)
                    comp = compression if len(data) >= COMPRESS_FROM else 0
                    if comp:
                        data = zlib.compress(data, comp)
                    info = dumps((len(ids), ids[-1], bweight, comp, length_to_byte(bmin), length_to_byte(bmax)), 2)
                    length = len(info) + len(data)
                    pout.append(pack_int(-length if last >= count else length) + info + data)
                    ppos += 4 + length
                value = pack_entry(
                    0,
                    total,
                    count,
                    0 if minlength is None else length_to_byte(minlength),
                    length_to_byte(maxlength),
                    maxweight,
                    allids[0],
                    allids[-1],
                )
                value += pack_long(start) + pack_int(ppos - start)
        key = prefix + btext
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        positions.append(tpos)
        record = pack_record(len(key), len(value)) + key + value
        tout.append(record)
        hashed = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        hashes, places = buckets[hashed & 255]
        hashes.append(hashed)
        places.append(tpos)
        tpos += len(record)
        lastkey = key
        if len(tout) >= 4096:
            tfile.write(b"".join(tout))
            tout.clear()
            if pout:
                pfile.write(b"".join(pout))
                pout.clear()
    tfile.write(b"".join(tout))
    pfile.write(b"".join(pout))
    tindex.lastkey = lastkey
    tindex._write_hashes = partial(_write_hashes, tindex)


_POINTER_ENTRY = struct.Struct("!Iq")  # a hash table slot: hash value, record position


def _compact_buckets(tindex) -> list:
    """The term index's 256 hash buckets as (hashes, positions) arrays: Whoosh keeps a tuple
    of two ints per term (about 130 bytes; the largest structure of a big merge), these 12."""
    buckets = tindex.buckets
    if buckets and isinstance(buckets[0], tuple):
        return buckets
    if any(buckets):
        raise ValueError("write_terms writes a term index's every key")
    tindex.buckets = [(array("I"), array("q")) for _ in range(256)]
    return tindex.buckets


def _write_hashes(writer) -> None:
    """HashWriter._write_hashes (the 256 hash tables of a term index, two slots a key,
    linear probing), each table written at once instead of slot by slot."""
    dbfile = writer.dbfile
    pack = _POINTER_ENTRY.pack
    for hashes, places in writer.buckets:
        writer.directory.append((dbfile.tell(), 2 * len(hashes)))
        slots = 2 * len(hashes)
        table = [(0, 0)] * slots
        for hashval, position in zip(hashes, places):
            slot = (hashval >> 8) % slots
            while table[slot] != (0, 0):
                slot = (slot + 1) % slots
            table[slot] = (hashval, position)
        dbfile.write(b"".join(pack(h, p) for h, p in table))


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
        pool = self.pool
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
                    terms = pool.terms_of(fieldname)
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        posting = (docnum, weight * boost, vbytes)
                        postings = terms.get(tbytes)
                        if postings is None:
                            terms[tbytes] = [posting]
                        else:
                            postings.append(posting)
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
    the sources are merged field by field, term by term: nothing is held in memory but the
    term entries of one field (Whoosh's own merge puts every posting through its sorting
    pool)."""
    from whoosh.reading import SegmentReader

    builder = SegmentBuilder(storage, schema, segid)
    readers = []
    try:
        maps = []
        for segment in sources:
            reader = SegmentReader(storage, schema, segment)
            readers.append(reader)
            base = builder.docnum
            maps.append((base, _copy_per_doc(builder, reader)))  # docmap: None without deletions
        if builder.docnum == 0:
            builder.abandon()
            return None
        builder._added = True
        builder.perdocwriter.close()
        lengths = FieldLengths(builder.per_document_reader())
        try:
            write_terms(builder.fieldwriter, schema, lengths, _merged_terms(readers, maps, schema))
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


def _copy_per_doc(builder: SegmentBuilder, reader) -> dict | None:
    """Whoosh's SegmentWriter.write_per_doc, a column at a time: the live documents' stored
    fields, field lengths and column values appended to the builder's, stored fields as the
    bytes they are stored as (pickled, compressed), not unpickled and compressed again; the
    old document numbers mapped to the new ones, None when the source has no deletions (they
    then follow each other from the builder's count).

    Whoosh's does it a document at a time, field by field, through the stored-fields dict:
    a fifth of a merge's time."""
    schema, perdoc, pdw = builder.schema, reader._perdoc, builder.perdocwriter
    total, base = perdoc.doc_count_all(), builder.docnum
    live = [d for d in range(total) if not perdoc.is_deleted(d)] if perdoc.has_deletions() else range(total)
    docmap = {old: base + i for i, old in enumerate(live)} if perdoc.has_deletions() else None
    columns = []  # (column name, column type, values of the live documents)
    if perdoc.has_column("_stored"):
        stored = perdoc.column_reader("_stored", STORED_COLUMN)._child  # the compressed bytes
        columns.append(("_stored", STORED_COLUMN, [_raw_bytes(stored, d) for d in live], True))
    fieldlengths = pdw._fieldlengths
    for fieldname in sorted(schema.names()):
        field = schema[fieldname]
        if field.vector:
            raise ValueError(f"field {fieldname!r}: vectors are not merged by this writer")
        lengths = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if lengths is not None:
            found = [lengths[d] for d in live]
            if docmap is None:  # the source's own total, exact
                fieldlengths[fieldname] += reader.segment()._fieldlengths.get(fieldname, 0)
            else:  # the live documents' lengths, as stored (a byte each: approximate)
                fieldlengths[fieldname] += sum(map(byte_to_length, filter(None, found)))
            columns.append((_lenfield(fieldname), LENGTHS_COLUMN, found, True))
        if field.column_type and perdoc.has_column(fieldname):
            values = perdoc.column_reader(fieldname, field.column_type)
            columns.append((fieldname, field.column_type, [values[d] for d in live], False))
    for name, column, values, skip_empty in columns:
        if not pdw._has_column(name):
            pdw._create_column(name, column)
        writer = pdw._get_column(name)
        add = VarBytesColumn.Writer.add.__get__(writer._child) if name == "_stored" else writer.add
        for docnum, value in enumerate(values, base):
            if value or not skip_empty:
                add(docnum, value)
    added = len(live)
    pdw._doccount += added
    builder.docnum += added
    return docmap


def _raw_bytes(column, docnum: int) -> bytes:
    """A value of a CompressedBytesColumn as stored (compressed)."""
    return VarBytesColumn.Reader.__getitem__(column, docnum)


def _field_entries(reader, number: int, fieldname: str) -> list:
    """One field's term entries of a segment: [(term bytes, source number, entry bytes)] in
    term order, parsed from the term index's records in one pass (no TermInfo object, no read
    call per term). A field's records lie together (keys start with the field's number): its
    first and the next field's are found by the index's binary search over its keys."""
    terms = reader._terms
    fieldid = terms._fieldmap.get(fieldname)
    if fieldid is None:
        return []
    tindex = terms._tindex
    start = tindex.closest_key_pos(pack_ushort(fieldid))
    if start is None:
        return []
    end = tindex.closest_key_pos(pack_ushort(fieldid + 1)) if fieldid + 1 < 65535 else None
    data = tindex.dbfile.get(start, (tindex.endofdata if end is None else end) - start)
    unpack = _KEY_VALUE.unpack_from
    entries: list = []
    pos, size = 0, len(data)
    while pos < size:
        keylen, valuelen = unpack(data, pos)
        keyend = pos + 8 + keylen
        if (data[pos + 8] << 8) | data[pos + 9] != fieldid:
            break
        entries.append((data[pos + 10 : keyend], number, data[keyend : keyend + valuelen]))
        pos = keyend + valuelen
    return entries


def _merged_terms(readers, maps, schema):
    """(term, postings) of the merged sources, in term order: postings as (docnums, weights,
    values) renumbered, or, for a term inlined in one source without deletions, its entry
    bytes renumbered (what write_terms would make of its postings, without decoding them
    into lists and measuring them again).

    A field at a time: the merger holds the term entries of one field of the sources, never
    all of them (a merge of a few thousand documents held 100 MB of entries)."""
    names = sorted({name for reader in readers for name in reader._terms._fieldmap if name in schema})
    for fieldname in names:
        entries = []
        for number, reader in enumerate(readers):
            entries.extend(_field_entries(reader, number, fieldname))
        if not entries:
            continue
        # each source's run is in order and sources come in order: a stable sort merges the
        # runs (in C) and keeps a term's sources in their order
        entries.sort(key=_first)
        fixedsize = schema[fieldname].format.fixed_value_size()
        count, i = len(entries), 0
        while i < count:
            btext, number, entry = entries[i]
            j = i + 1
            if j == count or entries[j][0] != btext:  # in one source only
                i = j
                base, docmap = maps[number]
                if entry[0] and docmap is None:
                    yield (fieldname, btext), _rebased_inline(entry, base) if base else entry
                else:
                    postings = _renumbered(readers[number], entry, fixedsize, base, docmap)
                    if postings[0]:  # not only deleted documents
                        yield (fieldname, btext), postings
                continue
            while j < count and entries[j][0] == btext:
                j += 1
            ids, weights, values = [], [], []
            for _, number, entry in entries[i:j]:
                base, docmap = maps[number]
                if entry[0]:  # inlined (most entries): read here, without a call
                    found_ids, found_weights, found_values = loads(entry[_ENTRY_SIZE:])
                    if found_values is None:
                        found_values = (None,) * len(found_ids)
                else:
                    found_ids, found_weights, found_values = _postings(readers[number], entry, fixedsize)
                if docmap is None:
                    ids.extend(map(base.__add__, found_ids) if base else found_ids)
                    weights.extend(found_weights)
                    values.extend(found_values)
                else:
                    _extend_live(ids, weights, values, docmap, found_ids, found_weights, found_values)
            i = j
            if ids:
                yield (fieldname, btext), (ids, weights, values)


def _first(entry: tuple) -> bytes:
    return entry[0]


def _renumbered(reader, entry: bytes, fixedsize, base: int, docmap) -> tuple:
    found_ids, found_weights, found_values = _postings(reader, entry, fixedsize)
    if docmap is None:
        return list(map(base.__add__, found_ids)) if base else found_ids, found_weights, found_values
    ids, weights, values = [], [], []
    _extend_live(ids, weights, values, docmap, found_ids, found_weights, found_values)
    return ids, weights, values


def _extend_live(ids, weights, values, docmap, found_ids, found_weights, found_values) -> None:
    """A source with deletions: its live documents' postings only, renumbered."""
    for docnum, weight, value in zip(found_ids, found_weights, found_values):
        if docnum in docmap:
            ids.append(docmap[docnum])
            weights.append(weight)
            values.append(value)


def _rebased_inline(entry: bytes, base: int) -> bytes:
    """An inlined term entry with its document numbers moved up by `base`: the statistics
    (weights, field lengths) are those of the same postings.

    The postings' pickle opens with the tuple of document numbers, each an integer opcode,
    then the tuple's opcode and its memo put (always entry 0): only those integers are
    written again, the rest (weights and values, the costly part to pickle) is kept as it
    is. An entry of another shape is unpickled and pickled again."""
    inlined, weight, docfreq, minlength, maxlength, maxweight, minid, maxid = _TERMINFO.unpack_from(entry)
    head = _TERMINFO.pack(inlined, weight, docfreq, minlength, maxlength, maxweight, minid + base, maxid + base)
    ids = _inline_ids(entry, docfreq)
    if ids is None:
        found, weights, values = loads(entry[_ENTRY_SIZE:])
        return head + dumps((tuple(map(base.__add__, found)), weights, values), 2)
    found, rest = ids
    return head + dumps(tuple(map(base.__add__, found)), 2)[:-1] + entry[rest:]


_PROTO2 = b"\x80\x02"
_TUPLE_OPS = (None, 0x85, 0x86, 0x87)  # TUPLE1, TUPLE2, TUPLE3 by length


def _inline_ids(entry: bytes, count: int):
    """(document numbers, where the pickle goes on after their tuple) of an inlined entry, or
    None when it does not open with a tuple of `count` (1 to 3) small integers."""
    pos = _ENTRY_SIZE + 2
    if not 0 < count < len(_TUPLE_OPS) or entry[_ENTRY_SIZE:pos] != _PROTO2:
        return None
    ids = []
    for _ in range(count):
        op = entry[pos]
        if op == 0x4B:  # BININT1
            ids.append(entry[pos + 1])
            pos += 2
        elif op == 0x4D:  # BININT2
            ids.append(entry[pos + 1] | entry[pos + 2] << 8)
            pos += 3
        elif op == 0x4A:  # BININT
            ids.append(int.from_bytes(entry[pos + 1 : pos + 5], "little", signed=True))
            pos += 5
        else:
            return None
    if entry[pos] != _TUPLE_OPS[count] or entry[pos + 1 : pos + 3] != b"q\x00":
        return None
    return ids, pos + 3


_ENTRY_SIZE = _TERMINFO.size
_POINTER = struct.Struct("!qi")  # a term entry's postings: offset and length in the postings file


def _postings(reader, entry: bytes, fixedsize) -> tuple:
    """(docnums, weights, values) of one term entry of a segment, a block at a time: what
    Whoosh's W3LeafMatcher reads, without a matcher."""
    if entry[0]:  # inlined
        ids, weights, values = loads(entry[_ENTRY_SIZE:])
        return ids, weights, values or (None,) * len(ids)
    offset, length = _POINTER.unpack_from(entry, _ENTRY_SIZE)
    data = reader._terms._postfile.get(offset, length)
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"postings of a term at {offset}: no block header")
    ids, weights, values, position = [], [], [], 4
    while position < length:
        size = _INT.unpack_from(data, position)[0]
        block = io.BytesIO(data[position + 4 : position + 4 + abs(size)])
        count, _, _, compression, _, _ = pickle.load(block)
        raw = block.read()
        deltas, found_weights, found_values = loads(zlib.decompress(raw) if compression else raw)
        ids.extend(accumulate(deltas))
        if found_weights is None:
            weights.extend((1.0,) * count)
        elif isinstance(found_weights, float):
            weights.extend((found_weights,) * count)
        else:
            weights.extend(found_weights)
        if fixedsize is None or fixedsize < 0:
            values.extend(found_values)
        elif fixedsize == 0:
            values.extend((None,) * count)
        else:
            values.extend(found_values[i : i + fixedsize] for i in range(0, len(found_values), fixedsize))
        position += 4 + abs(size)
        if size < 0:
            break
    return ids, weights, values


def remove_segment_files(storage, segment) -> None:
    """Every file of a segment that no TOC names (a cancelled or superseded one)."""
    prefix = f"{segment.segment_id()}."
    for name in list(storage.list()):
        if name.startswith(prefix):
            try:
                storage.delete_file(name)
            except OSError:
                pass
