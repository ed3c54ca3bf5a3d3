"""The Engine interface: what the search service and the indexing pipeline need of an engine.

An engine stores documents as the engine-neutral values of indexer.fields, compiles the
query tree of indexer.query (and the filters, as tree nodes) into its own queries, and
hands back stored documents as plain dicts with indexer.fields names. Snippets, highlights,
did-you-mean wording and result types are built above it, the same for every engine.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from indexer.query import Node
from indexer.results import IndexUntrusted
from indexer.storage import IndexWriteError, write_error

if TYPE_CHECKING:
    from indexer.models import IndexRecord

SORTS = ("relevance", "date", "-date")
MEASURED_BATCH = 10  # batches at least this big tell what a commit costs per operation


class ManifestEntry(NamedTuple):
    """What the index holds of one file: enough to tell whether it changed. A tuple: an
    incremental run loads one per indexed document (50,000 rows in a tenth of a second)."""

    path: str
    size: int
    mtime: int  # st_mtime_ns
    fingerprint: str


def id_folder(doc_id: str) -> str:
    """The folder of doc ids a document belongs to: its doc id up to the last '/'. A manifest
    that keeps its entries by folder (Engine.manifest) names them so, as the walk does."""
    return doc_id.rpartition("/")[0]


@dataclass
class EngineHit:
    """One ranked document as an engine returns it."""

    score: float
    stored: dict  # indexer.fields names: the metadata, page_texts, qa_pairs


@dataclass
class EngineResults:
    """One window of an engine's ranked documents, with what it knows of the rest."""

    hits: list[EngineHit]  # the requested window [offset, offset + limit)
    total: int | None = None  # when known without extra work
    count: Callable[[], int] | None = None  # counts every match when asked
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    ranked: int = 0  # matches ranked (<= offset + limit): fewer than asked means that is all
    terms: set[str] = field(default_factory=set)  # index terms the query matched
    notes: list[str] = field(default_factory=list)


class EngineWriter(ABC):
    """Adds and deletes in batches; each commit is a consistent point a killed run falls back to.

    A batch is committed when it holds `batch_size` operations, when its oldest has waited
    `max_seconds`, or when committing it would take about `commit_budget` seconds of CPU (checked
    on every operation and by `tick()`, which the caller runs while it waits for work). The
    last keeps an interrupted run's final commit short: a Whoosh commit writes all the
    batch's postings then, in Python, while tantivy has written them as it went.

    A context manager: commits on success; on error cancels the open batch (the committed
    ones stay) and re-raises. Write failures of the file system (a full disk, a read-only
    folder) come out as storage.IndexWriteError."""

    # Seconds a commit takes per operation in the batch, until one has been measured.
    commit_seconds_per_op: ClassVar[float] = 0.0

    def __init__(
        self, batch_size: int, index_dir: Path, max_seconds: float | None = None, commit_budget: float | None = None
    ):
        self.batch_size = batch_size
        self.dir = Path(index_dir)
        self.max_seconds = max_seconds
        self.commit_budget = commit_budget
        self.pending = 0
        self.committed = 0  # operations this writer has committed
        self._opened = time.monotonic()  # when the open batch got its first operation
        self._per_op = self.commit_seconds_per_op
        self._measured = False
        self.merged = 0  # operations of earlier commits a commit rewrote (merged): set by engines
        self._hurried = False
        self._stopped: Callable[[], bool] = lambda: False

    @abstractmethod
    def _add(self, record: IndexRecord, replace: bool) -> None: ...

    @abstractmethod
    def _delete(self, doc_id: str) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _cancel(self) -> None: ...

    def _failure(self, exc: BaseException) -> IndexWriteError | None:
        """An engine's own error as an IndexWriteError when it is a storage failure (engines
        whose errors carry no errno override this)."""
        return write_error(self.dir, exc)

    @contextmanager
    def _io(self) -> Iterator[None]:
        try:
            yield
        except (KeyboardInterrupt, MemoryError, IndexWriteError):
            raise
        except Exception as exc:
            failure = self._failure(exc)
            if failure is None:
                raise
            raise failure from exc

    def add(self, record: IndexRecord, replace: bool = True) -> bool:
        """Add one document (replacing the one with its doc_id when `replace`; a document
        known to be new skips that lookup). True when this call committed a batch."""
        with self._io():
            self._add(record, replace)
        return self._count()

    def delete(self, doc_id: str) -> bool:
        with self._io():
            self._delete(doc_id)
        return self._count()

    def _count(self) -> bool:
        if self.pending == 0:
            self._opened = time.monotonic()
        self.pending += 1
        if self.pending >= self.batch_size or self.due():
            self.commit()
            return True
        return False

    def due(self) -> bool:
        """Whether the open batch has waited long enough, or grown costly enough, to be committed."""
        if not self.pending:
            return False
        if self.max_seconds is not None and time.monotonic() - self._opened >= self.max_seconds:
            return True
        return self.commit_budget is not None and self.pending * self._per_op >= self.commit_budget

    def tick(self) -> bool:
        """Commit the open batch if it is due; True when it did."""
        if self.due():
            self.commit()
            return True
        return False

    def commit(self) -> None:
        # CPU time, not wall time: on a busy machine a commit's wall time balloons, and
        # commits sized by it would shrink into many small segments that cost merges
        started = time.process_time()
        self.merged = 0
        with self._io():
            self._commit()
        if self.pending >= MEASURED_BATCH:  # a small batch's cost is mostly fixed
            measured = self._commit_cost(started) / (self.pending + self.merged)
            # the first measure replaces the engine's guess; later ones smooth out a slow moment
            self._per_op = (self._per_op + measured) / 2 if self._measured else measured
            self._measured = True
        self.committed += self.pending
        self.pending = 0

    def _commit_cost(self, started: float) -> float:
        """CPU seconds the commit begun at process time `started` took (an engine that commits
        in processes of its own adds what they spent)."""
        return time.process_time() - started

    def hurry(self) -> None:
        """From now on, commits skip work they may leave for later (merging segments): the
        run is stopping and the user is waiting."""
        self._hurried = True

    def watch(self, stopped: Callable[[], bool]) -> None:
        """Hurry as soon as `stopped()` is true, even while waiting on work of the writer's
        own (the run's stop request: a signal may come while the last commit waits)."""
        self._stopped = stopped

    @property
    def hurried(self) -> bool:
        return self._hurried or self._stopped()

    def cancel(self) -> None:
        """Drop the open batch. Never raises over the error that led here: an engine that
        failed half-way (a full disk) may fail again while undoing."""
        try:
            self._cancel()
        except Exception:
            pass
        self.pending = 0

    def __enter__(self) -> "EngineWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


class Engine(ABC):
    """One index folder of one engine. Readers may share an instance across threads: the
    service serialises calls with its own lock."""

    name: ClassVar[str]
    schema_version: ClassVar[int]

    def __init__(self, index_dir: Path):
        self.dir = Path(index_dir)

    # -- lifecycle
    @classmethod
    @abstractmethod
    def files_present(cls, index_dir: Path) -> bool:
        """Whether the folder holds this engine's files (recorded or not)."""

    @classmethod
    @abstractmethod
    def remove_files(cls, index_dir: Path) -> None:
        """Remove this engine's files from the folder (and nothing else)."""

    def exists(self) -> bool:
        return self.files_present(self.dir)

    @abstractmethod
    def create(self) -> None:
        """A new empty index, recorded as this engine. Removes only the engine's own files."""

    @abstractmethod
    def open(self) -> None:
        """Open for reading and writing. Raises IndexNotFound or IndexDamaged."""

    def open_or_create(self) -> None:
        """Open the index, or create it when the folder holds none. An index whose record
        cannot be trusted (missing, unreadable, another schema version) is never started over
        on a guess, which would drop every folder's documents: IndexUntrusted."""
        if not self.exists():
            self.create()
            return
        self.check_record(writing=True)
        self.open()

    def check_record(self, writing: bool = False) -> None:
        """Raise IndexUntrusted unless the folder's record says this engine and schema made it."""
        from indexer.engines import record_problem

        problem = record_problem(self.dir, self.name, self.schema_version)
        if problem:
            unchanged = "nothing was changed: " if writing else ""
            raise IndexUntrusted(f"index at {self.dir}: {problem}; {unchanged}rebuild it with {self.rebuild_command()}")

    def current_schema(self) -> bool:
        from indexer.engines import record_problem

        return record_problem(self.dir, self.name, self.schema_version) is None

    def rebuild_command(self) -> str:
        """`foi index --rebuild` with the folders this index holds documents of, when they can
        be read from it: a rebuild of only ./corpus would leave the others out."""
        import shlex

        try:
            roots = sorted(self.indexed_roots())
        except Exception:  # an index this version cannot read: the plain command
            roots = []
        if not roots:
            return "`foi index --rebuild FOLDER...` (every folder it should hold)"
        return "`" + " ".join(["foi", "index", "--rebuild", *map(shlex.quote, roots)]) + "`"

    def indexed_roots(self) -> dict[str, str]:
        """Folder -> the name its doc ids start with, for every folder the index holds documents
        of. Read from the committed documents (doc id `NAME/REL`, path `FOLDER/REL`), so it
        is as atomic as they are."""
        roots: dict[str, str] = {}
        for doc_id, entry in self.manifest().items():
            name, _, rel = doc_id.split("!/", 1)[0].partition("/")
            if rel and entry.path.endswith("/" + rel):
                roots.setdefault(entry.path[: -len(rel) - 1] or "/", name)
        return roots

    @abstractmethod
    def refresh(self) -> None:
        """See the latest commit (cheap when nothing changed)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- rebuilds and leftovers (engines/staging.py drives them)
    @abstractmethod
    def adopt(self, staged: "Engine") -> None:
        """Make the index built in `staged` (a folder inside this one, closed) this folder's
        index in one atomic step: readers see the old index or the new one, never neither
        and never half. `staged.dir` may be left with the old files, for the caller to remove."""

    @classmethod
    @abstractmethod
    def clean_leftovers(cls, index_dir: Path) -> int:
        """Remove what a failed or killed write of this engine left in the folder (temporary
        files, segments no commit uses); the bytes freed. Runs under the writer lock."""

    def size_bytes(self) -> int:
        if not self.dir.is_dir():
            return 0
        return sum(f.stat().st_size for f in self.dir.rglob("*") if f.is_file())

    # -- writing
    @classmethod
    @abstractmethod
    def prepare(cls, record: IndexRecord) -> dict:
        """Worker side, in an extraction process: the record's fields made ready for the
        writer (analysis done where the engine allows). Must be picklable."""

    @abstractmethod
    def writer(
        self,
        batch_size: int = 500,
        max_seconds: float | None = None,
        commit_budget: float | None = None,
        workers: int = 1,
    ) -> EngineWriter:
        """`workers`: how many processes (or threads) the writer may keep busy, as the run's
        extraction does."""

    def prepare_for_writer(self, record: IndexRecord) -> object:
        """The record's fields made ready in the indexing process (a record the writer splits
        again): as in a worker, unless the engine leaves that work to its writer."""
        return self.prepare(record)

    @abstractmethod
    def manifest(self) -> Mapping[str, ManifestEntry]:
        """doc_id -> entry. A manifest kept by folder (id_folder) may also offer folders(),
        folder(name) and same_folder(...) (see discover.KnownFiles): the pipeline then
        compares and reads whole folders instead of an entry per document."""

    @abstractmethod
    def optimize(self) -> None: ...

    @abstractmethod
    def generation(self) -> int:
        """A number that grows with every commit."""

    # -- reading
    @abstractmethod
    def doc_count(self) -> int: ...

    @abstractmethod
    def kinds(self) -> dict[str, int]:
        """Documents per extractor kind."""

    @abstractmethod
    def search(
        self,
        query: Node,
        filters: Node | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 10,
        facets: bool = False,
    ) -> EngineResults: ...

    @abstractmethod
    def count(self, query: Node, filters: Node | None = None) -> int: ...

    @abstractmethod
    def facet_counts(self, query: Node | None, filters: Node | None) -> dict[str, list[tuple[str, int]]]:
        """Counts per facet (indexer.fields.FACETS), most first; `query` None is every document."""

    @abstractmethod
    def document(self, doc_id: str) -> dict | None:
        """The stored document with indexer.fields names, or None."""

    @abstractmethod
    def similar(self, doc_id: str, limit: int = 10) -> tuple[list[EngineHit], set[str]]:
        """Documents sharing the most distinctive words of doc_id, and those words (index
        terms). Raises KeyError for an unknown doc_id."""

    # -- terms: highlighting and did-you-mean
    @abstractmethod
    def analyze(self, word: str) -> list[str]:
        """The content terms of a word as the index holds them ([] for a stop word)."""

    @abstractmethod
    def normalise(self, word: str) -> set[str]:
        """Forms of a word of document text that may equal a matched term (for highlights)."""

    @abstractmethod
    def has_term(self, term: str) -> bool:
        """Whether the content field holds this term."""

    @abstractmethod
    def close_terms(self, term: str, maxdist: int = 2) -> list[str]:
        """Content terms within `maxdist` edits of `term` (same first letter), best first."""

    @abstractmethod
    def document_with_term(self, term: str) -> dict | None:
        """A stored document whose content holds `term` (did-you-mean shows the word as written)."""

    @abstractmethod
    def is_stop_word(self, word: str) -> bool: ...

    min_word_length: ClassVar[int] = 2
