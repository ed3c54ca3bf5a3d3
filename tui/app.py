"""The foi-search terminal UI: `run(index_dir)` opens it on an index; `FoiApp` takes a SearchService."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding

from indexer.search import SearchService
from indexer.textsafe import one_line
from tui.commands import FoiCommands
from tui.messages import ReindexFinished, ReindexProgress
from tui.opener import open_document
from tui.screens.empty import EmptyIndexScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

# Searches take milliseconds; one that runs for seconds expands a pattern over the whole
# vocabulary and would otherwise keep growing. It is stopped with a message instead.
SEARCH_BUDGET_SECONDS = 10.0


class FoiApp(App):
    """Search FOI responses as you type."""

    CSS_PATH = "app.tcss"
    TITLE = "foi-search"
    HELP_GROUP = "Everywhere"
    COMMANDS = App.COMMANDS | {FoiCommands}

    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", tooltip="Every key, by where it works"),
        Binding("r", "reindex", "Re-index", tooltip="Read new and changed files into the index"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        service: SearchService,
        measurements: bool = True,
        export_dir: Path | str | None = None,
        search_budget: float | None = SEARCH_BUDGET_SECONDS,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.measurements = measurements  # False: no timings or sizes on screen (snapshots)
        self.export_dir = Path(export_dir) if export_dir is not None else Path.cwd()  # where `e` writes CSV
        self.search_budget = search_budget  # seconds a search may run before it is stopped
        self.reindexing = False

    def has_documents(self) -> bool:
        return self.service.available() and self.service.stats().documents > 0

    def on_mount(self) -> None:
        if self.has_documents():
            self.push_screen(MainScreen())
        else:
            self.push_screen(EmptyIndexScreen(str(self.service.store.dir)))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def open_document(self, hit) -> None:
        open_document(self, hit)

    # ------------------------------------------------------------ re-index
    def action_reindex(self) -> None:
        if self.reindexing:
            self.notify("A re-index is already running.", markup=False)
            return
        self.reindexing = True
        if not self.has_documents():
            # Whoosh cannot refresh a searcher opened on an empty index (its EmptyReader has
            # no segments): drop it, so the service opens a new one after the run.
            self.service.close()
        self.notify("Re-indexing: new and changed files only…", markup=False, timeout=3)
        self._reindex_worker()

    @work(thread=True, exclusive=True, group="reindex")
    def _reindex_worker(self) -> None:
        def progress(done: int, total: int) -> None:
            self.post_message(ReindexProgress(done, total))

        try:
            summary = self.service.reindex(on_progress=progress)
        except Exception as exc:  # IndexBusy, a full disk …: say so, keep the app running
            self.post_message(ReindexFinished(None, str(exc) or type(exc).__name__))
        else:
            self.post_message(ReindexFinished(summary))

    def on_reindex_progress(self, event: ReindexProgress) -> None:
        self._each_screen("reindex_progress", event)

    def on_reindex_finished(self, event: ReindexFinished) -> None:
        self.reindexing = False
        if event.summary is None:
            self.notify(f"Re-index failed: {one_line(event.error)}", severity="error", markup=False)
        else:
            s = event.summary
            message = f"Re-indexed: {s.added} added, {s.updated} updated, {s.removed} removed, {s.unchanged} unchanged"
            if s.failed:
                message += f", {s.failed} failed (foi status lists why)"
            self.notify(message, severity="warning" if s.failed else "information", markup=False)
        self._each_screen("reindex_finished", event)

    def _each_screen(self, method: str, event) -> None:
        for screen in list(self.screen_stack):
            handler = getattr(screen, method, None)
            if handler is not None:
                handler(event)


def run(index_dir: Path | str) -> None:
    """Open the TUI on the index in `index_dir` (called by `foi tui`)."""
    service = SearchService(Path(index_dir))
    try:
        FoiApp(service).run()
    finally:
        # A search stuck in native code may still hold the service: close it without
        # waiting, the process is about to end anyway.
        import threading

        closing = threading.Thread(target=service.close, daemon=True)
        closing.start()
        closing.join(timeout=1.0)
