"""Results of pure functions of text remembered per process, bounded in what they keep.

Standard passages repeat from one FOI response to the next (sentences, paragraphs, the
words of authority names), so the extraction workers judge each distinct one once. The
memory stays bounded whatever the documents hold: so many entries, each of a text no
longer than a limit. A longer text (a table, a page without full stops, hostile input) is
computed every time and never kept: it repeats rarely and costs time, never memory.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, update_wrapper
from typing import TypeVar

T = TypeVar("T")


def cached_when_short(maxsize: int, max_length: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Decorate `f(text)`: remembered (least recently used first out, `maxsize` entries) for a
    text of at most `max_length` characters, computed afresh for a longer one. The result
    keeps the cache's cache_info and cache_clear."""

    def decorate(f: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(f)

        def call(text: str) -> T:
            return cached(text) if len(text) <= max_length else f(text)

        update_wrapper(call, f)
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
