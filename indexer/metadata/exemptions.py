"""FOI exemptions and EIR exceptions cited in a response, normalised ("s40(2)", "eir12(4)(b)"),
and whether the authority would "neither confirm nor deny".

A section number alone is not a citation: "section 41 notice period" (another Act), a
Sheffield postcode "S36 1FY" and "we are not relying on section 40" must not count.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from indexer.lazyre import lazy_compile
from indexer.metadata.fastre import first
from indexer.metadata.layout import Span, sentences

# FOIA provisions that refuse information: s12 cost limit, s14 vexatious/repeated and the
# Part II exemptions (s21-s44). Other sections (s1, s10, s16, s17, s50) are duties/procedure.
_FOI_SECTIONS = frozenset({"12", "14"} | {str(n) for n in range(21, 45)} | {"22A"})
_EIR_REGULATIONS = frozenset({"12", "13", "14"})

# Sub-sections; the first may follow a line break ("Section 43\n(2)" when a line wraps).
_SUB = r"\([ \t]*+(?:\d{1,2}[A-Za-z]?|[a-zA-Z]{1,4})[ \t]*+\)"
_SUBS = rf"(?P<subs>(?:[ \t]*+\n?+[ \t]*+{_SUB}(?:[ \t]*+{_SUB}){{0,3}})?)"
# (fastre: the first letter, then the lookbehind before it, so that re skips ahead to an S)
_FOI = lazy_compile(
    r"(?P<prefix>[Ss](?<![\w/].)(?:ections?|(?<=S)ECTIONS?|ecs?\.?|s?\.?[ \t]?))[ \t]*+\n?+[ \t]*+"
    r"(?P<num>\d{1,2}[A-Z]?)" + _SUBS + r"(?![\d.,]\d|[ \t]++\d[A-Z]{2}\b)"
)
_EIR = lazy_compile(
    r"(?P<prefix>[RrE](?<![\w/].)(?:(?<=[Rr])egulations?|(?<=R)EGULATIONS?|(?<=[Rr])egs?\.|(?<=[Rr])eg|(?<=E)IRs?))"
    r"[ \t]*+\n?+[ \t]*+"
    r"(?P<num>\d{1,2})" + _SUBS + r"(?![\d.,]\d)"
)
# "sections 24(1), 31(1)(a) and 40(2)": further numbers after a citation.
_LIST_MORE = lazy_compile(
    r"[ \t]*+(?:,|and|&|or|/)[ \t]*+\n?+[ \t]*+(?:(?:[Ss]\.?|[Ss]ections?|[Rr]egulations?)[ \t]*+)?"
    r"(?P<num>\d{1,2}[A-Z]?)" + _SUBS + r"(?![\d.,]\d)"
)
_SUB_PART = lazy_compile(r"\(\s*([0-9]{1,2}[A-Za-z]?|[A-Za-z]{1,4})\s*\)")

# A citation needs an exemption word near it; this is what separates "exempt under section
# 40(2)" from "section 75 agreement" or "section 41 notice period".
_CUE_WORDS = (
    "exempt",
    "exemption",
    "exception",
    "withh[oe]ld",
    "withhold",
    "redact",
    "refus",
    "rely",
    "relied",
    "reliance",
    "engag",
    "appl(?:y|ies|ied|ying)",
    "cost limit",
    "appropriate limit",
    "vexatious",
    "repeated request",
    "Freedom of Information",
    "FOIA",
    "FOI Act",
    "of the Act",
    "public interest",
    "neither confirm",
    "prejudic",
    "personal (?:data|information)",
    "absolute",
    "qualified",
    "adverse",
    "Environmental Information",
    r"\bEIR\b",
    "accessible",
    "reasonably accessible",
    "future publication",
    "intended for publication",
    "confiden",
    "by virtue of",
    "manifestly unreasonable",
    "not obliged",
    "confirm or deny",
    # the Act's own headings of the Part II exemptions ("Section 24(2) – National security")
    "national security",
    "defence",
    "international relations",
    "relations within the United Kingdom",
    "the economy",
    "investigations and proceedings",
    "law enforcement",
    "court records",
    "audit functions",
    "parliamentary privilege",
    "formulation of government policy",
    "conduct of public affairs",
    "communications with (?:Her|His) Majesty",
    "health and safety",
    "legal professional privilege",
    "commercial interests",
    "prohibitions on disclosure",
    "security bodies",
    "adversely affect",
)
# Where a cue can start: the first two letters of one (Python's re tries the whole
# alternation at every position; two character classes turn most positions away first).
# The same matches: the classes are tested case-insensitively, as the cues are.
_CUE_START = "".join(sorted({w.removeprefix(r"\b")[0].lower() for w in _CUE_WORDS}))
_CUE_NEXT = "".join(sorted({w.removeprefix(r"\b")[1].lower() for w in _CUE_WORDS}))


def _by_first_letter(words: tuple[str, ...]) -> str:
    """The alternation of `words` as one alternative per first letter, led by that letter's
    class (fastre.first), so that re enters only the words of the letter at hand (a class
    first is tested in C; an ignore-case letter first makes re enter each of the 57 words).
    The same matches: the words of one letter keep their order."""
    groups: dict[str, list[str]] = {}
    for word in words:
        boundary = word.startswith(r"\b")  # a word char first: "\b" is then no word char before it
        word = word.removeprefix(r"\b")
        groups.setdefault(word[0].lower(), []).append((r"(?<!\w.)" if boundary else "") + word[1:])
    return "|".join(f"{first(letter)}(?:{'|'.join(rest)})" for letter, rest in groups.items())


_CUE = lazy_compile(f"(?=[{_CUE_START}][{_CUE_NEXT}])(?:{_by_first_letter(_CUE_WORDS)})", re.I)

# An Act named right after the number that is not the FOI Act: "section 41 of the Local
# Government (Miscellaneous Provisions) Act", "Section 232 Housing Act 2004".
_OTHER_ACT = lazy_compile(r"^[^.;\n]{0,12}\b(?:of|under)?[ \t]*(?:the[ \t]+)?([A-Z][^.;]{0,70}?)\bAct\b")
_FOI_ACT = lazy_compile(r"Freedom\s+of\s+Information|FOI|^\s*$", re.I)
_OTHER_REGS = lazy_compile(r"^[^.;\n]{0,12}\b(?:of|under)[ \t]+(?:the[ \t]+)?([A-Z][^.;]{0,70}?)\bRegulations\b")
_EIR_NAME = lazy_compile(r"Environmental\s+Information|^\s*$", re.I)

# "we are not relying on section 40", "we have decided not to apply section 43".
_NEG_BEFORE = lazy_compile(
    r"\b(?:not|no longer|never|without)(?:[ \t\n]+\w+){0,2}[ \t\n]+(?:rel[yi]\w*|appl\w*|us(?:e|ed|ing)|"
    r"engag\w*|invok\w*|cit\w*)\b[^,;.]{0,25}$",
    re.I,
)
# "the duty to confirm or deny does not apply by virtue of section 24(2)": the negation is
# about the duty; what follows "by virtue of" is the exemption relied on.
_CAUSE_BEFORE = lazy_compile(r"\b(?:by\s+virtue\s+of|because\s+of|owing\s+to)\s+(?:the\s+)?$", re.I)
_NEG_AFTER = lazy_compile(
    r"^[^.;]{0,50}?\b(?:does|do|is|was|has|have|will|would|did)[ \t]+not[ \t]+(?:been[ \t]+|be[ \t]+)?"
    r"(?:appl|engag|relevant|rel[iy]|us)",
    re.I,
)
_CUE_WINDOW = 250
# "neither confirm nor deny" or "NCND" (fastre: the N first, the word boundary before it checked after it)
NCND = lazy_compile(
    first("n") + r"(?:either\s+confirm(?:s|ing|ed)?\s+n?or\s+den(?:y|ies|ying|ied)|(?<!\w.)CND\b)", re.I
)


@dataclass(frozen=True)
class Citation:
    code: str  # normalised: s40(2), eir12(5)(b)
    start: int
    end: int


def normalise_exemption(text: str) -> str | None:
    """'Section 40(2)', 's.40(2)', 'section 40 (2)' -> 's40(2)'; 'regulation 12(4)(b)' -> 'eir12(4)(b)'."""
    s = text.strip()
    m = re.fullmatch(r"(?i)eir[ \t]*(\d{1,2})(.*)", s)
    if m and _subs_only(m.group(2)):
        return f"eir{m.group(1)}{_norm_subs(m.group(2))}"
    m = _EIR.match(s)
    if m and _subs_only(s[m.end() :]):
        return f"eir{m.group('num')}{_norm_subs(m.group('subs'))}"
    m = _FOI.match(s)
    if m and _subs_only(s[m.end() :]):
        return f"s{m.group('num').upper()}{_norm_subs(m.group('subs'))}"
    m = re.fullmatch(r"(\d{1,2}[A-Za-z]?)(.*)", s)  # a bare "40(2)" is an FOI section
    if m and _subs_only(m.group(2)):
        return f"s{m.group(1).upper()}{_norm_subs(m.group(2))}"
    return None


def _subs_only(rest: str) -> bool:
    rest = _SUB_PART.sub("", rest)
    return not rest.strip(" \t.,;:")


def _norm_subs(subs: str) -> str:
    parts = []
    for p in _SUB_PART.findall(subs or ""):
        parts.append(f"({p[:-1] + p[-1].upper() if p[0].isdigit() else p.lower()})")
    return "".join(parts)


def find_citations(text: str, regions: list[Span]) -> list[Citation]:
    """Every non-negated exemption citation inside the regions, in order."""
    found: list[Citation] = []
    for region in regions:
        matches = sorted(
            (
                (m, is_eir)
                for pattern, is_eir in ((_FOI, False), (_EIR, True))
                for m in pattern.finditer(text, region.start, region.end)
            ),
            key=lambda x: x[0].start(),
        )
        if not matches:
            continue  # most letters cite nothing: no sentence split, no cue scan
        sents = sentences(text, region.start, region.end)
        starts = [s.start for s in sents]
        cues = _CueIndex(text, region.end)
        consumed = -1  # end of the last list of numbers read ("s40, s41 and s43")
        for m, is_eir in matches:
            if m.start() < consumed:
                continue  # already read as part of the list before it
            cited, end = _citations_at(text, m, is_eir, sents, starts, region.end, cues)
            found.extend(cited)
            consumed = max(consumed, end)
    found.sort(key=lambda c: c.start)
    return found


class _CueIndex:
    """Where the exemption words are, found in one left-to-right pass over the windows around
    the citations (taken in order), reading a little ahead: a window overlapping text already
    searched is not searched again, so a text made of citations costs one pass, not one
    window per citation."""

    _READ_AHEAD = 2048
    _OVERLAP = 40  # longer than any cue: one cut by the end of the last search is found whole

    def __init__(self, text: str, limit: int):
        self.text = text
        self.limit = limit
        self.starts: list[int] = []
        self.scanned = 0  # everything between the windows asked for and here has been searched

    def any_in(self, lo: int, hi: int) -> bool:
        if hi > self.scanned:
            pos = max(lo, self.scanned - self._OVERLAP)
            end = max(hi, min(self.limit, hi + self._READ_AHEAD))
            for m in _CUE.finditer(self.text, pos, end):
                if not self.starts or m.start() > self.starts[-1]:
                    self.starts.append(m.start())
            self.scanned = end
        i = bisect.bisect_left(self.starts, lo)
        return i < len(self.starts) and self.starts[i] < hi


def _citations_at(text, m, is_eir, sents, starts, limit, cues: _CueIndex) -> tuple[list[Citation], int]:
    """The citations at one match (with any list of numbers after it) and where they end."""
    valid = _EIR_REGULATIONS if is_eir else _FOI_SECTIONS
    prefix = "eir" if is_eir else "s"
    sent = _sentence_of(sents, starts, m.start())
    # The cue must be in the citation's sentence, and near it: a window keeps a megabyte-long
    # "sentence" (a table, a text without full stops) from being rescanned for every citation.
    lo = max(sent.start if sent else 0, m.start() - _CUE_WINDOW)
    hi = min(sent.end if sent else len(text), m.end() + _CUE_WINDOW)
    if not cues.any_in(lo, hi) or _negated(text, m, sent) or _other_law(text[m.end() : m.end() + 120], is_eir):
        return [], m.end()
    out = []
    if m.group("num").upper() in valid:
        out.append(Citation(f"{prefix}{m.group('num').upper()}{_norm_subs(m.group('subs'))}", m.start(), m.end()))
    pos = m.end()
    while True:  # a list of further numbers shares the citation's context
        more = _LIST_MORE.match(text, pos, limit)
        if not more:
            break
        if more.group("num").upper() in valid:
            out.append(
                Citation(
                    f"{prefix}{more.group('num').upper()}{_norm_subs(more.group('subs'))}",
                    more.start("num"),
                    more.end(),
                )
            )
        pos = more.end()
    return out, pos


def _sentence_of(sents: list[Span], starts: list[int], pos: int) -> Span | None:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and sents[i].start <= pos < sents[i].end:
        return sents[i]
    return None


def _negated(text: str, m: re.Match, sent: Span | None) -> bool:
    lo = max(sent.start if sent else 0, m.start() - 80)
    before = text[lo : m.start()]
    after = text[m.end() : min(m.end() + 80, sent.end if sent else m.end() + 80)]
    if _CAUSE_BEFORE.search(before[-40:]) and not _NEG_AFTER.search(after):
        return False
    return bool(_NEG_BEFORE.search(before) or _NEG_AFTER.search(after))


def _other_law(after: str, is_eir: bool) -> bool:
    """True when the number belongs to another Act or set of Regulations."""
    act = _OTHER_ACT.match(after)
    if act and not _FOI_ACT.search(act.group(1)):
        name = act.group(1).strip()
        if name.lower() not in ("the", "this", "that"):
            return True
    regs = _OTHER_REGS.match(after)
    if is_eir and regs and not _EIR_NAME.search(regs.group(1)):
        return True
    return False


def dedupe(codes: list[str]) -> list[str]:
    """Unique codes in order; a bare "s40" goes when "s40(2)" is also cited. Linear in the
    total length of the codes (a sidecar may list 100,000 of them)."""
    unique = list(dict.fromkeys(codes))
    parents = {p for c in unique for p in _parents(c)}
    return [c for c in unique if c not in parents]


def exemption_keys(exemptions: list[str]) -> list[str]:
    """Each exemption and its parents, lowercased, unique, in order: what a filter on "s40"
    must find for "s40(2)" and "s40(3A)(a)". Linear in the total length of the codes."""
    keys: dict[str, None] = {}
    for ex in exemptions:
        for p in _parents(ex):
            keys.setdefault(p.lower())
        keys.setdefault(ex.lower())
    return list(keys)


def _parents(code: str) -> list[str]:
    """'s40(3A)(a)' -> ['s40', 's40(3A)']: each prefix that ends before a "(". A code is short
    in practice; a hostile one only costs its own length squared, never the list's."""
    return [code[:i] for i in itertools.islice((i for i, ch in enumerate(code) if ch == "(" and i > 0), 8)]


def find_ncnd(text: str, regions: list[Span]) -> bool:
    return any(NCND.search(text, r.start, r.end) for r in regions)
