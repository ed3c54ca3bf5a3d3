"""How a search hit is cited: "South Yorkshire Police, FOI 20191213, 18 June 2019, p. 2".

The parts are authority, reference, response date (D Month YYYY) and PDF page; a part that
is unknown is left out, never guessed.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_LETTER = re.compile(r"[^\W\d_]")


def long_date(iso: str | None) -> str | None:
    """'2019-06-18' -> '18 June 2019'; None for a missing or malformed date."""
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return day_month_year(day)


def day_month_year(day: date) -> str:
    """18 June 2019: English month names whatever the locale (citations are in English)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def reference_label(reference: str | None) -> str | None:
    """A bare number reads as a reference only with a label: '20191213' -> 'FOI 20191213'.
    A reference with letters in it ('FOI-357-19', 'CAS-12345') is cited as written."""
    if not reference or not reference.strip():
        return None
    reference = " ".join(reference.split())
    return reference if _LETTER.search(reference) else f"FOI {reference}"


def citation(authority: str | None, reference: str | None, date_iso: str | None, page: int | None) -> str:
    parts = [
        " ".join(authority.split()) if authority and authority.strip() else None,
        reference_label(reference),
        long_date(date_iso),
        f"p. {page}" if page else None,
    ]
    return ", ".join(p for p in parts if p)


def cite(hit) -> str:
    """The citation of a search hit (any object with authority, reference, date and page)."""
    return citation(hit.authority, hit.reference, hit.date, getattr(hit, "page", None))
