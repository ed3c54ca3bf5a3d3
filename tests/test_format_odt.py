"""OpenDocument text (.odt): headings, paragraphs and tables as rows, searchable by kind."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.metadata import extract_metadata
from indexer.search import Filters, SearchService
from tests.conftest import build_index
from tests.office_fixtures import LETTER, LETTER_META, odt_bytes


def test_heading_paragraphs_and_table_rows():
    doc = extract_bytes(
        odt_bytes(
            ["Reply about the wombat survey."], table=[["Site", "Count"], ["Heath", "9"]], heading="Survey response"
        ),
        "reply.odt",
    )
    assert doc.kind == "odt"
    assert doc.text.splitlines() == ["Survey response", "Reply about the wombat survey.", "Site\tCount", "Heath\t9"]


def test_odt_letter_gets_its_metadata():
    meta = extract_metadata(extract_bytes(odt_bytes(LETTER), "letter.odt").text)
    assert {k: getattr(meta, k) for k in LETTER_META} == LETTER_META


def test_indexed_odt_is_found(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "reply.odt").write_bytes(odt_bytes(["The numbat register is disclosed."]))
    assert not build_index(folder, tmp_path / "index").failures
    hits = SearchService(tmp_path / "index").search("numbat", Filters(kind="odt")).hits
    assert [h.doc_id for h in hits] == ["docs/reply.odt"]


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: odt_bytes([]), "empty"),
        (lambda: odt_bytes(["words " * 3000])[:1500], "corrupt"),
        (lambda: _encrypted_odt(), "encrypted"),
    ],
)
def test_bad_odt_files_get_their_reason(make, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(make(), "bad.odt")
    assert err.value.reason == reason


def _encrypted_odt() -> bytes:
    """What LibreOffice saves with a password: the manifest lists encryption data per part."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr("content.xml", b"\x8f\x12 encrypted bytes \x00\xff")
        z.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data '
            'manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>',
        )
    return buf.getvalue()
