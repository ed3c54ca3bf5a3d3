"""The one record the analysis commands work on, and how to get them from the search service.

`Response` is plain data (a search hit's metadata, plus the request and Q&A when a
comparison needs them). `collect` is the only function here that touches the service, and
it uses its public API only: `count`, `search` and `document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date

from indexer.models import QAPair

# Every document. The service lists every match of the filters for an empty query, but an
# empty query with no filter is a usage error there; `*` is its match-all.
MATCH_ALL = "*"


@dataclass
class Response:
    """One FOI response: what statistics, comparisons and citations need to know of it."""

    doc_id: str
    authority: str | None = None
    reference: str | None = None
    date: str | None = None  # response date, YYYY-MM-DD
    request_date: str | None = None
    outcome: str = "unknown"
    exemptions: list[str] = field(default_factory=list)
    kind: str | None = None
    title: str | None = None
    path: str | None = None
    rank: int | None = None
    request: str | None = None  # the request text, when loaded (with_text)
    response: str | None = None  # the response text, when loaded
    qa: list[QAPair] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The response date's year, else the request date's (as the year facet does)."""
        when = self.date or self.request_date
        return int(when[:4]) if when else None

    def dates(self) -> tuple[Date, Date] | None:
        """(request date, response date) when both are known and in that order.

        A response dated before its request is a misread date, not a fast answer."""
        if not (self.date and self.request_date):
            return None
        try:
            request, response = Date.fromisoformat(self.request_date[:10]), Date.fromisoformat(self.date[:10])
        except ValueError:
            return None
        return (request, response) if response >= request else None

    @property
    def days(self) -> int | None:
        """Calendar days from request to response."""
        pair = self.dates()
        return (pair[1] - pair[0]).days if pair else None


def from_hit(hit) -> Response:
    """A Response from a search hit (any object with the hit fields of DESIGN.md)."""
    return Response(
        doc_id=hit.doc_id,
        authority=hit.authority,
        reference=hit.reference,
        date=hit.date,
        request_date=getattr(hit, "request_date", None),
        outcome=hit.outcome or "unknown",
        exemptions=list(hit.exemptions or []),
        kind=hit.kind,
        title=hit.title,
        path=hit.path,
        rank=hit.rank,
    )


def query_text(query: str | None, filters=None) -> str:
    """The query to run: the user's; with none, every document the filters match (or all)."""
    if query and query.strip():
        return query
    return "" if filters is not None and filters.active() else MATCH_ALL


def matching_hits(service, query: str | None, filters=None, limit: int | None = None, snippets: bool = False) -> list:
    """Every hit of `query` and `filters` (or the first `limit`), best first; no QUERY: newest first."""
    text = query_text(query, filters)
    total = service.count(text, filters)
    if not total:
        return []
    wanted = total if limit is None else min(limit, total)
    sort = "relevance" if text.strip() not in ("", MATCH_ALL) else "-date"
    return service.search(text, filters, sort=sort, limit=wanted, snippets=snippets).hits


def collect(
    service, query: str | None, filters=None, with_text: bool = False, limit: int | None = None
) -> list[Response]:
    """Every matching document as a Response; with the request, response and Q&A if `with_text`."""
    responses = [from_hit(hit) for hit in matching_hits(service, query, filters, limit)]
    if with_text:
        for response in responses:
            load_text(service, response)
    return responses


def load_text(service, response: Response) -> Response:
    """Fill in the request, response text and Q&A of `response` from its stored document."""
    view = service.document(response.doc_id)
    if view is not None:
        response.request = view.metadata.get("request")
        response.response = view.metadata.get("response")
        response.qa = list(view.qa)
    return response
