"""The Whoosh engine's worker-side analysis (schema.preanalyse) builds postings from the
shared analysis's term lists instead of running Whoosh's analyzers: every posting must be
what Whoosh's own `field.index` gives, byte for byte and in the same order, for the fields
of real-looking documents and for odd text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_corpus
from indexer.engines import analysis
from indexer.engines.whoosh.index import record_fields
from indexer.engines.whoosh.schema import GRAM_FIELDS, FoiText, PreAnalyzed, build_schema, preanalyse
from indexer.extract import ExtractOptions, extract_file
from indexer.models import IndexRecord, SourceFile
from indexer.pipeline import _metadata

SCHEMA = build_schema()
TEXT_FIELDS = [name for name in SCHEMA.names() if isinstance(SCHEMA[name], FoiText)]


def whoosh_postings(name: str, text: str) -> list:
    return list(SCHEMA[name].index(text))


def assert_same_as_whoosh(values: dict) -> None:
    fast = preanalyse(SCHEMA, values)
    checked = 0
    for name, value in values.items():
        if name not in TEXT_FIELDS or not isinstance(value, str):
            continue
        if name in GRAM_FIELDS.values() and values.get(next(k for k, v in GRAM_FIELDS.items() if v == name)) != value:
            continue  # a gram field apart from its text is left to the writer
        assert isinstance(fast[name], PreAnalyzed), name
        assert fast[name].postings == whoosh_postings(name, value), name
        checked += 1
    assert checked == sum(1 for n, v in values.items() if n in TEXT_FIELDS and isinstance(v, str))


@pytest.fixture(scope="module")
def generated_fields(tmp_path_factory) -> list[dict]:
    """The Whoosh fields of 40 generated responses (text and PDF), as a worker makes them."""
    corpus = tmp_path_factory.mktemp("corpus")
    labels = generate_corpus(corpus, 40, seed=11, pdf_ratio=0.3, max_pages=4, jobs=1)
    out = []
    for label in labels:
        path = corpus / label["file"]
        document, sha = extract_file(path, ExtractOptions())
        source = SourceFile(str(path), label["file"], path.stat().st_size, 0)
        record = IndexRecord(source, sha, sha, document, _metadata(document), {})
        out.append(record_fields(record, indexed_at=""))
    return out


def test_generated_documents_have_whooshs_postings(generated_fields):
    names = set()
    for values in generated_fields:
        assert_same_as_whoosh(values)
        names |= {n for n, v in values.items() if n in TEXT_FIELDS and v}
    # every analysed field of the schema was exercised, both analyzers and both grams fields
    assert names >= {"title", "request", "content", "bigrams", "boilerplate", "boilerplate_bigrams"}
    assert names >= {"authority_text", "reference_text", "qa"}


# characters that make tokens, dots, stars and unicode lower-casing, and words common
# enough to make grams ("the" is a stop word before or between them)
TEXT = st.lists(
    st.sampled_from(list("abcdeiostuyAEIOUZ019 .,*'_-\n") + list("éßİΣ½²中") + ["review ", "the ", "internal "]),
    max_size=80,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_odd_text_has_whooshs_postings(text):
    assert_same_as_whoosh({name: text for name in TEXT_FIELDS})


def test_repeated_common_words_make_grams_and_positions():
    text = "The internal review of the internal review: information commissioner office. " * 3
    assert_same_as_whoosh({"content": text, "bigrams": text})
    fast = preanalyse(SCHEMA, {"content": text, "bigrams": text})
    grams = {p[0]: p[1] for p in fast["bigrams"].postings}
    assert grams[b"intern review"] == 6
    assert grams[b"inform commission offic"] == 3
    review = next(p for p in fast["content"].postings if p[0] == b"review")
    assert review[1] == 6


def test_a_gram_field_with_text_of_its_own_is_left_to_the_writer():
    fast = preanalyse(SCHEMA, {"content": "internal review", "bigrams": "something else"})
    assert isinstance(fast["content"], PreAnalyzed)
    assert fast["bigrams"] == "something else"


def test_term_cache_is_bounded_and_skips_long_tokens(monkeypatch):
    cache = analysis._TEXT_TERMS
    monkeypatch.setattr(type(cache), "MAX_TOKENS", 50)
    cache.clear()
    words = [f"word{i}" for i in range(120)]
    assert analysis.text_terms(" ".join(words)) == [analysis._porter_stem(w) for w in words]
    assert 0 < len(cache) <= 50
    long_word = "x" * 1000
    assert analysis.text_terms(long_word) == [long_word]
    assert long_word not in cache
    cache.clear()
