"""Text analysis shared by every engine, so a word is the same index term on each.

The chain is Whoosh's (the Whoosh engine indexes with its StemmingAnalyzer and
StandardAnalyzer): words by Whoosh's default token pattern, lower-cased, stop words and
one-letter words dropped, then Porter-stemmed by Whoosh's own stemmer. It is written out
here rather than built from `whoosh.analysis` because that package pulls in most of the
standard library (urllib, http, email) and a one-shot `foi search` on tantivy would spend
more time importing it than searching; `whoosh.lang.porter` alone imports only `re`.
tests/test_analysis_parity.py checks these functions against Whoosh's analyzers.

The tantivy engine indexes the analysed terms (a whitespace-separated string per field)
and analyses queries with them, so stemming, stop words, phrases and highlighting agree
across engines.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.lang.porter import stem as _porter_stem

# Whoosh's default_pattern (whoosh.analysis.tokenizers, r"[\w\*]+(\.?[\w\*]+)*"), compiled
# as rcompile does, with its group made non-capturing: it matches exactly what Whoosh's
# matches, and findall returns whole tokens without a Match object each.
_TOKENS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", re.UNICODE)
# Whoosh's English stop list (whoosh.analysis.filters.STOP_WORDS).
STOP_WORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "have",
        "if",
        "in",
        "is",
        "it",
        "may",
        "not",
        "of",
        "on",
        "or",
        "tbd",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "when",
        "will",
        "with",
        "yet",
        "you",
        "your",
    )
)
# Stemming lets "databases" find "database"; words of one letter are dropped from text.
MIN_WORD_LENGTH = 2
_stem = lru_cache(maxsize=50_000)(_porter_stem)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _TOKENS.findall(text)]


def _kept(word: str, minsize: int) -> bool:
    return len(word) >= minsize and word not in STOP_WORDS


class _TermCache(dict):
    """Token as written -> its index term, or None when the analyzer drops it. A document's
    words are mostly words seen before, so lower-casing, the stop list and the Porter
    stemmer (pure Python) run once per distinct token instead of once per occurrence: one
    dictionary lookup in C per token. Bounded: emptied when full, and a token longer than
    any word is analysed but not kept (hostile text costs its stemming, never memory)."""

    MAX_TOKENS = 100_000
    MAX_LENGTH = 64

    def __init__(self, minsize: int, stem: bool):
        super().__init__()
        self.minsize = minsize
        self.stem = stem

    def __missing__(self, token: str) -> str | None:
        word = token.lower()
        term = (_porter_stem(word) if self.stem else word) if _kept(word, self.minsize) else None
        if len(token) <= self.MAX_LENGTH:
            if len(self) >= self.MAX_TOKENS:
                self.clear()
            self[token] = term
        return term


_TEXT_TERMS = _TermCache(MIN_WORD_LENGTH, stem=True)
_NAME_TERMS = _TermCache(1, stem=False)


def text_terms(text: str) -> list[str]:
    """Index terms of document text (Whoosh's StemmingAnalyzer(minsize=2)), in order: the
    position of a term in the list is its position in Whoosh's token stream."""
    return [t for t in map(_TEXT_TERMS.__getitem__, _TOKENS.findall(text)) if t is not None]


def positioned_terms(text: str, names: bool = False) -> tuple[list[str], int]:
    """The terms of text_terms (of name_terms when `names`) and the position Whoosh indexes
    the first at: its stop filter leaves the first kept token its place in the token stream
    (the dropped words before it count) and numbers the ones after it consecutively."""
    cache = _NAME_TERMS if names else _TEXT_TERMS
    mapped = list(map(cache.__getitem__, _TOKENS.findall(text)))
    terms = [t for t in mapped if t is not None]
    first = next((i for i, t in enumerate(mapped) if t is not None), 0)
    return terms, first


def name_terms(text: str) -> list[str]:
    """Index terms of names and references: lower-cased words, no stemming ("Leeds" must
    not become "leed"), stop words dropped (Whoosh's StandardAnalyzer(minsize=1))."""
    return [t for t in map(_NAME_TERMS.__getitem__, _TOKENS.findall(text)) if t is not None]


def word_forms(word: str) -> set[str]:
    """Forms of a word of document text that may equal a matched term (for highlights):
    each token stemmed unless it is a stop or short word (Whoosh keeps those unstemmed
    when stop words are not removed), and the word lower-cased."""
    forms = {_stem(w) if _kept(w, MIN_WORD_LENGTH) else w for w in _words(word)}
    forms.add(word.lower())
    return forms


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS


def __getattr__(name: str):
    """TEXT_ANALYZER and NAME_ANALYZER, the Whoosh analyzers the Whoosh engine's schema
    uses (the same chain as above), built on first use so only that engine loads them."""
    if name in ("TEXT_ANALYZER", "NAME_ANALYZER"):
        from whoosh import analysis

        analyzers = {
            "TEXT_ANALYZER": analysis.StemmingAnalyzer(minsize=MIN_WORD_LENGTH, cachesize=50_000),
            "NAME_ANALYZER": analysis.StandardAnalyzer(minsize=1),
        }
        globals().update(analyzers)
        return analyzers[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
