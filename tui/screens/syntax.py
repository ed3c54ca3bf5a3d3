"""Query syntax help, reached from the command palette."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EXAMPLES = [
    ("prevent database", "both words, anywhere (AND is the default)"),
    ('"data controller"', "the exact phrase"),
    ("prevent OR channel", "either word"),
    ("prevent NOT channel", "the first without the second"),
    ("(prevent OR channel) database", "group with parentheses"),
    ("databas*", "wildcard: database, databases …"),
    ("controler~", "fuzzy: one or two letters off"),
    ("authority:MPS", "an authority by name or alias (Met, MPS, SYP …)"),
    ("exemption:s40", "cites section 40 (s40(2), s40(3A)(a) …)"),
    ("outcome:refused", "disclosed, partial, refused, not_held, ncnd, unknown"),
    ("date:2019", "responded in 2019"),
    ("date:[2019-01-01 TO 2019-06-30]", "a date range (inclusive)"),
    ("date:>2020-01-01", "after a date (also <, >=, <=)"),
    ("title:prevent", "words in one field: title, request, response, qa, reference, content"),
    ("kind:pdf", "only PDFs (or kind:text)"),
]


class SyntaxScreen(ModalScreen):
    """Examples of the query language. Esc closes it."""

    HELP_GROUP = "Query syntax"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for example, meaning in EXAMPLES:
            table.add_row(Text(example), Text(meaning))
        with VerticalScroll(id="syntax-body"):
            yield Static(Text("Query syntax", style="bold"), id="syntax-title")
            yield Static(table)
            yield Static(
                Text(
                    "Combine freely: exemption:s40 prevent authority:SYP date:2019. "
                    "The facet sidebar (f) narrows by authority, year, exemption and outcome. "
                    "Esc closes this screen.",
                    style="dim",
                )
            )

    def action_dismiss(self) -> None:
        self.dismiss()
