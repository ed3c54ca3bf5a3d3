"""Rich Text Format (.rtf): paragraphs, escaped characters, tables as rows; a .doc that is
really RTF is read as RTF."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.metadata import extract_metadata
from indexer.search import Filters, SearchService
from tests.conftest import build_index
from tests.office_fixtures import LETTER, LETTER_META, rtf_bytes


def test_paragraphs_escapes_and_table_rows():
    doc = extract_bytes(
        rtf_bytes(["Café fee of £12 {braces}", "Second paragraph"], table=[["Year", "Fee"], ["2022", "12"]]), "r.rtf"
    )
    assert doc.kind == "rtf"
    lines = [line.strip() for line in doc.text.splitlines()]
    assert lines[:2] == ["Café fee of £12 {braces}", "Second paragraph"]
    assert [line.replace("\t ", "\t") for line in lines[2:4]] == ["Year\tFee", "2022\t12"]


def test_rtf_letter_gets_its_metadata_and_a_doc_that_is_rtf_is_rtf():
    doc = extract_bytes(rtf_bytes(LETTER), "letter.doc")
    assert doc.kind == "rtf"
    meta = extract_metadata(doc.text)
    assert {k: getattr(meta, k) for k in LETTER_META} == LETTER_META


def test_indexed_rtf_is_found(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "reply.rtf").write_bytes(rtf_bytes(["The quokka census is attached."]))
    assert not build_index(folder, tmp_path / "index").failures
    hits = SearchService(tmp_path / "index").search("quokka", Filters(kind="rtf")).hits
    assert [h.doc_id for h in hits] == ["docs/reply.rtf"]


@pytest.mark.parametrize("data, reason", [(b"{\\rtf1\\ansi }", "empty"), (b"not rtf at all", "corrupt")])
def test_bad_rtf_files_get_their_reason(data, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data, "bad.rtf")
    assert err.value.reason == reason
