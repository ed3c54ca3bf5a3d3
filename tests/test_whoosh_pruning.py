"""The top documents of a plain query of several words (ranked by its words standing
together too) with the phrase checked only where it can change the top (ranking._pruned)
equal those with the phrase checked for every document: the same documents, order, ties
and scores to the bit, over random queries, limits, filters and segments with deletions."""

from __future__ import annotations

import random

import pytest

from indexer.search import SearchService
from tests.conftest import build_index, write_doc

WORDS = "police taser incidents review council fire stop search parking income".split()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """Documents of a few words in random order, many written twice (equal scores: ties
    broken by document number) and several sharing a title, in more than one segment, some
    deleted."""
    root = tmp_path_factory.mktemp("pruning")
    docs = root / "docs"
    rng = random.Random(21)

    def batch(start: int, count: int) -> None:
        for i in range(start, start + count):
            title = " ".join(rng.sample(WORDS[:5], 3))
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 40)))
            text = f"{title}\n\n{body}. Outcome: information provided."
            write_doc(docs, f"d{i:03}.txt", text)
            if i % 3 == 0:  # the same text again: the same score
                write_doc(docs, f"d{i:03}-copy.txt", text)

    batch(0, 60)
    build_index(docs, root / "ix", engine="whoosh")
    batch(60, 40)
    build_index(docs, root / "ix", engine="whoosh")
    for i in range(0, 100, 7):
        (docs / f"d{i:03}.txt").unlink()
    batch(100, 30)
    build_index(docs, root / "ix", engine="whoosh")
    return root / "ix"


def _clear(searcher) -> None:
    """Forget what bulk.py keeps per segment, so each run reads positions itself."""
    from indexer.engines.whoosh import bulk

    for leaf, _ in searcher.reader().leaf_readers():
        for name in (bulk._CACHE, bulk._VALUES, bulk._DOCS):
            leaf.__dict__.pop(name, None)


def _runs(engine, searcher, rng):
    from whoosh import query

    from indexer import query as qtree
    from indexer.engines.whoosh.filters import ConstantScore

    for _ in range(40):
        text = " ".join(rng.sample(WORDS, rng.choice((2, 2, 3, 4))))
        tree = qtree.parse(text).tree
        filters = rng.choice((None, None, "title:police"))
        ftree = qtree.parse(filters).tree if filters else None
        for t in (tree, qtree.with_boilerplate(tree)):
            compiled, fq, _ = engine._compile(searcher, t, ftree)
            yield text, compiled if fq is None else query.And([compiled, ConstantScore(fq, 0.0)])


def test_pruned_top_documents_equal_every_phrase_checked(index, monkeypatch):
    from indexer.engines.whoosh import ranking

    checked, candidates, ties = [0], [0], [0]
    among = ranking.phrase_among

    def counting(reader, fieldname, words, slop, docs):
        checked[0] += len(docs)
        return among(reader, fieldname, words, slop, docs)

    segment_candidates = ranking._Segment.candidates

    def counting_candidates(self):
        found = segment_candidates(self)
        candidates[0] += len(found)
        return found

    monkeypatch.setattr(ranking, "phrase_among", counting)
    monkeypatch.setattr(ranking._Segment, "candidates", counting_candidates)
    engine = SearchService(index).engine
    searcher = engine.searcher()
    assert len(searcher.reader().leaf_readers()) >= 2
    assert any(leaf.has_deletions() for leaf, _ in searcher.reader().leaf_readers())
    rng = random.Random(4)
    compared = 0
    for text, run in _runs(engine, searcher, rng):
        assert ranking._has_optional_phrase(run, False), text  # the case under test
        for limit in (1, 2, 3, 5, 10):
            _clear(searcher)
            pruned = ranking.top_docs(searcher, run, limit)
            _clear(searcher)
            full = ranking.top_docs(searcher, run, limit, prune=False)
            assert pruned == full, (text, limit)
            best = full[0]
            ties[0] += any(a[0] == b[0] for a, b in zip(best, best[1:]))
            compared += bool(best)
    engine.close()
    assert compared > 250
    assert ties[0] > 20  # equal scores were ranked (lower document number first)
    assert 0 < checked[0] < candidates[0] / 2  # positions were read for few of the documents


def test_phrase_among_equals_the_phrase_documents(index):
    from indexer.engines.whoosh import bulk

    engine = SearchService(index).engine
    searcher = engine.searcher()
    rng = random.Random(9)
    found_any = 0
    for _ in range(30):
        words = rng.sample(WORDS, 2) if rng.random() < 0.8 else rng.sample(WORDS, 3)
        slop = rng.choice((1, 1, 2))
        for field in ("content", "title"):
            for leaf, _ in searcher.reader().leaf_readers():
                btexts = [bulk._btext(leaf, field, w) for w in words]
                if None in btexts:
                    continue
                holding = set.intersection(*(set(bulk.term_ids(leaf, field, b)) for b in btexts))
                docs = set(rng.sample(sorted(holding), len(holding) // 2)) if holding else set()
                _clear(searcher)
                want = set(bulk._read_phrase(leaf, field, words, slop)) & docs
                _clear(searcher)
                assert bulk.phrase_among(leaf, field, words, slop, docs) == want  # positions read here
                for btext in btexts:  # positions kept from reading the words whole
                    bulk.postings(leaf, field, btext)
                assert bulk.phrase_among(leaf, field, words, slop, docs) == want
                assert bulk.phrase_among(leaf, field, words, slop, docs) == want  # blocks unpickled once
                bulk.phrase_ids(leaf, field, words, slop)
                assert bulk.phrase_among(leaf, field, words, slop, docs) == want  # the phrase's own documents
                found_any += bool(want)
    engine.close()
    assert found_any > 10
