"""Extraction: a file's bytes to an ExtractedDocument, by an extractor chosen from its content."""
from __future__ import annotations

from pathlib import Path

from indexer.extract.base import ExtractionError, ExtractOptions, sniff
from indexer.models import ExtractedDocument

__all__ = ["ExtractionError", "ExtractOptions", "extract_file", "extract_bytes"]


def extract_bytes(data: bytes, name: str = "", options: ExtractOptions = ExtractOptions()) -> ExtractedDocument:
    """Choose the extractor by content (magic bytes), not by the file's extension."""
    if not data:
        raise ExtractionError("empty", "zero-byte file")
    kind = sniff(data[:2048])
    if kind == "pdf":
        from indexer.extract.pdf import extract_pdf

        return extract_pdf(data, options)
    if kind == "text":
        if name.lower().endswith(".pdf"):
            raise ExtractionError("corrupt", "named .pdf but has no PDF header")
        from indexer.extract.text import extract_text

        return extract_text(data, options)
    raise ExtractionError("unsupported", f"{kind} content, not PDF or text")


def extract_file(path: Path, options: ExtractOptions = ExtractOptions()) -> tuple[ExtractedDocument, str]:
    """Read and extract one file; returns the document and the sha256 of its bytes."""
    import hashlib

    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            raise ExtractionError("too_large", f"{size:,} bytes is over the {options.max_bytes:,}-byte limit")
        data = path.read_bytes()
    except ExtractionError:
        raise
    except OSError as exc:
        raise ExtractionError("unreadable", exc.strerror or str(exc)) from None
    return extract_bytes(data, path.name, options), hashlib.sha256(data).hexdigest()
