"""The statistics screen (`s`): for the current query and filters, outcome shares per
authority as bars, exemptions cited, median days to respond and answers after 20 working days.

The counting runs in a thread worker over every matching document; nothing from a document
is rendered as markup.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from indexer.analysis.records import collect
from indexer.analysis.stats import GroupStats, compute, summarise
from indexer.search import Filters, QueryError
from indexer.textsafe import one_line
from tui.stoppable import call_stoppable
from tui.widgets.outcome_bars import NAME_WIDTH, OutcomeBars

EXEMPTION_BAR = 30


def describe_scope(query: str, filters: Filters) -> str:
    """'"prevent" · authority: Kent Police' — what the numbers are about."""
    parts = [f'"{query}"' if query.strip() else "every document"]
    parts += [f"{name}: {value}" for name, value in filters.active().items()]
    return " · ".join(parts)


class StatsScreen(Screen):
    """Counts for the responses matching the main screen's query and filters."""

    HELP_GROUP = "Statistics"
    BINDINGS = [Binding("escape,q,s", "close", "Close")]

    class Loaded(Message):
        def __init__(self, groups: list[GroupStats], overall: GroupStats) -> None:
            super().__init__()
            self.groups = groups
            self.overall = overall

    class Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, query: str, filters: Filters) -> None:
        super().__init__()
        self.query_text = query
        self.filters = filters
        self.groups: list[GroupStats] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body"):
            yield Static(
                Text("Statistics: " + one_line(describe_scope(self.query_text, self.filters)), style="bold"),
                id="stats-title",
            )
            yield Static(Text("Counting…", style="dim"), id="stats-summary")
            yield Static(Text("Outcomes by authority", style="bold"), classes="stats-heading")
            yield OutcomeBars(id="stats-bars")
            yield Static(Text("Exemptions cited", style="bold"), classes="stats-heading")
            yield Static(id="stats-exemptions")
            yield Static(Text("Time to respond", style="bold"), classes="stats-heading")
            yield Static(id="stats-times")
        yield Footer()

    def on_mount(self) -> None:
        self._count(self.query_text, self.filters)

    @work(exclusive=True, group="stats-screen")
    async def _count(self, query: str, filters: Filters) -> None:
        try:  # stoppable: closing the screen or quitting ends the count (no budget: it reads every match)
            responses = await call_stoppable(collect, self.app.service, query, filters)
        except QueryError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(compute(responses, "authority"), summarise(responses)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.groups = event.groups
        overall = event.overall
        summary = Text(
            f"{overall.responses} responses from {len(event.groups)} authorities · "
            f"refused or NCND {overall.refusal_rate:.1%} · "
        )
        if overall.dated_pairs:
            summary.append(
                f"median {_days(overall.median_days)} days over {overall.dated_pairs} with both dates · "
                f"{overall.over_20_working_days} answered after 20 working days"
            )
        else:
            summary.append("no response has both a request and a response date")
        self.query_one("#stats-summary", Static).update(summary)
        self.query_one(OutcomeBars).show(event.groups)
        self.query_one("#stats-exemptions", Static).update(exemption_table(overall))
        self.query_one("#stats-times", Static).update(times_table(event.groups))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.query_one("#stats-summary", Static).update(Text(f"Cannot count: {event.error}", style="red"))

    def action_close(self) -> None:
        self.dismiss()


def _days(value) -> str:
    return "–" if value is None else f"{value:g}"


def exemption_table(overall: GroupStats) -> Table | Text:
    if not overall.exemptions:
        return Text("No exemption cited.", style="dim")
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column()
    top = max(overall.exemptions.values())
    for code, count in overall.exemptions.items():
        width = max(1, round(count * EXEMPTION_BAR / top))
        table.add_row(Text(one_line(code)), Text(str(count)), Text("█" * width, style="cyan"))
    return table


def times_table(groups: list[GroupStats]) -> Table:
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for header, justify in (
        ("authority", "left"),
        ("responses", "right"),
        ("with both dates", "right"),
        ("median days", "right"),
        ("after 20 working days", "right"),
    ):
        table.add_column(Text(header, style="bold"), justify=justify, no_wrap=True)
    for g in groups:
        name = one_line(str(g.key)) if g.key is not None else "(unknown)"
        late = Text(str(g.over_20_working_days), justify="right")
        if g.over_20_working_days:
            late.stylize("bold red")
        table.add_row(
            Text(name[:NAME_WIDTH]), Text(str(g.responses)), Text(str(g.dated_pairs)), Text(_days(g.median_days)), late
        )
    return table
