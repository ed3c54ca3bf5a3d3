"""Both engines return the same documents for the same query (ranking may differ).

A generated corpus of 200 responses, indexed once per engine; 40 fixed queries covering every
form of the query language and every filter; for each, the set of matching doc_ids, the
count and the facet counts must be equal."""

from __future__ import annotations

import pytest

from indexer.search import Filters, SearchService
from tests.conftest import available_engines

pytestmark = pytest.mark.skipif(len(available_engines()) < 2, reason="needs two engines installed")

QUERIES: list[tuple[str, dict]] = [
    ("taser", {}),
    ("asylum", {}),
    ("flooding", {}),
    ("information", {}),
    ("prevent referrals", {}),
    ("penalty charge", {}),
    ("library closures", {}),
    ('"damp and mould"', {}),
    ('"freedom of information act"', {}),
    ('"internal review"', {}),
    ('"open government licence"', {}),
    ('taser "internal review"', {}),
    ("drones OR taser", {}),
    ("potholes NOT repaired", {}),
    ("parking AND (fines OR penalty)", {}),
    ("NOT information", {}),
    ("prisons ANDNOT drones", {}),
    ("title:parking", {}),
    ("title:(drones OR taser)", {}),
    ("outcome:refused", {}),
    ("exemption:s40", {}),
    ("exemption:s40(2) OR exemption:s43", {}),
    ("authority:council", {}),
    ("kind:text contracts", {}),
    ("pages:1 budget", {}),
    ("ncnd:true", {}),
    ("databas*", {}),
    ("polic*", {}),
    ("ref*", {}),
    ("sefety~", {}),
    ("accomodation~2", {}),
    ("date:2019", {}),
    ("date:[2018-01-01 TO 2019-06-30] cost", {}),
    ("date:>=2022-01-01 records", {}),
    ("request_date:<2020 data", {}),
    ("missed bin", {"exemption": "s41"}),
    ("records", {"after": "2019-01-01", "before": "2022-12-31"}),
    ("number", {"outcome": "refused", "kind": "text"}),
    ("cost", {"authority": "Metropolitan Police Service"}),
    ("", {"outcome": "not_held"}),
]


@pytest.fixture(scope="module")
def services(generated_indexes):
    out = {name: SearchService(generated_indexes(name)) for name in ("whoosh", "tantivy")}
    yield out
    for service in out.values():
        service.close()


def test_there_are_forty_queries():
    assert len(QUERIES) == len({(t, tuple(sorted(f.items()))) for t, f in QUERIES}) == 40


@pytest.mark.parametrize("text, filters", QUERIES, ids=[f"{i:02}" for i in range(len(QUERIES))])
def test_both_engines_find_the_same_documents(services, text, filters):
    found = {}
    for name, service in services.items():
        results = service.search(text, Filters(**filters), limit=1000, facets=True)
        ids = {h.doc_id for h in results.hits}
        if results.fallback:  # no document has every word: the hits are those with most of them
            assert service.count(text, Filters(**filters)) == 0, name
            assert results.total == len(ids), name
        else:
            assert results.total == len(ids) == service.count(text, Filters(**filters)), name
        found[name] = (ids, {k: sorted(v) for k, v in results.facets.items()}, results.notes, results.fallback)
    whoosh, tantivy = found["whoosh"], found["tantivy"]
    assert whoosh[0] == tantivy[0]
    assert whoosh[1] == tantivy[1]
    assert whoosh[2] == tantivy[2]
    assert whoosh[3] == tantivy[3]


def test_a_query_of_only_not_excludes_every_match_on_both_engines(services):
    """A pure NOT over a word every document holds finds nothing, over segments with deletions
    too (the generated corpus is written in batches that replace documents)."""
    for name, service in services.items():
        assert service.count("information", Filters()) == 200, name
        assert service.search("NOT information", Filters(), limit=1000).total == 0, name
        assert service.count("NOT information", Filters()) == 0, name


def test_the_queries_are_not_trivial(services):
    """Most queries match some documents and none matches everything, so equal sets mean something."""
    service = services["whoosh"]
    sizes = [service.search(t, Filters(**f), limit=1000).total for t, f in QUERIES]
    assert sum(1 for n in sizes if n > 0) >= 34
    assert sum(1 for n in sizes if 0 < n < 200) >= 30
