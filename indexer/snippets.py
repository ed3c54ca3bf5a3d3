"""Best-passage snippets with highlight offsets, from stored page texts.

Pure text processing: the caller supplies the matched terms and a `normalise(word) -> set of
forms` function (the index's analyzer), so this module knows nothing of Whoosh. Only the
few words that can match are analysed, not whole documents: a regex over term prefixes
finds candidates, the analyzer confirms them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_LONG_SPACES = re.compile(r"\s{2,}")
_MAX_CANDIDATES = 400  # per page: enough to find the best window in any real document


@dataclass
class Snippet:
    """A passage of a document and the [start, end) spans of the query's words in it."""

    text: str
    highlights: list[list[int]] = field(default_factory=list)  # [start, end) into text
    page_index: int | None = None  # 0-based index into the page list
    distinct: int = 0  # how many different terms the passage matches


@dataclass(slots=True)
class Match:
    """One occurrence of a query term: [start, end) offsets into the text."""

    start: int
    end: int
    term: str


class Highlighter:
    """Finds matched words in text. `terms` are index terms (stemmed or plain words)."""

    def __init__(self, terms: set[str], normalise: Callable[[str], set[str]]):
        self.terms = {t for t in terms if t}
        self._normalise = normalise
        self._term_of: dict[str, str] = {}  # word as written -> the term it matches, "" for none
        prefixes = sorted({_prefix(t) for t in self.terms}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, prefixes))
        self._candidates = re.compile(r"\b(?:" + alternatives + r")\w*", re.IGNORECASE) if prefixes else None
        # The same scan over lower-cased text, case-sensitive: a case-insensitive alternation
        # steps through the text a character at a time, a case-sensitive one skips ahead to
        # the characters a prefix can start with (most of a snippet's cost). Longest prefix
        # first, as the alternation above tries them.
        lowered = sorted({p.lower() for p in prefixes}, key=len, reverse=True)
        self._lower_starts = re.compile("|".join(map(re.escape, lowered))) if prefixes else None

    def _words(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of the words that start with a term's prefix, in order."""
        lowered = text.lower()
        if len(lowered) != len(text):  # the lower-cased text's offsets would not be the text's
            return [(m.start(), m.end()) for m in self._candidates.finditer(text)]
        tail = _WORD_TAIL.match
        search = self._lower_starts.search
        words = []
        found = search(lowered)
        while found is not None:
            start = found.start()
            if start and _is_word_char(lowered[start - 1]):  # inside a word: not a word start
                found = search(lowered, start + 1)
                continue
            end = tail(text, found.end()).end()
            words.append((start, end))
            found = search(lowered, end)
        return words

    def term_of(self, word: str) -> str:
        """The term `word` matches, or ""."""
        term = self._term_of.get(word)
        if term is None:
            forms = self._normalise(word)
            term = next((f for f in forms if f in self.terms), None)
            if term is None:
                lower = word.lower()
                term = lower if lower in self.terms else ""
            self._term_of[word] = term
        return term

    def matches(self, text: str, limit: int = _MAX_CANDIDATES) -> list[Match]:
        if self._candidates is None:
            return []
        found = []
        known = self._term_of
        for start, end in self._words(text):
            word = text[start:end]
            term = known.get(word)
            if term is None:
                term = self.term_of(word)
            if term:
                found.append(Match(start, end, term))
                if len(found) >= limit:
                    break
        return found


_WORD_TAIL = re.compile(r"\w*")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _prefix(term: str) -> str:
    # Stems are not always prefixes of their words ("copi" / "copy", "happi" / "happy"):
    # drop the last character so the candidate regex still catches the word.
    return term if len(term) <= 2 else term[:-1]


def best_snippet(
    pages: list[str], highlighter: Highlighter, width: int = 200, boilerplate: list[list[list[int]]] | None = None
) -> Snippet:
    """The passage of about `width` characters that matches the most distinct terms.

    `boilerplate` holds per page the [start, end) spans of standard text (complaint rights,
    copyright notices): a passage outside them is preferred to any passage inside them, so
    a hit shows what the response says rather than what every response says."""
    best: tuple[tuple[int, int, int], int, list[Match], tuple[int, int]] | None = None
    for index, text in enumerate(pages):
        matches = highlighter.matches(text)
        if not matches:
            continue
        spans = boilerplate[index] if boilerplate and index < len(boilerplate) else []
        own = _outside(matches, spans) if spans else matches
        for substantive, candidates in ((1, own), (0, matches)):
            if not candidates:
                continue
            window = _best_window(candidates, width)
            key = (substantive, len({m.term for m in window}), len(window))
            if best is None or key > best[0]:
                # a passage of the substance stops where the standard text around it starts
                bounds = _gap(spans, window[0].start, window[-1].end, len(text)) if substantive else (0, len(text))
                best = (key, index, window, bounds)
            break
    if best is None:
        first = next((i for i, t in enumerate(pages) if t.strip()), 0)
        return _cut(pages[first] if pages else "", 0, 0, [], width, first)
    (_, distinct, _), index, window, bounds = best
    snippet = _cut(pages[index], window[0].start, window[-1].end, window, width, index, bounds)
    snippet.distinct = distinct
    return snippet


def _gap(spans: list[list[int]], start: int, end: int, length: int) -> tuple[int, int]:
    """The stretch of text between the boilerplate spans around [start, end)."""
    low = max((e for s, e in spans if e <= start), default=0)
    high = min((s for s, e in spans if s >= end), default=length)
    return low, high


def _outside(matches: list[Match], spans: list[list[int]]) -> list[Match]:
    """The matches that start outside every [start, end) span: the spans merged in order
    once, then a binary search per match (a page may hold hundreds of each)."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(spans):
        if s >= e:
            continue
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    out = []
    for m in matches:
        k = bisect_right(starts, m.start) - 1
        if k < 0 or m.start >= ends[k]:
            out.append(m)
    return out


def _best_window(matches: list[Match], width: int) -> list[Match]:
    """Sliding window over match positions: most distinct terms, then most matches."""
    best: list[Match] = matches[:1]
    best_key = (1, 1)
    left = 0
    for right in range(len(matches)):
        while matches[right].end - matches[left].start > width:
            left += 1
        window = matches[left : right + 1]
        key = (len({m.term for m in window}), len(window))
        if key > best_key:
            best, best_key = window, key
    return best


def _cut(
    text: str, start: int, end: int, window: list[Match], width: int, page: int, bounds: tuple[int, int] | None = None
) -> Snippet:
    """Cut `text` around [start, end) to about `width` characters at word boundaries,
    within `bounds` when given."""
    floor, ceiling = bounds or (0, len(text))
    slack = max(0, width - (end - start))
    lo = max(floor, start - slack // 2)
    hi = min(ceiling, end + (slack - (start - lo)))
    lo = max(floor, min(lo, hi - width))
    # move inward to whole words (a bound is a paragraph edge already)
    if lo > floor:
        space = text.find(" ", lo, start) if start > lo else -1
        lo = space + 1 if space != -1 else lo
        while lo < start and not text[lo].isspace() and lo > 0 and text[lo - 1].isalnum():
            lo += 1
    if hi < ceiling:
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    raw = text[lo:hi]
    # Collapse whitespace (line breaks inside a snippet read badly) while keeping exact
    # highlight offsets: a position moves left by what the whitespace runs before it lost.
    run_ends: list[int] = []
    lost: list[int] = []
    total = 0
    for run in _LONG_SPACES.finditer(raw):  # a run of one character keeps its length
        total += len(run.group(0)) - 1
        run_ends.append(run.end())
        lost.append(total)

    def moved(x: int) -> int:
        k = bisect_right(run_ends, x)
        return x - (lost[k - 1] if k else 0)

    body = _SPACES.sub(" ", raw)
    lead = body[: len(body) - len(body.lstrip())]
    body_stripped = body.strip()
    shift = len(lead)
    prefix = ELLIPSIS if lo > 0 else ""
    suffix = ELLIPSIS if hi < len(text) else ""
    highlights = []
    for m in window:
        s = moved(m.start - lo) - shift + len(prefix)
        e = moved(m.end - lo) - shift + len(prefix)
        highlights.append([s, e])
    return Snippet(prefix + body_stripped + suffix, highlights, page)
