"""OCR of scanned pages: generated image-only PDFs are extracted, indexed and found by search.

Scans are made here: known text typeset with reportlab, rasterised at 200-300 dpi, turned
by about a degree and speckled (bench/ocr_eval.py has the generator), then saved as PDFs
with no text layer. Tests that need Tesseract skip when it is absent (`make ocr-engine`).
"""

from __future__ import annotations

import io
import json
import re

import pytest

from bench.ocr_eval import SENTENCES, image_pdf, scan, typeset
from indexer.extract import ExtractionError, ExtractOptions, extract_bytes
from indexer.extract import ocr

needs_tesseract = pytest.mark.skipif(
    not ocr.available(), reason="Tesseract is not installed (`make ocr-engine` installs it)"
)

PAGE_ONE = SENTENCES[0:6]
PAGE_TWO = SENTENCES[6:12]
MIXED_TEXT = SENTENCES[12:16]
MIXED_SCAN = SENTENCES[16:22]
STOP = {"this", "that", "with", "from", "have", "been", "were", "there", "would", "which", "your", "must", "does"}


def lines(sentences: list[str], redact: set[str] = frozenset()) -> list[list[tuple[str, bool]]]:
    """Sentences as typeset lines of (word, redacted?) of at most 9 words, a blank line between."""
    out: list[list[tuple[str, bool]]] = []
    for sentence in sentences:
        words = sentence.split()
        for i in range(0, len(words), 9):
            out.append([(w, w.strip(".,;") in redact) for w in words[i : i + 9]])
        out.append([])
    return out


def scanned(sentences: list[str], dpi=300, rotation=1.2, seed=1, font="Times-Roman", redact=frozenset()):
    return scan(typeset(lines(sentences, redact), font, 11), dpi, rotation, noise=0.002, seed=seed)


def words_of(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text) if len(w) >= 2}


def found_share(expected_text: str, got_text: str) -> float:
    expected = words_of(expected_text)
    return len(expected & words_of(got_text)) / len(expected)


def mixed_pdf(text_sentences: list[str], scan_image) -> bytes:
    """Page 1 has a text layer; page 2 is a scan with none."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = A4[1] - 72
    for sentence in text_sentences:
        c.drawString(72, y, sentence)
        y -= 16
    c.showPage()
    c.drawImage(ImageReader(scan_image), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def two_page_scan() -> bytes:
    """Two image-only pages: 300 dpi turned +1.2°, and 200 dpi Helvetica turned -1.4°."""
    return image_pdf([scanned(PAGE_ONE, 300, 1.2, seed=1), scanned(PAGE_TWO, 200, -1.4, seed=2, font="Helvetica")], 300)


@pytest.fixture(scope="module")
def mixed() -> bytes:
    return mixed_pdf(MIXED_TEXT, scanned(MIXED_SCAN, 300, -0.8, seed=3, font="Courier"))


@pytest.fixture(scope="module")
def cached_runs(two_page_scan, tmp_path_factory):
    """The two-page scan extracted twice through one cache, counting calls to the engine."""
    cache = tmp_path_factory.mktemp("ocr-cache")
    calls = []
    real = ocr._recognise

    def counting(image, lang, timeout):
        calls.append(image.size)
        return real(image, lang, timeout)

    options = ExtractOptions(ocr_cache_dir=cache)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ocr, "_recognise", counting)
        first = extract_bytes(two_page_scan, "scan.pdf", options)
        after_first = len(calls)
        second = extract_bytes(two_page_scan, "scan.pdf", options)
        # The same scanned page inside another document is not OCR'd again either.
        reordered = image_pdf([scanned(PAGE_TWO, 200, -1.4, seed=2, font="Helvetica")], 300)
        third = extract_bytes(reordered, "other.pdf", options)
    return {"first": first, "second": second, "third": third, "calls": (after_first, len(calls)), "cache": cache}


# ---------------------------------------------------------------- noise filter (no engine needed)


@pytest.mark.parametrize(
    "token",
    [
        "s40(2)",
        "e-mail",
        "£1,204,377",
        "foi@police.uk",
        "20191213",
        "I",
        "a",
        "Council's",
        "s31(1)(a)",
        "www.gov.uk",
        "(iii)",
        "[REDACTED]",
        "Prevent.",
    ],
)
def test_real_words_are_word_like(token):
    assert ocr.is_word_like(token)


@pytest.mark.parametrize("token", ["|||", "—", "mmm", "MMMM", "Il|", "=—_", ".,", "a—", "|", "~", "___", "EEE", "•••"])
def test_redaction_noise_is_not_word_like(token):
    assert not ocr.is_word_like(token)


def test_words_read_off_black_boxes_or_unsure_are_dropped():
    from PIL import Image, ImageDraw

    image = Image.new("L", (400, 100), 255)
    ImageDraw.Draw(image).rectangle((200, 10, 390, 60), fill=0)
    words = [
        ocr.Word("Prevent", 96, 1, 1, 1, (10, 10, 80, 40)),
        ocr.Word("JJ", 91, 1, 1, 1, (210, 15, 260, 55)),  # confident, but inside the black box
        ocr.Word("vas", 41, 1, 1, 1, (90, 10, 130, 40)),  # unsure
        ocr.Word("data", 93, 1, 1, 2, (10, 60, 60, 90)),
    ]
    result = ocr.result_from_words(words, image)
    assert result.text == "Prevent\ndata"
    assert result.words == 2 and result.dropped == 2
    assert result.confidence == pytest.approx(94.5)


# ---------------------------------------------------------------- extraction


@needs_tesseract
def test_scanned_pages_are_read_with_their_page_numbers(cached_runs):
    doc = cached_runs["first"]
    assert [p.number for p in doc.pages] == [1, 2]
    assert all(p.ocr for p in doc.pages) and doc.ocr
    for page, sentences in zip(doc.pages, (PAGE_ONE, PAGE_TWO)):
        assert found_share(" ".join(sentences), page.text) >= 0.95, page.text
        assert 60 <= page.ocr_confidence <= 100
    assert "Yorkshire" in doc.pages[0].text and "Yorkshire" not in doc.pages[1].text


@needs_tesseract
def test_cache_means_a_page_is_never_ocrd_twice(cached_runs):
    after_first, after_all = cached_runs["calls"]
    assert after_first == 2  # one engine call per page
    assert after_all == 2  # the re-extraction and the other document hit the cache
    assert [p.text for p in cached_runs["second"].pages] == [p.text for p in cached_runs["first"].pages]
    assert cached_runs["third"].pages[0].text == cached_runs["first"].pages[1].text
    assert len(list(cached_runs["cache"].rglob("*.json"))) == 2


@needs_tesseract
def test_cache_key_depends_on_the_language(cached_runs):
    image = scanned(["Freedom of Information"], seed=9)
    assert ocr.cache_key(image, "eng") != ocr.cache_key(image, "eng+cym")
    assert ocr.cache_key(image, "eng") == ocr.cache_key(image.copy(), "eng")


@needs_tesseract
def test_redaction_boxes_leave_no_garbage_tokens():
    hidden = {"Prevent", "junior", "officers", "412", "Sheffield", "Rotherham", "tender", "supplier"}
    sentences = SENTENCES[3:10] + SENTENCES[14:15]
    visible = " ".join(w for s in sentences for w in s.split() if w.strip(".,;") not in hidden)
    pdf = image_pdf([scanned(sentences, 300, 0.9, seed=4, font="Courier", redact=hidden)], 300)
    page = extract_bytes(pdf, "redacted.pdf").pages[0]
    assert page.ocr
    assert found_share(visible, page.text) >= 0.9
    tokens = page.text.split()
    assert all(ocr.is_word_like(t) for t in tokens)
    # Anything not on the page must be a misread of a word that is (a letter off, or cut
    # short), not noise read off a box such as "JJ", "EEE" or "MMM".
    vocabulary = words_of(visible)
    strangers = [w for w in words_of(page.text) if w not in vocabulary]
    assert all(_misread(w, vocabulary) for w in strangers), strangers
    assert not words_of(page.text) & {w.lower() for w in hidden}


def _misread(word: str, vocabulary: set[str]) -> bool:
    return any(_one_edit(word, v) or (len(word) >= 4 and word in v) for v in vocabulary)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@needs_tesseract
def test_pages_scanned_upside_down_or_sideways_are_turned_upright():
    upside_down = scanned(PAGE_ONE, 300, 0.7, seed=12).rotate(180)
    sideways = scanned(PAGE_TWO, 200, -0.6, seed=13, font="Helvetica").rotate(90, expand=True)
    doc = extract_bytes(image_pdf([upside_down, sideways], 300), "turned.pdf")
    assert found_share(" ".join(PAGE_ONE), doc.pages[0].text) >= 0.95
    assert found_share(" ".join(PAGE_TWO), doc.pages[1].text) >= 0.95


@needs_tesseract
def test_mixed_pdf_keeps_the_text_layer_and_ocrs_the_scan(mixed):
    doc = extract_bytes(mixed, "mixed.pdf")
    text_page, scan_page = doc.pages
    assert not text_page.ocr and text_page.ocr_confidence is None
    assert "Wilmslow" in text_page.text
    assert scan_page.ocr
    assert found_share(" ".join(MIXED_SCAN), scan_page.text) >= 0.95
    assert "Wilmslow" not in scan_page.text


# ---------------------------------------------------------------- no engine, no OCR


def test_image_only_pdf_without_an_engine_is_ocr_unavailable(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    pdf = image_pdf([scanned(PAGE_ONE[:2], 200, 0.5, seed=5)], 200)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(pdf, "scan.pdf")
    assert err.value.reason == "ocr_unavailable"
    assert "tesseract" in err.value.detail.lower()


def test_mixed_pdf_without_an_engine_keeps_its_text_layer(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    doc = extract_bytes(mixed_pdf(MIXED_TEXT, scanned(MIXED_SCAN[:1], 200, 0.5, seed=6)), "mixed.pdf")
    assert "Wilmslow" in doc.pages[0].text
    assert doc.pages[1].text == "" and not doc.ocr


def test_no_ocr_switch_gives_ocr_unavailable():
    pdf = image_pdf([scanned(PAGE_ONE[:2], 200, 0.5, seed=5)], 200)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(pdf, "scan.pdf", ExtractOptions(ocr=False))
    assert err.value.reason == "ocr_unavailable"
    assert "--ocr" in err.value.detail


def test_missing_language_data_names_the_package(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "installed_languages", lambda: frozenset({"eng", "osd"}))
    pdf = image_pdf([scanned(PAGE_ONE[:2], 200, 0.5, seed=5)], 200)
    with pytest.raises(ExtractionError) as err:
        extract_bytes(pdf, "scan.pdf", ExtractOptions(ocr_lang="eng+cym"))
    assert err.value.reason == "ocr_unavailable"
    assert "tesseract-ocr-cym" in err.value.detail


def test_a_page_the_engine_fails_on_costs_only_that_page(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "missing_languages", lambda lang: [])

    def fail(page, options):
        raise ExtractionError("timeout", "OCR of a page took over 1 s")

    monkeypatch.setattr(ocr, "ocr_pdf_page", fail)
    doc = extract_bytes(mixed_pdf(MIXED_TEXT, scanned(MIXED_SCAN[:1], 200, 0.5, seed=6)), "mixed.pdf")
    assert "Wilmslow" in doc.pages[0].text
    with pytest.raises(ExtractionError) as err:
        extract_bytes(image_pdf([scanned(PAGE_ONE[:1], 200, 0.5, seed=5)], 200), "scan.pdf")
    assert err.value.reason == "timeout"


def _installed(binding):
    try:
        return binding()
    except Exception as exc:
        pytest.skip(f"{binding.name} is not installed here ({type(exc).__name__}: {exc})")


@pytest.mark.parametrize("binding", ocr._BACKENDS, ids=lambda b: b.name)
def test_each_installed_binding_reads_scans_and_tags_the_cache(binding, monkeypatch, tmp_path):
    engine = _installed(binding)
    monkeypatch.setattr(ocr, "_backend", lambda: engine)
    pdf = image_pdf([scanned(PAGE_TWO, 300, -1.0, seed=11, font="Helvetica")], 300)
    page = extract_bytes(pdf, "scan.pdf", ExtractOptions(ocr_cache_dir=tmp_path)).pages[0]
    assert page.ocr and found_share(" ".join(PAGE_TWO), page.text) >= 0.95
    (entry,) = tmp_path.rglob("*.json")
    assert json.loads(entry.read_text())["engine"] == f"{binding.name} {engine.version}"


@pytest.mark.parametrize("binding", ocr._BACKENDS, ids=lambda b: b.name)
def test_engine_timeout_is_reported_as_timeout(binding, monkeypatch):
    engine = _installed(binding)
    monkeypatch.setattr(ocr, "_backend", lambda: engine)
    with pytest.raises(ExtractionError) as err:
        ocr._recognise(scanned(PAGE_ONE, seed=8), "eng", timeout=0.01)
    assert err.value.reason == "timeout"


# ---------------------------------------------------------------- end to end: index and search


def _page_unique_words(pages: list[list[str]]) -> list[set[str]]:
    """Words of 4+ letters whose index term (stem) is on no other page of the document."""
    from indexer.engines import get_engine

    analyzer = get_engine("whoosh", ".")

    def stem(word: str) -> str:
        return "".join(analyzer.analyze(word))

    sets = [{w.lower() for w in re.findall(r"[A-Za-z]{4,}", " ".join(p))} - STOP for p in pages]
    stems = [{stem(w) for w in s} for s in sets]
    return [
        {w for w in s if stem(w) and not any(stem(w) in o for j, o in enumerate(stems) if j != i)}
        for i, s in enumerate(sets)
    ]


@needs_tesseract
def test_indexed_scans_are_found_by_search_on_the_right_page(tmp_path, two_page_scan, mixed):
    from indexer.pipeline import RunOptions, run_index
    from indexer.search import SearchService

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(two_page_scan)
    (corpus / "mixed.pdf").write_bytes(mixed)
    index_dir = tmp_path / "index"
    cache = index_dir / "ocr-cache"
    options = RunOptions(jobs=2, extract=ExtractOptions(ocr_cache_dir=cache))
    summary = run_index([corpus], index_dir, options)
    assert summary.failures == [] and summary.added == 2

    service = SearchService(index_dir)
    expected = [("corpus/scan.pdf", 1, w) for w in _page_unique_words([PAGE_ONE, PAGE_TWO])[0]]
    expected += [("corpus/scan.pdf", 2, w) for w in _page_unique_words([PAGE_ONE, PAGE_TWO])[1]]
    mixed_words = _page_unique_words([MIXED_TEXT, MIXED_SCAN])
    expected += [("corpus/mixed.pdf", 1, w) for w in mixed_words[0]]
    expected += [("corpus/mixed.pdf", 2, w) for w in mixed_words[1]]
    found, wrong_page = [], []
    for doc_id, page, word in expected:
        hits = [h for h in service.search(word, limit=10).hits if h.doc_id == doc_id]
        if hits:
            found.append(word)
            if hits[0].page != page:
                wrong_page.append((word, doc_id, page, hits[0].page))
    assert len(found) / len(expected) >= 0.95, sorted({w for _, _, w in expected} - set(found))
    assert wrong_page == [], wrong_page
    metadata = service.document("corpus/scan.pdf").metadata
    assert metadata["ocr"] is True
    service.close()

    # A rebuild reads every page from the cache: no entry is written again.
    entries = {p: p.stat().st_mtime_ns for p in cache.rglob("*.json")}
    assert len(entries) == 3  # two scanned pages + the mixed document's scan
    again = run_index([corpus], index_dir, RunOptions(jobs=2, rebuild=True, extract=options.extract))
    assert again.failures == [] and again.added == 2
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*.json")} == entries


def test_index_without_ocr_records_ocr_unavailable_and_goes_on(tmp_path):
    from indexer.pipeline import RunOptions, run_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(image_pdf([scanned(PAGE_ONE[:2], 200, 0.5, seed=5)], 200))
    (corpus / "letter.txt").write_text(" ".join(PAGE_TWO), encoding="utf-8")
    summary = run_index([corpus], tmp_path / "index", RunOptions(jobs=1, extract=ExtractOptions(ocr=False)))
    assert summary.added == 1
    assert [(f.doc_id, f.reason) for f in summary.failures] == [("corpus/scan.pdf", "ocr_unavailable")]
