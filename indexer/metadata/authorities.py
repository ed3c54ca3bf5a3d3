"""UK public authorities: the gazetteer (indexer/data/authorities.csv), name/alias/domain
lookup, pattern recognition of bodies not listed ("... NHS Foundation Trust", "... Borough
Council", "University of ..."), and finding which authority wrote a response.

The writer is not simply the most mentioned body: a police letter may name the Home Office
three times and itself once ("I approached SYP ..."). Mentions are weighted by where they
sit (a "Name of authority:" label, letterhead, signature, "Dear X," in the quoted request,
email domains) and by what the text says about the writer ("your force", "the Council").
A body named inside the request the letter repeats ("You asked: ... Sheffield City
Council ...") is what the requester asked about, never evidence of who wrote the reply.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from indexer.lazyre import lazy_compile
from indexer.memo import cached_when_short
from indexer.metadata.fastre import first
from indexer.metadata.layout import Layout

_CSV = Path(__file__).resolve().parent.parent / "data" / "authorities.csv"

_TOKEN = lazy_compile(r"[A-Za-z][A-Za-z'’\-]*|&")
_JOIN_CHARS = " \t\n,"  # all that may separate the tokens of one name
_SHORT_LINE = 45  # tokens of one name are separated by spaces/newlines/commas only
_EMAIL = lazy_compile(r"@([\w\-]{1,63}(?:\.[\w\-]{1,63}){1,6})")  # only the domain matters
_URL = lazy_compile(first("hw") + r"(?:(?<=h)ttps?://|(?<=w)ww\.)([\w\-]{1,63}(?:\.[\w\-]{1,63}){1,6})", re.I)


@dataclass(frozen=True)
class Authority:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    lookup_only: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def all_aliases(self) -> list[str]:
        return [self.name, *self.aliases, *self.abbreviations, *self.lookup_only, *self.domains]


@dataclass
class Gazetteer:
    by_name: dict[str, Authority] = field(default_factory=dict)
    lookup: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # any form, lowercased
    names: dict[tuple[str, ...], str] = field(default_factory=dict)  # normalised tokens -> canonical
    abbrevs: dict[tuple[str, ...], str] = field(default_factory=dict)  # exact tokens -> canonical
    context_abbrevs: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[str, str] = field(default_factory=dict)
    name_prefixes: set[tuple[str, ...]] = field(default_factory=set)  # for greedy longest match
    abbrev_prefixes: set[tuple[str, ...]] = field(default_factory=set)
    context_first: set[str] = field(default_factory=set)
    max_len: int = 1


def _norm_token(tok: str) -> str:
    t = tok.replace("’", "'").lower()
    if t == "&":
        return "and"
    if t.endswith("'s"):
        t = t[:-2]
    return t.rstrip("'")


# The same capitalised words come back in every letter: each is normalised once.
_cached_norm = cached_when_short(16_384, 40)(_norm_token)


def _key(text: str) -> tuple[str, ...]:
    return tuple(_norm_token(t) for t in _TOKEN.findall(text))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(";") if p.strip())


@cache
def gazetteer() -> Gazetteer:
    """Loaded once per process; the CSV is data so adding a body needs no code change."""
    g = Gazetteer()
    with _CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            a = Authority(
                row["name"].strip(),
                row["type"].strip(),
                _split(row["aliases"]),
                _split(row["abbreviations"]),
                _split(row["lookup_only"]),
                _split(row["domains"]),
            )
            g.by_name[a.name] = a
            _index(g, a)
    return g


# How letters shorten a council's kind: "Barnsley MBC", "Caerphilly CBC".
_KIND_SHORT = (
    (lazy_compile(r"\s+Metropolitan\s+Borough\s+Council$"), " MBC"),
    (lazy_compile(r"\s+County\s+Borough\s+Council$"), " CBC"),
    (lazy_compile(r"\s+Metropolitan\s+District\s+Council$"), " MDC"),
)


def _index(g: Gazetteer, a: Authority) -> None:
    forms = [a.name, *a.aliases]
    forms += [rx.sub(short, f) for f in forms for rx, short in _KIND_SHORT if rx.search(f)]
    for form in forms:
        for variant in {form, re.sub(r"^The\s+", "", form)}:
            key = _key(variant)
            g.names[key] = a.name
            g.name_prefixes.update(key[:k] for k in range(1, len(key) + 1))
            g.max_len = max(g.max_len, len(key))
            g.lookup[" ".join(key)].add(a.name)
    for abbr in a.abbreviations:
        key = tuple(_TOKEN.findall(abbr))
        g.abbrevs[key] = a.name
        g.abbrev_prefixes.update(key[:k] for k in range(1, len(key) + 1))
        g.lookup[abbr.lower()].add(a.name)
        g.max_len = max(g.max_len, len(key))
    for abbr in a.lookup_only:
        # Ambiguous short forms ("SCC", "Met"): a lookup may use them, and in a text they only
        # support a body the text already names in full.
        key = tuple(_TOKEN.findall(abbr))
        g.context_abbrevs[key].add(a.name)
        g.context_first.add(key[0])
        g.lookup[abbr.lower()].add(a.name)
        g.lookup[" ".join(_key(abbr))].add(a.name)
    for d in a.domains:
        g.domains[d.lower()] = a.name
        g.lookup[d.lower()].add(a.name)


# --- pattern-based names of bodies not in the gazetteer -----------------------------------

_SUFFIXES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (tuple(s.split()), t)
    for s, t in (
        ("nhs foundation trust", "nhs"),
        ("nhs trust", "nhs"),
        ("integrated care board", "nhs"),
        ("health board", "nhs"),
        ("clinical commissioning group", "nhs"),
        ("metropolitan borough council", "council"),
        ("metropolitan district council", "council"),
        ("borough council", "council"),
        ("city council", "council"),
        ("county council", "council"),
        ("district council", "council"),
        ("county borough council", "council"),
        ("parish council", "council"),
        ("town council", "council"),
        ("combined authority", "council"),
        ("fire and rescue service", "fire"),
        ("fire and rescue authority", "fire"),
        ("police and crime commissioner", "pcc"),
        ("university", "university"),
        ("council", "council"),
    )
)
_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("university", "of"), "university"),
    (("london", "borough", "of"), "council"),
    (("royal", "borough", "of"), "council"),
)
_PATTERN_FIRST = frozenset(x[0][0] for x in _SUFFIXES + _PREFIXES)
_CONNECTORS = frozenset({"of", "and", "upon", "on", "the", "in", "under"})
_STOP = frozenset(
    "dear the to from please contact regards yours sincerely faithfully re subject email kind thank "
    "thanks you we i our your this that information freedom request response foi eir team office "
    "unit dept department sent cc bcc copy attn for with at by in on a an all any each every if "
    "as which whose other another local public".split()
)
_KEEP_UPPER = frozenset({"NHS", "ICB", "UK", "HM", "CCG"})
# Words that name a kind of body, not a body: "the City Council" is whichever council wrote.
_GENERIC = frozenset(
    "city county borough district metropolitan town parish london royal combined "
    "the of and nhs foundation health".split()
)
_NOT_A_UNIVERSITY = frozenset({"hospital", "hospitals", "nhs", "trust", "teaching", "health"})


@dataclass(slots=True)
class _Tok:
    raw: str
    norm: str
    start: int
    end: int
    joined: bool  # separated from the previous token only by spaces/newlines/commas


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = -1
    for m in _TOKEN.finditer(text, start, end):
        gap = text[prev_end : m.start()] if prev_end >= 0 else None
        joined = gap is not None and not gap.strip(_JOIN_CHARS)
        if joined and "\n" in gap:
            # A name wraps onto the next line in flowed email text (long lines), but a short
            # line is a unit of its own: "University of Sheffield" / "Firth Court".
            line_start = text.rfind("\n", 0, prev_end) + 1
            joined = prev_end - line_start >= _SHORT_LINE
        raw = m.group(0)
        toks.append(_Tok(raw, _cached_norm(raw), m.start(), m.end(), joined))
        prev_end = m.end()
    return toks


def _capitalised(tok: _Tok) -> bool:
    return tok.raw[0].isupper() and tok.norm not in _STOP


def _pattern_name(toks: list[_Tok], i: int) -> tuple[str, str, int, int] | None:
    """A body named by pattern with its suffix starting at token i: (name, type, first, last)."""
    if toks[i].norm not in _PATTERN_FIRST:
        return None
    for suffix, kind in _SUFFIXES:
        n = len(suffix)
        if tuple(t.norm for t in toks[i : i + n]) != suffix or not all(t.joined for t in toks[i + 1 : i + n]):
            continue
        if not toks[i].raw[0].isupper():
            break
        j = i
        while j > 0 and i - j < 6 and toks[j].joined and (_capitalised(toks[j - 1]) or toks[j - 1].norm in _CONNECTORS):
            j -= 1
        while j < i and (toks[j].norm in _CONNECTORS or toks[j].norm in _STOP):
            j += 1
        if j == i or all(t.norm in _GENERIC for t in toks[j:i]):
            break  # "the University", "the City Council", "University of X": try the prefixes
        if kind == "university" and i + 1 < len(toks) and toks[i + 1].joined and toks[i + 1].norm in _NOT_A_UNIVERSITY:
            return None  # "St James's University Hospital" is a hospital
        return _display(toks[j : i + n]), kind, j, i + n - 1
    for prefix, kind in _PREFIXES:
        n = len(prefix)
        if tuple(t.norm for t in toks[i : i + n]) != prefix or not toks[i].raw[0].isupper():
            continue
        k = i + n
        while (
            k < len(toks)
            and k - (i + n) < 4
            and toks[k].joined
            and (
                _capitalised(toks[k]) or toks[k].norm in _CONNECTORS and k + 1 < len(toks) and _capitalised(toks[k + 1])
            )
        ):
            k += 1
        if k == i + n:
            return None
        return _display(toks[i:k]), kind, i, k - 1
    return None


def _longest_pattern(toks: list[_Tok], pat: tuple[str, str, int, int]) -> tuple[str, str, int, int]:
    """'Oxford University Hospitals NHS Foundation Trust' is one name, not 'Oxford University'
    followed by another: a pattern that ends a little later and takes in this one wins."""
    k = pat[3] + 1
    while k < len(toks) and k <= pat[3] + 6 and toks[k].joined:
        if toks[k].norm in _PATTERN_FIRST:
            longer = _pattern_name(toks, k)
            if longer and longer[2] <= pat[2] and longer[3] > pat[3]:
                return longer
        k += 1
    return pat


def _display(toks: list[_Tok]) -> str:
    words = []
    for t in toks:
        w = t.raw.replace("’", "'")
        if w.isupper() and len(w) > 1 and w not in _KEEP_UPPER:
            w = w.capitalize()
        if t.norm in _CONNECTORS and words:
            w = w.lower()
        words.append(w)
    return " ".join(words)


# --- public lookups ----------------------------------------------------------------------


def canonical_authority(name: str) -> str | None:
    """Any name, alias, abbreviation or email domain (case-insensitive) -> the normalised name.

    A name the gazetteer lacks but that is a whole authority name by pattern ("Leeds Teaching
    Hospitals NHS Trust") is returned tidied, so filters and extraction agree; else None.
    """
    if not name or not name.strip():
        return None
    g = gazetteer()
    s = name.strip()
    if "@" in s or ("." in s and " " not in s):
        hit = _domain_authority(s.split("@")[-1])
        if hit:
            return hit
    for key in (s.lower(), " ".join(_key(s)), " ".join(_key(re.sub(r"(?i)^the\s+", "", s)))):
        names = g.lookup.get(key)
        if names and len(names) == 1:
            return next(iter(names))
    toks = _tokens(s, 0, len(s))
    for i in range(len(toks)):
        hit = _pattern_name(toks, i)
        if hit and hit[3] == len(toks) - 1 and all(t.norm == "the" for t in toks[: hit[2]]):
            found = g.names.get(_key(hit[0]))
            return found or hit[0]
    return None


def authority_aliases(canonical: str) -> list[str]:
    """Every form of an authority's name (name, aliases, abbreviations, domains)."""
    name = canonical_authority(canonical) or canonical
    a = gazetteer().by_name.get(name)
    if a:
        return a.all_aliases()
    return [name] if canonical_authority(canonical) else []


def authority_type(canonical: str) -> str | None:
    a = gazetteer().by_name.get(canonical)
    return a.type if a else None


def _domain_authority(host: str) -> str | None:
    host = host.lower().strip(".").removeprefix("www.")
    host = host.replace(".pnn.police.uk", ".police.uk")
    domains = gazetteer().domains
    parts = host.split(".")
    for i in range(len(parts) - 1):
        hit = domains.get(".".join(parts[i:]))
        if hit:
            return hit
    return None


# --- which authority wrote this response -------------------------------------------------

# Runs of capitalised words (with "of", "and", "&"... inside): names can only be there, and
# scanning runs instead of every word keeps a 1,000-word letter to a few hundred tokens.
_RUN = lazy_compile(
    r"(?:[A-Z][A-Za-z'’\-]*|&)(?:[ \t\n,]{1,8}(?:[A-Z][A-Za-z'’\-]*|&|(?:of|and|for|upon|on|the|in|under)\b)){0,30}"
)
_SALUTE_QUOTED = lazy_compile(r"^[ \t>]*Dear[ \t]+([^\n]{3,90}?)[ \t]*+,?+[ \t]*+$", re.M)
_AGENT_AFTER = lazy_compile(
    r"['’]s[ \t\n]+(?:response|decision|reply|position|records|systems?)\b"
    r"|[ \t\n]+(?:has|have|does|do|can|holds?|has\s+received|received|considered|searched|confirms?|"
    r"publishes|is\s+(?:unable|not\s+obliged|able))\b",
    re.I,
)
_AGENT_BEFORE = lazy_compile(r"(?:on\s+behalf\s+of|behalf\s+of|approached|here\s+at|within)\s+(?:the\s+)?$", re.I)
_ELSEWHERE_BEFORE = lazy_compile(
    r"(?:contact|to|by|from|with|via|at|redirect\w*|transfer\w*|held\s+by|owned\s+by|managed\s+by)\s+(?:the\s+)?$",
    re.I,
)
# The rest of a line that gives a postal address: "..., Town Hall, Brighton Street, Wallasey CH44 8ED".
_ADDRESS_AFTER = lazy_compile(
    r"[ \t]*[,–-][^\n]{0,100}?(?:\b[A-Z]{1,2}\d[A-Z\d]?[ \t]+\d[A-Z]{2}\b|\bP\.?[ \t]?O\.?[ \t]+Box\b|"
    r"\b(?:Town|County|City)[ \t]+Hall\b|\bCivic[ \t]+(?:Centre|Offices)\b)"
)
_FILE_NAME = lazy_compile(r"\.(?:pdf|docx?|xlsx?|xlsm|csv|pptx?|odt|ods|rtf|txt|zip|msg|png|jpe?g)[ \t]*$", re.I | re.M)
_COMPLAINT = lazy_compile(r"complain|internal\s+review|dissatisfied|unhappy|appeal|Information\s+Commissioner", re.I)
_TYPE_HINT = lazy_compile(  # "\b(?:your|this|the|our)\s+...", spelt for re to skip ahead (fastre)
    first("yto") + r"(?<!\w.)(?:(?<=y)our|(?<=t)his|(?<=t)he|(?<=o)ur)\s+(?:(?:city|county|borough|district)\s+)?"
    r"(force|constabulary|council|local\s+authority|trust|department|ministry|university)\b"
    r"(?![ \t]+(?:for|of|and)[ \t]+[A-Z])",  # "the Department for Transport" names a body, not the writer's kind
    re.I,
)
_HINT_TYPES = {
    "force": "police",
    "constabulary": "police",
    "council": "council",
    "local authority": "council",
    "trust": "nhs",
    "department": "central_government",
    "ministry": "central_government",
    "university": "university",
}
# "Name of Authority: Blaenau Gwent" on a form-style reply names the writer outright.
_AUTHORITY_LABEL = lazy_compile(
    r"^[ \t]*(?:name[ \t]+of[ \t]+(?:the[ \t]+)?(?:public[ \t]+)?authority|(?:public[ \t]+)?authority[ \t]+name"
    r"|public[ \t]+authority|responding[ \t]+(?:public[ \t]+)?(?:authority|body|organisation))"
    r"[ \t]*+[:\-–|]?[ \t]*+(?P<value>[^\n]{2,100})$",
    re.M | re.I,
)
_LABEL_SCAN = 3000
_COUNCIL_SUFFIXES = (
    "Council",
    "City Council",
    "County Council",
    "Borough Council",
    "County Borough Council",
    "Metropolitan Borough Council",
    "Metropolitan District Council",
    "District Council",
)
_LABEL_WEIGHT = 8.0  # more than a letterhead and a signature together
_SCAN_HEAD = 12000
_SCAN_TAIL = 4000
_HEAD_ZONE = 600
_PLAIN_FULL = 3.0  # plain body mentions beyond this weigh logarithmically...
_PLAIN_CAP = 5.0  # ...and never outweigh a letterhead and a signature (3 + 3)


def find_authority(layout: Layout) -> str | None:
    """The normalised name of the body that wrote the response, or None."""
    text = layout.text
    scores: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    context_votes: dict[str, float] = defaultdict(float)
    plain: dict[str, float] = defaultdict(float)
    placed: dict[str, float] = defaultdict(float)  # letterhead, signature and footer mentions
    for start, end in _scan_ranges(layout):
        _score_range(text, start, end, layout, scores, first_seen, context_votes, plain, placed)
    for name, w in plain.items():
        scores[name] += _damped(w)
    for m in _AUTHORITY_LABEL.finditer(text, 0, min(layout.current_end, _LABEL_SCAN)):
        name = _label_value(m.group("value"))
        if name:
            scores[name] += _LABEL_WEIGHT
            placed[name] += _LABEL_WEIGHT
            first_seen.setdefault(name, m.start())
    for m in _SALUTE_QUOTED.finditer(text, layout.current_end, min(len(text), layout.current_end + 200000)):
        # The quoted request was addressed to the authority: "Dear Sheffield City Council,".
        name = canonical_authority(m.group(1))
        if name:
            scores[name] += 4
            placed[name] += 4
            first_seen.setdefault(name, m.start())
    _score_domains(text, layout, scores, first_seen, placed)
    for name, votes in context_votes.items():
        if name in scores:
            scores[name] += votes
    if not scores:
        return None
    if placed:
        # The body that heads or signs the letter wrote it, however often the text names another
        # ("the transfer of the park from Sheffield City Council ..."); a "Name of authority:"
        # label, the sender's address and the quoted request's salutation count with it.
        strongest = max(placed.values())
        for name in scores:
            if not placed.get(name) and scores[name] >= strongest:
                scores[name] = strongest - 0.5
    candidates = _apply_type_hint(text, layout, scores)
    best = max(candidates, key=lambda n: (candidates[n], -first_seen.get(n, 0)))
    return best if candidates[best] >= 1.0 else None


def _label_value(value: str) -> str | None:
    """The body a label names: 'Blaenau Gwent' (the gazetteer's short form for the council),
    'Leeds City Council', or a name ending the value ('Information Governance, Kent Police')."""
    value = value.strip(" \t.,;:")
    name = canonical_authority(value)
    if name:
        return name
    g = gazetteer()
    for suffix in _COUNCIL_SUFFIXES:  # a place alone: the council the gazetteer knows by it
        name = g.names.get(_key(f"{value} {suffix}"))
        if name:
            return name
    toks = _tokens(value, 0, len(value))
    for i in range(len(toks)):
        hit = _gazetteer_hit(g, toks, i)
        if hit:
            return hit[0]
        pat = _pattern_name(toks, i) if toks[i].raw[0].isupper() else None
        if pat:
            return g.names.get(_key(pat[0]), pat[0])
    return None


def _scan_ranges(layout: Layout) -> list[tuple[int, int]]:
    end = layout.current_end
    if end <= _SCAN_HEAD + _SCAN_TAIL:
        return [(0, end)]
    return [(0, _SCAN_HEAD), (end - _SCAN_TAIL, end)]


def _damped(w: float) -> float:
    """Plain mentions in the body count less and less: a data annex that names an agency in
    every row ("Border Force", 16 times) says what the letter is about, not who wrote it."""
    return w if w <= _PLAIN_FULL else min(_PLAIN_CAP, _PLAIN_FULL + math.log2(1 + w - _PLAIN_FULL))


def _score_range(text, start, end, layout, scores, first_seen, context_votes, plain, placed) -> None:
    g = gazetteer()
    context_first, abbrev_prefixes, name_prefixes = g.context_first, g.abbrev_prefixes, g.name_prefixes
    for run in _RUN.finditer(text, start, end):
        word = run.group()
        if (
            word.isalpha()
            and word not in context_first
            and (word,) not in abbrev_prefixes
            and (word.lower(),) not in name_prefixes
        ):
            continue  # a lone capitalised word ("The", "Please") that starts no name: the common case
        _score_run(text, run.start(), run.end(), layout, scores, first_seen, context_votes, plain, placed)


def _score_run(text, start, end, layout, scores, first_seen, context_votes, plain, placed) -> None:
    word = text[start:end]
    # Which names a run holds depends on its own text only, and on where its first line
    # starts when a name may wrap (see _tokens): the same runs come back in every letter.
    column = min(_SHORT_LINE, start - text.rfind("\n", 0, start) - 1) if "\n" in word else 0
    for name, lo, hi in _run_mentions(word, column):
        if lo < 0:  # context votes: `name` is the names an ambiguous abbreviation may stand for
            for one in name:
                context_votes[one] += 0.5
            continue
        pos = start + lo
        w = _weight(text, pos, start + hi, layout)
        (plain if w <= 1.0 else scores)[name] += w
        if w >= 1.5 and _placed(text, pos, start + hi, layout):
            placed[name] += w
        first_seen.setdefault(name, pos)


_RUN_CACHE_LENGTH = 400  # longer runs (a table's header row) are scanned every time


def _run_mentions(word: str, column: int) -> tuple:
    """The mentions in one run of capitalised words, in order: (name, start, end) offsets in
    the run, or (names, -1, -1) for the context votes of an ambiguous abbreviation. `column`
    is how far into its line the run starts (at most _SHORT_LINE: all that _tokens asks)."""
    if len(word) <= _RUN_CACHE_LENGTH:
        return _cached_run_mentions(word, column)
    return _scan_run(word, column)


def _scan_run(word: str, column: int) -> tuple:
    g = gazetteer()
    text = " " * column + word  # the run where it stands in its line
    toks = _tokens(text, column, len(text))
    out = []
    i = 0
    while i < len(toks):
        hit = _gazetteer_hit(g, toks, i)
        if hit:
            name, n = hit
        else:
            ctx = _context_hit(g, toks, i)
            if ctx:
                out.append((tuple(ctx[0]), -1, -1))
                i += ctx[1]
                continue
            pat = _pattern_name(toks, i) if toks[i].raw[0].isupper() else None
            if not pat:
                i += 1
                continue
            pat = _longest_pattern(toks, pat)
            name = g.names.get(_key(pat[0]), pat[0])
            n = pat[3] - i + 1
            if pat[2] < i:  # the pattern walked back over tokens already passed
                n = max(1, pat[3] - i + 1)
        out.append((name, toks[i].start - column, toks[min(i + n, len(toks)) - 1].end - column))
        i += n
    return tuple(out)


_cached_run_mentions = lru_cache(maxsize=8192)(_scan_run)


def _gazetteer_hit(g: Gazetteer, toks: list[_Tok], i: int) -> tuple[str, int] | None:
    """Longest gazetteer name or abbreviation starting at token i (tokens of one run are joined)."""
    if not toks[i].raw[0].isupper():
        return None
    best: tuple[str, int] | None = None
    for attr, prefixes, table in (("norm", g.name_prefixes, g.names), ("raw", g.abbrev_prefixes, g.abbrevs)):
        key: tuple[str, ...] = ()
        for j in range(i, min(len(toks), i + g.max_len)):
            key += (getattr(toks[j], attr),)
            if key not in prefixes:
                break
            if key in table and (best is None or len(key) > best[1]):
                best = (table[key], len(key))
    return best


def _context_hit(g: Gazetteer, toks: list[_Tok], i: int) -> tuple[set[str], int] | None:
    if toks[i].raw not in g.context_first:
        return None
    for n in (2, 1):
        key = tuple(x.raw for x in toks[i : i + n])
        if len(key) == n and key in g.context_abbrevs:
            return g.context_abbrevs[key], n
    return None


def _weight(text: str, start: int, end: int, layout: Layout) -> float:
    """How much one mention says that this body wrote the letter."""
    in_current = start < layout.current_end
    if layout.request and layout.request.start <= start < layout.request.end:
        return 0.25  # the request repeated in the reply names what was asked about
    w = 3.0 if _placed(text, start, end, layout) else 1.0
    after = text[end : end + 40]
    before = text[max(0, start - 40) : start]
    if _AGENT_AFTER.match(after) or _AGENT_BEFORE.search(before):
        w += 2.0
    elif _ELSEWHERE_BEFORE.search(before):
        w *= 0.5
    lo, hi = _sentence_around(text, start, end)
    if start >= layout.body_end:
        lo = max(lo, layout.body_end)  # the signature is not part of the complaints paragraph above it
    if _COMPLAINT.search(text, lo, hi):
        # "complain to the Information Commissioner's Office" names the regulator, not the
        # writer: every reply has that paragraph, and the ICO's own letters sign as the ICO
        w *= 0.1
    if not in_current or layout.sign_end > layout.body_end and start >= layout.sign_end:
        w *= 0.5  # quoted emails, and an annex after the signature: data, not the writer
    return w


def _placed(text: str, start: int, end: int, layout: Layout) -> bool:
    """The mention heads the letter (above the salutation; with none, the first few lines),
    sits in the signature block, or is a footer line under it that gives a postal address."""
    if start >= layout.current_end:
        return False
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    line_end = line_end if line_end >= 0 else len(text)
    if _FILE_NAME.search(text, line_start, line_end):
        return False  # an attachment's name listed above the letter ("Bar Park Rotherham.pdf")
    head_end = layout.body_start if layout.body_start > 0 else min(_HEAD_ZONE, layout.body_end)
    if start < head_end or layout.body_end <= start < max(layout.sign_end, layout.body_end + 1):
        return True
    return start >= layout.body_end and bool(_ADDRESS_AFTER.match(text, end, line_end))


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(
        text.rfind(". ", max(0, start - 300), start), text.rfind("\n\n", max(0, start - 300), start), start - 300, 0
    )
    hi_candidates = [i for i in (text.find(". ", end, end + 300), text.find("\n\n", end, end + 300)) if i >= 0]
    return lo, min(hi_candidates) if hi_candidates else min(len(text), end + 300)


def _score_domains(text, layout, scores, first_seen, placed) -> None:
    limit = min(len(text), layout.current_end + 50000)
    for pattern, weight in ((_EMAIL, 3.0), (_URL, 0.5)):
        for m in pattern.finditer(text, 0, limit):
            name = _domain_authority(m.group(1))
            if not name:
                continue
            w = weight if m.start() < layout.current_end else weight * 0.5
            if pattern is _URL and _COMPLAINT.search(text, *_sentence_around(text, m.start(), m.end())):
                w = 0.0
            scores[name] += w
            if pattern is _EMAIL and m.start() < layout.current_end:
                placed[name] += w  # the sender's own address
            first_seen.setdefault(name, m.start())


def _apply_type_hint(text: str, layout: Layout, scores: dict[str, float]) -> dict[str, float]:
    """'your force' twice and no council talk: the writer is a police force."""
    counts: dict[str, int] = defaultdict(int)
    for m in _TYPE_HINT.finditer(text, 0, min(len(text), layout.current_end + 20000)):
        counts[_HINT_TYPES[re.sub(r"\s+", " ", m.group(1).lower())]] += 1
    if not counts:
        return scores
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    kind, n = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if n < 2 or n < 2 * runner_up:
        return scores
    typed = {name: s for name, s in scores.items() if _type_of(name) == kind}
    return typed if typed and max(typed.values()) >= 1.0 else scores


def _type_of(name: str) -> str | None:
    t = authority_type(name)
    if t:
        return t
    low = name.lower()
    for suffix, kind in _SUFFIXES:
        if low.endswith(" ".join(suffix)):
            return kind
    if low.startswith("university of"):
        return "university"
    return None
