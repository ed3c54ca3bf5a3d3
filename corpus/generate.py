"""Write the synthetic sample FOI responses that ship in corpus/.

Run from the repository root (the output is committed, and the same bytes
come out every time)::

    python corpus/generate.py

The documents reuse the templates of bench/generate.py, but each one is
chosen by hand so that the small corpus covers what a new user and the tests
need: several kinds of authority, years 2017-2024, every outcome, FOIA
exemptions and EIR exceptions, a PDF with a ruled table, a two-column PDF, a
multi-page PDF (so hit page numbers matter), a markdown file and a cp1252
text file with CRLF line ends, and a small "mass FOI" (bench/massfoi.py: one request
about crimes on hospital grounds answered by four police forces in their own words, dated
around Easter 2024 so that working days cross bank holidays and weekends). Ground truth goes to corpus/labels.jsonl (not indexed: discovery
picks only .pdf, .txt and .md).

The real seed response, syp-foi-20191213.txt, is not generated: it is copied
unchanged and must rank first for the phrase "Prevent database", so no
sample may contain that phrase.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import make_document  # noqa: E402
from bench.massfoi import HOSPITAL_CRIME, write_replies  # noqa: E402

SEED = 2024
# (file name, overrides for bench.generate.choose_spec)
SAMPLES = [
    ("met-police-2018-taser.pdf",
     dict(kind="pdf", authority="Metropolitan Police Service", topic="taser", year=2018,
          outcome="disclosed", layout="single", tables=True, pages=2, ref_style="refno")),
    ("syp-2021-body-worn-video.txt",
     dict(kind="text", authority="South Yorkshire Police", topic="bwv", year=2021, outcome="partial",
          exemptions=["s40(2)", "s31(1)(a)"], layout="letter", words=900, qa_style="question_answer")),
    ("wmp-2019-drones-ncnd.pdf",
     dict(kind="pdf", authority="West Midlands Police", topic="drones", year=2019, outcome="ncnd",
          exemptions=["s24(2)", "s31(3)"], layout="single", tables=False, pages=2, ref_style="our_ref")),
    ("gmp-2023-stop-and-search.txt",
     dict(kind="text", authority="Greater Manchester Police", topic="stopsearch", year=2023,
          outcome="refused", exemptions=["s12"], layout="email", words=700, ref_style="request_id")),
    ("sheffield-2017-street-trees.md",
     dict(kind="text", authority="Sheffield City Council", topic="trees", year=2017, outcome="partial",
          exemptions=["eir13(1)"], layout="markdown", words=900, qa_style="question_answer",
          tables=True, ref_style="slashed")),
    ("leeds-2020-potholes.pdf",
     dict(kind="pdf", authority="Leeds City Council", topic="potholes", year=2020, outcome="disclosed",
          layout="single", tables=True, pages=5, ref_style="foi_year", qa_style="q_a")),
    ("cornwall-2022-temporary-accommodation.txt",
     dict(kind="text", authority="Cornwall Council", topic="temphousing", year=2022, outcome="not_held",
          layout="letter", words=600, ref_style="request_no")),
    ("hackney-2024-parking-pcns.txt",
     dict(kind="text", authority="London Borough of Hackney", topic="parking", year=2024,
          outcome="disclosed", layout="email", words=800, tables=True, qa_style="repeat")),
    ("bristol-2018-air-quality.txt",
     dict(kind="text", authority="Bristol City Council", topic="airquality", year=2018, outcome="refused",
          exemptions=["eir12(4)(b)"], layout="letter", words=800, ref_style="refno",
          encoding="cp1252", newline="\r\n")),
    ("leeds-teaching-hospitals-2019-agency-nursing.pdf",
     dict(kind="pdf", authority="Leeds Teaching Hospitals NHS Trust", topic="agency", year=2019,
          outcome="partial", exemptions=["s43(2)"], layout="two_column", pages=2,
          qa_style="question_answer")),
    ("barts-2021-cyber-security.txt",
     dict(kind="text", authority="Barts Health NHS Trust", topic="cyber", year=2021, outcome="refused",
          exemptions=["s31(1)(a)", "s24(1)"], layout="letter", words=900, ref_style="slashed")),
    ("yas-2023-ambulance-handovers.txt",
     dict(kind="text", authority="Yorkshire Ambulance Service NHS Trust", topic="ambulance", year=2023,
          outcome="disclosed", layout="letter", words=700, qa_style="lists", ref_style="our_ref")),
    ("home-office-2023-asylum-hotels.pdf",
     dict(kind="pdf", authority="Home Office", topic="smallboats", year=2023, outcome="partial",
          exemptions=["s40(2)", "s40(3A)(a)", "s24(1)"], layout="single", tables=True, pages=3,
          ref_style="cas", qa_style="request_response")),
    ("moj-2020-prison-drones.txt",
     dict(kind="text", authority="Ministry of Justice", topic="prisons", year=2020, outcome="refused",
          exemptions=["s14(1)"], layout="letter", words=600, ref_style="foi_year")),
    ("dwp-2017-pension-overpayments.txt",
     dict(kind="text", authority="Department for Work and Pensions", topic="pensions", year=2017,
          outcome="not_held", layout="email", words=600, ref_style="request_id")),
    ("cabinet-office-2022-consultants.txt",
     dict(kind="text", authority="Cabinet Office", topic="consultants", year=2022, outcome="partial",
          exemptions=["s43(2)"], layout="letter", words=900, qa_style="q_a", ref_style="slashed")),
    ("environment-agency-2024-sewage.pdf",
     dict(kind="pdf", authority="Environment Agency", topic="water", year=2024, outcome="disclosed",
          layout="single", tables=False, pages=2, ref_style="request_no")),
    ("kent-police-2018-domestic-abuse-ncnd.txt",
     dict(kind="text", authority="Kent Police", topic="domestic", year=2018, outcome="ncnd",
          exemptions=["s40(5B)(a)(i)", "s30(3)"], layout="letter", words=700, ref_style="refno")),
    ("nottingham-2021-hmo-licensing.txt",
     dict(kind="text", authority="Nottingham City Council", topic="hmo", year=2021, outcome="disclosed",
          layout="letter", words=800, qa_style="repeat", ref_style="our_ref")),
    ("ouh-2024-waiting-times.pdf",
     dict(kind="pdf", authority="Oxford University Hospitals NHS Foundation Trust", topic="waiting",
          year=2024, outcome="disclosed", layout="single", tables=True, pages=2,
          qa_style="question_answer", ref_style="foi_year")),
]
SEED_FILE = "syp-foi-20191213.txt"
FORBIDDEN = re.compile(r"prevent\w*\s+databas", re.IGNORECASE)


def document_text(data: bytes, label: dict) -> str:
    """Text of a generated sample (PDF text streams are compressed, so extract)."""
    if label["kind"] != "pdf":
        return data.decode(label["encoding"])
    import pypdfium2  # installed with pdfplumber

    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def build(out_dir: Path = HERE) -> list[dict]:
    """Write every sample and labels.jsonl into ``out_dir``; return the labels."""
    labels = []
    for index, (name, overrides) in enumerate(SAMPLES):
        # plain UTF-8 with LF unless a sample is there to show another encoding
        overrides = {"encoding": "utf-8", "newline": "\n", **overrides}
        _, data, label = make_document(SEED, index, relpath=name, **overrides)
        if FORBIDDEN.search(document_text(data, label)):
            raise SystemExit(f"{name} contains the seed's test phrase")
        (out_dir / name).write_bytes(data)
        labels.append(label)
    for label in write_replies(out_dir, HOSPITAL_CRIME):
        if FORBIDDEN.search((out_dir / label["file"]).read_text(encoding="utf-8")):
            raise SystemExit(f"{label['file']} contains the seed's test phrase")
        labels.append(label)
    with open(out_dir / "labels.jsonl", "w", encoding="utf-8") as fh:
        for label in labels:
            fh.write(json.dumps(label, ensure_ascii=False) + "\n")
    return labels


README_HEAD = """# corpus/: sample FOI responses

`syp-foi-20191213.txt` is a real, public response from South Yorkshire Police (reference
20191213, 18 June 2019), copied unchanged from the project's shared seed folder.

Every other document here is **synthetic**: an invented response written by
`python corpus/generate.py` (run from the repository root; same bytes every run) from the
templates of the benchmark generator `bench/generate.py`. The authorities are real bodies, but
the letters, references, names and figures are made up. `labels.jsonl` holds the ground truth
of each sample (reference, authority, dates, exemptions, outcome, Q&A count, title, pages);
it is not indexed. This file is written by `corpus/generate.py` too.

The four `*-2024-hospital-crime.txt` files are a "mass FOI" (`bench/massfoi.py`): one request
of Wednesday 20 March 2024 about crimes on hospital grounds, answered by four police forces,
each wording the four questions its own way. Its 20th working day is Friday 19 April in
England and Wales (Good Friday and Easter Monday are bank holidays) and Thursday 18 April in
Scotland (Easter Monday is not): `foi stats` and `foi compare` show them in README.md.

| file | authority | year | kind | outcome | exemptions | notes |
|---|---|---|---|---|---|---|
"""


def _notes(label: dict) -> str:
    """What makes a sample worth having, from its label."""
    notes = []
    if label["layout"] == "two_column":
        notes.append("two-column layout")
    if label["table_pages"]:
        pages = ", ".join(map(str, label["table_pages"]))
        notes.append(f"ruled table on page {pages}" if len(label["table_pages"]) == 1
                     else f"ruled tables on pages {pages}")
    if label["layout"] == "email":
        notes.append("e-mail style")
    if label["encoding"] not in (None, "utf-8"):
        notes.append(f"{label['encoding']} encoding")
    if label["law"] == "eir":
        notes.append("EIR")
    if label.get("group"):
        notes.append(f"mass FOI `{label['group']}`")
    return ", ".join(notes)


def write_readme(labels: list[dict], out_dir: Path = HERE) -> None:
    rows = []
    for x in labels:
        kind = f"PDF, {x['pages']} p." if x["kind"] == "pdf" else (
            "markdown" if x["file"].endswith(".md") else "text")
        rows.append(f"| `{x['file']}` | {x['authority']} | {x['date'][:4]} | {kind} | {x['outcome']} "
                    f"| {', '.join(x['exemptions']) or '–'} | {_notes(x)} |")
    rows.append(f"| `{SEED_FILE}` | South Yorkshire Police | 2019 | text | disclosed | – "
                "| real response (the seed) |")
    # No extension: a README.md here would be indexed as if it were an FOI response.
    (out_dir / "README").write_text(README_HEAD + "\n".join(rows) + "\n", encoding="utf-8")


def main() -> int:
    labels = build()
    write_readme(labels)
    total = sum((HERE / x["file"]).stat().st_size for x in labels)
    print(f"wrote {len(labels)} samples ({total / 1024:.0f} KiB) and labels.jsonl to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
