"""Writing the Whoosh index: create/open, the manifest for incremental runs, batched commits.

Callers hand it IndexRecords; it never extracts anything itself. A search only opens the
index: the writing side (lanes, the manifest file, segment building) is imported by the
functions that write, so a one-shot search does not load it.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index

from indexer.engines.base import EngineWriter, ManifestEntry
from indexer.engines.whoosh.schema import INDEX_NAME, SCHEMA_VERSION, TEMP_PREFIX, build_schema, preanalyse
from indexer.fields import document_values
from indexer.results import IndexNotFound
from indexer.storage import remove

if TYPE_CHECKING:
    from whoosh.writing import IndexWriter

    from indexer.engines.whoosh.lanes import PackedFields
    from indexer.engines.whoosh.manifest import Changes, ManifestFile
    from indexer.models import IndexRecord


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


def prepared_fields(record: IndexRecord) -> PackedFields:
    """Worker side: the record's fields with text already analysed (see schema.PreAnalyzed),
    packed for the lane that writes them."""
    from indexer.engines.whoosh.lanes import pack

    global _worker_schema
    if _worker_schema is None:
        _worker_schema = build_schema()
    return pack(preanalyse(_worker_schema, record_fields(record, indexed_at="")), analysed=True)


def fields_for_writer(record: IndexRecord) -> PackedFields:
    """Writer side: the record's fields as text, analysed by the lane that writes them."""
    from indexer.engines.whoosh.lanes import pack

    return pack(record_fields(record, indexed_at=""), analysed=False)


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
        from indexer.engines.whoosh.manifest import ManifestFile

        return ManifestFile(self.dir)

    def commit_key(self) -> str | None:
        from indexer.engines.whoosh.manifest import commit_key

        return commit_key(self.dir, INDEX_NAME)

    def open_or_create(self):
        if self.exists() and self.schema_version() == SCHEMA_VERSION:
            return self.open()
        return self.create()

    def schema_version(self) -> int | None:
        from indexer.engines import read_meta

        return read_meta(self.dir).get("schema_version")

    def manifest(self, ix) -> Mapping[str, ManifestEntry]:
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
            cols = {name: reader.column_reader(name) for name in ("doc_id", "path", "size", "mtime", "fingerprint")}
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

        if not self.dir.is_dir():
            return 0
        # Whoosh's temporary folder and the lanes' (see segments.SegmentBuilder)
        freed = sum(remove(entry) for entry in self.dir.iterdir() if entry.name.startswith(TEMP_PREFIX))
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
        from indexer.engines.whoosh.lanes import new_segment_id
        from indexer.engines.whoosh.segments import merge_segments

        before = self.commit_key()
        writer = ix.writer()  # for the lock and the next generation; it writes no segment itself
        try:
            sources = list(writer.segments)
            if len(sources) == 1 and not sources[0].has_deletions():
                writer.cancel()
                return
            # the segments' own merge: Whoosh's (ix.optimize) cannot read postings inlined in
            # the term index with no values, as these segments keep terms of few postings
            merged = merge_segments(writer.storage, writer.schema, sources, new_segment_id())
            commit_generation(writer, [merged] if merged is not None else [])
        except BaseException:
            writer.cancel()
            raise
        finally:
            remove(self.dir / TEMP_PREFIX)  # Whoosh's temporary folder, which the merge used
        self.manifest_file.apply(before, self.commit_key(), {})


POLL_SECONDS = 0.2  # how often a wait for merges checks that the run is not stopping
TAIL_MERGE_DOCS = 2000  # segments this big are never rewritten by a commit
# Size tiers of the segments under TAIL_MERGE_DOCS: [1, 10), [10, 100), [100, TAIL_MERGE_DOCS)
TIERS = (1, 10, 100, TAIL_MERGE_DOCS)


def merge_groups(segments: list) -> list[list]:
    """Whoosh merge policy: which segments to merge, in groups (each group becomes one segment).

    Many small commits must not pile up segments (every search visits every segment), but
    documents must not be rewritten again and again either. Segments under TAIL_MERGE_DOCS
    are grouped by size tier (TIERS); when a tier's segments hold as many documents as the
    next tier starts at, they are merged into one segment of that tier. A document is
    rewritten once per tier it climbs (once, for the commits of a hundred documents or more a
    build makes), never once per commit; segments of TAIL_MERGE_DOCS and more (bulk builds)
    are left alone: a 1-document commit never rewrites them (a share of the index as budget
    took 37 s to add one document to 50,000). `foi index --optimize` merges everything.

    Sizes count live documents, but a bulk segment stays settled (see settled) until fewer
    than half of its documents are live: a build that replaces a few documents of each (the
    boilerplate found late is split again at the end of a run) must not rewrite the whole
    index for them. A segment with nothing left joins no merge (the commit drops it unread).
    A tier holding enough for several segments of the next is merged into several, each of
    at least the next tier's floor and under twice it."""
    tiers: dict[int, list] = {}
    for seg in segments:
        docs = seg.doc_count()
        if 0 < docs < TAIL_MERGE_DOCS and not settled(seg):
            tier = max(i for i, floor in enumerate(TIERS) if docs >= floor)
            tiers.setdefault(tier, []).append(seg)
    groups = []
    for tier, found in sorted(tiers.items()):
        # each group just reaches the next tier's floor: a merge rewrites fewer than twice
        # that many documents, so the merger's memory does not grow with the index (the end
        # of a build can leave every bulk segment mostly replaced: one group of them all
        # was a merge of most of the index)
        group, docs = [], 0
        for seg in found:
            group.append(seg)
            docs += seg.doc_count()
            if docs >= TIERS[tier + 1]:
                groups.append(group)
                group, docs = [], 0
    return groups


def settled(segment) -> bool:
    """Whether a commit leaves `segment` alone: written with TAIL_MERGE_DOCS documents or
    more, of which at least half are live (the dead ones cost a little space and a little
    time per query, a rewrite of the whole segment costs more)."""
    total = segment.doc_count_all()
    return total >= TAIL_MERGE_DOCS and segment.doc_count() * 2 >= total


class BatchWriter(EngineWriter):
    """Batched commits of a Whoosh index whose segments are written by lane processes
    (lanes.py): this process deletes, hands each document to a lane, has segments merged in
    the background and records each commit in one new TOC.

    A commit: every lane finishes its segment (in parallel); this batch's deletions are looked
    up in the index's segments (delete_in_segments); the merges that have finished replace
    their sources; the TOC naming the index's segments, their deletions, the new segments and
    the merged ones is written (Whoosh's atomic step); the manifest file follows it. A run that
    stops early (hurry) starts no merges and waits for none."""

    # measured: a 200-document flush of generated responses costs about 5 ms of a lane's CPU
    # per document; the guess lets the first commit hold up to a few hundred
    commit_seconds_per_op = 0.005

    def __init__(
        self,
        ix,
        index_dir: Path,
        batch_size: int = 500,
        workers: int = 1,
        max_seconds: float | None = None,
        commit_budget: float | None = None,
    ):
        from indexer.engines.whoosh.lanes import Lanes

        super().__init__(batch_size, index_dir, max_seconds, commit_budget)
        self.ix = ix
        self.store = FoiIndex(ix.storage.folder)
        self.lanes = Lanes(Path(ix.storage.folder), workers)
        self._writer: IndexWriter | None = None  # Whoosh's: this batch's deletions, the lock, the TOC
        self._changes: Changes = {}  # the open batch's manifest rows
        self._doomed: list[str] = []  # doc ids this batch deletes or replaces (looked up at the commit)
        self._before: str | None = None  # the commit the open batch started from
        self._lane_seconds = 0.0  # CPU the last commit took in the lanes
        self.indexed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def _w(self) -> IndexWriter:
        if self._writer is None:
            from indexer.engines.whoosh.segments import codec

            self._writer = self.ix.writer(codec=codec())
            self._before = self.store.commit_key()  # read under Whoosh's write lock
            self._changes = {}
        return self._writer

    def _add(self, record: IndexRecord, replace: bool) -> None:
        """A document known to be new skips the replace: Whoosh's delete-by-term looks the
        doc_id up in every existing segment, a cost that grows with the index."""
        from indexer.engines.whoosh.lanes import PackedFields, pack

        packed = record.fields
        if not isinstance(packed, PackedFields):
            packed = pack(record_fields(record, self.indexed_at), analysed=False)
        self._w()
        doc_id = packed.key[0]
        if replace:
            self._doomed.append(doc_id)
        self.lanes.add(packed, self.indexed_at)
        self._changes[doc_id] = packed.key[1:]

    def _delete(self, doc_id: str) -> None:
        self._w()
        self._doomed.append(doc_id)
        self._changes[doc_id] = None

    def _commit(self) -> None:
        from indexer.engines.whoosh.lanes import place

        segments, self._lane_seconds = self.lanes.flush()
        merged = self.lanes.merged()
        if self._writer is None and not segments and not merged:
            return
        writer = self._w()
        try:
            doomed, self._doomed = self._doomed, []
            delete_in_segments(writer, doomed)
            current = list(writer.segments)
            for job, result in merged:
                current = place(current, job, result)
            current += segments
            busy = self.lanes.busy()
            # a segment whose documents were all deleted or replaced is dropped unread
            current = [seg for seg in current if seg.doc_count() or seg.segment_id() in busy]
            if not self.hurried:
                for group in merge_groups([seg for seg in current if seg.segment_id() not in busy]):
                    self.lanes.merge(group)
            commit_generation(writer, current, also_keep=self.lanes.writing())  # the lanes' segments in progress
        except BaseException:
            self._writer = None
            writer.cancel()
            raise
        self._writer = None
        self.store.manifest_file.apply(self._before, self.store.commit_key(), self._changes)
        self._changes = {}

    def _commit_cost(self, started: float) -> float:
        return super()._commit_cost(started) + self._lane_seconds

    def finish_merges(self) -> None:
        """Wait for the merges in progress and commit them (and the merges they lead to)."""
        while self.lanes.merges_pending() and not self.hurried:
            if self.lanes.wait_merges(timeout=POLL_SECONDS):
                self.commit()

    def _cancel(self) -> None:
        self._changes = {}
        self._doomed = []
        try:
            self.lanes.cancel()
        finally:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                try:
                    writer._close_segment()
                finally:
                    release(writer)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                self.cancel()
                return
            try:
                self.commit()
                with self._io():
                    self.finish_merges()
            except BaseException:
                self.cancel()
                raise
        finally:
            self.lanes.close()
            # Whoosh's temporary folder, now that no lane uses it
            remove(Path(self.ix.storage.folder) / TEMP_PREFIX)


LOOKUPS_PER_OPEN = 256  # doc ids looked up in a segment before it is opened afresh


def delete_in_segments(writer, doc_ids: list[str]) -> None:
    """Mark the documents with these doc ids deleted in the writer's segments (those of the
    commit its batch started from), one segment open at a time, each opened afresh every
    LOOKUPS_PER_OPEN ids.

    Whoosh's delete_by_term looks each doc id up in every segment through one searcher over
    them all: the pages of the segments' term tables it touches stay mapped until that
    searcher closes, and a few thousand replaced documents in a 50,000-document index touch
    most of them (1,000 doc ids: 47 MB of the indexing process's memory). Here at most one
    segment is mapped, and only the pages of its last few hundred lookups."""
    if not doc_ids:
        return
    from whoosh.reading import SegmentReader

    field = writer.schema["doc_id"]
    terms = sorted({field.to_bytes(doc_id) for doc_id in doc_ids})
    for segment in writer.segments:
        for start in range(0, len(terms), LOOKUPS_PER_OPEN):
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                for btext in terms[start : start + LOOKUPS_PER_OPEN]:
                    if ("doc_id", btext) in reader:
                        for docnum in reader.postings("doc_id", btext).all_ids():
                            segment.delete_document(docnum)
            finally:
                reader.close()


def commit_generation(writer, segments: list, also_keep: set[str] = frozenset()) -> None:
    """The writer's new generation recording exactly `segments`: the TOC file's rename is the
    commit. Then the files no segment of it uses go, except those of `also_keep` (segments
    being written). Whoosh's writer itself wrote no segment."""
    from whoosh.index import TOC

    TOC(writer.schema, segments, writer.generation).write(writer.storage, INDEX_NAME)
    writer._close_segment()
    clean_unused(writer.storage, writer.generation, {seg.segment_id() for seg in segments} | set(also_keep))
    release(writer)


def release(writer) -> None:
    """End Whoosh's writer as its _finish() does (its cached searcher closed, the index's
    write lock released) but leave its temporary folder: Whoosh's per-document writer buffers
    columns in that one folder, so the lanes' and the merger's files are there too."""
    if writer._searcher is not None:
        writer._searcher._orig_close()
        writer._searcher = None
    if writer.writelock:
        writer.writelock.release()
    writer.is_closed = True


def clean_unused(storage, generation: int, keep: set[str]) -> None:
    """Whoosh's clean_files, sparing the segments in `keep` (some not in any TOC yet)."""
    from whoosh.index import TOC

    tocs, segs = TOC._pattern(INDEX_NAME), TOC._segment_pattern(INDEX_NAME)
    for name in list(storage):
        found = tocs.match(name)
        if found:
            if int(found.group(1)) != generation:
                _remove_quietly(storage, name)
            continue
        found = segs.match(name)
        if found and found.group(1) not in keep:
            _remove_quietly(storage, name)


def _remove_quietly(storage, name: str) -> None:
    try:
        storage.delete_file(name)
    except OSError:
        pass  # a reader on another system may hold it: the next commit tries again
