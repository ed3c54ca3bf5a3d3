"""PowerPoint (.pptx): one page per slide, speaker notes included, tables as rows."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.extract.registry import is_paged
from indexer.search import Filters, SearchService
from tests.conftest import build_index
from tests.office_fixtures import encrypt_office, pptx_bytes

DECK = [
    ("Budget briefing", "Capital spend on gritters", "Say the figure is provisional"),
    ("Outcomes", "Fewer pothole claims", None),
]


def test_one_page_per_slide_with_notes_and_tables():
    doc = extract_bytes(pptx_bytes(DECK, table=[["Year", "Claims"], ["2023", "410"]]), "deck.pptx")
    assert doc.kind == "slides" and is_paged("slides")
    assert [p.number for p in doc.pages] == [1, 2] and [p.name for p in doc.pages] == ["Slide 1", "Slide 2"]
    assert "Capital spend on gritters" in doc.pages[0].text
    assert "Notes: Say the figure is provisional" in doc.pages[0].text.splitlines()
    assert "Fewer pothole claims" in doc.pages[1].text and "gritters" not in doc.pages[1].text
    assert "2023\t410" in doc.pages[1].text.splitlines()


def test_indexed_slides_are_found_by_their_notes(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "deck.pptx").write_bytes(pptx_bytes(DECK))
    assert not build_index(folder, tmp_path / "index").failures
    service = SearchService(tmp_path / "index")
    hits = service.search("provisional", Filters(kind="slides")).hits
    assert [h.doc_id for h in hits] == ["docs/deck.pptx"]
    assert hits[0].page == 1
    # a hit carries the slide its passage is on, as a PDF hit carries its page
    assert [h.page for h in service.search("pothole claims").hits] == [2]


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: encrypt_office(pptx_bytes(DECK)), "encrypted"),
        (lambda: pptx_bytes(DECK)[:4000], "corrupt"),
    ],
)
def test_bad_decks_get_their_reason(make, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(make(), "bad.pptx")
    assert err.value.reason == reason
