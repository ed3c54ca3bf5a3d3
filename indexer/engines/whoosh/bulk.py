"""Whole-query work a postings block at a time: the documents a query matches (for exact
totals, facets and date sorting) and the documents a phrase really matches.

Whoosh answers both through its matcher tree, a handful of Python calls per document and
node: counting "information commissioner" over its four fields walked every document
through the tree, and a phrase checked its words' positions with Span objects for every
document holding all of them (most of a warm query's time at 10,000 documents). Here a term's
documents are read a block at a time into an array, a query's documents are set operations
on them, and a phrase's positions are decoded and compared only for the documents that hold
every word.

Per segment reader, a small cache keeps the last terms and phrases read, so the several
passes of one search (the ranked hits, their total, the facets) read each once; and the
positions of the last few terms read whole, so the phrase a plain query ranks by ("prevent
referrals" first where the words stand together) decodes none of their blocks again.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate
from pickle import loads
from zlib import decompress

from whoosh import formats, matching, query
from whoosh.filedb import filetables
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.system import _INT_SIZE
from whoosh.util import make_binary_tree

from indexer.engines.whoosh.filters import ConstantScore, DayRange, documents_in_range


def _read_ids(self) -> None:
    """W3LeafMatcher._read_ids of whoosh-reloaded 2.7.5 with the block's id deltas summed by
    itertools.accumulate (the same numbers; its generator cost a Python step per id)."""
    if self._data is None:
        self._read_data()
    ids = self._data[0]
    self._ids = ids if self._byteids else tuple(accumulate(ids))


def _decode_positions(self, valuestring: bytes) -> list[int]:
    """Positions.decode_positions of whoosh-reloaded 2.7.5, the deltas summed by accumulate."""
    if not valuestring.endswith(b"."):
        valuestring += b"."
    return list(accumulate(loads(valuestring[_INT_SIZE:])))


_hash_ranges = filetables.HashReader.ranges_for_key
_LOOKUPS = 8192  # terms remembered per term table (a segment's): a few hundred bytes each


def _remembered_ranges(self, key):
    """HashReader.ranges_for_key, remembered per table (a segment's files never change
    while open): one search looks a term up many times per segment (is it there, its
    document frequency, its term info, its postings, its idf), each an md5 and a few reads."""
    memo = self.__dict__.get("_foi_ranges")
    if memo is None:
        memo = self.__dict__["_foi_ranges"] = {}
    found = memo.get(key)
    if found is None:
        if len(memo) >= _LOOKUPS:
            memo.clear()
        found = memo[key] = tuple(_hash_ranges(self, key))
    return iter(found)


W3LeafMatcher._read_ids = _read_ids
formats.Positions.decode_positions = _decode_positions
filetables.HashReader.ranges_for_key = _remembered_ranges

_CACHE = "_foi_bulk"  # attribute of a segment reader: its LRU of term and phrase documents
_CACHE_SIZE = 48  # entries: the terms and phrases of a few queries
_DOCS = "_foi_docs"  # attribute of a segment reader: its LRU of whole queries' documents
_DOCS_SIZE = 4
_VALUES = "_foi_values"  # attribute of a segment reader: the posting values of terms last read whole
_VALUES_SIZE = 8  # terms: the words of a phrase or two in the fields a query searches


def _cache(reader) -> OrderedDict:
    return reader.__dict__.setdefault(_CACHE, OrderedDict())


def _cached(reader, key, compute):
    cache = _cache(reader)
    try:
        cache.move_to_end(key)
        return cache[key]
    except KeyError:
        return _keep(cache, key, compute(), _CACHE_SIZE)


def _keep(cache: OrderedDict, key, value, size: int):
    """`value` as the newest entry of the LRU `cache` of `size` entries."""
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)
    return value


def _btext(reader, fieldname: str, text):
    """The indexed form of `text` in `fieldname`, or None when the field or term is absent."""
    schema = reader.schema
    if fieldname not in schema:
        return None
    try:
        btext = schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    return btext if (fieldname, btext) in reader else None


def _leaf_postings(reader, fieldname: str, btext: bytes):
    """The raw postings matcher of a term, deleted documents included (the caller drops them).
    From the segment's term table when it has one: the reader's own postings() wraps the
    matcher in a FilterMatcher over a segment with deletions, which reads the first
    block's ids at once to find the first live document (read again here right after)."""
    terms = getattr(reader, "_terms", None)
    if terms is not None and not reader.is_closed and fieldname in reader.schema:
        return terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    matcher = reader.postings(fieldname, btext)
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def term_ids(reader, fieldname: str, btext: bytes) -> array:
    """Every document number of a term in one segment, ascending (deleted ones included)."""
    return postings(reader, fieldname, btext)[0]


def postings(reader, fieldname: str, btext: bytes) -> tuple[array, array]:
    """A term's document numbers and weights in one segment (deleted documents included)."""
    return _cached(reader, ("postings", fieldname, btext), lambda: _read_postings(reader, fieldname, btext))


def _read_postings(reader, fieldname: str, btext: bytes) -> tuple[array, array]:
    m = _leaf_postings(reader, fieldname, btext)
    ids, weights = array("I"), array("d")  # a float32 weight widens to a double exactly
    if isinstance(m, W3LeafMatcher):
        # whoosh-reloaded 2.7.5's block layout: a block's ids, weights and values are one
        # pickle. Only the ids and weights are unpickled here (block_head). Blocks with
        # variable-size values (positions) are kept a while, values pickled until first asked for: a phrase
        # of the same words, which a plain query also ranks by, reads them next (_values_for).
        blocks = [] if m._fixedsize is None or m._fixedsize < 0 else None
        postfile, byteids = m._postfile, m._byteids
        while not m._atend:
            n = m._blocklength
            data = postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            if m._compression:
                data = decompress(data)
            head = block_head(data, n)
            block_ids, block_weights = head if head is not None else loads(data)[:2]
            if not byteids:
                block_ids = tuple(accumulate(block_ids))
            ids.extend(block_ids)
            # as W3LeafMatcher._read_weights: none stored means 1.0, one float means all
            # (in a float32 array), else the floats themselves
            if block_weights is None:
                weights.extend([1.0] * n)
            elif isinstance(block_weights, float):
                weights.extend(array("d", array("f", [block_weights])) * n)
            else:
                weights.extend(block_weights)
            if blocks is not None:
                blocks.append((block_ids, data))
            m._next_block()
        if blocks is not None:
            _keep(reader.__dict__.setdefault(_VALUES, OrderedDict()), (fieldname, btext), blocks, _VALUES_SIZE)
        return ids, weights
    while m.is_active():  # an inlined posting list (a rare term): a few documents
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


_K, _M, _J = 0x4B, 0x4D, 0x4A  # pickle's BININT1, BININT2, BININT opcodes
_INT_WIDTH = {_K: 2, _M: 3, _J: 5}
_TUPLE_N = 0x84  # TUPLE1..TUPLE3 are 0x85..0x87
_MARK, _NONE, _FLOAT = 0x28, 0x4E, 0x47
_BINPUT, _LONG_BINPUT = 0x71, 0x72


def block_head(data: bytes, n: int):
    """(id deltas, weights) of a postings block of `n` postings, from its pickle of (ids,
    weights, values) without unpickling the values, or None when the pickle is not laid
    out as expected (the caller unpickles it whole).

    Protocol 2 has no bytes opcode, so each value (a document's encoded positions) is
    pickled as a call of codecs.encode: unpickling those was most of the time of reading a
    postings list whole. The ids are a tuple of small ints and the weights None, one float
    or a tuple of floats: their opcodes are walked to the first of the values, and the
    pickle up to there, closed as a pair, is unpickled."""
    if data[:2] != b"\x80\x02" or n < 1:
        return None
    if n > 3:  # (MARK ints TUPLE); fewer items are followed by TUPLEn instead
        if data[2] != _MARK:
            return None
        pos = 3
    else:
        pos = 2
    if data[pos : pos + 2 * n : 2] == b"K" * n:  # every delta under 256: the usual case
        pos += 2 * n
    else:
        for _ in range(n):
            width = _INT_WIDTH.get(data[pos]) if pos < len(data) else None
            if width is None:
                return None
            pos += width
    end = pos + 1
    if data[pos:end] != (b"t" if n > 3 else bytes([_TUPLE_N + n])):
        return None
    pos = _after_memo(data, end)
    if pos < 0:
        return None
    code = data[pos] if pos < len(data) else None
    floats = 9 * n  # BINFLOAT and 8 bytes each
    if n > 3 and code == _MARK and data[pos + 1 : pos + 1 + floats : 9] == b"G" * n:
        end = pos + 1 + floats
        pos = _after_memo(data, end + 1) if data[end : end + 1] == b"t" else -1
    elif (
        n <= 3
        and data[pos : pos + floats : 9] == b"G" * n
        and data[pos + floats : pos + floats + 1] == bytes([_TUPLE_N + n])
    ):
        pos = _after_memo(data, pos + floats + 1)  # a tuple of n floats, not one float and the values
    elif code == _FLOAT:
        pos += 9
    elif code == _NONE:
        pos += 1
    else:
        return None
    if pos < 0:
        return None
    try:
        found = loads(data[:pos] + b"\x86.")  # TUPLE2, STOP
    except Exception:  # noqa: BLE001 - any surprise in the layout: unpickle it whole
        return None
    block_ids, block_weights = found
    if len(block_ids) != n or (isinstance(block_weights, tuple) and len(block_weights) != n):
        return None
    return found


def _after_memo(data: bytes, pos: int) -> int:
    """The position after the memo opcode at `pos` (which a tuple is followed by), or -1."""
    code = data[pos] if pos < len(data) else None
    if code == _BINPUT:
        return pos + 2
    if code == _LONG_BINPUT:
        return pos + 5
    return -1


def _values_for(reader, fieldname: str, btext: bytes, wanted: list[int]) -> dict[int, bytes]:
    """The posting values (encoded positions) of a term for those of the `wanted` documents
    (ascending) that hold it, reading only the blocks that may hold them."""
    out: dict[int, bytes] = {}
    if not wanted:
        return out
    i, n = 0, len(wanted)
    kept = reader.__dict__.get(_VALUES, {}).get((fieldname, btext))
    if kept is not None:  # the term was read whole a moment ago: its blocks' ids and pickles
        for k, (ids, data) in enumerate(kept):
            if i == n:
                break
            if ids[-1] >= wanted[i]:
                if type(data) is bytes:  # unpickled once: a ranking checks a few documents a round
                    data = loads(data)[2]
                    kept[k] = (ids, data)
                i = _pick(ids, data, wanted, i, out)
        return out
    m = _leaf_postings(reader, fieldname, btext)
    if not isinstance(m, W3LeafMatcher):
        want = set(wanted)
        while m.is_active():
            if m.id() in want:
                out[m.id()] = m.value()
            m.next()
        return out
    while not m._atend and i < n:
        if m._maxid >= wanted[i]:  # else no wanted document is in this block: its data is never read
            if m._ids is None:
                m._read_ids()
            if m._values is None:
                m._read_values()
            i = _pick(m._ids, m._values, wanted, i, out)
        m._next_block()
    return out


def _pick(ids, values, wanted: list[int], i: int, out: dict[int, bytes]) -> int:
    """The values of the documents `wanted[i:]` that one block (its `ids` ascending) holds,
    put in `out`; returns the index of the first wanted document after the block."""
    j = bisect_left(ids, wanted[i])
    n, last = len(wanted), len(ids)
    while i < n and j < last:
        doc = wanted[i]
        if ids[j] == doc:
            out[doc] = values[j]
            i += 1
            j += 1
        elif ids[j] < doc:
            j = bisect_left(ids, doc, j)
        else:
            i += 1  # not in the postings
    return i


def spans_match(poslists: list[list[int]], slop: int) -> bool:
    """Whether the words occur in order with at most `slop` positions between neighbours:
    Whoosh's SpanNear2 (ordered, mindist 1) on term positions, with (start, end) tuples in
    place of Span objects."""
    if slop == 1:  # the words at consecutive positions: starts from which every one follows
        starts = set(poslists[0])
        for k, positions in enumerate(poslists[1:], start=1):
            starts.intersection_update([p - k for p in positions])
            if not starts:
                return False
        return True
    aspans = [(p, p) for p in poslists[0]]
    for bpos in poslists[1:]:
        if not aspans:
            return False
        found = set()
        nb = len(bpos)
        for astart, aend in aspans:
            j = bisect_left(bpos, astart)
            while j < nb:
                b = bpos[j]
                j += 1
                if b < astart - slop or astart > b:
                    continue
                if b > aend + slop:
                    break
                # distance as Span.distance_to: 0 when they overlap
                if astart <= b <= aend:
                    continue
                dist = b - aend if aend < b else astart - b
                if 1 <= dist <= slop:
                    found.add((min(astart, b), max(aend, b)))
        aspans = sorted(found)
    return bool(aspans)


def phrase_ids(reader, fieldname: str, words, slop: int) -> list[int]:
    """Documents of one segment where the phrase occurs, ascending (deleted ones included)."""
    key = ("phrase", fieldname, tuple(words), slop)
    return _cached(reader, key, lambda: _read_phrase(reader, fieldname, words, slop))


def _read_phrase(reader, fieldname: str, words, slop: int) -> list[int]:
    btexts = [_btext(reader, fieldname, w) for w in words]
    if any(b is None for b in btexts):
        return []
    # the rarest word's documents are the candidates; each other word, rarest first, keeps
    # those it holds, reading only the blocks that hold candidates (each block once)
    unique = sorted(set(btexts), key=lambda b: reader.doc_frequency(fieldname, b))
    wanted = list(term_ids(reader, fieldname, unique[0]))
    values: dict[bytes, dict[int, bytes]] = {}
    for btext in unique[1:]:
        values[btext] = found = _values_for(reader, fieldname, btext, wanted)
        wanted = [doc for doc in wanted if doc in found]
        if not wanted:
            return []
    values[unique[0]] = _values_for(reader, fieldname, unique[0], wanted)
    decode = reader.schema[fieldname].format.decode_positions
    return [doc for doc in wanted if spans_match([decode(values[b][doc]) for b in btexts], slop)]


def phrase_among(reader, fieldname: str, words, slop: int, docs) -> set[int]:
    """Those of `docs` (documents holding every word of the phrase) where the phrase occurs:
    the positions of just those documents, read from the blocks that hold them (or the
    phrase's documents, when a search of this segment found them already)."""
    done = _cache(reader).get(("phrase", fieldname, tuple(words), slop))
    if done is not None:
        return set(docs).intersection(done)
    btexts = [_btext(reader, fieldname, w) for w in words]
    if any(b is None for b in btexts):
        return set()
    wanted = sorted(docs)
    values = {b: _values_for(reader, fieldname, b, wanted) for b in set(btexts)}
    decode = reader.schema[fieldname].format.decode_positions
    return {
        doc
        for doc in wanted
        if all(doc in found for found in values.values())
        and spans_match([decode(values[b][doc]) for b in btexts], slop)
    }


class VerifiedPhrase(query.Phrase):
    """Whoosh's Phrase, its positions checked in bulk (phrase_ids) before matching: the
    matcher is the intersection of the words' matchers that Whoosh's phrase matcher wraps
    (so every score is Whoosh's to the bit), stepping only to documents known to match."""

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own error
        reader = searcher.reader()
        if not reader.is_atomic():
            return super().matcher(searcher, context)
        btexts = [_btext(reader, fieldname, w) for w in self.words]
        if any(b is None for b in btexts):
            return matching.NullMatcher()
        ids = phrase_ids(reader, fieldname, self.words, self.slop)
        if not ids:
            return matching.NullMatcher()
        terms = [query.Term(fieldname, b).matcher(searcher, context) for b in btexts]
        m = VerifiedMatcher(make_binary_tree(matching.IntersectionMatcher, terms), ids)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class VerifiedMatcher(WrappingMatcher):
    """A matcher over `child`'s documents that are also in `ids` (ascending): it skips the
    child from one of them to the next, so the documents between are never scored."""

    def __init__(self, child, ids, position: int = 0):
        super().__init__(child)
        self._ids = ids
        self._i = position
        self._align()

    def _align(self) -> None:
        """Move until the child and the list agree on a document, or either runs out."""
        child, ids = self.child, self._ids
        while self._i < len(ids) and child.is_active():
            here, want = child.id(), ids[self._i]
            if here == want:
                return
            if here < want:
                child.skip_to(want)
            else:
                self._i = bisect_left(ids, here, self._i)
        self._i = len(ids)

    def copy(self):
        return VerifiedMatcher(self.child.copy(), self._ids, self._i)

    def _replacement(self, newchild):
        return VerifiedMatcher(newchild, self._ids, self._i)

    def replace(self, minquality=0):
        if not self.is_active():
            return matching.NullMatcher()
        return self

    def is_active(self) -> bool:
        return self._i < len(self._ids) and self.child.is_active()

    def reset(self) -> None:
        self.child.reset()
        self._i = 0
        self._align()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def next(self) -> None:
        if not self.is_active():
            raise ReadTooFar
        self._i += 1
        self._align()

    def skip_to(self, id) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)
            self._align()

    def skip_to_quality(self, minquality) -> int:
        skipped = self.child.skip_to_quality(minquality)
        self._align()
        return skipped

    def spans(self):
        raise NotImplementedError("a verified phrase inside a span query")


# ------------------------------------------------------------------ documents of a query


def segment_docs(searcher, q) -> set[int]:
    """The live documents of an atomic (one-segment) searcher that `q` matches (not to be
    changed: the last few are kept, as a search counts and facets the same query)."""
    reader = searcher.reader()
    cache = reader.__dict__.setdefault(_DOCS, OrderedDict())
    try:
        cache.move_to_end(q)
        return cache[q]
    except KeyError:
        pass
    found = _docs(searcher, reader, q)
    if reader.has_deletions():
        found = found - reader.deleted_docs_set
    cache[q] = found
    if len(cache) > _DOCS_SIZE:
        cache.popitem(last=False)
    return found


def query_docs(searcher, q) -> set[int]:
    """The live documents of `searcher` (any number of segments) that `q` matches."""
    subs = searcher.subsearchers or [(searcher, 0)]
    out: set[int] = set()
    for sub, offset in subs:
        docs = segment_docs(sub, q)
        out.update(docs if offset == 0 else (d + offset for d in docs))
    return out


def count_docs(searcher, q) -> int:
    """How many live documents of `searcher` `q` matches."""
    subs = searcher.subsearchers or [(searcher, 0)]
    return sum(len(segment_docs(sub, q)) for sub, _ in subs)


def _all(reader) -> set[int]:
    return set(range(reader.doc_count_all()))


def docs_within(searcher, reader, q, within: set[int]) -> set[int]:
    """_docs(q) & within: for a term or an OR of terms, the postings arrays looked up in
    `within` rather than a set built of every document they hold (half the work)."""
    kind = type(q)
    if kind is query.Term:
        btext = _btext(reader, q.fieldname, q.text)
        return set() if btext is None else within.intersection(term_ids(reader, q.fieldname, btext))
    if kind is query.Or and all(type(sub) is query.Term for sub in q.subqueries):
        out: set[int] = set()
        for sub in q.subqueries:
            btext = _btext(reader, sub.fieldname, sub.text)
            if btext is not None:
                out |= within.intersection(term_ids(reader, sub.fieldname, btext))
        return out
    return within & _docs(searcher, reader, q)


def _docs(searcher, reader, q) -> set[int]:
    """Documents of one segment matched by `q`, deleted ones possibly included."""
    kind = type(q)
    if kind is query.Term:
        btext = _btext(reader, q.fieldname, q.text)
        return set() if btext is None else set(term_ids(reader, q.fieldname, btext))
    if kind is query.Or:
        out: set[int] = set()
        for sub in q.subqueries:
            if type(sub) is query.Term:  # straight from the postings array: no set between
                btext = _btext(reader, sub.fieldname, sub.text)
                if btext is not None:
                    out.update(term_ids(reader, sub.fieldname, btext))
            else:
                out |= _docs(searcher, reader, sub)
        return out
    if kind is query.And:
        subs = q.subqueries
        if not subs:
            return set()
        # the negations last: they subtract from what the others keep
        positive = [s for s in subs if type(s) is not query.Not]
        negative = [s.query for s in subs if type(s) is query.Not]
        out = _docs(searcher, reader, positive[0]) if positive else _all(reader)
        for sub in positive[1:]:
            if not out:
                return out
            out = docs_within(searcher, reader, sub, out)
        for sub in negative:
            if not out:
                return out
            out -= _docs(searcher, reader, sub)
        return out
    if kind is query.Not:
        return _all(reader) - _docs(searcher, reader, q.query)
    if kind is query.AndMaybe:
        return _docs(searcher, reader, q.a)
    if kind is query.AndNot:
        return _docs(searcher, reader, q.a) - _docs(searcher, reader, q.b)
    if kind is query.Every and not q.fieldname:
        return _all(reader)
    if isinstance(q, query.NullQuery.__class__):
        return set()
    if kind in (VerifiedPhrase, query.Phrase):
        field = searcher.schema[q.fieldname] if q.fieldname in searcher.schema else None
        if field is not None and field.format and field.format.supports("positions") and len(q.words) > 1:
            return set(phrase_ids(reader, q.fieldname, q.words, q.slop))
    if kind is DayRange:
        return set(documents_in_range(reader, q.fieldname, q.start, q.end))
    if kind in (ConstantScore, query.ConstantScoreQuery):
        return _docs(searcher, reader, q.child)
    return set(q.matcher(searcher).all_ids())  # any other query: Whoosh's matcher
