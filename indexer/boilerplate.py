"""Boilerplate: the passages every FOI response repeats, told apart from what it says.

Complaint and internal-review rights, what the Act says, exemption explanations, copyright
and re-use notices, data-protection notices and e-mail footers are stored in their own
`boilerplate` field, searched far below the substance (`content`). A passage is boilerplate
by its shape (the rules below, sentence by sentence) or by its frequency: a paragraph seen
in many documents of the index (CommonParagraphs, counted by the indexing run with bounded
memory). Engine-free: plain text in, spans and strings out.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from array import array
from itertools import compress
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.lazyre import lazy_compile
from indexer.memo import cached_when_short

# ---------------------------------------------------------------- paragraphs

_WRAPPED_MIN = 45  # a line at least this long that ends mid-sentence was wrapped
_SENTENCE_END = lazy_compile(r"[.:!?;)\]\"”’']\s*$")
_STARTS_NEW = lazy_compile(r"^\s*(?:[A-Z0-9\[(\"“'‘•*-]|\d+[.)])")
# a sentence ends at . ! or ? followed by a space or the end ("v3.0" and "ico.org.uk" go on)
_SENTENCE = lazy_compile(r"\S.*?(?:[.!?]+[\"”’')\]]*(?=\s|$)|$)", re.S)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph. Blank lines always separate; inside a block of
    hard-wrapped lines (as e-mails and many text exports are) a line that ends a sentence,
    or is short, closes a paragraph when the next line starts like a new one."""
    spans: list[tuple[int, int]] = []
    start = None
    prev_end = 0
    prev_line = ""
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        line_start, pos = pos, pos + len(line)
        if not body.strip():
            if start is not None:
                spans.append((start, prev_end))
                start = None
            prev_line = ""
            continue
        if (
            start is not None
            and _STARTS_NEW.match(body)
            and (_SENTENCE_END.search(prev_line) or len(prev_line.strip()) < _WRAPPED_MIN)
        ):
            spans.append((start, prev_end))
            start = None
        if start is None:
            start = line_start + (len(body) - len(body.lstrip()))
        prev_end = line_start + len(body.rstrip())
        prev_line = body
    if start is not None:
        spans.append((start, prev_end))
    return [(s, e) for s, e in spans if e > s]


# ---------------------------------------------------------------- shape rules

# (weight, pattern): a sentence scoring 2 or more is boilerplate. Weight 2 alone decides
# (a passage only standard text contains); weight 1 needs a second cue.
_RULES: list[tuple[int, str, str]] = [
    # complaints, internal review and the regulator
    # the regulator's address (a link to one of its decision notices is not standard text)
    (
        2,
        "complaint",
        r"\bico\.org\.uk(?:/make-a-complaint|/concerns|/foi-complaints|/?(?=[\s),.;]|$))|wycliffe house|\bsk9 5af\b|casework@ico|0303 123 1113",
    ),
    (2, "complaint", r"\bif you are (?:not |un)?(?:satisfied|happy|unhappy|dissatisfied|content)\b"),
    (2, "complaint", r"\bif you (?:remain |are still )?(?:dissatisfied|unhappy|aggrieved)\b"),
    (
        2,
        "complaint",
        r"\bif you (?:wish|want|would like) to (?:complain|make a complaint|appeal|request an? (?:internal )?review)",
    ),
    (
        2,
        "complaint",
        r"\b(?:you|requesters?) (?:can|may|are entitled to|have the right to) (?:ask|request|apply|seek)(?: for)? an? (?:internal )?review",
    ),
    (
        2,
        "complaint",
        r"\bright to (?:request|ask for|seek|apply for) an? (?:internal )?review|\bentitled to have (?:this|it|the decision) reviewed",
    ),
    (2, "complaint", r"\b(?:complain|appeal|apply|write|contact) (?:directly )?to the information commissioner"),
    (
        2,
        "complaint",
        r"\bcontact the information commissioner|\bthe information commissioner(?:'s|’s)? office\b.{0,80}\b(?:address|contacted|details|website)",
    ),
    (
        1,
        "complaint",
        r"\binformation commissioner|\binternal review|\bcomplain(?:t|ts)?\b(?: procedure| process)?|\bmake a complaint",
    ),
    (
        1,
        "complaint",
        r"\bwithin (?:40|forty|two|2) (?:working days|calendar days|months)|\bfrom the date of (?:this|our) (?:response|letter|reply)",
    ),
    (
        1,
        "complaint",
        r"\bsection 50\b|\bthe outcome of (?:the|your|any) (?:internal )?review|\bindependent (?:body|regulator)",
    ),
    # what the Act says, how a request is handled
    (
        2,
        "act",
        r"\bgeneral right of access|\bsection 1\(1\)(?:\(a\)|\(b\))?\b.{0,60}\b(?:act|entitles|gives|provides)|\bentitled to be (?:told|informed) whether",
    ),
    (
        2,
        "act",
        r"\b(?:must|required to|obliged to|have to|will) (?:respond|reply|provide a response)(?: to (?:you|your request))? (?:promptly and )?(?:with)?in (?:20|twenty) working days",
    ),
    (
        2,
        "act",
        r"\b(?:has been|have been|was|will be) (?:logged|registered|dealt with|handled|processed|considered) (?:as|under) (?:a |an )?(?:freedom of information|the freedom of information|foi|environmental information)",
    ),
    (
        2,
        "act",
        r"\b(?:the|this) (?:act|legislation|regulations) (?:gives|provides|entitles|requires|allows|states that|sets out)",
    ),
    (
        1,
        "act",
        r"\bfreedom of information act 2000|\benvironmental information regulations 2004|\b(?:the|this) act\b|\bthe regulations\b",
    ),
    (1, "act", r"\bpublic authorit(?:y|ies)\b|\bany person (?:making|who makes) a request|\bapplicant\b|\brequester\b"),
    # exemption explanations (the law, not its use in this reply)
    (
        2,
        "exemption",
        r"\b(?:is|are|as) an? (?:absolute|qualified|class-based|prejudice-based) exemption|\bis exempt information if\b",
    ),
    (
        2,
        "exemption",
        r"\bsection \d+(?:\(\w+\))*(?: of the (?:act|freedom of information act(?: 2000)?))?,? (?:provides|states|allows|says|sets out|applies where|exempts|is designed)",
    ),
    (
        2,
        "exemption",
        r"\b(?:the )?public interest (?:test|in maintaining the exemption)\b.{0,80}\b(?:outweighs|favours|requires|means)",
    ),
    (
        2,
        "exemption",
        r"\b(?:contravene|breach) (?:any of )?the (?:data protection )?principles\b|\bdata protection principles?\b.{0,80}\b(?:lawful|fair|transparent)",
    ),
    (
        1,
        "exemption",
        r"\bpublic interest test|\bbalance of (?:the )?public interest|\bduty to confirm or deny|\bneither confirm nor deny\b|\bprejudice\b",
    ),
    (1, "exemption", r"\bexemptions?\b|\bexempt from (?:disclosure|the duty)"),
    # copyright and re-use
    (
        2,
        "copyright",
        r"\bopen government licen[cs]e|\bre-?use of public sector information|\battribution statement|\blicensed under the",
    ),
    (
        2,
        "copyright",
        r"\byou are free to use it for your own purposes|\bpermission of the copyright (?:holder|owner)|\bany other re-?use\b",
    ),
    (
        2,
        "copyright",
        r"\b(?:is|are|remains?|continues? to be) (?:subject to|protected by) (?:crown |the )?copyright|\bcopyright (?:of|in) (?:the|this|any) (?:information|material|documents?)|\bcopyright,? designs and patents act",
    ),
    (1, "copyright", r"\bcopyright\b|\bre-?use\b|\bcommercial (?:use|purposes)|\bpermission (?:of|from) the copyright"),
    # data protection and privacy notices
    (
        2,
        "privacy",
        r"\bprivacy (?:notice|policy|statement)\b.{0,80}\b(?:available|see|found|www|http)|\bhow we (?:use|process|handle|store) (?:your )?personal (?:data|information)",
    ),
    (
        2,
        "privacy",
        r"\b(?:your|the) personal (?:data|information) (?:will be|is|are) (?:processed|held|used|stored|retained)\b",
    ),
    (
        1,
        "privacy",
        r"\bdata protection (?:act|legislation|officer)|\bgeneral data protection regulation|\buk gdpr\b|\bprivacy\b",
    ),
    # e-mail footers, disclaimers, WhatDoTheyKnow's own text
    (
        2,
        "footer",
        r"\bif you have received this (?:e-?mail|message|communication) in error|\b(?:this|the) (?:e-?mail|message)(?: and any (?:files|attachments)(?: transmitted with it)?)? (?:is|are|may be) (?:confidential|intended solely|privileged)",
    ),
    (
        2,
        "footer",
        r"\bplease use this e-?mail address for all replies|\bthe wrong address for freedom of information requests|\bif you find this service useful as an foi officer",
    ),
    (
        2,
        "footer",
        r"\bpublication of requests and responses will be delayed|\bguidance on safely disclosing information|\bour privacy and copyright policies|\bthis message and any reply that you make will be published",
    ),
    (
        2,
        "footer",
        r"\b(?:views|opinions) expressed (?:in this (?:e-?mail|message) )?(?:are|may be) (?:those of the (?:author|sender)|personal)|\bscanned for (?:viruses|malware)",
    ),
    (
        1,
        "footer",
        r"\bdisclaimer\b|\bintended recipient|\bwhatdotheyknow|\bdisclosure log\b|\bpublished on (?:the|our) (?:internet|website)",
    ),
    # courtesy lines that say nothing of the request
    (
        1,
        "courtesy",
        r"\bplease do not hesitate to contact|\bif you have any (?:further )?(?:queries|questions|enquiries)|\bplease (?:quote|use) the reference",
    ),
]


@lru_cache(maxsize=1)
def _compiled_rules() -> list[tuple[int, str, re.Pattern]]:
    """The rules compiled when first used: the indexer imports this module for its paragraph
    counts on every run, a run with nothing to extract never applies a rule."""
    return [(w, name, re.compile(p, re.I)) for w, name, p in _RULES]


# Words without which no rule of a kind can match: a sentence is tried against a kind's
# patterns only when it holds one of them (a substring test is far cheaper than a regex).
_GATES = {
    "complaint": (
        "ico",
        "wycliffe",
        "sk9",
        "0303",
        "satisf",
        "happy",
        "content",
        "aggriev",
        "complain",
        "appeal",
        "review",
        "commissioner",
        "working days",
        "calendar days",
        "months",
        "date of",
        "section 50",
        "independent",
    ),
    "act": (
        "right of access",
        "section 1(1)",
        "entitled",
        "respond",
        "reply",
        "response",
        "logged",
        "registered",
        "dealt with",
        "handled",
        "processed",
        "considered",
        "act",
        "regulations",
        "legislation",
        "authorit",
        "any person",
        "applicant",
        "requester",
    ),
    "exemption": ("exempt", "public interest", "principle", "confirm or deny", "nor deny", "prejudice", "section"),
    "copyright": ("licen", "re-use", "reuse", "attribution", "copyright", "free to use", "commercial", "permission"),
    "privacy": ("privacy", "personal", "data protection", "gdpr"),
    "footer": (
        "received this",
        "mail",
        "message",
        "communication",
        "replies",
        "wrong address",
        "foi officer",
        "publication",
        "disclos",
        "privacy and copyright",
        "views",
        "opinions",
        "virus",
        "malware",
        "disclaimer",
        "recipient",
        "whatdotheyknow",
        "published",
    ),
    "courtesy": ("hesitate", "queries", "questions", "enquiries", "quote", "reference"),
}
_GATE_PATTERNS = {kind: lazy_compile("|".join(map(re.escape, words))) for kind, words in _GATES.items()}
# What the reply itself did ("we hold", "the figures are"): a cue against boilerplate.
_SPECIFIC = lazy_compile(
    r"\b(?:we|i) (?:hold|held|have (?:attached|enclosed|provided|completed|reviewed|considered|upheld|found|identified)|"
    r"can confirm|do not hold|estimate|have now|are withholding|located)|\bthe (?:figures|data|information) (?:for|requested|you requested) (?:is|are|shows?)"
    r"|\bplease (?:find|see) (?:attached|below|the attached)|£\s?\d"
    # an exemption applied to this request is what the reply decided, not an explanation
    r"|\b(?:the information (?:you (?:have )?)?requested|your request|this information|the requested information|"
    r"as this is information|some of the information)\b.{0,120}\b(?:is|are|has been|have been) (?:exempt|withheld|refused|redacted)",
    re.I,
)
# A count or an amount, not a section number, an Act's year, a deadline or a phone number.
_NUMBER = lazy_compile(
    r"(?<![\d(./:-])(?<!section )(?<!article )(?<!act )(?<!regulations )(?<!within )(?<!s)\b\d{2,}(?:,\d{3})*\b(?![\d(/:.-])(?! working)(?! days)"
)
_YEAR = lazy_compile(r"(?:19|20)\d\d")
_SHORT_SENTENCE = 25  # a fragment this short ("for further details.") follows its neighbours


def shape_score(text: str) -> tuple[int, str | None]:
    """How strongly a sentence reads as standard text, and the kind of the strongest cue."""
    text = " ".join(text.split())
    lower = text.lower()
    open_kinds = {kind for kind, gate in _GATE_PATTERNS.items() if gate.search(lower)}
    if not open_kinds:
        return 0, None
    score, kind, best = 0, None, 0
    for weight, name, pattern in _compiled_rules():
        if name in open_kinds and pattern.search(text):
            score += weight
            if weight > best:
                kind, best = name, weight
    if score and _SPECIFIC.search(text):  # what this reply did outweighs a standard cue or two
        score -= 2
    elif score and any(not _YEAR.fullmatch(m.group(0)) for m in _NUMBER.finditer(text)):
        score -= 1
    return score, kind


# A sentence's score depends on its text alone, and standard passages repeat across the
# documents of a run (six sentences in ten of generated and of real responses are seen
# before): each distinct sentence of up to CACHED_SENTENCE characters is scored once per worker.
CACHED_SENTENCE = 1000
cached_shape_score = cached_when_short(32_768, CACHED_SENTENCE)(shape_score)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in _SENTENCE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def shape_spans(text: str, span: tuple[int, int]) -> list[tuple[int, int, str]]:
    """The boilerplate parts of one paragraph by shape: (start, end, kind). A paragraph
    whose sentences are mostly standard text is boilerplate whole; otherwise only its
    standard sentences are."""
    start, end = span
    sentences = _sentences(text, start, end)
    if not sentences:
        return []
    judged = []
    for s, e in sentences:
        score, kind = cached_shape_score(text[s:e])
        judged.append([s, e, score, kind])
    # a cue-less fragment between or after standard sentences goes with them
    for i, item in enumerate(judged):
        s, e, score, _ = item
        if score < 2 and e - s <= _SHORT_SENTENCE:
            near = [judged[j] for j in (i - 1, i + 1) if 0 <= j < len(judged)]
            if any(n[2] >= 2 for n in near):
                item[2], item[3] = 2, next(n[3] for n in near if n[2] >= 2)
    standard = sum(e - s for s, e, score, _ in judged if score >= 2)
    whole = end - start
    if standard >= 0.6 * whole:
        kinds = [k for _, _, score, k in judged if score >= 2 and k]
        return [(start, end, max(set(kinds), key=kinds.count) if kinds else "standard")]
    return [(s, e, k or "standard") for s, e, score, k in judged if score >= 2]


# ---------------------------------------------------------------- frequency

_WORD = lazy_compile(r"[^\W_]+")
FREQUENT_MIN_WORDS = 8  # shorter lines ("Yes.", "Kind regards") are left alone
_QUESTION = lazy_compile(
    r"\?\s*$|^\s*(?:q?\d+[.):]|\(?[a-z]\)|how many|how much|please (?:provide|supply|send|confirm|tell)|could you|can you|what |which |when |where |who |why |do you|does the|is there|are there)",
    re.I,
)


def normalised_words(text: str) -> list[str]:
    """A paragraph's words as compared across documents: lower case, punctuation and line
    breaks aside. Numbers are kept: "We received 57 complaints" and "We received 12
    complaints" are two answers from one template, not one repeated passage."""
    return _WORD.findall(text.lower())


def fingerprint(text: str) -> int | None:
    """A 63-bit fingerprint of a paragraph for counting, or None when it is too short or
    reads as a question (a request quoted by every reply to a round-robin request is what
    those replies are about, however often it repeats)."""
    words = normalised_words(text)
    if len(words) < FREQUENT_MIN_WORDS or _QUESTION.search(text):
        return None
    digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


# ---------------------------------------------------------------- the split


@dataclass
class Split:
    """One document's text told apart. `spans` are per page: [start, end) of the
    boilerplate in that page's text. `counted` are the fingerprints of the paragraphs
    that frequency could still judge (not already boilerplate by shape)."""

    substance: str
    boilerplate: str
    spans: list[list[list[int]]]
    counted: list[int] = field(default_factory=list)
    common_used: bool = False  # a paragraph went to boilerplate by frequency
    # per page, each paragraph as (start, end, fingerprint, whether it reads as a heading):
    # what resplit needs, so that the indexing process re-splits without finding them again
    paragraphs: list[list[tuple[int, int, int | None, bool]]] = field(default_factory=list)


# a title line of a few words and no full stop: it belongs to the paragraph under it
_HEADING = lazy_compile(r"[#*\s]*[A-Za-z][\w'’&/,()\s-]{0,50}:?[*\s]*")


def split_pages(pages: Iterable[str], common: Container[int] = frozenset()) -> Split:
    """Each page's paragraphs to substance or boilerplate (by shape, or because their
    fingerprint is in `common`)."""
    pages = list(pages)
    spans: list[list[list[int]]] = []
    counted: list[int] = []
    paragraphs: list[list[tuple[int, int, int | None, bool]]] = []
    used = False
    for text in pages:
        page_spans: list[list[int]] = []
        page_paragraphs: list[tuple[int, int, int | None, bool]] = []
        heading: tuple[int, int] | None = None
        for para in paragraph_spans(text):
            fp, shaped = _judged(text[para[0] : para[1]])
            if fp is not None and fp in common:
                parts = [(para[0], para[1], "common")]
                used = True
            else:
                parts = [(para[0] + s, para[0] + e, kind) for s, e, kind in shaped]
                if fp is not None and not parts:
                    counted.append(fp)
            if heading is not None and parts and parts[0][0] == para[0]:
                page_spans.append(list(heading))  # "Internal review" above the standard paragraph
            page_spans.extend([s, e] for s, e, _ in parts)
            heading = para if _HEADING.fullmatch(text[para[0] : para[1]]) else None
            page_paragraphs.append((para[0], para[1], fp, heading is not None))
        spans.append(_merged(page_spans))
        paragraphs.append(page_paragraphs)
    return _cut(pages, spans, list(dict.fromkeys(counted)), used, paragraphs)


def _paragraphs(text: str) -> list[tuple[int, int, int | None, bool]]:
    """A page's paragraphs as split_pages records them in Split.paragraphs."""
    out = []
    for start, end in paragraph_spans(text):
        out.append((start, end, fingerprint(text[start:end]), _HEADING.fullmatch(text[start:end]) is not None))
    return out


def _cut(
    pages: list[str],
    spans: list[list[list[int]]],
    counted: list[int],
    used: bool,
    paragraphs: list[list[tuple[int, int, int | None, bool]]],
) -> Split:
    """The Split of `pages` whose boilerplate lies at `spans` (each page's, merged)."""
    substance: list[str] = []
    standard: list[str] = []
    for text, page_spans in zip(pages, spans):
        cursor = 0
        for s, e in page_spans:
            substance.append(text[cursor:s])
            standard.append(text[s:e])
            cursor = e
        substance.append(text[cursor:])
    return Split(
        substance=_join(substance),
        boilerplate=_join(standard),
        spans=spans,
        counted=counted,
        common_used=used,
        paragraphs=paragraphs,
    )


def _paragraph_judged(paragraph: str) -> tuple[int | None, tuple[tuple[int, int, str], ...]]:
    """A paragraph's fingerprint and its boilerplate parts by shape (offsets in it)."""
    return fingerprint(paragraph), tuple(shape_spans(paragraph, (0, len(paragraph))))


# Whole standard paragraphs repeat from one document to the next (a quarter to a third of
# them in generated and real responses): each distinct one is judged once per worker, as
# its sentences are (cached_shape_score).
CACHED_PARAGRAPH = 2000
_judged = cached_when_short(8192, CACHED_PARAGRAPH)(_paragraph_judged)


def resplit(pages: list[str], previous: Split, common: Container[int]) -> Split:
    """split_pages(pages, common) for pages split into `previous` when fewer paragraphs were
    common (every one common then is in `common`: the set only grows). A paragraph keeps the
    shape spans `previous` found unless it is common now, when all of it goes to boilerplate
    (with a heading above it): the shape rules, most of split_pages' time, are not run
    again. The indexing process re-splits each document written while its paragraphs were
    becoming common."""
    added: list[list[int]] = []
    spans: list[list[list[int]]] = []
    paragraphs: list[list[tuple[int, int, int | None, bool]]] = []
    stored = previous.paragraphs if len(previous.paragraphs) == len(pages) else None
    used = previous.common_used
    for index, text in enumerate(pages):
        page_spans = [list(span) for span in previous.spans[index]] if index < len(previous.spans) else []
        heading: list[int] | None = None
        page_paragraphs = stored[index] if stored is not None else _paragraphs(text)
        for start, end, fp, is_heading in page_paragraphs:
            if fp is not None and fp in common:
                used = True
                if heading is not None:
                    page_spans.append(heading)
                page_spans.append([start, end])
                added.append([start, end])
            heading = [start, end] if is_heading else None
        spans.append(_merged(page_spans))
        paragraphs.append(page_paragraphs)
    if not added:
        return previous
    return _cut(pages, spans, [fp for fp in previous.counted if fp not in common], used, paragraphs)


def _merged(spans: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def _join(parts: list[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p.strip())


def substance_of(pages: list[str], spans: list[list[list[int]]] | None) -> str:
    """The substance of stored page texts, given their boilerplate spans."""
    if not spans:
        return "\n\n".join(pages)
    parts: list[str] = []
    for index, text in enumerate(pages):
        cursor = 0
        for s, e in spans[index] if index < len(spans) else []:
            parts.append(text[cursor:s])
            cursor = e
        parts.append(text[cursor:])
    return _join(parts)


class CommonParagraphs:
    """How many documents of an index hold each paragraph (by fingerprint), and which
    are common enough to be boilerplate.

    Bounded: at most MAX_TRACKED fingerprints are kept; past that the rarest are
    forgotten (a paragraph that really repeats comes back and is counted again). Counts
    are sightings by indexing runs: a re-indexed document is counted again, a deleted
    one is not taken off, which only errs towards calling a repeated paragraph common.
    A document indexed by an earlier run keeps its split until it is indexed again."""

    FILE = "paragraphs.bin"
    COMMON_FILE = "common-paragraphs.bin"
    MAX_TRACKED = 200_000
    MIN_DOCUMENTS = 5
    # Up to this many paragraphs a run looks up in the stored table's bytes (a search each)
    # and writes back there; past it the table becomes a dict. Making a dict of 125,000
    # counts, and tables of it to save, was a twentieth of a run that adds one file.
    LOOKUPS_IN_PLACE = 2_000

    def __init__(self, counts: dict[int, int] | None = None, stored: bytes = b""):
        # The counts are read from the file's bytes (`stored`) when first needed: a run that
        # indexes nothing never needs them (200,000 of them cost a tenth of such a run).
        if counts is None and not stored:
            counts = {}
        self._counts = counts  # None until read from `stored`
        self._stored = stored
        # while _counts is None: fingerprint -> [its entry in `stored` or -1, its count now]
        self._in_place: dict[int, list[int]] = {}
        self._added = 0  # fingerprints of _in_place not in `stored`, counted
        self._common_set: set[int] | None = None
        self._loaded_from: Path | None = None  # the index folder `stored` was read from
        self._grew = False  # whether a paragraph became common since
        # documents of this run holding a paragraph not yet common (in memory only, bounded):
        # one doc_id, or a list of them (most paragraphs are seen once: a list each cost
        # more than the table's keys and counts together)
        self._early: dict[int, str | list[str]] = {}
        self.changed = False

    @property
    def counts(self) -> dict[int, int]:
        if self._counts is None:
            counts = _read_counts(self._stored)
            for fp, (_, n) in self._in_place.items():
                if n:
                    counts[fp] = n
            self._counts, self._stored, self._in_place, self._added = counts, b"", {}, 0
        return self._counts

    def _count(self, fp: int) -> int:
        if self._counts is None:
            found = self._in_place.get(fp)
            if found is not None:
                return found[1]
            if len(self._in_place) < self.LOOKUPS_IN_PLACE:
                at = _stored_index(self._stored, fp)
                n = _stored_count(self._stored, at)
                self._in_place[fp] = [at, n]
                return n
        return self.counts.get(fp, 0)

    def _set_count(self, fp: int, n: int) -> None:
        """After _count(fp): its count is now n."""
        if self._counts is not None:
            self._counts[fp] = n
            return
        entry = self._in_place[fp]
        if entry[0] < 0 and not entry[1]:
            self._added += 1
        entry[1] = n

    def _size(self) -> int:
        """How many fingerprints are counted (len(self.counts), without making that dict)."""
        if self._counts is not None:
            return len(self._counts)
        return len(self._stored) // 12 + self._added

    @counts.setter
    def counts(self, value: dict[int, int]) -> None:
        self._counts = value

    @property
    def _common(self) -> set[int]:
        if self._common_set is None:
            if self._counts is None:
                keys, values = _stored_tables(self._stored)
                common = set(compress(keys, map(self.MIN_DOCUMENTS.__le__, values)))
                for fp, (_, n) in self._in_place.items():
                    if n >= self.MIN_DOCUMENTS:
                        common.add(fp)
                self._common_set = common
            else:
                self._common_set = {fp for fp, n in self.counts.items() if n >= self.MIN_DOCUMENTS}
        return self._common_set

    @classmethod
    def load(cls, index_dir: Path | str) -> "CommonParagraphs":
        path = Path(index_dir) / cls.FILE
        try:
            raw = path.read_bytes()
        except OSError:
            return cls()
        table = cls(stored=raw)
        table._loaded_from = Path(index_dir)
        return table

    def save(self, index_dir: Path | str) -> None:
        """Atomically, both files: the counts, and the common set the workers read."""
        if not self.changed:
            return
        index_dir = Path(index_dir)
        if not index_dir.is_dir():
            return
        # The common set first: killed between the two, the folder keeps every paragraph
        # counted common (never fewer than its counts say). Unless none became common since
        # the set was read from this folder: then the file holds it already.
        unchanged = not self._grew and self._loaded_from == index_dir
        if not (unchanged and (index_dir / self.COMMON_FILE).is_file()):
            self.save_common(index_dir)
        if self._counts is None:
            _write_atomic(index_dir / self.FILE, self._stored_changed())
            self.changed = False
            return
        keys = array("Q", self.counts.keys())
        try:
            values = array("I", self.counts.values())
        except OverflowError:  # seen over 4 billion times: kept at the most the file holds
            values = array("I", (min(v, 2**32 - 1) for v in self.counts.values()))
        _write_atomic(index_dir / self.FILE, keys.tobytes() + values.tobytes())
        self.changed = False

    def _stored_changed(self) -> bytes:
        """The counts file's bytes: the stored table with this run's counts written in (the
        same bytes as the dict made of them gives: new fingerprints after the others)."""
        keys, values = _stored_tables(self._stored)
        new_keys, new_values = array("Q"), array("I")
        for fp, (at, n) in self._in_place.items():
            n = min(n, 2**32 - 1)  # seen over 4 billion times: kept at the most the file holds
            if at >= 0:
                values[at] = n
            elif n:
                new_keys.append(fp)
                new_values.append(n)
        return keys.tobytes() + new_keys.tobytes() + values.tobytes() + new_values.tobytes()

    def save_common(self, index_dir: Path | str) -> None:
        """Atomically, the common set alone: what the workers need at once when it grows. The
        counts (up to MAX_TRACKED of them) wait for save(): writing them whenever a paragraph
        became common was most of the indexing process's own work in a build."""
        index_dir = Path(index_dir)
        if index_dir.is_dir():
            _write_atomic(index_dir / self.COMMON_FILE, array("Q", sorted(self._common)).tobytes())

    @classmethod
    def reset(cls, index_dir: Path | str) -> None:
        for name in (cls.FILE, cls.COMMON_FILE):
            try:
                (Path(index_dir) / name).unlink()
            except OSError:
                pass

    def common(self) -> frozenset[int]:
        return frozenset(self._common)

    def is_common(self, fp: int) -> bool:
        return fp in self._common

    def observe(self, fingerprints: Iterable[int], doc_id: str | None = None) -> tuple[bool, list[str]]:
        """Count one document's paragraphs. Returns whether one of them just became common,
        and the documents seen earlier in this run that hold such a paragraph in their
        substance (they were split before it was common: the run splits them again)."""
        grew, stale = False, []
        for fp in fingerprints:
            n = self._count(fp) + 1
            self._set_count(fp, n)
            if n == self.MIN_DOCUMENTS:
                self._common.add(fp)
                grew = self._grew = True
                held = self._early.pop(fp, ())
                stale.extend((held,) if isinstance(held, str) else held)
            elif n < self.MIN_DOCUMENTS and doc_id is not None:
                held = self._early.get(fp)
                if held is None:
                    if len(self._early) < self.MAX_TRACKED:
                        self._early[fp] = doc_id
                elif isinstance(held, str):
                    self._early[fp] = [held, doc_id]
                else:
                    held.append(doc_id)
        self.changed = True
        if self._size() > self.MAX_TRACKED:
            self._forget()
        return grew, stale

    def _forget(self) -> None:
        """Drop the rarest fingerprints until a quarter of the room is free again."""
        floor = 1
        target = self.MAX_TRACKED * 3 // 4
        while len(self.counts) > target and floor < self.MIN_DOCUMENTS:
            self.counts = {fp: n for fp, n in self.counts.items() if n > floor}
            floor += 1
        self._early = {fp: ids for fp, ids in self._early.items() if fp in self.counts}


def _read_counts(raw: bytes) -> dict[int, int]:
    """The counts file's table as a dict: fingerprint -> count."""
    try:
        keys, values = _stored_tables(raw)
    except ValueError:
        return {}  # a damaged table only costs the counts, never the index
    return dict(zip(keys, values))


def _stored_tables(raw: bytes) -> tuple[array, array]:
    """The counts file's table: fingerprints (8 bytes each), then their counts (4 bytes each)."""
    n = len(raw) // 12
    keys, values = array("Q"), array("I")
    keys.frombytes(raw[: n * 8])
    values.frombytes(raw[n * 8 : n * 12])
    return keys, values


def _stored_index(raw: bytes, fp: int) -> int:
    """Where fingerprint fp is in the counts file's table, or -1: a search of its bytes."""
    end = len(raw) // 12 * 8
    wanted = fp.to_bytes(8, sys.byteorder)  # as array("Q") holds it
    at = raw.find(wanted, 0, end)
    while at >= 0 and at % 8:  # straddling two entries: not one
        at = raw.find(wanted, at + 1, end)
    return at // 8 if at >= 0 else -1


def _stored_count(raw: bytes, index: int) -> int:
    if index < 0:
        return 0
    start = len(raw) // 12 * 8 + index * 4
    return int.from_bytes(raw[start : start + 4], sys.byteorder)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


_known: dict[str, tuple[tuple, frozenset[int]]] = {}


def known_common(index_dir: Path | str | None) -> frozenset[int]:
    """The common paragraphs of an index as last saved (extraction workers read this;
    re-read only when the file changes)."""
    if index_dir is None:
        return frozenset()
    path = Path(index_dir) / CommonParagraphs.COMMON_FILE
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _known.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    values = array("Q")
    try:
        raw = path.read_bytes()
        values.frombytes(raw[: len(raw) // 8 * 8])
    except (OSError, ValueError):
        return frozenset()
    common = frozenset(values)
    _known[str(path)] = (stamp, common)
    return common
