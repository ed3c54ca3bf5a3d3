"""Working days for the FOI time limit: 20 working days after receipt, where weekends and the
bank holidays of the authority's nation (from the `holidays` package) are not working days.

The day after the request date is day 1. An authority whose nation is not known is counted
with the bank holidays of England and Wales.
"""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from functools import lru_cache

import holidays

FOI_LIMIT = 20
DEFAULT_NATION = "ENG"  # England and Wales share their bank holidays
NATIONS = ("ENG", "WLS", "SCT", "NIR")

# Devolved bodies named in the authority gazetteer (indexer/data/authorities.csv).
_KNOWN = {
    "Police Scotland": "SCT",
    "Glasgow City Council": "SCT",
    "City of Edinburgh Council": "SCT",
    "Police Service of Northern Ireland": "NIR",
    "Police Ombudsman for Northern Ireland": "NIR",
    "Belfast City Council": "NIR",
    "Dyfed-Powys Police": "WLS",
    "Gwent Police": "WLS",
    "North Wales Police": "WLS",
    "South Wales Police": "WLS",
    "Cardiff Council": "WLS",
}
# The UK government's territorial offices sit in Whitehall: England and Wales holidays.
_WHITEHALL = re.compile(r"^(?:Scotland|Wales|Northern Ireland) Office$", re.I)
_NAME_HINTS = (
    (re.compile(r"\b(?:Scottish|Scotland|Glasgow|Edinburgh|Aberdeen(?:shire)?|Dundee)\b", re.I), "SCT"),
    (re.compile(r"\b(?:Northern Ireland|Belfast)\b", re.I), "NIR"),
    (re.compile(r"\b(?:Welsh|Wales|Cymru|Cardiff|Swansea|Gwynedd)\b", re.I), "WLS"),
)
_lock = threading.Lock()  # holidays objects fill in years lazily: one thread at a time


def nation_of(authority: str | None) -> str | None:
    """ENG, WLS, SCT or NIR when the authority's name tells; None when it does not."""
    if not authority:
        return None
    name = authority.strip()
    if name in _KNOWN:
        return _KNOWN[name]
    if _WHITEHALL.match(name):
        return None
    for pattern, nation in _NAME_HINTS:
        if pattern.search(name):
            return nation
    return None


@lru_cache(maxsize=None)
def _calendar(nation: str) -> holidays.HolidayBase:
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}: use one of {', '.join(NATIONS)}")
    return holidays.UnitedKingdom(subdiv=nation)


def is_working_day(day: date, nation: str | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    calendar = _calendar(nation or DEFAULT_NATION)
    with _lock:
        return day not in calendar


def add_working_days(start: date, count: int, nation: str | None = None) -> date:
    """The `count`-th working day after `start` (`start` itself is not counted)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            left -= 1
    return day


def deadline(request_date: date, nation: str | None = None, limit: int = FOI_LIMIT) -> date:
    """The last day of the time limit: the 20th working day following receipt."""
    return add_working_days(request_date, limit, nation)


def working_days_taken(request_date: date, response_date: date, nation: str | None = None) -> int:
    """Working days from the day after the request up to and including the response date."""
    taken = 0
    day = request_date
    while day < response_date:
        day += timedelta(days=1)
        taken += is_working_day(day, nation)
    return taken


def is_overdue(request_date: date, response_date: date, nation: str | None = None) -> bool:
    """Answered after the 20th working day following receipt."""
    return response_date > deadline(request_date, nation)
