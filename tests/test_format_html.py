"""Web pages (.html/.htm): visible text only, tables as rows, the <title> kept."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.search import Filters, SearchService
from tests.conftest import build_index
from tests.office_fixtures import html_bytes

PAGE = html_bytes(
    "Disclosure log entry 4412",
    ["Response about library opening hours."],
    table=[["Library", "Hours"], ["Central", "45"]],
    hidden="invisible pangolin",
    script="tracking-token",
)


def test_visible_text_title_and_rows():
    doc = extract_bytes(PAGE, "entry.html")
    assert doc.kind == "html" and doc.title == "Disclosure log entry 4412"
    lines = doc.text.splitlines()
    assert lines[0] == "Disclosure log entry 4412"
    assert "Response about library opening hours." in lines
    assert "Library\tHours" in lines and "Central\t45" in lines
    assert "pangolin" not in doc.text and "tracking-token" not in doc.text and "color" not in doc.text


def test_html_is_found_and_takes_its_title(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "entry.htm").write_bytes(PAGE)
    # A page without the doctype is still HTML by its name.
    (folder / "bare.html").write_bytes(b"<p>Bare fragment about <b>axolotl</b> ponds</p>")
    assert not build_index(folder, tmp_path / "index").failures
    service = SearchService(tmp_path / "index")
    hits = service.search("opening hours", Filters(kind="html")).hits
    assert [h.doc_id for h in hits] == ["docs/entry.htm"]
    assert hits[0].title == "Disclosure log entry 4412"
    assert [h.doc_id for h in service.search("axolotl").hits] == ["docs/bare.html"]
    assert service.search("pangolin").hits == []


def test_markup_in_a_page_is_data():
    doc = extract_bytes(b"<html><body><p>[bold]not markup[/bold] \x1b[31mred</p></body></html>", "x.html")
    assert "\x1b" not in doc.text and "[bold]not markup[/bold]" in doc.text


def test_a_page_with_no_visible_text_is_empty():
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"<!DOCTYPE html><html><head><script>x=1</script></head><body></body></html>", "e.html")
    assert err.value.reason == "empty"
