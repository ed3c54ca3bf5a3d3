"""The comparison screen (`c` on a result): the answers of every response to the same request
as that result, one column per response, one row per question.

The request group is found among the documents matching the current query and filters (the
same grouping as `foi compare`), in a thread worker. Answers are document text: only `Text`.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from indexer.analysis.compare import Comparison, group_of
from indexer.analysis.records import collect, from_hit, load_text
from indexer.search import Filters, Hit, QueryError
from indexer.textsafe import clean_display, one_line
from tui.stoppable import call_stoppable

# Documents searched for the rest of the group: the best-ranked matches of the query.
POOL = 500
ANSWER_WIDTH = 28
QUESTION_WIDTH = 36


class CompareScreen(Screen):
    """Side by side: what each authority answered to each question of one request."""

    HELP_GROUP = "Comparison"
    BINDINGS = [Binding("escape,q,c", "close", "Close")]

    class Loaded(Message):
        def __init__(self, comparison: Comparison | None) -> None:
            super().__init__()
            self.comparison = comparison

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, hit: Hit, query: str, filters: Filters) -> None:
        super().__init__()
        self.hit = hit
        self.query_text = query
        self.filters = filters
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        title = one_line(self.hit.title or self.hit.doc_id)
        yield Static(Text("Answers to the same request as: ", style="bold").append(title), id="compare-title")
        yield Static(Text("Grouping the responses…", style="dim"), id="compare-summary")
        with ScrollableContainer(id="compare-body"):
            yield Static(id="compare-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-body").focus()  # arrow keys scroll a table wider than the screen
        self._group(self.hit, self.query_text, self.filters)

    @work(exclusive=True, group="compare-screen")
    async def _group(self, hit: Hit, query: str, filters: Filters) -> None:
        # stoppable: closing the screen or quitting ends the grouping
        try:
            comparison = await call_stoppable(self._comparison, hit, query, filters)
        except QueryError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(comparison))

    def _comparison(self, hit: Hit, query: str, filters: Filters):
        service = self.app.service
        responses = collect(service, query, filters, with_text=True, limit=POOL)
        if not any(r.doc_id == hit.doc_id for r in responses):
            responses.append(load_text(service, from_hit(hit)))
        return group_of(responses, hit.doc_id)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.comparison = event.comparison
        summary = self.query_one("#compare-summary", Static)
        if event.comparison is None:
            summary.update(Text("This document is no longer in the index.", style="red"))
            return
        rows = event.comparison.rows
        if len(rows) == 1:
            summary.update(Text("No other response to this request matches the query.", style="dim"))
        else:
            summary.update(Text(f"{len(rows)} responses, {len(event.comparison.questions)} questions", style="dim"))
        self.query_one("#compare-table", Static).update(comparison_table(event.comparison))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.query_one("#compare-summary", Static).update(Text(f"Cannot compare: {event.error}", style="red"))

    def action_close(self) -> None:
        self.dismiss()


def comparison_table(comparison: Comparison) -> Table:
    """A row per question, a column per response (authority, reference, date, outcome)."""
    table = Table(show_lines=True, expand=False)
    table.add_column(Text("question", style="bold"), width=QUESTION_WIDTH)
    for row in comparison.rows:
        r = row.response
        head = Text(one_line(r.authority or "(unknown)"), style="bold")
        facts = [one_line(x) for x in (r.reference, r.date, r.outcome) if x]
        if r.exemptions:
            facts.append(one_line(", ".join(r.exemptions)))
        head.append("\n" + " · ".join(facts), style="dim")
        table.add_column(head, width=ANSWER_WIDTH)
    for number, question in enumerate(comparison.questions, start=1):
        cells = [Text(f"Q{number}. ", style="bold cyan").append(one_line(question))]
        for row in comparison.rows:
            answer = row.answers.get(question, "")
            cells.append(Text(clean_display(answer)) if answer else Text("–", style="dim"))
        table.add_row(*cells)
    if any(row.other for row in comparison.rows):
        cells = [Text("other (fits no question)", style="bold")]
        cells += [Text(clean_display(row.other)) if row.other else Text("") for row in comparison.rows]
        table.add_row(*cells)
    return table
