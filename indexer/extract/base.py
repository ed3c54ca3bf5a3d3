"""The boundary of extraction: one error type, its reasons and the limits of one extraction."""
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


class NotThisFormat(Exception):
    """Raised by an extractor whose loose content match was wrong: the next format may try."""
