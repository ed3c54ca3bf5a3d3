"""Request text, response text, Q&A pairs and a short title.

Q&A layouts handled, most explicit first: "Question N: ... Answer: ..." / "Q1 ... A1 ...";
numbered questions in the request answered by the same numbers in the response; numbered
or bulleted items whose first line(s) end in "?" followed by the answer; finally bare
question lines ending in "?" each followed by an answer.
"""

from __future__ import annotations

import re

from indexer.lazyre import lazy_compile
from indexer.metadata.authorities import canonical_authority
from indexer.metadata.layout import Layout, Span
from indexer.models import QAPair

_Q_MARK = lazy_compile(
    r"^[ \t]*(?:[-•*▪][ \t]*)?(?:(?i:question|request)[ \t]*(?P<n1>\d{1,3})[ \t]*[:.)\-–]?|Q[ \t]?(?P<n2>\d{1,3})[ \t]*[:.)\-–]?"
    r"|(?i:question)[ \t]*[:\-–]|Q[ \t]*[:.])[ \t]*",
    re.M,
)
_A_MARK = lazy_compile(
    r"^[ \t]*(?:[-•*▪][ \t]*)?(?:(?i:answer|response|reply)[ \t]*(?P<n1>\d{1,3})[ \t]*[:.)\-–]?"
    r"|A[ \t]?(?P<n2>\d{1,3})[ \t]*[:.)\-–]?|(?i:answer|response|reply)[ \t]*[:\-–]|A[ \t]*:)[ \t]*",
    re.M,
)
_NUMBERED = lazy_compile(r"^[ \t]*(?:[-•*▪][ \t]*)?\(?(?P<n>\d{1,2})[.):](?!\d)[ \t]+(?=\S)", re.M)
# Items of a request list: "1.", "(1)", "Q1.", "Question 1:" (answered by number later).
_REQUEST_ITEM = lazy_compile(
    r"^[ \t]*(?:[-•*▪][ \t]*)?(?:Q[ \t]?|(?i:question|request)[ \t]*)?\(?(?P<n>\d{1,2})[.):](?!\d)[ \t]+(?=\S)", re.M
)
_BULLET = lazy_compile(r"^[ \t]*[•▪●◦·][ \t]*(?=\S)", re.M)
_QUESTION_LINE_END = lazy_compile(r"\?[\"”’)]*[ \t]*$", re.M)
# Where an answer stops even without a next question: a heading after a blank line,
# the complaints/re-use boilerplate, a sign-off.
_ANSWER_STOP = lazy_compile(
    r"\n[ \t]*\n(?=[ \t]*[A-Z][^\n]{0,40}:[ \t]*\n|[ \t]*[A-Z][A-Z \t]{3,40}\n)"
    r"|^[ \t]*(?:If you have any (?:queries|questions|further)|If you are (?:unhappy|dissatisfied|not satisfied)|"
    r"Your right to|The information (?:provided|supplied) in this response is available|"
    r"Yours (?:sincerely|faithfully)|Kind regards|Regards,)",
    re.M | re.I,
)
_SUBJECT = lazy_compile(r"^[ \t]*Subject:[ \t]*(?P<s>[^\n]*)$", re.M)
_RELATING = lazy_compile(
    r"(?:relating\s+to|regarding|concerning|in\s+relation\s+to|about)\s+(?P<t>[^\n].{2,200}?)\s*,?\s+"
    r"which\s+we\s+received",
    re.S,
)
_ABOUT = lazy_compile(
    r"your\s+(?:[\w ]{0,40}?\s)?(?:request|e-?mail|letter)\b[^.\n]{0,80}?\b(?:about|regarding|concerning|relating\s+to|"
    r"for\s+information\s+(?:about|on))\s+(?P<t>(?:[^.\n]|\n(?![ \t]*\n)){3,120}?)(?=[ \t]*(?:\.|\n[ \t]*\n|,?\s+which\b|$))"
)
# "FREEDOM OF INFORMATION ACT 2000 – COUNTER-TERRORISM DEPLOYMENTS": an all-caps heading.
_CAPS_HEADING = lazy_compile(r"^[ \t]*(?P<s>(?=[^a-z\n]*[A-Z]{3})[^a-z\n]{8,150}?)[ \t]*$", re.M)
_MD_HEADING = lazy_compile(r"^[ \t]*#{1,3}[ \t]+(?P<s>[^\n#]{3,150}?)[ \t#]*$", re.M)
_FOI_WORDS = lazy_compile(r"FREEDOM\s+OF\s+INFORMATION|\bFOIA?\b|ENVIRONMENTAL\s+INFORMATION|\bEIR\b|REQUEST")
_RE_LINE = lazy_compile(
    r"^[ \t]*(?:Re|RE|Subject|Title|Request"
    # "Freedom of Information Request: Use of drones", "FOI request – Prevent referrals"
    r"|(?i:(?:Freedom[ \t]+of[ \t]+Information|FOIA?|EIR|Environmental[ \t]+Information)(?:[ \t]+(?:Act|Regulations)"
    r"(?:[ \t]+\d{4})?)?(?:[ \t]+\(FOIA?\))?[ \t]+request))[ \t]*[:–\-][ \t]*(?P<s>[^\n]{3,200})$",
    re.M,
)
# What a subject line says besides its topic: "RE:", "Freedom of Information Request", refs.
_NOISE_FOI_WORDS = (
    r"\b(?:internal\s+review\s+of\s+)?(?:freedom\s+of\s+information|foia?|eir|environmental\s+information)"
    r"(?:\s+act(?:\s+\d{4})?|\s+regulations(?:\s+\d{4})?)?(?:\s+\(FOIA?\))?(?:\s+request)?(?:\s+for\s+information)?\b"
)
_NOISE_HEAD = r"(?i)^(?:\s*(?:re|fw|fwd|subject)\s*[:–-])+|\b(?:re|fw|fwd)\s*:|(?<![\w/])(?:FOIA?|EIR)[\s/\-]*\d[\w/\-]*|(?<![\w/])\d{5,}\b|"
_SUBJECT_NOISE_SOURCE = (
    _NOISE_HEAD + _NOISE_FOI_WORDS + "|"
    r"\b(?:request\s+for\s+information|information\s+request)\b|"
    r"\b(?:our\s+|your\s+)?(?:ref(?:erence)?|case|request)(?:\s+(?:no|number|id))?\.?\s*[:#–-]?\s*"
    r"(?=[A-Z]*[\s/\-]*\d)[A-Z]*[\s/\-]*\d[\w/\-]*|"
    r"\b(?:no|number|id)\.?\s*[:#]\s*[A-Z]*[\s/\-]*\d[\w/\-]*|"
    r"\s[-–|:]\s|^[\s\-–:|]+|[\s\-–:|]+$"
)
_SUBJECT_NOISE = lazy_compile(_SUBJECT_NOISE_SOURCE)
_NOISE_NEXT = r"(?=\s*(?:[-–|:/#(\[]|$|\d|ref|our\b|your\b|no\b|number\b))"  # a separator, a reference or the end
_SUBJECT_NOISE_LENIENT = lazy_compile(
    _SUBJECT_NOISE_SOURCE.replace(_NOISE_FOI_WORDS, _NOISE_FOI_WORDS + _NOISE_NEXT, 1).replace(
        r"\b(?:request\s+for\s+information|information\s+request)\b",
        r"\b(?:request\s+for\s+information|information\s+request)\b" + _NOISE_NEXT,
        1,
    )
)
_WDTK_SUBJECT = lazy_compile(
    r"(?i)^(?:(?:re|fw|fwd)\s*:\s*)*(?:freedom\s+of\s+information|foi|eir|environmental\s+information)"
    r"(?:\s+regulations)?\s+request\s*[-–:]\s*"
)
_FIRST_SENTENCE_END = lazy_compile(r"(?<=[.?!])\s+(?=[A-Z\d(\"“])|\n")
_QUOTED_SALUTE = lazy_compile(r"^[ \t>]*Dear[ \t]+(?P<who>[^\n]{3,90}?)[ \t]*+,?+[ \t]*+$", re.M)
_REQUEST_END = lazy_compile(
    r"^[ \t>]*(?:Yours[ \t]+(?:faithfully|sincerely|truly)|(?:Many[ \t]+)?thanks|Thank[ \t]+you|(?:Kind[ \t]+|Best[ \t]+)?regards)"
    r"\b|^-{10,}",
    re.M | re.I,
)
_TITLE_MAX = 100
_NOT_A_SUBJECT = lazy_compile(
    r"@|https?:|www\.|:|^(?:Dear|Thank|Yours|Kind|Regards|Please|Date|Our|Your|Ref)\b|"
    r"^(?:private|strictly\s+private|confidential|official|by\s+e-?mail|by\s+post|sent\s+by)\b|"
    r"^(?:request|response|decision|your\s+request|our\s+response)\s*$",
    re.I,
)
_DATE_LIKE = lazy_compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{4}\b|"
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b|\b\d{4}-\d\d-\d\d\b|^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b",
    re.I,
)
_MAX_QUESTION_LINES = 12  # a repeated question is a few lines; also bounds the work per item
_QA_MAX_PAIRS = 200


def find_qa(layout: Layout, request: str | None = None) -> list[QAPair]:
    """Question/answer pairs of the letter, in order. The request text, when known, tells
    where a repeated question ends and its answer begins."""
    text = layout.text
    body = Span(0 if layout.request else layout.body_start, layout.body_end)
    if layout.request:
        # "Q1. ..." listed in the request and "Question 1: ... Answer: ..." in the response:
        # the response's pairs are the answers; the request's are only the questions again.
        pairs = _marked_pairs(text, Span(layout.request.end, layout.body_end))
        if pairs and any(p.answer for p in pairs):
            return pairs
    # The "Response:" heading that ends the request section is not the last question's answer.
    pairs = _marked_pairs(text, body, skip=layout.request.end if layout.request else -1)
    if pairs and any(p.answer for p in pairs):
        return pairs  # questions listed with not one answer (a refusal) are not Q&A pairs
    if layout.request:
        pairs = _pairs_by_number(text, layout.request, layout.response)
        if pairs:
            return pairs
    pairs = _items_with_questions(text, layout.response, request)
    if pairs:
        return pairs
    return _question_lines(text, layout.response)


def _marked_pairs(text: str, region: Span, skip: int = -1) -> list[QAPair]:
    marks = [
        (m.start(), m.end(), "q", m.group("n1") or m.group("n2"))
        for m in _Q_MARK.finditer(text, region.start, region.end)
    ]
    if not marks:
        return []
    marks += [
        (m.start(), m.end(), "a", m.group("n1") or m.group("n2"))
        for m in _A_MARK.finditer(text, region.start, region.end)
        if m.start() != skip
    ]
    marks.sort()
    pairs: list[QAPair] = []
    for k, (_start, end, kind, num) in enumerate(marks):
        if kind != "q":
            continue
        nxt = marks[k + 1] if k + 1 < len(marks) else None
        q_end = nxt[0] if nxt else region.end
        if nxt and nxt[2] == "a":
            after = marks[k + 2][0] if k + 2 < len(marks) else region.end
            question, answer = _tidy(text[end:q_end]), _answer_text(text, nxt[1], after)
        else:
            question, answer = _split_at_question(text[end:q_end])
        if question:
            pairs.append(QAPair(question, answer, int(num) if num else None))
        if len(pairs) >= _QA_MAX_PAIRS:
            break
    return pairs


def _answer_text(text: str, start: int, end: int) -> str:
    stop = _ANSWER_STOP.search(text, start, end)
    return _tidy(text[start : stop.start() if stop else end])


def _split_at_question(block: str) -> tuple[str, str]:
    """'How many ...?\\n42' -> ('How many ...?', '42'); no '?' means it is all question."""
    m = _QUESTION_LINE_END.search(block)
    if not m:
        return _tidy(block), ""
    return _tidy(block[: m.end()]), _tidy(_cut_boilerplate(block[m.end() :]))


def _cut_boilerplate(s: str) -> str:
    stop = _ANSWER_STOP.search(s)
    return s[: stop.start()] if stop else s


def _numbered_items(
    text: str, region: Span, minimum: int = 2, pattern: re.Pattern = _NUMBERED
) -> list[tuple[int, int, int]]:
    """(number, start, end) of the first run 1, 2, 3... of numbered items in the region."""
    items: list[tuple[int, int, int]] = []
    expected = 1
    for m in pattern.finditer(text, region.start, region.end):
        n = int(m.group("n"))
        if n == expected:
            if items:
                items[-1] = (items[-1][0], items[-1][1], m.start())
            items.append((n, m.end(), region.end))
            expected += 1
    return items if len(items) >= minimum else []


def _pairs_by_number(text: str, request: Span, response: Span) -> list[QAPair]:
    # A single "1." in both the request and the response is still a pair.
    questions = {n: _tidy(text[s:e]) for n, s, e in _numbered_items(text, request, 1, _REQUEST_ITEM)}
    answers = _numbered_items(text, response, 1)
    pairs = []
    for n, s, e in answers:
        if n in questions:
            block = text[s:e]
            if questions[n] and block.strip().startswith(questions[n][:30]):
                q, a = _split_at_question(block)  # the response repeats the question
            else:
                q, a = questions[n], _tidy(_cut_boilerplate(block))
            pairs.append(QAPair(q, a, n))
    return pairs


def _items_with_questions(text: str, region: Span, request: str | None) -> list[QAPair]:
    items = _numbered_items(text, region, 1)
    numbered = True
    if not items:
        numbered = False
        starts = [m.end() for m in _BULLET.finditer(text, region.start, region.end)]
        items = [(k + 1, s, starts[k + 1] if k + 1 < len(starts) else region.end) for k, s in enumerate(starts)]
    pairs = []
    request_words = _words(request) if request else ""
    for n, s, e in items:
        q, a = _split_at_question(text[s:e])
        if not (q.endswith("?") or q.endswith("?)")) and request_words:
            q, a = _split_at_request(text[s:e], request_words)
        if q.endswith("?") or q.endswith("?)") or q and a and request_words:
            pairs.append(QAPair(q, a, n if numbered else None))
    # Numbered answers with no questions (a bare "1. 219") are not Q&A pairs.
    return pairs if len(pairs) >= max(1, len(items) // 2) else []


def _words(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def _split_at_request(block: str, request_words: str) -> tuple[str, str]:
    """'Please list the sites\n42 sites' -> ('Please list the sites', '42 sites') when the
    request says 'please list the sites': the longest run of leading lines the request contains."""
    lines = block.split("\n", _MAX_QUESTION_LINES + 1)
    cut = 0
    for k in range(1, min(len(lines), _MAX_QUESTION_LINES + 1)):
        head = _words("\n".join(lines[:k]))
        if len(head) < 12 or head not in request_words:
            break
        cut = k
    if not cut:
        return "", ""
    return _tidy("\n".join(lines[:cut])), _tidy(_cut_boilerplate("\n".join(lines[cut:])))


def _question_lines(text: str, region: Span) -> list[QAPair]:
    """Unmarked 'question?' lines, each followed by its answer."""
    ends = [m.end() for m in _QUESTION_LINE_END.finditer(text, region.start, region.end)]
    if len(ends) < 2:
        return []
    pairs = []
    prev = region.start
    for k, q_end in enumerate(ends):
        q_start = _question_start(text, prev, q_end)
        a_end = _question_start(text, q_end, ends[k + 1]) if k + 1 < len(ends) else region.end
        question = _tidy(text[q_start:q_end])
        answer = _tidy(_cut_boilerplate(text[q_end:a_end]))
        if question and answer:
            pairs.append(QAPair(question, answer, None))
        prev = q_end
    return pairs if len(pairs) >= 2 else []


def _question_start(text: str, lo: int, q_end: int) -> int:
    """Walk back from a '?' to the line where that question's sentence began."""
    line_start = text.rfind("\n", lo, q_end) + 1 or lo
    line_start = max(line_start, lo)
    while line_start > lo:
        prev_end = line_start - 1
        prev_start = max(text.rfind("\n", lo, prev_end) + 1, lo)
        prev = text[prev_start:prev_end].rstrip()
        if not prev or prev.endswith((".", "?", ":", "!")) or len(prev) < 40 or (q_end - prev_start) > 600:
            break
        line_start = prev_start
    return line_start


# Blanks around a line break; a match starts only where a run of blanks starts, so a long run
# with no line break in it is passed over once, not once per position.
_BLANKS_AROUND_BREAK = lazy_compile(r"(?<![ \t])[ \t]*+\n[ \t]*+")


def _tidy(s: str) -> str:
    s = _BLANKS_AROUND_BREAK.sub("\n", s.strip())
    s = re.sub(r"\n{2,}", "\n", s)
    return re.sub(r"(?<=[^\n.:?!])\n(?=[a-z(£\d])", " ", s).strip()


# --- request / response text and title -------------------------------------------------


def find_request(layout: Layout) -> str | None:
    """The request as the letter quotes it, or as the quoted original email has it."""
    text = layout.text
    if layout.request and text[layout.request.start : layout.request.end].strip():
        return _tidy(text[layout.request.start : layout.request.end])
    return _quoted_request(layout)


def _quoted_request(layout: Layout) -> str | None:
    """The original request in a quoted email thread: 'Dear <authority>, ... Yours faithfully'."""
    text = layout.text
    found = None
    for m in _QUOTED_SALUTE.finditer(text, layout.current_end, min(len(text), layout.current_end + 200000)):
        if canonical_authority(m.group("who")):
            found = m
    if not found:
        return None
    end = _REQUEST_END.search(text, found.end())
    body = _tidy(text[found.end() : end.start() if end else min(len(text), found.end() + 5000)])
    return body or None


def find_response(layout: Layout) -> str | None:
    r = layout.response
    body = _tidy(layout.text[r.start : r.end])
    return body or None


def find_title(layout: Layout, request: str | None, qa: list[QAPair]) -> str | None:
    text = layout.text
    for m in _SUBJECT.finditer(text, layout.current_end, min(len(text), layout.current_end + 200000)):
        s = _subject_with_continuation(text, m)
        if _WDTK_SUBJECT.match(s):
            title = _short(_WDTK_SUBJECT.sub("", s))
            if title:
                return title
    for m in _RE_LINE.finditer(text, 0, min(layout.body_start + 400, len(text), 3000)):
        title = _short(_clean_subject(m.group("s")))
        if title and len(title) >= 3:
            return title
    for m in _MD_HEADING.finditer(text, 0, min(layout.body_start + 600, len(text), 3000)):
        if not canonical_authority(m.group("s")):  # "# Leeds City Council" is the letterhead
            title = _short(_clean_subject(m.group("s")))
            if title and len(title) >= 3:
                return title
    title = _standalone_subject(text, layout)
    if title:
        return title
    for m in _CAPS_HEADING.finditer(text, 0, min(layout.body_start + 600, len(text), 3000)):
        if not _FOI_WORDS.search(m.group("s")):
            continue  # a letterhead or a section heading ("RESPONSE"), not a subject
        title = _short(_clean_subject(m.group("s")))
        if title and len(title) >= 3:
            return title[0] + title[1:].lower() if title.isupper() else title
    m = _RELATING.search(text, 0, min(len(text), 20000)) or _ABOUT.search(text, 0, min(len(text), 20000))
    if m:
        return _short(m.group("t"))
    if request:
        return _title_from_request(request, qa)
    return None


def _standalone_subject(text: str, layout: Layout) -> str | None:
    """A subject set as a heading of its own right before or after 'Dear ...' (markdown '## X'
    or bold once the markup is gone): one short line between blank lines, not a sentence."""
    if not layout.body_start:
        return None
    salute_start = text.rfind("\n", 0, layout.body_start - 1) + 1
    for line in (_paragraph_line(text, salute_start, -1), _paragraph_line(text, layout.body_start, 1)):
        if not line or not 3 <= len(line) <= _TITLE_MAX or not line[0].isupper():
            continue
        if line[-1] in ".,;:!?" or _NOT_A_SUBJECT.search(line) or _DATE_LIKE.search(line) or canonical_authority(line):
            continue
        title = _short(_clean_subject(line))
        if title and len(title.split()) >= 2:
            return title[0] + title[1:].lower() if title.isupper() else title
    return None


def _paragraph_line(text: str, pos: int, direction: int) -> str | None:
    """The one-line paragraph just before (direction -1) or after (+1) pos, set apart by
    blank lines, else None."""
    if direction < 0:
        lines = text[max(0, pos - 400) : pos].split("\n")[:-1]  # whole lines before pos
        lines.reverse()
    else:
        lines = text[pos : pos + 400].split("\n")[1:]  # whole lines after pos's line
    k = 0
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k == 0 or k >= len(lines):
        return None  # no blank line in between, or nothing there
    if k + 1 < len(lines) and lines[k + 1].strip():
        return None  # part of a block of lines (an address, a paragraph)
    if direction < 0 and k + 1 >= len(lines) and pos > 400:
        return None  # cut off by the window: cannot tell
    return lines[k].strip()


def _subject_with_continuation(text: str, m: re.Match) -> str:
    s = m.group("s").strip()
    pos = m.end() + 1
    line = m.group("s")
    for _ in range(2):  # Outlook wraps long subjects onto the next lines
        if len(line) < 55 or pos >= len(text):
            break
        nxt_end = text.find("\n", pos)
        line = text[pos : nxt_end if nxt_end >= 0 else len(text)]
        if not line.strip() or re.match(r"^\s*(?:Dear|\w+:|\[)", line):
            break
        s += " " + line.strip()
        pos = (nxt_end + 1) if nxt_end >= 0 else len(text)
    return s


def _clean_subject(s: str) -> str:
    """'RE: FOI 2019/1234 - Body-worn video' -> 'Body-worn video'. When the topic itself is
    about FOI ('Freedom of Information request handling'), the FOI words stay."""
    cleaned = _SUBJECT_NOISE.sub(" ", s).strip(" -–:|")
    if len(cleaned.split()) < 2:
        lenient = _SUBJECT_NOISE_LENIENT.sub(" ", s).strip(" -–:|")
        if len(lenient.split()) >= 2:
            return lenient
    return cleaned


def _title_from_request(request: str, qa: list[QAPair]) -> str | None:
    body = re.sub(r"^\s*Dear[^\n]*\n", "", request)
    first = _FIRST_SENTENCE_END.split(body.strip(), maxsplit=1)[0]
    first = re.sub(r"^(?:[-•*]\s*)?(?:\(?\d{1,2}[.)]\s*)?", "", first).strip()
    if first and len(first) <= _TITLE_MAX and not first.endswith(":"):
        return _short(first)
    questions = re.findall(r"[^\n?]{10,200}\?", body) or [p.question for p in qa]
    for q in questions:
        q = re.sub(r"^(?:[-•*]\s*)?(?:\(?\d{1,2}[.)]\s*)?", "", q.strip())
        if 5 <= len(q) <= _TITLE_MAX:
            return _short(q)
    return _short(first or body)


def _short(s: str) -> str | None:
    s = re.sub(r"\s+", " ", s).strip(" \t\"“”'‘’-–:;,.")
    if not s:
        return None
    if len(s) > _TITLE_MAX:
        s = s[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;:-–") + "…"
    return s
