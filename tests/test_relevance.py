"""Relevance on every engine: boilerplate ranks below substance, snippets and `similar` prefer
substance, no query ends in a dead end, and `foi show`/`foi similar` take a file name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.relevance_corpus import COMPLAINTS, write_corpus
from indexer import pipeline
from indexer.boilerplate import CommonParagraphs
from indexer.cli import main
from indexer.pipeline import KeptRecords
from indexer.search import SearchService

from .conftest import build_index, write_doc


@pytest.fixture(scope="module")
def replies(engine, tmp_path_factory):
    """A generated corpus of replies that all carry the standard passages, indexed."""
    root = tmp_path_factory.mktemp("relevance")
    folder = root / "replies"
    targets = write_corpus(folder)
    build_index(folder, root / "index")
    service = SearchService(root / "index")
    yield service, targets, folder
    service.close()


def names(results) -> list[str]:
    return [Path(h.doc_id).name for h in results.hits]


def test_the_reply_about_an_internal_review_ranks_first(replies):
    service, targets, _ = replies
    target = next(t for t in targets if t.query == "internal review")
    results = service.search("internal review", limit=50)
    ranked = names(results)
    assert ranked[0] == target.first
    # every other reply carries the complaints paragraph: all are still found, below it
    assert set(target.above) <= set(ranked)
    assert results.total == len(target.above) + 1


def test_personal_data_replies_rank_above_personal_budgets(replies):
    service, targets, _ = replies
    ranked = names(service.search("section 40 personal information", limit=50))
    for target in (t for t in targets if t.query == "section 40 personal information"):
        for other in target.above:
            assert other in ranked  # found through their section 40 explanation...
            assert ranked.index(target.first) < ranked.index(other)  # ...but below


def test_a_boilerplate_only_match_is_found_below_every_substantive_match(engine, docs, index_dir):
    write_doc(
        docs,
        "a-copyright-policy.txt",
        "Our copyright policy: the council owns the copyright in the "
        "maps it publishes and licenses them to schools at no charge.\n",
    )
    for n in range(3):
        write_doc(
            docs,
            f"reply-{n}.txt",
            f"We repaired {100 + n} potholes last year.\n\n"
            "The information supplied to you continues to be protected by copyright. Any other "
            "re-use, for example commercial publication, would require the permission of the "
            "copyright holder.\n",
        )
    build_index(docs, index_dir)
    service = SearchService(index_dir)
    try:
        results = service.search("copyright", limit=10)
        assert names(results)[0] == "a-copyright-policy.txt"
        assert sorted(names(results)[1:]) == ["reply-0.txt", "reply-1.txt", "reply-2.txt"]
        assert service.count("copyright") == 4
        # paging crosses from the substance tier into the boilerplate tier without a gap or repeat
        paged = [names(service.search("copyright", limit=1, offset=i))[0] for i in range(4)]
        assert paged == names(results)
        # boilerplate can be searched by name
        assert sorted(names(service.search("boilerplate:copyright"))) == ["reply-0.txt", "reply-1.txt", "reply-2.txt"]
    finally:
        service.close()


def test_snippets_prefer_what_the_reply_says(engine, docs, index_dir):
    write_doc(
        docs,
        "review.txt",
        "If you are unhappy with this response you can ask for an internal review within 40 working days "
        "of the date of this response.\n\n"
        "Our street lighting review found that 6,100 roads could have part-night lighting.\n\n" + COMPLAINTS[0] + "\n",
    )
    build_index(docs, index_dir)
    service = SearchService(index_dir)
    try:
        hit = service.search("review").hits[0]
        assert hit.snippet == "…Our street lighting review found that 6,100 roads could have part-night lighting.…"
        assert [hit.snippet[s:e] for s, e in hit.highlights] == ["review"]
    finally:
        service.close()


def test_similar_ignores_the_shared_boilerplate(engine, docs, index_dir):
    common = COMPLAINTS[1] + "\n\n" + COMPLAINTS[0]
    write_doc(
        docs, "potholes-a.txt", f"Pothole repairs: we repaired 4,212 potholes and resurfaced 80 roads.\n\n{common}\n"
    )
    write_doc(docs, "potholes-b.txt", f"Potholes reported: 5,100 potholes were reported; 4,800 repaired.\n\n{common}\n")
    write_doc(docs, "parking.txt", f"Parking fines: 61,204 penalty charge notices were issued.\n\n{common}\n")
    build_index(docs, index_dir)
    service = SearchService(index_dir)
    try:
        results = service.similar("docs/potholes-a.txt", limit=5)
        assert names(results)[0] == "potholes-b.txt"
        assert not {"commission", "wycliff", "review"} & set(results.terms)
    finally:
        service.close()


# ---------------------------------------------------------------- no dead ends


@pytest.fixture
def library(engine, docs, index_dir):
    write_doc(docs, "library.txt", "The central library opened on Sundays from April 2023.\n")
    write_doc(docs, "museum.txt", "Museum visits rose to 41,000 in 2023.\n")
    write_doc(docs, "parks.txt", "Parks were mown every two weeks.\n")
    build_index(docs, index_dir)
    return index_dir


def test_no_response_has_all_the_words_shows_those_with_most(library):
    service = SearchService(library)
    try:
        results = service.search("library sundays pothole")
        assert results.fallback == (
            "no response has all of: library sundays pothole; showing those with 'library' and 'sundays'"
        )
        assert names(results) == ["library.txt"]
        both = service.search("library visits")
        assert both.fallback == "no response has all of: library visits; showing those with 'library' or 'visits'"
        assert sorted(names(both)) == ["library.txt", "museum.txt"]
        # a query with hits, or with no word in the index, has no fallback
        assert service.search("central library").fallback is None
        assert service.search("zeppelin quokka").fallback is None
    finally:
        service.close()


def test_cli_prints_the_hits_with_most_words_and_json_prints_none(library):
    runner = CliRunner()
    text = runner.invoke(main, ["search", "library sundays pothole", "--index", str(library)])
    assert text.exit_code == 1  # the query itself has no hits
    assert "no response has all of: library sundays pothole; showing those with 'library' and 'sundays'" in text.stderr
    assert "library.txt" in text.stdout
    as_json = runner.invoke(main, ["search", "library sundays pothole", "--json", "--index", str(library)])
    assert as_json.exit_code == 1 and as_json.stdout == ""
    assert "showing those with 'library' and 'sundays'" in as_json.stderr


def test_did_you_mean_comes_before_the_fallback(library):
    service = SearchService(library)
    try:
        results = service.search("libary visits")
        assert results.suggestion == "library visits"
        assert results.fallback is not None and "visits" in results.fallback
    finally:
        service.close()
    out = CliRunner().invoke(main, ["search", "libary visits", "--index", str(library)])
    lines = out.stderr.splitlines()
    assert lines[0] == "no hits for 'libary visits'; did you mean 'library visits'?"
    assert lines[1] == "no response has all of: libary visits; showing those with 'visits'"


# ---------------------------------------------------------------- show / similar by file


def test_show_and_similar_take_a_path_or_a_unique_basename(engine, docs, index_dir):
    path = write_doc(docs, "potholes.txt", "We repaired 4,212 potholes.\n")
    write_doc(docs, "a/parking.txt", "Parking fines: 61,204 notices.\n")
    write_doc(docs, "b/parking.txt", "Parking permits: 9,000 issued.\n")
    build_index(docs, index_dir)
    runner = CliRunner()
    for given in ("docs/potholes.txt", str(path), "potholes.txt"):
        out = runner.invoke(main, ["show", given, "--json", "--index", str(index_dir)])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["doc_id"] == "docs/potholes.txt"
    assert runner.invoke(main, ["similar", "potholes.txt", "--index", str(index_dir)]).exit_code in (0, 1)
    ambiguous = runner.invoke(main, ["show", "parking.txt", "--index", str(index_dir)])
    assert ambiguous.exit_code == 2
    assert "docs/a/parking.txt" in ambiguous.stderr and "docs/b/parking.txt" in ambiguous.stderr
    assert runner.invoke(main, ["similar", "parking.txt", "--index", str(index_dir)]).exit_code == 2
    missing = runner.invoke(main, ["show", "nothing.txt", "--index", str(index_dir)])
    assert missing.exit_code == 1 and "no document 'nothing.txt'" in missing.stderr


def test_bare_foi_opens_the_tui_on_the_default_index(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr("tui.app.run", lambda index: opened.append(Path(index)))
    monkeypatch.setenv("FOI_INDEX", str(tmp_path / "idx"))
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0, result.output
    assert opened == [tmp_path / "idx"]


def count_extractions(monkeypatch) -> list[str]:
    """The doc ids the pipeline extracts from here on (appended as it goes)."""
    extracted: list[str] = []
    real = pipeline._extract_all

    def spy(todo, *args, **kwargs):
        extracted.extend(s.doc_id for s in todo)
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_extract_all", spy)
    return extracted


# The first documents holding the footer are written before it is common: they are split
# again at the end of the run from the records kept (on disk), or when none is kept
# (budget 0), extracted a second time. Either way every one ends with the footer as boilerplate.
@pytest.mark.parametrize("budget", [KeptRecords.BUDGET, 0], ids=["kept", "extracted-again"])
def test_a_paragraph_repeated_across_the_index_is_boilerplate_in_every_document(
    engine, docs, index_dir, budget, monkeypatch
):
    """No shape rule knows this footer; it repeats in seven documents, so every one of them,
    the first ones written too, keeps it out of its substance."""
    footer = (
        "Visit the Civic Centre reception on the ground floor between nine and five "
        "on weekdays, where the Zephyr kiosk can print copies."
    )
    for n in range(7):
        write_doc(docs, f"reply-{n}.txt", f"We planted {200 + n} trees in ward {n} last winter.\n\n{footer}\n")
    write_doc(docs, "kiosk.txt", "The Zephyr kiosk was installed in 2022 at a cost of 4,000 pounds.\n")
    monkeypatch.setattr(KeptRecords, "BUDGET", budget)
    extracted = count_extractions(monkeypatch)
    build_index(docs, index_dir)
    early = CommonParagraphs.MIN_DOCUMENTS - 1  # written before the footer was common
    assert len(extracted) == 8 + (0 if budget else early)
    service = SearchService(index_dir)
    try:
        assert names(service.search("content:zephyr")) == ["kiosk.txt"]
        assert len(service.search("boilerplate:zephyr").hits) == 7
        ranked = names(service.search("zephyr kiosk"))
        assert ranked[0] == "kiosk.txt" and len(ranked) == 8
        hit = service.search("203 trees").hits[0]
        assert hit.doc_id == "docs/reply-3.txt"  # the templated first line keeps its numbers: substance
        assert "Zephyr" not in hit.snippet
    finally:
        service.close()
    # an incremental run adding one more copy splits it straight away
    write_doc(docs, "reply-9.txt", f"We planted 9 trees.\n\n{footer}\n")
    build_index(docs, index_dir)
    service = SearchService(index_dir)
    try:
        assert len(service.search("boilerplate:zephyr").hits) == 8
    finally:
        service.close()


def test_the_index_is_the_same_whatever_records_are_kept(engine, docs, tmp_path, monkeypatch):
    """The records kept for the end-of-run re-split (on disk, up to KeptRecords.BUDGET bytes)
    only save extracting again: every budget, all, some or none kept, gives the same index."""
    footer = (
        "Parking permits for the Quillon estate are issued by the housing office on the second "
        "floor, and renewals can be made in person on any weekday morning."
    )
    for n in range(9):
        write_doc(docs, f"permit-{n}.txt", f"Permit fees rose by {10 + n} percent in zone {n}.\n\n{footer}\n")
    write_doc(docs, "zones.txt", "The Quillon estate has four permit zones and a waiting list of 120.\n")
    sizes: list[int] = []
    real_keep = KeptRecords.keep

    def measured(self, record):
        real_keep(self, record)
        sizes.append(self.size)
        assert self.size <= self.BUDGET

    monkeypatch.setattr(KeptRecords, "keep", measured)
    extracted = count_extractions(monkeypatch)
    contents, extractions = [], []
    for budget in (KeptRecords.BUDGET, None, 0):
        if budget is None:  # room for the first two records only: the other early ones are extracted again
            budget = sizes[1]
        monkeypatch.setattr(KeptRecords, "BUDGET", budget)
        sizes.clear()
        extracted.clear()
        index_dir = tmp_path / f"index-{budget}"
        build_index(docs, index_dir)
        extractions.append(len(extracted))
        service = SearchService(index_dir)
        try:
            stored = {d: service.engine.document(d) for d in service.engine.manifest()}
        finally:
            service.close()
        for values in stored.values():
            values.pop("indexed_at", None)
        assert len(stored) == 10
        contents.append(stored)
    early = CommonParagraphs.MIN_DOCUMENTS - 1
    assert extractions == [10, 10 + early - 2, 10 + early]
    assert contents[0] == contents[1] == contents[2]
    footers = [values["page_boilerplate"] for d, values in contents[0].items() if "permit-" in d]
    assert len(footers) == 9 and all(spans == footers[0] and spans[0] for spans in footers)  # the footer, in each
