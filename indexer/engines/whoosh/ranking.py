"""The best-scored matches of a query, scored a term's postings at a time.

Whoosh's top collector steps its matcher tree through every match, a dozen Python calls
per document and node, and its block-quality skipping spares little when a title or Q&A
boost keeps every block's bound high: "information" scored its 9,900 matches one
document at a time. Here each term's postings are scored in one loop over arrays (BM25F,
field lengths from the length column read once per segment) and combined with dict
operations, in exactly the grouping of Whoosh's matcher tree (its Huffman-like tree of
unions and intersections by estimated size, boosts applied where its matchers apply
them), so every score is Whoosh's to the bit and the top documents, ties included (lower
document number first), are the ones its collector keeps.

An And first intersects its parts' document sets (bulk.py) and scores only those
documents. A query with a part this module does not know is left to Whoosh (Unsupported).

A phrase that only adds to the score (the optional part of an AndMaybe: a plain query of
several words also ranks by its words standing together) is not checked for every document
holding its words. Its score where it matches is the sum of its words' scores, known without
positions: so each document has a lower bound (no such phrase matches) and an upper bound
(every one it holds the words of matches), each summed in Whoosh's grouping, and float sums
of non-negative parts only grow with a part. Positions are then checked, best upper bound
first, only for documents whose upper bound can still reach the top (`_pruned`).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from itertools import chain

from whoosh import query
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from indexer.engines.whoosh import bulk
from indexer.engines.whoosh.bulk import VerifiedPhrase, _btext, phrase_among, phrase_ids, postings, term_ids
from indexer.engines.whoosh.filters import ConstantScore, DayRange, documents_in_range

_AVERAGES = "_foi_avgfl"  # attribute of a top searcher: fieldname -> average length, as BM25F scores
_LENGTHS = "_foi_lengths"  # attribute of a segment reader: fieldname -> length per document
_BYTE_LENGTH = [byte_to_length(b) if b else None for b in range(256)]  # None as Whoosh's


class Unsupported(Exception):
    """A query part whose scores this module does not reproduce: Whoosh collects it."""


def top_docs(searcher, q, limit: int, prune: bool = True) -> tuple[list[tuple[float, int]], int]:
    """The `limit` best (score, document number) of `q`, best first (equal scores: lower
    number first), and how many documents match. Raises Unsupported. `prune=False` checks
    every scoring-only phrase for every document (the same answer, slower: for tests)."""
    best: list[tuple[float, int]] = []
    matched = 0
    if prune and limit > 0 and _has_optional_phrase(q, False):
        segments = [_Segment(sub, q, offset) for sub, offset in searcher.leaf_searchers()]
        _pruned(segments, limit)
        found = _best(segments, limit)
        return [(s, -neg) for s, neg in found], sum(len(seg.lo) for seg in segments)
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        scores = _Scorer(sub).scores(q, None)
        if scores and reader.has_deletions():
            deleted = reader.deleted_docs_set
            scores = {d: s for d, s in scores.items() if d not in deleted}
        matched += len(scores)
        found = heapq.nlargest(limit, ((s, -(offset + d)) for d, s in scores.items()))
        best = heapq.nlargest(limit, best + found)
    return [(s, -neg) for s, neg in best], matched


class _Scorer:
    """Scores of one segment: query -> {document number: score}, deleted ones included."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.weighting = searcher.weighting
        self._sizes: dict[int, tuple[object, int]] = {}

    def size(self, q) -> int:
        """q.estimate_size of this segment, once per part (a compound's sums its parts', and
        each is asked to order an And and to weigh the tree: a term lookup every time)."""
        found = self._sizes.get(id(q))
        if found is None or found[0] is not q:
            found = self._sizes[id(q)] = (q, q.estimate_size(self.reader))
        return found[1]

    def scores(self, q, restrict: set[int] | None) -> dict[int, float]:
        kind = type(q)
        if kind is query.Term:
            return self.term(q.fieldname, q.text, q.boost, restrict)
        if kind is query.Or or kind is query.And:
            return self.compound(q, restrict)
        if kind is query.AndMaybe:
            required = self.scores(q.a, restrict)
            if not required:
                return required
            optional = self.scores(q.b, set(required))
            return {d: (s + optional[d] if d in optional else s) for d, s in required.items()}
        if kind is VerifiedPhrase:
            return self.phrase(q, restrict)
        if kind is ConstantScore:
            docs = bulk._docs(self.searcher, self.reader, q.child)
            if restrict is not None:
                docs &= restrict
            return dict.fromkeys(docs, q.score)
        if kind is DayRange:
            docs = documents_in_range(self.reader, q.fieldname, q.start, q.end)
            return {d: q.boost for d in docs if restrict is None or d in restrict}
        if kind is query.Not:
            # Whoosh's InverseMatcher scores 1.0 for every document its child does not match
            docs = bulk._docs(self.searcher, self.reader, q)
            if restrict is not None:
                docs &= restrict
            return dict.fromkeys(docs, 1.0)
        if kind is query.Every and not q.fieldname and q.boost:
            docs = bulk._docs(self.searcher, self.reader, q)  # ListMatcher(all_weights=boost)
            if restrict is not None:
                docs &= restrict
            return dict.fromkeys(docs, q.boost)
        if q is query.NullQuery:
            return {}
        raise Unsupported(type(q).__name__)

    def compound(self, q, restrict: set[int] | None) -> dict[int, float]:
        subs = q.subqueries
        if not subs:
            return {}
        if len(subs) == 1:  # CompoundQuery.matcher: the one part's matcher, boost unused
            return self.scores(subs[0], restrict)
        if type(q) is query.And:
            docs = self.all_of(subs, restrict)
            if not docs:
                return {}
            parts = [(0 - self.size(sub), self.scores(sub, docs)) for sub in subs]
            out = _weighted_tree(parts, _intersection)
        else:
            parts = [(self.size(sub), self.scores(sub, restrict)) for sub in subs]
            out = _weighted_tree(parts, _union)
        if q.boost != 1.0:
            boost = q.boost
            out = {d: s * boost for d, s in out.items()}
        return out

    def all_of(self, subs, restrict: set[int] | None) -> set[int]:
        """The documents every part of an And matches (within `restrict`): the smallest part's
        documents first, each later part looked up in the documents kept so far."""
        docs = None
        for sub in sorted(subs, key=lambda s: self.size(s)):
            if docs is None:
                docs = bulk._docs(self.searcher, self.reader, sub)
            else:
                docs = bulk.docs_within(self.searcher, self.reader, sub, docs)
            if not docs:
                return set()
        if restrict is not None:
            docs &= restrict
        return docs

    def term(self, fieldname: str, text, boost: float, restrict: set[int] | None, btext=None) -> dict[int, float]:
        reader = self.reader
        if btext is None:
            btext = _btext(reader, fieldname, text)
            if btext is None:
                return {}
        ids, weights = postings(reader, fieldname, btext)
        if restrict is not None:
            if len(restrict) * 8 < len(ids):  # few wanted: look each up
                n = len(ids)
                picked = []
                for d in sorted(restrict):
                    i = bisect_left(ids, d)
                    if i < n and ids[i] == d:
                        picked.append(i)
            else:
                picked = [i for i, d in enumerate(ids) if d in restrict]
            ids = [ids[i] for i in picked]
            weights = [weights[i] for i in picked]
        params = self.bm25_params(fieldname, btext)
        if params is not None:
            lengths = _lengths(reader, fieldname)
            idf, avgfl, B, K1 = params
            # scoring.bm25, term for term in the same order (the same float rounding)
            try:
                out = {
                    d: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
                    for d, tf, fl in zip(ids, weights, map(lengths.__getitem__, ids))
                }
            except TypeError:  # a length of 0 (None): Whoosh's own scorer fails the same way
                raise Unsupported("a posting without a field length") from None
        else:
            out = dict(zip(ids, weights))
        if boost != 1.0:  # Term.matcher's WrappingMatcher
            out = {d: s * boost for d, s in out.items()}
        return out

    def bm25_params(self, fieldname: str, btext: bytes) -> tuple[float, float, float, float] | None:
        """(idf, average field length, B, K1) of a term as BM25FScorer takes them from the
        top searcher, or None where Whoosh scores by weight alone (an unscorable field).
        Whoosh builds a scorer per term and segment, each summing the field's length over
        every segment and looking the term up again for its block bound: here the field's
        average is kept per top searcher, and idf is the top searcher's own cache."""
        weighting = self.weighting
        if type(weighting) is not BM25F:
            scorer = weighting.scorer(self.searcher, fieldname, btext)
            if type(scorer) is BM25FScorer:
                return scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            if type(scorer) is WeightScorer:
                return None
            raise Unsupported(type(scorer).__name__)
        if not self.searcher.schema[fieldname].scorable:
            return None  # WeightScorer
        parent = self.searcher.get_parent()
        averages = parent.__dict__.setdefault(_AVERAGES, {})
        avgfl = averages.get(fieldname)
        if avgfl is None:
            avgfl = averages[fieldname] = parent.avg_field_length(fieldname) or 1
        B = weighting._field_B.get(fieldname, weighting.B)
        return parent.idf(fieldname, btext), avgfl, B, weighting.K1

    def phrase(self, q: VerifiedPhrase, restrict: set[int] | None) -> dict[int, float]:
        btexts = self._phrase_terms(q)
        if btexts is None:
            return {}
        docs = set(phrase_ids(self.reader, q.fieldname, q.words, q.slop))
        if restrict is not None:
            docs &= restrict
        return self._phrase_scores(q, btexts, docs)

    def _phrase_terms(self, q: VerifiedPhrase) -> list[bytes] | None:
        """The indexed words of a phrase, or None when one is absent (nothing matches)."""
        field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        if field is None:
            return None
        if not field.format or not field.format.supports("positions"):
            raise Unsupported("a phrase on a field without positions")
        btexts = [_btext(self.reader, q.fieldname, w) for w in q.words]
        return None if any(b is None for b in btexts) else btexts

    def _phrase_scores(self, q: VerifiedPhrase, btexts: list[bytes], docs: set[int]) -> dict[int, float]:
        """The phrase's scores of `docs` (documents it matches, or is assumed to)."""
        if not docs:
            return {}
        # SpanNear2's matcher: a binary tree of intersections of the words' term matchers
        parts = [self.term(q.fieldname, None, 1.0, docs, btext=b) for b in btexts]
        out = _binary_tree(parts)
        if q.boost != 1.0:
            boost = q.boost
            out = {d: s * boost for d, s in out.items()}
        return out


class _Bounds(_Scorer):
    """Scores of one segment as (lower, upper) bounds: the two are one dict except where
    a scoring-only phrase (in the optional part of an AndMaybe) holds a document's words.
    Such a phrase counts as matching none of them in the lower bound and all of them in
    the upper, and its candidates are kept in `pending` (phrase key -> (phrase, documents)).
    With `known` (phrase key -> the documents its positions were checked to match), the
    phrases count as exactly those: both bounds are then the exact scores."""

    def __init__(self, searcher, known: dict | None = None):
        super().__init__(searcher)
        self.known = known
        self.pending: dict[tuple, tuple[VerifiedPhrase, set[int]]] = {}

    def bounds(self, q, restrict: set[int] | None, optional: bool) -> tuple[dict, dict]:
        kind = type(q)
        if kind is query.AndMaybe:
            req_lo, req_hi = self.bounds(q.a, restrict, optional)
            if not req_lo:
                return req_lo, req_lo
            opt_lo, opt_hi = self.bounds(q.b, set(req_lo), True)
            lo = {d: (s + opt_lo[d] if d in opt_lo else s) for d, s in req_lo.items()}
            if req_hi is req_lo and opt_hi is opt_lo:
                return lo, lo
            return lo, {d: (s + opt_hi[d] if d in opt_hi else s) for d, s in req_hi.items()}
        if kind is VerifiedPhrase and optional:
            return self.optional_phrase(q, restrict)
        if (kind is query.Or or kind is query.And) and _has_optional_phrase(q, optional):
            return self.compound_bounds(q, restrict, optional)
        exact = self.scores(q, restrict)
        return exact, exact

    def compound_bounds(self, q, restrict: set[int] | None, optional: bool) -> tuple[dict, dict]:
        """Scorer.compound over bounds: the same grouping for the lower and upper dicts."""
        subs = q.subqueries
        if not subs:
            return {}, {}
        if len(subs) == 1:
            return self.bounds(subs[0], restrict, optional)
        if type(q) is query.And:
            docs = self.all_of(subs, restrict)
            if not docs:
                return {}, {}
            parts = [(0 - self.size(sub), self.bounds(sub, docs, optional)) for sub in subs]
            combine = _intersection
        else:
            parts = [(self.size(sub), self.bounds(sub, restrict, optional)) for sub in subs]
            combine = _union
        lo = _weighted_tree([(w, pair[0]) for w, pair in parts], combine)
        same = all(pair[0] is pair[1] for _, pair in parts)
        hi = lo if same else _weighted_tree([(w, pair[1]) for w, pair in parts], combine)
        if q.boost != 1.0:
            boost = q.boost
            lo = {d: s * boost for d, s in lo.items()}
            hi = lo if same else {d: s * boost for d, s in hi.items()}
        return lo, hi

    def optional_phrase(self, q: VerifiedPhrase, restrict: set[int] | None) -> tuple[dict, dict]:
        btexts = self._phrase_terms(q)
        if btexts is None:
            return {}, {}
        fieldname, reader = q.fieldname, self.reader
        docs = restrict
        for btext in sorted(set(btexts), key=lambda b: reader.doc_frequency(fieldname, b)):
            ids = term_ids(reader, fieldname, btext)
            docs = set(ids) if docs is None else docs.intersection(ids)
            if not docs:
                return {}, {}
        key = _phrase_key(q)
        if self.known is not None:
            exact = self._phrase_scores(q, btexts, docs & self.known.get(key, set()))
            return exact, exact
        _, held = self.pending.setdefault(key, (q, set()))
        held |= docs
        return {}, self._phrase_scores(q, btexts, docs)


class _Segment:
    """One segment's bounds of a query: `lo` and `hi` (live matches only) and the phrases
    left to check; `current` is each match's exact score where known, else its lower bound."""

    def __init__(self, searcher, q, offset: int):
        self.searcher, self.q, self.offset = searcher, q, offset
        bounds = _Bounds(searcher)
        lo, hi = bounds.bounds(q, None, False)
        reader = searcher.reader()
        if lo and reader.has_deletions():
            deleted = reader.deleted_docs_set
            lo = {d: s for d, s in lo.items() if d not in deleted}
            hi = lo if hi is lo else {d: s for d, s in hi.items() if d not in deleted}
        self.lo, self.hi, self.pending = lo, hi, bounds.pending
        self.current = lo if hi is lo else dict(lo)

    def candidates(self) -> set[int]:
        """The matches that hold a pending phrase's words: their scores are not known yet."""
        if self.hi is self.lo or not self.pending:
            return set()
        return set().union(*(docs for _, docs in self.pending.values())) & self.lo.keys()

    def check(self, docs: list[int]) -> None:
        """The exact scores of `docs`: each phrase's positions read for those it may match."""
        reader = self.searcher.reader()
        known: dict[tuple, set[int]] = {}
        outcomes: dict[int, set[bool]] = {d: set() for d in docs}
        wanted = set(docs)
        for key, (q, held) in self.pending.items():
            among = wanted & held
            if not among:
                continue
            known[key] = found = phrase_among(reader, q.fieldname, q.words, q.slop, among)
            for d in among:
                outcomes[d].add(d in found)
        current, mixed = self.current, set()
        for d, seen in outcomes.items():
            if seen == {True}:
                current[d] = self.hi[d]  # the upper bound is the score of every phrase matching
            elif seen == {False}:
                current[d] = self.lo[d]
            else:
                mixed.add(d)
        if mixed:  # some phrases match, some do not: scored again with the positions known
            exact, _ = _Bounds(self.searcher, known).bounds(self.q, mixed, False)
            for d in mixed:
                current[d] = exact[d]


def _pruned(segments: list[_Segment], limit: int) -> None:
    """Each segment's `current` made exact for every document that can reach the `limit`
    best of all of them. The documents whose phrases are unchecked are visited by upper
    bound, best first, in rounds (a round's positions read together, block by block, per
    segment): a round stops at the first whose upper bound (score, lower number first) is
    below the `limit`-th best of the scores known and lower bounds: that many documents
    score at least as well as it can."""
    order = sorted(
        ((seg.hi[d], -(seg.offset + d), seg, d) for seg in segments for d in seg.candidates()),
        key=lambda c: (c[0], c[1]),
        reverse=True,
    )
    i, size = 0, max(limit, 1)
    while i < len(order):
        top = _best(segments, limit)
        j = len(order)
        if len(top) == limit:
            floor = top[-1]
            j = i
            while j < len(order) and j - i < size and (order[j][0], order[j][1]) >= floor:
                j += 1
            if j == i:
                return  # no document left can reach the top
        by_segment: dict[int, tuple[_Segment, list[int]]] = {}
        for _, _, seg, d in order[i:j]:
            by_segment.setdefault(id(seg), (seg, []))[1].append(d)
        for seg, docs in by_segment.values():
            seg.check(docs)
        i, size = j, size * 2


def _best(segments: list[_Segment], limit: int) -> list[tuple[float, int]]:
    """The `limit` best of the segments' current scores as (score, -document number), best
    first (equal scores: lower number first)."""
    return heapq.nlargest(
        limit, chain.from_iterable(((s, -(seg.offset + d)) for d, s in seg.current.items()) for seg in segments)
    )


def _phrase_key(q: VerifiedPhrase) -> tuple:
    return q.fieldname, tuple(q.words), q.slop


def _has_optional_phrase(q, optional: bool) -> bool:
    """Whether `q` holds a phrase that only adds to scores (under an AndMaybe's optional part)."""
    kind = type(q)
    if kind is VerifiedPhrase:
        return optional
    if kind is query.AndMaybe:
        return _has_optional_phrase(q.a, optional) or _has_optional_phrase(q.b, True)
    if kind is query.Or or kind is query.And:
        return any(_has_optional_phrase(sub, optional) for sub in q.subqueries)
    return False


def _union(a: dict, b: dict) -> dict:
    if len(a) < len(b):
        a, b = b, a
    out = dict(a)
    for d, s in b.items():
        here = out.get(d)
        out[d] = s if here is None else here + s
    return out


def _intersection(a: dict, b: dict) -> dict:
    if len(a) > len(b):
        a, b = b, a
    return {d: s + b[d] for d, s in a.items() if d in b}


def _weighted_tree(parts: list[tuple[int, dict]], combine) -> dict:
    """whoosh.util.make_weighted_tree over score dicts: the two lightest joined first. Its
    list holds (weight, matcher) and matchers never compare less than one another, so
    equal weights keep their order, as a sort and insort by weight alone do."""
    ls = sorted(parts, key=lambda p: p[0])
    while len(ls) > 1:
        a = ls.pop(0)
        b = ls.pop(0)
        insort(ls, (a[0] + b[0], combine(a[1], b[1])), key=lambda p: p[0])
    return ls[0][1]


def _binary_tree(parts: list[dict]) -> dict:
    """whoosh.util.make_binary_tree of intersections: halves, left then right."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _intersection(_binary_tree(parts[:half]), _binary_tree(parts[half:]))


def _lengths(reader, fieldname: str) -> list:
    """Each document's length of `fieldname` as Whoosh scores it (doc_field_length with
    default 1), read from the length column once per segment."""
    cache = reader.__dict__.setdefault(_LENGTHS, {})
    if fieldname not in cache:
        total = reader.doc_count_all()
        creader = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if creader is None:
            cache[fieldname] = [1] * total
            return cache[fieldname]
        if isinstance(creader, NumericColumn.Reader) and creader._typecode == "B":
            codes = list(creader._dbfile.get(creader._basepos, min(creader._count, total)))
            codes += [creader._default] * (total - len(codes))
        else:
            codes = [creader[docnum] for docnum in range(total)]
        cache[fieldname] = [_BYTE_LENGTH[c] for c in codes]
    return cache[fieldname]
