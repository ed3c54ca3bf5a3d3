"""The query tree (indexer.query) compiled to tantivy queries.

Words are analysed with the shared analysis, so a term here is the term the Whoosh engine
looks up; wildcard and fuzzy words are expanded against the term dictionary (same first
letter for fuzzy, as Whoosh does) with the same cap, then searched as a set of terms.
"""

from __future__ import annotations

import fnmatch
import re

import tantivy

from indexer import query as q
from indexer.engines.analysis import name_terms, text_terms
from indexer.fields import DEFAULT_FIELDS
from indexer.results import QueryError

Occur = tantivy.Occur
Query = tantivy.Query
TEXT_FIELD_NAMES = {"authority": "authority_text", "reference": "reference_text"}
HIGHLIGHT_FIELDS = ("title", "content", "boilerplate", "request", "qa", "reference_text", "authority_text")
INTEGER = tantivy.FieldType.Integer


def analyse(fieldname: str, text: str) -> list[str]:
    return name_terms(text) if fieldname in ("authority_text", "reference_text") else text_terms(text)


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau-Levenshtein distance, the one Whoosh's fuzzy terms use
    (whoosh.support.levenshtein.distance, whose module would load Whoosh's compat layer):
    `limit + 1` as soon as every cell of a row is over `limit`."""
    oneago: list[int] = []
    thisrow = list(range(1, len(b) + 1)) + [0]
    for x in range(len(a)):
        # the leftmost column lives at the end of the row, so index -1 reads it
        twoago, oneago, thisrow = oneago, thisrow, [0] * len(b) + [x + 1]
        for y in range(len(b)):
            thisrow[y] = min(oneago[y] + 1, thisrow[y - 1] + 1, oneago[y - 1] + (a[x] != b[y]))
            if x > 0 and y > 0 and a[x] == b[y - 1] and a[x - 1] == b[y] and a[x] != b[y]:
                thisrow[y] = min(thisrow[y], twoago[y - 2] + 1)
        if limit and x > limit and min(thisrow) > limit:
            return limit + 1
    return thisrow[len(b) - 1]


def close_terms(searcher, fieldname: str, term: str, maxdist: int, prefix: int = 1) -> list[tuple[int, int, str]]:
    """(distance, -frequency, term) of the field's terms within `maxdist` edits of `term`
    that share its first `prefix` letters, closest and most frequent first."""
    found = []
    for text, freq in searcher.terms_with_prefix(fieldname, term[:prefix]):
        if abs(len(text) - len(term)) > maxdist:
            continue
        d = edit_distance(text, term, limit=maxdist + 1)
        if d <= maxdist:
            found.append((d, -freq, text))
    found.sort()
    return found


def _and(parts: list, boost: float = 1.0):
    query = parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, p) for p in parts])
    return Query.boost_query(query, boost) if boost != 1.0 else query


def _or(parts: list, boost: float = 1.0):
    query = parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Should, p) for p in parts])
    return Query.boost_query(query, boost) if boost != 1.0 else query


class Compiler:
    """One query's compilation against one searcher; collects matched terms and notes."""

    def __init__(self, searcher, schema):
        self.searcher = searcher
        self.schema = schema
        self.terms: set[str] = set()
        self.notes: list[str] = []
        self.words: list[str] = []

    def compile(self, node: q.Node, positive: bool = True):
        if isinstance(node, q.Every):
            return Query.all_query()
        if isinstance(node, q.And):
            parts = [(c, self.compile(c, positive)) for c in node.children]
            parts = [(c, p) for c, p in parts if p is not None]
            if not parts:
                return None
            clauses = [(Occur.MustNot, p.inner) if isinstance(p, _Negated) else (Occur.Must, p) for _, p in parts]
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.insert(0, (Occur.Must, Query.all_query()))
            if len(clauses) == 1 and node.boost == 1.0:
                return clauses[0][1]
            query = Query.boolean_query(clauses)
            return Query.boost_query(query, node.boost) if node.boost != 1.0 else query
        if isinstance(node, q.Or):
            parts = [self._positive(self.compile(c, positive)) for c in node.children]
            parts = [p for p in parts if p is not None]
            return _or(parts, node.boost) if parts else None
        if isinstance(node, q.Not):
            inner = self.compile(node.child, not positive)
            if inner is None:
                return None
            return _Negated(self._positive(inner))
        if isinstance(node, q.AndMaybe):
            required = self._positive(self.compile(node.required, positive))
            optional = self._positive(self.compile(node.optional, positive))
            if required is None:
                return None
            if optional is None:
                return required
            return Query.boolean_query([(Occur.Must, required), (Occur.Should, optional)])
        if isinstance(node, q.Proximity):
            return self.proximity(node)
        if isinstance(node, (q.Term, q.Phrase, q.Wildcard, q.Fuzzy)):
            fields = [TEXT_FIELD_NAMES.get(node.field, node.field)] if node.field else list(DEFAULT_FIELDS)
            parts = []
            for name in fields:
                boost = DEFAULT_FIELDS.get(name, 1.0) if node.field is None else 1.0
                part = self.leaf(node, name, boost * node.boost, positive)
                if part is not None:
                    parts.append(part)
            return _or(parts) if parts else None
        if isinstance(node, q.Exact):
            if node.field in ("ncnd", "ocr"):
                return Query.term_query(self.schema, node.field, node.value == "1")
            return Query.term_query(self.schema, node.field, node.value)
        if isinstance(node, q.DateRange):
            low = int(node.start.strftime("%Y%m%d")) if node.start else None
            high = int(node.end.strftime("%Y%m%d")) if node.end else None
            return self._range(node.field, low, high)
        if isinstance(node, q.NumberRange):
            return self._range(node.field, node.low, node.high)
        raise QueryError(f"cannot run this part of the query: {node!r}")

    def _positive(self, query):
        """A NOT standing alone (inside OR, or as a whole query): every document but those."""
        if isinstance(query, _Negated):
            return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, query.inner)])
        return query

    def finish(self, query):
        return self._positive(query)

    def _range(self, fieldname: str, low: int | None, high: int | None):
        if low is not None and high is not None and low > high:
            return Query.empty_query()
        return Query.range_query(self.schema, fieldname, INTEGER, low, high)

    def leaf(self, node, fieldname: str, boost: float, positive: bool):
        if isinstance(node, (q.Term, q.Phrase)):
            words = [node.text] if isinstance(node, q.Term) else list(node.words)
            self.words.extend(words)
            texts = analyse(fieldname, " ".join(words))
            if not texts:
                return None
            if positive:
                self._note_terms(fieldname, texts)
            if len(texts) == 1:
                query = Query.term_query(self.schema, fieldname, texts[0])
            elif isinstance(node, q.Term):  # one typed word that analyses to several terms
                query = _and([Query.term_query(self.schema, fieldname, t) for t in texts])
            else:
                query = Query.phrase_query(self.schema, fieldname, texts, slop=max(0, node.slop - 1))
            return Query.boost_query(query, boost) if boost != 1.0 else query
        if isinstance(node, q.Wildcard):
            literal = re.match(r"[^*?]*", node.pattern).group(0)
            matcher = re.compile(fnmatch.translate(node.pattern))
            found = []
            for text, _ in self.searcher.terms_with_prefix(fieldname, literal):
                if matcher.match(text):
                    found.append(text)
                    if len(found) > q.MAX_EXPANSIONS:
                        break
            return self._expanded(found, fieldname, node.pattern, boost, positive)
        if isinstance(node, q.Fuzzy):
            texts = analyse(fieldname, node.text)
            if len(texts) != 1:
                self.words.append(node.text)
                return None
            found = [t for _, _, t in close_terms(self.searcher, fieldname, texts[0], node.distance, node.prefix)]
            found.sort()
            return self._expanded(found, fieldname, node.text + "~", boost, positive)
        raise AssertionError(node)

    def _expanded(self, found: list[str], fieldname: str, shown: str, boost: float, positive: bool):
        if len(found) > q.MAX_EXPANSIONS:
            note = f"{shown} matches more than {q.MAX_EXPANSIONS} words; searched the first {q.MAX_EXPANSIONS}"
            if note not in self.notes:
                self.notes.append(note)
            found = found[: q.MAX_EXPANSIONS]
        if positive and fieldname in HIGHLIGHT_FIELDS:
            self.terms.update(found)
        if not found:
            return Query.empty_query()
        return _or([Query.term_query(self.schema, fieldname, t) for t in found], boost)

    def _note_terms(self, fieldname: str, texts: list[str]) -> None:
        if fieldname in HIGHLIGHT_FIELDS:
            self.terms.update(t for t in texts if self.searcher.doc_freq(fieldname, t) > 0)

    def proximity(self, node: q.Proximity):
        """Documents where the typed words stand together rank first: adjacent pairs as
        content phrases, all of them as a title phrase with a little slop."""
        words = text_terms(" ".join(node.words))
        if len(words) < 2:
            return None
        near = [
            Query.boost_query(Query.phrase_query(self.schema, "content", [a, b]), 2.0) for a, b in zip(words, words[1:])
        ]
        near.append(Query.boost_query(Query.phrase_query(self.schema, "title", words, slop=1), 3.0))
        return _or(near)


class _Negated:
    """A compiled NOT, joined by its parent as a MustNot clause."""

    def __init__(self, inner):
        self.inner = inner
