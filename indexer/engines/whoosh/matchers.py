"""Two of Whoosh's matcher steps done with less Python per posting: the same documents,
spans and scores, found faster.

- Skipping within a postings block: whoosh-reloaded 2.7.5's W3LeafMatcher.skip_to steps
  one posting at a time (two method calls each) to the target; a block's ids are a sorted
  sequence, so a binary search finds the same posting.
- Phrase positions: SpanNear2 (what a Phrase runs) builds a Span object per position of
  every word in every candidate document and compares them pairwise through methods. For
  words whose postings hold positions only (all of foi's text fields), the same spans are
  worked out on plain integers and turned into Span objects at the end.

Both replace methods of Whoosh's classes when this module is imported (as views.py does).
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar
from whoosh.matching.mcore import LeafMatcher
from whoosh.query.spans import Span, SpanNear2


_whoosh_skip_to = W3LeafMatcher.skip_to


def skip_to(self, targetid) -> None:
    """W3LeafMatcher.skip_to: to the first posting at or after `targetid`."""
    if not self.is_active():
        raise ReadTooFar
    if self._ids is None:
        self._read_ids()
    if targetid <= self._ids[self._i]:
        return
    if targetid > self._maxid:  # past this block: to the block that would hold it
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
        if self._ids is None:
            self._read_ids()
    # The block's last id is its maximum, which is >= targetid: the posting is in this block.
    self._i = bisect_left(self._ids, targetid, self._i, self._blocklength)


def _positions_only(matchers) -> bool:
    return all(
        isinstance(m, LeafMatcher) and m.supports("positions") and not m.supports("characters") for m in matchers
    )


_whoosh_get_spans = SpanNear2.SpanNear2Matcher._get_spans


def get_spans(self) -> list[Span]:
    """SpanNear2Matcher._get_spans: the spans where the words stand in order within `slop`
    (and at least `mindist` apart), on integers when every word's postings hold positions only."""
    plain = self.__dict__.get("_plain_positions")
    if plain is None:
        plain = self._plain_positions = self.ordered and _positions_only(self.ms)
    if not plain:
        return _whoosh_get_spans(self)
    slop, mindist = self.slop, self.mindist
    spans = [(p, p) for p in self.ms[0].value_as("positions")]
    for matcher in self.ms[1:]:
        if not spans:
            return []
        positions = matcher.value_as("positions")
        n = len(positions)
        found = set()
        for start, end in spans:
            j = bisect_left(positions, start)  # in order: the next word starts at or after this span
            limit = end + slop
            while j < n:
                pos = positions[j]
                if pos > limit:
                    break
                j += 1
                dist = pos - end if pos > end else 0  # a position inside the span overlaps it
                if mindist <= dist:
                    found.add((start, end if pos <= end else pos))
        spans = sorted(found)
    return [Span(start, end) for start, end in spans]


W3LeafMatcher.skip_to = skip_to
SpanNear2.SpanNear2Matcher._get_spans = get_spans
