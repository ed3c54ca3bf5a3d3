"""The boundary of extraction: one error type, its reasons and the limits of one extraction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The small vocabulary of failure reasons recorded per file (DESIGN.md).
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
    "too_deep",  # a member of an archive (of an archive...) past the nesting limit
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
    # Containers (archives, emails): how deep members of members are read, and the limits
    # that stop a zip bomb before it is unpacked.
    max_depth: int = 5
    max_ratio: int = 200  # a member inflating more than this (and over 1 MB) is a bomb
    max_unpacked: int = 1024 * 1024 * 1024  # bytes unpacked from one file, all levels together
    max_members: int = 10_000
    depth: int = 0  # how deep the file being extracted is nested (0: a file on disk)


class NotThisFormat(Exception):
    """Raised by an extractor whose loose content match was wrong: the next format may try."""
