"""What an extraction worker remembers or skips to spend less CPU per document (the
sentence caches of the boilerplate split and the outcome cues, the gated exemption-cue
search, the authority tokens' join test) must give exactly what the plain code gives."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer import boilerplate
from indexer.metadata import authorities, exemptions, outcome

PLAIN_CUE = re.compile("|".join(exemptions._CUE_WORDS), re.I)
# cue words and their pieces, other words, and letters whose case folding is special
# (the long s and the Kelvin sign match "s" and "k" case-insensitively, dotless and dotted i)
CUE_TEXT = st.lists(
    st.sampled_from(
        [w.replace("(?:", "").replace("[oe]", "e").split("|")[0].replace(r"\b", "") for w in exemptions._CUE_WORDS]
        + ["reasonably ", "EIR", "eir", "Eir.", "ex", "withh", " ", "\n", "ſ", "K", "İ", "ı", "the ", "Re", "-", "2"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(CUE_TEXT)
def test_gated_cue_search_finds_what_the_plain_alternation_finds(text):
    assert [m.span() for m in exemptions._CUE.finditer(text)] == [m.span() for m in PLAIN_CUE.finditer(text)]
    for start in range(0, len(text), 7):  # windows, as the citation scan searches them
        got = [m.span() for m in exemptions._CUE.finditer(text, start, start + 30)]
        assert got == [m.span() for m in PLAIN_CUE.finditer(text, start, start + 30)]


def test_every_cue_starts_with_two_letters():
    """The gate tests the first two characters against letter classes: a cue starting
    otherwise (a digit, a group) would need the gate rewritten."""
    for word in exemptions._CUE_WORDS:
        assert re.fullmatch(r"[A-Za-z]{2}", word.removeprefix(r"\b")[:2]), word
    assert exemptions._CUE.search("The information is EXEMPT under section 40")
    assert exemptions._CUE.search("ſtill: we rely on it")  # long s is s, as re.I has it
    assert not exemptions._CUE.search("nothing to see here")


def test_sentence_cues_are_fresh_sets_for_a_remembered_sentence():
    sentence = "The information you requested is withheld under section 40(2)."
    first = outcome.sentence_cues(sentence)
    first.add("cites")  # what classify does with a sentence that holds a citation
    second = outcome.sentence_cues(sentence)
    assert "cites" not in second
    assert second == set(outcome._cues_of(sentence)) and second


def test_cached_shape_score_is_shape_score_and_keeps_no_long_sentence():
    standard = "If you are not satisfied with this response you may ask for an internal review."
    assert boilerplate.cached_shape_score(standard) == boilerplate.shape_score(standard)
    assert boilerplate.cached_shape_score(standard)[0] >= 2
    before = boilerplate.cached_shape_score.cache_info().currsize
    long = standard + " and so on" * 200
    assert len(long) > boilerplate.CACHED_SENTENCE
    assert boilerplate.cached_shape_score(long) == boilerplate.shape_score(long)
    assert boilerplate.cached_shape_score.cache_info().currsize == before


def test_a_short_text_is_computed_once_and_a_long_one_every_time_never_kept():
    from indexer.memo import cached_when_short

    calls: list[str] = []

    @cached_when_short(maxsize=2, max_length=5)
    def upper(text: str) -> str:
        """Upper case."""
        calls.append(text)
        return text.upper()

    assert [upper("abc"), upper("abc"), upper("abcdef"), upper("abcdef")] == ["ABC", "ABC", "ABCDEF", "ABCDEF"]
    assert calls == ["abc", "abcdef", "abcdef"]  # the long one each time
    assert upper.cache_info().currsize == 1  # and never kept
    upper("b"), upper("c"), upper("abc")  # two entries at most: "abc" was dropped
    assert calls[-1] == "abc" and upper.cache_info().currsize == 2
    assert upper.__doc__ == "Upper case." and upper.__name__ == "upper"


def test_split_pages_is_the_same_with_and_without_the_sentence_cache(monkeypatch):
    page = (
        "Dear Ms Smith,\n\nWe hold 57 records about the park, attached.\n\n"
        "If you are unhappy with this response you may ask for an internal review. "
        "You can contact the Information Commissioner's Office at ico.org.uk.\n\nYours sincerely"
    )
    cached = [boilerplate.split_pages([page, page]) for _ in range(2)]
    monkeypatch.setattr(boilerplate, "cached_shape_score", boilerplate.shape_score)
    monkeypatch.setattr(boilerplate, "_judged", boilerplate._paragraph_judged)
    plain = boilerplate.split_pages([page, page])
    assert cached[0] == cached[1] == plain
    assert plain.boilerplate and "57 records" in plain.substance


JOIN_GAP = re.compile(r"[ \t\n,]*")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["A", "b", "C ", " ", "&", ",", ".", "'", "\t", "\n", "-", "Xy", "’", "Word " * 10]),
        max_size=40,
    ).map("".join)
)
@example("Department for " * 4 + "\nEducation,\nSheffield")  # a long line wraps, a short one does not
def test_authority_tokens_are_joined_as_the_gap_pattern_says(text):
    """Two tokens are one name's when only spaces, tabs, newlines and commas part them,
    and a newline only after a long line (the rule _tokens applies)."""
    toks = authorities._tokens(text, 0, len(text))
    for prev, tok in zip(toks, toks[1:]):
        joined = JOIN_GAP.fullmatch(text, prev.end, tok.start) is not None
        if joined and "\n" in text[prev.end : tok.start]:
            joined = prev.end - (text.rfind("\n", 0, prev.end) + 1) >= authorities._SHORT_LINE
        assert tok.joined == joined
    assert not toks or not toks[0].joined
    assert all(t.norm == authorities._norm_token(t.raw) for t in toks)


SENTENCES = [
    "If you are unhappy with this response you may ask for an internal review.",
    "We hold 57 records.",
    "See ico.org.uk",
    "for further details.",
    "The information is exempt under section 40(2) of the Act, which provides that",
    "Yours sincerely",
    "Thank you",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(SENTENCES + [" ", "\n", "  ", "!", ")"]), max_size=14).map("".join),
    st.text(" \nab.", max_size=5),
)
def test_a_paragraph_is_judged_the_same_alone_as_in_its_page(paragraph, before):
    """The paragraph cache judges a paragraph's text on its own: its parts, shifted, must be
    what shape_spans finds for it within the page."""
    page = before + paragraph + "\n\nNext."
    start = len(before)
    fp, parts = boilerplate._paragraph_judged(paragraph)
    assert [(start + s, start + e, k) for s, e, k in parts] == boilerplate.shape_spans(
        page, (start, start + len(paragraph))
    )
    assert fp == boilerplate.fingerprint(page[start : start + len(paragraph)])
