"""Messages that cross widgets: search results and re-index progress.

Widget-local messages (a query typed, a facet toggled, a hit chosen) are nested in their
widget classes; these are the ones produced by workers and handled by screens.
"""

from __future__ import annotations

from textual.message import Message

from indexer.search import DocumentView, Hit, Results


class SearchCompleted(Message):
    """A search worker finished; `generation` says which query it answered."""

    def __init__(self, generation: int, results: Results) -> None:
        super().__init__()
        self.generation = generation
        self.results = results


class SearchFailed(Message):
    """The query could not be run (QueryError); the last good results stay on screen."""

    def __init__(self, generation: int, query: str, error: str) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.error = error


class PageLoaded(Message):
    """More hits of the current query, fetched when the list scrolled to them."""

    def __init__(self, generation: int, page: int, hits: list[Hit]) -> None:
        super().__init__()
        self.generation = generation
        self.page = page
        self.hits = hits


class FacetsLoaded(Message):
    """Facet counts over the whole index, shown while the query is empty."""

    def __init__(self, generation: int, facets: dict[str, list[tuple[str, int]]], documents: int) -> None:
        super().__init__()
        self.generation = generation
        self.facets = facets
        self.documents = documents


class DocumentLoaded(Message):
    """The full text of a hit, with the offsets of matched terms on each page."""

    def __init__(self, hit: Hit, document: DocumentView, spans: list[list[tuple[int, int]]]) -> None:
        super().__init__()
        self.hit = hit
        self.document = document
        self.spans = spans


class ReindexProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ReindexFinished(Message):
    """`summary` is an IndexSummary, or None with `error` set when the run failed."""

    def __init__(self, summary, error: str | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


class ExportFinished(Message):
    """The current results were written to `path` (`rows` of them), or `error` says why not."""

    def __init__(self, path, rows: int = 0, error: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.rows = rows
        self.error = error
