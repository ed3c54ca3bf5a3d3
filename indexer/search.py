"""The search service: the one door the CLI and the TUI use to read an index, on any engine.

It parses the query language once (indexer.query), lets the index's engine run it, and
builds hits with snippets and highlights from stored text (indexer.snippets), so the output
is the same shape and content whichever engine holds the index.
"""

from __future__ import annotations

import threading
import time
from itertools import combinations
from pathlib import Path

from indexer import query as qtree
from indexer.engines import Engine, EngineHit, EngineResults, engine_for, recorded_engine
from indexer.fields import FACETS, PAGED_KINDS, QUERY_FIELDS, metadata_of
from indexer.results import (
    AmbiguousDocument,
    DocumentView,
    Filters,
    Hit,
    IndexDamaged,
    IndexNotFound,
    IndexStats,
    QAPair,
    QueryError,
    Results,
)
from indexer.snippets import Highlighter, Snippet, best_snippet

SORTS = ("relevance", "date", "-date")
USER_FIELDS = QUERY_FIELDS


class SearchService:
    """Keeps one engine (and its reader) open; the engine refreshes it when the index changes."""

    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        self._engine: Engine | None = None
        self._lock = threading.RLock()

    # -- lifecycle
    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = engine_for(self.index_dir)
                if not engine.exists():
                    raise IndexNotFound(f"no index in {self.index_dir}; run `foi index` first")
                try:
                    engine.check_record()
                finally:
                    engine.close()  # the check may have opened it to name the folders it holds
                self._engine = engine
            return self._engine

    @property
    def store(self):
        """The index folder (`.dir`), for callers that show or re-index it."""
        return _Store(self.index_dir)

    @property
    def engine_name(self) -> str | None:
        return self._engine.name if self._engine is not None else recorded_engine(self.index_dir)

    def available(self) -> bool:
        name = recorded_engine(self.index_dir)
        if name is None:
            return False
        try:
            return self.engine.exists()
        except (IndexNotFound, IndexDamaged):
            return False

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            self._engine = None

    def parse(self, text: str) -> qtree.ParsedQuery:
        """The query tree of `text` (opens the index, as a search would)."""
        self.engine  # noqa: B018 - a parse is a search's first step: open now
        return qtree.parse(text)

    # -- searching
    def search(
        self,
        text: str,
        filters: Filters | None = None,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
        snippets: bool = True,
    ) -> Results:
        """Ranked hits of `text`; with no text and some filters, every matching document,
        newest first. Documents whose substance matches come first; those that match only
        in their boilerplate follow. When no document has every word of a plain query,
        those with most of the words are shown and `Results.fallback` says so (after any
        did-you-mean, which is worked out first and kept in `Results.suggestion`)."""
        started = time.perf_counter()
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}: use relevance, date or -date")
        parsed, ftree = self._parse(text, filters)
        if isinstance(parsed.tree, qtree.Every) and sort == "relevance" and ftree is not None:
            sort = "-date"  # browsing by filter: newest first
        limit = max(0, limit)
        fallback = None
        with self._lock:
            engine = self.engine
            raw = self._run(engine, parsed.tree, ftree, sort, offset, limit, facets)
            # fewer ranked than asked means that is every match: no need to count to know
            suggestion = self._suggest(parsed) if raw.ranked < min(3, offset + max(limit, 1)) else None
            # did-you-mean first (shown with the hits), then no dead end: most of the words
            if not raw.hits and (offset == 0 or raw.count() == 0):
                found = self._most_words(engine, parsed, ftree, sort, offset, limit, facets)
                if found is not None:
                    fallback, raw = found
            highlighter = Highlighter(raw.terms, engine.normalise)
            hits = [self._hit(rank, hit, highlighter, snippets) for rank, hit in enumerate(raw.hits, start=offset + 1)]
        return Results(
            query=text,
            parsed=repr(parsed.tree),
            hits=hits,
            total=raw.total,
            count=raw.count,
            facets=raw.facets,
            suggestion=suggestion,
            seconds=time.perf_counter() - started,
            offset=offset,
            terms=sorted(raw.terms),
            notes=list(dict.fromkeys(parsed.notes + raw.notes)),
            fallback=fallback,
        )

    def _run(
        self,
        engine: Engine,
        tree: qtree.Node,
        ftree: qtree.Node | None,
        sort: str,
        offset: int,
        limit: int,
        facets: bool,
    ) -> EngineResults:
        """One window of hits in two tiers: documents whose substance matches, ranked; then
        documents that match only with their boilerplate, ranked after every one of them
        (boilerplate weighs BOILERPLATE_BOOST of the substance within that tier too)."""
        wide = qtree.with_boilerplate(tree)
        if sort != "relevance" or not qtree.has_default_leaves(tree):
            return engine.search(wide, ftree, sort=sort, offset=offset, limit=limit, facets=facets)
        first = engine.search(tree, ftree, sort=sort, offset=offset, limit=limit, facets=False)
        hits, terms, notes = list(first.hits), set(first.terms), list(first.notes)
        ranked = first.ranked
        if first.ranked < offset + limit:  # the substance matches are all here: boilerplate-only ones follow
            substance = offset + len(first.hits) if first.hits or offset == 0 else engine.count(tree, ftree)
            rest = engine.search(
                qtree.And((wide, qtree.Not(qtree.matching_part(tree)))),
                ftree,
                sort=sort,
                offset=max(0, offset - substance),
                limit=limit - len(hits),
                facets=False,
            )
            hits += rest.hits
            terms |= rest.terms
            notes += rest.notes
            ranked = substance + rest.ranked
        return EngineResults(
            hits=hits,
            count=lambda: engine.count(wide, ftree),
            facets=engine.facet_counts(wide, ftree) if facets else {},
            ranked=ranked,
            terms=terms,
            notes=notes,
        )

    def _most_words(
        self,
        engine: Engine,
        parsed: qtree.ParsedQuery,
        ftree: qtree.Node | None,
        sort: str,
        offset: int,
        limit: int,
        facets: bool,
    ) -> tuple[str, EngineResults] | None:
        """No document has every word: the documents with as many of them as any has,
        and a sentence saying so ("no response has all of: library visits; showing those
        with 'library'")."""
        if not parsed.plain:
            return None
        words = list(dict.fromkeys(w for w in parsed.words if engine.analyze(w)))
        if len(words) < 2 or len(words) > 8:
            return None
        for size in range(len(words) - 1, 0, -1):
            found = [
                combo
                for combo in combinations(words, size)
                if engine.count(qtree.with_boilerplate(qtree.all_of(combo)), ftree)
            ]
            if not found:
                continue
            trees = tuple(qtree.all_of(combo) for combo in found)
            raw = self._run(
                engine, trees[0] if len(trees) == 1 else qtree.Or(trees), ftree, sort, offset, limit, facets
            )
            if len(found) <= 3:
                which = " or ".join(" and ".join(f"'{w}'" for w in combo) for combo in found)
            else:
                which = f"{size} of the {len(words)} words"
            return f"no response has all of: {' '.join(words)}; showing those with {which}", raw
        return None

    def _parse(self, text: str | None, filters: Filters | None) -> tuple[qtree.ParsedQuery, qtree.Node | None]:
        ftree = qtree.filter_tree(filters)
        if (text is None or not text.strip()) and ftree is not None:
            return qtree.ParsedQuery(qtree.Every(), ""), ftree
        return qtree.parse(text or ""), ftree

    def count(self, text: str, filters: Filters | None = None) -> int:
        """Documents matching `text`, in their substance or their boilerplate."""
        parsed, ftree = self._parse(text, filters)
        with self._lock:
            return self.engine.count(qtree.with_boilerplate(parsed.tree), ftree)

    def _hit(self, rank: int, hit: EngineHit, highlighter: Highlighter, snippets: bool) -> Hit:
        stored = hit.stored
        pages = stored.get("page_texts") or [""]
        snippet = (
            best_snippet(pages, highlighter, boilerplate=stored.get("page_boilerplate")) if snippets else Snippet("")
        )
        qa = _best_qa(stored.get("qa_pairs") or [], highlighter) if snippets else None
        kind = stored.get("kind") or "text"
        page = (snippet.page_index or 0) + 1 if snippets and kind in PAGED_KINDS else None
        meta = metadata_of(stored)
        return Hit(
            rank=rank,
            score=hit.score,
            doc_id=meta["doc_id"],
            path=meta["path"] or "",
            title=meta["title"],
            authority=meta["authority"],
            reference=meta["reference"],
            date=meta["date"],
            request_date=meta["request_date"],
            kind=kind,
            exemptions=meta["exemptions"],
            outcome=meta["outcome"],
            snippet=snippet.text,
            highlights=snippet.highlights,
            page=page,
            pages=stored.get("pages") or len(pages),
            qa=qa,
            date_source=meta["date_source"],
            parent=meta["parent"],
        )

    def _suggest(self, parsed: qtree.ParsedQuery) -> str | None:
        """A did-you-mean for misspelt plain words (a word is misspelt when its term is not
        in the index). Each correction is shown as the word a document actually uses, so
        "potholez" suggests "potholes", not the stem "pothol"."""
        if not parsed.plain or not parsed.words:
            return None
        engine = self.engine
        changed = False
        out = []
        for word in parsed.words:
            terms = engine.analyze(word)
            if len(terms) == 1 and not engine.has_term(terms[0]):
                options = engine.close_terms(terms[0], maxdist=2)
                surface = self._surface_form(options[0]) if options else None
                if surface:
                    out.append(surface)
                    changed = True
                    continue
            out.append(word)
        return " ".join(out) if changed else None

    def _surface_form(self, term: str) -> str | None:
        """The word as written in the first document that holds `term`."""
        stored = self.engine.document_with_term(term)
        if stored is None:
            return None
        for page in stored.get("page_texts") or []:
            found = Highlighter({term}, self.engine.normalise).matches(page, limit=1)
            if found:
                return page[found[0].start : found[0].end].lower()
        return term

    # -- documents
    def resolve(self, given: str) -> str | None:
        """The doc_id meant by `given`: a doc_id, a file's path (as indexed), or a file name
        that exactly one document has. None when nothing matches; AmbiguousDocument when
        the name is shared."""
        with self._lock:
            engine = self.engine
            if engine.document(given) is not None:
                return given
            manifest = engine.manifest()
        try:
            wanted = str(Path(given).expanduser().resolve())
        except (OSError, RuntimeError):
            wanted = None
        by_path = sorted(doc_id for doc_id, entry in manifest.items() if wanted and entry.path == wanted)
        if len(by_path) == 1:
            return by_path[0]
        name = given.rstrip("/").rsplit("/", 1)[-1]
        by_name = sorted(doc_id for doc_id in manifest if doc_id.rsplit("/", 1)[-1] == name) if name else []
        if len(by_name) > 1:
            raise AmbiguousDocument(given, by_name)
        return by_name[0] if by_name else None

    def document(self, doc_id: str) -> DocumentView | None:
        with self._lock:
            stored = self.engine.document(doc_id)
        if stored is None:
            return None
        qa = [QAPair(q["question"], q["answer"]) for q in stored.get("qa_pairs") or []]
        return DocumentView(metadata=metadata_of(stored), pages=stored.get("page_texts") or [], qa=qa)

    def similar(self, doc_id: str, limit: int = 10) -> Results:
        """More like this: documents sharing the most distinctive words of `doc_id`."""
        started = time.perf_counter()
        with self._lock:
            engine = self.engine
            raw, keywords = engine.similar(doc_id, limit=limit)
            highlighter = Highlighter(keywords, engine.normalise)
            hits = [self._hit(rank, hit, highlighter, True) for rank, hit in enumerate(raw, start=1)]
        return Results(
            query=f"similar:{doc_id}",
            parsed="more_like_this",
            hits=hits,
            total=len(hits),
            seconds=time.perf_counter() - started,
            terms=sorted(keywords),
        )

    def stats(self) -> IndexStats:
        """Counts for `foi status`. Raises IndexNotFound when there is no index, IndexDamaged
        when its files cannot be read."""
        from indexer.state import IndexState

        state = IndexState.load(self.index_dir)
        with self._lock:
            engine = self.engine
            documents = engine.doc_count()
            kinds = engine.kinds()
        return IndexStats(
            documents=documents,
            index_bytes=engine.size_bytes(),
            last_run=state.last_run,
            failures=[f.to_dict() for f in state.failures.values()],
            engine=engine.name,
            kinds=kinds,
        )

    def reindex(self, paths: list[Path] | None = None, on_progress=None, on_event=None):
        """Incremental re-index of `paths` (default: the folders indexed before, else ./corpus).

        Offered here so the TUI talks to one service; the pipeline does the work."""
        from indexer.pipeline import RunOptions, run_index

        if not paths:
            paths = [Path(r) for r in self.indexed_folders() if Path(r).exists()] or [Path("corpus")]
        summary = run_index(paths, self.index_dir, RunOptions(), on_event=on_event, on_progress=on_progress)
        with self._lock:
            if self._engine is not None:
                self._engine.refresh()
        return summary

    def indexed_folders(self) -> list[str]:
        """The folders the index holds documents of (read from its committed documents), and
        the ones the run log names (folders indexed while they held nothing)."""
        from indexer.state import IndexState

        folders = set(IndexState.load(self.index_dir).roots)
        if self.available():
            with self._lock:
                folders |= set(self.engine.indexed_roots())
        return sorted(folders)

    def facet_counts(self, text: str | None = None, filters: Filters | None = None) -> dict[str, list[tuple[str, int]]]:
        """Facet counts for a query, or for the whole index when `text` is empty."""
        ftree = qtree.filter_tree(filters)
        tree = qtree.with_boilerplate(qtree.parse(text).tree) if text and text.strip() else None
        with self._lock:
            return self.engine.facet_counts(tree, ftree)

    def highlight_spans(self, text: str, terms, limit: int = 5000) -> list[tuple[int, int]]:
        """[start, end) offsets in `text` of words matching `terms` (a Results.terms list).

        The same matching as snippets use, over a whole document, so the preview can mark
        every hit without knowing how the index analyses words."""
        highlighter = Highlighter(set(terms), self.engine.normalise)
        return [(m.start, m.end) for m in highlighter.matches(text, limit=limit)]


class _Store:
    """The index folder of a service (`service.store.dir`)."""

    def __init__(self, index_dir: Path):
        self.dir = index_dir


def _best_qa(pairs: list[dict], highlighter: Highlighter) -> QAPair | None:
    best, best_key = None, (0, 0)
    for pair in pairs:
        matches = highlighter.matches(f"{pair['question']}\n{pair['answer']}")
        key = (len({m.term for m in matches}), len(matches))
        if key > best_key:
            best, best_key = pair, key
    return QAPair(best["question"], best["answer"]) if best else None


__all__ = [
    "AmbiguousDocument",
    "DocumentView",
    "FACETS",
    "Filters",
    "Hit",
    "IndexDamaged",
    "IndexNotFound",
    "IndexStats",
    "QueryError",
    "Results",
    "SORTS",
    "SearchService",
    "USER_FIELDS",
]
