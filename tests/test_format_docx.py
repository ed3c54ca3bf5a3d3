"""Word 2007+ (.docx): paragraphs, tables as rows, headers/footers, comments and tracked
changes; a Word response letter gets the same FOI metadata as a PDF letter."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.metadata import extract_metadata
from indexer.search import Filters, SearchService
from tests.conftest import SHARED, build_index
from tests.office_fixtures import LETTER, LETTER_META, docx_bytes, encrypt_office

REAL = SHARED / "corpus-real" / "formats"


@pytest.fixture(scope="module")
def full_docx() -> bytes:
    return docx_bytes(
        ["Opening paragraph about kestrels."],
        table=[["Year", "Nests"], ["2023", "17"]],
        header="Letterhead of Moorland Council",
        footer="Footer words quillpen",
        comment=("Alice Reviewer", "check the nest figure"),
        tracked=("thirteen", "seventeen"),
    )


def test_paragraphs_table_rows_header_footer(full_docx):
    doc = extract_bytes(full_docx, "reply.docx")
    assert doc.kind == "docx" and len(doc.pages) == 1
    lines = doc.text.splitlines()
    assert "Opening paragraph about kestrels." in lines
    assert "Year\tNests" in lines and "2023\t17" in lines  # one line per row, cells by tabs
    assert doc.text.index("Letterhead of Moorland Council") < doc.text.index("kestrels") < doc.text.index("quillpen")


def test_comments_and_tracked_changes_are_marked(full_docx):
    text = extract_bytes(full_docx, "reply.docx").text
    assert "[comment by Alice Reviewer: check the nest figure]" in text
    assert "[deleted: thirteen]" in text and "[inserted: seventeen]" in text


def test_word_letter_gets_the_metadata_of_a_pdf_letter():
    meta = extract_metadata(extract_bytes(docx_bytes(LETTER), "letter.docx").text)
    got = {k: getattr(meta, k) for k in LETTER_META}
    assert got == LETTER_META
    assert [q.question for q in meta.qa] == [
        "How many drones does the force operate?",
        "What was spent on drone training in 2023?",
    ]
    assert meta.qa[0].answer == "The force operates 12 drones."


def test_indexed_docx_is_found_with_its_metadata(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "letter.docx").write_bytes(docx_bytes(LETTER, table=[["Drone", "Cost"], ["Mavic", "2100"]]))
    summary = build_index(folder, tmp_path / "index")
    assert summary.added == 1 and not summary.failures
    service = SearchService(tmp_path / "index")
    hits = service.search("Mavic", Filters(kind="docx")).hits
    assert [h.doc_id for h in hits] == ["docs/letter.docx"]
    assert hits[0].kind == "docx" and hits[0].reference == "FOI-2024-0815" and hits[0].date == "2024-03-14"
    assert service.search("Mavic", Filters(kind="pdf")).hits == []
    shown = service.document("docs/letter.docx")
    assert shown.metadata["authority"] == "South Yorkshire Police" and shown.metadata["outcome"] == "disclosed"
    assert len(shown.qa) == 2


def test_content_wins_over_the_name():
    assert extract_bytes(docx_bytes(["Renamed letter about otters"]), "scan.pdf").kind == "docx"


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: encrypt_office(docx_bytes(["locked words"])), "encrypted"),
        (lambda: docx_bytes([]), "empty"),
        (lambda: docx_bytes(["cut short " * 2000])[:3000], "corrupt"),
        (lambda: b"this is not a word document at all", "corrupt"),
    ],
)
def test_bad_word_files_get_their_reason(make, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(make(), "bad.docx")
    assert err.value.reason == reason


@pytest.mark.skipif(not (REAL / "BirminghamResponse.docx").exists(), reason="../shared/corpus-real/formats is absent")
def test_real_birmingham_response():
    import json

    label = json.loads((REAL / "LABELS.json").read_text())["docs"]["BirminghamResponse.docx"]
    doc = extract_bytes((REAL / "BirminghamResponse.docx").read_bytes(), "BirminghamResponse.docx")
    assert doc.kind == label["kind"]
    for word in label["words"]:
        assert word in doc.text
    meta = extract_metadata(doc.text)
    assert (meta.authority, meta.reference, meta.date) == (label["authority"], label["reference"], label["date"])
