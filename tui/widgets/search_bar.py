"""The query input: posts a debounced `QueryChanged` so a search runs as you type."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

DEBOUNCE_SECONDS = 0.15


class SearchBar(Input):
    """Search as you type: the query goes out 150 ms after the last keystroke."""

    HELP_GROUP = "Search bar"

    BINDINGS = [
        Binding("down", "to_results", "Results", show=False),
        Binding("escape", "escape", "Stop a search, else results", show=False),
    ]

    class QueryChanged(Message):
        def __init__(self, search_bar: SearchBar, query: str) -> None:
            super().__init__()
            self.search_bar = search_bar
            self.query = query

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    class Leave(Message):
        """The user wants to move from the input to the results (Down, Enter, Esc).

        `escape`: it was Esc, which first stops a search that is still running."""

        def __init__(self, open_first: bool = False, escape: bool = False) -> None:
            super().__init__()
            self.open_first = open_first
            self.escape = escape

    def __init__(self, debounce: float = DEBOUNCE_SECONDS, **kwargs) -> None:
        kwargs.setdefault("placeholder", 'Search FOI responses: words, "a phrase", authority:MPS, exemption:s40 …')
        super().__init__(**kwargs)
        self.debounce = debounce
        self._timer: Timer | None = None
        self._sent: str | None = None

    @on(Input.Changed)
    def _schedule(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._send)

    def _send(self) -> None:
        self._timer = None
        if self.value != self._sent:
            self._sent = self.value
            self.post_message(self.QueryChanged(self, self.value))

    def flush(self) -> None:
        """Send a pending query now (Enter does not wait for the debounce)."""
        if self._timer is not None:
            self._timer.stop()
            self._send()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self.post_message(self.Leave(open_first=False))

    def action_to_results(self) -> None:
        self.post_message(self.Leave())

    def action_escape(self) -> None:
        self.post_message(self.Leave(escape=True))
