"""Text analysis shared by every engine, so a word is the same index term on each.

Whoosh's analysis library (pure Python) does it: the Whoosh engine indexes with it, and the
tantivy engine indexes the analysed terms (a whitespace-separated string per field, with
stop words removed and positions renumbered exactly as Whoosh does) and analyses queries
with it. Stemming, stop words, phrases and highlighting then agree across engines.
"""
from __future__ import annotations

from whoosh import analysis
from whoosh.analysis import STOP_WORDS

# Stemming lets "databases" find "database"; the stop list is Whoosh's English one; words
# of one letter are dropped.
TEXT_ANALYZER = analysis.StemmingAnalyzer(minsize=2, cachesize=50_000)
# Names and references: lower-cased words, no stemming ("Leeds" must not become "leed").
NAME_ANALYZER = analysis.StandardAnalyzer(minsize=1)
MIN_WORD_LENGTH = 2


def text_terms(text: str) -> list[str]:
    return [t.text for t in TEXT_ANALYZER(text)]


def name_terms(text: str) -> list[str]:
    return [t.text for t in NAME_ANALYZER(text)]


def word_forms(word: str) -> set[str]:
    """Forms of a word of document text that may equal a matched term (for highlights)."""
    forms = {t.text for t in TEXT_ANALYZER(word, removestops=False)}
    forms.add(word.lower())
    return forms


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS
