"""The shared analysis (indexer/engines/analysis.py) is written out without Whoosh's
analysis package; these tests hold it to Whoosh's analyzers, token for token, so the two
engines keep indexing and querying the same terms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import analysis as wa
from whoosh.support.levenshtein import distance as whoosh_distance

from indexer.engines import analysis
from indexer.engines.tantivy.search import edit_distance

WHOOSH_TEXT = wa.StemmingAnalyzer(minsize=2, cachesize=50_000)
WHOOSH_NAME = wa.StandardAnalyzer(minsize=1)

SAMPLES = [
    "",
    "   ",
    "The Metropolitan Police Service's databases were copied.",
    "Section 40(2) and s.43(2); FOI-2024/0001 refused under s40(3A)(a)",
    "e.g. U.S. policy v1.2.3 … naïve café ÉCOLE straße İstanbul",
    "a b c I x to be or not to be tbd us we yet",
    "happy happiness copying copies running",
    "wild*card te*st ** *",
    "__init__ foo_bar 2023-04-01 12:30 £1,000.50",
    "Ⅻ ½ ² ٣٤ 中文字符 日本語",
    "tab\tseparated\nnew\r\nline",
]
# letters, digits, punctuation, spaces and some non-ASCII, so tokens, dots, stars and
# unicode lower-casing are all exercised
TEXT = st.text(alphabet=st.sampled_from(list("abcdeiostuyAEIOUZ019 .,*'_-\n") + list("éßİΣ½²中")), max_size=60)


def whoosh_forms(word: str) -> set[str]:
    forms = {t.text for t in WHOOSH_TEXT(word, removestops=False)}
    forms.add(word.lower())
    return forms


@pytest.mark.parametrize("text", SAMPLES)
def test_terms_equal_whooshs_on_samples(text):
    assert analysis.text_terms(text) == [t.text for t in WHOOSH_TEXT(text)]
    assert analysis.name_terms(text) == [t.text for t in WHOOSH_NAME(text)]
    for word in text.split():
        assert analysis.word_forms(word) == whoosh_forms(word)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_terms_equal_whooshs_on_generated_text(text):
    assert analysis.text_terms(text) == [t.text for t in WHOOSH_TEXT(text)]
    assert analysis.name_terms(text) == [t.text for t in WHOOSH_NAME(text)]
    assert analysis.word_forms(text) == whoosh_forms(text)


def test_stop_words_are_whooshs():
    assert analysis.STOP_WORDS == wa.STOP_WORDS
    assert analysis.is_stop_word("the") and not analysis.is_stop_word("police")


def test_stemming_and_stop_words_behave():
    assert analysis.text_terms("The databases were copied") == ["databas", "were", "copi"]
    assert analysis.name_terms("Leeds City Council") == ["leeds", "city", "council"]
    assert "copi" in analysis.word_forms("Copied") and "copied" in analysis.word_forms("Copied")


def test_whoosh_analyzers_still_offered_to_the_whoosh_engine():
    assert [t.text for t in analysis.TEXT_ANALYZER("Reports of databases")] == ["report", "databas"]
    assert [t.text for t in analysis.NAME_ANALYZER("Leeds and York")] == ["leeds", "york"]
    with pytest.raises(AttributeError):
        analysis.NO_SUCH_THING  # noqa: B018


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcd", max_size=8), st.text(alphabet="abcd", max_size=8), st.sampled_from([None, 1, 2, 3]))
def test_edit_distance_is_whooshs(a, b, limit):
    assert edit_distance(a, b, limit=limit) == whoosh_distance(a, b, limit=limit)


def test_edit_distance_examples():
    assert edit_distance("potholes", "potholez") == 1
    assert edit_distance("ab", "ba") == 1  # a transposition is one edit
    assert edit_distance("kitten", "sitting") == 3
