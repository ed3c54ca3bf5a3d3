"""The help screen: every key binding, generated from the BINDINGS of the app, screen and widgets."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keys import tui_nodes


def binding_rows(app, screen: Screen | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(keys, description)]) for the app and every tui widget on `screen`.

    Keys that share an action and description are listed together ("↑ k").
    """
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    seen: set[type] = set()
    for node in tui_nodes(app, screen):
        cls = type(node)
        if cls in seen:
            continue
        seen.add(cls)
        rows = _rows(app, cls.__dict__.get("BINDINGS", []))
        if cls is type(app):
            rows.append((app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")), "Command palette"))
        if rows:
            groups.append((getattr(cls, "HELP_GROUP", cls.__name__), rows))
    return groups


def _rows(app, bindings: Iterable) -> list[tuple[str, str]]:
    merged: dict[tuple[str, str], list[str]] = {}
    for binding in Binding.make_bindings(bindings):
        description = binding.description or binding.action.replace("_", " ")
        merged.setdefault((binding.action, description), []).append(app.get_key_display(binding))
    return [(" ".join(keys), description) for (_, description), keys in merged.items()]


def _table(groups: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, min_width=9)
    table.add_column()
    for title, rows in groups:
        table.add_row(Text(title, style="bold underline"), "")
        for keys, description in rows:
            table.add_row(Text(keys, style="bold"), Text(description))
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen):
    """Every key, by where it works. Esc, q, ? or F1 closes it."""

    HELP_GROUP = "Help screen"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close help")]

    def __init__(self, screen: Screen | None = None) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        groups = binding_rows(self.app, self.for_screen)
        groups.append(
            (
                "Mouse",
                [
                    ("click", "select a result; click again to preview"),
                    ("wheel", "scroll results, preview, facets"),
                ],
            )
        )
        # Two columns, split where the line counts are closest to even.
        sizes = [len(rows) + 2 for _, rows in groups]
        total, running, split = sum(sizes), 0, len(groups)
        for index, size in enumerate(sizes):
            if running + size / 2 >= total / 2:
                split = index
                break
            running += size
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            with Horizontal(id="help-columns"):
                yield Static(_table(groups[:split]), classes="help-column")
                yield Static(_table(groups[split:]), classes="help-column")
            yield Static(
                Text("Esc closes this screen · Ctrl+P lists every action, sorting and the query syntax", style="dim")
            )

    def action_dismiss(self) -> None:
        self.dismiss()
