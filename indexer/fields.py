"""The document fields, written once: what every engine stores, what a hit and `foi show` carry.

Engines build their schemas to hold these values, results.py builds hits and document views
from them, and output.py prints them. `document_values` turns an IndexRecord into these
values (plus the few derived ones engines index for filters), knowing nothing of any engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.models import IndexRecord

# indexer.metadata and indexer.boilerplate are imported where they are used: they compile
# hundreds of patterns, which a one-shot search (that needs only the names above) never uses.


@dataclass(frozen=True)
class Field:
    """One metadata field and where it is shown."""

    name: str
    hit: bool = False  # carried by every search hit (JSON Lines, CSV, the TUI list)
    shown: bool = False  # printed as a `key: value` line by `foi show`


# The metadata of one document, in the order `foi show --json` prints it. Unknown is None.
FIELDS: tuple[Field, ...] = (
    Field("doc_id", hit=True, shown=True),
    Field("path", hit=True, shown=True),
    Field("parent", hit=True, shown=True),  # the container's doc_id for an archive member
    Field("sha256"),
    Field("kind", hit=True, shown=True),
    Field("pages", shown=True),
    Field("title", hit=True),
    Field("authority", hit=True, shown=True),
    Field("reference", hit=True, shown=True),
    Field("date", hit=True, shown=True),  # the response date
    Field("request_date", hit=True, shown=True),
    Field("date_source", hit=True),  # "response", "request" or None: which date filters use
    Field("year"),
    Field("exemptions", hit=True),
    Field("ncnd"),
    Field("outcome", hit=True, shown=True),
    Field("request"),
    Field("response"),
    Field("ocr"),
    Field("ocr_confidence"),
    Field("ocr_pages"),
    Field("truncated"),
    Field("indexed_at"),
    Field("extra"),
)
METADATA_FIELDS = tuple(f.name for f in FIELDS)
HIT_FIELDS = tuple(f.name for f in FIELDS if f.hit)
SHOWN_FIELDS = tuple(f.name for f in FIELDS if f.shown)

# Besides the metadata, a stored document holds its text page by page and its Q&A pairs:
# snippets, highlights and `foi show` are made from these, the same way on every engine.
# `page_boilerplate` holds, per page, the [start, end) spans of boilerplate (indexer.boilerplate):
# snippets prefer the passages outside them, `similar` reads only the rest.
TEXT_FIELDS = ("page_texts", "qa_pairs", "page_ocr", "page_boilerplate")

# Fields a user may name in a query (`field:value`); friendly aliases map onto them.
QUERY_FIELDS = frozenset(
    {
        "title",
        "content",
        "request",
        "qa",
        "reference",
        "authority",
        "date",
        "request_date",
        "year",
        "exemption",
        "outcome",
        "kind",
        "ncnd",
        "ocr",
        "doc_id",
        "pages",
        "parent",
        "boilerplate",
    }
)
FIELD_ALIASES = {"exemptions": "exemption", "ref": "reference", "text": "content", "body": "content"}
# Searched by a plain word, with query-time boosts (BM25F-style): a title or Q&A match says
# more about what a response is about than a word somewhere in the body.
# `content` holds a response's substance; its standard passages (complaint rights, what the
# Act says, copyright notices) are in `boilerplate`, searched only for documents the
# substance does not match, and then far below (indexer.search).
DEFAULT_FIELDS = {"title": 3.0, "qa": 2.0, "content": 1.0}
BOILERPLATE_FIELD = "boilerplate"
BOILERPLATE_BOOST = 0.1
FACETS = ("authority", "year", "exemptions", "outcome")
# Kinds whose pages are real pages (PDF pages, image frames, sheets, slides): a hit names its
# page. Each format module declares it as PAGED (indexer.extract.registry, which tests that
# the two agree); it is written here too so that a search imports no extractor to know it.
PAGED_KINDS = frozenset({"pdf", "image", "sheet", "slides"})


def exemption_keys(exemptions: list[str]) -> list[str]:
    """Each exemption and its parents, so a filter on `s40` finds `s40(2)` and `s40(3A)(a)`
    (linear in the number of exemptions: a sidecar may list 100,000)."""
    from indexer.metadata import exemption_keys as metadata_exemption_keys

    return metadata_exemption_keys(exemptions)


def _mean_confidence(doc) -> float | None:
    """Mean OCR confidence (0-100) over the OCR'd pages, when the engine gave one."""
    values = [p.ocr_confidence for p in doc.pages if p.ocr and p.ocr_confidence is not None]
    return round(sum(values) / len(values), 1) if values else None


def date_source(date: str | None, request_date: str | None) -> str | None:
    return "response" if date else "request" if request_date else None


def document_values(record: IndexRecord, indexed_at: str) -> dict:
    """Everything an engine stores and indexes for one record, engine-neutral.

    The metadata fields above, the text (`content`, `page_texts`, `qa`, `qa_pairs`), the
    incremental-run manifest (`fingerprint`, `size`, `mtime`) and derived filter values:
    `sort_date` (the response date, else the request date: what date filters, the year facet
    and date sorting use), `exemption_keys` and `authority_key`."""
    from indexer.boilerplate import split_pages

    meta, doc, src = record.metadata, record.document, record.source
    split = record.split or split_pages([p.text for p in doc.pages])
    sort_date = meta.date or meta.request_date
    return {
        "doc_id": src.doc_id,
        "path": str(src.path),
        "parent": record.parent,
        "sha256": record.sha256,
        "fingerprint": record.fingerprint,
        "size": src.size,
        "mtime": src.mtime,
        "kind": doc.kind,
        "pages": len(doc.pages),
        "indexed_at": indexed_at,
        "title": meta.title or None,
        "authority": meta.authority or None,
        "authority_key": meta.authority.lower() if meta.authority else None,
        "reference": meta.reference or None,
        "date": meta.date or None,
        "request_date": meta.request_date or None,
        "date_source": date_source(meta.date, meta.request_date),
        "sort_date": sort_date or None,
        "year": int(sort_date[:4]) if sort_date else None,
        "exemptions": list(meta.exemptions),
        "exemption_keys": exemption_keys(meta.exemptions),
        "ncnd": bool(meta.ncnd),
        "outcome": meta.outcome or "unknown",
        "request": meta.request or None,
        "response": meta.response or None,
        "ocr": doc.ocr,
        "ocr_confidence": _mean_confidence(doc),
        "truncated": doc.truncated,
        "content": split.substance,
        "boilerplate": split.boilerplate or None,
        "page_texts": [p.text for p in doc.pages],
        "page_boilerplate": split.spans if any(split.spans) else None,
        "page_ocr": [p.ocr for p in doc.pages] if doc.ocr else None,
        "qa": "\n\n".join(f"{q.question}\n{q.answer}" for q in meta.qa) or None,
        "qa_pairs": [q.to_dict() for q in meta.qa],
        "extra": record.extra or None,
    }


def metadata_of(stored: dict) -> dict:
    """The metadata fields of a stored document (as an engine returns it), in FIELDS order."""
    out = {name: stored.get(name) for name in METADATA_FIELDS}
    out["exemptions"] = list(stored.get("exemptions") or [])
    out["ncnd"] = bool(stored.get("ncnd"))
    out["ocr"] = bool(stored.get("ocr"))
    out["truncated"] = bool(stored.get("truncated"))
    out["outcome"] = stored.get("outcome") or "unknown"
    out["ocr_pages"] = [i + 1 for i, flag in enumerate(stored.get("page_ocr") or []) if flag]
    if out["date_source"] is None:
        out["date_source"] = date_source(out["date"], out["request_date"])
    return out


def substance_text(stored: dict) -> str:
    """A stored document's text without its boilerplate (what `similar` compares)."""
    from indexer.boilerplate import substance_of

    return substance_of(stored.get("page_texts") or [], stored.get("page_boilerplate"))
