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
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort

from whoosh import query
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from indexer.engines.whoosh import bulk
from indexer.engines.whoosh.bulk import VerifiedPhrase, _btext, phrase_ids, postings
from indexer.engines.whoosh.filters import ConstantScore, DayRange, documents_in_range

_AVERAGES = "_foi_avgfl"  # attribute of a top searcher: fieldname -> average length, as BM25F scores
_LENGTHS = "_foi_lengths"  # attribute of a segment reader: fieldname -> length per document
_BYTE_LENGTH = [byte_to_length(b) if b else None for b in range(256)]  # None as Whoosh's


class Unsupported(Exception):
    """A query part whose scores this module does not reproduce: Whoosh collects it."""


def top_docs(searcher, q, limit: int) -> tuple[list[tuple[float, int]], int]:
    """The `limit` best (score, document number) of `q`, best first (equal scores: lower
    number first), and how many documents match. Raises Unsupported."""
    best: list[tuple[float, int]] = []
    matched = 0
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
        reader = self.reader
        if type(q) is query.And:
            docs = None
            for sub in sorted(subs, key=lambda s: s.estimate_size(reader)):
                found = bulk._docs(self.searcher, reader, sub)
                docs = found if docs is None else docs & found
                if not docs:
                    return {}
            if restrict is not None:
                docs &= restrict
            if not docs:
                return {}
            parts = [(0 - sub.estimate_size(reader), self.scores(sub, docs)) for sub in subs]
            out = _weighted_tree(parts, _intersection)
        else:
            parts = [(sub.estimate_size(reader), self.scores(sub, restrict)) for sub in subs]
            out = _weighted_tree(parts, _union)
        if q.boost != 1.0:
            boost = q.boost
            out = {d: s * boost for d, s in out.items()}
        return out

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
        reader = self.reader
        field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        if field is None:
            return {}
        if not field.format or not field.format.supports("positions"):
            raise Unsupported("a phrase on a field without positions")
        btexts = [_btext(reader, q.fieldname, w) for w in q.words]
        if any(b is None for b in btexts):
            return {}
        docs = set(phrase_ids(reader, q.fieldname, q.words, q.slop))
        if restrict is not None:
            docs &= restrict
        if not docs:
            return {}
        # SpanNear2's matcher: a binary tree of intersections of the words' term matchers
        parts = [self.term(q.fieldname, None, 1.0, docs, btext=b) for b in btexts]
        out = _binary_tree(parts)
        if q.boost != 1.0:
            boost = q.boost
            out = {d: s * boost for d, s in out.items()}
        return out


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
