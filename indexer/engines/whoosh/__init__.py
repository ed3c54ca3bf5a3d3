"""The Whoosh engine (the default): pure Python, fine up to a few tens of thousands of responses.

schema.py (fields and analysis), index.py (writing, the manifest, merging), search.py (the
query tree compiled to Whoosh queries); this module puts them behind the Engine interface.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING

from indexer.engines.whoosh.lean_import import import_whoosh

import_whoosh()  # before any other module of this package imports Whoosh

from whoosh import query, sorting  # noqa: E402

from indexer.engines.whoosh import matchers, views  # noqa: E402,F401 - faster skips and phrases; segments read in place

from indexer.engines.analysis import is_stop_word, word_forms  # noqa: E402
from indexer.engines.base import Engine, EngineHit, EngineResults, ManifestEntry  # noqa: E402
from indexer.engines.whoosh.bulk import count_docs, query_docs  # noqa: E402
from indexer.engines.whoosh.filters import ConstantScore  # noqa: E402
from indexer.engines.whoosh.index import FoiIndex  # noqa: E402
from indexer.engines.whoosh.ranking import Unsupported, top_docs  # noqa: E402
from indexer.engines.whoosh.schema import INDEX_NAME, SCHEMA_VERSION, UNDATED, column_numbers  # noqa: E402
from indexer.engines.whoosh.search import Compiler, analyse  # noqa: E402
from indexer.fields import FACETS, substance_text  # noqa: E402
from indexer.query import Node, QueryError, nothing_to_search  # noqa: E402
from indexer.results import IndexDamaged, IndexNotFound  # noqa: E402
from indexer.storage import FULL, READ_ONLY, IndexWriteError  # noqa: E402

if TYPE_CHECKING:
    from indexer.engines.whoosh.index import BatchWriter
    from indexer.models import IndexRecord


class WhooshEngine(Engine):
    name = "whoosh"
    schema_version = SCHEMA_VERSION
    min_word_length = 2

    def __init__(self, index_dir: Path):
        super().__init__(index_dir)
        self.store = FoiIndex(self.dir)
        self._ix = None
        self._searcher = None
        self._lock = threading.RLock()
        self._facet_docs: tuple[object, dict] | None = None  # (searcher, facet_documents of it)
        self._day_cache: tuple[object, tuple[array, array]] | None = None  # (searcher, _day_keys of it)

    # -- lifecycle
    @classmethod
    def files_present(cls, index_dir: Path) -> bool:
        # A TOC file names the segments; reading it is opening the index (which may be damaged)
        return Path(index_dir).is_dir() and any(Path(index_dir).glob(f"_{INDEX_NAME}_*.toc"))

    @classmethod
    def remove_files(cls, index_dir: Path) -> None:
        index_dir = Path(index_dir)
        if not index_dir.is_dir():
            return
        for entry in index_dir.iterdir():
            if entry.name.startswith(("_" + INDEX_NAME, INDEX_NAME + "_")) or entry.suffix == ".seg":
                entry.unlink()
        FoiIndex(index_dir).manifest_file.discard()

    @classmethod
    def clean_leftovers(cls, index_dir: Path) -> int:
        return FoiIndex(index_dir).clean_leftovers()

    def adopt(self, staged: Engine) -> None:
        self.close()
        self.store.adopt(Path(staged.dir))

    def create(self) -> None:
        self.close()
        from indexer.engines import remove_other_engines

        remove_other_engines(self.dir, self.name)
        self._ix = self.store.create()

    def open(self) -> None:
        if self._ix is None:
            if not self.exists():
                raise IndexNotFound(f"no index in {self.dir}; run `foi index` first")
            with self._damage():
                self._ix = self.store.open()

    def refresh(self) -> None:
        """A searcher on the latest commit. Not `searcher.refresh()`: in whoosh-reloaded 2.7.5
        a refreshed reader keeps the segments that a merge replaced (FileIndex._reader adds
        the old reader's segments to the new list), so a reader open during indexing counted
        documents twice; nor can it refresh one opened on an empty index (EmptyReader)."""
        with self._lock:
            if self._searcher is not None and not self._searcher.up_to_date():
                fresh = self._ix.searcher()
                self._searcher.close()
                self._searcher = fresh

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._facet_docs = self._day_cache = None
            if self._ix is not None:
                self._ix.close()
            self._searcher = self._ix = None

    def searcher(self):
        """One searcher, reused until the index changes (opening one costs far more than a
        lookup)."""
        with self._lock:
            if self._searcher is None:
                self.open()
                with self._damage():
                    self._searcher = self._ix.searcher()
            else:
                with self._damage():
                    self.refresh()
            return self._searcher

    @contextmanager
    def _damage(self):
        """Engine corruption (a truncated or missing segment, a broken TOC) as IndexDamaged."""
        try:
            yield
        except (QueryError, IndexNotFound, IndexDamaged, IndexWriteError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in FULL + READ_ONLY:  # the disk, not the index
                raise IndexWriteError.from_os(self.dir, exc) from exc
            raise IndexDamaged(self.dir, f"{type(exc).__name__}: {exc}") from exc

    # -- writing
    @classmethod
    def prepare(cls, record: IndexRecord) -> dict:
        from indexer.engines.whoosh.index import prepared_fields

        return prepared_fields(record)

    def prepare_for_writer(self, record: IndexRecord) -> object:
        from indexer.engines.whoosh.index import fields_for_writer

        return fields_for_writer(record)  # analysed by the lane that writes it, not here

    def writer(
        self,
        batch_size: int = 500,
        max_seconds: float | None = None,
        commit_budget: float | None = None,
        workers: int = 1,
    ) -> BatchWriter:
        from indexer.engines.whoosh.index import BatchWriter

        self.open()
        return BatchWriter(
            self._ix,
            self.dir,
            batch_size=batch_size,
            workers=workers,
            max_seconds=max_seconds,
            commit_budget=commit_budget,
        )

    def manifest(self) -> Mapping[str, ManifestEntry]:
        self.open()
        with self._damage():
            return self.store.manifest(self._ix)

    def optimize(self) -> None:
        self.open()
        with self._damage():
            self.store.optimize(self._ix)

    def generation(self) -> int:
        """The number of the latest commit (tests watch it grow)."""
        self.open()
        return self._ix.latest_generation()

    # -- reading
    def doc_count(self) -> int:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                return searcher.doc_count()

    def kinds(self) -> dict[str, int]:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                raw = searcher.search(
                    query.Every(), limit=1, groupedby={"kind": sorting.FieldFacet("kind")}, maptype=sorting.Count
                )
                return dict(sorted(_group(raw, "kind").items()))

    def _compile(self, searcher, node: Node, filters: Node | None):
        compiler = Compiler(searcher.reader())
        compiled = compiler.compile(node)
        if compiled is None:
            raise nothing_to_search(compiler.words, self.is_stop_word, self.min_word_length)
        fq = Compiler(searcher.reader()).compile(filters) if filters is not None else None
        return compiled, fq, compiler

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
            # A filter joins the query as a zero-scoring AND rather than Whoosh's `filter=`:
            # the intersection then skips through the common words' postings to the few
            # filtered documents instead of scoring every match and dropping most.
            run = compiled if fq is None else query.And([compiled, ConstantScore(fq, 0.0)])
            if sort != "relevance":
                with self._damage():
                    return self._by_date(searcher, run, sort, offset, limit, facets, compiler)
            with self._damage():
                best, ranked, every = _top(searcher, run, max(1, offset + limit))
                hits = [
                    EngineHit(float(score), _stored(searcher.stored_fields(docnum)))
                    for score, docnum in best[offset : offset + limit]
                ]
                total, counts = self._facets(searcher, run) if facets else (None, {})
            return EngineResults(
                hits=hits,
                total=total,  # the facets have visited every match anyway
                count=(lambda: ranked) if every else (lambda: self._count_query(run)),
                facets=counts,
                ranked=ranked,
                terms=compiler.terms,
                notes=compiler.notes,
            )

    def _by_date(self, searcher, run, sort: str, offset: int, limit: int, facets: bool, compiler) -> EngineResults:
        """Every match, unscored, ordered by day (undated last either way; ties in index
        order) from the day column read once per searcher: a key lookup per match, where
        Whoosh's sorting collector calls a Python categorizer per match and facet."""
        docs = sorted(query_docs(searcher, run))
        top = []
        if docs:
            keys = self._day_keys(searcher)[sort == "-date"]
            top = heapq.nsmallest(offset + limit, docs, key=keys.__getitem__)[offset:]
        hits = [EngineHit(0.0, _stored(searcher.stored_fields(docnum))) for docnum in top]
        counts = self._count_facets(searcher, set(docs)) if facets else {}
        return EngineResults(
            hits=hits,
            total=len(docs),
            count=lambda: len(docs),
            facets=counts,
            ranked=min(len(docs), offset + limit),
            terms=compiler.terms,
            notes=compiler.notes,
        )

    def _day_keys(self, searcher) -> tuple[array, array]:
        """Sort keys of every document by number, (oldest first, newest first), once per
        searcher. An undated document's column value is the field's maximum (the key after
        every date); newest first negates the days and keeps undated documents last."""
        if self._day_cache is not None and self._day_cache[0] is searcher:
            return self._day_cache[1]
        days = array("q")
        for leaf, _offset in searcher.reader().leaf_readers():
            days.extend(array("q", column_numbers(leaf, "day")))
        newest = array("q", (UNDATED if d == UNDATED else -d for d in days))
        self._day_cache = (searcher, (days, newest))
        return days, newest

    def _count_query(self, run) -> int:
        """Every match, counted from document sets (bulk.py) without scoring. Not
        `len(results)`: after a search that skipped blocks by score (Whoosh's quality
        optimisation) it undercounts nested ORs (measured: 50 of 65 for
        `date:>=2022-01-01 records` over content and boilerplate)."""
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                return count_docs(searcher, run)

    def count(self, query_node: Node, filters: Node | None = None) -> int:
        with self._lock:
            searcher = self.searcher()
            compiled, fq, _ = self._compile(searcher, query_node, filters)
            return self._count_query(compiled if fq is None else query.And([compiled, fq]))

    def facet_counts(self, query_node: Node | None, filters: Node | None) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            searcher = self.searcher()
            if query_node is None:
                compiled = query.Every()
                fq = Compiler(searcher.reader()).compile(filters) if filters is not None else None
            else:
                compiled, fq, _ = self._compile(searcher, query_node, filters)
            with self._damage():
                return self._facets(searcher, compiled if fq is None else query.And([compiled, fq]))[1]

    def _facets(self, searcher, run) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        """(matches, counts per facet) of a query: its documents, unscored, intersected with
        each facet value's documents. Whoosh's grouping instead calls a Python key function
        per match and facet, and rebuilds the exemptions' per-document lists on every query."""
        docs = query_docs(searcher, run)
        return len(docs), self._count_facets(searcher, docs)

    def _count_facets(self, searcher, docs: set[int]) -> dict[str, list[tuple[str, int]]]:
        counts = {}
        for name, values in self._facet_documents(searcher).items():
            found = [(value, len(docs & members)) for value, members in values]
            found = [(value, n) for value, n in found if n]
            found.sort(key=lambda kv: (-kv[1], kv[0]))
            counts[name] = found
        return counts

    def _facet_documents(self, searcher) -> dict[str, list[tuple[str, frozenset[int]]]]:
        """Facet -> (value, its documents) from the postings, once per searcher (a few sets of
        document numbers: each document is in one per facet, a few for exemptions)."""
        if self._facet_docs is not None and self._facet_docs[0] is searcher:
            return self._facet_docs[1]
        reader = searcher.reader()
        out: dict[str, list[tuple[str, frozenset[int]]]] = {}
        for name in FACETS:
            values = []
            for btext in reader.lexicon(name) if name in searcher.schema else ():
                value = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
                if value:
                    values.append((value, frozenset(reader.postings(name, btext).all_ids())))
            out[name] = values
        self._facet_docs = (searcher, out)
        return out

    def document(self, doc_id: str) -> dict | None:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                stored = searcher.document(doc_id=doc_id)
        return _stored(stored) if stored is not None else None

    def document_with_term(self, term: str) -> dict | None:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                hits = searcher.search(query.Term("content", term), limit=1, terms=False)
                return _stored(hits[0].fields()) if hits else None

    def similar(self, doc_id: str, limit: int = 10) -> tuple[list[EngineHit], set[str]]:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                docnum = searcher.document_number(doc_id=doc_id)
            if docnum is None:  # an unknown id, not a damaged index
                raise KeyError(doc_id)
            with self._damage():
                stored = searcher.stored_fields(docnum)
                text = substance_text(stored)  # boilerplate says nothing of what a reply is about
                if not text.strip():
                    return [], set()
                raw = searcher.more_like(docnum, "content", text=text, top=limit, numterms=25)
                keywords = {w for w, _ in searcher.key_terms_from_text("content", text, numterms=25)}
                hits = [EngineHit(float(h.score or 0.0), _stored(h.fields())) for h in raw]
        return hits, keywords

    # -- terms
    def analyze(self, word: str) -> list[str]:
        return analyse("content", word)

    def normalise(self, word: str) -> set[str]:
        return word_forms(word)

    def has_term(self, term: str) -> bool:
        with self._lock:
            return ("content", term) in self.searcher().reader()

    def close_terms(self, term: str, maxdist: int = 2) -> list[str]:
        with self._lock:
            searcher = self.searcher()
            with self._damage():
                return list(searcher.corrector("content").suggest(term, limit=3, maxdist=maxdist, prefix=1))

    def is_stop_word(self, word: str) -> bool:
        return is_stop_word(word)


def _top(searcher, run, limit: int) -> tuple[list[tuple[float, int]], int, bool]:
    """The `limit` best-scored matches as (score, document number), best first, how many
    were scored, and whether that is every match: from whole postings (ranking.py, which
    scores every match), or, for a query part it does not score, from Whoosh's top
    collector (which skips blocks that cannot make the top). That collector by default
    asks the matcher tree every 10 matches to drop the parts that cannot beat the lowest
    kept score (`replace`); on phrase-boosted queries over several fields that dropped
    documents that belonged in the top ten (30 of 80 two-word queries of the benchmark at
    10,000 documents returned a different top ten than scoring every match), so it is
    off. Block-quality skipping stays."""
    try:
        return (*top_docs(searcher, run, limit), True)
    except Unsupported:
        pass
    from whoosh import collectors

    collector = collectors.TopCollector(limit=limit, usequality=True, replace=0)
    searcher.search_with_collector(run, collector)
    raw = collector.results()
    return [(float(score), docnum) for score, docnum in raw.top_n], raw.scored_length(), False


def _stored(fields: dict) -> dict:
    """Whoosh's stored fields under indexer.fields names."""
    out = dict(fields)
    out["date"] = fields.get("date_iso")
    out["request_date"] = fields.get("request_date_iso")
    out["exemptions"] = [v for v in str(fields.get("exemptions") or "").split(",") if v]
    out["year"] = int(fields["year"]) if fields.get("year") else None
    return out


def _group(raw, name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in raw.groups(name).items():
        if key in (None, "", b""):
            continue
        key = key.decode("utf-8") if isinstance(key, bytes) else str(key)
        out[key] = int(value)
    return out


ENGINE = WhooshEngine
