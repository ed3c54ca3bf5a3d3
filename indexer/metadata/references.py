"""The authority's reference number for a request, as written ("20191213", "FOI / 891301",
"FOI-123-19"). Labelled references win over bare "FOI 1234" ids; the letter's own text wins
over quoted emails; the requester's "your ref" never counts.
"""

from __future__ import annotations

import re

from indexer.lazyre import lazy_compile
from indexer.metadata.fastre import first
from indexer.metadata.layout import Layout

# The value: a code with at least one digit; spaced slashes ("FOI / 891301", even wrapped
# onto the next line) and "FOI 2019" (letters then a space then digits) stay together.
_VALUE = (
    r"(?P<value>[A-Z0-9][A-Za-z0-9_]*"
    r"(?:(?:[ \t]*+/[ \t]*+\n?+[ \t]*+|[\-.:]|(?<=[A-Z])[ \t](?=\d))[A-Za-z0-9_]++){0,6})"
)
# A label, case-insensitive, after no letter or digit:
#   (?:our|my)[ \t]+ref(?:erence)?(?:[ \t]+(?:no|number))?\.?
#   | (?:(?:FOI|FOIA|EIR|FOIR)[ \t]+)?(?:request[ \t]+)?ref(?:erence)?(?:[ \t]+(?:no|number|num|id))?\.?
#   | request[ \t]+(?:id|no|number|ref(?:erence)?)\.? | case[ \t]+(?:id|no|number|ref(?:erence)?)\.?
#   | (?:FOI|EIR)[ \t]+(?:no|number|id)\.?
# spelt first letter first, each alternative after it picked by a lookbehind, so that re skips
# ahead to the letters a label can start with (fastre).
_LABELLED = lazy_compile(
    r"(?P<label>" + first("omferc") + r"(?<!\w.)(?i:(?:(?<=o)ur|(?<=m)y)[ \t]+ref(?:erence)?(?:[ \t]+(?:no|number))?\.?"
    r"|(?:(?:(?<=f)(?:OI|OIA|OIR)|(?<=e)IR)[ \t]+(?:request[ \t]+)?ref|(?<=r)(?:equest[ \t]+ref|ef))"
    r"(?:erence)?(?:[ \t]+(?:no|number|num|id))?\.?"
    r"|(?<=r)equest[ \t]+(?:id|no|number|ref(?:erence)?)\.?|(?<=c)ase[ \t]+(?:id|no|number|ref(?:erence)?)\.?"
    r"|(?:(?<=f)OI|(?<=e)IR)[ \t]+(?:no|number|id)\.?))"
    r"[ \t]*+[:#.–—|-]?+[ \t]*+\n?+[ \t]*+(?:[:–—|-][ \t]*+)?" + _VALUE
)
_PREFIXED = lazy_compile(
    r"(?<![\w/])(?P<value>(?:FOIA?|EIR|FOIR|RFI)[ \t]*+(?:[/\-_:#][ \t]*+)?+\n?+[ \t]*+\d[A-Za-z0-9_]*+"
    r"(?:(?:[ \t]*+/[ \t]*+|[\-.])[A-Za-z0-9_]++){0,5})"
)
_WDTK_MARKER = lazy_compile(r"[ \t]*(?:email|e-mail)\]")
_YOUR = lazy_compile(r"(?i)your[ \t]+$")
_HEADERISH_LINE = lazy_compile(
    r"(?i)^[ \t>]*(?:re|fwd?|subject)[ \t]*[:–\-]|\.(?:pdf|docx?|xlsx?|csv|odt|ods|zip|msg|pptx?)\s*$"
)
# How far into the letter a bare id is trusted even in prose ("FOI 2019/1234 - your request").
_HEAD_CHARS = 400
_SCAN_LIMIT = 20000  # a reference is in the head or the quoted subject lines, never deep in data


def find_reference(layout: Layout) -> str | None:
    text = layout.text
    cur_end = layout.current_end
    head_limit = min(cur_end, _SCAN_LIMIT)
    quoted_limit = min(len(text), cur_end + _SCAN_LIMIT)
    return (
        _labelled(text, 0, head_limit)
        or _labelled(text, cur_end, quoted_limit)
        or _prefixed(text, 0, head_limit, prose_until=_HEAD_CHARS)
        or _prefixed(text, cur_end, quoted_limit, prose_until=-1)
    )


def _labelled(text: str, start: int, end: int) -> str | None:
    for m in _LABELLED.finditer(text, start, end):
        if _YOUR.search(text, max(0, m.start() - 6), m.start()):
            continue
        value = _clean(m.group("value"))
        if value:
            return value
    return None


def _prefixed(text: str, start: int, end: int, prose_until: int) -> str | None:
    for m in _PREFIXED.finditer(text, start, end):
        if _WDTK_MARKER.match(text, m.end()):
            continue  # "[FOI #1004376 email]" is WhatDoTheyKnow's placeholder, not a reference
        if m.start() > prose_until and not _headerish(text, m.start()):
            continue
        value = _clean(m.group("value"))
        if value:
            return value
    return None


def _headerish(text: str, pos: int) -> bool:
    """Subject lines, 'Re:' lines, attachment file names: where a request id names this request."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return bool(_HEADERISH_LINE.search(line)) or pos - line_start < 2 and len(line) < 60


def _clean(value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip(" .,:;-–")
    if not any(ch.isdigit() for ch in value):
        return None
    return value
