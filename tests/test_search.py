"""The search service on a small corpus with known answers: every query form and filter."""

from __future__ import annotations

import pytest

from indexer.search import Filters, QueryError, SearchService
from tests.conftest import build_index, write_doc

FILLER = "The authority has considered your request under the Freedom of Information Act. "


pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def service(tmp_path_factory, engine):
    docs = tmp_path_factory.mktemp("known") / "known"
    docs.mkdir()
    write_doc(
        docs,
        "phrase.txt",
        FILLER + "We hold a prevent database of referrals.",
        authority="South Yorkshire Police",
        date="2019-06-18",
        outcome="disclosed",
        title="Prevent referrals",
    )
    write_doc(
        docs,
        "scattered.txt",
        FILLER + "The database is old. Officers prevent misuse by audits. " * 2,
        authority="Metropolitan Police Service",
        date="2019-12-31",
        outcome="partial",
        exemptions=["s40(2)", "s31(1)(a)"],
        title="Database audits",
    )
    write_doc(
        docs,
        "titled.txt",
        FILLER + "Numbers of speed cameras are given below.",
        authority="Sheffield City Council",
        date="2020-01-01",
        outcome="refused",
        exemptions=["s12"],
        title="Budget for potholes",
    )
    write_doc(
        docs,
        "body.txt",
        FILLER + "Potholes potholes potholes were repaired on many roads. Potholes.",
        authority="Sheffield City Council",
        date="2018-03-04",
        outcome="not_held",
        title="Road repairs",
    )
    write_doc(
        docs,
        "undated.txt",
        FILLER + "Fire safety inspections of tower blocks and databases.",
        authority="Home Office",
        outcome="ncnd",
        exemptions=["s40(3A)(a)", "s23"],
        title="Fire safety",
    )
    index_dir = docs.parent / "index"
    summary = build_index(docs, index_dir)
    assert summary.failed == 0
    svc = SearchService(index_dir)
    yield svc
    svc.close()


def ids(results):
    return [h.doc_id.split("/")[-1] for h in results.hits]


def test_phrase_beats_scattered_terms(service):
    r = service.search("prevent database")
    assert ids(r)[:2] == ["phrase.txt", "scattered.txt"]
    assert ids(service.search('"prevent database"')) == ["phrase.txt"]


def test_title_match_is_boosted_above_body(service):
    assert ids(service.search("potholes"))[0] == "titled.txt"


def test_boolean_operators(service):
    assert set(ids(service.search("potholes OR fire"))) == {"titled.txt", "body.txt", "undated.txt"}
    assert ids(service.search("potholes NOT repaired")) == ["titled.txt"]
    assert ids(service.search("potholes AND roads")) == ["body.txt"]


def test_field_value_wildcard_and_fuzzy(service):
    assert ids(service.search("title:fire")) == ["undated.txt"]
    assert set(ids(service.search("inspect*"))) == {"undated.txt"}
    assert "undated.txt" in ids(service.search("safty~"))
    assert set(ids(service.search("outcome:refused"))) == {"titled.txt"}


def test_stemmed_match_is_found_and_highlighted(service):
    r = service.search("database")
    assert "undated.txt" in ids(r)  # "databases"
    hit = next(h for h in r.hits if h.doc_id.endswith("undated.txt"))
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["databases"]


def test_highlight_offsets_point_at_matched_words(service):
    for query in ("prevent database", '"prevent database"', "potholes", "fire safety"):
        hits = service.search(query).hits
        assert any(h.highlights for h in hits), query
        for hit in hits:  # a title-only match has a snippet of the body without highlights
            words = [hit.snippet[s:e].lower() for s, e in hit.highlights]
            assert all(w.startswith(("prevent", "databas", "pothole", "fire", "safet")) for w in words), words


def test_snippet_is_short_plain_and_cut_at_word_boundaries(tmp_path):
    docs = tmp_path / "long"
    docs.mkdir()
    write_doc(
        docs,
        "long.txt",
        ("Irrelevant words fill this sentence nicely. " * 40)
        + "The needle appears here. "
        + ("More irrelevant closing words follow. " * 40),
    )
    build_index(docs, tmp_path / "ix")
    hit = SearchService(tmp_path / "ix").search("needle").hits[0]
    assert 150 <= len(hit.snippet) <= 230
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    inner = hit.snippet.strip("…")
    assert inner.split()[0] in ("Irrelevant", "words", "fill", "this", "sentence", "nicely.", "The")
    assert hit.snippet[hit.highlights[0][0] : hit.highlights[0][1]] == "needle"


def test_date_ranges_are_inclusive(service):
    assert set(ids(service.search("date:[2019-06-18 TO 2019-12-31]"))) == {"phrase.txt", "scattered.txt"}
    assert set(ids(service.search("date:2019"))) == {"phrase.txt", "scattered.txt"}
    assert set(ids(service.search("date:>=2020-01-01"))) == {"titled.txt"}
    f = Filters(after="2019-12-31", before="2020-01-01")
    assert set(ids(service.search("authority OR request", f))) == {"scattered.txt", "titled.txt"}


def test_undated_documents_do_not_pass_a_date_filter(service):
    r = service.search("fire", Filters(before="2030-01-01"))
    assert r.total == 0


def test_filters_combine_with_the_query(service):
    assert set(ids(service.search("request", Filters(authority="Sheffield City Council")))) == {
        "titled.txt",
        "body.txt",
    }
    assert ids(service.search("request", Filters(authority="sheffield city council", outcome="refused"))) == [
        "titled.txt"
    ]
    assert ids(service.search("request", Filters(exemption="s40"))) and set(
        ids(service.search("request", Filters(exemption="s40")))
    ) == {"scattered.txt", "undated.txt"}
    assert ids(service.search("request", Filters(exemption="s40(2)"))) == ["scattered.txt"]
    assert ids(service.search("request", Filters(exemption="section 31"))) == ["scattered.txt"]
    assert ids(service.search("request", Filters(kind="pdf"))) == []


def test_authority_filter_takes_aliases(service):
    assert ids(service.search("request", Filters(authority="MPS"))) == ["scattered.txt"]
    assert ids(service.search("request", Filters(authority="Met"))) == ["scattered.txt"]
    assert ids(service.search("request", Filters(authority="SYP"))) == ["phrase.txt"]


def test_facet_counts_add_up_to_the_total(service):
    r = service.search("request", facets=True)
    assert r.total == 5
    for name in ("authority", "outcome"):
        assert sum(count for _, count in r.facets[name]) == r.total
    assert sum(c for _, c in r.facets["year"]) == 4  # one undated
    assert dict(r.facets["exemptions"])["s40(2)"] == 1
    assert dict(r.facets["authority"])["Sheffield City Council"] == 2


def test_sort_by_date_puts_undated_last(service):
    r = service.search("request", sort="date", limit=10)
    assert ids(r) == ["body.txt", "phrase.txt", "scattered.txt", "titled.txt", "undated.txt"]
    r = service.search("request", sort="-date", limit=10)
    assert ids(r) == ["titled.txt", "scattered.txt", "phrase.txt", "body.txt", "undated.txt"]


def test_limit_and_offset_page_through_results(service):
    all_ids = ids(service.search("request", limit=5))
    assert ids(service.search("request", limit=2, offset=2)) == all_ids[2:4]
    assert service.search("request", limit=2, offset=2).hits[0].rank == 3


def test_did_you_mean_on_a_one_letter_typo(service):
    r = service.search("potholez")
    assert r.total == 0
    assert r.suggestion == "potholes"


def test_qa_pair_reported_when_the_hit_is_in_one(tmp_path):
    docs = tmp_path / "qa"
    docs.mkdir()
    write_doc(
        docs,
        "qa.txt",
        "Our ref: FOI 123\n\nQuestion 1: How many parking wardens do you employ?\n\nAnswer: 42 wardens.\n\n"
        "Question 2: What did the wardens cost?\n\nAnswer: £1.2 million in salaries.\n",
    )
    build_index(docs, tmp_path / "ix")
    hit = SearchService(tmp_path / "ix").search("salaries").hits[0]
    assert hit.qa is not None and "cost" in hit.qa.question and "salaries" in hit.qa.answer


@pytest.mark.parametrize(
    "query, message",
    [
        ('"unclosed phrase', "unbalanced quote"),
        ("(prevent", "unbalanced parenthesis"),
        ("prevent)", "unbalanced parenthesis"),
        ("colour:red", "unknown field 'colour'"),
        ("the and of", "stop words"),
        ("!!! ???", "punctuation"),
        ("", "empty query"),
        ("date:notadate", "date"),
    ],
)
def test_bad_queries_raise_one_clear_message(service, query, message):
    with pytest.raises(QueryError) as err:
        service.search(query)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_filter_values_are_query_errors(service):
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        service.search("request", Filters(after="last tuesday"))


def test_one_engine_is_kept_open_across_searches(service):
    service.search("request")
    first = service.engine
    service.search("fire")
    assert service.engine is first
