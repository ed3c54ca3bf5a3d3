"""The query language: parsed once into an engine-neutral tree; every malformed part is one
clear usage error naming it; fuzzy and wildcard words are bounded."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from click.testing import CliRunner

from indexer import query as q
from indexer.cli import main
from indexer.search import QueryError, SearchService
from tests.conftest import build_index, write_doc


def _node_kinds():
    return [
        kind for kind in vars(q).values() if isinstance(kind, type) and issubclass(kind, q.Node) and kind is not q.Node
    ]


def test_tree_nodes_are_values_as_frozen_dataclasses_would_be():
    """Node kinds are plain classes (cheaper to import); each equals, hashes and shows as a
    frozen dataclass of its fields does."""
    kinds = _node_kinds()
    assert len(kinds) == 13
    samples = [None, "prevent", ("internal", "review"), 2, 0.5, date(2020, 1, 2), q.Term(None, "x")]
    for kind in kinds:
        twin = dataclasses.make_dataclass(kind.__name__, kind.FIELDS, frozen=True)
        for shift in range(3):
            values = [samples[(i + shift) % len(samples)] for i in range(len(kind.FIELDS))]
            node, dc = kind(*values), twin(*values)
            assert repr(node) == repr(dc) and hash(node) == hash(dc)
            assert node == kind(*values) and node != twin(*values)
            assert [getattr(node, name) for name in kind.FIELDS] == values
            for name in kind.FIELDS:
                with pytest.raises(dataclasses.FrozenInstanceError):
                    setattr(node, name, None)
                with pytest.raises(dataclasses.FrozenInstanceError):
                    delattr(node, name)
    # one kind never equals another with the same fields; defaults are the dataclasses' were
    assert q.And((q.Term(None, "a"),)) != q.Or((q.Term(None, "a"),))
    assert q.Term(None, "a") == q.Term(None, "a", 1.0) and q.Phrase("title", ("a", "b")).slop == 1
    assert q.Fuzzy(None, "a") == q.Fuzzy(None, "a", 1, 1, 1.0)
    assert len({q.Term(None, "a"), q.Term(None, "a"), q.Term("title", "a")}) == 2
    with pytest.raises(TypeError):
        q.Term(None)


def test_tree_of_each_form():
    t = q.parse("prevent database").tree
    assert t == q.AndMaybe(
        q.And((q.Term(None, "prevent"), q.Term(None, "database"))), q.Proximity(("prevent", "database"))
    )
    assert q.parse('"internal review"').tree == q.Phrase(None, ("internal", "review"))
    assert q.parse("drones OR taser").tree == q.Or((q.Term(None, "drones"), q.Term(None, "taser")))
    assert q.parse("potholes NOT repaired").tree == q.And((q.Term(None, "potholes"), q.Not(q.Term(None, "repaired"))))
    # OR binds tighter than the implicit AND between words
    assert q.parse("a b OR c").tree == q.And((q.Term(None, "a"), q.Or((q.Term(None, "b"), q.Term(None, "c")))))
    assert q.parse("title:drones").tree == q.Term("title", "drones")
    assert q.parse("outcome:Refused").tree == q.Exact("outcome", "refused")
    assert q.parse("exemption:s40(2)").tree == q.Exact("exemption", "s40(2)")
    assert q.parse("exemptions:'Section 40(2)'").tree == q.Exact("exemption", "s40(2)")
    assert q.parse("body:x").tree == q.Term("content", "x")  # an alias
    assert q.parse("databas*").tree == q.Wildcard(None, "databas*")
    assert q.parse("safty~").tree == q.Fuzzy(None, "safty", 1)
    assert q.parse("safty~2").tree == q.Fuzzy(None, "safty", 2)
    assert q.parse("title:(fire OR flood)").tree == q.Or((q.Term("title", "fire"), q.Term("title", "flood")))


def test_dates_and_numbers():
    assert q.parse("date:2019").tree == q.DateRange("date", date(2019, 1, 1), date(2019, 12, 31))
    assert q.parse("date:2020-02").tree == q.DateRange("date", date(2020, 2, 1), date(2020, 2, 29))
    assert q.parse("date:[2019-01-01 TO 2019-06-30]").tree == q.DateRange("date", date(2019, 1, 1), date(2019, 6, 30))
    assert q.parse("date:{2019 TO 2021}").tree == q.DateRange("date", date(2020, 1, 1), date(2020, 12, 31))
    assert q.parse("date:[TO 2019]").tree == q.DateRange("date", None, date(2019, 12, 31))
    assert q.parse("date:>=2020-01-01").tree == q.DateRange("date", date(2020, 1, 1), None)
    assert q.parse("date:>2020").tree == q.DateRange("date", date(2021, 1, 1), None)
    assert q.parse("request_date:<2020-03").tree == q.DateRange("request_date", None, date(2020, 2, 29))
    assert q.parse("year:2019").tree == q.DateRange("date", date(2019, 1, 1), date(2019, 12, 31))
    assert q.parse("pages:>10").tree == q.NumberRange("pages", 11, None)
    assert q.parse("pages:[2 TO 5]").tree == q.NumberRange("pages", 2, 5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("date:[garbage TO x]", "date:[garbage TO x]: cannot read the date 'garbage'"),
        ("date:>garbage", "date:>garbage: cannot read the date 'garbage'"),
        ("date:2019-02-30", "'2019-02-30' is not a real date"),
        ("date:[2020 TO 2019]", "the range date:[2020 TO 2019] is reversed"),
        ("pages:[9 TO 2]", "the range pages:[9 TO 2] is reversed"),
        ("NOT NOT NOT", "'NOT' needs a word after it"),
        ("prevent AND", "'AND' needs a word after it"),
        ("OR prevent", "'OR' needs a word before it"),
        (
            "pages:>99999999999999999999999",
            "pages:>99999999999999999999999: the number 99999999999999999999999 is too large",
        ),
        ("pages:lots", "'lots' is not a whole number"),
        ("title:", "'title:' has no value"),
        ("title: prevent", "'title:' has no value"),
        ("ncnd:maybe", "ncnd:maybe: use ncnd:true or ncnd:false"),
        ("colour:red", "unknown field 'colour'"),
        ("date:[2019 TO", "unclosed range"),
        ("prevent ()", "empty group"),
        ("*base", "a wildcard cannot start with * or ?"),
        ("(" * 60 + "x" + ")" * 60, "nests too deeply"),
        (" ".join(f"w{i}*" for i in range(25)), "too many wildcard or fuzzy words"),
        ("outcome:(refused OR partial)", "groups work on text fields only"),
    ],
)
def test_each_malformed_part_is_named(text, message):
    with pytest.raises(QueryError) as err:
        q.parse(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_fuzzy_distance_is_clamped_with_a_note():
    parsed = q.parse("abcdefghijklmnop~6")
    assert parsed.tree == q.Fuzzy(None, "abcdefghijklmnop", 2)
    assert parsed.notes == ["abcdefghijklmnop~6: fuzzy edit distance 6 is more than 2; searched with 2"]


def test_filters_become_tree_nodes():
    from indexer.search import Filters

    t = q.filter_tree(Filters(authority="MPS", after="2019-01-01", exemption="Section 40", outcome="Refused"))
    assert t == q.And(
        (
            q.Exact("authority_key", "metropolitan police service"),
            q.DateRange("date", date(2019, 1, 1), None),
            q.Exact("exemption", "s40"),
            q.Exact("outcome", "refused"),
        )
    )
    assert q.filter_tree(Filters()) is None


@pytest.fixture(scope="module")
def small(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp("q")
    docs = root / "docs"
    for i in range(3):
        write_doc(
            docs,
            f"d{i}.txt",
            f"Response {i}: ambulance response times and handover delays. "
            + " ".join(f"abc{j:03}x" for j in range(i * 150, i * 150 + 150)),
        )
    assert build_index(docs, root / "ix").failed == 0
    return root / "ix"


def run(index, *args):
    return CliRunner().invoke(main, ["search", *args, "--index", str(index)])


@pytest.mark.parametrize(
    "text, message",
    [
        ("date:[garbage TO x]", "date:[garbage TO x]"),
        ("NOT NOT NOT", "NOT"),
        ("pages:>99999999999999999999999", "too large"),
        ("date:[2021 TO 2020]", "reversed"),
        ("title:", "has no value"),
        ("q", "foi: 'q': words need at least 2 letters"),
        ("q x", "foi: 'q', 'x': words need at least 2 letters"),
        ("the and of", "stop words"),
    ],
)
def test_cli_usage_errors_are_one_line_exit_2(small, text, message):
    r = run(small, text)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("foi: ") and message in r.output and r.output.count("\n") == 1


def test_a_clamped_fuzzy_query_runs_and_says_so(small):
    r = run(small, "delayz~5", "--json")
    assert r.exit_code == 0
    assert "fuzzy edit distance 5 is more than 2; searched with 2" in r.stderr
    service = SearchService(small)
    assert service.search("handovr~9").notes and service.search("handovr~9").total == 3


def test_wildcard_expansion_is_capped_with_a_note(small):
    service = SearchService(small)
    r = service.search("abc*", limit=5)
    assert r.total > 0
    assert r.notes == [f"abc* matches more than {q.MAX_EXPANSIONS} words; searched the first {q.MAX_EXPANSIONS}"]
    assert service.search("ambulance*").notes == []


@pytest.mark.parametrize("text", ["date:[2019\nx", "date:[\x1b[31m2019\n", "NOT\r\nNOT"])
def test_a_query_error_is_one_safe_line_for_every_caller(text):
    """The TUI and library users read the message as it is, so the error itself is one line
    with no control characters (the query it quotes may hold newlines and escape codes)."""
    with pytest.raises(QueryError) as caught:
        q.parse(text)
    message = str(caught.value)
    assert message and "\n" not in message and "\r" not in message and "\x1b" not in message
