"""Snippets and highlights on stored text, shared by every engine."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from indexer.engines.analysis import text_terms, word_forms
from indexer.snippets import Highlighter, best_snippet

WORDS = [
    "database",
    "Databases",
    "prevent",
    "PREVENT",
    "policing",
    "police",
    "s40(2)",
    "10.5",
    "café",
    "Straße",
    "İstanbul",
    "e-mail",
    "re-use",
    "\n\n",
    "  ",
    "\t",
    "internal",
    "review",
    "reviews",
    "the",
    "of",
    "_x",
    "x_y",
    "copy",
    "copies",
    "happy",
    "ǅemal",
    "ﬁle",
    "a.b.c",
    "prevent's",
    "\u2028",
    "\xa0",
]


def reference_matches(hl: Highlighter, text: str) -> list[tuple[int, int, str]]:
    """What the case-insensitive prefix regex finds, confirmed by the analyzer."""
    out = []
    for m in hl._candidates.finditer(text):
        forms = word_forms(m.group(0))
        hit = next((f for f in forms if f in hl.terms), None) or (
            m.group(0).lower() if m.group(0).lower() in hl.terms else None
        )
        if hit:
            out.append((m.start(), m.end(), hit))
    return out


def test_fast_word_scan_finds_exactly_what_the_regex_finds():
    rng = random.Random(7)
    checked = 0
    for _ in range(1500):
        text = rng.choice([" ", "\n", "  "]).join(rng.choice(WORDS) for _ in range(rng.randint(0, 200)))
        hl = Highlighter(set(text_terms(" ".join(rng.sample(WORDS, 3)))), word_forms)
        if hl._candidates is None:
            continue
        assert [(m.start, m.end, m.term) for m in hl.matches(text, limit=10_000)] == reference_matches(hl, text), text
        checked += 1
    assert checked > 1000


def test_highlights_point_at_the_words_after_whitespace_is_collapsed():
    text = "Intro   words.\n\n\nThe  prevent\t\tdatabase   holds\n referrals  " + "filler " * 80
    hl = Highlighter(set(text_terms("prevent database referrals")), word_forms)
    snippet = best_snippet([text], hl)
    assert "  " not in snippet.text and "\n" not in snippet.text
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["prevent", "database", "referrals"]


@given(
    starts=st.lists(st.integers(0, 300), max_size=40),
    spans=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)), max_size=12),
)
def test_matches_outside_the_boilerplate_are_those_no_span_holds(starts, spans):
    from indexer.snippets import Match, _outside

    matches = [Match(s, s + 3, "t") for s in sorted(starts)]
    spans = [[s, s + n] for s, n in spans]  # unsorted, overlapping, touching, empty: as given
    expected = [m for m in matches if not any(s <= m.start < e for s, e in spans)]
    assert _outside(matches, spans) == expected
