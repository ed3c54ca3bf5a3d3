"""The extractor registry: which formats foi reads, and the manager that picks one for a file.

Each format is one module of this package declaring
  KIND           the kind stored in the index and offered by `--kind` ("docx", "sheet", ...)
  SUFFIXES       the file names discovery picks up (".docx", ...)
  TEXT_SUFFIXES  those of SUFFIXES whose files are plain text, which content cannot tell
                 apart from any other text (".csv", ".html"): the name decides for them
  PAGED          whether its pages are real pages (PDF pages, sheets, slides, image frames)
  DESCRIPTION    a few words for messages ("a Word document")
  match(probe)   whether the content is this format (magic bytes or package structure)
  extract(data, options, name) -> ExtractedDocument
The manager asks the formats in FORMATS order whether the content is theirs, so a renamed
file is read for what it is; the name is only consulted for plain-text content. Importing
this module imports no parsing library: each extractor imports its own when called.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import import_module
from types import ModuleType
from typing import Callable, Iterator

from indexer.extract.base import ExtractionError, ExtractOptions, NotThisFormat
from indexer.fields import PAGED_KINDS
from indexer.models import ExtractedDocument

# Content is asked in this order: specific structures before the loose matches, plain
# text (which takes anything) last.
_MODULES = (
    "pdf",
    "word",
    "word97",
    "odt",
    "slides",
    "sheet",
    "mail",
    "archive",
    "rtf",
    "image",
    "webpage",
    "text",
)

# Each module's SUFFIXES, known without importing it: a walk asks for every suffix, and
# importing the twelve modules (with what they import) cost more than the rest of a
# no-change run's imports. tests/test_registry.py checks each against its module.
_SUFFIXES = {
    "pdf": (".pdf",),
    "word": (".docx", ".docm", ".dotx", ".dotm"),
    "word97": (".doc", ".dot"),
    "odt": (".odt", ".ott"),
    "slides": (".pptx", ".pptm", ".ppsx", ".potx"),
    "sheet": (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv"),
    "mail": (".eml", ".msg"),
    "archive": (".zip",),
    "rtf": (".rtf",),
    "image": (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp"),
    "webpage": (".html", ".htm", ".xhtml"),
    "text": (".txt", ".md"),
}

# Formats that can only be the content when it starts a zip package (their matchers read
# Probe.zip_names or odf_mimetype, empty otherwise), an OLE2 file (Probe.ole_streams) or
# holds the PDF signature: their modules are imported only for such content, so a text file
# loads none of them (the PDF module's table finder brings ctypes, Word 97's subprocess).
# tests/test_registry.py checks that no matcher accepts content its gate turns away.
_ZIP_MAGIC = b"PK"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF-"  # pdf.MAGIC, looked for where pdf.match does


def _zip(head: bytes) -> bool:
    return head.startswith(_ZIP_MAGIC)


def _ole(head: bytes) -> bool:
    return head.startswith(_OLE_MAGIC)


_GATES: dict[str, Callable[[bytes], bool]] = {
    "pdf": lambda head: _PDF_MAGIC in head[:1024],
    "word": _zip,
    "word97": _ole,
    "odt": _zip,
    "slides": _zip,
    "sheet": lambda head: _zip(head) or _ole(head),
    "archive": _zip,
}

# Signatures of formats foi does not read, so a refusal names what the file is.
_UNREAD_MAGIC = {
    b"\x1f\x8b": "gzip data",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"PK\x03\x04": "a zip archive",
    b"PK\x05\x06": "an empty zip archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "a Microsoft Office 97-2003 file of a kind foi does not read "
    "(PowerPoint .ppt, Visio, Publisher: save it as .pptx or PDF)",
}
_HEAD = 8192


@dataclass(frozen=True)
class Format:
    """One format as the registry knows it (read from its module's declarations)."""

    kind: str
    suffixes: tuple[str, ...]
    text_suffixes: tuple[str, ...]
    paged: bool
    description: str
    match: Callable[["Probe"], bool]
    extract: Callable[[bytes, ExtractOptions, str], ExtractedDocument]


class Probe:
    """What the formats' matchers look at: the first bytes, the name's suffix, and (computed
    once, on demand) the member names of a zip package or the streams of an OLE2 file."""

    def __init__(self, data: bytes, name: str = ""):
        self.data = data
        self.head = data[:_HEAD]
        self.name = name
        self.suffix = os.path.splitext(name.lower())[1]

    @cached_property
    def zip_names(self) -> frozenset[str]:
        """Member names when the data is a readable zip (docx, xlsx, odt, ...), else empty."""
        if not self.head.startswith(b"PK"):
            return frozenset()
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                return frozenset(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return frozenset()

    @cached_property
    def odf_mimetype(self) -> str:
        """The `mimetype` member of an OpenDocument package ("application/vnd.oasis...")."""
        if "mimetype" not in self.zip_names:
            return ""
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                return z.read("mimetype")[:100].decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError):
            return ""

    @cached_property
    def ole_streams(self) -> frozenset[str]:
        """Stream names ('WordDocument', 'Workbook', ...) of an OLE2 compound file, else empty."""
        if not self.head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return frozenset()
        import olefile

        try:
            with olefile.OleFileIO(self.data) as ole:
                return frozenset("/".join(entry) for entry in ole.listdir(streams=True, storages=False))
        except Exception:  # olefile raises many types on damaged files
            return frozenset()


def _format(module: ModuleType) -> Format:
    return Format(
        kind=module.KIND,
        suffixes=tuple(module.SUFFIXES),
        text_suffixes=tuple(getattr(module, "TEXT_SUFFIXES", ())),
        paged=bool(module.PAGED),
        description=module.DESCRIPTION,
        match=module.match,
        extract=module.extract,
    )


@lru_cache(maxsize=1)
def formats() -> tuple[Format, ...]:
    """Every registered format, in the order content is matched."""
    return tuple(format_of(name) for name in _MODULES)


@lru_cache(maxsize=None)
def format_of(name: str) -> Format:
    """The format of one module of this package (imported now if it was not)."""
    return _format(import_module(f"indexer.extract.{name}"))


def _asked(head: bytes) -> Iterator[Format]:
    """The formats whose content `head` may be, in FORMATS order (see _GATES)."""
    for name in _MODULES:
        gate = _GATES.get(name)
        if gate is None or gate(head):
            yield format_of(name)


def kinds() -> tuple[str, ...]:
    """The kinds, each once, in registry order: `--kind` choices, models.KINDS."""
    seen: dict[str, None] = {}
    for fmt in formats():
        seen.setdefault(fmt.kind, None)
    return tuple(seen)


@lru_cache(maxsize=1)
def suffixes() -> tuple[str, ...]:
    """Every file suffix discovery picks up, in registry order (no format module imported)."""
    return tuple(s for name in _MODULES for s in _SUFFIXES[name])


def is_paged(kind: str | None) -> bool:
    """Whether documents of this kind have real pages (page numbers are worth showing): the
    formats' PAGED, as indexer.fields lists them so that a search loads no format module."""
    return kind in PAGED_KINDS


def for_suffix(suffix: str) -> Format | None:
    suffix = suffix.lower()
    name = next((name for name in _MODULES if suffix in _SUFFIXES[name]), None)
    return format_of(name) if name is not None else None


def _encrypted_ooxml(probe: Probe) -> bool:
    # A password-protected .docx/.xlsx/.pptx is not a zip but an OLE2 file holding the
    # encrypted package (ECMA-376 encryption).
    return "EncryptedPackage" in probe.ole_streams


def candidates(data: bytes, name: str = "") -> list[Format]:
    """The formats to try for this file, best first. Raises ExtractionError when none fits."""
    probe = Probe(data, name)
    if _encrypted_ooxml(probe):
        raise ExtractionError("encrypted", "a password-protected Office document")
    matched = [fmt for fmt in _asked(probe.head) if fmt.match(probe)]
    text_only = not matched or matched[0].kind == "text"
    named = for_suffix(probe.suffix)
    if text_only:
        if named is not None and named.kind != "text":
            if probe.suffix in named.text_suffixes:
                return [named]
            # A damaged .docx is a broken zip: it is reported as the damaged Word file it is
            # named as, not as some zip foi does not read.
            raise ExtractionError(
                "corrupt", f"named {probe.suffix} but is not {named.description} (damaged, or another format renamed)"
            )
        for magic, what in _UNREAD_MAGIC.items():
            if data.startswith(magic):
                raise ExtractionError("unsupported", f"{what}, not a format foi reads")
    return matched


def extract_bytes(data: bytes, name: str = "", options: ExtractOptions = ExtractOptions()) -> ExtractedDocument:
    """A file's bytes to an ExtractedDocument, by the format its content shows."""
    if not data:
        raise ExtractionError("empty", "zero-byte file")
    tried = candidates(data, name)
    for fmt in tried:
        try:
            document = fmt.extract(data, options, name)
        except NotThisFormat:
            continue
        document.kind = fmt.kind
        return finish(document, options, fmt)
    raise ExtractionError("unsupported", "no extractor could read it")


def finish(document: ExtractedDocument, options: ExtractOptions, fmt: Format) -> ExtractedDocument:
    """What every format's text goes through: safe characters, the length limit, not empty."""
    from indexer.extract.text import normalise_text

    total = 0
    pages = []
    for page in document.pages:
        page.text = normalise_text(page.text)
        if total + len(page.text) > options.max_chars:
            page.text = page.text[: max(0, options.max_chars - total)]
            pages.append(page)
            document.truncated = True
            break
        total += len(page.text)
        pages.append(page)
    document.pages = pages
    if document.title:
        document.title = " ".join(normalise_text(document.title).split())[:500] or None
    if not any(p.text.strip() for p in document.pages):
        raise ExtractionError("empty", f"{fmt.description} with no text")
    return document
