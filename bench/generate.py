"""Seeded generator of realistic synthetic UK FOI responses, at any size.

Library::

    from bench.generate import generate_corpus
    labels = generate_corpus(Path("bench/corpus-1k"), docs=1000, seed=1)

CLI::

    python -m bench.generate --docs 50000 --seed 1 --out bench/corpus-50k [--pdf-ratio 0.2]
        [--max-pages 20] [--jobs N]

Each document is built from its own random generator, seeded by (seed, index),
so document i is the same bytes whatever the corpus size, worker count or
order of generation (a 10k corpus is the first 10k documents of a 50k one).
PDFs are written by reportlab with ``invariant=1`` so they carry no
timestamps or random ids.

Ground truth goes to ``labels.jsonl`` in the output folder, one JSON object per
document, in index order:

- file: path relative to the output folder (``sheffield-city-council/2019/000042-potholes.pdf``)
- reference: the request reference exactly as written after its label
  ("Reference No: 20191213" -> "20191213"; "Our ref: FOI-123-19" -> "FOI-123-19";
  "Our reference: FOI 2019/1234" -> "FOI 2019/1234")
- authority: normalised authority name; date / request_date: ISO dates
  (request_date is null when the document does not state it)
- exemptions: normalised codes, sorted (s40(2), s31(1)(a), s12, s14(1),
  eir12(4)(b)); mentions of non-exemption sections (s1, s16, s17, s45, s50,
  other Acts) are deliberately present in the prose and are not exemptions
- outcome: disclosed | partial | refused | not_held | ncnd
- qa_count: question/answer pairs answered one by one (0 for narrative replies)
- title: the request subject, which appears verbatim in the document
- kind: pdf | text; pages: PDF page count (null for text)
- extra: law (foi|eir), layout (single|two_column|letter|email|markdown),
  tables (number of data tables), table_pages (1-based PDF pages holding a
  ruled table), encoding (text files: utf-8, utf-8-sig, cp1252, utf-16)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import time
import zlib
from multiprocessing import Pool
from pathlib import Path

if __package__ in (None, ""):  # allow `python bench/generate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import gen_vocab as V
from indexer.citation import MONTHS

OUTCOMES = ["disclosed", "partial", "refused", "not_held", "ncnd"]
OUTCOME_WEIGHTS = [40, 22, 15, 15, 8]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATE_STYLES = ["ordinal", "long", "slash", "iso", "weekday", "ordinal_weekday"]
REF_STYLES = ["refno", "foi_year", "our_ref", "request_id", "slashed", "cas", "request_no"]
QA_STYLES = ["question_answer", "q_a", "lists", "repeat", "request_response"]
YEARS = list(range(2012, 2025))
YEAR_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 8]


# --- small helpers -----------------------------------------------------------


def _rng(seed: int, index: int, salt: str) -> random.Random:
    """A generator private to one document and one purpose.

    Separate streams for the spec and the body mean that overriding one spec
    field (as corpus/generate.py does) does not reshuffle the rest.
    """
    return random.Random(f"foi:{seed}:{index}:{salt}")


def _stable(text: str) -> int:
    """Process-independent hash (str hash() is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ordinal(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def fmt_date(d: dt.date, style: str) -> str:
    """Render a date in one of the styles real responses use."""
    if style == "ordinal":
        return f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    if style == "long":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == "slash":
        return d.strftime("%d/%m/%Y")
    if style == "iso":
        return d.isoformat()
    if style == "weekday":
        return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == "ordinal_weekday":
        return f"{WEEKDAYS[d.weekday()]}, {ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    if style == "outlook":  # e-mail header: "Tuesday, June 18, 2019 3:08 PM"
        return f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}"
    raise ValueError(style)


def _money(rng: random.Random, lo: int, hi: int) -> str:
    value = rng.randint(lo, hi) + rng.choice([0, 0, rng.randint(1, 99) / 100])
    return f"£{value:,.2f}" if value % 1 else f"£{int(value):,}"


class Fmt(dict):
    """format_map context that leaves unknown {names} untouched."""

    def __missing__(self, key):
        return "{" + key + "}"


def _lower_title(title: str) -> str:
    """Title for mid-sentence use: "Stop and search" -> "stop and search"."""
    if title.split()[0] in ("Freedom", "Prevent", "Taser") or title[:2].isupper():
        return title
    return title[0].lower() + title[1:]


def fill(template: str, ctx: dict) -> str:
    return template.format_map(Fmt(ctx))


# --- the spec: every choice that shapes a document ----------------------------


def choose_spec(seed: int, index: int, pdf_ratio: float = 0.2, max_pages: int = 20, **overrides) -> dict:
    """Pick authority, topic, dates, reference, outcome, layout for one document.

    Any key may be forced through ``overrides`` (authority and topic by name
    or key, e.g. ``authority="Home Office", topic="smallboats", outcome="ncnd"``).
    """
    rng = _rng(seed, index, "spec")
    o = overrides
    spec = {"seed": seed, "index": index, "max_pages": max(1, max_pages)}
    spec["kind"] = o.get("kind") or ("pdf" if rng.random() < pdf_ratio else "text")
    spec["outcome"] = o.get("outcome") or rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
    spec["authority"] = _pick_authority(rng, o.get("authority"))
    spec["topic"] = _pick_topic(rng, spec, o.get("topic"))
    spec["law"] = spec["topic"]["law"]
    year = o.get("year") or rng.choices(YEARS, YEAR_WEIGHTS)[0]
    spec["date"] = o.get("date") or dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    spec["request_date"] = spec["date"] - dt.timedelta(days=rng.randint(4, 45))
    spec["show_request_date"] = o.get("show_request_date", rng.random() < 0.6)
    spec["date_style"] = o.get("date_style") or rng.choice(DATE_STYLES)
    spec["request_date_style"] = spec["date_style"] if rng.random() < 0.7 else rng.choice(DATE_STYLES)
    spec["ref_style"] = o.get("ref_style") or rng.choice(REF_STYLES)
    spec["ref_number"] = rng.randint(1, 9999)
    spec["qa_style"] = o.get("qa_style") or rng.choice(QA_STYLES)
    spec["n_questions"] = o.get("n_questions") or rng.choices(range(1, 9), [6, 14, 18, 18, 16, 12, 9, 7])[0]
    spec["tables"] = o.get("tables", rng.random() < 0.35)
    spec["curly"] = rng.random() < 0.4  # typographic apostrophes, as Word inserts
    if "exemptions" in o:
        spec["exemptions"] = o["exemptions"]
    _choose_format(rng, spec, o)
    return spec


def display_name(name: str, year: int) -> str:
    """The authority's name as printed in a given year (see V.DISPLAY_NAMES)."""
    shown = name
    for since, printed in V.DISPLAY_NAMES.get(name, []):
        if year >= since:
            shown = printed
    return shown


def _pick_authority(rng: random.Random, name: str | None) -> dict:
    rows = V.AUTHORITIES
    row = next(r for r in rows if r[0] == name) if name else rng.choice(rows)
    keys = ("name", "sector", "short", "town", "postcode", "domain", "places")
    return dict(zip(keys, row))


def _pick_topic(rng: random.Random, spec: dict, key: str | None) -> dict:
    if key:
        return next(t for t in V.TOPICS if t["key"] == key)
    sector = spec["authority"]["sector"]
    pool = [t for t in V.TOPICS if sector in t["sectors"] or "*" in t["sectors"]]
    if spec["outcome"] == "ncnd":  # EIR has its own NCND (reg 12(6)); keep to FOIA
        pool = [t for t in pool if t["law"] == "foi"]
    return rng.choice(pool)


def _choose_format(rng: random.Random, spec: dict, o: dict) -> None:
    """Layout and encoding: PDF page target, or text flavour and bytes."""
    if spec["kind"] == "pdf":
        spec["layout"] = o.get("layout") or ("two_column" if rng.random() < 0.15 else "single")
        if spec["layout"] == "two_column":
            spec["tables"] = False  # tables are drawn across the full width only
        pages = rng.choices(range(1, 21), [20, 24, 16, 10, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5])[0]
        if spec["outcome"] not in ("disclosed", "partial"):
            pages = min(pages, 3)  # refusals are short: nothing is attached
        spec["target_pages"] = min(o.get("pages") or pages, spec["max_pages"])
        spec["font"] = rng.choice(["Helvetica", "Helvetica", "Times-Roman"])
        spec["ext"] = "pdf"
        return
    spec["layout"] = o.get("layout") or rng.choices(["letter", "email", "markdown"], [60, 25, 15])[0]
    spec["ext"] = "md" if spec["layout"] == "markdown" else "txt"
    words = int(min(4000, max(350, rng.lognormvariate(6.75, 0.45))))
    if spec["outcome"] not in ("disclosed", "partial"):
        words = min(words, 1200)  # refusals are short: nothing is attached
    spec["target_words"] = o.get("words") or words
    spec["wrap"] = rng.choice([0, 0, 72, 76]) if spec["layout"] != "markdown" else 0
    if spec["layout"] == "email":
        spec["wrap"] = rng.choice([72, 76])
    spec["encoding"] = o.get("encoding") or rng.choices(["utf-8", "utf-8-sig", "cp1252", "utf-16"], [85, 4, 8, 3])[0]
    newline = "\r\n" if rng.random() < 0.15 else "\n"
    spec["newline"] = o.get("newline") or newline


# --- references, periods, citations -------------------------------------------


def make_reference(spec: dict) -> tuple[str, str]:
    """Return (line as written, reference value) for the spec's style."""
    y, n = spec["date"].year, spec["ref_number"]
    style = spec["ref_style"]
    if style == "refno":
        value = f"{y}{n:04d}"
        return f"Reference No: {value}", value
    if style == "foi_year":
        value = f"FOI {y}/{n:04d}"
        return f"Our reference: {value}", value
    if style == "our_ref":
        value = f"FOI-{n % 1000}-{y % 100:02d}"
        return f"Our ref: {value}", value
    if style == "request_id":
        value = f"{n * 7 % 1000000:06d}"
        return f"Request ID {value}", value
    if style == "slashed":
        value = f"FOI/{y}/{n:05d}"
        return f"Reference: {value}", value
    if style == "cas":
        letters = "".join(chr(65 + (n * k) % 26) for k in (3, 5, 7, 11, 13))
        value = f"CAS-{n * 13 % 100000:05d}-{letters}"
        return f"Ref: {value}", value
    value = f"{y}-{n:04d}"
    return f"FOI Request Number: {value}", value


def make_period(rng: random.Random, year: int) -> tuple[str, list[str]]:
    """A request period phrase and the column labels it implies."""
    choice = rng.randrange(6)
    if choice == 0:
        return "in each of the last three years", [str(year - 3), str(year - 2), str(year - 1)]
    if choice == 1:
        return (
            f"between 1 January {year - 3} and 31 December {year - 1}",
            [str(year - 3), str(year - 2), str(year - 1)],
        )
    if choice == 2:
        fy = [f"{y}/{(y + 1) % 100:02d}" for y in (year - 3, year - 2, year - 1)]
        return f"in the financial years {fy[0]}, {fy[1]} and {fy[2]}", fy
    if choice == 3:
        return f"in {year - 1}", [str(year - 1)]
    if choice == 4:
        return f"since January {year - 4}", [str(y) for y in range(year - 4, year + 1)]
    return f"for the calendar years {year - 2} and {year - 1}", [str(year - 2), str(year - 1)]


def cite(rng: random.Random, code: str) -> str:
    """One written form of an exemption; every form normalises to ``code``."""
    wording = rng.choice(V.EXEMPTIONS[code]["wordings"])
    if code.startswith("eir") or "Act" in wording or "Regulations" in wording:
        return wording
    tail = rng.choice(["", "", " of the Freedom of Information Act 2000", " of the Act", " FOIA"])
    return wording + tail


def pick_exemptions(rng: random.Random, spec: dict) -> list[str]:
    """Exemption codes consistent with the outcome, sector and law."""
    outcome, sector, eir = spec["outcome"], spec["authority"]["sector"], spec["law"] == "eir"
    if spec.get("exemptions") is not None:  # forced by the caller (corpus/generate.py)
        return list(spec["exemptions"])
    if outcome == "disclosed":
        return []
    if outcome == "not_held":
        return ["eir12(4)(a)"] if eir else []
    if outcome == "partial":
        codes = rng.sample(V.EIR_PARTIAL if eir else V.PARTIAL[sector], rng.choice([1, 1, 2]))
        if "s40(2)" in codes and rng.random() < 0.3:
            codes.append("s40(3A)(a)")
        return codes
    if outcome == "ncnd":
        return rng.sample(V.NCND[sector], min(len(V.NCND[sector]), rng.choice([1, 2, 2])))
    # refused: cost limit, vexatious, or content exemptions
    r = rng.random()
    if r < 0.45:
        return ["eir12(4)(b)"] if eir else ["s12"]
    if r < 0.6 and not eir:
        return ["s14(1)"] if rng.random() < 0.8 else ["s14(2)"]
    return rng.sample(V.EIR_REFUSAL if eir else V.REFUSAL[sector], rng.choice([1, 2]))


# --- the document model ---------------------------------------------------------
# A document is a list of blocks (tuples), rendered to text, markdown or PDF:
#   ("letterhead", [lines])  ("meta", [lines])  ("heading", text)  ("para", text)
#   ("quote", text)  ("item", marker, text)  ("qa", qlabel, question, alabel, answer)
#   ("table", caption, header, rows)  ("sig", [lines])  ("pagebreak",)


class Document:
    """Blocks of one response, its annex source and its ground-truth label."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.rng = _rng(spec["seed"], spec["index"], "body")
        self.blocks: list[tuple] = []
        self.qa_count = 0
        self.tables = 0
        self.used: set[str] = set()
        self.ctx = self._context()
        self.exemptions = pick_exemptions(self.rng, spec)
        self.reference_line, self.reference = make_reference(spec)
        self.qa_sep = self.rng.choice(["", ".", ":"])  # "Q1" / "Q1." / "Q1:" house style

    def _context(self) -> dict:
        spec, rng = self.spec, self.rng
        a, sec = spec["authority"], V.SECTOR[spec["authority"]["sector"]]
        period, cols = make_period(rng, spec["date"].year)
        self.columns = cols
        return {
            "authority": display_name(a["name"], spec["date"].year),
            "short": a["short"],
            "Short": a["short"][0].upper() + a["short"][1:],
            "place": rng.choice(a["places"]),
            "period": period,
            "year": spec["date"].year - rng.randint(0, 3),
            "system": rng.choice(sec["systems"]),
            "dept": rng.choice(sec["depts"]),
            "entity": rng.choice(spec["topic"]["entities"]),
            "team": sec["teams"][_stable(a["name"]) % len(sec["teams"])],
            "email": f"foi@{a['domain']}",
            "title": spec["topic"]["title"],
            "title_l": _lower_title(spec["topic"]["title"]),
            "law": (
                "the Environmental Information Regulations 2004"
                if spec["law"] == "eir"
                else "the Freedom of Information Act 2000"
            ),
        }

    def context_sentence(self) -> str:
        """A topic background sentence not yet used in this letter (if any remain)."""
        unused = [s for s in self.spec["topic"]["context"] if s not in self.used]
        s = self.rng.choice(unused or self.spec["topic"]["context"])
        self.used.add(s)
        return fill(s, self.ctx)

    def add(self, *block) -> None:
        self.blocks.append(block)

    def para(self, template: str, **extra) -> None:
        self.add("para", fill(template, {**self.ctx, **extra}))

    def label(self, relpath: str, pages: int | None, table_pages: list[int]) -> dict:
        spec = self.spec
        return {
            "file": relpath,
            "reference": self.reference,
            "authority": spec["authority"]["name"],
            "date": spec["date"].isoformat(),
            "request_date": spec["request_date"].isoformat() if spec["show_request_date"] else None,
            "exemptions": sorted(set(self.exemptions)),
            "outcome": spec["outcome"],
            "qa_count": self.qa_count,
            "title": spec["topic"]["title"],
            "kind": spec["kind"],
            "pages": pages,
            "law": spec["law"],
            "layout": spec["layout"],
            "tables": self.tables,
            "table_pages": table_pages,
            "encoding": spec.get("encoding"),
        }


def build_document(spec: dict) -> Document:
    """Compose the letter: header, request, response, exemptions, boilerplate."""
    doc = Document(spec)
    questions = _questions(doc)
    _header(doc)
    _intro(doc)
    _request(doc, questions)
    _response(doc, questions)
    _boilerplate(doc)
    _signature(doc)
    return doc


def _questions(doc: Document) -> list[tuple[str, str, str]]:
    pool = list(doc.spec["topic"]["questions"])
    doc.rng.shuffle(pool)
    n = min(doc.spec["n_questions"], len(pool))
    return [(fill(q, doc.ctx), kind, unit) for q, kind, unit in pool[:n]]


def _header(doc: Document) -> None:
    spec, ctx, rng = doc.spec, doc.ctx, doc.rng
    a = spec["authority"]
    date_text = fmt_date(spec["date"], spec["date_style"])
    if spec.get("layout") == "email":
        _email_header(doc, date_text)
        return
    doc.add(
        "letterhead",
        [
            ctx["authority"],
            ctx["team"],
            f"{rng.choice(['PO Box', 'Floor'])} {rng.randint(2, 900)}, {a['town']} {a['postcode']} {rng.randint(1, 9)}{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}",
            f"Email: {ctx['email']}  Web: www.{a['domain']}",
        ],
    )
    meta = [date_text if rng.random() < 0.5 else f"Date: {date_text}"]
    heading_style = rng.randrange(4)
    if heading_style != 0:
        meta.append(doc.reference_line)
    if spec["show_request_date"] and rng.random() < 0.3:
        meta.append(f"Date of request: {fmt_date(spec['request_date'], spec['request_date_style'])}")
    doc.add("meta", meta)
    doc.add("para", _salutation(rng))
    if heading_style == 0:  # seed style: reference in the bold heading, title in a subject line
        doc.add("heading", f"Freedom of Information Request – {doc.reference_line}")
        doc.add("para", f"Subject: {ctx['title']}")
    elif heading_style == 1:
        doc.add("heading", f"Freedom of Information Request: {ctx['title']}")
    elif heading_style == 2:
        doc.add("heading", f"Re: {ctx['title']}")
    else:
        law = "Environmental Information Regulations request" if spec["law"] == "eir" else "FOI request"
        doc.add("heading", f"{law} – {ctx['title']}")


def _email_header(doc: Document, date_text: str) -> None:
    """WhatDoTheyKnow-style e-mail: headers, then the letter without letterhead."""
    spec, ctx, rng = doc.spec, doc.ctx, doc.rng
    hour = rng.randint(8, 17)
    sent = (
        f"{fmt_date(spec['date'], 'outlook')} {hour % 12 or 12}:{rng.randrange(60):02d} {'AM' if hour < 12 else 'PM'}"
    )
    doc.add(
        "meta",
        [
            f"From: {ctx['team']} <{ctx['email']}>",
            f"Sent: {sent}",
            f"To: {_requester(rng)} <request-{spec['ref_number'] * 37 % 900000 + 100000}@whatdotheyknow.com>",
            f"Subject: {ctx['title']} – {doc.reference_line}",
        ],
    )
    doc.add("para", _salutation(rng))


def _requester(rng: random.Random) -> str:
    return f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.SURNAMES)}"


def _salutation(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return rng.choice(V.SALUTE_OTHER)
    if rng.random() < 0.5:
        return f"Dear {rng.choice(V.TITLES)} {rng.choice(V.SURNAMES)}"
    return f"Dear {_requester(rng)}"


def _intro(doc: Document) -> None:
    spec, rng = doc.spec, doc.rng
    if spec["show_request_date"]:
        rdate = fmt_date(spec["request_date"], spec["request_date_style"])
        doc.para(
            rng.choice(
                [
                    "Thank you for your request for information dated {rdate} regarding {title_l}.",
                    "I write in connection with your request for information, received by {short} on {rdate}, about {title_l}.",
                    "Thank you for your request for information relating to {title_l} which we received on {rdate}.",
                    "Further to your email of {rdate}, please find below our response to your request concerning {title_l}.",
                ]
            ),
            rdate=rdate,
        )
    else:
        doc.para(
            rng.choice(
                [
                    "Thank you for your recent request for information regarding {title_l}.",
                    "Please find below our response to your Freedom of Information request about {title_l}.",
                    "I am writing in response to your request for information about {title_l}.",
                ]
            )
        )
    if spec["law"] == "eir":
        doc.para(
            rng.choice(
                [
                    "As your request relates to environmental information, it has been considered under the Environmental Information Regulations 2004 (EIR).",
                    "Your request has been handled under {law} because the information requested is environmental information.",
                ]
            )
        )
    else:
        doc.para(
            rng.choice(
                [
                    "Your request has been considered under {law} (the Act).",
                    "Your request has been dealt with under the terms of the Freedom of Information Act 2000 (FOIA).",
                    "Section 1 of the Freedom of Information Act 2000 places two duties on public authorities. Unless exemptions apply, the first duty is to confirm or deny whether the information specified in a request is held. The second duty is to disclose information that has been confirmed as being held.",
                    "",
                ]
            )
            or "I have now completed my enquiries."
        )


def _request(doc: Document, questions) -> None:
    spec, rng = doc.spec, doc.rng
    doc.add("heading", rng.choice(["REQUEST", "Request", "Your request", "You asked:", "Request:"]))
    doc.para(
        rng.choice(
            [
                "We have been asked to provide the following information about {title_l}:",
                "I would like to request the following information under the Freedom of Information Act:",
                "Please could you provide the following information:",
                "Could you please tell me:",
                "In your request you asked:",
            ]
        )
    )
    marker = rng.choice(["{i}.", "{i})", "({i})", "Q{i}."])
    for i, (q, _, _) in enumerate(questions, 1):
        if spec["qa_style"] == "lists" or len(questions) > 1:
            doc.add("item", marker.format(i=i), q)
        else:
            doc.add("quote", q)


def _response(doc: Document, questions) -> None:
    spec, rng = doc.spec, doc.rng
    doc.add("heading", rng.choice(["RESPONSE", "Response", "Our response", "Decision", "Response:"]))
    if rng.random() < 0.6:
        doc.para(rng.choice(V.SEARCH_SENTENCES))
    outcome = spec["outcome"]
    if outcome in ("disclosed", "partial"):
        _answers(doc, questions)
        if outcome == "partial":
            _exemption_section(doc)
    elif outcome == "not_held":
        _not_held(doc, questions)
    elif outcome == "refused":
        _refusal(doc)
    else:
        _ncnd(doc)
    _further_info(doc)


# --- answers ------------------------------------------------------------------------


def _answer_text(doc: Document, kind: str, unit: str) -> str:
    rng, ctx = doc.rng, doc.ctx
    topic = doc.spec["topic"]
    if kind == "count":
        if len(doc.columns) > 1 and rng.random() < 0.4:
            return "; ".join(f"{c}: {rng.randint(0, 2500):,}" for c in doc.columns) + "."
        n = f"{rng.randint(0, 40000):,}"
        return fill(
            rng.choice(
                [
                    "{n}",
                    "There were {n} {unit} {period}.",
                    "A total of {n} {unit} were recorded {period}.",
                    "{Short} recorded {n} {unit}.",
                ]
            ),
            {**ctx, "n": n, "unit": unit},
        )
    if kind == "money":
        if len(doc.columns) > 1 and rng.random() < 0.4:
            return "; ".join(f"{c} – {_money(rng, 500, 900000)}" for c in doc.columns) + "."
        return rng.choice(
            ["The total cost was {m}.", "{m}", "Expenditure {period} totalled {m}.", "{m} (excluding VAT)."]
        ).format(m=_money(rng, 200, 5000000), period=ctx["period"])
    if kind == "yesno":
        yes = rng.random() < 0.55
        text = "Yes." if yes else "No."
        return text + (" " + doc.context_sentence() if rng.random() < 0.5 else "")
    if kind == "list":
        names = rng.sample(topic["entities"], min(len(topic["entities"]), rng.randint(1, 4)))
        return ", ".join(names) + "."
    if kind == "pct":
        return rng.choice(["{p:.1f}%", "{p:.1f} per cent.", "The figure was {p:.1f}%."]).format(p=rng.uniform(2, 99))
    if kind == "date":
        when = doc.spec["date"] + dt.timedelta(days=rng.randint(30, 1500))
        return rng.choice(["{d}.", "The current date is {d}.", "This is expected by {d}."]).format(
            d=fmt_date(when, rng.choice(["long", "ordinal", "slash"]))
        )
    return " ".join(doc.context_sentence() for _ in range(rng.randint(1, 2)))


def _withheld_text(doc: Document) -> str:
    code = doc.rng.choice([c for c in doc.exemptions if c != "s40(3A)(a)"])
    wording = cite(doc.rng, code)
    return doc.rng.choice(
        [
            f"This information is withheld under {wording} – please see below.",
            f"Exempt – {wording}. Please see the explanation below.",
            f"The information held is exempt from disclosure by virtue of {wording}.",
        ]
    )


def _answers(doc: Document, questions) -> None:
    """Per-question answers in the spec's Q&A style; some withheld if partial."""
    spec, rng = doc.spec, doc.rng
    style = spec["qa_style"]
    withheld = set()
    if spec["outcome"] == "partial":
        k = max(1, len(questions) // 3)
        withheld = set(rng.sample(range(len(questions)), k))
    table_done = not spec["tables"]
    for i, (q, kind, unit) in enumerate(questions, 1):
        answer = _withheld_text(doc) if i - 1 in withheld else _answer_text(doc, kind, unit)
        _qa_block(doc, style, i, q, answer)
        if not table_done and kind in ("count", "money") and i - 1 not in withheld:
            _data_table(doc, unit or "Expenditure (£)")
            table_done = True
    if not table_done:
        _data_table(doc, "Number")
    doc.qa_count = len(questions)


def _qa_block(doc: Document, style: str, i: int, q: str, answer: str) -> None:
    if style == "question_answer":
        doc.add("qa", f"Question {i}:", q, "Answer:", answer)
    elif style == "q_a":
        doc.add("qa", f"Q{i}{doc.qa_sep}", q, f"A{i}{doc.qa_sep}", answer)
    elif style == "lists":
        doc.add("item", f"{i}.", answer)
    elif style == "repeat":
        doc.add("qa", f"{i}.", q, "", answer)
    else:
        doc.add("qa", f"Request {i}:", q, "Response:", answer)


def _data_table(doc: Document, unit: str) -> None:
    rng, topic = doc.rng, doc.spec["topic"]
    cols = doc.columns if len(doc.columns) > 1 else [str(doc.spec["date"].year - k) for k in (3, 2, 1)]
    rows = []
    money = unit.startswith("Expenditure")
    for name in topic["rows"][: rng.randint(3, len(topic["rows"]))]:
        vals = [rng.randint(0, 90000 if money else 900) for _ in cols]
        fmt = (lambda v: f"£{v:,}") if money else (lambda v: f"{v:,}")
        rows.append([name] + [fmt(v) for v in vals] + [fmt(sum(vals))])
    caption = f"Table {doc.tables + 1}: {topic['title']} – {unit.lower()} by category"
    doc.add("table", caption, ["Category"] + list(cols) + ["Total"], rows)
    doc.tables += 1


# --- refusals, exemptions, not held, NCND -------------------------------------------

PIT_FOR = [
    "There is a general public interest in openness and transparency, and in public authorities being accountable for their decisions.",
    "Disclosure would inform public debate about {title_l} and demonstrate that {short} uses public money effectively.",
    "Release of the information would allow the public to scrutinise the way in which {short} discharges its functions.",
]
PIT_AGAINST = [
    "There is a strong public interest in not releasing information that would undermine the effective delivery of services.",
    "Disclosure would be likely to reduce the effectiveness of current practices and could place individuals at risk.",
    "It is not in the public interest to disclose information that could be used to circumvent the arrangements in place.",
]
PIT_BALANCE = [
    "Having considered the arguments for and against disclosure, I have concluded that the public interest in maintaining the exemption outweighs the public interest in disclosure.",
    "On balance, the public interest favours maintaining the exemption at this time.",
    "After weighing up the competing interests, the balance test favours non-disclosure.",
]


def _exemption_section(doc: Document) -> None:
    """Explain each exemption cited; qualified ones get a public interest test."""
    rng = doc.rng
    doc.add("heading", rng.choice(["Exemptions applied", "Reasons for decision", "Exemption", "Information withheld"]))
    codes = [c for c in doc.exemptions if c != "s40(3A)(a)"]
    for code in codes:
        ex = V.EXEMPTIONS[code]
        wording = cite(rng, code)
        if code == "s40(2)" and "s40(3A)(a)" in doc.exemptions:
            wording += f" by virtue of {cite(rng, 's40(3A)(a)')}"
        doc.para(
            rng.choice(
                [
                    "Some of the information you have requested is exempt under {w} ({name}).",
                    "I am withholding part of the information under {w} – {name}.",
                    "{w} ({name}) applies to part of your request.",
                ]
            ),
            w=wording,
            name=ex["name"].lower() if rng.random() < 0.5 else ex["name"],
        )
        for why in rng.sample(ex["why"], min(len(ex["why"]), rng.randint(1, 2))):
            doc.para(why)
        if ex["qualified"]:
            _public_interest(doc)


def _public_interest(doc: Document) -> None:
    rng = doc.rng
    doc.add("heading", rng.choice(["Public Interest Test", "Public interest considerations"]))
    doc.para("Factors favouring disclosure: " + fill(rng.choice(PIT_FOR), doc.ctx))
    doc.para("Factors favouring non-disclosure: " + fill(rng.choice(PIT_AGAINST), doc.ctx))
    doc.para(rng.choice(PIT_BALANCE))


def _refusal(doc: Document) -> None:
    rng, codes = doc.rng, doc.exemptions
    doc.para(
        rng.choice(
            [
                "In accordance with the Act, this letter represents a Refusal Notice for this particular request.",
                "This letter acts as a refusal notice under section 17 of the Freedom of Information Act 2000.",
                "I am sorry to inform you that we are unable to provide the information you have requested.",
            ]
        )
    )
    if codes in (["s12"], ["eir12(4)(b)"]):
        _cost_limit(doc, codes[0])
    elif codes[0].startswith("s14"):
        _vexatious(doc, codes[0])
    else:
        for code in codes:
            ex = V.EXEMPTIONS[code]
            doc.para(
                "The information you have requested is exempt in full under {w} ({name}).",
                w=cite(rng, code),
                name=ex["name"].lower(),
            )
            for why in ex["why"]:
                doc.para(why)
            if ex["qualified"]:
                _public_interest(doc)


def _cost_limit(doc: Document, code: str) -> None:
    rng, sector = doc.rng, doc.spec["authority"]["sector"]
    limit, hours = ("£600", 24) if sector == "dept" else ("£450", 18)
    records, minutes = rng.randint(800, 30000), rng.choice([3, 5, 10, 15])
    wording = cite(rng, code)
    if code == "s12":
        act = "" if "Act" in wording or "FOIA" in wording else " of the Freedom of Information Act 2000"
        doc.para(
            "{w}{act} allows a public authority to refuse a request where the cost of compliance "
            "would exceed the appropriate limit. For {short} this limit is {limit}, which represents "
            "{hours} hours of work at a rate of £25 per hour.",
            w=wording[0].upper() + wording[1:],
            act=act,
            limit=limit,
            hours=hours,
        )
    else:
        doc.para(
            "We consider the request manifestly unreasonable under {w} because of the burden it would impose.",
            w=wording,
        )
        doc.para(V.EXEMPTIONS[code]["why"][0])
        _public_interest(doc)
    doc.para(
        "To answer your request it would be necessary to manually review approximately {records} records held on {system}. At an estimated {minutes} minutes per record, this would take around {total} hours.",
        records=f"{records:,}",
        minutes=minutes,
        total=f"{records * minutes // 60:,}",
    )
    doc.para(
        rng.choice(
            [
                "In accordance with section 16 of the Act, you may wish to refine your request, for example by narrowing the time period to a single year or to one district.",
                "Under our duty to provide advice and assistance, we suggest that a request limited to a shorter period may fall within the cost limit.",
            ]
        )
    )


def _vexatious(doc: Document, code: str) -> None:
    rng = doc.rng
    wording = cite(rng, code)
    if code == "s14(2)":
        doc.para(
            "Your request is substantially similar to a previous request from you which was answered on {d}. We are therefore not obliged to comply with it by virtue of {w}.",
            d=fmt_date(doc.spec["date"] - dt.timedelta(days=rng.randint(60, 300)), "long"),
            w=wording,
        )
        return
    doc.para(
        "{Short} considers this request vexatious under {w}. Section 14 is concerned with the nature of the request rather than the consequences of releasing the information.",
        w=wording,
    )
    doc.para(
        "In reaching this decision we have taken into account that this is one of {n} requests received from you in the last {m} months on closely related matters, and that the burden of dealing with them is disproportionate to any value they may have.",
        n=rng.randint(8, 60),
        m=rng.randint(3, 18),
    )
    doc.para("Please note that {short} will not respond to further requests on this subject.")


def _not_held(doc: Document, questions) -> None:
    rng, eir = doc.rng, doc.spec["law"] == "eir"
    doc.para(
        rng.choice(
            [
                "Section 1(1)(a) of the Act requires a public authority to inform the requester whether it holds the information requested. I can confirm that {short} does not hold the information you have requested.",
                "Following searches of our records, I can confirm that {authority} does not hold any information falling within the scope of your request.",
                "Unfortunately we do not hold the information you have asked for.",
            ]
        )
    )
    if eir:
        doc.para(
            "As the information is not held, the exception at {w} applies. The public interest cannot favour disclosure of information that is not held.",
            w=cite(rng, "eir12(4)(a)"),
        )
    if rng.random() < 0.5 and len(questions) > 1:
        for i, (q, _, _) in enumerate(questions, 1):
            _qa_block(
                doc,
                doc.spec["qa_style"],
                i,
                q,
                rng.choice(
                    ["Not held.", "No information held.", f"{doc.ctx['Short']} does not hold this information."]
                ),
            )
        doc.qa_count = len(questions)
    doc.para(
        rng.choice(
            [
                "This is because the data is not recorded in a way that would allow it to be identified or extracted.",
                "There is no business requirement for {short} to record this information.",
                "The service concerned is delivered by {entity}, who may be able to assist you directly.",
                "The Act does not oblige a public authority to create new information in order to answer a request.",
            ]
        )
    )


def _ncnd(doc: Document) -> None:
    rng = doc.rng
    cited = [cite(rng, c) for c in doc.exemptions]
    listing = " and ".join(cited)
    doc.para(
        rng.choice(
            [
                "In accordance with the Freedom of Information Act 2000, this letter represents a Refusal Notice. {Short} can neither confirm nor deny that it holds any information relevant to your request by virtue of {x}.",
                "{authority} neither confirms nor denies whether it holds the information you have requested, as the duty in section 1(1)(a) of the Act does not apply by virtue of {x}.",
            ]
        ),
        x=listing,
    )
    for code in doc.exemptions:
        ex = V.EXEMPTIONS[code]
        doc.para("{w} – {name}.", w=cite(rng, code), name=ex["name"])
    doc.para(
        rng.choice(
            [
                "Confirming or denying whether any information is held would in itself reveal whether or not specialist resources have been deployed, which would be of use to those intent on evading detection.",
                "To confirm or deny whether information is held would reveal personal information about an identifiable individual, which would be unfair.",
                "Any disclosure under the Act is a disclosure to the world at large, and confirmation either way would undermine the operational effectiveness of the organisation.",
            ]
        )
    )
    if any(V.EXEMPTIONS[c]["qualified"] for c in doc.exemptions):
        _public_interest(doc)
    doc.para(
        "This should not be taken as conclusive evidence that the information you have requested does or does not exist."
    )


def _further_info(doc: Document) -> None:
    rng = doc.rng
    for _ in range(rng.randint(0, 2)):
        doc.para(doc.context_sentence())
    doc.para(rng.choice(V.FURTHER_INFO))


# --- boilerplate, signature, annex ----------------------------------------------------


def _boilerplate(doc: Document) -> None:
    """Re-use, internal review, ICO: the same wording per authority, as in life."""
    spec = doc.spec
    h = _stable(spec["authority"]["name"]) + (spec["date"].year >= 2020)
    pick = lambda options, salt: options[(h + salt) % len(options)]  # noqa: E731
    if doc.rng.random() < 0.5:
        doc.add(
            "heading",
            doc.rng.choice(["Complaint rights", "Your right to complain", "Internal review", "Right of appeal"]),
        )
    doc.para(pick(V.REUSE, 1))
    doc.para(pick(V.INTERNAL_REVIEW, 2))
    doc.para(pick(V.ICO, 3))
    log = pick(V.DISCLOSURE_LOG, 4)
    if log:
        doc.para(log)


def _signature(doc: Document) -> None:
    spec, rng, ctx = doc.spec, doc.rng, doc.ctx
    sec = V.SECTOR[spec["authority"]["sector"]]
    lines = [rng.choice(V.CLOSINGS)]
    if rng.random() < 0.6:
        lines.append(f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.SURNAMES)}")
    lines += [rng.choice(sec["signers"]), ctx["team"], ctx["authority"]]
    doc.add("sig", lines)
    if spec.get("layout") == "email":
        doc.add("para", V.EMAIL_DISCLAIMER)
        _quoted_acknowledgement(doc)


def _quoted_acknowledgement(doc: Document) -> None:
    """The acknowledgement e-mail quoted below a WDTK reply: more dates, same ref."""
    spec, rng = doc.spec, doc.rng
    if rng.random() < 0.4:
        return
    ack = spec["request_date"] + dt.timedelta(days=rng.randint(0, 3))
    due = spec["request_date"] + dt.timedelta(days=28)
    doc.add(
        "meta",
        [
            "From: FOI",
            f"Sent: {fmt_date(ack, 'outlook')} 9:{rng.randrange(60):02d} AM",
            f"Subject: Acknowledgement – {doc.reference_line}",
        ],
    )
    doc.para(
        "Thank you for your request for information. This has been logged as a Freedom of Information request and will be dealt with under {law}. We must respond to you within 20 working days, by {due}.",
        due=fmt_date(due, "slash"),
    )


def annex_blocks(doc: Document):
    """Endless supporting material used to pad a response to its target size.

    Real long responses are long because of annexes: log extracts, data
    tables, policy excerpts. The first block starts the annex with a heading.
    """
    rng, spec, ctx = doc.rng, doc.spec, doc.ctx
    topic, places = spec["topic"], spec["authority"]["places"]
    notes = V.RECORD_NOTES[spec["authority"]["sector"]]
    units = [q[2] for q in topic["questions"] if q[2]] or ["cases"]
    records = spec["outcome"] in ("disclosed", "partial")  # refusals have nothing to list
    if records:
        yield ("heading", f"Annex A – {topic['title']}: records identified")
        yield (
            "para",
            fill(
                "The records below were identified by the {dept} from {system}. Personal information has been removed.",
                ctx,
            ),
        )
    else:
        yield ("heading", f"Annex A – {topic['title']}: background information")
    record, annex, fresh = 0, "A", not records  # fresh: a heading with nothing under it yet
    while True:
        r = rng.random()
        if records and r < 0.07 and spec["tables"]:
            cols = [str(spec["date"].year - k) for k in (4, 3, 2, 1)]
            rows = [[p] + [f"{rng.randint(0, 500):,}" for _ in cols] for p in places]
            doc.tables += 1
            yield ("table", f"Table {doc.tables}: {topic['title']} by area", ["Area"] + cols, rows)
        elif records and r < 0.8:
            for _ in range(rng.randint(4, 10)):
                record += 1
                d = spec["date"] - dt.timedelta(days=rng.randint(30, 1200))
                yield (
                    "item",
                    f"{record}.",
                    f"{fmt_date(d, 'slash')} – {rng.choice(places)} – "
                    f"{rng.choice(topic['rows'])} – {rng.randint(1, 300)} {rng.choice(units)}. "
                    f"{rng.choice(notes)}",
                )
        else:
            if r < 0.88 and annex < "E" and not fresh:
                annex = chr(ord(annex) + 1)
                yield (
                    "heading",
                    f"Annex {annex} – "
                    + rng.choice(["Policy extract", "Procedure", "Guidance notes", "Explanatory notes"]),
                )
            fresh = False
            pool = V.POLICY_SENTENCES + topic["context"]
            yield (
                "para",
                " ".join(
                    fill(s, {**ctx, "place": rng.choice(places), "year": spec["date"].year - rng.randint(1, 6)})
                    for s in rng.sample(pool, rng.randint(2, 4))
                ),
            )


# --- text rendering -------------------------------------------------------------------


def wrap(text: str, width: int) -> str:
    """Greedy word wrap (much faster than textwrap for our plain paragraphs)."""
    if not width or len(text) <= width:
        return text
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def block_words(block: tuple) -> int:
    return sum(len(p.split()) for p in block[1:] if isinstance(p, str))


def render_text(doc: Document) -> str:
    """Plain text (letter or e-mail) or markdown, padded to the target words."""
    spec = doc.spec
    blocks = list(doc.blocks)
    words = sum(block_words(b) for b in blocks)
    annex = []
    if words < spec["target_words"] - 60:
        for block in annex_blocks(doc):
            annex.append(block)
            words += block_words(block) + (len(block[3]) * 5 if block[0] == "table" else 0)
            if words >= spec["target_words"]:
                break
    # letters carry the annex after the signature; e-mails inline it above the sign-off
    at = next(i for i, b in enumerate(blocks) if b[0] == "sig") if spec["layout"] == "email" else len(blocks)
    blocks[at:at] = annex
    md = spec["layout"] == "markdown"
    out = [_text_block(b, md, spec["wrap"]) for b in blocks]
    text = "\n\n".join(o for o in out if o is not None) + "\n"
    if spec["curly"]:
        text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    return text


def _text_block(b: tuple, md: bool, width: int) -> str | None:
    kind = b[0]
    if kind == "letterhead":
        return (f"# {b[1][0]}\n\n" + "  \n".join(b[1][1:])) if md else "\n".join(b[1])
    if kind in ("meta", "sig"):
        return ("  \n" if md else "\n").join(b[1])
    if kind == "heading":
        return f"**{b[1]}**" if md else b[1]
    if kind == "para":
        return wrap(b[1], width)
    if kind == "quote":
        return f"*{b[1]}*" if md else wrap(f'"{b[1]}"', width)
    if kind == "item":  # markdown: "1." is a list already; "1)" needs a bullet, as in the seed
        bullet = "- " if md and not b[1].endswith(".") else ""
        return wrap(f"{bullet}{b[1]} {b[2]}", width)
    if kind == "qa":
        _, ql, q, al, a = b
        answer = f"{al} {a}".strip()
        if md:
            return f"{ql} {q}\n\n**{answer}**"
        return wrap(f"{ql} {q}", width) + "\n" + wrap(answer, width)
    if kind == "table":
        return _text_table(b, md)
    return None  # pagebreak


def _text_table(b: tuple, md: bool) -> str:
    _, caption, header, rows = b
    if md:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return f"{caption}\n\n" + "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return caption + "\n" + "\n".join(fmt(r) for r in [header] + rows)


def encode_text(text: str, spec: dict) -> bytes:
    if spec["newline"] != "\n":
        text = text.replace("\n", spec["newline"])
    enc = spec["encoding"]
    if enc == "utf-16":
        return text.encode("utf-16")  # with BOM, little-endian
    return text.encode(enc)


# --- one document, many documents --------------------------------------------------------


def make_document(
    seed: int, index: int, pdf_ratio: float = 0.2, max_pages: int = 20, **overrides
) -> tuple[str, bytes, dict]:
    """Build document ``index`` for ``seed``: (relative path, bytes, label)."""
    spec = choose_spec(seed, index, pdf_ratio, max_pages, **overrides)
    doc = build_document(spec)
    a = spec["authority"]
    name = overrides.get("filename") or f"{index:06d}-{slug(spec['topic']['key'])}.{spec['ext']}"
    relpath = overrides.get("relpath") or f"{slug(a['name'])}/{spec['date'].year}/{name}"
    if spec["kind"] == "pdf":
        from bench.gen_pdf import render_pdf  # reportlab only where PDFs are made

        data, pages, table_pages = render_pdf(doc, annex_blocks(doc))
        return relpath, data, doc.label(relpath, pages, table_pages)
    data = encode_text(render_text(doc), spec)
    return relpath, data, doc.label(relpath, None, [])


_MADE_DIRS: set[Path] = set()  # per process: skip a mkdir syscall per file


def _write_one(args) -> dict:
    out_dir, seed, index, pdf_ratio, max_pages = args
    relpath, data, label = make_document(seed, index, pdf_ratio, max_pages)
    path = Path(out_dir) / relpath
    if path.parent not in _MADE_DIRS:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE_DIRS.add(path.parent)
    path.write_bytes(data)
    return label


def generate_corpus(
    out_dir: Path, docs: int, seed: int = 1, pdf_ratio: float = 0.2, max_pages: int = 20, jobs: int | None = None
) -> list[dict]:
    """Write ``docs`` documents and ``labels.jsonl`` under ``out_dir``; return the labels.

    Output is identical for any ``jobs`` (default: all cores; 1 = in process).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(str(out_dir), seed, i, pdf_ratio, max_pages) for i in range(docs)]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or docs < 50:
        labels = [_write_one(t) for t in tasks]
    else:
        with Pool(jobs) as pool:
            labels = list(pool.imap(_write_one, tasks, chunksize=64))
    with open(out_dir / "labels.jsonl", "w", encoding="utf-8") as fh:
        for label in labels:
            fh.write(json.dumps(label, ensure_ascii=False) + "\n")
    return labels


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic corpus of UK FOI responses.")
    p.add_argument("--docs", type=int, required=True, help="number of documents")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--pdf-ratio", type=float, default=0.2, help="share of PDFs (0-1)")
    p.add_argument("--max-pages", type=int, default=20, help="maximum PDF pages")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    a = p.parse_args(argv)
    if a.docs < 0 or not 0 <= a.pdf_ratio <= 1 or a.max_pages < 1:
        p.error("--docs must be >= 0, --pdf-ratio in [0, 1], --max-pages >= 1")
    start = time.perf_counter()
    labels = generate_corpus(a.out, a.docs, a.seed, a.pdf_ratio, a.max_pages, a.jobs)
    secs = time.perf_counter() - start
    pdfs = sum(1 for x in labels if x["kind"] == "pdf")
    pages = sum(x["pages"] or 0 for x in labels)
    print(
        f"wrote {len(labels)} documents ({pdfs} PDF, {pages} PDF pages) to {a.out} "
        f"in {secs:.1f} s ({len(labels) / max(secs, 1e-9):.0f} docs/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
