"""The Whoosh engine's own speed tricks, checked against Whoosh itself: common-gram phrases,
single-pass analysis in workers, the tail-merge policy, one searcher reused."""

from __future__ import annotations

import pytest

from indexer.search import SearchService
from tests.conftest import SEED, build_index, write_doc


def test_searcher_is_reused_until_the_index_changes(tmp_path):
    write_doc(tmp_path / "docs", "a.txt", "A response about fire safety and potholes.")
    build_index(tmp_path / "docs", tmp_path / "ix", engine="whoosh")
    service = SearchService(tmp_path / "ix")
    service.search("fire")
    first = service.engine._searcher
    service.search("potholes")
    assert service.engine._searcher is first
    write_doc(tmp_path / "docs", "b.txt", "Another response about fire engines.")
    build_index(tmp_path / "docs", tmp_path / "ix", engine="whoosh")
    assert service.search("fire").total == 2
    assert service.engine._searcher is not first
    service.close()


PHRASES = [
    '"internal review"',
    '"information commissioner"',
    '"freedom of information act"',
    '"right to ask for an internal review"',
    '"we do not hold"',
    '"public interest"',
    '"section 40"',
    '"data protection"',
    '"prevent database"',
    '"does not exist anywhere"',
    'title:"stop and search"',
    '"internal review" AND "public interest"',
    '"open government licence"',
    '"information commissioner\'s office"',
    '"information commissioner office"',
]


def test_phrase_acceleration_returns_exactly_the_same_documents(generated_indexes):
    from indexer.engines.whoosh.search import Compiler
    from indexer.query import parse

    service = SearchService(generated_indexes("whoosh"))
    searcher = service.engine.searcher()
    from indexer.query import with_boilerplate

    for phrase in PHRASES:
        # the phrase in the substance, and (as a plain query also looks) in the boilerplate
        wide = with_boilerplate(parse(phrase).tree)
        for tree in (parse(phrase).tree, wide):
            plain = Compiler(searcher.reader(), accelerate=False).compile(tree)
            fast = Compiler(searcher.reader()).compile(tree)
            if phrase in (
                '"internal review"',
                '"information commissioner"',
                '"public interest"',
                '"open government licence"',
            ):
                assert " bigrams:" in f" {fast}", fast  # boilerplate phrases become common-gram lookups
                if tree is wide and "boilerplate:" in str(plain):
                    assert "boilerplate_bigrams:" in str(fast), fast
            slow_ids = {h["doc_id"] for h in searcher.search(plain, limit=None)}
            fast_ids = {h["doc_id"] for h in searcher.search(fast, limit=None)}
            assert slow_ids == fast_ids, phrase
    # the phrase is common: in most documents' standard passages (the boilerplate field)
    plain = Compiler(searcher.reader(), accelerate=False).compile(with_boilerplate(parse('"internal review"').tree))
    assert searcher.search(plain, limit=None).scored_length() > 50


def test_single_pass_content_and_bigram_postings_equal_whoosh_own():
    """preanalyse builds content and common-gram postings from one token stream; they
    must be exactly what Whoosh's own analysis of each field gives."""
    from indexer.engines.whoosh.schema import PreAnalyzed, build_schema, preanalyse

    schema = build_schema()
    text = SEED.read_text() + "\n\nThe Information Commissioner's Office: internal review of the internal review."
    fast = preanalyse(schema, {"content": text, "bigrams": text, "boilerplate": text, "boilerplate_bigrams": text})
    for name in ("content", "bigrams", "boilerplate", "boilerplate_bigrams"):
        assert isinstance(fast[name], PreAnalyzed)
        expected = sorted(schema[name].index(text))
        assert sorted(fast[name].postings) == expected, name
    assert any(p[0] == b"intern review" for p in fast["bigrams"].postings)
    assert any(p[0] == b"intern review" for p in fast["boilerplate_bigrams"].postings)
    assert any(p[0] == b"inform commission offic" for p in fast["bigrams"].postings)


def test_tiered_merge_policy_merges_a_full_tier_of_small_segments_only():
    from indexer.engines.whoosh.index import TAIL_MERGE_DOCS, merge_groups

    class Seg:
        def __init__(self, n, deleted=0):
            self.n = n
            self.deleted = deleted

        def doc_count_all(self):
            return self.n

        def doc_count(self):
            return self.n - self.deleted

        def __repr__(self):
            return f"Seg({self.n}, deleted={self.deleted})"

    big = [Seg(TAIL_MERGE_DOCS * 2) for _ in range(15)]
    assert merge_groups(big) == []  # bulk segments are never rewritten
    few = [Seg(1) for _ in range(9)] + [Seg(12) for _ in range(8)] + [Seg(200) for _ in range(9)]
    assert merge_groups(few) == []  # no tier holds as many documents as the next starts at
    # a tier whose documents reach the next tier's floor is merged into one; the rest stay
    hundreds = [Seg(150 + i) for i in range(13)]  # 2,028 documents: a segment of the tail
    mixed = big[:2] + hundreds + [Seg(3), Seg(40)]
    assert merge_groups(mixed) == [hundreds]
    singles = [Seg(1) for _ in range(10)]  # ten 1-document commits make one segment of 10
    assert merge_groups(singles + [Seg(40)]) == [singles]
    # sizes count live documents: bulk segments mostly replaced join the tier of what they
    # hold; a segment with nothing left joins no merge (the commit drops it unread)
    replaced = [Seg(TAIL_MERGE_DOCS + 400, deleted=TAIL_MERGE_DOCS + 250 + i) for i in range(14)]
    gone = Seg(TAIL_MERGE_DOCS * 3, deleted=TAIL_MERGE_DOCS * 3)
    assert merge_groups(big[:1] + replaced + [gone]) == [replaced]
    assert merge_groups(big[:1] + [gone, Seg(5)]) == []
    # many of them (the end of a big build): merged in groups that each just reach the next
    # tier, so no merge rewrites more than twice TAIL_MERGE_DOCS documents however big the index
    many = [Seg(TAIL_MERGE_DOCS + 400, deleted=TAIL_MERGE_DOCS - 300 + i % 7) for i in range(60)]
    groups = merge_groups(big[:3] + many)
    assert [seg for group in groups for seg in group] == many[: sum(map(len, groups))]
    assert len(many) - sum(map(len, groups)) < 3  # what is left does not make a group yet
    assert len(groups) >= 18
    for group in groups:
        live = sum(seg.doc_count() for seg in group)
        assert TAIL_MERGE_DOCS <= live < 2 * TAIL_MERGE_DOCS


class _Segment:
    """What the merge policy reads of a segment: its documents, live or deleted."""

    def __init__(self, docs: list[int]):
        self.docs = list(docs)
        self.deleted: set[int] = set()

    def doc_count_all(self):
        return len(self.docs)

    def doc_count(self):
        return len(self.docs) - len(self.deleted)

    def live(self):
        return [d for d in self.docs if d not in self.deleted]


def _build(rewrites: dict[int, int], commits: list[list[int]], replaced_per_bulk: int) -> list:
    """Segments after a build of `commits` (the lane segment sizes of each commit): each merge
    the policy asks for is done by the next commit (counting, per document, how many times it
    is rewritten). Then, as a run ends, `replaced_per_bulk` documents of each bulk segment are
    replaced by new ones (written by lanes) and commits go on until no merge is left."""
    from indexer.engines.whoosh.index import TAIL_MERGE_DOCS, merge_groups

    segments, pending, next_doc = [], [], 0

    def commit(new_sizes):
        nonlocal segments, pending, next_doc
        for group in pending:  # finished merges replace their sources
            merged = _Segment([d for seg in group for d in seg.live()])
            for d in merged.docs:
                rewrites[d] += 1
            at = segments.index(group[0])
            segments = [seg for seg in segments if seg not in group]
            segments.insert(at, merged)
        for size in new_sizes:
            segments.append(_Segment(range(next_doc, next_doc + size)))
            rewrites.update(dict.fromkeys(range(next_doc, next_doc + size), 0))
            next_doc += size
        segments = [seg for seg in segments if seg.doc_count()]
        pending = merge_groups(segments)

    for sizes in commits:
        commit(sizes)
    commit([])
    replaced = 0
    for seg in segments:
        if seg.doc_count_all() >= TAIL_MERGE_DOCS:
            seg.deleted.update(seg.docs[:replaced_per_bulk])
            replaced += replaced_per_bulk
    commit([replaced])
    while pending:
        commit([])
    return segments


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_build_rewrites_each_document_once_at_most(lanes):
    """A 10,000-document build commits every 200 documents (one lane segment, or two of 100)
    and replaces a few documents of every bulk segment at its end (the boilerplate found
    late): a lane writes each document once and merges rewrite it at most once more. The
    bulk segments those replacements leave with a few dead documents are not rewritten."""
    rewrites: dict[int, int] = {}
    segments = _build(rewrites, [[200 // lanes] * lanes] * 50, replaced_per_bulk=40)
    assert max(rewrites.values()) == 1
    assert sum(rewrites.values()) <= 10_000
    assert sum(seg.doc_count() for seg in segments) == 10_000 and len(segments) <= 8
    # a bulk segment mostly replaced is rewritten with what it still holds
    mostly_gone = _Segment(range(2000))
    mostly_gone.deleted.update(range(1100))
    from indexer.engines.whoosh.index import merge_groups

    others = [_Segment(range(5000 + 200 * i, 5200 + 200 * i)) for i in range(6)]
    assert merge_groups([mostly_gone, *others]) == [[mostly_gone, *others]]
    mostly_gone.deleted = set(range(900))
    assert merge_groups([mostly_gone, *others]) == []


def test_facet_counts_equal_whoosh_own_grouping(generated_indexes):
    """Facets are counted from postings sets; they must equal Whoosh's grouping of the
    same matches (overlapping exemptions included), with and without a filter."""
    from whoosh import query, sorting

    from indexer.query import parse

    engine = SearchService(generated_indexes("whoosh")).engine
    searcher = engine.searcher()
    spec = {
        "authority": sorting.FieldFacet("authority"),
        "year": sorting.FieldFacet("year"),
        "exemptions": sorting.FieldFacet("exemptions", allow_overlap=True),
        "outcome": sorting.FieldFacet("outcome"),
    }
    checked = 0
    for text, filters in [("information", None), ("police", "outcome:refused"), ("*", None)]:
        node = None if text == "*" else parse(text).tree
        got = engine.facet_counts(node, parse(filters).tree if filters else None)
        run = query.Every() if node is None else engine._compile(searcher, node, None)[0]
        if filters:
            run = query.And([run, engine._compile(searcher, parse(filters).tree, None)[0]])
        raw = searcher.search(run, limit=1, groupedby=spec, maptype=sorting.Count)
        for name in spec:
            want = {k: v for k, v in raw.groups(name).items() if k not in (None, "", b"")}
            assert dict(got[name]) == want, (text, name)
            checked += len(want)
    assert checked > 20
    results = engine.search(parse("information").tree, facets=True)
    assert results.total == len(
        searcher.search(engine._compile(searcher, parse("information").tree, None)[0], limit=None)
    )
