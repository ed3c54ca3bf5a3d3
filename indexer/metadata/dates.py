"""The response date and the request date, ISO 8601, UK day-first.

Regexes only find candidate strings and read their context; python-dateutil parses them.
The response date comes from the letter's own date line or a "Date:" label; a date after
"your request dated" / "which we received on" is the request date; a deadline ("respond
by ...") or a date in a quoted email is neither. No date found means None, not a guess.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateutil import parser as date_parser

from indexer.metadata.layout import Layout

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_SP = r"[ \t]*\n?[ \t]*"
_GAP = r"(?:[ \t]+(?:\n[ \t]*)?|\n[ \t]*)"  # at least one space, or a line break (a wrapped line)
# "Saturday, 23rd June 2018": a weekday may stand between a cue and its date.
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?"
_DATE = re.compile(
    r"(?<![\w/.\-])(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH}\.?,?{_GAP}(?:19|20)\d\d"
    rf"|{_MONTH}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?{_GAP}(?:19|20)\d\d"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:(?:19|20)\d\d|\d\d)"
    r"|(?:19|20)\d\d-\d\d-\d\d"
    r")(?![\w/]|\.\d|-\d)",
    re.I,
)

# Context just before a date that makes it the request date.
_REQUEST_BEFORE = re.compile(
    r"(?:(?:request|e-?mail|letter|correspondence|application|enquiry|message|quer(?:y|ies))\b[^.?!]{0,60}?\b"
    r"(?:dated|of|received|made|submitted|sent|on)"
    r"|which\s+we\s+received(?:\s+on)?|received\s+(?:by\s+us\s+)?on|you\s+validated\s+on"
    r"|date\s+(?:of\s+(?:your\s+)?request|received|request\s+received)\s*:?"
    r"|request(?:ed)?\s+date\s*:?|received\s*:)[\s|]*(?:the\s+)?" + _WEEKDAY + "$",
    re.I,
)
_REQUEST_AFTER = re.compile(r",?\s+(?:you|when\s+you)\s+(?:asked|requested|wrote|submitted|made|sent|emailed)", re.I)
# "We responded to your original request on 8 October 2020": the date of an earlier reply.
_OUR_REPLY_BEFORE = re.compile(
    r"(?:\b(?:respond\w*|repl(?:y|ied)|answered|wrote|sent\s+(?:you\s+)?(?:a|our)\s+response)\s+(?:to\s+)?(?:your\s+)?"
    r"(?:original\s+|earlier\s+|previous\s+)?(?:request|e-?mail|letter|quer(?:y|ies))\b[^.?!]{0,30}"
    # "a previous request from you which was answered on 17 March 2021": another request's reply
    r"|\b(?:answered|responded\s+to|replied\s+to|closed|refused)\s+(?:on\s+)?(?:the\s+)?" + _WEEKDAY + ")$",
    re.I,
)
_DEADLINE_BEFORE = re.compile(r"(?:\bby|\bdue|deadline|no\s+later\s+than|until|before)\s*(?:the\s+)?:?\s*$", re.I)
# A label on the date's own line that makes it the letter's date.
_RESPONSE_LABEL = re.compile(
    r"(?:^|[ \t]{2,}|\t|\|)[ \t]*(?:date[d]?|date\s+of\s+(?:response|reply|letter|this\s+letter|issue)|"
    r"response\s+date|date\s+(?:sent|issued|of\s+disclosure)|sent|issued)[ \t]*[:\-–|]?[ \t]*"
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?[ \t]*)?$",
    re.I,
)
_HEAD_LINES = 12


def find_dates(layout: Layout) -> tuple[str | None, str | None]:
    """(response date, request date) as YYYY-MM-DD or None."""
    text = layout.text
    response: str | None = None
    request: str | None = None
    head_end = max(layout.body_start, _line_offset(text, _HEAD_LINES) if layout.body_start == 0 else 0)
    labelled = standalone = None
    for m in _DATE.finditer(text, 0, layout.current_end):
        kind = _classify(text, m, head_end, layout.body_end)
        if kind == "request" and request is None:
            request = _parse(m.group(0))
        elif kind == "labelled" and labelled is None:
            labelled = _parse(m.group(0))
        elif kind == "standalone" and standalone is None:
            standalone = _parse(m.group(0))
    response = labelled or standalone
    if request is None:  # the acknowledgement quoted below often says when the request came in
        for m in _DATE.finditer(text, layout.current_end, min(len(text), layout.current_end + 20000)):
            if _classify(text, m, -1, -1) == "request":
                request = _parse(m.group(0))
                if request:
                    break
    return response, request


def _classify(text: str, m: re.Match, head_end: int, tail_start: int) -> str | None:
    line_start = text.rfind("\n", 0, m.start()) + 1
    before = text[max(0, m.start() - 120): m.start()]
    if (_REQUEST_BEFORE.search(before) and not _OUR_REPLY_BEFORE.search(before)) \
            or _REQUEST_AFTER.match(text, m.end(), m.end() + 40):
        return "request"
    if _DEADLINE_BEFORE.search(before[-30:]):
        return None
    same_line = text[line_start: m.start()]
    if _RESPONSE_LABEL.search(same_line):
        return "labelled"
    line_end = text.find("\n", m.end())
    rest = text[m.end(): line_end if line_end >= 0 else len(text)]
    alone = not rest.strip(" \t.,") and (not same_line.strip() or _weekday_or_place(same_line))
    if alone and (m.start() < head_end or 0 <= tail_start <= m.start()):
        return "standalone"
    return None


_PLACE_PREFIX = re.compile(r"^[ \t]*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?|[A-Z][a-z]+,)[ \t]*$")


def _weekday_or_place(prefix: str) -> bool:
    """'Tuesday 18 June 2019' or 'Sheffield, 18 June 2019' still make a date line."""
    return bool(_PLACE_PREFIX.match(prefix))


def _line_offset(text: str, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)")


@lru_cache(maxsize=4096)
def _parse(candidate: str) -> str | None:
    s = re.sub(r"\s+", " ", candidate)
    iso = _ISO.fullmatch(s)
    if iso:  # dateutil's dayfirst would read 2022-08-04 as 8 April
        try:
            return date(*map(int, iso.groups())).isoformat()
        except ValueError:
            return None
    try:
        dt = date_parser.parse(s, dayfirst=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    if not 1990 <= dt.year <= 2100:
        return None
    return dt.date().isoformat()
