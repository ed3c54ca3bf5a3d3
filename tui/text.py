"""Document text made safe to show: control characters replaced, word wrapping by cells.

Everything that came out of a document (titles, snippets, whole pages, authority names)
goes through `clean` and is rendered only as rich `Text`, never parsed as markup, so a
document containing `[bold]`, ANSI escapes or bidi overrides shows those characters
literally and cannot restyle or break the terminal.
"""
from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

# One character in, one character out: highlight offsets computed on the raw text stay valid.
_TABLE: dict[int, str] = {}
for _code in range(0x20):
    _TABLE[_code] = chr(0x2400 + _code)  # U+2400 control pictures: ␛ for ESC, ␀ for NUL
_TABLE[0x09] = " "  # tab
_TABLE[0x0B] = " "  # vertical tab
_TABLE[0x0C] = " "  # form feed (PDF page breaks)
_TABLE[0x0D] = " "  # carriage return
_TABLE[0x7F] = "\u2421"  # DEL
for _code in range(0x80, 0xA0):  # C1 controls, including the 8-bit CSI
    _TABLE[_code] = "\ufffd"
# Bidirectional overrides and isolates can reorder what the terminal shows.
for _code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C):
    _TABLE[_code] = "\ufffd"
_TABLE_KEEP_NEWLINES = {**_TABLE}
del _TABLE_KEEP_NEWLINES[0x0A]
_TABLE[0x0A] = " "


def clean(text: str | None, keep_newlines: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in (same length)."""
    if not text:
        return ""
    return text.translate(_TABLE_KEEP_NEWLINES if keep_newlines else _TABLE)


def one_line(text: str | None) -> str:
    """A single display line: newlines become spaces, controls are replaced."""
    return clean(text, keep_newlines=False)


def highlighted(text: str, spans: Iterable[tuple[int, int] | list[int]], style: str, base: str = "") -> Text:
    """A `Text` of `text` (cleaned) with `style` over each [start, end) span."""
    out = Text(clean(text, keep_newlines=False), style=base, no_wrap=True, end="")
    for start, end in spans:
        if 0 <= start < end <= len(out.plain):
            out.stylize(style, start, end)
    return out


def wrap(line: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of one line (no newlines) into [start, end) ranges of at most `width` cells.

    Words longer than the width are folded. Spaces at a break stay on the earlier row (they
    are invisible there), so the ranges cover the whole line and offsets map exactly.
    """
    width = max(1, width)
    if not line:
        return [(0, 0)]
    if cell_len(line) <= width:
        return [(0, len(line))]
    rows: list[tuple[int, int]] = []
    start = 0  # start of the current row
    used = 0  # cells used on the current row, excluding trailing spaces
    pos = 0
    n = len(line)
    while pos < n:
        # next word and the spaces after it
        end = pos
        while end < n and line[end] != " ":
            end += 1
        word_cells = cell_len(line[pos:end])
        if used and used + word_cells > width:
            rows.append((start, pos))
            start, used = pos, 0
        if word_cells > width:  # fold a long word cell by cell
            cells = used
            i = pos
            while i < end:
                size = get_character_cell_size(line[i])
                if cells + size > width and i > start:
                    rows.append((start, i))
                    start, cells = i, 0
                cells += size
                i += 1
            used = cells
        else:
            used += word_cells
        spaces = end
        while spaces < n and line[spaces] == " ":
            spaces += 1
        # trailing spaces belong to this row; they count toward the next word's fit
        used += spaces - end
        pos = spaces
    rows.append((start, n))
    return rows


def to_strip(text: Text, console, width: int, style: Style) -> Strip:
    """`text` as one Strip of exactly `width` cells, `style` underneath every segment.

    (`Text.render` drops the Text's own base style when it has no spans, so both the
    widget style and the Text style are applied here explicitly.)"""
    base = style + text.style if isinstance(text.style, Style) else style
    segments = Segment.apply_style(text.render(console), style=base)
    return Strip(segments).crop_extend(0, width, style)
