"""Zip archives (.zip): every member a child document in its own format, archives inside
archives too (up to ExtractOptions.max_depth); the archive's own text is its list of members.

Zip bombs are stopped before inflating: a member declaring more than max_bytes, one whose
compression ratio passes max_ratio, or members that together pass max_unpacked are
recorded as too_large; sizes are checked again while reading, as headers can lie.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.container import budget_for, extract_child, safe_path, unique
from indexer.models import ChildDocument, ExtractedDocument, Page

KIND = "archive"
SUFFIXES = (".zip",)
PAGED = False
DESCRIPTION = "a zip archive"

_CHUNK = 1 << 20
_RATIO_FLOOR = 1024 * 1024  # small members may compress very well (a page of spaces) and are cheap


def match(probe) -> bool:
    # Office and OpenDocument files are zips too; they are matched first (registry order).
    return probe.head.startswith((b"PK\x03\x04", b"PK\x05\x06")) and bool(
        probe.zip_names or probe.head.startswith(b"PK\x05\x06")
    )


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ExtractionError("corrupt", f"not a readable zip ({exc})") from None
    files = [i for i in infos if not i.is_dir()]
    if not files:
        raise ExtractionError("empty", "the archive holds no files")
    listing = [f"Archive of {len(files)} file{'s' if len(files) != 1 else ''}"]
    children: list[ChildDocument] = []
    taken: set[str] = set()
    with archive, budget_for(options) as budget:
        for number, info in enumerate(files, start=1):
            path = unique(safe_path(info.filename, f"member-{number}"), taken)
            listing.append(path)
            if number > options.max_members:
                children.append(
                    ChildDocument(
                        path,
                        info.file_size,
                        "",
                        reason="too_large",
                        detail=f"the archive has over {options.max_members:,} members",
                    )
                )
                continue
            try:
                body = _read(archive, info, options, budget)
            except ExtractionError as exc:
                children.append(ChildDocument(path, info.file_size, "", reason=exc.reason, detail=exc.detail))
                continue
            children.append(extract_child(path, body, options))
    return ExtractedDocument(kind=KIND, pages=[Page(1, "\n".join(listing))], children=children)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, options: ExtractOptions, budget) -> bytes:
    """A member's bytes, refusing bombs by the declared sizes and again by the real ones."""
    if info.flag_bits & 0x1:
        raise ExtractionError("encrypted", "the member is password-protected")
    if info.file_size > options.max_bytes:
        raise ExtractionError("too_large", f"{info.file_size:,} bytes is over the {options.max_bytes:,}-byte limit")
    if info.file_size > _RATIO_FLOOR and info.file_size > options.max_ratio * max(info.compress_size, 1):
        raise ExtractionError(
            "too_large",
            f"compressed {info.file_size // max(info.compress_size, 1):,}:1, over the "
            f"{options.max_ratio}:1 limit (a zip bomb?)",
        )
    budget.take(info.file_size, "the member")
    limit = min(options.max_bytes, info.file_size)
    out = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                out += chunk
                if len(out) > limit:  # the header lied about the size
                    raise ExtractionError("too_large", "the member inflates past its declared size (a zip bomb?)")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtractionError("corrupt", f"the member cannot be unpacked ({exc})") from None
    return bytes(out)
