"""`foi stats`, `foi compare` and `foi search --format/--export` on indexes built from generated
documents: the numbers are counted by hand from the dates written into each document.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.massfoi import HOSPITAL_CRIME, REQUEST_DATE, Reply, write_replies
from indexer.cli import main
from indexer.export import CSV_COLUMNS
from tests.conftest import CORPUS, SHARED, build_index, write_doc

D = date.fromisoformat


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


# Documents with their metadata pinned by sidecars: (name, authority, request date, response
# date, outcome, exemptions). Dates cross Easter 2024, the May 2024 bank holidays, weekends
# and Christmas 2022; the comment gives calendar days and the working day of the reply.
KNOWN = [
    ("kent-1.txt", "Kent Police", "2024-03-20", "2024-04-19", "disclosed", []),  # 30 d, 20th (on time)
    ("kent-2.txt", "Kent Police", "2024-03-20", "2024-04-22", "refused", ["s40(2)"]),  # 33 d, 21st (late)
    ("kent-3.txt", "Kent Police", "2024-05-03", "2024-06-04", "partial", ["s40(2)", "s31(1)(a)"]),  # 32 d, 20th
    ("kent-4.txt", "Kent Police", None, "2024-06-10", "ncnd", ["s23(5)"]),  # no request date
    ("scot-1.txt", "Police Scotland", "2024-03-20", "2024-04-19", "disclosed", []),  # 30 d, 21st in Scotland
    ("scot-2.txt", "Police Scotland", "2024-03-20", "2024-04-18", "not_held", []),  # 29 d, 20th in Scotland
    ("leeds-1.txt", "Leeds City Council", "2022-12-21", "2023-01-24", "disclosed", []),  # 34 d, 21st (late)
]


@pytest.fixture(scope="module")
def known_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stats")
    docs = root / "corpus"
    for name, authority, request_date, response_date, outcome, exemptions in KNOWN:
        write_doc(
            docs,
            name,
            f"{authority}\nA response about custody records, dated {response_date}.\n",
            authority=authority,
            request_date=request_date,
            date=response_date,
            outcome=outcome,
            exemptions=exemptions,
            title=f"Custody records {name}",
        )
    index = root / "index"
    assert build_index(docs, index).failed == 0
    return index


def test_stats_json_matches_hand_counts(known_index):
    result = invoke("stats", "--json", "--index", known_index)
    assert result.exit_code == 0, result.output
    rows = {row["authority"]: row for row in lines(result)}
    assert rows["Kent Police"] == {
        "authority": "Kent Police",
        "responses": 4,
        "outcomes": {"disclosed": 1, "partial": 1, "refused": 1, "not_held": 0, "ncnd": 1, "unknown": 0},
        "refusal_rate": 0.5,
        "exemptions": {"s40(2)": 2, "s23(5)": 1, "s31(1)(a)": 1},
        "dated_pairs": 3,
        "median_days": 32,
        "over_20_working_days": 1,
    }
    scotland = rows["Police Scotland"]
    assert (scotland["dated_pairs"], scotland["median_days"], scotland["over_20_working_days"]) == (2, 29.5, 1)
    leeds = rows["Leeds City Council"]
    assert (leeds["median_days"], leeds["over_20_working_days"]) == (34, 1)


def test_stats_query_filters_and_groupings(known_index):
    by_year = lines(invoke("stats", "--by", "year", "--json", "--index", known_index))
    assert [(r["year"], r["responses"]) for r in by_year] == [(2023, 1), (2024, 6)]
    kent = lines(invoke("stats", "custody", "--authority", "Kent", "--by", "outcome", "--json", "--index", known_index))
    assert sorted((r["outcome"], r["responses"]) for r in kent) == [
        ("disclosed", 1),
        ("ncnd", 1),
        ("partial", 1),
        ("refused", 1),
    ]
    exemption = lines(invoke("stats", "--by", "exemption", "--exemption", "s40", "--json", "--index", known_index))
    assert [(r["exemption"], r["responses"]) for r in exemption][0] == ("s40(2)", 2)


def test_stats_csv_and_plain_table(known_index):
    result = invoke("stats", "--csv", "--index", known_index)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "authority",
        "responses",
        "disclosed",
        "partial",
        "refused",
        "not_held",
        "ncnd",
        "unknown",
        "refusal_rate",
        "exemptions",
        "dated_pairs",
        "median_days",
        "over_20_working_days",
    ]
    kent = next(r for r in rows if r["authority"] == "Kent Police")
    assert kent["exemptions"] == "s40(2):2;s23(5):1;s31(1)(a):1" and kent["median_days"] == "32"
    plain = invoke("stats", "--index", known_index).stdout.splitlines()
    assert plain[0].split()[:3] == ["authority", "responses", "disclosed"]
    assert re.match(r"Kent Police\s+4\s+1\s+1\s+1\s+0\s+1\s+0\s+50\.0%\s+3\s+32\s+1\s+s40\(2\) 2", plain[1])
    assert re.match(r"all\s+7\s+", plain[-1])  # and the median over all 6 dated pairs is 31
    assert plain[-1].split()[9:12] == ["6", "31", "3"]


def test_stats_exit_codes(known_index, tmp_path):
    nothing = invoke("stats", "zanzibar", "--index", known_index)
    assert nothing.exit_code == 1 and nothing.stderr.strip() == "foi: nothing matched 'zanzibar'"
    assert invoke("stats", "--json", "--csv", "--index", known_index).exit_code == 2
    assert invoke("stats", "custody AND (", "--index", known_index).exit_code == 2
    assert invoke("stats", "--index", tmp_path / "none").exit_code == 1


# ---------------------------------------------------------------- compare, on generated letters


def three_replies() -> list[Reply]:
    """Three of the mass FOI's replies, reworded again and re-dated: one leaves a question out,
    one answers out of the request's order."""
    wyp, merseyside, scotland, _ = HOSPITAL_CRIME
    return [
        replace(wyp, file="cheshire.txt", authority="Cheshire Constabulary", reference="CC-FOI-101"),
        replace(
            merseyside,
            file="avon.txt",
            authority="Avon and Somerset Constabulary",
            reference="AS-7712",
            questions=[merseyside.questions[i] for i in (3, 0, 1, 2)],
            answers=[merseyside.answers[i] for i in (3, 0, 1, 2)],
        ),
        replace(
            scotland,
            file="dorset.txt",
            authority="Dorset Police",
            reference="DP-2024-33",
            law="the Freedom of Information Act 2000",
            answers=[scotland.answers[0], scotland.answers[1], "2021: 77. 2022: 81. 2023: 90.", None],
        ),
    ]


@pytest.fixture(scope="module")
def compare_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    docs = root / "corpus"
    write_replies(docs, three_replies())
    # Other requests that also mention hospitals: not part of the group.
    write_doc(
        docs,
        "parking.txt",
        "Leeds Teaching Hospitals NHS Trust\nOur reference: FOI-9\n\n"
        "Question 1: How much did hospital car parking earn in 2023?\nAnswer: £4.1 million.\n",
    )
    write_doc(
        docs,
        "agency.txt",
        "Barts Health NHS Trust\nOur reference: FOI-10\n\n"
        "Question 1: How much did the hospital spend on agency nurses?\nAnswer: £12 million.\n",
    )
    index = root / "index"
    assert build_index(docs, index).failed == 0
    return index


def test_compare_aligns_three_replies_to_four_questions(compare_index):
    result = invoke("compare", "hospital", "--json", "--index", compare_index)
    assert result.exit_code == 0, result.output
    rows = {row["authority"]: row for row in lines(result)}
    assert set(rows) == {"Cheshire Constabulary", "Avon and Somerset Constabulary", "Dorset Police"}
    questions = list(rows["Cheshire Constabulary"]["answers"])
    assert len(questions) == 4
    assert all(list(row["answers"]) == questions for row in rows.values())
    figures = {name: [row["answers"][q] for q in questions] for name, row in rows.items()}
    wyp, merseyside, scotland, _ = HOSPITAL_CRIME
    assert figures["Cheshire Constabulary"] == wyp.answers
    assert figures["Avon and Somerset Constabulary"] == merseyside.answers  # back in the request's order
    assert figures["Dorset Police"] == [scotland.answers[0], scotland.answers[1], "2021: 77. 2022: 81. 2023: 90.", ""]
    assert rows["Avon and Somerset Constabulary"]["exemptions"] == ["s40(2)"]
    assert rows["Dorset Police"]["date"] == "2024-04-19"


def test_compare_csv_and_xlsx_are_one_row_per_response(compare_index, tmp_path):
    result = invoke("compare", "hospital", "--csv", "--index", compare_index)
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0][:6] == ["authority", "reference", "date", "outcome", "exemptions", "doc_id"]
    assert table[0][-1] == "other" and len(table[0]) == 6 + 4 + 1
    assert sorted(row[0] for row in table[1:]) == [
        "Avon and Somerset Constabulary",
        "Cheshire Constabulary",
        "Dorset Police",
    ]
    from openpyxl import load_workbook

    target = tmp_path / "compare.xlsx"
    result = invoke("compare", "hospital", "--xlsx", target, "--index", compare_index)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    values = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    assert values == table


def test_compare_exit_codes(compare_index, tmp_path):
    nothing = invoke("compare", "zanzibar", "--index", compare_index)
    assert nothing.exit_code == 1 and "nothing matched" in nothing.stderr
    assert invoke("compare", "hospital", "--json", "--csv", "--index", compare_index).exit_code == 2
    assert invoke("compare", "--index", compare_index).exit_code == 2
    bad = invoke("compare", "hospital", "--xlsx", tmp_path / "x.txt", "--index", compare_index)
    assert bad.exit_code == 1 and "ending in .xlsx" in bad.stderr


# ---------------------------------------------------------------- search formats and export


def test_search_csv_header_and_citation(compare_index):
    result = invoke("search", "hospital", "--format", "csv", "--limit", "50", "--index", compare_index)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row[2]: dict(zip(CSV_COLUMNS, row)) for row in rows[1:]}
    assert by_id["corpus/cheshire.txt"]["citation"] == "Cheshire Constabulary, CC-FOI-101, 17 April 2024"
    assert by_id["corpus/cheshire.txt"]["request_date"] == "2024-03-20"


def test_every_format_carries_the_citation(compare_index):
    json_hits = lines(invoke("search", "arrests", "--json", "--index", compare_index))
    assert {hit["citation"] for hit in json_hits} >= {"Dorset Police, DP-2024-33, 19 April 2024"}
    md = invoke("search", "arrests", "--format", "md", "--index", compare_index).stdout
    assert md.startswith("| # | Title | Citation |") and "Dorset Police, DP-2024-33, 19 April 2024" in md
    text = invoke("search", "arrests", "--format", "text", "--index", compare_index).stdout
    assert "Dorset Police, DP-2024-33, 19 April 2024" in text
    assert invoke("search", "arrests", "--json", "--format", "csv", "--index", compare_index).exit_code == 2


def test_export_zip_holds_every_hit(compare_index, tmp_path):
    target = tmp_path / "hits.zip"
    result = invoke("search", "hospital", "--export", target, "--index", compare_index)
    assert result.exit_code == 0, result.output
    every = lines(invoke("search", "hospital", "--json", "--limit", "100", "--index", compare_index))
    assert len(every) == 5
    with zipfile.ZipFile(target) as z:
        names = set(z.namelist())
        assert names == {hit["doc_id"] for hit in every} | {"results.csv"}
        for hit in every:
            assert z.read(hit["doc_id"]) == Path(hit["path"]).read_bytes()
        rows = list(csv.DictReader(io.StringIO(z.read("results.csv").decode("utf-8"))))
    assert sorted(r["doc_id"] for r in rows) == sorted(hit["doc_id"] for hit in every)
    assert f"exported 5 files and 5 rows of results.csv to {target}" in result.stderr
    limited = invoke("search", "hospital", "--export", tmp_path / "two.zip", "--limit", "2", "--index", compare_index)
    with zipfile.ZipFile(tmp_path / "two.zip") as z:
        assert len(z.namelist()) == 3, limited.output


# ---------------------------------------------------------------- the sample corpus and real data


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("sample") / "index"
    assert build_index(CORPUS, index).failed == 0
    return index


def test_sample_mass_foi_compares_four_forces(corpus_index):
    rows = lines(invoke("compare", "hospital grounds", "--json", "--index", corpus_index))
    assert sorted(r["authority"] for r in rows) == [
        "Merseyside Police",
        "Police Scotland",
        "Thames Valley Police",
        "West Yorkshire Police",
    ]
    assert all(len(r["answers"]) == 4 for r in rows)
    tvp = next(r for r in rows if r["authority"] == "Thames Valley Police")
    assert list(tvp["answers"].values())[2] == ""  # TVP refused question 3 in a note


def test_sample_mass_foi_stats_count_working_days_per_nation(corpus_index):
    rows = {r["authority"]: r for r in lines(invoke("stats", "hospital grounds", "--json", "--index", corpus_index))}
    assert {name: (r["median_days"], r["over_20_working_days"]) for name, r in rows.items()} == {
        "West Yorkshire Police": (28, 0),  # 18th working day
        "Merseyside Police": (30, 0),  # 20th working day in England
        "Police Scotland": (30, 1),  # the same day is the 21st in Scotland
        "Thames Valley Police": (43, 1),
    }
    assert REQUEST_DATE == D("2024-03-20")


HOSPITAL = re.compile(r"hospital\s+(?:grounds|premises|sites?)", re.I)
POLICE = re.compile(r"\b(?:police|constabulary)\b", re.I)


def test_real_police_replies_about_crimes_on_hospital_grounds(tmp_path):
    """Real replies from police forces to one request about crimes on hospital grounds, if the
    shared corpus has them: four forces must come out as four rows side by side."""
    real = SHARED / "corpus-real"
    if not real.is_dir():
        pytest.skip("../shared/corpus-real is not available")
    found = [
        p
        for p in real.rglob("*.txt")
        if HOSPITAL.search(text := p.read_text(encoding="utf-8", errors="replace")) and POLICE.search(text)
    ]
    if len(found) < 4:
        pytest.skip(f"../shared/corpus-real has {len(found)} police replies about crimes on hospital grounds, not 4")
    index = tmp_path / "index"
    assert build_index(found[0].parent, index).failed == 0
    rows = lines(invoke("compare", "hospital", "--json", "--index", index))
    assert len({r["authority"] for r in rows}) >= 4
