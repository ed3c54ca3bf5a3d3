"""Whole-postings answers of the Whoosh engine (bulk.py, ranking.py) checked against
Whoosh's own matchers: the same phrase documents, the same counts, and the same top
documents with the same scores to the bit, deleted documents left out."""

from __future__ import annotations

import random
import re

import pytest

from indexer.search import SearchService
from tests.conftest import build_index, write_doc

QUERIES = [
    "information",
    "police",
    "taser incidents",
    "stop search ethnicity",
    "car parking income",
    '"internal review"',
    '"freedom of information"',
    '"body worn cameras"',
    "council -police",
    "police OR council",
    "polic*",
    "fire date:>=2020-01-01",
    'title:"stop and search"',
]
FILTERS = [None, "outcome:refused", "exemption:s40"]


def _trees(text):
    """The trees the service runs for `text`: the substance, the substance and the
    boilerplate, and the boilerplate-only tier."""
    from indexer import query as qtree

    tree = qtree.parse(text).tree
    wide = qtree.with_boilerplate(tree)
    return [tree, wide, qtree.And((wide, qtree.Not(qtree.matching_part(tree))))]


def _runs(engine, searcher):
    from whoosh import query

    from indexer import query as qtree
    from indexer.engines.whoosh.filters import ConstantScore

    for text in QUERIES:
        for filters in FILTERS:
            ftree = qtree.parse(filters).tree if filters else None
            for tree in _trees(text):
                compiled, fq, _ = engine._compile(searcher, tree, ftree)
                yield text, (compiled if fq is None else query.And([compiled, ConstantScore(fq, 0.0)]))


def _whoosh_scores(searcher, run) -> dict[int, float]:
    """Every match's score as Whoosh's matcher gives it when moved onto that document."""
    out = {}
    for sub, offset in searcher.leaf_searchers():
        for docnum in list(run.matcher(sub, sub.context()).all_ids()):
            m = run.matcher(sub, sub.context())
            m.skip_to(docnum)
            assert m.is_active() and m.id() == docnum
            out[offset + docnum] = m.score()
    return out


def _check_index(index_dir) -> int:
    from indexer.engines.whoosh.bulk import count_docs, query_docs
    from indexer.engines.whoosh.ranking import top_docs

    engine = SearchService(index_dir).engine
    searcher = engine.searcher()
    checked = 0
    for text, run in _runs(engine, searcher):
        want = _whoosh_scores(searcher, run)
        assert query_docs(searcher, run) == set(want), text
        assert count_docs(searcher, run) == len(want) == sum(1 for _ in searcher.docs_for_query(run)), text
        best, matched = top_docs(searcher, run, 10)
        assert matched == len(want), text
        expected = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        assert [(docnum, score) for score, docnum in best] == expected, text  # scores exactly equal
        checked += len(want) > 10
    engine.close()
    return checked


def test_top_documents_and_counts_equal_whoosh_matchers(generated_indexes):
    # the top ten by Whoosh's own per-document scores (ties: lower number first), not by a
    # walk of its collector, whose AndMaybe under an And skips the optional part's scores
    assert _check_index(generated_indexes("whoosh")) > 20


def test_deleted_documents_are_neither_counted_nor_ranked(tmp_path):
    rng = random.Random(5)
    words = "police council fire taser incidents review information stop search ethnicity".split()
    for i in range(60):
        body = " ".join(rng.choice(words) for _ in range(40))
        write_doc(tmp_path / "docs", f"d{i:02}.txt", f"Response {i}. {body}. Please ask for an internal review.")
    build_index(tmp_path / "docs", tmp_path / "ix", engine="whoosh")
    for i in range(0, 60, 3):
        (tmp_path / "docs" / f"d{i:02}.txt").unlink()
    write_doc(tmp_path / "docs", "late.txt", "A late response about taser incidents and police.")
    build_index(tmp_path / "docs", tmp_path / "ix", engine="whoosh")
    engine = SearchService(tmp_path / "ix").engine
    reader = engine.searcher().reader()
    assert any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())  # the case under test
    engine.close()
    _check_index(tmp_path / "ix")
    assert SearchService(tmp_path / "ix").search("police").total == sum(
        1 for p in (tmp_path / "docs").iterdir() if "police" in p.read_text().lower()
    )


def _phrases(searcher, rng) -> list[tuple[str, list[str], int]]:
    """Word runs taken from the documents (they occur) and random pairs (they mostly do
    not), each with slop 1, 2 or 3."""
    from indexer.engines.whoosh.search import analyse

    found = []
    for docnum in rng.sample(range(searcher.doc_count_all()), 25):
        text = " ".join(searcher.stored_fields(docnum).get("page_texts") or [])
        words = analyse("content", " ".join(re.findall(r"\w+", text)[:400]))
        if len(words) < 4:
            continue
        start = rng.randrange(len(words) - 3)
        found.append(("content", words[start : start + rng.choice((2, 3))], rng.choice((1, 1, 2, 3))))
        found.append(("content", [rng.choice(words), rng.choice(words)], rng.choice((1, 2, 3))))
        found.append(("content", [words[start], words[start + 2]], 1))  # a gap: slop 2 finds it
        found.append(("content", [words[start], words[start + 2]], 2))
    found.append(("title", ["stop", "search"], 1))
    found.append(("content", ["review", "review"], 1))
    return found


def test_phrase_documents_equal_whoosh_span_matcher(generated_indexes):
    from whoosh import query

    from indexer.engines.whoosh.bulk import VerifiedPhrase, query_docs

    engine = SearchService(generated_indexes("whoosh")).engine
    searcher = engine.searcher()
    matched = kept = 0
    for field, words, slop in _phrases(searcher, random.Random(3)):
        theirs = set(searcher.docs_for_query(query.Phrase(field, words, slop=slop)))
        verified = VerifiedPhrase(field, words, slop=slop)
        assert set(searcher.docs_for_query(verified)) == theirs, (field, words, slop)
        assert query_docs(searcher, verified) == theirs, (field, words, slop)
        matched += bool(theirs)
        kept += _phrase_from_kept_values(searcher, field, words, slop, theirs)
    assert matched > 10 and kept > 10


def _phrase_from_kept_values(searcher, field, words, slop, theirs) -> bool:
    """The phrase's documents read again after its words' postings were read whole (which
    keeps their positions, as a plain query's ranking does before its phrase): the same.
    Whether the kept positions were used."""
    from indexer.engines.whoosh import bulk

    used = False
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        btexts = [bulk._btext(reader, field, w) for w in words]
        if None in btexts:
            continue
        for cache in (bulk._CACHE, bulk._VALUES):
            reader.__dict__.pop(cache, None)
        for btext in btexts:
            bulk.postings(reader, field, btext)
        kept = reader.__dict__.get(bulk._VALUES, {})
        used |= all((field, b) in kept for b in btexts)
        found = bulk._read_phrase(reader, field, words, slop)  # deleted documents included
        live = {offset + d for d in found if not reader.is_deleted(d)}
        assert live == {d for d in theirs if offset <= d < offset + reader.doc_count_all()}
        kept.clear()
        assert bulk._read_phrase(reader, field, words, slop) == found
    return used


@pytest.mark.parametrize("slop", [1, 2, 3])
def test_spans_match_equals_whoosh_span_near(slop):
    """The position check alone, against Whoosh's SpanNear2 logic on random position lists."""
    from whoosh.query.spans import Span, SpanNear2

    from indexer.engines.whoosh.bulk import spans_match

    class Fixed:  # a matcher that only hands out spans
        def __init__(self, positions):
            self._spans = [Span(p) for p in positions]

        def spans(self):
            return self._spans

    rng = random.Random(slop)
    agreed = 0
    for _ in range(3000):
        lists = [sorted(rng.sample(range(30), rng.randint(1, 6))) for _ in range(rng.randint(2, 4))]
        near = SpanNear2.SpanNear2Matcher.__new__(SpanNear2.SpanNear2Matcher)
        near.ms, near.slop, near.ordered, near.mindist = [Fixed(p) for p in lists], slop, True, 1
        want = bool(near._get_spans())
        assert spans_match(lists, slop) == want, (lists, slop)
        agreed += want
    assert agreed > 100
