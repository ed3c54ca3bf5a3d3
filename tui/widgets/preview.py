"""The preview pane: a whole document, matched terms highlighted, `n`/`N` to jump between hits.

A Line API widget: the document is wrapped to the pane's width into rows (offsets into the
cleaned text, so highlights land exactly), and only rows on screen are turned into strips.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from indexer.extract.registry import is_paged
from indexer.search import DocumentView, Hit
from indexer.textsafe import clean_display, one_line
from tui.text import to_strip, wrap

BEST_PASSAGE_WIDTH = 200  # characters: the same window the snippets use


@dataclass
class _Line:
    text: str
    role: str  # "title", "meta", "marker", "body"
    spans: list[tuple[int, int]]  # matched terms, offsets into text


@dataclass
class _HitRef:
    line: int  # index into the logical lines
    start: int
    end: int
    page: int  # 0-based page
    offset: int  # offset into the page text
    word: str  # the matched word, lower-cased


class PreviewPane(ScrollView, can_focus=True):
    """The full text of one document, scrolled to its best passage."""

    HELP_GROUP = "Preview"

    BINDINGS = [
        Binding("n", "next_hit", "Next hit"),
        Binding("N", "previous_hit", "Previous hit"),
        Binding("escape", "close", "Back"),
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    COMPONENT_CLASSES = {
        "preview--title",
        "preview--meta",
        "preview--marker",
        "preview--highlight",
        "preview--current",
    }

    current: reactive[int] = reactive(-1, init=False)

    class Closed(Message):
        """Esc: close the preview and go back to the results."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hit: Hit | None = None
        self.document: DocumentView | None = None
        self._lines: list[_Line] = []
        self._hits: list[_HitRef] = []
        self._rows: list[tuple[int, int, int]] = []  # (line index, start, end)
        self._hit_rows: list[int] = []
        self._width = 0
        self._pending_scroll = False

    # ------------------------------------------------------------ content
    def show_document(self, hit: Hit, document: DocumentView, spans: list[list[tuple[int, int]]]) -> None:
        """Show `document`; `spans[i]` are the matched-term offsets in page i."""
        self.hit = hit
        self.document = document
        self._lines, self._hits = _build_lines(hit, document, spans)
        self.border_title = Text(one_line(document.metadata.get("title") or hit.doc_id))
        self._width = 0
        best = _best_hit(self._hits, hit, document.pages)
        self.set_reactive(PreviewPane.current, best)
        self._pending_scroll = True
        self._layout()

    def clear(self) -> None:
        self.hit = self.document = None
        self._lines, self._hits, self._rows, self._hit_rows = [], [], [], []
        self.border_title = None
        self.border_subtitle = None
        self.virtual_size = Size(0, 0)
        self.refresh()

    @property
    def hit_count(self) -> int:
        return len(self._hits)

    @property
    def current_row(self) -> int | None:
        """The wrapped row of the current hit (for tests and scrolling)."""
        if 0 <= self.current < len(self._hit_rows):
            return self._hit_rows[self.current]
        return None

    def row_text(self, row: int) -> str:
        line, start, end = self._rows[row]
        return self._lines[line].text[start:end]

    # ------------------------------------------------------------ layout
    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    def on_show(self) -> None:
        self._layout()

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or not self._lines:
            return
        if width != self._width:
            self._width = width
            rows: list[tuple[int, int, int]] = []
            line_first_row: list[int] = []
            for index, line in enumerate(self._lines):
                line_first_row.append(len(rows))
                rows.extend((index, start, end) for start, end in wrap(line.text, width))
            self._rows = rows
            self._hit_rows = []
            for ref in self._hits:
                first = line_first_row[ref.line]
                row = first
                while row + 1 < len(rows) and rows[row + 1][0] == ref.line and rows[row + 1][1] <= ref.start:
                    row += 1
                self._hit_rows.append(row)
            self.virtual_size = Size(width, len(rows))
        self._update_subtitle()
        if self._pending_scroll:
            self._pending_scroll = False
            self.call_after_refresh(self._scroll_to_current)
        self.refresh()

    def _scroll_to_current(self, only_if_hidden: bool = False) -> None:
        """Put the current hit a third of the way down; with `only_if_hidden`, leave the
        view alone while the hit is already on screen (n/N through one paragraph)."""
        row = self.current_row
        if row is None:
            self.scroll_to(0, 0, animate=False, immediate=True, force=True)
            return
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if only_if_hidden and top < row < top + height - 1:
            return
        # force: right after a new document the scrollbars are not laid out yet
        self.scroll_to(0, max(0, row - height // 3), animate=False, immediate=True, force=True)
        # ...so Textual did not move the (still hidden) scrollbar: its thumb would stay at the top.
        self.vertical_scrollbar.position = self.scroll_y

    def _update_subtitle(self) -> None:
        if not self._hits:
            self.border_subtitle = "no matched terms · Esc back"
            return
        ref = self._hits[self.current] if self.current >= 0 else None
        pages = len(self.document.pages) if self.document else 0
        where = f" · page {ref.page + 1}/{pages}" if ref and pages > 1 else ""
        self.border_subtitle = f"hit {self.current + 1}/{len(self._hits)}{where} · n/N next/previous · Esc back"

    # ------------------------------------------------------------ hits
    def watch_current(self, old: int, new: int) -> None:
        self._update_subtitle()
        self._scroll_to_current(only_if_hidden=True)
        self.refresh()

    def action_next_hit(self) -> None:
        if self._hits:
            self.current = (self.current + 1) % len(self._hits)

    def action_previous_hit(self) -> None:
        if self._hits:
            self.current = (self.current - 1) % len(self._hits)

    def action_close(self) -> None:
        self.post_message(self.Closed())

    # ------------------------------------------------------------ rendering
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = int(self.scroll_offset.y) + y
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        index, start, end = self._rows[row]
        line = self._lines[index]
        style = Style()
        if line.role != "body":
            style = self.get_component_rich_style(f"preview--{line.role}", partial=True)
        text = Text(line.text[start:end], style=style, no_wrap=True, end="")
        if line.spans:
            hl = self.get_component_rich_style("preview--highlight", partial=True)
            current = self.get_component_rich_style("preview--current", partial=True)
            cur = self._hits[self.current] if 0 <= self.current < len(self._hits) else None
            first = bisect.bisect_left(line.spans, (start - 10_000, 0))
            for s, e in line.spans[first:]:
                if s >= end:
                    break
                if e <= start:
                    continue
                is_current = cur is not None and cur.line == index and cur.start == s
                text.stylize(current if is_current else hl, max(s, start) - start, min(e, end) - start)
        return to_strip(text, self.app.console, width, base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()


def _build_lines(hit: Hit, document: DocumentView, spans: list[list[tuple[int, int]]]):
    meta = document.metadata
    lines: list[_Line] = []
    hits: list[_HitRef] = []
    lines.append(_Line(one_line(meta.get("title") or hit.doc_id), "title", []))
    facts = [
        one_line(meta.get("authority")) or "unknown authority",
        f"ref {one_line(meta.get('reference'))}" if meta.get("reference") else None,
        f"responded {one_line(meta['date'])}" if meta.get("date") else "undated",
        f"requested {one_line(meta['request_date'])}" if meta.get("request_date") else None,
        f"outcome {one_line(meta.get('outcome') or 'unknown')}",
        ("exemptions " + one_line(" ".join(meta["exemptions"]))) if meta.get("exemptions") else None,
    ]
    lines.append(_Line(" · ".join(f for f in facts if f), "meta", []))
    kind = meta.get("kind") or hit.kind
    pages_note = f" · {len(document.pages)} pages" if is_paged(kind) else ""
    lines.append(_Line(f"{one_line(meta.get('doc_id') or hit.doc_id)} · {one_line(kind)}{pages_note}", "meta", []))
    if meta.get("parent"):  # a member of an archive or an attachment: `o` opens this container
        lines.append(_Line(f"in {one_line(meta['parent'])}", "meta", []))
    lines.append(_Line("", "body", []))
    show_markers = is_paged(kind) or len(document.pages) > 1
    for page_index, page in enumerate(document.pages):
        if show_markers:
            if page_index:
                lines.append(_Line("", "body", []))
            lines.append(_Line(f"── page {page_index + 1} of {len(document.pages)} ──", "marker", []))
        page_text = clean_display(page)
        page_spans = sorted(spans[page_index]) if page_index < len(spans) else []
        cursor = 0
        offset = 0
        for raw in page_text.split("\n"):
            end = offset + len(raw)
            line_spans = []
            while cursor < len(page_spans) and page_spans[cursor][0] < end:
                s, e = page_spans[cursor]
                if s >= offset:
                    line_spans.append((s - offset, min(e, end) - offset))
                    hits.append(
                        _HitRef(len(lines), s - offset, min(e, end) - offset, page_index, s, page_text[s:e].lower())
                    )
                cursor += 1
            lines.append(_Line(raw, "body", line_spans))
            offset = end + 1
    return lines, hits


def _best_hit(hits: list[_HitRef], hit: Hit, pages: list[str]) -> int:
    """Index of the first hit of the best passage: where the result's snippet came from,
    else the window of text with the most distinct matched words."""
    if not hits:
        return -1
    page = (hit.page - 1) if hit.page else None
    found = _snippet_position(hit.snippet, pages, page)
    if found is not None:
        where_page, where = found
        for index, ref in enumerate(hits):
            if ref.page == where_page and ref.offset >= where:
                return index
    candidates = [i for i, ref in enumerate(hits) if page is None or ref.page == page] or list(range(len(hits)))
    best, best_key = candidates[0], (0, 0)
    left = 0
    for right in range(len(candidates)):
        while (
            hits[candidates[right]].page != hits[candidates[left]].page
            or hits[candidates[right]].offset - hits[candidates[left]].offset > BEST_PASSAGE_WIDTH
        ):
            left += 1
        window = candidates[left : right + 1]
        key = (len({hits[i].word for i in window}), len(window))
        if key > best_key:
            best, best_key = candidates[left], key
    return best


def _snippet_position(snippet: str, pages: list[str], page: int | None) -> tuple[int, int] | None:
    """(page, offset) where the snippet's text starts; snippets collapse whitespace, so the
    words are matched with any non-word run between them."""
    words = re.findall(r"\w+", snippet or "")[:12]
    if len(words) < 2:
        return None
    pattern = re.compile(r"\W+".join(map(re.escape, words)))
    order = ([page] if page is not None and page < len(pages) else []) + [i for i in range(len(pages)) if i != page]
    for index in order:
        match = pattern.search(pages[index])
        if match:
            return index, match.start()
    return None
