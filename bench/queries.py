"""The fixed, mixed query set the benchmark runs on every engine (foi, SQLite FTS5, tantivy).

Each query is a :class:`Q`: plain ``terms`` (all required), ``phrases`` (word sequences,
all required), optional ``filters`` (the fields of ``indexer.search.Filters``: authority,
outcome, exemption, after, before) and ``facets`` (count matches per authority, year,
exemption and outcome as well as returning the top hits).

Each engine renders a Q its own way:

- foi in process: ``SearchService.search(q.text, Filters(**q.filters), facets=q.facets)``
- foi ``--queries FILE``: one line per query, filters written in foi's query language
  (``authority:"..."``, ``outcome:x``, ``exemption:s40``, ``date:[A TO B]``); facets are
  a whole-batch flag there, so the batch runs without them
- FTS5 and tantivy: see ``bench/fts5.py`` and ``bench/tantivy_engine.py``

The set is built by code from fixed lists and a fixed-seed RNG, so it is identical on
every run and machine. ``QUERIES`` has 300 entries; ``select(n)`` takes an evenly spread
subset with every category represented (``--quick``).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field

CATEGORIES = ("single", "multi", "phrase", "boilerplate", "filter", "date", "facet")


@dataclass(frozen=True)
class Q:
    id: str
    category: str
    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    filters: dict = field(default_factory=dict, hash=False, compare=False)
    facets: bool = False

    # -- the forms an engine needs
    @property
    def text(self) -> str:
        """The free-text part, in the syntax foi and tantivy share: words, then "phrases"."""
        parts = list(self.terms) + ['"' + " ".join(p) + '"' for p in self.phrases]
        return " ".join(parts)

    def foi_line(self) -> str:
        """One line for `foi search --queries`: text plus filters in foi's query language."""
        parts = [self.text]
        f = self.filters
        if f.get("authority"):
            parts.append(f'authority:"{f["authority"]}"')
        if f.get("outcome"):
            parts.append(f"outcome:{f['outcome']}")
        if f.get("exemption"):
            parts.append(f"exemption:{f['exemption']}")
        if f.get("after") or f.get("before"):
            lo = f.get("after") or ""
            hi = f.get("before") or ""
            parts.append(f"date:[{lo} TO {hi}]".replace("[ TO", "[TO").replace("TO ]", "TO]"))
        return " ".join(parts)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["text"] = self.text
        d["foi_line"] = self.foi_line()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Q":
        return cls(
            id=d["id"],
            category=d["category"],
            terms=tuple(d.get("terms") or ()),
            phrases=tuple(tuple(p) for p in d.get("phrases") or ()),
            filters=dict(d.get("filters") or {}),
            facets=bool(d.get("facets")),
        )


# ---------------------------------------------------------------- vocabulary

# Distinctive topic words (a few hundred documents each at 10k) and frequent words
# (most documents: "information", "request") -- both kinds are real user queries.
SINGLE = [
    "taser",
    "drones",
    "potholes",
    "sewage",
    "consultants",
    "prevent",
    "channel",
    "footage",
    "mould",
    "asylum",
    "interpreting",
    "overpayments",
    "biosimilar",
    "maternity",
    "ambulance",
    "handover",
    "recycling",
    "taxi",
    "flooding",
    "libraries",
    "exclusions",
    "ransomware",
    "midwife",
    "firearms",
    "shotgun",
    "custody",
    "misconduct",
    "collisions",
    "fleet",
    "kennelling",
    "landfill",
    "nitrogen",
    "hackney",
    "placements",
    "fostering",
    "disrepair",
    "gullies",
    "salaries",
    "electricity",
    "laptops",
    "pension",
    "compensation",
    "timetable",
    "licences",
    "assaults",
    "information",
    "request",
    "council",
    "police",
    "records",
]

MULTI = [
    ("taser", "children"),
    ("body", "worn", "video"),
    ("stop", "search", "ethnicity"),
    ("pothole", "compensation", "claims"),
    ("prevent", "referrals"),
    ("channel", "panel"),
    ("damp", "mould"),
    ("asylum", "hotel"),
    ("agency", "nurse"),
    ("waiting", "weeks"),
    ("car", "parking", "income"),
    ("cyber", "incidents"),
    ("ransom", "paid"),
    ("drone", "deployments"),
    ("misconduct", "dismissed"),
    ("domestic", "abuse"),
    ("999", "calls"),
    ("facial", "recognition"),
    ("firearms", "certificates"),
    ("deaths", "custody"),
    ("hate", "crime"),
    ("dangerous", "dogs"),
    ("penalty", "charge"),
    ("street", "trees", "felled"),
    ("air", "quality"),
    ("missed", "bin"),
    ("hmo", "licences"),
    ("temporary", "accommodation"),
    ("enforcement", "notices"),
    ("ehc", "plans"),
    ("looked", "after", "children"),
    ("library", "closures"),
    ("taxi", "drivers", "revoked"),
    ("hip", "replacement"),
    ("assaults", "staff"),
    ("maternity", "incidents"),
    ("adalimumab", "expenditure"),
    ("response", "time", "category"),
    ("small", "boat"),
    ("prison", "phones"),
    ("management", "consultants"),
    ("sickness", "absence"),
    ("gender", "pay"),
    ("solar", "panels"),
    ("translation", "services"),
    ("laptops", "stolen"),
    ("social", "media", "monitoring"),
    ("universal", "credit"),
    ("delay", "repay"),
    ("permanent", "exclusions"),
]

PHRASES = [
    ("body", "worn", "video"),
    ("stop", "and", "search"),
    ("penalty", "charge", "notices"),
    ("temporary", "accommodation"),
    ("gender", "pay", "gap"),
    ("small", "boat"),
    ("facial", "recognition"),
    ("domestic", "abuse"),
    ("damp", "and", "mould"),
    ("air", "quality"),
    ("looked", "after", "children"),
    ("storm", "overflow"),
    ("management", "consultants"),
    ("conducted", "energy", "device"),
    ("section", "60"),
    ("gross", "misconduct"),
    ("clean", "air", "zone"),
    ("serious", "incidents"),
    ("social", "media"),
    ("universal", "credit"),
    ("mobile", "phones"),
    ("waiting", "times"),
    ("car", "parking"),
    ("sickness", "absence"),
    ("channel", "panel"),
    ("hate", "crime"),
    ("dangerous", "dogs", "act"),
    ("street", "trees"),
    ("agency", "nursing"),
    ("cyber", "security"),
    ("hotel", "accommodation"),
    ("live", "facial", "recognition"),
    ("missed", "bin", "collections"),
    ("handover", "delays"),
    ("nitrogen", "dioxide"),
]
# Paragraphs every authority pastes into every response: phrases that match nearly every
# document: they set the slowest queries (p95).
BOILERPLATE = [
    ("internal", "review"),
    ("information", "commissioner"),
    ("freedom", "of", "information"),
    ("working", "days"),
    ("open", "government", "licence"),
    ("public", "interest"),
    ("personal", "data"),
    ("reference", "number"),
    ("date", "of", "this", "response"),
    ("information", "commissioner's", "office"),
    ("right", "to", "complain"),
    ("disclosure", "log"),
    ("re", "use"),
    ("copyright",),
    ("exempt",),
]
MIXED_BOILER = [  # a boilerplate phrase narrowed by a topic word
    ("taser", ("internal", "review")),
    ("potholes", ("information", "commissioner")),
    ("asylum", ("public", "interest")),
    ("consultants", ("internal", "review")),
    ("drones", ("personal", "data")),
]

AUTHORITIES = {
    "police": [
        "South Yorkshire Police",
        "Metropolitan Police Service",
        "West Yorkshire Police",
        "Greater Manchester Police",
        "West Midlands Police",
        "Kent Police",
        "Essex Police",
        "Thames Valley Police",
    ],
    "council": [
        "Sheffield City Council",
        "Leeds City Council",
        "Manchester City Council",
        "Birmingham City Council",
        "Bristol City Council",
        "Cornwall Council",
        "London Borough of Hackney",
    ],
    "nhs": [
        "Leeds Teaching Hospitals NHS Trust",
        "Barts Health NHS Trust",
        "Manchester University NHS Foundation Trust",
        "Yorkshire Ambulance Service NHS Trust",
    ],
    "dept": ["Home Office", "Ministry of Justice", "Department for Education", "Cabinet Office"],
}
SECTOR_WORDS = {
    "police": [
        "taser",
        "drones",
        "custody",
        "firearms",
        "misconduct",
        "officers",
        "prevent",
        "footage",
        "vehicles",
        "arrests",
    ],
    "council": [
        "potholes",
        "parking",
        "libraries",
        "recycling",
        "licensing",
        "accommodation",
        "trees",
        "planning",
        "tenants",
        "flooding",
    ],
    "nhs": [
        "agency",
        "patients",
        "maternity",
        "parking",
        "assaults",
        "waiting",
        "ambulance",
        "cyber",
        "staff",
        "midwife",
    ],
    "dept": [
        "asylum",
        "consultants",
        "prisons",
        "pension",
        "translation",
        "laptops",
        "salaries",
        "energy",
        "contracts",
        "requests",
    ],
}
GENERIC = ["information", "data", "cost", "staff", "number", "records", "request", "figures"]
OUTCOMES = ["disclosed", "partial", "refused", "not_held", "ncnd"]
# Exemptions each kind of authority cites (so a filter has documents to find), and the
# outcomes that go with them (the generator cites exemptions in partial, refused and ncnd).
SECTOR_EXEMPTIONS = {
    "police": ["s40", "s40(2)", "s31", "s31(1)(a)", "s24", "s30", "s23", "s38"],
    "council": ["s40", "s43", "s12", "s42", "s21", "eir12", "eir12(5)(e)", "eir13"],
    "nhs": ["s40", "s43", "s43(2)", "s41", "s38", "s12", "s22"],
    "dept": ["s40", "s35", "s36", "s24", "s23", "s12", "s14", "s21"],
}
EXEMPTION_OUTCOMES = {
    "s12": ["refused"],
    "s14": ["refused"],
    "s23": ["ncnd"],
    "s21": ["partial"],
    "s22": ["partial"],
    "s35": ["partial"],
    "s36": ["partial"],
}


def _date_range(rng: random.Random) -> dict:
    kind = rng.choice(["year", "year", "span", "after", "before", "month"])
    year = rng.randint(2013, 2024)
    if kind == "year":
        return {"after": f"{year}-01-01", "before": f"{year}-12-31"}
    if kind == "span":
        end = min(2024, year + rng.randint(1, 4))
        return {"after": f"{year}-01-01", "before": f"{end}-12-31"}
    if kind == "after":
        return {"after": f"{year}-{rng.randint(1, 12):02d}-01"}
    if kind == "before":
        return {"before": f"{year}-{rng.randint(1, 12):02d}-28"}
    month = rng.randint(1, 12)
    return {"after": f"{year}-{month:02d}-01", "before": f"{year}-{month:02d}-28"}


def _words(rng: random.Random, sector: str, generic: float = 0.25) -> tuple[str, ...]:
    """A sector word (60%), a frequent word (`generic`) or a 2-3 word query, as users type them."""
    pick = rng.random()
    if pick < generic:
        return (rng.choice(GENERIC),)
    if pick < 0.85:
        return (rng.choice(SECTOR_WORDS[sector]),)
    return tuple(rng.choice(MULTI))


def _exemption(rng: random.Random, sector: str) -> tuple[str, str]:
    """An exemption this sector cites and an outcome it goes with."""
    code = rng.choice(SECTOR_EXEMPTIONS[sector])
    outcomes = EXEMPTION_OUTCOMES.get(code.split("(")[0], ["partial", "refused", "partial", "ncnd"])
    if code.startswith("eir"):
        outcomes = ["partial", "refused"]
    return code, rng.choice(outcomes)


def build_queries() -> list[Q]:
    rng = random.Random(8)  # fixed: the same query set on every run and machine
    out: list[Q] = []

    def add(category: str, **kw) -> None:
        out.append(Q(id=f"{category}-{sum(q.category == category for q in out) + 1:03d}", category=category, **kw))

    for word in SINGLE:
        add("single", terms=(word,))
    for words in MULTI:
        add("multi", terms=tuple(words))
    for words in PHRASES:
        add("phrase", phrases=(tuple(words),))
    for topic, words in MIXED_BOILER:
        add("phrase", terms=(topic,), phrases=(tuple(words),))
    for words in BOILERPLATE:
        if len(words) == 1:
            add("boilerplate", terms=tuple(words))
        else:
            add("boilerplate", phrases=(tuple(words),))
    for words in BOILERPLATE[:5]:  # the worst ones again, as typed with a filter
        add("boilerplate", phrases=(tuple(words),), filters={"outcome": rng.choice(OUTCOMES)})

    sectors = list(AUTHORITIES)
    for i in range(60):
        sector = sectors[i % len(sectors)]
        filters: dict = {}
        which = i % 6
        code, outcome = _exemption(rng, sector)
        if which == 0:  # authority
            filters["authority"] = rng.choice(AUTHORITIES[sector])
            terms = _words(rng, sector)
        elif which == 1:  # outcome
            filters["outcome"] = rng.choice(OUTCOMES)
            terms = _words(rng, sector)
        elif which == 2:  # exemption
            filters["exemption"] = code
            terms = _words(rng, sector, generic=0.5)
        elif which == 3:  # authority and outcome
            filters["authority"] = rng.choice(AUTHORITIES[sector])
            filters["outcome"] = rng.choice(OUTCOMES[:3])
            terms = (rng.choice(GENERIC),)
        elif which == 4:  # outcome and exemption
            filters["exemption"], filters["outcome"] = code, outcome
            terms = _words(rng, sector, generic=0.5)
        else:  # authority and exemption
            filters["authority"] = rng.choice(AUTHORITIES[sector])
            filters["exemption"] = code.split("(")[0]
            terms = (rng.choice(GENERIC),)
        add("filter", terms=terms, filters=filters)
    for i in range(40):
        sector = sectors[i % len(sectors)]
        filters = _date_range(rng)
        terms = _words(rng, sector)
        if i % 4 == 3:
            filters["authority"] = rng.choice(AUTHORITIES[sector])
            terms = (rng.choice(GENERIC),)
        phrases: tuple = ()
        if i % 8 == 5:
            terms, phrases = (), (rng.choice(BOILERPLATE[:3]),)
        add("date", terms=terms, phrases=phrases, filters=filters)
    for i in range(40):
        sector = sectors[i % len(sectors)]
        filters = {}
        if i % 5 == 1:
            filters["outcome"] = rng.choice(OUTCOMES)
        if i % 5 == 2:
            filters.update(_date_range(rng))
        terms = _words(rng, sector)
        phrases = ()
        if i % 10 == 7:  # a facet count over a boilerplate phrase: nearly every document
            terms, phrases = (), (rng.choice(BOILERPLATE[:3]),)
        add("facet", terms=terms, phrases=phrases, filters=filters, facets=True)
    return out


QUERIES: list[Q] = build_queries()


def select(n: int | None, queries: list[Q] | None = None) -> list[Q]:
    """About `n` queries spread evenly over the set (every category kept); all when n is None."""
    queries = queries if queries is not None else QUERIES
    if not n or n >= len(queries):
        return list(queries)
    step = len(queries) / n
    return [queries[int(i * step)] for i in range(n)]


def write_jsonl(queries: list[Q], path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for q in queries:
            fh.write(json.dumps(q.to_dict(), ensure_ascii=False) + "\n")


def read_jsonl(path) -> list[Q]:
    with open(path, encoding="utf-8") as fh:
        return [Q.from_dict(json.loads(line)) for line in fh if line.strip()]


def engine_main(argv: list[str], engine_class, build, add, remove=None) -> int:
    """The command line of a baseline engine module (`python -m bench.fts5 build DB FILE`):
    build / add / remove / batch, each printing JSON for bench.run to read."""
    import sys
    from pathlib import Path

    cmd, where, *rest = argv
    if cmd == "build":

        def records():
            with open(rest[0], encoding="utf-8") as fh:
                for line in fh:
                    yield json.loads(line)

        print(json.dumps({"seconds": build(Path(where), records())}))
    elif cmd == "add":
        print(json.dumps({"seconds": add(Path(where), json.loads(Path(rest[0]).read_text(encoding="utf-8")))}))
    elif cmd == "remove" and remove is not None:
        print(json.dumps({"seconds": remove(Path(where), rest[0])}))
    elif cmd == "batch":
        run_batch(engine_class(Path(where)), rest[0], sys.stdout)
    else:
        print(f"unknown command {cmd!r}", file=sys.stderr)
        return 2
    return 0


def run_batch(engine, queries_path, out) -> None:
    """A baseline engine's `batch` command: every query of the file in one process, one JSON
    line per hit carrying its query, like `foi search --queries` (no facets in a batch)."""
    from dataclasses import replace

    for q in read_jsonl(queries_path):
        for hit in engine.search(replace(q, facets=False))["hits"]:
            hit["query"] = q.text
            out.write(json.dumps(hit, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    from collections import Counter

    print(len(QUERIES), dict(Counter(q.category for q in QUERIES)))
    for q in QUERIES:
        print(f"{q.id:16} {q.foi_line()}" + ("  [facets]" if q.facets else ""))
