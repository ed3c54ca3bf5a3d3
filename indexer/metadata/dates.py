"""The response date and the request date, ISO 8601, UK day-first.

Regexes only find candidate strings and read a bounded window of context around each;
python-dateutil parses them. Every candidate is looked at once and its context is at most a
few hundred characters, so the work is linear in the text (a one-line table of 10,000 dates
included). Where each date comes from, strongest first:

- the response date: a WhatDoTheyKnow marker ("Response by Leeds City Council to A. Person on
  5 June 2024"); a labelled date in the letter itself ("Date: 5 September 2019", an email's
  own "Date:"/"Sent:" header line, "Dated 5th September"); a date standing alone on its line
  in the letter head (under "Our ref: FOI 2019/4412", or in the column beside it) or just
  under the sign-off;
- the request date: "your request dated ...", "which we received on ...", "Date received:",
  a WhatDoTheyKnow "Request sent to ... on ..." marker; failing those, the same wording in the
  acknowledgement quoted below the letter;
- neither: a deadline ("respond by ..."), the date of an earlier reply, a date in a quoted email
  header, a date in running prose.

No date found means None, not a guess.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateutil import parser as date_parser

from indexer.lazyre import lazy_compile
from indexer.metadata.fastre import first
from indexer.metadata.layout import Layout

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Possessive runs: the spaces before a month or a year are never given back, so a digit
# followed by a long run of blanks costs one pass over the run, not one per split of it.
_SP = r"[ \t]*+\n?+[ \t]*+"
_GAP = r"(?:[ \t]++(?:\n[ \t]*+)?+|\n[ \t]*+)"  # at least one space, or a line break (a wrapped line)
# "Saturday, 23rd June 2018": a weekday may stand between a cue and its date.
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?"
# A month name after its first letter (which the one-letter lookbehind before each checks).
_MONTH_REST = (
    r"(?:(?<=j)(?:an(?:uary)?|une?|uly?)|(?<=f)eb(?:ruary)?|(?<=m)(?:ar(?:ch)?|ay)|(?<=a)(?:pr(?:il)?|ug(?:ust)?)"
    r"|(?<=s)ep(?:t(?:ember)?)?|(?<=o)ct(?:ober)?|(?<=n)ov(?:ember)?|(?<=d)ec(?:ember)?)"
)
# (?<![\w/.\-])(?:\d{1,2}...{_MONTH}...|{_MONTH}...|\d{1,2}[/.-]...|(?:19|20)\d\d-...), spelt
# first character first (a digit or a month's initial) so that re skips ahead (fastre).
_DATE = lazy_compile(
    first("jfmasond", also=r"\d") + r"(?<![\w/.\-].)(?:"
    rf"(?<=\d)\d?(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH}\.?,?{_GAP}(?:19|20)\d\d"
    rf"|{_MONTH_REST}\.?[ \t]++\d{{1,2}}(?:st|nd|rd|th)?,?{_GAP}(?:19|20)\d\d"
    r"|(?<=\d)\d?[/.\-]\d{1,2}[/.\-](?:(?:19|20)\d\d|\d\d)"
    r"|(?:(?<=1)9|(?<=2)0)\d\d-\d\d-\d\d"
    r")(?![\w/]|\.\d|-\d)",
    re.I,
)
_CONTEXT = 120  # characters of context read on each side of a candidate

# Context just before a date that makes it the request date.
_REQUEST_BEFORE = lazy_compile(
    r"(?:(?:request|e-?mail|letter|correspondence|application|enquiry|message|quer(?:y|ies))\b[^.?!]{0,60}?\b"
    r"(?:dated|of|received|made|submitted|sent|on)"
    r"|which\s+we\s+received(?:\s+on)?|received\s+(?:by\s+us\s+)?on|you\s+validated\s+on"
    r"|date\s+(?:of\s+(?:your\s+)?request|received|request\s+received)\s*:?"
    r"|request(?:ed)?\s+date\s*:?|received\s*:)[\s|]*(?:the\s+)?" + _WEEKDAY + "$",
    re.I,
)
# "... on 3 May 2019, when you asked ...": on the date's own line, or the next one of a
# wrapped sentence; never across a blank line (a letter date, then "You asked: ...").
# Words one of which every _REQUEST_BEFORE match contains: most dates (a table's) have none
# near them, and a substring search is far cheaper than the regex.
_REQUEST_ANCHORS = lazy_compile(r"request|mail|letter|correspond|application|enquiry|message|quer|receiv|validated")
_REQUEST_AFTER = lazy_compile(
    r",?[ \t]*+(?:\n[ \t]*+)?(?:you|when[ \t\n]+you)[ \t\n]+(?:asked|requested|wrote|submitted|made|sent|emailed)",
    re.I,
)
# "We responded to your original request on 8 October 2020": the date of an earlier reply.
_OUR_REPLY_BEFORE = lazy_compile(
    r"(?:\b(?:respond\w*|repl(?:y|ied)|answered|wrote|sent\s+(?:you\s+)?(?:a|our)\s+response)\s+(?:to\s+)?(?:your\s+)?"
    r"(?:original\s+|earlier\s+|previous\s+)?(?:request|e-?mail|letter|quer(?:y|ies))\b[^.?!]{0,30}"
    # "a previous request from you which was answered on 17 March 2021": another request's reply
    r"|\b(?:answered|responded\s+to|replied\s+to|closed|refused)\s+(?:on\s+)?(?:the\s+)?" + _WEEKDAY + ")$",
    re.I,
)
_DEADLINE_BEFORE = lazy_compile(r"(?:\bby|\bdue|deadline|no\s+later\s+than|until|before)\s*(?:the\s+)?:?\s*$", re.I)
# A label on the date's own line that makes it the letter's date ("Date:", an email's own
# "Date: Thu, 5 Sep 2019 10:22" or "Sent: Monday, July 17, 2023 5:24 PM" header).
_RESPONSE_LABEL = lazy_compile(
    r"(?:^|[ \t]{2}|\t|\|)[ \t]*+(?:date[d]?|date\s+of\s+(?:response|reply|letter|this\s+letter|issue)|"
    r"response\s+date|date\s+(?:sent|issued|of\s+disclosure)|sent|issued)[ \t]*+[:\-–|]?+[ \t]*+"
    r"(?:(?:Mon|Tue|Tues|Wed|Wednes|Thu|Thur|Thurs|Fri|Sat|Satur|Sun)(?:day)?\.?,?[ \t]*)?$",
    re.I | re.M,
)
# A date at the end of a letter-head line, set apart by a column gap: "Our ref: FOI 1    5 May 2019".
_COLUMN_GAP = lazy_compile(r"\S(?:[ \t]{2,}|\t)$")
_HEAD_LINES = 12

# WhatDoTheyKnow's own event lines (its request pages, listings and alerts).
# ("\bResponse by ... on ", "\bRequest sent to ... on ", spelt for re to skip ahead: fastre)
_WDTK_RESPONSE = lazy_compile(first("r") + r"(?<!\w.)esponse[ \t]+by[ \t]+(?=\S)[^\n]{1,200}?[ \t]on[ \t]++", re.I)
_WDTK_REQUEST = lazy_compile(
    first("r") + r"(?<!\w.)equest[ \t]+sent[ \t]+to[ \t]+(?=\S)[^\n]{1,200}?[ \t]on[ \t]++", re.I
)
_WDTK_SCAN = 200_000  # markers sit on the page around the messages, not deep inside attachments


def find_dates(layout: Layout) -> tuple[str | None, str | None]:
    """(response date, request date) as YYYY-MM-DD or None."""
    text = layout.text
    request: str | None = None
    head_end = max(layout.body_start, _line_offset(text, _HEAD_LINES) if layout.body_start == 0 else 0)
    labelled = standalone = header = None
    header_end = _email_header_end(text)
    for m in _DATE.finditer(text, 0, layout.current_end):
        kind = _classify(text, m, head_end, layout.body_end)
        if kind == "request" and request is None:
            request = _parse(m.group(0))
        elif kind == "labelled" and m.start() < header_end:
            header = header or _parse(m.group(0))
        elif kind == "labelled" and labelled is None:
            labelled = _parse(m.group(0))
        elif kind == "standalone" and standalone is None:
            standalone = _parse(m.group(0))
        if request and labelled:
            break  # nothing later can change the answer
    marker_response, marker_request = _wdtk_markers(text)
    # The letter's own date beats the date its email was sent ("Date: 2 February 2024" in the
    # body of a message sent on 14 March).
    response = marker_response or labelled or standalone or header
    request = request or marker_request
    if request is None:  # the acknowledgement quoted below often says when the request came in
        for m in _DATE.finditer(text, layout.current_end, min(len(text), layout.current_end + 20000)):
            if _classify(text, m, -1, -1) == "request":
                request = _parse(m.group(0))
                if request:
                    break
    return response, request


_HEADER_LINE = lazy_compile(r"(?:From|To|Cc|Bcc|Date|Sent|Subject|Reply-To|Importance|Attachments)[ \t]*:", re.I)
_HEADER_LINES = 12


def _email_header_end(text: str) -> int:
    """End of the email header block the text starts with ("From: ...", "Date: ..." lines up to
    the first blank line), or 0 when it starts with none."""
    pos = 0
    for _ in range(_HEADER_LINES):
        nl = text.find("\n", pos)
        line_end = nl if nl >= 0 else len(text)
        if not _HEADER_LINE.match(text, pos, line_end):
            return pos
        if nl < 0:
            return len(text)
        pos = nl + 1
    return pos


def _wdtk_markers(text: str) -> tuple[str | None, str | None]:
    """The last 'Response by ... on DATE' and the first 'Request sent to ... on DATE'."""
    response = request = None
    limit = min(len(text), _WDTK_SCAN)
    for m in _WDTK_RESPONSE.finditer(text, 0, limit):
        d = _DATE.match(text, m.end(), min(limit, m.end() + 40))
        if d:
            response = _parse(d.group(0)) or response
    for m in _WDTK_REQUEST.finditer(text, 0, limit):
        d = _DATE.match(text, m.end(), min(limit, m.end() + 40))
        if d and (request := _parse(d.group(0))):
            break
    return response, request


def _classify(text: str, m: re.Match, head_end: int, tail_start: int) -> str | None:
    start, end = m.start(), m.end()
    lo = max(0, start - _CONTEXT)
    before = text[lo:start]
    nl = before.rfind("\n")
    # The date's line up to the date, when that line began inside the window; a longer line
    # (a flattened table) is never a letter-head line.
    same_line = before[nl + 1 :] if nl >= 0 or lo == 0 else None
    hi = min(len(text), end + _CONTEXT)
    nl_after = text.find("\n", end, hi)
    rest = text[end : nl_after if nl_after >= 0 else hi]
    line_ends = nl_after >= 0 or hi == len(text)
    ends_line = line_ends and not rest.strip(" \t.,")
    alone = ends_line and same_line is not None and (not same_line.strip() or _weekday_or_place(same_line))
    in_head = start < head_end
    # In the letter head a date that ends its line is a field of its own; "You asked ..." on
    # the next line starts the letter, it does not continue the date's sentence.
    after_ok = not (in_head and ends_line)
    if (
        (
            _REQUEST_ANCHORS.search(before.lower())
            and _REQUEST_BEFORE.search(before)
            and not _OUR_REPLY_BEFORE.search(before)
        )
        or after_ok
        and "you" in text[end:hi].lower()
        and _REQUEST_AFTER.match(text, end, hi)
    ):
        return "request"
    if _DEADLINE_BEFORE.search(before[-30:]):
        return None
    if same_line is not None and _RESPONSE_LABEL.search(text, start - len(same_line), start):
        return "labelled"
    if nl < 0 and lo > 0 and _RESPONSE_LABEL.search(text, lo, start):  # a label in a long line's window
        return "labelled"
    if in_head and ends_line and same_line and _COLUMN_GAP.search(same_line):
        return "labelled"
    if alone and (in_head or 0 <= tail_start <= start):
        return "standalone"
    return None


_PLACE_PREFIX = lazy_compile(r"^[ \t]*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?|[A-Z][a-z]+,)[ \t]*$")


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


_ISO = lazy_compile(r"(\d{4})-(\d\d)-(\d\d)")
_SPACES = lazy_compile(r"\s+")


@lru_cache(maxsize=4096)
def _parse(candidate: str) -> str | None:
    s = _SPACES.sub(" ", candidate)
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
