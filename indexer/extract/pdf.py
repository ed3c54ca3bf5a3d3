"""PDF responses: text per page (pypdfium2, fast), tables as rows, OCR for scans.

pypdfium2 extracts text 60-70x faster than pdfplumber and keeps content-stream order, which
is the reading order of two-column layouts. A page whose ruled lines cut a table (found
from pdfium's path objects, see pdf_tables) has its tables out as rows ("cell | cell |
cell") by pdfplumber's table finder, fed with pdfium's lines and characters.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from indexer.extract import pdf_tables
from indexer.extract.base import ExtractionError, ExtractOptions, NotThisFormat
from indexer.extract.text import normalise_text
from indexer.models import ExtractedDocument, Page

KIND = "pdf"
SUFFIXES = (".pdf",)
PAGED = True
DESCRIPTION = "a PDF"
MAGIC = b"%PDF-"

# Fewer characters than this on a page means "no text layer": a scan, a photo, a fax.
MIN_TEXT_CHARS = 20

log = logging.getLogger(__name__)


def match(probe) -> bool:
    # Readers accept junk before the header within the first 1 KiB (an HTTP header, a BOM).
    return MAGIC in probe.head[:1024]


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    try:
        return extract_pdf(data, options)
    except ExtractionError as exc:
        # "%PDF-" a little way into a .txt file is more likely a letter quoting it than a
        # PDF behind junk: such a file that is no PDF is read as the text it is.
        if exc.reason == "corrupt" and not data.startswith(MAGIC) and not name.lower().endswith(".pdf"):
            raise NotThisFormat() from None
        raise


def extract_pdf(data: bytes, options: ExtractOptions = ExtractOptions()) -> ExtractedDocument:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not data:
        raise ExtractionError("empty", "zero-byte PDF")
    try:
        pdf = pdfium.PdfDocument(data)  # an empty user password is tried implicitly
    except pdfium.PdfiumError as exc:
        # pdfium's last-error code is per process and is not reset by every failure: a
        # worker that has just met a locked PDF reports "password" for the next broken
        # one too. Only a file with an /Encrypt dictionary can need a password.
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in data:
            raise ExtractionError("encrypted", "the PDF needs a password to open") from None
        raise ExtractionError("corrupt", f"pdfium cannot open it ({exc})") from None
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError("corrupt", "the PDF has no pages")
        pages: list[Page] = []
        needs_ocr: list[int] = []
        total = 0
        unreadable = 0
        truncated = count > options.max_pages
        for index in range(min(count, options.max_pages)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:  # one damaged page costs that page, not the document
                unreadable += 1
                pages.append(Page(index + 1, ""))
                continue
            try:
                textpage = page.get_textpage()
                try:
                    text = _table_page_text_or_none(page, textpage, index, pdfium_c)
                    if text is None:
                        text = textpage.get_text_range()
                finally:
                    textpage.close()
                room = options.max_chars - total
                cut = len(text) > room  # cut before cleaning, which is linear but not free
                text = normalise_text(text[:room] if cut else text)
                if len(text.strip()) < MIN_TEXT_CHARS and _has_images(page, pdfium_c):
                    needs_ocr.append(index)
            finally:
                page.close()
            if cut or total + len(text) > options.max_chars:
                pages.append(Page(index + 1, text[: options.max_chars - total]))
                truncated = True
                break
            pages.append(Page(index + 1, text))
            total += len(text)
        if needs_ocr and options.ocr:
            _ocr_into(pdf, pages, needs_ocr, options)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfium/pdfminer raise many types on damaged files
        raise ExtractionError("corrupt", f"{type(exc).__name__}: {exc}") from None
    finally:
        pdf.close()
    if not any(p.text.strip() for p in pages):
        if unreadable == len(pages):
            raise ExtractionError("corrupt", "no page of the PDF can be read")
        if needs_ocr and not options.ocr:
            raise ExtractionError("ocr_unavailable", "image-only PDF and OCR is switched off (--ocr turns it on)")
        raise ExtractionError("empty", "the PDF has no extractable text")
    return ExtractedDocument(kind="pdf", pages=pages, truncated=truncated)


def _ocr_into(pdf, pages: list[Page], indexes: list[int], options: ExtractOptions) -> None:
    """Replace the text of image-only pages by OCR, when an engine is installed.

    Without an engine (or its language data) a document that also has a text layer is
    indexed by that; an image-only one fails with ocr_unavailable and a hint. A page the
    engine fails on is left as it was, unless no page has any text left: then its error
    (timeout, corrupt) is the document's.
    """
    from indexer.extract import ocr

    hint = ocr.UNAVAILABLE_HINT if not ocr.available() else None
    missing = ocr.missing_languages(options.ocr_lang) if hint is None else []
    if missing:
        hint = ocr.language_hint(missing)
    if hint is not None:
        if not any(p.text.strip() for p in pages):
            raise ExtractionError("ocr_unavailable", hint)
        log.info("not OCR-ing %d image-only page(s): %s", len(indexes), hint)
        return
    failure: ExtractionError | None = None
    # The worker pool stops a file after options.timeout; each page gets what is left of it,
    # so no Tesseract process started by a killed worker runs on for long.
    deadline = time.monotonic() + options.timeout
    for index in indexes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failure = failure or ExtractionError("timeout", f"OCR took over {options.timeout:g} s")
            break
        page = pdf[index]
        try:
            result = ocr.ocr_pdf_page(page, replace(options, timeout=remaining))
        except ExtractionError as exc:
            failure = failure or exc
            log.info("OCR of page %d failed: %s", index + 1, exc)
            continue
        finally:
            page.close()
        text = result.text if result.text.strip() else pages[index].text
        pages[index] = Page(index + 1, text, ocr=True, ocr_confidence=result.confidence)
    if failure is not None and not any(p.text.strip() for p in pages):
        raise failure


def _count_objects(page, kind) -> int:
    return sum(1 for _ in page.get_objects(filter=[kind], max_depth=2))


def _has_images(page, pdfium_c) -> bool:
    return _count_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE) > 0


def _table_page_text_or_none(page, textpage, index: int, pdfium_c) -> str | None:
    """The page's text with its ruled tables as rows; None (pdfium's plain text then) when
    it holds no table, or when reading its tables fails: a geometry this code did not
    foresee must cost the table layout of one page, not the document."""
    try:
        return pdf_tables.table_page_text(page, textpage, pdfium_c)
    except Exception as exc:
        log.debug("tables of page %d not read: %s", index + 1, exc)
        return None
