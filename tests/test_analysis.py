"""The analysis modules without an index: working days, statistics, request groups and question
alignment, citations and exports. Every expected number below is counted by hand on a calendar.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from indexer.analysis import workdays
from indexer.analysis.compare import compare, compare_all, group_of, group_requests
from indexer.analysis.records import Response
from indexer.analysis.stats import compute, summarise
from indexer.citation import citation, cite, reference_label
from indexer.export import CSV_COLUMNS, ExportError, csv_text, export_zip, markdown_table, member_name
from indexer.models import QAPair

D = date.fromisoformat


# ---------------------------------------------------------------- working days


@pytest.mark.parametrize(
    "request_date, nation, expected",
    [
        # Wed 20 Mar 2024: Good Friday 29 Mar and Easter Monday 1 Apr are out, and 4 weekends.
        ("2024-03-20", "ENG", "2024-04-19"),
        # Scotland works on Easter Monday: one day sooner.
        ("2024-03-20", "SCT", "2024-04-18"),
        # Fri 3 May 2024: Mon 6 May (Early May) and Mon 27 May (Spring) are bank holidays.
        ("2024-05-03", "ENG", "2024-06-04"),
        # Received on a Saturday: Sunday is not day 1, Monday 25 March is.
        ("2024-03-23", "ENG", "2024-04-23"),
        # Wed 21 Dec 2022: 26 and 27 Dec (Christmas Day on a Sunday) and Mon 2 Jan 2023 are out.
        ("2022-12-21", "ENG", "2023-01-23"),
        # Scotland also keeps 2 January (its substitute is Tue 3 Jan 2023): a day later.
        ("2022-12-21", "SCT", "2023-01-24"),
    ],
)
def test_deadline_is_the_twentieth_working_day(request_date, nation, expected):
    assert workdays.deadline(D(request_date), nation) == D(expected)


def test_working_days_taken_and_overdue_around_easter():
    req = D("2024-03-20")
    assert workdays.working_days_taken(req, D("2024-04-17"), "ENG") == 18
    assert workdays.working_days_taken(req, D("2024-04-19"), "ENG") == 20
    assert workdays.working_days_taken(req, D("2024-04-19"), "SCT") == 21
    assert not workdays.is_overdue(req, D("2024-04-19"), "ENG")
    assert workdays.is_overdue(req, D("2024-04-19"), "SCT")
    assert workdays.is_overdue(req, D("2024-04-22"), None)  # unknown nation: England and Wales


def test_weekends_and_holidays_are_not_working_days():
    assert not workdays.is_working_day(D("2024-03-23"))  # Saturday
    assert not workdays.is_working_day(D("2024-03-24"))  # Sunday
    assert not workdays.is_working_day(D("2024-04-01"), "ENG")  # Easter Monday
    assert workdays.is_working_day(D("2024-04-01"), "SCT")
    assert not workdays.is_working_day(D("2024-08-05"), "SCT")  # Scotland's summer holiday
    assert workdays.is_working_day(D("2024-08-05"), "ENG")


@pytest.mark.parametrize(
    "authority, nation",
    [
        ("Police Scotland", "SCT"),
        ("Scottish Government", "SCT"),
        ("Aberdeen City Council", "SCT"),
        ("Police Service of Northern Ireland", "NIR"),
        ("South Wales Police", "WLS"),
        ("Welsh Government", "WLS"),
        ("Scotland Office", None),
        ("Kent Police", None),
        (None, None),
    ],
)
def test_nation_of_authority(authority, nation):
    assert workdays.nation_of(authority) == nation


# ---------------------------------------------------------------- statistics


def _r(doc_id, authority, request_date, date_, outcome, exemptions=(), kind="text"):
    return Response(
        doc_id=doc_id,
        authority=authority,
        request_date=request_date,
        date=date_,
        outcome=outcome,
        exemptions=list(exemptions),
        kind=kind,
    )


# Known dates around Easter 2024, the May 2024 bank holidays and Christmas 2022.
KNOWN = [
    _r("a1", "Kent Police", "2024-03-20", "2024-04-19", "disclosed"),  # 30 days, 20th working day
    _r("a2", "Kent Police", "2024-03-20", "2024-04-22", "refused", ["s40(2)"]),  # 33 days, 21st: late
    _r("a3", "Kent Police", "2024-05-03", "2024-06-04", "partial", ["s40(2)", "s31(1)(a)"], "pdf"),  # 32, on time
    _r("a4", "Kent Police", None, "2024-06-10", "ncnd", ["s23(5)"]),  # no request date: not a dated pair
    _r("b1", "Police Scotland", "2024-03-20", "2024-04-19", "disclosed"),  # 30 days, 21st in Scotland: late
    _r("b2", "Police Scotland", "2024-03-20", "2024-04-18", "not_held"),  # 29 days, 20th in Scotland
    _r("c1", None, "2022-12-21", "2023-01-24", "disclosed"),  # 34 days, 21st working day: late
]


def test_stats_by_authority_match_hand_counts():
    groups = {g.key: g for g in compute(KNOWN, "authority")}
    kent = groups["Kent Police"]
    assert kent.responses == 4
    assert kent.outcomes == {"disclosed": 1, "partial": 1, "refused": 1, "not_held": 0, "ncnd": 1, "unknown": 0}
    assert kent.refusal_rate == 0.5
    assert kent.exemptions == {"s40(2)": 2, "s23(5)": 1, "s31(1)(a)": 1}
    assert (kent.dated_pairs, kent.median_days, kent.over_20_working_days) == (3, 32, 1)
    scotland = groups["Police Scotland"]
    assert (scotland.dated_pairs, scotland.median_days, scotland.over_20_working_days) == (2, 29.5, 1)
    assert scotland.refusal_rate == 0.0
    unknown = groups[None]
    assert (unknown.responses, unknown.median_days, unknown.over_20_working_days) == (1, 34, 1)
    assert [g.key for g in compute(KNOWN, "authority")] == ["Kent Police", "Police Scotland", None]


def test_overall_and_other_groupings():
    total = summarise(KNOWN)
    assert total.responses == 7
    assert total.refusal_rate == round(2 / 7, 3)
    assert (total.dated_pairs, total.median_days, total.over_20_working_days) == (6, 31, 3)
    years = compute(KNOWN, "year")
    assert [(g.key, g.responses) for g in years] == [(2023, 1), (2024, 6)]
    by_exemption = {g.key: g.responses for g in compute(KNOWN, "exemption")}
    assert by_exemption == {"s40(2)": 2, "s31(1)(a)": 1, "s23(5)": 1, None: 4}
    assert {g.key: g.responses for g in compute(KNOWN, "kind")} == {"text": 6, "pdf": 1}
    assert {g.key: g.responses for g in compute(KNOWN, "outcome")}["disclosed"] == 3


def test_stats_json_fields_follow_design():
    row = compute(KNOWN, "authority")[0].to_dict()
    assert list(row) == [
        "authority",
        "responses",
        "outcomes",
        "refusal_rate",
        "exemptions",
        "dated_pairs",
        "median_days",
        "over_20_working_days",
    ]
    assert list(compute(KNOWN, "year")[0].to_dict())[0] == "year"


def test_response_dated_before_its_request_is_not_a_dated_pair():
    backwards = _r("x", "Kent Police", "2024-05-01", "2024-04-01", "disclosed")
    assert backwards.days is None
    assert summarise([backwards]).dated_pairs == 0


# ---------------------------------------------------------------- comparison

REQUEST = [
    "How many crimes were recorded on hospital grounds in 2021, 2022 and 2023?",
    "How many of these crimes were violent offences?",
    "How many of the victims were members of NHS staff?",
    "How many arrests were made on hospital grounds in this period?",
]
# Three authorities, each restating the four questions in its own words.
WORDINGS = {
    "Cheshire Constabulary": [
        "Please provide the number of offences recorded at hospital premises for 2021 to 2023.",
        "Please break these figures down to show violence against the person offences.",
        "Please state how many of the victims were employed by the NHS.",
        "Please provide the number of people arrested at hospital premises over the same years.",
    ],
    "Avon and Somerset Constabulary": [
        "The total number of crimes recorded within hospital grounds, by year, for 2021 to 2023.",
        "The number of those crimes that were crimes of violence.",
        "The number of crimes where the victim was a member of NHS staff.",
        "The number of arrests made within hospital grounds in those years.",
    ],
    "Thames Valley Police": [
        "Crimes recorded on hospital sites in each of the years 2021, 2022 and 2023.",
        "How many of the crimes on hospital sites involved violence?",
        "How many offences had an NHS employee as the victim?",
        "Number of arrests on hospital sites in each year.",
    ],
}


def _reply(authority, order=(0, 1, 2, 3), rank=None, extra=None):
    questions = WORDINGS[authority]
    qa = [QAPair(questions[i], f"{authority} answer {i + 1}") for i in order]
    if extra:
        qa.append(QAPair(*extra))
    return Response(
        doc_id=f"corpus/{authority}.txt",
        authority=authority,
        qa=qa,
        rank=rank,
        request="\n".join(q.question for q in qa),
    )


def _distractor(doc_id, question):
    return Response(doc_id=doc_id, authority="Leeds City Council", request=question, qa=[QAPair(question, "x")])


def test_three_differently_worded_replies_align_to_four_questions():
    replies = [
        _reply("Cheshire Constabulary", rank=2),
        _reply("Avon and Somerset Constabulary", rank=1),
        _reply("Thames Valley Police", rank=3),
    ]
    pool = replies + [
        _distractor("corpus/potholes.txt", "How many potholes were repaired on council roads in 2022?"),
        _distractor("corpus/trees.txt", "How many street trees were felled in Sheffield in 2017?"),
    ]
    groups = group_requests(pool)
    assert sorted(r.doc_id for r in groups[0]) == sorted(r.doc_id for r in replies)
    assert all(len(g) == 1 for g in groups[1:])
    table = compare(groups[0])
    assert len(table.questions) == 4
    for row in table.rows:
        for number, question in enumerate(table.questions, start=1):
            assert row.answers[question] == f"{row.response.authority} answer {number}"
        assert row.other == ""


def test_alignment_follows_the_words_not_the_order():
    shuffled = _reply("Thames Valley Police", order=(3, 0, 2, 1))  # arrests first, violence last
    table = compare([_reply("Cheshire Constabulary", rank=1), _reply("Avon and Somerset Constabulary"), shuffled])
    row = next(r for r in table.rows if r.response.authority == "Thames Valley Police")
    assert [row.answers[q] for q in table.questions] == [f"Thames Valley Police answer {i}" for i in (1, 2, 3, 4)]


def test_a_missing_question_is_empty_and_an_unrelated_answer_is_other():
    partial = _reply("Thames Valley Police", order=(0, 1, 3))  # question 3 not answered
    chatty = _reply(
        "Avon and Somerset Constabulary",
        extra=(
            "Additional information about the cost of policing car parks",
            "The force does not charge hospitals for policing.",
        ),
    )
    table = compare([_reply("Cheshire Constabulary", rank=1), chatty, partial])
    assert len(table.questions) == 4  # the chatty reply's fifth item is not a question of the request
    rows = {r.response.authority: r for r in table.rows}
    assert rows["Thames Valley Police"].answers[table.questions[2]] == ""
    assert rows["Thames Valley Police"].answers[table.questions[3]] == "Thames Valley Police answer 4"
    assert "does not charge hospitals" in rows["Avon and Somerset Constabulary"].other
    assert rows["Cheshire Constabulary"].other == ""


def test_narrative_reply_goes_to_other_and_json_fields_follow_design():
    narrative = Response(
        doc_id="corpus/n.txt",
        authority="Kent Police",
        request="\n".join(REQUEST),
        response="We refuse the whole request under section 12.",
    )
    table = compare([_reply("Cheshire Constabulary"), narrative])
    row = next(r for r in table.to_dicts() if r["authority"] == "Kent Police")
    assert list(row) == ["doc_id", "authority", "reference", "date", "outcome", "exemptions", "answers", "other"]
    assert set(row["answers"].values()) == {""}
    assert row["other"] == "We refuse the whole request under section 12."


def test_short_titles_do_not_join_unrelated_requests():
    a = Response(doc_id="a", title="Sheffield station water fountain")
    b = Response(doc_id="b", title="Cultural strategy for Sheffield")
    assert [len(g) for g in group_requests([a, b])] == [1, 1]


def test_compare_all_and_group_of():
    replies = [_reply(name) for name in WORDINGS]
    lone = _distractor("corpus/potholes.txt", "How many potholes were repaired on council roads in 2022?")
    assert [len(c.rows) for c in compare_all(replies + [lone])] == [3]
    assert [len(c.rows) for c in compare_all(replies + [lone], every_group=True)] == [3]
    assert [len(c.rows) for c in compare_all([lone], every_group=True)] == [1]
    assert len(group_of(replies + [lone], "corpus/Thames Valley Police.txt").rows) == 3
    assert group_of(replies, "corpus/nope.txt") is None


# ---------------------------------------------------------------- citations and exports


def _hit(rank, doc_id, path, **fields):
    base = dict(
        rank=rank,
        score=1.5,
        doc_id=doc_id,
        path=str(path),
        title="T",
        authority="South Yorkshire Police",
        reference="20191213",
        date="2019-06-18",
        request_date=None,
        kind="text",
        exemptions=[],
        outcome="disclosed",
        snippet="a snippet",
        highlights=[],
        page=None,
    )
    base.update(fields)
    return SimpleNamespace(**base, to_dict=lambda: dict(base))


def test_citation_leaves_out_unknown_parts():
    assert (
        citation("South Yorkshire Police", "20191213", "2019-06-18", 2)
        == "South Yorkshire Police, FOI 20191213, 18 June 2019, p. 2"
    )
    assert (
        citation("West Midlands Police", "FOI-357-19", "2019-05-16", None)
        == "West Midlands Police, FOI-357-19, 16 May 2019"
    )
    assert citation(None, None, "2024-01-05", None) == "5 January 2024"
    assert citation("Home Office", None, None, 3) == "Home Office, p. 3"
    assert citation(None, None, None, None) == ""
    assert reference_label("FOI 2021/5220") == "FOI 2021/5220"
    assert cite(_hit(1, "corpus/x.pdf", "/x", page=4)).endswith("18 June 2019, p. 4")


def test_csv_has_design_header_and_parses(tmp_path):
    hits = [
        _hit(
            1,
            "corpus/a.txt",
            tmp_path / "a.txt",
            exemptions=["s40(2)", "s31(1)(a)"],
            snippet='quotes " and, commas\nand \x1b[31mescapes',
        ),
        _hit(2, "corpus/b.pdf", tmp_path / "b.pdf", page=3, authority=None),
    ]
    rows = list(csv.reader(io.StringIO(csv_text(hits))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[
        0
    ] == "rank,score,doc_id,title,authority,reference,date,request_date,outcome,exemptions,page,snippet,citation".split(
        ","
    )
    first = dict(zip(rows[0], rows[1]))
    assert first["exemptions"] == "s40(2);s31(1)(a)"
    assert first["snippet"] == 'quotes " and, commas\nand ␛[31mescapes'  # escape made visible
    assert first["citation"] == "South Yorkshire Police, FOI 20191213, 18 June 2019"
    second = dict(zip(rows[0], rows[2]))
    assert second["page"] == "3" and second["citation"] == "FOI 20191213, 18 June 2019, p. 3"


def test_markdown_escapes_pipes():
    table = markdown_table([_hit(1, "corpus/a.txt", "/a", title="A | B", snippet="line\nbreak")])
    assert (
        table.splitlines()[2]
        == "| 1 | A \\| B | South Yorkshire Police, FOI 20191213, 18 June 2019 | disclosed |  | line break |"
    )


def test_zip_holds_every_original_and_results(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"first original")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.pdf").write_bytes(b"%PDF-1.4 second")
    hits = [
        _hit(1, "corpus/a.txt", folder / "a.txt"),
        _hit(2, "corpus/sub/b.pdf", folder / "sub" / "b.pdf"),
        _hit(3, "corpus/gone.txt", folder / "gone.txt"),
    ]
    summary = export_zip(hits, tmp_path / "out.zip")
    assert (summary.files, summary.rows, summary.missing) == (2, 3, ["corpus/gone.txt"])
    with zipfile.ZipFile(tmp_path / "out.zip") as z:
        assert sorted(z.namelist()) == ["corpus/a.txt", "corpus/sub/b.pdf", "results.csv"]
        assert z.read("corpus/a.txt") == b"first original"
        assert z.read("corpus/sub/b.pdf") == b"%PDF-1.4 second"
        rows = list(csv.DictReader(io.StringIO(z.read("results.csv").decode())))
    assert [r["doc_id"] for r in rows] == ["corpus/a.txt", "corpus/sub/b.pdf", "corpus/gone.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_zip_names_cannot_escape_and_bad_targets_fail_cleanly(tmp_path):
    assert member_name("../../etc/passwd") == "etc/passwd"
    assert member_name("/abs/x.txt") == "abs/x.txt"
    assert member_name("corpus/mail.eml!/attachment.pdf") == "corpus/mail.eml"
    with pytest.raises(ExportError, match="ending in .zip"):
        export_zip([], tmp_path / "out.tar")
    with pytest.raises(ExportError, match="no folder"):
        export_zip([], tmp_path / "missing" / "out.zip")
    assert not Path(tmp_path / "out.tar").exists()


def test_several_groups_share_one_table_with_a_group_column():
    from indexer.export import comparison_table

    hospital = compare([_reply(name) for name in WORDINGS])
    potholes = compare(
        [
            _distractor("corpus/p1.txt", "How many potholes were repaired in 2022?"),
            _distractor("corpus/p2.txt", "How many potholes were repaired in 2022?"),
        ]
    )
    header, rows = comparison_table([hospital, potholes])
    assert header[:7] == ["group", "authority", "reference", "date", "outcome", "exemptions", "doc_id"]
    assert header[7:-1] == hospital.questions + potholes.questions and header[-1] == "other"
    assert [row[0] for row in rows] == ["1", "1", "1", "2", "2"]
    pothole_row = dict(zip(header, rows[3]))
    assert pothole_row[potholes.questions[0]] == "x" and pothole_row[hospital.questions[0]] == ""
