"""Rich Text Format (.rtf) responses, through striprtf: the text without control words,
embedded pictures or font tables. Word's "Save as RTF" letters land here, and so do
.doc files that are really RTF (matched by content, not name)."""

from __future__ import annotations

import re

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.models import ExtractedDocument, Page

KIND = "rtf"
SUFFIXES = (".rtf",)
PAGED = False
DESCRIPTION = "an RTF document"
MAGIC = b"{\\rtf"
_CELL = re.compile(r"\\(?:nest)?cell(?![a-zA-Z])")


def match(probe) -> bool:
    return probe.head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(MAGIC)


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit ASCII with escapes for everything else; the \ansicpg code page (cp1252
    # for nearly every UK letter) decodes the \'xx escapes.
    source = data.decode("latin-1")
    # A table cell ends in \cell, which striprtf writes as "|": make it a tab as in every
    # other format's rows (\cellx, a cell's width, is another control word).
    source = _CELL.sub(r"\\tab ", source)
    try:
        text = rtf_to_text(source, encoding=_codepage(source), errors="replace")
    except (ValueError, LookupError, RecursionError) as exc:
        raise ExtractionError("corrupt", f"unreadable RTF ({type(exc).__name__}: {exc})") from None
    return ExtractedDocument(kind=KIND, pages=[Page(1, text)])


def _codepage(source: str) -> str:
    import codecs

    found = re.search(r"\\ansicpg(\d+)", source[:4096])
    name = f"cp{found.group(1)}" if found else "cp1252"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name
