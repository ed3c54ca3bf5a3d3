"""The status bar: hits, time taken, index size, sort, active filters, errors and re-index progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from indexer.textsafe import one_line
from indexer.units import human_bytes


class StatusBar(Horizontal):
    """One line at the bottom. `measurements=False` hides timings and sizes (stable snapshots)."""

    def __init__(self, measurements: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.measurements = measurements
        self.hits: int | None = None
        self.seconds: float | None = None
        self.documents: int | None = None
        self.index_bytes: int | None = None
        self.sort = "relevance"
        self.filters = ""
        self.error: str | None = None
        self.note: str | None = None
        self.fallback: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield ProgressBar(id="reindex-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.render_status()

    def set_results(self, hits: int | None, seconds: float | None, fallback: str | None = None) -> None:
        """`fallback`: no hit has every word; the sentence saying which words the hits have."""
        self.hits, self.seconds, self.error, self.fallback = hits, seconds, None, fallback
        self.render_status()

    def set_index(self, documents: int, index_bytes: int) -> None:
        self.documents, self.index_bytes = documents, index_bytes
        self.render_status()

    def set_error(self, message: str) -> None:
        self.error = message
        self.render_status()

    def set_context(self, sort: str, filters: str) -> None:
        self.sort, self.filters = sort, filters
        self.render_status()

    def set_note(self, note: str | None) -> None:
        self.note = note
        self.render_status()

    def progress(self, done: int, total: int) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        self.set_note(f"re-indexing {done}/{total}")

    def progress_done(self) -> None:
        self.query_one(ProgressBar).display = False
        self.set_note(None)

    def render_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.error:
            text.append(" ✗ ", "bold white on red")
            text.append(" " + one_line(self.error), "bold red")
            text.append("  (last good results shown)", "dim")
        else:
            if self.fallback:  # first, so a narrow terminal still shows it
                text.append(" " + one_line(self.fallback) + " ·", "bold yellow")
            if self.hits is not None:
                text.append(f" {self.hits:,} hit{'s' if self.hits != 1 else ''}", "bold")
                if self.measurements and self.seconds is not None:
                    text.append(f" in {self.seconds * 1000:.0f} ms")
            if self.documents is not None:
                text.append(f"  ·  {self.documents:,} documents", "dim")
                if self.measurements and self.index_bytes is not None:
                    text.append(f", {human_bytes(self.index_bytes)} index", "dim")
            text.append(f"  ·  sort: {self.sort}", "dim")
            if self.filters:
                text.append("  ·  filters: ", "dim")
                text.append(self.filters, "bold")
        if self.note:
            text.append(f"  ·  {self.note}", "italic")
        self.query_one("#status-text", Static).update(text)
