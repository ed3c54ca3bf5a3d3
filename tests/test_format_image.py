"""Images (.png/.jpg/.tif/.gif/.bmp): text through the OCR engine and its cache; a multi-page
TIFF is one page per frame. Skipped without Tesseract (`make ocr-engine`)."""

from __future__ import annotations

import pytest

from indexer.extract import ExtractionError, ExtractOptions, extract_bytes, ocr
from indexer.extract.registry import is_paged
from indexer.search import Filters, SearchService
from tests.conftest import build_index
from tests.office_fixtures import image_bytes, scan_image

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed (`make ocr-engine`)")

FIRST = [
    "The council received fourteen complaints about the reservoir fence.",
    "Repairs to the boundary were completed in August.",
]
SECOND = ["Inspection records for the embankment are disclosed with this letter."]


@pytest.fixture(scope="module")
def pages():
    return [scan_image(FIRST, 200, seed=1), scan_image(SECOND, 200, seed=2)]


def words(text: str) -> set[str]:
    return {w.strip(".,").lower() for w in text.split()}


@needs_tesseract
def test_multi_page_tiff_is_one_page_per_frame(pages):
    doc = extract_bytes(image_bytes(pages, "TIFF", 200), "scan.tiff")
    assert doc.kind == "image" and is_paged("image") and len(doc.pages) == 2
    assert all(p.ocr for p in doc.pages)
    assert {"reservoir", "complaints", "august"} <= words(doc.pages[0].text)
    assert {"embankment", "inspection"} <= words(doc.pages[1].text)


@needs_tesseract
@pytest.mark.parametrize("fmt, name", [("PNG", "a.png"), ("JPEG", "a.jpg"), ("GIF", "a.gif"), ("BMP", "a.bmp")])
def test_each_image_format_is_read(pages, fmt, name):
    image = pages[1].convert("RGB") if fmt == "JPEG" else pages[1]
    doc = extract_bytes(image_bytes([image], fmt, 200), name)
    assert doc.kind == "image" and len(doc.pages) == 1
    assert {"embankment", "inspection"} <= words(doc.text)


@needs_tesseract
def test_images_go_through_the_ocr_cache(pages, tmp_path, monkeypatch):
    data = image_bytes([pages[1]], "PNG", 200)
    options = ExtractOptions(ocr_cache_dir=tmp_path)
    first = extract_bytes(data, "a.png", options)
    monkeypatch.setattr(ocr, "_recognise", lambda *a: pytest.fail("OCR ran again despite the cache"))
    assert extract_bytes(data, "copy.png", options).text == first.text


@needs_tesseract
def test_indexed_image_is_found_by_its_words(pages, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "scan.png").write_bytes(image_bytes([pages[0]], "PNG", 200))
    assert not build_index(folder, tmp_path / "index").failures
    hits = SearchService(tmp_path / "index").search("reservoir", Filters(kind="image")).hits
    assert [h.doc_id for h in hits] == ["docs/scan.png"]


def test_ocr_switched_off_or_missing_is_reported(pages, monkeypatch):
    data = image_bytes([pages[1]], "PNG", 200)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data, "a.png", ExtractOptions(ocr=False))
    assert err.value.reason == "ocr_unavailable"
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data, "a.png")
    assert err.value.reason == "ocr_unavailable" and "tesseract" in err.value.detail.lower()


@needs_tesseract
def test_bad_images_get_their_reason(pages):
    from PIL import Image

    blank = Image.new("L", (400, 300), 255)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(image_bytes([blank], "PNG"), "blank.png")
    assert err.value.reason == "empty"
    with pytest.raises(ExtractionError) as err:
        extract_bytes(image_bytes([pages[1]], "PNG")[:400], "cut.png")
    assert err.value.reason == "corrupt"
