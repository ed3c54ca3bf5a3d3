"""Document text made safe to show in the TUI: cleaned, highlighted and word-wrapped by cells.

Everything that came out of a document, a sidecar or a file name (titles, snippets, whole
pages, authority names, exemptions, paths) goes through indexer.textsafe (the cleaner the CLI
uses too) and is rendered only as rich `Text`, never parsed as markup, so `[bold]`, ANSI escapes or bidi overrides show literally and cannot restyle or
break the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from indexer.textsafe import one_line


def highlighted(text: str, spans: Iterable[tuple[int, int] | list[int]], style: str, base: str = "") -> Text:
    """A `Text` of `text` (cleaned) with `style` over each [start, end) span."""
    out = Text(one_line(text), style=base, no_wrap=True, end="")
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
