"""Plain data passed between the pipeline stages (discover -> extract -> metadata -> index -> search).

Nothing here knows about Whoosh, pdfplumber or Click: every stage can be tested with a
string or bytes in and one of these dataclasses out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

# A Q&A pair is pipeline data and part of a search hit: it is defined with the hits, so a
# search loads none of the dataclasses below.
from indexer.results import QAPair  # noqa: F401 - re-exported

OUTCOMES = ("disclosed", "partial", "refused", "not_held", "ncnd", "unknown")


def __getattr__(name: str):
    # The kinds are declared by the extractor modules (indexer.extract.registry); read
    # lazily, as those modules import the dataclasses below.
    if name == "KINDS":
        from indexer.extract.registry import kinds

        return kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Page:
    """One page of extracted text. Plain-text files are a single page 1; a workbook has
    one page per sheet and a slide deck one per slide, named in `name`."""

    number: int  # 1-based
    text: str
    ocr: bool = False
    ocr_confidence: float | None = None
    name: str | None = None  # "Budget (hidden)", "Slide 3"


@dataclass
class ExtractedDocument:
    """What an extractor returns: the text of a file, page by page."""

    kind: str  # one of the registry's kinds: "pdf", "text", "docx", "sheet", ...
    pages: list[Page]
    truncated: bool = False
    encoding: str | None = None
    title: str | None = None  # a title the file declares (an HTML <title>, an email's Subject)
    # Metadata a container format declares: an email's from/to/cc/subject and its Date
    # header as an ISO date ("date"), the response date when the text gives none.
    headers: dict[str, str] = field(default_factory=dict)
    # Members of an archive, attachments of an email: each its own document in the index.
    children: list["ChildDocument"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    @property
    def ocr(self) -> bool:
        return any(p.ocr for p in self.pages)


@dataclass
class ChildDocument:
    """A member of an archive or an attachment of an email, extracted with its container.

    Its doc_id is "<container doc_id>!/<path>"; a child that could not be read carries the
    reason (from extract.base.REASONS) instead of a document, and costs only itself."""

    path: str  # inside the container, '/'-separated, never absolute and never with '..'
    size: int
    sha256: str
    document: ExtractedDocument | None = None
    reason: str | None = None
    detail: str = ""


@dataclass
class FoiMetadata:
    """FOI fields of one response. Unknown values are None, never a guess."""

    title: str | None = None
    authority: str | None = None
    reference: str | None = None
    date: str | None = None  # response date, ISO 8601 (YYYY-MM-DD)
    request_date: str | None = None  # ISO 8601
    request: str | None = None  # the request text
    response: str | None = None  # the response text
    qa: list[QAPair] = field(default_factory=list)
    exemptions: list[str] = field(default_factory=list)  # normalised: s40(2), eir12(4)(b)
    ncnd: bool = False  # "neither confirm nor deny"
    outcome: str = "unknown"

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def date_source(self) -> str | None:
        """Which date filters, the year facet and date sorting use: "response" when the
        response date is known, else "request" when the request date is, else None. Derived,
        so a sidecar that sets either date keeps it right."""
        return "response" if self.date else "request" if self.request_date else None

    @property
    def filter_date(self) -> str | None:
        """The date named by date_source: the response date, else the request date."""
        return self.date or self.request_date

    def to_dict(self) -> dict:
        d = asdict(self)
        d["qa"] = [q.to_dict() for q in self.qa]
        d["date_source"] = self.date_source
        return d


@dataclass
class SourceFile:
    """A file found by discovery.

    Its place is kept as the string the walk read; `path` makes it a Path when first asked.
    A run that finds 50,000 files unchanged asks for none (pathlib's parsing of each name
    was a quarter of such a run's walk)."""

    location: str  # absolute path
    doc_id: str  # "<root folder name>/<relative path>", '/'-separated
    size: int
    mtime: int  # st_mtime_ns

    @cached_property
    def path(self) -> Path:
        return Path(self.location)


@dataclass
class IndexRecord:
    """Everything the index stores about one document: the writer's only input."""

    source: SourceFile
    sha256: str
    fingerprint: str  # sha256 of the document, plus its sidecar's when it has one
    document: ExtractedDocument
    metadata: FoiMetadata
    extra: dict = field(default_factory=dict)  # sidecar fields that are not FoiMetadata fields
    fields: object | None = None  # the engine's fields, prepared in the worker (Engine.prepare): opaque here
    parent: str | None = None  # the container's doc_id for a member of an archive or email
    split: object | None = None  # indexer.boilerplate.Split: substance and boilerplate, made in the worker
    # A container's members and attachments, every level, prepared in the same worker: each
    # an IndexRecord of its own (doc_id "<container>!/<path>") or the Failure it met.
    children: list["IndexRecord | Failure"] = field(default_factory=list)


@dataclass
class Failure:
    """A file that could not be indexed, with a reason from extract.base.REASONS."""

    doc_id: str
    path: str
    reason: str
    detail: str = ""
    size: int | None = None
    mtime: int | None = None  # st_mtime_ns

    def to_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason, "detail": self.detail, "doc_id": self.doc_id}
