"""The Engine interface: what the search service and the indexing pipeline need of an engine.

An engine stores documents as the engine-neutral values of indexer.fields, compiles the
query tree of indexer.query (and the filters, as tree nodes) into its own queries, and
hands back stored documents as plain dicts with indexer.fields names. Snippets, highlights,
did-you-mean wording and result types are built above it, the same for every engine.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from indexer.models import IndexRecord
from indexer.query import Node

SORTS = ("relevance", "date", "-date")


@dataclass(frozen=True)
class ManifestEntry:
    """What the index holds of one file: enough to tell whether it changed."""

    path: str
    size: int
    mtime: int  # st_mtime_ns
    fingerprint: str


@dataclass
class EngineHit:
    score: float
    stored: dict  # indexer.fields names: the metadata, page_texts, qa_pairs


@dataclass
class EngineResults:
    hits: list[EngineHit]  # the requested window [offset, offset + limit)
    total: int | None = None  # when known without extra work
    count: Callable[[], int] | None = None  # counts every match when asked
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    ranked: int = 0  # matches ranked (<= offset + limit): fewer than asked means that is all
    terms: set[str] = field(default_factory=set)  # index terms the query matched
    notes: list[str] = field(default_factory=list)


class EngineWriter(ABC):
    """Adds and deletes in batches; each commit is a consistent point a killed run falls back to.

    A context manager: commits on success; on error cancels the open batch (the committed
    ones stay) and re-raises."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.pending = 0

    @abstractmethod
    def _add(self, record: IndexRecord, replace: bool) -> None: ...

    @abstractmethod
    def _delete(self, doc_id: str) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _cancel(self) -> None: ...

    def add(self, record: IndexRecord, replace: bool = True) -> bool:
        """Add one document (replacing the one with its doc_id when `replace`; a document
        known to be new skips that lookup). True when this call committed a batch."""
        self._add(record, replace)
        return self._count()

    def delete(self, doc_id: str) -> bool:
        self._delete(doc_id)
        return self._count()

    def _count(self) -> bool:
        self.pending += 1
        if self.pending >= self.batch_size:
            self.commit()
            return True
        return False

    def commit(self) -> None:
        self._commit()
        self.pending = 0

    def cancel(self) -> None:
        self._cancel()
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
        """Open the index, or create it when absent or made by another schema version."""
        from indexer.engines import read_meta

        if self.exists() and read_meta(self.dir).get("schema_version") == self.schema_version:
            self.open()
        else:
            self.create()

    def current_schema(self) -> bool:
        from indexer.engines import read_meta

        return read_meta(self.dir).get("schema_version") == self.schema_version

    @abstractmethod
    def refresh(self) -> None:
        """See the latest commit (cheap when nothing changed)."""

    @abstractmethod
    def close(self) -> None: ...

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
    def writer(self, batch_size: int = 500) -> EngineWriter: ...

    @abstractmethod
    def manifest(self) -> dict[str, ManifestEntry]: ...

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
    def search(self, query: Node, filters: Node | None = None, sort: str = "relevance", offset: int = 0,
               limit: int = 10, facets: bool = False) -> EngineResults: ...

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
