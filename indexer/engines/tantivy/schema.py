"""The tantivy schema, and a record turned into the values a tantivy document takes.

Text fields hold the terms of the shared analysis (engines/analysis.py) joined by spaces
and indexed with tantivy's whitespace tokenizer: positions come out consecutive after stop
words, as in Whoosh, so phrases, stems and scores agree with the Whoosh engine. Everything
a hit or `foi show` needs is one stored JSON blob (`stored`), read once per hit.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import tantivy

from indexer.engines.analysis import name_terms, text_terms
from indexer.fields import document_values
from indexer.models import IndexRecord

SCHEMA_VERSION = 2
ANALYSED_TEXT = ("title", "qa", "content", "boilerplate", "request")  # shared TEXT analysis
ANALYSED_NAMES = ("authority_text", "reference_text")  # lower-cased words, unstemmed
KEYWORDS = ("doc_id", "parent", "kind", "outcome", "authority_key", "exemption")
FACET_FIELDS = ("authority", "year", "exemptions", "outcome", "kind")
INTEGERS = ("pages", "date", "request_date", "date_asc", "date_desc")
UNDATED_ASC, UNDATED_DESC = 99_999_999, 0  # sort undated documents last either way
STORED_KEYS = (
    "doc_id",
    "path",
    "parent",
    "sha256",
    "kind",
    "pages",
    "title",
    "authority",
    "reference",
    "date",
    "request_date",
    "date_source",
    "year",
    "exemptions",
    "ncnd",
    "outcome",
    "request",
    "response",
    "ocr",
    "ocr_confidence",
    "truncated",
    "extra",
    "page_texts",
    "page_ocr",
    "qa_pairs",
    "page_boilerplate",
)


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in ANALYSED_TEXT + ANALYSED_NAMES:
        b.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in KEYWORDS:  # exact values, for filters and replace-by-doc_id
        b.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FACET_FIELDS:  # columns for counting; `exemptions` holds the codes as cited
        b.add_text_field(f"facet_{name}", fast=True, tokenizer_name="raw", index_option="basic")
    # doc_id, path, size, mtime and fingerprint in one column: the manifest of an incremental
    # run is one terms aggregation instead of reading every stored document
    b.add_text_field("manifest", fast=True, tokenizer_name="raw", index_option="basic")
    for name in INTEGERS:  # days as YYYYMMDD; `date` is the response date, else the request date
        b.add_integer_field(name, indexed=True, fast=True)
    b.add_boolean_field("ncnd", indexed=True)
    b.add_boolean_field("ocr", indexed=True)
    b.add_bytes_field("stored", stored=True)
    return b.build()


def _day(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value[:10]).strftime("%Y%m%d"))
    except ValueError:
        return None


def manifest_key(doc_id: str, path: str, size: int, mtime: int, fingerprint: str) -> str:
    return "\t".join((doc_id, path, str(size), str(mtime), fingerprint))


def prepared_values(record: IndexRecord, indexed_at: str = "") -> dict:
    """Worker side: what the writer adds, with the text already analysed (the costly part)."""
    v = document_values(record, indexed_at)
    text = {name: " ".join(text_terms(v[name])) for name in ANALYSED_TEXT if v.get(name)}
    names = {f"{name}_text": " ".join(name_terms(v[name])) for name in ("authority", "reference") if v.get(name)}
    date = _day(v["sort_date"])
    return {
        "text": {**text, **names},
        "keywords": {
            "doc_id": [v["doc_id"]],
            "parent": [v["parent"]] if v["parent"] else [],
            "kind": [v["kind"]],
            "outcome": [v["outcome"]],
            "authority_key": [v["authority_key"]] if v["authority_key"] else [],
            "exemption": v["exemption_keys"],
            "facet_authority": [v["authority"]] if v["authority"] else [],
            "facet_year": [str(v["year"])] if v["year"] else [],
            "facet_exemptions": list(dict.fromkeys(v["exemptions"])),
            "facet_outcome": [v["outcome"]],
            "facet_kind": [v["kind"]],
            "manifest": [manifest_key(v["doc_id"], v["path"], v["size"], v["mtime"], v["fingerprint"])],
        },
        "integers": {
            "pages": v["pages"],
            "date": date,
            "request_date": _day(v["request_date"]),
            "date_asc": UNDATED_ASC if date is None else date,
            "date_desc": UNDATED_DESC if date is None else date,
        },
        "booleans": {"ncnd": v["ncnd"], "ocr": v["ocr"]},
        "stored": json.dumps({k: v[k] for k in STORED_KEYS}, ensure_ascii=False).encode("utf-8"),
    }


def to_document(values: dict, indexed_at: str) -> tantivy.Document:
    doc = tantivy.Document()
    for name, text in values["text"].items():
        if text:
            doc.add_text(name, text)
    for name, items in values["keywords"].items():
        for item in items:
            doc.add_text(name, item)
    for name, number in values["integers"].items():
        if number is not None:
            doc.add_integer(name, number)
    for name, flag in values["booleans"].items():
        doc.add_boolean(name, bool(flag))
    stored = values["stored"]
    if indexed_at:
        stored = stored[:-1] + b', "indexed_at": ' + json.dumps(indexed_at).encode() + b"}"
    doc.add_bytes("stored", stored)
    return doc


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
