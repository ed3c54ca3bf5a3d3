"""Writing the Whoosh index: create/open, the manifest for incremental runs, batched commits.

One of the three modules allowed to import Whoosh. Callers hand it IndexRecords; it never
extracts anything itself.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import IndexWriter

from indexer.models import IndexRecord
from indexer.schema import SCHEMA_VERSION, build_schema, preanalyse

INDEX_NAME = "foi"
META_NAME = "foi-index.json"


class IndexNotFound(Exception):
    pass


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    size: int
    mtime: int  # st_mtime_ns
    fingerprint: str


def exemption_keys(exemptions: list[str]) -> list[str]:
    """Each exemption and its parents, so a filter on `s40` finds `s40(2)` and `s40(3A)(a)`."""
    keys: list[str] = []
    for ex in exemptions:
        parts = ex.split("(")
        for i in range(1, len(parts) + 1):
            key = "(".join(parts[:i]).lower()
            if key not in keys:
                keys.append(key)
    return keys


def _iso_to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:10])
    except ValueError:
        return None


def _mean_confidence(doc) -> float | None:
    """Mean OCR confidence (0-100) over the OCR'd pages, when the engine gave one."""
    values = [p.ocr_confidence for p in doc.pages if p.ocr and p.ocr_confidence is not None]
    return round(sum(values) / len(values), 1) if values else None


def record_fields(record: IndexRecord, indexed_at: str) -> dict:
    """Whoosh fields of one record. Missing values are left out, never stored as guesses."""
    meta, doc, src = record.metadata, record.document, record.source
    content = doc.text
    fields: dict = {
        "doc_id": src.doc_id,
        "path": str(src.path),
        "sha256": record.sha256,
        "fingerprint": record.fingerprint,
        "size": src.size,
        "mtime": src.mtime,
        "kind": doc.kind,
        "pages": len(doc.pages),
        "indexed_at": indexed_at,
        "outcome": meta.outcome or "unknown",
        "undated": 0 if meta.date else 1,
        "ncnd": bool(meta.ncnd),
        "ocr": doc.ocr,
        "truncated": doc.truncated,
        "content": content,
        "bigrams": content,
        "page_texts": [p.text for p in doc.pages],
        "page_ocr": [p.ocr for p in doc.pages] if doc.ocr else None,
        "ocr_confidence": _mean_confidence(doc),
        "qa_pairs": [q.to_dict() for q in meta.qa],
        "date_iso": meta.date,
        "request_date_iso": meta.request_date,
        "extra": record.extra or None,
    }
    optional = {
        "title": meta.title,
        "authority": meta.authority,
        "authority_key": meta.authority.lower() if meta.authority else None,
        "authority_text": meta.authority,
        "reference": meta.reference,
        "reference_text": meta.reference,
        "date": _iso_to_datetime(meta.date),
        "request_date": _iso_to_datetime(meta.request_date),
        "year": str(meta.year) if meta.year else None,
        "exemptions": ",".join(meta.exemptions) if meta.exemptions else None,
        "exemption": ",".join(exemption_keys(meta.exemptions)) if meta.exemptions else None,
        "request": meta.request,
        "response": meta.response,
        "qa": "\n\n".join(f"{q.question}\n{q.answer}" for q in meta.qa) or None,
    }
    fields.update({k: v for k, v in optional.items() if v})
    return fields


_worker_schema = None


def prepared_fields(record: IndexRecord) -> dict:
    """Worker side: the record's fields with text already analysed (see schema.PreAnalyzed)."""
    global _worker_schema
    if _worker_schema is None:
        _worker_schema = build_schema()
    return preanalyse(_worker_schema, record_fields(record, indexed_at=""))


class FoiIndex:
    """The on-disk index in one folder (Whoosh segments + foi's own small JSON files)."""

    def __init__(self, index_dir: Path | str):
        self.dir = Path(index_dir)

    def exists(self) -> bool:
        return self.dir.is_dir() and whoosh_index.exists_in(str(self.dir), indexname=INDEX_NAME)

    def open(self):
        if not self.exists():
            raise IndexNotFound(f"no index in {self.dir}; run `foi index` first")
        return whoosh_index.open_dir(str(self.dir), indexname=INDEX_NAME)

    def create(self):
        """A new empty index. Only foi's own files are removed: never a user's folder."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for entry in self.dir.iterdir():
            if entry.name.startswith(("_" + INDEX_NAME, INDEX_NAME + "_")) or entry.suffix == ".seg":
                entry.unlink()
        ix = whoosh_index.create_in(str(self.dir), build_schema(), indexname=INDEX_NAME)
        (self.dir / META_NAME).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        return ix

    def open_or_create(self):
        if self.exists() and self.schema_version() == SCHEMA_VERSION:
            return self.open()
        return self.create()

    def schema_version(self) -> int | None:
        try:
            return json.loads((self.dir / META_NAME).read_text()).get("schema_version")
        except (OSError, ValueError):
            return None

    def manifest(self, ix) -> dict[str, ManifestEntry]:
        """doc_id -> what the index holds of the file, read from columns (no stored-field unpickling)."""
        entries: dict[str, ManifestEntry] = {}
        with ix.reader() as reader:
            if reader.doc_count() == 0:
                return entries
            cols = {
                name: reader.column_reader(name)
                for name in ("doc_id", "path", "size", "mtime", "fingerprint")
            }
            for docnum in reader.all_doc_ids():
                entries[cols["doc_id"][docnum]] = ManifestEntry(
                    path=cols["path"][docnum],
                    size=cols["size"][docnum],
                    mtime=cols["mtime"][docnum],
                    fingerprint=cols["fingerprint"][docnum],
                )
        return entries

    def size_bytes(self) -> int:
        if not self.dir.is_dir():
            return 0
        return sum(f.stat().st_size for f in self.dir.iterdir() if f.is_file())

    def doc_count(self) -> int:
        if not self.exists():
            return 0
        ix = self.open()
        try:
            return ix.doc_count()
        finally:
            ix.close()

    def optimize(self) -> None:
        ix = self.open()
        try:
            ix.optimize()
        finally:
            ix.close()


MAX_SEGMENTS = 10
TAIL_MERGE_DOCS = 1000


def merge_tiered(writer, segments):
    """Whoosh merge policy: many small commits must not pile up segments (every search
    visits every segment), but big segments are not rewritten either: Whoosh merges at
    about 12 ms of CPU per document, more than indexing it did. So when there are more
    than MAX_SEGMENTS, the smallest segments are merged while together they hold at most
    TAIL_MERGE_DOCS documents: the tail of 1-document commits that
    `foi index` and `--watch` leave behind. Bulk builds are bounded by --batch-size
    instead, and `foi index --optimize` merges everything into one."""
    from whoosh.reading import SegmentReader

    if len(segments) <= MAX_SEGMENTS:
        return segments
    ordered = sorted(segments, key=lambda seg: seg.doc_count_all())
    # A fixed budget: a share of the index would make a 1-document commit rewrite whole
    # bulk-built segments (measured: 37 s to add one document to 50,000).
    budget = TAIL_MERGE_DOCS
    cut, held = 0, 0
    while cut < len(ordered) and held + ordered[cut].doc_count_all() <= budget:
        held += ordered[cut].doc_count_all()
        cut += 1
    if cut < 2:
        return segments
    for seg in ordered[:cut]:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return ordered[cut:]


class BatchWriter:
    """Adds and deletes in batches; each commit is a consistent point a killed run falls back to.

    Used as a context manager: commits on success; on error cancels the open batch (the
    committed ones stay) and re-raises.
    """

    def __init__(self, ix, batch_size: int = 500, limitmb: int = 256):
        self.ix = ix
        self.batch_size = batch_size
        self.limitmb = limitmb
        self._writer: IndexWriter | None = None
        self.pending = 0
        self.indexed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def _w(self) -> IndexWriter:
        if self._writer is None:
            # zlib level 1 on posting blocks: a third of commit time at level 3, ~10% larger index
            self._writer = self.ix.writer(limitmb=self.limitmb, codec=W3Codec(compression=1))
        return self._writer

    def add(self, record: IndexRecord, replace: bool = True) -> bool:
        """Add one document, replacing the one with its doc_id when `replace`; returns True
        when this call committed a batch. A document known to be new skips the replace:
        Whoosh's delete-by-term looks the doc_id up in every existing segment, a cost
        that grows with the index (and its memory with it) on every added document."""
        values = dict(record.fields) if record.fields else record_fields(record, self.indexed_at)
        values["indexed_at"] = self.indexed_at
        writer = self._w()
        (writer.update_document if replace else writer.add_document)(**values)
        return self._count()

    def delete(self, doc_id: str) -> bool:
        self._w().delete_by_term("doc_id", doc_id)
        return self._count()

    def _count(self) -> bool:
        self.pending += 1
        if self.pending >= self.batch_size:
            self.commit()
            return True
        return False

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit(mergetype=merge_tiered)
            self._writer = None
        self.pending = 0

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        self.pending = 0

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


def is_under(path: str, roots: list[Path]) -> bool:
    return any(path == str(r) or path.startswith(str(r).rstrip(os.sep) + os.sep) for r in roots)
