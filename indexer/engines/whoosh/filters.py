"""Filters for Whoosh queries: date ranges from the day columns, and constant-score filters
whose matches are skipped through by binary search.

A date range is answered per segment from its day column (schema.py: `day`, `request_day`),
sorted once by day: two binary searches give the documents in the range. Whoosh's own
numeric range is a union of a few dozen trie terms' postings, built and walked in Python
on every query (most of the time of a date filter over a broad query).

Whoosh's ConstantScoreQuery reads its matches into a list whose skip_to steps through it
one document at a time in Python; a filter joined to a query is skipped through once per
match of the query, so a broad filter cost a step per filtered document.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

from whoosh import matching, query
from whoosh.matching import ReadTooFar

from indexer.engines.whoosh.schema import UNDATED, column_numbers

_CACHE = "_foi_days"  # attribute of a segment reader: fieldname -> (days in order, docnums in that order)


def _sorted_days(reader, fieldname: str) -> tuple[array, list[int]]:
    """The segment's days in ascending order, and the document numbers in that order
    (computed once per segment reader: a segment never changes, only its deletions do)."""
    cache = reader.__dict__.setdefault(_CACHE, {})
    if fieldname not in cache:
        values = column_numbers(reader, fieldname)
        order = sorted(range(len(values)), key=values.__getitem__)
        cache[fieldname] = (array("I", map(values.__getitem__, order)), order)
    return cache[fieldname]


def documents_in_range(reader, fieldname: str, start: int | None, end: int | None) -> list[int]:
    """Live document numbers of one segment whose day lies in [start, end] (None: open),
    ascending. Documents without the date are in no range."""
    days, order = _sorted_days(reader, fieldname)
    low = bisect_left(days, start) if start is not None else 0
    high = bisect_right(days, min(end, UNDATED - 1) if end is not None else UNDATED - 1)
    found = sorted(order[low:high])
    if found and reader.has_deletions():
        deleted = reader.deleted_docs_set
        found = [docnum for docnum in found if docnum not in deleted]
    return found


class DayRange(query.Query):
    """Documents whose day in `fieldname` lies in [start, end] (day numbers; None is open),
    each scoring `boost`, as Whoosh's constant-score numeric range did."""

    def __init__(self, fieldname: str, start: int | None, end: int | None, boost: float = 1.0):
        self.fieldname = fieldname
        self.start = start
        self.end = end
        self.boost = boost

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {self.start!r}, {self.end!r}, boost={self.boost!r})"

    def __eq__(self, other) -> bool:
        return (
            type(other) is type(self)
            and other.fieldname == self.fieldname
            and other.start == self.start
            and other.end == self.end
            and other.boost == self.boost
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.start, self.end, self.boost))

    def __unicode__(self) -> str:
        return f"{self.fieldname}:[{self.start} TO {self.end}]"

    __str__ = __unicode__

    def is_leaf(self) -> bool:
        return True

    def field(self) -> str:
        return self.fieldname

    def terms(self, phrases: bool = False):
        return iter(())  # nothing indexed: no term for highlighting or spelling

    def estimate_size(self, ixreader) -> int:
        return ixreader.doc_count()

    def matcher(self, searcher, context=None):
        found = []
        for reader, offset in searcher.reader().leaf_readers():
            found.extend(offset + docnum for docnum in documents_in_range(reader, self.fieldname, self.start, self.end))
        if not found:
            return matching.NullMatcher()
        return IdsMatcher(found, self.boost)


class ConstantScore(query.ConstantScoreQuery):
    """Whoosh's ConstantScoreQuery, its matches skipped through by binary search."""

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if (context is not None and context.needs_current) or isinstance(m, matching.NullMatcherClass):
            return m
        return IdsMatcher(m.all_ids() if isinstance(m, IdsMatcher) else list(m.all_ids()), self.score)


class IdsMatcher(matching.ListMatcher):
    """A ListMatcher over ascending document numbers that skips by binary search and
    scores a constant."""

    def __init__(self, ids: list[int], boost: float):
        super().__init__(ids)
        self._boost = boost

    def all_ids(self):
        return self._ids

    def copy(self) -> "IdsMatcher":
        twin = IdsMatcher(self._ids, self._boost)
        twin._i = self._i
        return twin

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)

    def weight(self) -> float:
        return self._boost

    def score(self) -> float:
        return self._boost

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self._boost

    def block_quality(self) -> float:
        return self._boost
