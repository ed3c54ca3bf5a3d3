"""Images (.png/.jpg/.tif multi-page/.gif/.bmp): scanned letters and photographed pages, read
by the OCR engine and cache of indexer.extract.ocr, one page per frame of a TIFF."""

from __future__ import annotations

import io
import time
from dataclasses import replace

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.models import ExtractedDocument, Page

KIND = "image"
SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp")
PAGED = True
DESCRIPTION = "an image"

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
# A GIF's further frames are an animation, not pages: only TIFF frames are pages.
_MULTI_PAGE = ("TIFF",)


def match(probe) -> bool:
    if probe.head.startswith(b"BM"):  # "BM" also starts plenty of text: check the header size
        return len(probe.head) > 26 and probe.head[14] in (12, 40, 52, 56, 64, 108, 124)
    return probe.head.startswith(_MAGIC)


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from indexer.extract import ocr

    if not options.ocr:
        raise ExtractionError("ocr_unavailable", "an image has text only through OCR, and OCR is switched off")
    if not ocr.available():
        raise ExtractionError(
            "ocr_unavailable",
            ocr.UNAVAILABLE_HINT.replace("the PDF is scanned (no text layer)", "an image has text only through OCR"),
        )
    missing = ocr.missing_languages(options.ocr_lang)
    if missing:
        raise ExtractionError("ocr_unavailable", ocr.language_hint(missing))
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise ExtractionError("too_large", str(exc)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ExtractionError("corrupt", f"not a readable image ({type(exc).__name__}: {exc})") from None
    frames = ImageSequence.Iterator(image) if image.format in _MULTI_PAGE else [image]
    pages: list[Page] = []
    deadline = time.monotonic() + options.timeout
    truncated = False
    failure: ExtractionError | None = None
    try:
        for number, frame in enumerate(frames, start=1):
            if number > options.max_pages:
                truncated = True
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExtractionError("timeout", f"OCR took over {options.timeout:g} s")
            try:
                result = ocr.ocr_image(_prepared(frame), replace(options, timeout=remaining))
            except ExtractionError as exc:  # one bad frame costs that frame
                failure = failure or exc
                pages.append(Page(number, "", ocr=True))
                continue
            pages.append(Page(number, result.text, ocr=True, ocr_confidence=result.confidence))
    except Image.DecompressionBombError as exc:
        raise ExtractionError("too_large", str(exc)) from None
    except (OSError, ValueError, EOFError) as exc:  # a truncated frame after good ones
        if not pages:
            raise ExtractionError("corrupt", f"not a readable image ({type(exc).__name__}: {exc})") from None
        truncated = True
    if failure is not None and not any(p.text.strip() for p in pages):
        raise failure
    if not any(p.text.strip() for p in pages):
        raise ExtractionError("empty", "OCR found no text in the image")
    return ExtractedDocument(kind=KIND, pages=pages, truncated=truncated)


def _prepared(frame):
    """A grayscale copy no bigger than OCR reads well, carrying its resolution when known."""
    from indexer.extract.ocr import MAX_SIDE_PX

    from PIL import Image

    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        # Transparent pixels often hold black: text drawn on them would vanish.
        rgba = frame.convert("RGBA")
        image = Image.new("RGBA", rgba.size, "white")
        image.alpha_composite(rgba)
        image = image.convert("L")
    else:
        image = frame.convert("L")
    dpi = frame.info.get("dpi")
    longest = max(image.size)
    if longest > MAX_SIDE_PX:
        scale = MAX_SIDE_PX / longest
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
        dpi = (dpi[0] * scale, dpi[1] * scale) if dpi else None
    if dpi and 100 <= dpi[0] <= 1200:  # 72, 96 or 1 is what many tools write when they do not know
        image.info["dpi"] = (round(dpi[0]), round(dpi[1] or dpi[0]))
    else:
        image.info.pop("dpi", None)
    return image
