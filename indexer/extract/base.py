"""The boundary of extraction: one error type, its reasons, limits and content sniffing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The small vocabulary of failure reasons recorded per file (DESIGN.md, issue 6).
REASONS = (
    "encrypted",
    "corrupt",
    "timeout",
    "too_large",
    "unsupported",
    "empty",
    "unreadable",
    "ocr_unavailable",
    "bad_sidecar",
    "outside_root",  # a symbolic link leading out of the indexed folders: not followed
)


class ExtractionError(Exception):
    """A file could not be turned into text. `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str = ""):
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ExtractOptions:
    """Limits and switches for one extraction. Defaults are sane for FOI corpora."""

    max_bytes: int = 100 * 1024 * 1024  # bigger files are reported too_large
    max_pages: int = 2000
    max_chars: int = 5_000_000  # longer text is truncated and marked so
    timeout: float = 120.0  # seconds per file (enforced by the worker pool)
    memory_mb: int = 2048  # address-space limit per worker process
    ocr: bool = True
    ocr_lang: str = "eng"
    ocr_cache_dir: Path | None = None


PDF_MAGIC = b"%PDF-"
# Signatures of formats we do not index, so a renamed file is named for what it is.
_OTHER_MAGIC = {
    b"PK\x03\x04": "zip/docx/xlsx",
    b"\xd0\xcf\x11\xe0": "ms-office (ole2)",
    b"\x89PNG": "png image",
    b"\xff\xd8\xff": "jpeg image",
    b"GIF8": "gif image",
    b"II*\x00": "tiff image",
    b"MM\x00*": "tiff image",
    b"\x1f\x8b": "gzip",
    b"Rar!": "rar",
    b"7z\xbc\xaf": "7z",
    b"{\\rtf": "rtf",
}


def sniff(head: bytes) -> str:
    """Kind of a file from its first bytes: 'pdf', 'text', or a description of what else it is."""
    # PDFs may carry junk before the header; readers accept it within the first 1 KiB.
    if PDF_MAGIC in head[:1024]:
        return "pdf"
    for magic, name in _OTHER_MAGIC.items():
        if head.startswith(magic):
            return name
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"
