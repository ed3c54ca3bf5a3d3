"""FOI metadata of one response: authority, reference, dates, title, request/response text,
Q&A pairs, exemptions, NCND and outcome, from plain text in and a FoiMetadata out.

Public API (other modules import exactly these): extract_metadata, normalise_exemption,
dedupe_exemptions, exemption_keys, canonical_authority, authority_aliases. Nothing here knows
about Whoosh.
"""

from __future__ import annotations

from indexer.metadata.authorities import authority_aliases, canonical_authority, find_authority
from indexer.metadata.dates import find_dates
from indexer.metadata.exemptions import dedupe, exemption_keys, find_citations, find_ncnd, normalise_exemption
from indexer.metadata.layout import Span, analyse, prepare
from indexer.metadata.outcome import classify
from indexer.metadata.qa import find_qa, find_request, find_response, find_title
from indexer.metadata.references import find_reference
from indexer.models import FoiMetadata

__all__ = [
    "extract_metadata",
    "normalise_exemption",
    "dedupe_exemptions",
    "exemption_keys",
    "canonical_authority",
    "authority_aliases",
]

dedupe_exemptions = dedupe


def extract_metadata(text: str) -> FoiMetadata:
    """Every FOI field that the text supports; the rest stay None/unknown."""
    layout = analyse(prepare(text or ""))
    response_regions = _response_regions(layout)
    citations = find_citations(layout.text, response_regions)
    ncnd = find_ncnd(layout.text, response_regions)
    request = find_request(layout)
    qa = find_qa(layout, request)
    if request is None and qa:
        request = "\n".join(p.question for p in qa)
    date, request_date = find_dates(layout)
    return FoiMetadata(
        title=find_title(layout, request, qa),
        authority=find_authority(layout),
        reference=find_reference(layout),
        date=date,
        request_date=request_date,
        request=request,
        response=find_response(layout),
        qa=qa,
        exemptions=dedupe([c.code for c in citations]),
        ncnd=ncnd,
        outcome=classify(layout, qa, citations, ncnd, request),
    )


def _response_regions(layout) -> list[Span]:
    """The letter minus its request section: a requester's 'section 40' is not a citation."""
    end = layout.current_end
    if layout.request:
        return [Span(0, layout.request.start), Span(layout.request.end, end)]
    return [Span(0, end)]
