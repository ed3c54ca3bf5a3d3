"""Date ranges, date sorting and facet counts, on every engine, checked against a brute-force
reading of the stored documents: a date filter keeps the documents whose response date, else
request date, lies in the range; `request_date:` uses the request date alone; sorting puts
undated documents last either way; facet counts are the matching documents' values counted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from indexer.search import Filters, SearchService
from tests.conftest import build_index, write_doc

pytestmark = pytest.mark.usefixtures("engine")

AUTHORITIES = ["Leeds City Council", "Home Office", "Kent Police", "Cabinet Office"]
EXEMPTIONS = [[], ["s40(2)"], ["s31(1)(a)", "s40(2)"], ["s43(2)"], ["s23(1)"]]
OUTCOMES = ["disclosed", "partial", "refused", "not_held"]
TOPICS = ["gritting", "potholes", "lighting"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, engine):
    """90 documents: dated by response (some also by request), by request only, and undated;
    several share a day, so sorting has ties to keep in order."""
    rnd = random.Random(12)
    root = tmp_path_factory.mktemp("dated") / "docs"
    days = [date(2016, 1, 1) + timedelta(days=rnd.randrange(0, 3000)) for _ in range(25)]
    truth = {}
    for i in range(90):
        kind = i % 6  # 0-2: response date (1: and a request date), 3-4: request date only, 5: none
        meta = {
            "authority": rnd.choice(AUTHORITIES),
            "outcome": rnd.choice(OUTCOMES),
            "exemptions": rnd.choice(EXEMPTIONS),
        }
        response = request = None
        if kind <= 2:
            response = rnd.choice(days)
            meta["date"] = response.isoformat()
        if kind in (1, 3, 4):
            request = rnd.choice(days) - timedelta(days=rnd.randrange(1, 40))
            meta["request_date"] = request.isoformat()
        topic = TOPICS[i % 3]
        name = f"r{i:03}.txt"
        write_doc(root, name, f"A reply about {topic} in the district, number {i}.", **meta)
        truth[f"docs/{name}"] = {"day": response or request, "request": request, "topic": topic, **meta}
    index = tmp_path_factory.mktemp("index") / "ix"
    build_index(root, index)
    return index, truth


def _ids(results) -> list[str]:
    return [h.doc_id for h in results.hits]


def test_date_ranges_keep_the_response_date_else_the_request_date(corpus):
    index, truth = corpus
    service = SearchService(index)
    rnd = random.Random(3)
    edges = sorted({d["day"] for d in truth.values() if d["day"]})
    for _ in range(25):
        lo, hi = sorted(rnd.sample(edges, 2))
        for after, before in ((lo, hi), (lo, None), (None, hi), (hi, hi)):
            want = {
                doc_id
                for doc_id, d in truth.items()
                if d["day"] and (after is None or d["day"] >= after) and (before is None or d["day"] <= before)
            }
            got = service.search(
                "",
                Filters(after=after and after.isoformat(), before=before and before.isoformat()),
                limit=200,
                snippets=False,
            )
            assert set(_ids(got)) == want, (after, before)
            text = f"date:[{after.isoformat() if after else ''} TO {before.isoformat() if before else ''}]"
            assert (
                set(_ids(service.search(text.replace("[ TO", "[TO").replace("TO ]", "TO]"), limit=200, snippets=False)))
                == want
            ), text
        requested = {doc_id for doc_id, d in truth.items() if d["request"] and lo <= d["request"] <= hi}
        got = service.search(f"request_date:[{lo.isoformat()} TO {hi.isoformat()}]", limit=200, snippets=False)
        assert set(_ids(got)) == requested
    # a date filter joined to words keeps both conditions
    lo, hi = edges[3], edges[-4]
    want = {i for i, d in truth.items() if d["topic"] == "gritting" and d["day"] and lo <= d["day"] <= hi}
    got = service.search("gritting", Filters(after=lo.isoformat(), before=hi.isoformat()), limit=200, snippets=False)
    assert set(_ids(got)) == want and want
    service.close()


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sorting_by_date_puts_undated_documents_last_either_way(corpus, sort):
    index, truth = corpus
    service = SearchService(index)
    got = service.search("reply", sort=sort, limit=200, snippets=False)
    assert set(_ids(got)) == set(truth)
    days = [truth[doc_id]["day"] for doc_id in _ids(got)]
    dated = [d for d in days if d is not None]
    assert days == dated + [None] * (len(days) - len(dated))  # undated last
    assert dated == sorted(dated, reverse=sort == "-date")
    # a window of the order is that part of the whole order
    window = service.search("reply", sort=sort, offset=20, limit=15, snippets=False)
    assert [truth[i]["day"] for i in _ids(window)] == days[20:35]
    service.close()


@pytest.mark.parametrize(
    "query, filters",
    [
        ("reply", {}),
        ("gritting", {}),
        ("potholes", {"outcome": "refused"}),
        ("", {"authority": "Home Office"}),
        ("lighting", {"after": "2018-01-01"}),
        ("reply", {"exemption": "s40"}),
    ],
)
def test_facet_counts_equal_a_brute_force_count(corpus, query, filters):
    index, truth = corpus
    service = SearchService(index)
    got = service.search(query, Filters(**filters), limit=200, facets=True, snippets=False)
    matched = [truth[doc_id] for doc_id in _ids(got)]
    assert matched and len(matched) == got.total
    expected = {
        "authority": Counter(d["authority"] for d in matched),
        "year": Counter(str(d["day"].year) for d in matched if d["day"]),
        "exemptions": Counter(e for d in matched for e in d["exemptions"]),
        "outcome": Counter(d["outcome"] for d in matched),
    }
    facets = {name: dict(values) for name, values in got.facets.items()}
    assert facets == {name: dict(counts) for name, counts in expected.items()}
    for values in got.facets.values():  # most first, then by name
        assert list(values) == sorted(values, key=lambda kv: (-kv[1], kv[0]))
    service.close()
