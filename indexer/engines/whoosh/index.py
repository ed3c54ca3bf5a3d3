"""Writing the Whoosh index: create/open, the manifest for incremental runs, batched commits.

Callers hand it IndexRecords; it never extracts anything itself.
"""
from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import IndexWriter

from indexer.engines.base import EngineWriter, ManifestEntry
from indexer.fields import document_values
from indexer.models import IndexRecord
from indexer.results import IndexNotFound
from indexer.engines.whoosh.manifest import Changes, ManifestFile, commit_key
from indexer.engines.whoosh.schema import SCHEMA_VERSION, build_schema, preanalyse

INDEX_NAME = "foi"


def day_number(value: str | None) -> int | None:
    """An ISO date as the schema's day number (date.toordinal), None when unknown or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def record_fields(record: IndexRecord, indexed_at: str) -> dict:
    """Whoosh fields of one record. Missing values are left out, never stored as guesses."""
    v = document_values(record, indexed_at)
    fields: dict = {
        "doc_id": v["doc_id"],
        "path": v["path"],
        "sha256": v["sha256"],
        "fingerprint": v["fingerprint"],
        "size": v["size"],
        "mtime": v["mtime"],
        "kind": v["kind"],
        "pages": v["pages"],
        "indexed_at": indexed_at,
        "outcome": v["outcome"],
        "ncnd": v["ncnd"],
        "ocr": v["ocr"],
        "truncated": v["truncated"],
        "content": v["content"],
        "bigrams": v["content"],
        "page_texts": v["page_texts"],
        "page_boilerplate": v["page_boilerplate"],
        "page_ocr": v["page_ocr"],
        "ocr_confidence": v["ocr_confidence"],
        "qa_pairs": v["qa_pairs"],
        "date_iso": v["date"],
        "request_date_iso": v["request_date"],
        "date_source": v["date_source"],
        "extra": v["extra"],
    }
    optional = {
        "parent": v["parent"],
        "title": v["title"],
        "authority": v["authority"],
        "authority_key": v["authority_key"],
        "authority_text": v["authority"],
        "reference": v["reference"],
        "reference_text": v["reference"],
        "day": day_number(v["sort_date"]),
        "request_day": day_number(v["request_date"]),
        "year": str(v["year"]) if v["year"] else None,
        "exemptions": ",".join(v["exemptions"]) if v["exemptions"] else None,
        "exemption": ",".join(v["exemption_keys"]) if v["exemption_keys"] else None,
        "request": v["request"],
        "response": v["response"],
        "qa": v["qa"],
        "boilerplate": v["boilerplate"],
        "boilerplate_bigrams": v["boilerplate"],
    }
    fields.update({k: val for k, val in optional.items() if val})
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
        return self.dir.is_dir() and any(self.dir.glob(f"_{INDEX_NAME}_*.toc"))

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
        self.manifest_file.discard()
        from indexer.engines import write_meta

        # The record first: killed before the index files exist, the folder holds no index and
        # the next run creates one; killed after, the record is already there to trust it.
        write_meta(self.dir, "whoosh", SCHEMA_VERSION)
        ix = whoosh_index.create_in(str(self.dir), build_schema(), indexname=INDEX_NAME)
        # An empty manifest file from the start: every commit then updates it by its own rows
        self.manifest_file.save(self.commit_key(), {})
        return ix

    @property
    def manifest_file(self) -> ManifestFile:
        return ManifestFile(self.dir)

    def commit_key(self) -> str | None:
        return commit_key(self.dir, INDEX_NAME)

    def open_or_create(self):
        if self.exists() and self.schema_version() == SCHEMA_VERSION:
            return self.open()
        return self.create()

    def schema_version(self) -> int | None:
        from indexer.engines import read_meta

        return read_meta(self.dir).get("schema_version")

    def manifest(self, ix) -> dict[str, ManifestEntry]:
        """doc_id -> what the index holds of the file: from the manifest file when it matches
        the latest commit (milliseconds), else from the columns, then saved to the file."""
        key = self.commit_key()
        entries = self.manifest_file.load(key)
        if entries is None:
            entries = self.manifest_from_columns(ix)
            if self.commit_key() == key:  # no commit came in between
                self.manifest_file.save(key, entries)
        return entries

    def manifest_from_columns(self, ix) -> dict[str, ManifestEntry]:
        """The manifest read from columns (no stored-field unpickling)."""
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

    def adopt(self, staged_dir: Path) -> None:
        """Make the index in `staged_dir` this folder's: its segment files are moved in under
        their own (random) names, which no reader of the old index opens, then its TOC is
        written here as the next generation. The TOC's rename is the one atomic step: readers
        see the old generation or the new one. The old segments go as after any commit."""
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC, clean_files

        from indexer.storage import fsync_dir

        self.dir.mkdir(parents=True, exist_ok=True)
        storage = FileStorage(str(self.dir))
        toc = TOC.read(FileStorage(str(staged_dir)), INDEX_NAME)
        names = {seg.segment_id() for seg in toc.segments}
        pattern = TOC._segment_pattern(INDEX_NAME)
        for entry in Path(staged_dir).iterdir():
            found = pattern.match(entry.name)
            if found and found.group(1) in names:
                os.replace(entry, self.dir / entry.name)
        fsync_dir(self.dir)
        toc.generation = TOC._latest_generation(storage, INDEX_NAME) + 1  # -1 when there is none
        toc.write(storage, INDEX_NAME)
        fsync_dir(self.dir)
        clean_files(storage, INDEX_NAME, toc.generation, toc.segments)

    def clean_leftovers(self) -> int:
        """Whoosh's temporary folder, half-written TOCs and segment files that the latest
        commit does not use (a commit that failed, e.g. on a full disk). Nothing is removed
        when the latest TOC cannot be read: which files it needs is then unknown."""
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC

        from indexer.storage import remove

        if not self.dir.is_dir():
            return 0
        freed = remove(self.dir / f"{INDEX_NAME}.tmp")
        toc_temp = re.compile(rf"^_{INDEX_NAME}_[0-9]+\.toc\.[0-9.]+$")
        freed += sum(remove(entry) for entry in self.dir.iterdir() if toc_temp.match(entry.name))
        if not self.exists():
            return freed
        try:
            toc = TOC.read(FileStorage(str(self.dir)), INDEX_NAME)
        except Exception:
            return freed
        used = {seg.segment_id() for seg in toc.segments}
        pattern = TOC._segment_pattern(INDEX_NAME)
        for entry in self.dir.iterdir():
            found = pattern.match(entry.name)
            if found and found.group(1) not in used and entry.is_file():
                freed += remove(entry)
        return freed

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

    def optimize(self, ix) -> None:
        """Merge every segment into one (the documents, so the manifest, stay as they are)."""
        before = self.commit_key()
        ix.optimize()
        self.manifest_file.apply(before, self.commit_key(), {})


MERGE_FACTOR = 10  # segments of one size tier that are merged into one of the next
TAIL_MERGE_DOCS = 1000  # segments this big are never rewritten by a commit


def merge_tiered(writer, segments):
    """Whoosh merge policy: many small commits must not pile up segments (every search
    visits every segment), but documents must not be rewritten again and again either:
    Whoosh merges at about 12 ms of CPU per document, more than indexing it did.

    Segments under TAIL_MERGE_DOCS are grouped by size tier (1-9 documents, 10-99,
    100-999); when a tier holds MERGE_FACTOR of them they become one segment of the next
    tier. A document is rewritten once per tier it climbs (once, for the commits of a few
    hundred documents a run makes), never once per commit; segments of TAIL_MERGE_DOCS and
    more (bulk builds) are left alone: a 1-document commit never rewrites them (a share of
    the index as budget took 37 s to add one document to 50,000). `foi index --optimize`
    merges everything into one.

    Sizes count live documents: a segment whose documents were mostly replaced (a run's
    rewrite of documents whose paragraphs became common replaced 5,161 of 10,000) joins the
    tier of what it still holds, and every search stops skipping its deleted documents once
    it is merged; a segment with none left is dropped without being read."""
    from whoosh.reading import SegmentReader

    tiers: dict[int, list] = {}
    empty = [seg for seg in segments if seg.doc_count() == 0]
    for seg in segments:
        docs = seg.doc_count()
        if 0 < docs < TAIL_MERGE_DOCS:
            tiers.setdefault(len(str(docs)), []).append(seg)
    merged = [seg for tier in tiers.values() if len(tier) >= MERGE_FACTOR for seg in tier]
    if not merged:
        return [seg for seg in segments if seg not in empty]
    for seg in merged:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in merged and seg not in empty]


class BatchWriter(EngineWriter):
    """Whoosh's writer in batches: one Whoosh IndexWriter per batch, committed with the
    tiered merge policy above."""

    # measured: a 170-document commit of generated responses took 6 s of CPU on a busy
    # machine; a first guess of 0.02 s lets about 100 documents into the first commit
    commit_seconds_per_op = 0.02

    def __init__(self, ix, index_dir: Path, batch_size: int = 500, limitmb: int = 256,
                 max_seconds: float | None = None, commit_budget: float | None = None):
        super().__init__(batch_size, index_dir, max_seconds, commit_budget)
        self.ix = ix
        self.store = FoiIndex(ix.storage.folder)
        self.limitmb = limitmb
        self._writer: IndexWriter | None = None
        self._changes: Changes = {}  # the open batch's manifest rows
        self._before: str | None = None  # the commit the open batch started from
        self.indexed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def _w(self) -> IndexWriter:
        if self._writer is None:
            # zlib level 1 on posting blocks: a third of commit time at level 3, ~10% larger index
            self._writer = self.ix.writer(limitmb=self.limitmb, codec=W3Codec(compression=1))
            self._before = self.store.commit_key()  # read under Whoosh's write lock
            self._changes = {}
        return self._writer

    def _add(self, record: IndexRecord, replace: bool) -> None:
        """A document known to be new skips the replace: Whoosh's delete-by-term looks the
        doc_id up in every existing segment, a cost that grows with the index (and its
        memory with it) on every added document."""
        values = dict(record.fields) if record.fields else record_fields(record, self.indexed_at)
        values["indexed_at"] = self.indexed_at
        writer = self._w()
        (writer.update_document if replace else writer.add_document)(**values)
        self._changes[values["doc_id"]] = (values["path"], values["size"], values["mtime"], values["fingerprint"])

    def _delete(self, doc_id: str) -> None:
        self._w().delete_by_term("doc_id", doc_id)
        self._changes[doc_id] = None

    def _commit(self) -> None:
        if self._writer is not None:
            if self.hurried:
                self._writer.commit(merge=False)
            else:
                self._writer.commit(mergetype=self._merge)
            self._writer = None
            self.store.manifest_file.apply(self._before, self.store.commit_key(), self._changes)
            self._changes = {}

    def _merge(self, writer, segments):
        kept = merge_tiered(writer, segments)
        self.merged = sum(seg.doc_count_all() for seg in segments if seg not in kept)
        return kept

    def _cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
            self._changes = {}
