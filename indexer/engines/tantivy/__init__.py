"""The tantivy engine (`foi index --engine tantivy`): a Rust search library, for big corpora.

schema.py (fields, and records made ready in the extraction workers), search.py (the query
tree compiled to tantivy queries); this module puts them behind the Engine interface. The
index lives in INDEX/tantivy/ beside foi's own files.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import threading
from collections import Counter
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import tantivy

from indexer.engines import ENGINE_FOLDERS
from indexer.engines.analysis import MIN_WORD_LENGTH, is_stop_word, text_terms, word_forms
from indexer.engines.base import Engine, EngineHit, EngineResults, EngineWriter, ManifestEntry
from indexer.engines.tantivy.schema import SCHEMA_VERSION, build_schema, now, prepared_values, to_document
from indexer.engines.tantivy.search import Compiler, close_terms
from indexer.fields import FACETS, substance_text
from indexer.models import IndexRecord
from indexer.query import Node, QueryError, nothing_to_search
from indexer.results import IndexDamaged, IndexNotFound
from indexer.storage import IndexWriteError, exchange, fsync_dir, remove, write_error

SUBDIR = ENGINE_FOLDERS["tantivy"]  # the index inside the index folder
WRITER_HEAP = 256_000_000
FACET_SIZE = 65_000  # facet values returned per group: all of them in practice
SIMILAR_TERMS = 25


class _Swapped(IndexDamaged):
    """A read failed because a rebuild swapped the folder's files while it ran: the files the
    open index wanted are gone with the old index. Read again on the new one."""


def _again_after_swap(method):
    """Run a read once more, on the swapped-in index, when a rebuild's swap broke it: readers
    keep working through `foi index --rebuild` (a second failure is real damage)."""

    @wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _Swapped:
            return method(self, *args, **kwargs)

    return read


class TantivyWriter(EngineWriter):
    """tantivy's IndexWriter: one for the run, committed every batch (a commit is atomic:
    a killed run leaves the last one)."""

    def __init__(
        self,
        engine: "TantivyEngine",
        batch_size: int,
        max_seconds: float | None = None,
        commit_budget: float | None = None,
    ):
        super().__init__(batch_size, engine.dir, max_seconds, commit_budget)
        self.engine = engine
        self._writer = None
        self.indexed_at = now()

    def _w(self):
        if self._writer is None:
            with self.engine._damage():
                self._writer = self.engine._index().writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def _add(self, record: IndexRecord, replace: bool) -> None:
        values = record.fields if record.fields else prepared_values(record)
        writer = self._w()
        if replace:
            writer.delete_documents_by_term("doc_id", record.source.doc_id)
        writer.add_document(to_document(values, self.indexed_at))

    def _delete(self, doc_id: str) -> None:
        self._w().delete_documents_by_term("doc_id", doc_id)

    def _commit(self) -> None:
        if self._writer is not None and self.pending:
            self._writer.commit()

    def _cancel(self) -> None:
        if self._writer is not None:
            self._writer.rollback()

    def _failure(self, exc: BaseException) -> IndexWriteError | None:
        """tantivy's writer errors are ValueErrors whose text may carry the OS error
        ("Os { code: 28, ... }"); a writer thread's failure carries none ("an index writer
        was killed"), and storage.IndexWriteError then judges by the free space left."""
        found = write_error(self.dir, exc)
        if found is not None or not isinstance(exc, (ValueError, OSError)):
            return found
        code = re.search(r"code: (\d+)", str(exc))
        return IndexWriteError(self.dir, str(exc), int(code.group(1)) if code else None)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                if exc_type is None:
                    with self._io():
                        writer.wait_merging_threads()  # merges finish before the lock is let go
                del writer


class TantivyEngine(Engine):
    name = "tantivy"
    schema_version = SCHEMA_VERSION
    min_word_length = MIN_WORD_LENGTH

    def __init__(self, index_dir: Path):
        super().__init__(index_dir)
        self.path = self.dir / SUBDIR
        self._ix = None
        self._schema = None
        self._searcher = None
        self._seen: tuple | None = None  # meta.json's (mtime, size) when the searcher was made
        self._folder: int | None = None  # the index folder's inode when opened: a swap changes it
        self._lock = threading.RLock()

    # -- lifecycle
    @classmethod
    def files_present(cls, index_dir: Path) -> bool:
        return (Path(index_dir) / SUBDIR / "meta.json").is_file()

    @classmethod
    def remove_files(cls, index_dir: Path) -> None:
        shutil.rmtree(Path(index_dir) / SUBDIR, ignore_errors=True)

    @classmethod
    def clean_leftovers(cls, index_dir: Path) -> int:
        """A swap's moved-aside folder, and segment files no commit uses (tantivy's own
        garbage collection, run by a writer)."""
        freed = remove(Path(index_dir) / f"{SUBDIR}.old")
        path = Path(index_dir) / SUBDIR
        if not (path / "meta.json").is_file():
            return freed
        before = _bytes_in(path)
        try:
            writer = tantivy.Index.open(str(path)).writer(heap_size=15_000_000, num_threads=1)
            writer.garbage_collect_files()
            del writer
        except BaseException as exc:  # a damaged index: a rebuild deals with it
            if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            return freed
        return freed + max(0, before - _bytes_in(path))

    def adopt(self, staged: Engine) -> None:
        """Exchange the staged tantivy folder with this one in one rename (storage.exchange):
        a reader opening the folder finds the old meta.json or the new one."""
        self.close()
        new = Path(staged.dir) / SUBDIR
        if self.path.exists():
            exchange(new, self.path)
        else:
            os.rename(new, self.path)
        fsync_dir(self.dir)

    def create(self) -> None:
        from indexer.engines import remove_other_engines, write_meta

        self.close()
        remove_other_engines(self.dir, self.name)
        self.remove_files(self.dir)
        write_meta(self.dir, self.name, self.schema_version)  # first, as Whoosh's create explains
        self.path.mkdir(parents=True)
        self._schema = build_schema()
        self._ix = tantivy.Index(self._schema, path=str(self.path), reuse=False)

    def open(self) -> None:
        with self._lock:
            if self._ix is None:
                if not self.exists():
                    raise IndexNotFound(f"no index in {self.dir}; run `foi index` first")
                with self._damage():
                    self._folder = self._folder_id()
                    self._ix = tantivy.Index.open(str(self.path))
                    self._schema = self._ix.schema

    def _folder_id(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except OSError:
            return None

    def _swapped(self) -> bool:
        """Whether a rebuild put another folder in place of the one this index was opened on
        (or was being opened on: a swap in the middle of tantivy's open takes the segment
        files its meta.json named)."""
        return self._folder is not None and self._folder_id() != self._folder

    def _index(self):
        self.open()
        return self._ix

    def _meta_stamp(self) -> tuple | None:
        try:
            st = (self.path / "meta.json").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def refresh(self) -> None:
        with self._lock:
            if self._swapped():  # the open index's files went with the old folder
                self.close()
            elif self._searcher is not None and self._meta_stamp() != self._seen:
                self._searcher = None

    def close(self) -> None:
        with self._lock:
            self._searcher = None
            self._ix = None

    def searcher(self):
        """One searcher, reused until a commit changes meta.json."""
        with self._lock:
            self.refresh()
            if self._searcher is None:
                ix = self._index()
                with self._damage():
                    stamp = self._meta_stamp()
                    ix.reload()
                    self._searcher = ix.searcher()
                    self._seen = stamp
            return self._searcher

    @contextmanager
    def _damage(self):
        """tantivy's errors (and Rust panics, which are BaseExceptions) on broken files as
        IndexDamaged."""
        try:
            yield
        except (
            QueryError,
            IndexNotFound,
            IndexDamaged,
            IndexWriteError,
            KeyboardInterrupt,
            SystemExit,
            GeneratorExit,
            MemoryError,
        ):
            raise
        except BaseException as exc:
            if "Failed to acquire Lockfile" in str(exc):  # not damage: a folder it cannot write
                code = re.search(r"code: (\d+)", str(exc))
                failure = IndexWriteError(
                    self.dir,
                    "the tantivy engine writes a lock file even to read; "
                    + (os.strerror(int(code.group(1))) if code else str(exc)),
                    int(code.group(1)) if code else None,
                )
                failure.kept = "searching it needs a writable copy of the folder"
                raise failure from exc
            if self._swapped():
                self.close()
                raise _Swapped(self.dir, f"{type(exc).__name__}: {exc}") from exc
            raise IndexDamaged(self.dir, f"{type(exc).__name__}: {exc}") from exc

    # -- writing
    @classmethod
    def prepare(cls, record: IndexRecord) -> dict:
        return prepared_values(record)

    def writer(
        self,
        batch_size: int = 500,
        max_seconds: float | None = None,
        commit_budget: float | None = None,
        workers: int = 1,
    ) -> TantivyWriter:
        self.open()
        return TantivyWriter(self, batch_size, max_seconds, commit_budget)

    @_again_after_swap
    def manifest(self) -> dict[str, ManifestEntry]:
        entries: dict[str, ManifestEntry] = {}
        for key in self._terms_of("manifest", tantivy.Query.all_query()):
            doc_id, path, size, mtime, fingerprint = key.split("\t")
            entries[doc_id] = ManifestEntry(path=path, size=int(size), mtime=int(mtime), fingerprint=fingerprint)
        return entries

    def _terms_of(self, fieldname: str, query) -> dict[str, int]:
        """Values of a column over the documents matching `query`, with their counts."""
        with self._lock:
            searcher = self.searcher()
            if searcher.num_docs == 0:
                return {}
            with self._damage():
                raw = searcher.aggregate(
                    query, {"g": {"terms": {"field": fieldname, "size": max(FACET_SIZE, searcher.num_docs)}}}
                )
        return {str(b["key"]): int(b["doc_count"]) for b in raw["g"]["buckets"]}

    def optimize(self) -> None:
        """tantivy merges segments as it goes (log merge policy): wait for those merges and
        drop files no commit uses."""
        with self._damage():
            writer = self._index().writer(heap_size=50_000_000, num_threads=1)
            writer.garbage_collect_files()
            writer.wait_merging_threads()

    def generation(self) -> int:
        try:
            return int(json.loads((self.path / "meta.json").read_text("utf-8")).get("opstamp", 0))
        except (OSError, ValueError) as exc:
            raise IndexNotFound(f"no index in {self.dir}") from exc

    # -- reading
    @_again_after_swap
    def doc_count(self) -> int:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                return searcher.num_docs

    @_again_after_swap
    def kinds(self) -> dict[str, int]:
        return dict(sorted(self._terms_of("facet_kind", tantivy.Query.all_query()).items()))

    def _compile(self, searcher, node: Node, filters: Node | None):
        compiler = Compiler(searcher, self._schema)
        with self._damage_in_compile():
            compiled = compiler.compile(node)
            if compiled is None:
                raise nothing_to_search(compiler.words, self.is_stop_word, self.min_word_length)
            compiled = compiler.finish(compiled)
            fq = None
            if filters is not None:
                fcompiler = Compiler(searcher, self._schema)
                fq = fcompiler.finish(fcompiler.compile(filters))
        return compiled, fq, compiler

    @contextmanager
    def _damage_in_compile(self):
        try:
            yield
        except (QueryError, KeyboardInterrupt, MemoryError):
            raise
        except ValueError as exc:  # tantivy refuses a value it cannot hold
            raise QueryError(f"cannot run the query ({exc})") from None
        except BaseException as exc:
            if isinstance(exc, (SystemExit, GeneratorExit)):
                raise
            if self._swapped():
                self.close()
                raise _Swapped(self.dir, f"{type(exc).__name__}: {exc}") from exc
            raise IndexDamaged(self.dir, f"{type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _joined(compiled, fq, zero_score: bool = True):
        if fq is None:
            return compiled
        # the filter adds nothing to the score: ranking is the query's alone
        fq = tantivy.Query.const_score_query(fq, 0.0) if zero_score else fq
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, fq)])

    @_again_after_swap
    def search(
        self,
        query_node: Node,
        filters: Node | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 10,
        facets: bool = False,
    ) -> EngineResults:
        with self._lock:
            searcher = self.searcher()
            compiled, fq, compiler = self._compile(searcher, query_node, filters)
            run = self._joined(compiled, fq)
            window = max(1, limit)
            kwargs: dict = {"offset": offset}
            if sort == "date":
                kwargs.update(order_by_field="date_asc", order=tantivy.Order.Asc)
            elif sort == "-date":
                kwargs.update(order_by_field="date_desc", order=tantivy.Order.Desc)
            with self._damage():
                found = searcher.search(run, window, count=facets, **kwargs)
                hits = []
                for score, address in found.hits[:limit]:
                    stored = self._stored(searcher.doc(address))
                    hits.append(EngineHit(float(score) if sort == "relevance" else 0.0, stored))
                facet_counts = self._facets(run) if facets else {}
            got = len(found.hits)
            total = found.count if facets else (offset + got if got < window and (got or offset == 0) else None)
            return EngineResults(
                hits=hits,
                total=total,
                count=lambda: self._count(run),
                facets=facet_counts,
                ranked=offset + got,
                terms=compiler.terms,
                notes=compiler.notes,
            )

    def _count(self, run) -> int:
        with self._lock:
            with self._damage():
                return self.searcher().search(run, 1, count=True).count

    @_again_after_swap
    def count(self, query_node: Node, filters: Node | None = None) -> int:
        with self._lock:
            compiled, fq, _ = self._compile(self.searcher(), query_node, filters)
            return self._count(self._joined(compiled, fq))

    def _facets(self, run) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            searcher = self.searcher()
            if searcher.num_docs == 0:
                return {name: [] for name in FACETS}
            size = max(FACET_SIZE, searcher.num_docs)
            aggs = {name: {"terms": {"field": f"facet_{name}", "size": size}} for name in FACETS}
            with self._damage():
                raw = searcher.aggregate(run, aggs)
        out = {}
        for name in FACETS:
            items = [(str(b["key"]), int(b["doc_count"])) for b in raw[name]["buckets"] if b["key"] not in ("", None)]
            items.sort(key=lambda kv: (-kv[1], kv[0]))
            out[name] = items
        return out

    @_again_after_swap
    def facet_counts(self, query_node: Node | None, filters: Node | None) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            searcher = self.searcher()
            if query_node is None:
                compiled = tantivy.Query.all_query()
                fq = Compiler(searcher, self._schema).compile(filters) if filters is not None else None
            else:
                compiled, fq, _ = self._compile(searcher, query_node, filters)
            return self._facets(self._joined(compiled, fq, zero_score=False))

    @staticmethod
    def _stored(doc) -> dict:
        return json.loads(doc.get_first("stored"))

    def _find(self, searcher, doc_id: str):
        found = searcher.search(tantivy.Query.term_query(self._schema, "doc_id", doc_id), 1)
        return found.hits[0][1] if found.hits else None

    @_again_after_swap
    def document(self, doc_id: str) -> dict | None:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                address = self._find(searcher, doc_id)
                return self._stored(searcher.doc(address)) if address is not None else None

    @_again_after_swap
    def document_with_term(self, term: str) -> dict | None:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                found = searcher.search(tantivy.Query.term_query(self._schema, "content", term), 1)
                return self._stored(searcher.doc(found.hits[0][1])) if found.hits else None

    @_again_after_swap
    def similar(self, doc_id: str, limit: int = 10) -> tuple[list[EngineHit], set[str]]:
        """The document's most distinctive content terms (frequency in it x rarity in the
        index), searched as one OR query; the document itself left out."""
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                address = self._find(searcher, doc_id)
            if address is None:  # an unknown id, not a damaged index
                raise KeyError(doc_id)
            with self._damage():
                stored = self._stored(searcher.doc(address))
                # boilerplate says nothing of what a reply is about
                counts = Counter(text_terms(substance_text(stored)))
                total = max(1, searcher.num_docs)
                weighted = []
                for term, tf in counts.items():
                    df = searcher.doc_freq("content", term)
                    if df:
                        weighted.append((tf * math.log(1 + total / df), term))
                keywords = {t for _, t in sorted(weighted, reverse=True)[:SIMILAR_TERMS]}
                if not keywords:
                    return [], set()
                schema = self._schema
                query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "content", t)) for t in sorted(keywords)]
                    + [(tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "doc_id", doc_id))]
                )
                found = searcher.search(query, limit)
                hits = [EngineHit(float(score), self._stored(searcher.doc(a))) for score, a in found.hits]
        return hits, keywords

    # -- terms
    def analyze(self, word: str) -> list[str]:
        return text_terms(word)

    def normalise(self, word: str) -> set[str]:
        return word_forms(word)

    @_again_after_swap
    def has_term(self, term: str) -> bool:
        with self._lock:
            with self._damage():
                return self.searcher().doc_freq("content", term) > 0

    @_again_after_swap
    def close_terms(self, term: str, maxdist: int = 2) -> list[str]:
        with self._lock:
            with self._damage():
                return [t for _, _, t in close_terms(self.searcher(), "content", term, maxdist)[:3]]

    def is_stop_word(self, word: str) -> bool:
        return is_stop_word(word)


def _bytes_in(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


ENGINE = TantivyEngine
