"""Where things are in an FOI response: the letter itself versus quoted earlier emails,
its head and sign-off, its request and response sections, and its sentences.

Every other metadata module works on the regions found here, so that a date in a quoted
acknowledgement or an exemption mentioned in the quoted request is never taken as the
response's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.lazyre import lazy_compile

# Markup that survives when raw text (not clean_text output) comes in: bold/italic stars,
# <sup>th</sup>, "1^st". Removing it keeps every later regex simple. Idempotent.
_MARKUP = lazy_compile(r"</?(?:sup|sub|b|strong|em|i|u)>|\*\*|(?<!\w)__|__(?!\w)|\^(?=(?:st|nd|rd|th)\b)", re.I)
_STARS = lazy_compile(r"(?<!\S)\*+(?=\S)|(?<=\S)\*+(?!\S)", re.M)

# A quoted earlier email starts at an Outlook-style header, an "Original Message" rule or a
# "On ... wrote:" line. A header in the first few lines is the message's own, not a quote.
_QUOTE_START = lazy_compile(
    r"^[ \t>]*(?:From:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t>]*(?:Sent|Date):"
    r"|-{2,}[ \t]*Original Message[ \t]*-{2,}"
    r"|-{3,}[ \t]*Forwarded message"
    r"|On [^\n]{5,120} wrote:[ \t]*$)",
    re.M | re.I,
)
_OWN_HEADER_LINES = 3
_SIGN_MAX = 500  # a signature block is a few short lines
_SIGN_LINE = 60

_SIGN_OFF = lazy_compile(
    r"^[ \t]*(?:Yours[ \t]+(?:sincerely|faithfully|truly)|(?:With[ \t]+)?(?:Kind|Best|Warm|Many)[ \t]+"
    r"(?:regards|thanks)|Regards|Thanks(?: again)?)[ \t]*+[,.!]?+[ \t]*+$",
    re.M | re.I,
)
# The closing boilerplate that follows the answers in most letters: the response ends there.
_CLOSING = lazy_compile(
    r"^[ \t]*(?:If you have any (?:queries|questions|further)|If you are (?:unhappy|dissatisfied|not (?:happy|satisfied))"
    r"|The information (?:provided|supplied|contained) in this (?:response|letter|email) is available"
    r"|Your right to (?:complain|request|appeal)|(?:If|Should) you wish to (?:complain|request an internal review|appeal|make a complaint)"
    r"|(?:Complaint|Appeal|Review) rights[ \t]*$|Right(?:s)? of (?:appeal|complaint|review)[ \t]*$|Internal review[ \t]*$"
    r"|How to (?:complain|appeal)[ \t]*$|You (?:also )?have the right to (?:complain|request an internal review|appeal|ask for an internal review)"
    r"|I hope (?:this|the information))",
    re.M | re.I,
)
# "... in which you asked: "Please provide ..."": a request quoted inside a sentence.
_INLINE_REQUEST = lazy_compile(
    r"\b(?:you|which)\s+(?:asked|requested|wrote)(?:\s+for)?(?:\s+the\s+following(?:\s+information)?)?\s*:\s*"
    r"[\"“]?(?P<r>[^\n].{5,2000}?)[\"”]?[ \t]*(?=\n[ \t]*\n|\Z)",
    re.I | re.S,
)
_BLANK_LINE = lazy_compile(r"\n[ \t]*\n")
_SALUTATION = lazy_compile(r"^[ \t]*Dear[ \t]+[^\n]{1,80}$", re.M)

# Section headings of the letter-style layout (the seed: "REQUEST" ... "RESPONSE").
_REQUEST_HEADING = lazy_compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:the[ \t]+|your[ \t]+)?(?:request(?:[ \t]+details)?|information[ \t]+requested"
    r"|you[ \t]+(?:asked|requested)(?:[ \t]+(?:for|us))?(?:[ \t]+the[ \t]+following(?:[ \t]+information)?)?"
    r"|details[ \t]+of[ \t]+(?:your[ \t]+)?request)[ \t]*+[:\-–]?+[ \t]*+",
    re.M | re.I,
)
_RESPONSE_HEADING = lazy_compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:our[ \t]+|the[ \t]+|my[ \t]+)?(?:response|reply|decision"
    r"|information[ \t]+(?:provided|disclosed|supplied)|response[ \t]+to[ \t]+your[ \t]+request)[ \t]*+[:\-–]?+[ \t]*+",
    re.M | re.I,
)

# Sentence ends: ". " before a capital, a line ending in punctuation, a blank line, or a new
# list item / question marker. Every branch starts with a literal character so the regex
# engine can skip ahead quickly; abbreviations ("s. 40", "Sch. 19", "1. ") are checked after.
_SENTENCE_SPLIT = lazy_compile(
    r"[.!?:](?:[ \t]*\n|[ \t]+(?=[A-Z\"“‘(•\[])|(?=[\"“‘(•\[]))"
    r"|\n[ \t]*\n"
    r"|\n(?=[ \t]*(?:[-•*·▪][ \t]|\(?\d{1,2}[.):][ \t]|\(?[a-z][.)][ \t]|[ivx]{1,4}[.)][ \t]|Q\d|Question\b|Answer\b|A\d))"
)
_NOT_AN_END = lazy_compile(
    r"(?:(?:^|[\s(])(?:s|ss|Sch|No|no|Mr|Mrs|Dr|e\.g|i\.e|para|art|reg|Reg|[A-Z])|(?:^|\n)[ \t]*\(?\d{1,2})\.$"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Layout:
    """Offsets into the prepared text of the regions every extractor needs."""

    text: str
    current_end: int  # the letter itself is text[:current_end]; quoted history follows
    body_start: int  # after the letter head (date, addresses, salutation)
    body_end: int  # sign-off or end of the current message
    request: Span | None  # a request section inside the letter ("REQUEST", "You asked:")
    response: Span  # the response part of the letter
    sign_end: int = -1  # end of the signature block under the sign-off (-1: not computed)

    @property
    def current(self) -> str:
        return self.text[: self.current_end]

    @property
    def quoted(self) -> str:
        return self.text[self.current_end :]

    @property
    def head(self) -> str:
        return self.text[: self.body_start]


# Runs of blanks longer than any layout needs: a column gap stays a gap and a blank line a
# blank line, but no regex downstream ever meets a run longer than this.
_LONG_BLANK_RUN = lazy_compile(r"[^\S\n]{17,}")
_MANY_BLANK_LINES = lazy_compile(r"\n(?:[ \t]*+\n){4,}")


def prepare(text: str) -> str:
    """Normalise line ends, cap runs of blanks and drop leftover emphasis markup; idempotent,
    safe on clean_text output."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _LONG_BLANK_RUN.sub(lambda m: m.group(0)[:16], text)
    text = _MANY_BLANK_LINES.sub("\n\n\n\n", text)
    if "<" in text or "_" in text or "^" in text or "*" in text:
        text = _MARKUP.sub("", text)
    if "*" in text:
        text = _STARS.sub("", text)
    return text


def analyse(text: str) -> Layout:
    """Find the regions of a prepared text."""
    current_end = _quote_start(text)
    current = text[:current_end]
    body_start = _body_start(current)
    body_end = _sign_off(current, body_start)
    request, response = _sections(current, body_start, body_end)
    return Layout(text, current_end, body_start, body_end, request, response, _signature_end(current, body_end))


def _quote_start(text: str) -> int:
    own_header_end = _nth_line_end(text, _OWN_HEADER_LINES)
    for m in _QUOTE_START.finditer(text):
        if m.start() > own_header_end:
            return m.start()
    return len(text)


def _nth_line_end(text: str, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
        while pos < len(text) and text[pos] == "\n":  # blank lines do not count
            pos += 1
    return pos


def _body_start(current: str) -> int:
    """After the salutation when there is one near the top, else the start."""
    m = _SALUTATION.search(current, 0, min(len(current), 4000))
    return m.end() if m else 0


def _sign_off(current: str, body_start: int) -> int:
    m = _SIGN_OFF.search(current, body_start)
    return m.start() if m else len(current)


def _signature_end(current: str, body_end: int) -> int:
    """The sign-off and the short lines under it (name, role, team, authority), up to a long
    line or the first blank line after two of them: an annex after it is not the signature."""
    limit = min(len(current), body_end + _SIGN_MAX)
    pos = current.find("\n", body_end, limit)
    if pos < 0:
        return limit
    lines = 0
    while pos < limit:
        nxt = current.find("\n", pos + 1, limit)
        line = current[pos + 1 : nxt if nxt >= 0 else limit].strip()
        if len(line) > _SIGN_LINE or (not line and lines >= 2):
            return pos
        lines += bool(line)
        if nxt < 0:
            return limit
        pos = nxt
    return limit


def _sections(current: str, body_start: int, body_end: int) -> tuple[Span | None, Span]:
    """Request and response sections when the letter has headings for them."""
    req = _REQUEST_HEADING.search(current, 0, body_end)
    while req and not _is_heading(current, req):
        req = _REQUEST_HEADING.search(current, req.end(), body_end)
    resp = _RESPONSE_HEADING.search(current, req.end() if req else body_start, body_end)
    # Without a request heading, "Response: ..." inline is more likely a per-question answer.
    while resp and not _is_heading(current, resp, inline_ok=req is not None):
        resp = _RESPONSE_HEADING.search(current, resp.end(), body_end)
    if req and resp and resp.start() > req.end():
        return Span(req.end(), resp.start()), _response_span(current, resp.end(), body_end)
    if resp:
        return None, _response_span(current, resp.end(), body_end)
    if not req:
        inline = _INLINE_REQUEST.search(current, body_start, min(body_end, body_start + 5000))
        if inline:
            return Span(inline.start("r"), inline.end("r")), _response_span(current, inline.end(), body_end)
    if req:
        # "You asked: ..." with no response heading: the request is that paragraph (or, for a
        # heading alone on its line, the block under it); the response is what follows.
        end = _paragraph_end(current, req.end(), body_end)
        return Span(req.end(), end), _response_span(current, end, body_end)
    return None, _response_span(current, body_start, body_end)


def _paragraph_end(text: str, start: int, limit: int) -> int:
    pos = start
    while pos < limit and text[pos] in " \t\n":  # skip the blank lines right under a heading
        pos += 1
    gap = _BLANK_LINE.search(text, pos, limit)
    return gap.start() if gap else limit


def _response_span(current: str, start: int, end: int) -> Span:
    closing = _CLOSING.search(current, start, end)
    return Span(start, closing.start() if closing else end)


def _is_heading(text: str, m: re.Match, inline_ok: bool = True) -> bool:
    """A heading stands alone on its line or ends with a colon ("Request: ...")."""
    line_end = text.find("\n", m.end())
    rest = text[m.end() : line_end if line_end >= 0 else len(text)].strip()
    if not rest:
        return True
    return inline_ok and m.group(0).rstrip().endswith((":", "–", "-"))


def sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans of text[start:end], cheap and good enough for cue matching."""
    spans: list[Span] = []
    pos = start
    for m in _SENTENCE_SPLIT.finditer(text, start, end):
        cut = m.start()
        if text[cut] in ".!?:":
            if text[cut] == "." and m.group(0)[1:2] != "\n" and _NOT_AN_END.search(text, max(start, cut - 6), cut + 1):
                continue
            cut += 1  # the punctuation stays with its sentence
        if cut > pos:
            spans.append(Span(pos, cut))
        pos = m.end()
    if end > pos:
        spans.append(Span(pos, end))
    return [s for s in spans if not text[s.start : s.end].isspace()]
