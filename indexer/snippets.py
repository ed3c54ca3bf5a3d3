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
from functools import lru_cache

ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_LONG_SPACES = re.compile(r"\s{2,}")
_MAX_CANDIDATES = 400  # per page: enough to find the best window in any real document


@dataclass
class Snippet:
    text: str
    highlights: list[list[int]] = field(default_factory=list)  # [start, end) into text
    page_index: int | None = None  # 0-based index into the page list
    distinct: int = 0  # how many different terms the passage matches


@dataclass
class Match:
    start: int
    end: int
    term: str


class Highlighter:
    """Finds matched words in text. `terms` are index terms (stemmed or plain words)."""

    def __init__(self, terms: set[str], normalise: Callable[[str], set[str]]):
        self.terms = {t for t in terms if t}
        self._normalise = lru_cache(maxsize=4096)(normalise)
        prefixes = sorted({_prefix(t) for t in self.terms}, key=len, reverse=True)
        self._prefixes = [p.lower() for p in prefixes]
        self._candidates = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.IGNORECASE)
            if prefixes
            else None
        )

    def _words(self, text: str):
        """(start, end) of the words that start with a term's prefix, in order.

        str.find on the lower-cased text runs at C speed where a case-insensitive regex
        alternation steps through the text a character at a time (most of a snippet's cost);
        the regex remains for text whose lower-casing changes its length."""
        lowered = text.lower()
        if len(lowered) != len(text):
            yield from ((m.start(), m.end()) for m in self._candidates.finditer(text))
            return
        starts: dict[int, str] = {}
        for prefix in self._prefixes:  # longest first, as the regex alternation tries them
            i = lowered.find(prefix)
            while i != -1:
                if i not in starts and (i == 0 or not _is_word_char(lowered[i - 1])):
                    starts[i] = prefix
                i = lowered.find(prefix, i + 1)
        last_end = 0
        for i in sorted(starts):
            if i < last_end:  # inside the previous word (the regex does not overlap matches)
                continue
            end = _WORD_TAIL.match(text, i + len(starts[i])).end()
            last_end = end
            yield i, end

    def matches(self, text: str, limit: int = _MAX_CANDIDATES) -> list[Match]:
        if self._candidates is None:
            return []
        found = []
        for start, end in self._words(text):
            word = text[start:end]
            forms = self._normalise(word)
            hit = next((f for f in forms if f in self.terms), None)
            if hit is None and word.lower() in self.terms:
                hit = word.lower()
            if hit is not None:
                found.append(Match(start, end, hit))
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


def best_snippet(pages: list[str], highlighter: Highlighter, width: int = 200) -> Snippet:
    """The passage of about `width` characters that matches the most distinct terms."""
    best: tuple[tuple[int, int], int, list[Match]] | None = None
    for index, text in enumerate(pages):
        matches = highlighter.matches(text)
        if not matches:
            continue
        window = _best_window(matches, width)
        key = (len({m.term for m in window}), len(window))
        if best is None or key > best[0]:
            best = (key, index, window)
    if best is None:
        first = next((i for i, t in enumerate(pages) if t.strip()), 0)
        return _cut(pages[first] if pages else "", 0, 0, [], width, first)
    (distinct, _), index, window = best
    snippet = _cut(pages[index], window[0].start, window[-1].end, window, width, index)
    snippet.distinct = distinct
    return snippet


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


def _cut(text: str, start: int, end: int, window: list[Match], width: int, page: int) -> Snippet:
    """Cut `text` around [start, end) to about `width` characters at word boundaries."""
    slack = max(0, width - (end - start))
    lo = max(0, start - slack // 2)
    hi = min(len(text), end + (slack - (start - lo)))
    lo = max(0, min(lo, hi - width))
    # move inward to whole words
    if lo > 0:
        space = text.find(" ", lo, start) if start > lo else -1
        lo = space + 1 if space != -1 else lo
        while lo < start and not text[lo].isspace() and lo > 0 and text[lo - 1].isalnum():
            lo += 1
    if hi < len(text):
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
