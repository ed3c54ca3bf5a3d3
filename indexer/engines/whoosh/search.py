"""The query tree (indexer.query) compiled to Whoosh queries, with Whoosh's speed tricks:
common-gram phrases answered from the bigram field, filters joined as zero-scoring ANDs,
wildcard and fuzzy words expanded once against the index, with a cap.
"""

from __future__ import annotations

from itertools import islice

from whoosh import query

from indexer import query as q
from indexer.engines.whoosh.bulk import VerifiedPhrase
from indexer.engines.whoosh.filters import DayRange
from indexer.engines.whoosh.schema import (
    GRAM_FIELDS,
    NAME_ANALYZER,
    QUERY_FIELDS,
    TEXT_ANALYZER,
    common_grams,
    is_common_gram,
    is_common_trigram,
)
from indexer.results import QueryError

# Every Or as a tree of union matchers. Whoosh's default picks, for a segment of up to 5,000
# documents, a matcher that first reads every sub-query's matches into an array (clearing
# 2,048 slots in Python per block): with the segments of a bulk build, twice the time of
# the tree on the benchmark's 300 queries at 10,000 documents (p50 115 -> 59 ms of CPU, the
# same hits).
query.Or.matcher_type = query.Or.DEFAULT_MATCHER

# `authority:` and `reference:` typed by a user mean the analysed, forgiving forms
TEXT_FIELD_NAMES = {"authority": "authority_text", "reference": "reference_text"}
HIGHLIGHT_FIELDS = ("title", "content", "boilerplate", "request", "qa", "reference_text", "authority_text")
EXACT_FIELDS = {
    "exemption": "exemption",
    "outcome": "outcome",
    "kind": "kind",
    "doc_id": "doc_id",
    "parent": "parent",
    "authority_key": "authority_key",
}
# the query tree's date fields -> the schema's day-number fields
DAY_FIELDS = {"date": "day", "request_date": "request_day"}


def analyzer_for(fieldname: str):
    return NAME_ANALYZER if fieldname in ("authority_text", "reference_text") else TEXT_ANALYZER


def analyse(fieldname: str, text: str) -> list[str]:
    return [t.text for t in analyzer_for(fieldname)(text)]


class Compiler:
    """One query's compilation against one reader: collects the matched terms (for
    highlights) and notes (capped expansions) as it goes."""

    def __init__(self, reader, accelerate: bool = True):
        self.reader = reader
        self.accelerate = accelerate
        self.terms: set[str] = set()
        self.notes: list[str] = []
        self.words: list[str] = []  # words typed, for the "nothing left to search" message

    def compile(self, node: q.Node, positive: bool = True):
        """The Whoosh query of `node`; a NOT with nothing positive beside it is anchored on
        Every(), as Whoosh's own Not alone (its inverse matcher) lets documents through over
        segments with deletions."""
        compiled = self._compile(node, positive)
        return self._anchored(compiled)

    @staticmethod
    def _anchored(compiled):
        return query.And([query.Every(), compiled]) if isinstance(compiled, query.Not) else compiled

    def _compile(self, node: q.Node, positive: bool = True):
        if isinstance(node, q.Every):
            return query.Every()
        if isinstance(node, q.And):
            parts = [p for p in (self._compile(c, positive) for c in node.children) if p is not None]
            if not parts:
                return None
            if all(isinstance(p, query.Not) for p in parts):
                parts.insert(0, query.Every())
            return parts[0] if len(parts) == 1 and node.boost == 1.0 else query.And(parts, boost=node.boost)
        if isinstance(node, q.Or):
            parts = [self._anchored(p) for p in (self._compile(c, positive) for c in node.children) if p is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 and node.boost == 1.0 else query.Or(parts, boost=node.boost)
        if isinstance(node, q.Not):
            inner = self._anchored(self._compile(node.child, not positive))
            return None if inner is None else query.Not(inner)
        if isinstance(node, q.AndMaybe):
            required = self._anchored(self._compile(node.required, positive))
            optional = self._compile(node.optional, positive)
            if required is None:
                return None
            return required if optional is None else query.AndMaybe(required, optional)
        if isinstance(node, q.Proximity):
            return self.proximity(node)
        if isinstance(node, (q.Term, q.Phrase, q.Wildcard, q.Fuzzy)):
            fields = [TEXT_FIELD_NAMES.get(node.field, node.field)] if node.field else list(QUERY_FIELDS)
            parts = []
            for name in fields:
                boost = QUERY_FIELDS.get(name, 1.0) if node.field is None else 1.0
                part = self.leaf(node, name, boost * node.boost, positive)
                if part is not None:
                    parts.append(part)
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else query.Or(parts)
        if isinstance(node, q.Exact):
            if node.field in ("ncnd", "ocr"):
                return query.Term(node.field, node.value == "1")
            return query.Term(EXACT_FIELDS[node.field], node.value)
        if isinstance(node, q.DateRange):
            start = node.start.toordinal() if node.start else None
            end = node.end.toordinal() if node.end else None
            if start is not None and end is not None and start > end:
                return query.NullQuery
            return DayRange(DAY_FIELDS[node.field], start, end)
        if isinstance(node, q.NumberRange):
            if node.low is not None and node.high is not None and node.low > node.high:
                return query.NullQuery
            return query.NumericRange(node.field, node.low, node.high)
        raise QueryError(f"cannot run this part of the query: {node!r}")

    def leaf(self, node, fieldname: str, boost: float, positive: bool):
        if isinstance(node, q.Term):
            self.words.append(node.text)
            texts = analyse(fieldname, node.text)
            if not texts:
                return None
            if positive:
                self._note_terms(fieldname, texts)
            if len(texts) == 1:
                return query.Term(fieldname, texts[0], boost=boost)
            return query.And([query.Term(fieldname, t) for t in texts], boost=boost)
        if isinstance(node, q.Phrase):
            self.words.extend(node.words)
            texts = analyse(fieldname, " ".join(node.words))
            if not texts:
                return None
            if positive:
                self._note_terms(fieldname, texts)
            if len(texts) == 1:
                return query.Term(fieldname, texts[0], boost=boost)
            phrase = VerifiedPhrase(fieldname, texts, slop=node.slop, boost=boost)
            return accelerate_phrases(phrase) if self.accelerate else phrase
        if isinstance(node, q.Wildcard):
            prefix = node.pattern.rstrip("*")
            pattern = (
                query.Prefix(fieldname, prefix)
                if "*" not in prefix and "?" not in prefix
                else query.Wildcard(fieldname, node.pattern)
            )
            return self._expanded(pattern, fieldname, node.pattern, boost, positive)
        if isinstance(node, q.Fuzzy):
            texts = analyse(fieldname, node.text)
            if len(texts) != 1:
                self.words.append(node.text)
                return None
            fuzzy = query.FuzzyTerm(fieldname, texts[0], maxdist=node.distance, prefixlength=node.prefix)
            return self._expanded(fuzzy, fieldname, node.text + "~", boost, positive)
        raise AssertionError(node)

    def _expanded(self, multi, fieldname: str, shown: str, boost: float, positive: bool):
        """A wildcard or fuzzy word as an OR of at most MAX_EXPANSIONS index terms."""
        try:
            found = list(islice(multi._btexts(self.reader), q.MAX_EXPANSIONS + 1))
        except Exception as exc:  # an odd pattern Whoosh cannot turn into a regex
            raise QueryError(f"cannot read '{shown}' ({type(exc).__name__})") from None
        if len(found) > q.MAX_EXPANSIONS:
            note = f"{shown} matches more than {q.MAX_EXPANSIONS} words; searched the first {q.MAX_EXPANSIONS}"
            if note not in self.notes:
                self.notes.append(note)
            found = found[: q.MAX_EXPANSIONS]
        texts = [t.decode("utf-8") if isinstance(t, bytes) else t for t in found]
        if positive and fieldname in HIGHLIGHT_FIELDS:
            self.terms.update(texts)
        if not texts:
            return query.NullQuery
        return query.Or([query.Term(fieldname, t) for t in texts], boost=boost)

    def _note_terms(self, fieldname: str, texts: list[str]) -> None:
        if fieldname in HIGHLIGHT_FIELDS:
            self.terms.update(t for t in texts if (fieldname, t) in self.reader)

    def proximity(self, node: q.Proximity):
        """Adjacent pairs of the typed words, looked up in the bigram field: as good a
        proximity signal as a sloppy phrase, at the cost of a term lookup."""
        words = [t.text for t in TEXT_ANALYZER(" ".join(node.words))]
        if len(words) < 2:
            return None
        near = [
            query.Term("bigrams", f"{a} {b}", boost=2.0)
            if is_common_gram(a, b)
            else VerifiedPhrase("content", [a, b], boost=2.0)
            for a, b in zip(words, words[1:])
        ]
        near.append(VerifiedPhrase("title", words, slop=2, boost=3.0))
        return query.Or(near)


def accelerate_phrases(qry):
    """Content and boilerplate phrases answered from their common-gram fields (GRAM_FIELDS):
    the same documents, found faster.

    A two-word phrase with a common word is exactly one common-gram term. Longer phrases
    require their common grams first, so the positions check runs only on documents that
    can match. Phrases of rare words are cheap already and stay as they are."""
    if isinstance(qry, query.Phrase):
        field = GRAM_FIELDS.get(qry.fieldname)
        if field is None or qry.slop != 1 or len(qry.words) < 2:
            return qry
        if len(qry.words) == 3 and is_common_trigram(qry.words):
            return query.Term(field, " ".join(qry.words), boost=qry.boost)
        grams = [query.Term(field, gram) for gram in common_grams(list(qry.words))]
        if not grams:
            return qry
        if len(qry.words) == 2:
            grams[0].boost = qry.boost
            return grams[0]
        return query.And([*grams, qry], boost=qry.boost)
    if qry.is_leaf():
        return qry
    return qry.apply(accelerate_phrases)
