"""PowerPoint 2007+ (.pptx) decks, through python-pptx: one page per slide, its text frames,
tables as rows and grouped shapes, then its speaker notes (marked "Notes:")."""

from __future__ import annotations

import io
import zipfile

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.office import table_lines
from indexer.models import ExtractedDocument, Page

KIND = "slides"
SUFFIXES = (".pptx", ".pptm", ".ppsx", ".potx")
PAGED = True
DESCRIPTION = "a PowerPoint presentation"


def match(probe) -> bool:
    return "ppt/presentation.xml" in probe.zip_names


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
        slides = list(deck.slides)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ExtractionError("corrupt", f"not a readable presentation ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # lxml errors from damaged parts
        raise ExtractionError("corrupt", f"not a readable presentation ({type(exc).__name__}: {exc})") from None
    pages = []
    for number, slide in enumerate(slides[: options.max_pages], start=1):
        lines = [f"Slide {number}"]
        for shape in slide.shapes:
            lines += _shape_lines(shape)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                lines.append("Notes: " + notes.text.strip())
        pages.append(Page(number, "\n".join(lines), name=f"Slide {number}"))
    return ExtractedDocument(kind=KIND, pages=pages, truncated=len(slides) > options.max_pages)


def _shape_lines(shape) -> list[str]:
    lines: list[str] = []
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines += [p.text for p in shape.text_frame.paragraphs if p.text.strip()]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in shape.table.rows]
        lines += table_lines(rows)
    for child in getattr(shape, "shapes", ()):  # a group
        lines += _shape_lines(child)
    return lines
