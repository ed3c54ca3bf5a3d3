"""The metadata rules spelt for re to skip ahead (indexer/metadata/fastre.py) match exactly
what their plain spelling matches: every match, its span and its groups, on generated
responses, on the real ones, and on random text made of the pieces the rules look for (with
the characters IGNORECASE treats as ASCII letters: "ſ", the Kelvin sign, dotted and dotless I,
and non-ASCII digits)."""

from __future__ import annotations

import random
import re

import pytest

from indexer.metadata import authorities, dates, exemptions, outcome, references
from indexer.metadata.fastre import IGNORECASE_EXTRA, first
from tests.conftest import REAL_CORPUS

_MONTH = dates._MONTH
_SP, _GAP = dates._SP, dates._GAP
_SUBS = exemptions._SUBS

# The plain spellings, as the rules were written before fastre.
PLAIN = {
    "date": (
        re.compile(
            r"(?<![\w/.\-])(?:"
            rf"\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH}\.?,?{_GAP}(?:19|20)\d\d"
            rf"|{_MONTH}\.?[ \t]++\d{{1,2}}(?:st|nd|rd|th)?,?{_GAP}(?:19|20)\d\d"
            r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:(?:19|20)\d\d|\d\d)"
            r"|(?:19|20)\d\d-\d\d-\d\d"
            r")(?![\w/]|\.\d|-\d)",
            re.I,
        ),
        dates._DATE,
    ),
    "wdtk_response": (
        re.compile(r"\bResponse[ \t]+by[ \t]+(?=\S)[^\n]{1,200}?[ \t]on[ \t]++", re.I),
        dates._WDTK_RESPONSE,
    ),
    "wdtk_request": (
        re.compile(r"\bRequest[ \t]+sent[ \t]+to[ \t]+(?=\S)[^\n]{1,200}?[ \t]on[ \t]++", re.I),
        dates._WDTK_REQUEST,
    ),
    "foi": (
        re.compile(
            r"(?<![\w/])(?P<prefix>[Ss]ections?|SECTIONS?|[Ss]ecs?\.?|[Ss]s?\.?[ \t]?)[ \t]*+\n?+[ \t]*+"
            r"(?P<num>\d{1,2}[A-Z]?)" + _SUBS + r"(?![\d.,]\d|[ \t]++\d[A-Z]{2}\b)"
        ),
        exemptions._FOI,
    ),
    "eir": (
        re.compile(
            r"(?<![\w/])(?P<prefix>[Rr]egulations?|REGULATIONS?|[Rr]egs?\.|[Rr]eg|EIRs?)[ \t]*+\n?+[ \t]*+"
            r"(?P<num>\d{1,2})" + _SUBS + r"(?![\d.,]\d)"
        ),
        exemptions._EIR,
    ),
    "cue": (
        re.compile(f"(?=[{exemptions._CUE_START}][{exemptions._CUE_NEXT}])(?:{'|'.join(exemptions._CUE_WORDS)})", re.I),
        exemptions._CUE,
    ),
    "ncnd": (
        re.compile(r"neither\s+confirm(?:s|ing|ed)?\s+n?or\s+den(?:y|ies|ying|ied)|\bNCND\b", re.I),
        exemptions.NCND,
    ),
    "url": (
        re.compile(r"(?:https?://|www\.)([\w\-]{1,63}(?:\.[\w\-]{1,63}){1,6})", re.I),
        authorities._URL,
    ),
    "labelled": (
        re.compile(
            r"(?<![\w])(?P<label>(?i:(?:our|my)[ \t]+ref(?:erence)?(?:[ \t]+(?:no|number))?\.?"
            r"|(?:(?:FOI|FOIA|EIR|FOIR)[ \t]+)?(?:request[ \t]+)?ref(?:erence)?(?:[ \t]+(?:no|number|num|id))?\.?"
            r"|request[ \t]+(?:id|no|number|ref(?:erence)?)\.?|case[ \t]+(?:id|no|number|ref(?:erence)?)\.?"
            r"|(?:FOI|EIR)[ \t]+(?:no|number|id)\.?))"
            r"[ \t]*+[:#.–—|-]?+[ \t]*+\n?+[ \t]*+(?:[:–—|-][ \t]*+)?" + references._VALUE
        ),
        references._LABELLED,
    ),
    "type_hint": (
        re.compile(
            r"\b(?:your|this|the|our)\s+(?:(?:city|county|borough|district)\s+)?"
            r"(force|constabulary|council|local\s+authority|trust|department|ministry|university)\b"
            r"(?![ \t]+(?:for|of|and)[ \t]+[A-Z])",
            re.I,
        ),
        authorities._TYPE_HINT,
    ),
}

# What the rules look for, cut into pieces, and what surrounds them.
PIECES = [
    "section",
    "Sections",
    "SECTION",
    "s.",
    "ss",
    "sec.",
    "S",
    "s ",
    "40",
    "40(2)",
    "43 (2)(a)",
    "22A",
    "regulation",
    "REGULATIONS",
    "regs.",
    "reg",
    "EIR",
    "EIRs",
    "12(4)(b)",
    "13",
    "S36 1FY",
    "1.5",
    "neither",
    "confirm",
    "confirms",
    "nor",
    "or",
    "deny",
    "denies",
    "NCND",
    "ncnd",
    "xNCND",
    "http://",
    "https://",
    "www.",
    "WWW.",
    "example.gov.uk",
    "a-b.c",
    "Https://",
    "your",
    "this",
    "the",
    "our",
    "Our",
    "city",
    "county",
    "council",
    "trust",
    "Department",
    "for",
    "of",
    "Transport",
    "local authority",
    "force",
    "exempt",
    "Exemption",
    "withheld",
    "WITHHOLD",
    "relied",
    "apply",
    "applies",
    "cost limit",
    "EIR",
    "xEIR",
    "Freedom of Information",
    "public interest",
    "personal data",
    "Personal information",
    "adversely affect",
    "communications with His Majesty",
    "health and safety",
    "confidential",
    "absolute",
    "qualified",
    "our ref",
    "My Ref:",
    "FOI",
    "FOIA",
    "foir",
    "EIR",
    "Request",
    "request",
    "ref",
    "Reference",
    "REF",
    "case",
    "Case",
    "no.",
    "number",
    "num",
    "id",
    "ID:",
    "#",
    "12345",
    "FOI/2019/123",
    "AB12",
    "xref",
    "–",
    "Response",
    "response",
    "by",
    "Request",
    "sent",
    "to",
    "on",
    "Sheffield City Council",
    "Xresponse",
    "1",
    "12",
    "31st",
    "2nd",
    "of",
    "January",
    "Jan",
    "jun",
    "June",
    "July",
    "May",
    "mar",
    "Sept",
    "September",
    "aug",
    "Dec.",
    "2019",
    "1999",
    "2024-03-20",
    "20/03/2024",
    "3.4.19",
    "2020-1-1",
    "\u017fection",
    "\u017fept",
    "\u017f",
    "\u212a",
    "\u0130",
    "\u0131",
    "\u0661\u0662",
    "\u0662\u0660\u0661\u0669",
    "3 \u017fept 2019",
    "/",
    ".",
    "-",
    ",",
    "(",
    ")",
]
SEPARATORS = [" ", "  ", "\t", "\n", "\n\n", "", " \n ", ", ", ". "]


def _random_texts(count: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(3, 40)):
            parts.append(rng.choice(PIECES))
            parts.append(rng.choice(SEPARATORS))
        texts.append("".join(parts))
    return texts


def _generated_texts(tmp_path) -> list[str]:
    from bench.generate import generate_corpus
    from indexer.extract import extract_bytes
    from tests.metadata_fixtures import all_fixtures

    generate_corpus(tmp_path, docs=150, seed=31, pdf_ratio=0.0, jobs=1)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".txt", ".md"})
    return [extract_bytes(p.read_bytes(), p.name).text for p in files] + [f.text for f in all_fixtures()]


def _matches(pattern: re.Pattern, text: str) -> list:
    return [(m.span(), m.groups(), m.groupdict()) for m in pattern.finditer(text)]


def _assert_same(texts: list[str]) -> None:
    for name, (plain, fast) in PLAIN.items():
        for text in texts:
            assert _matches(fast, text) == _matches(plain, text), (name, text[:200])


def test_same_matches_on_random_text_of_the_pieces_they_look_for():
    texts = _random_texts(3000)
    _assert_same(texts)
    # and anchored, as dates and exemptions also use them (match at a position, in a window)
    for name, (plain, fast) in PLAIN.items():
        for text in texts[:300]:
            for pos in range(len(text)):
                a, b = plain.match(text, pos, pos + 40), fast.match(text, pos, pos + 40)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (name, text, pos)


def test_same_matches_on_generated_responses(tmp_path):
    texts = _generated_texts(tmp_path)
    assert texts
    _assert_same(texts)


def test_same_matches_on_real_responses():
    if not REAL_CORPUS.is_dir():
        pytest.skip(f"{REAL_CORPUS} is absent (the labelled real responses)")
    from indexer.extract import ExtractionError, extract_file

    texts = []
    for path in sorted(
        p for p in REAL_CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in {".txt", ".pdf", ".eml"}
    ):
        try:
            texts.append(extract_file(path)[0].text)
        except ExtractionError:
            continue
    assert texts
    _assert_same(texts)


def test_outcome_uses_the_same_ncnd_rule():
    # the same pattern object, or once compiled (lazyre rebinds the defining module's name) its compiled form
    assert (outcome._NCND.pattern, outcome._NCND.flags) == (exemptions.NCND.pattern, exemptions.NCND.flags)
    assert (
        outcome._NCND.search("we neither confirm nor deny").span()
        == exemptions.NCND.search("we neither confirm nor deny").span()
    )


def test_first_holds_every_character_ignorecase_matches():
    """Over every code point, first(letter) matches what `letter` matches under re.I. Each
    character is tried against all 26 letters at once on both sides (any ignorecase letter;
    any of the classes); only the few that some letter matches are then tried letter by letter."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    any_letter = re.compile("|".join(letters), re.I)
    any_class = re.compile("|".join(first(letter) for letter in letters))
    classes = {letter: re.compile(first(letter)) for letter in letters}
    candidates = []
    for code in range(0x2FFFF):
        char = chr(code)
        if any_letter.fullmatch(char):
            candidates.append(char)
        else:
            assert not any_class.fullmatch(char), hex(code)
    assert len(candidates) >= 52
    for char in candidates:
        for letter, cls in classes.items():
            assert bool(re.fullmatch(letter, char, re.I)) == bool(cls.fullmatch(char)), (letter, hex(ord(char)))
    assert set(IGNORECASE_EXTRA) == {"i", "k", "s"}
