"""What a search returns, engine-free: hits, a page of results, a document, index statistics,
filters, and the errors a reader can meet (a bad query, a missing or damaged index).

The CLI and the TUI import these (through indexer.search); no engine type ever leaks out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.fields import HIT_FIELDS


class QueryError(ValueError):
    """A query that cannot be run; the message is one sentence naming the problem. It quotes
    the query, so it is made one safe line here, for every caller (CLI, TUI, library)."""

    def __init__(self, message: object = "") -> None:
        from indexer.textsafe import one_line

        super().__init__(one_line(message))


class IndexNotFound(Exception):
    """No index in the folder (exit 1 with its own message, distinct from "no hits")."""


class IndexDamaged(Exception):
    """The engine's files cannot be read. The message says so and names `--rebuild`."""

    def __init__(self, index_dir, detail: str):
        self.index_dir = index_dir
        self.detail = " ".join(str(detail).split())[:200]
        super().__init__(f"index at {index_dir} is damaged ({self.detail}): run `foi index --rebuild`")


class IndexUntrusted(Exception):
    """The index's record of what made it (engine, schema version) is missing, unreadable or
    from another version of foi: nothing is written or deleted on a guess (exit 1)."""


class AmbiguousDocument(LookupError):
    """A file name that more than one indexed document has (a usage error: exit 2)."""

    def __init__(self, given: str, candidates: list[str]):
        self.given = given
        self.candidates = candidates
        super().__init__(f"{given!r} names {len(candidates)} documents")


class EngineMismatch(Exception):
    """Indexing into an index made by the other engine (a usage error: exit 2)."""


@dataclass
class QAPair:
    """One question of a request and the authority's answer to it."""

    question: str
    answer: str
    number: int | None = None

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer}


@dataclass
class Filters:
    """The filter flags of `foi search` (--authority, --after, ...); empty is no filter."""

    authority: str | None = None
    after: str | None = None  # YYYY-MM-DD inclusive
    before: str | None = None  # YYYY-MM-DD inclusive
    exemption: str | None = None
    outcome: str | None = None
    kind: str | None = None

    def active(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Hit:
    """One ranked result: the document's metadata, its best snippet and Q&A pair."""

    rank: int
    score: float
    doc_id: str
    path: str
    title: str | None
    authority: str | None
    reference: str | None
    date: str | None
    request_date: str | None
    kind: str
    exemptions: list[str]
    outcome: str
    snippet: str
    highlights: list[list[int]]
    page: int | None
    pages: int
    qa: QAPair | None = None
    date_source: str | None = None
    parent: str | None = None

    def to_dict(self) -> dict:
        out = {"rank": self.rank, "score": round(self.score, 4)}
        out.update({name: getattr(self, name) for name in HIT_FIELDS})
        out.update(
            {
                "snippet": self.snippet,
                "highlights": self.highlights,
                "page": self.page,
                "pages": self.pages,
                "qa": self.qa.to_dict() if self.qa else None,
            }
        )
        return out


class Results:
    """One page of hits. `total` is counted on first use: an engine ranks the top hits
    without visiting every match, and counting them all again can cost as much as the
    search, which a script reading JSON Lines never needs."""

    def __init__(
        self,
        query: str,
        parsed: str,
        hits: list[Hit],
        total: int | None = None,
        facets: dict[str, list[tuple[str, int]]] | None = None,
        suggestion: str | None = None,
        seconds: float = 0.0,
        offset: int = 0,
        terms: list[str] | None = None,
        count: Callable[[], int] | None = None,
        notes: list[str] | None = None,
        fallback: str | None = None,
    ):
        self.query = query
        self.parsed = parsed
        self.hits = hits
        self._total = total
        self._count = count
        self.facets = facets or {}
        self.suggestion = suggestion
        self.seconds = seconds
        self.offset = offset
        self.terms = terms or []  # index terms the query matched
        self.notes = notes or []  # what was changed to run the query (a clamped fuzzy distance)
        # set when no document has every word: the hits have most of them, and this says so
        self.fallback = fallback

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self._count() if self._count else self.offset + len(self.hits)
        return self._total

    def __repr__(self) -> str:
        return f"Results(query={self.query!r}, hits={len(self.hits)}, total={self._total})"


@dataclass
class DocumentView:
    """One document for `foi show` and the TUI preview."""

    metadata: dict
    pages: list[str]
    qa: list[QAPair]

    @property
    def content(self) -> str:
        return "\n\n".join(self.pages)

    def to_dict(self) -> dict:
        return {**self.metadata, "content": self.content, "qa": [q.to_dict() for q in self.qa]}


@dataclass
class IndexStats:
    """What `foi status` reports of an index."""

    documents: int
    index_bytes: int
    last_run: str | None
    failures: list[dict]
    engine: str | None = None
    kinds: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "engine": self.engine,
            "kinds": dict(self.kinds),
            "index_bytes": self.index_bytes,
            "last_run": self.last_run,
            "failures": list(self.failures),
        }
