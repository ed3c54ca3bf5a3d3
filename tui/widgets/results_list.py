"""The ranked results: a virtual list that renders only the rows on screen.

Hits arrive a page at a time. The list knows the total, so its scrollbar is right from the
start; when a row whose page is not loaded comes into view it shows a placeholder and posts
`PageNeeded`, and the screen fetches that page in a worker. A query with 500,000 hits costs
the same to show as one with 5.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from indexer.extract.registry import is_paged
from indexer.search import Hit, Results
from indexer.textsafe import one_line
from tui.text import highlighted, to_strip, wrap

PAGE_SIZE = 20  # hits per fetch: a screenful or two; each hit costs a snippet (~1-2 ms)
ITEM_HEIGHT = 4  # title, metadata, two lines of snippet
INDENT = 6
MAX_PAGES_KEPT = 500  # 10,000 hits in memory; pages far from the cursor are dropped

OUTCOME_STYLES = {
    "disclosed": "bold black on green",
    "partial": "bold black on yellow",
    "refused": "bold white on red",
    "not_held": "bold black on bright_black",
    "ncnd": "bold white on magenta",
    "unknown": "black on grey50",
}


class ResultsList(ScrollView, can_focus=True):
    """Ranked hits: rank, title, authority, date, reference, outcome badge, snippet."""

    HELP_GROUP = "Results"

    BINDINGS = [
        Binding("up,k", "cursor_up", "Previous result", show=False),
        Binding("down,j", "cursor_down", "Next result", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First result", show=False),
        Binding("end", "last", "Last result", show=False),
        Binding("enter", "choose", "Preview"),
        Binding("c", "compare", "Compare", tooltip="Every response to this result's request, side by side"),
        Binding("escape", "back", "Back to search", show=False),
    ]

    COMPONENT_CLASSES = {
        "results-list--cursor",
        "results-list--title",
        "results-list--rank",
        "results-list--meta",
        "results-list--highlight",
        "results-list--placeholder",
        "results-list--hint",
    }

    cursor: reactive[int] = reactive(0, always_update=True)

    class PageNeeded(Message):
        def __init__(self, generation: int, page: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class Highlighted(Message):
        """The cursor is on a (loaded) hit."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Chosen(Message):
        """Enter or a click on the hit under the cursor: open the preview."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Back(Message):
        """Esc: go back to the search input."""

    class CompareRequested(Message):
        """`c` on a hit: show the answers of every response to the same request."""

        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.generation = 0
        self.total = 0
        self._pages: dict[int, list[Hit]] = {}
        self._requested: set[int] = set()
        self._hint: list[str] = []
        self._cache: OrderedDict[tuple, list[Strip]] = OrderedDict()

    # ------------------------------------------------------------ data in
    def show_results(self, results: Results, generation: int, advice: str = "") -> None:
        """Show a new query's first page; with no hits, say so, then `advice` (what to try)."""
        self.generation = generation
        self.total = results.total
        self._pages = {results.offset // PAGE_SIZE: list(results.hits)}
        self._requested = set(self._pages)
        self._hint = []
        if not results.total:
            self._hint = [f"No documents match {results.query!r}."]
            if results.suggestion:
                self._hint.append(f"Did you mean: {results.suggestion}")
            if advice:
                self._hint.append(advice)
        self._reset()

    def show_hint(self, *lines: str) -> None:
        """No results to show: a message instead (an empty query, an empty index)."""
        self.total = 0
        self._pages = {}
        self._requested = set()
        self._hint = list(lines)
        self._reset()

    def add_page(self, generation: int, page: int, hits: list[Hit]) -> None:
        if generation != self.generation:
            return  # a page of an older query
        self._pages[page] = list(hits)
        self._forget_far_pages()
        self._cache.clear()
        self.refresh()
        if self.cursor // PAGE_SIZE == page and self.current_hit is not None:
            self.post_message(self.Highlighted(self.current_hit))

    def _reset(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(0, self.total * ITEM_HEIGHT if self.total else len(self._hint) + 1)
        self.scroll_to(0, 0, animate=False, immediate=True, force=True)
        self.cursor = 0
        self.refresh()

    def _forget_far_pages(self) -> None:
        if len(self._pages) <= MAX_PAGES_KEPT:
            return
        here = self.cursor // PAGE_SIZE
        for page in sorted(self._pages, key=lambda p: -abs(p - here))[: len(self._pages) - MAX_PAGES_KEPT]:
            del self._pages[page]
            self._requested.discard(page)

    # ------------------------------------------------------------ data out
    def hit_at(self, index: int) -> Hit | None:
        page, row = divmod(index, PAGE_SIZE)
        hits = self._pages.get(page)
        if hits is None or row >= len(hits):
            return None
        return hits[row]

    @property
    def current_hit(self) -> Hit | None:
        return self.hit_at(self.cursor) if self.total else None

    @property
    def loaded_hits(self) -> list[Hit]:
        return [hit for page in sorted(self._pages) for hit in self._pages[page]]

    # ------------------------------------------------------------ cursor
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if not self.total:
            return
        self.scroll_to_region(
            Region(0, new * ITEM_HEIGHT, max(1, self.size.width), ITEM_HEIGHT),
            animate=False,
            immediate=True,
            force=True,
        )
        hit = self.hit_at(new)
        if hit is not None:
            self.post_message(self.Highlighted(hit))

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def _visible_items(self) -> int:
        return max(1, self.scrollable_content_region.height // ITEM_HEIGHT)

    def action_page_up(self) -> None:
        self.cursor -= self._visible_items()

    def action_page_down(self) -> None:
        self.cursor += self._visible_items()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.total - 1

    def action_choose(self) -> None:
        hit = self.current_hit
        if hit is not None:
            self.post_message(self.Chosen(hit))

    def action_back(self) -> None:
        self.post_message(self.Back())

    def action_compare(self) -> None:
        hit = self.current_hit
        if hit is None:
            self.app.bell()
        else:
            self.post_message(self.CompareRequested(hit))

    async def on_click(self, event: events.Click) -> None:
        if not self.total:
            return
        index = (event.y + int(self.scroll_offset.y)) // ITEM_HEIGHT
        if index >= self.total:
            return
        if index == self.cursor or event.chain > 1:
            self.cursor = index
            self.action_choose()
        else:
            self.cursor = index

    # ------------------------------------------------------------ rendering
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        base = self.rich_style
        if not self.total:
            return self._hint_line(line, width)
        index, row = divmod(line, ITEM_HEIGHT)
        if index >= self.total:
            return Strip.blank(width, base)
        strips = self._item_strips(index, width)
        return strips[row]

    def _hint_line(self, line: int, width: int) -> Strip:
        base = self.rich_style
        if line == 0 or line > len(self._hint):
            return Strip.blank(width, base)
        style = self.get_component_rich_style("results-list--hint", partial=True)
        text = Text("  " + self._hint[line - 1], style=style, no_wrap=True, end="")
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        return to_strip(text, self.app.console, width, style)

    def _item_strips(self, index: int, width: int) -> list[Strip]:
        hit = self.hit_at(index)
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, hit.doc_id if hit else None)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("results-list--cursor")
        if hit is None:
            self._request(index // PAGE_SIZE)
            placeholder = self.get_component_rich_style("results-list--placeholder", partial=True)
            lines = [Text(f"{index + 1:>4}  …", style=placeholder)] + [Text("")] * (ITEM_HEIGHT - 1)
            return [self._strip(t, width, base) for t in lines]
        strips = [self._strip(t, width, base) for t in self._item_lines(hit, width)]
        if is_cursor:
            gutter = Segment("▌", base + Style(color=self._accent()))
        else:
            gutter = Segment(" ", base)
        strips = [Strip([gutter, *s.crop(0, width - 1)]) for s in strips]
        self._cache[key] = strips
        if len(self._cache) > 400:
            self._cache.popitem(last=False)
        return strips

    def _accent(self) -> str:
        try:
            return self.app.current_theme.accent or "blue"
        except Exception:
            return "blue"

    def _request(self, page: int) -> None:
        if page not in self._requested:
            self._requested.add(page)
            self.post_message(self.PageNeeded(self.generation, page))

    def _item_lines(self, hit: Hit, width: int) -> list[Text]:
        width = max(10, width - 1)  # one column for the cursor gutter
        rank_style = self.get_component_rich_style("results-list--rank", partial=True)
        title_style = self.get_component_rich_style("results-list--title", partial=True)
        meta_style = self.get_component_rich_style("results-list--meta", partial=True)
        hl_style = self.get_component_rich_style("results-list--highlight", partial=True)

        date = hit.date or "undated"
        title = Text(no_wrap=True, end="")
        title.append(f"{hit.rank:>4}  ", rank_style)
        room = max(1, width - INDENT - len(date) - 2)
        name = Text(one_line(hit.title or hit.doc_id), style=title_style)
        name.truncate(room, overflow="ellipsis")
        title.append_text(name)
        title.append(" " * max(1, width - title.cell_len - len(date)))
        title.append(one_line(date), meta_style)

        meta = Text(" " * INDENT, no_wrap=True, end="")
        badge = hit.outcome or "unknown"
        meta.append(f" {badge.replace('_', ' ')} ", OUTCOME_STYLES.get(badge, OUTCOME_STYLES["unknown"]))
        parts = [one_line(hit.authority) or "unknown authority"]
        if hit.reference:
            parts.append("ref " + one_line(hit.reference))
        if hit.exemptions:
            parts.append(one_line(" ".join(hit.exemptions)))
        if is_paged(hit.kind):
            parts.append(f"p.{hit.page or 1}/{hit.pages}")
        meta.append("  " + " · ".join(parts), meta_style)
        meta.truncate(width, overflow="ellipsis")

        snippet_lines = _snippet_lines(hit, width - INDENT, hl_style)
        lines = [title, meta] + [Text(" " * INDENT, end="").append_text(s) for s in snippet_lines]
        while len(lines) < ITEM_HEIGHT:
            lines.append(Text(""))
        return lines[:ITEM_HEIGHT]


def _snippet_lines(hit: Hit, width: int, hl_style: Style, max_lines: int = ITEM_HEIGHT - 2) -> list[Text]:
    text = highlighted(hit.snippet or "", hit.highlights or [], hl_style)
    rows = wrap(text.plain, max(1, width))
    out = [text[start:end] for start, end in rows[:max_lines]]
    if len(rows) > max_lines and out:
        last = out[-1]
        last.rstrip()
        if last.cell_len >= width:
            last.truncate(width - 1)
        last.append("…")
    for line in out:
        line.no_wrap = True
        line.end = ""
    return out
