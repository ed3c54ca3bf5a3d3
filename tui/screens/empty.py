"""Shown when the index is missing or empty: how to add documents and index them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from indexer.textsafe import one_line
from tui.messages import ReindexFinished, ReindexProgress


class EmptyIndexScreen(Screen):
    """A friendly first screen: nothing indexed yet."""

    HELP_GROUP = "Empty index"

    def __init__(self, index_dir: str, corpus_hint: str = "corpus") -> None:
        super().__init__()
        self.index_dir = index_dir
        self.corpus_hint = corpus_hint

    def compose(self) -> ComposeResult:
        message = Text()
        message.append("No documents indexed yet\n\n", style="bold")
        message.append("1. Put FOI responses (PDF or plain text) in ")
        message.append(f"./{self.corpus_hint}/", style="bold")
        message.append(" (sub-folders are fine).\n")
        message.append("2. Press ")
        message.append("r", style="bold reverse")
        message.append(" here to index them, or run\n   ")
        message.append(one_line(f"foi index {self.corpus_hint} --index {self.index_dir}"), style="bold")
        message.append("\n   in a shell and start ")
        message.append("foi tui", style="bold")
        message.append(" again.\n\n")
        message.append("Indexing is incremental: later runs only read new or changed files.\n", style="dim")
        message.append("q quits · ? lists every key", style="dim")
        with Middle():
            with Center():
                yield Static(message, id="empty-message")
            with Center():
                yield ProgressBar(id="empty-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def reindex_progress(self, event: ReindexProgress) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=max(event.total, 1), progress=event.done)

    def reindex_finished(self, event: ReindexFinished) -> None:
        self.query_one(ProgressBar).display = False
        if event.summary is not None and self.app.has_documents():
            from tui.screens.main import MainScreen

            self.app.switch_screen(MainScreen())
        elif event.summary is not None:
            self.notify(
                f"Nothing to index in ./{self.corpus_hint}: add PDF or text files there, then press r.",
                severity="warning",
                markup=False,
            )
