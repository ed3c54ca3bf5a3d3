"""Facet sidebar: authority, year, exemption and outcome with counts; toggling one narrows the results.

One value per facet at a time (the search service takes one authority, one exemption,
one outcome and a date range); choosing another value in the same facet replaces it,
choosing the selected value again clears it. A facet with more than MAX_VALUES values shows
the most frequent and a "+N more" line that lists the rest.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from indexer.search import FACETS, Filters
from indexer.textsafe import one_line

TITLES = {"authority": "Authority", "year": "Year", "exemptions": "Exemption", "outcome": "Outcome"}
MAX_VALUES = 12  # per facet until "+N more" is chosen: the most frequent; a selected value is always shown
_SEP = "\x1f"
_MORE, _FEWER = "more", "fewer"  # option ids `more<SEP>facet`, `fewer<SEP>facet`


class FacetSidebar(OptionList):
    """Facet values with counts; Enter, space or a click toggles one."""

    HELP_GROUP = "Facets"

    BINDINGS = [
        Binding("enter,space", "select", "Toggle facet"),
        Binding("up,k", "cursor_up", "Previous value", show=False),
        Binding("down,j", "cursor_down", "Next value", show=False),
        Binding("backspace,delete", "clear_all", "Clear filters"),
        Binding("escape", "back", "Back to results", show=False),
    ]

    class Changed(Message):
        """The selected facet values changed; `filters` is what the search should use."""

        def __init__(self, selected: dict[str, str], filters: Filters) -> None:
            super().__init__()
            self.selected = selected
            self.filters = filters

    class Back(Message):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.selected: dict[str, str] = {}
        self.expanded: set[str] = set()  # facets showing every value
        self._facets: dict[str, list[tuple[str, int]]] = {}

    # ------------------------------------------------------------ data in
    def show_facets(self, facets: dict[str, list[tuple[str, int]]], keep: str | None = None) -> None:
        """Show these counts; the cursor stays on the option with id `keep` (default: the one it is on)."""
        self._facets = facets
        if keep is None and self.highlighted_option is not None:
            keep = self.highlighted_option.id
        options: list[Option | None] = []
        for name in FACETS:
            every = list(facets.get(name, []))
            values = every if name in self.expanded else every[:MAX_VALUES]
            chosen = self.selected.get(name)
            if chosen is not None and chosen not in {v for v, _ in values}:
                values.insert(0, (chosen, dict(every).get(chosen, 0)))
            if options:
                options.append(None)  # a separator
            options.append(Option(Text(TITLES[name], style="bold"), id=f"head{_SEP}{name}", disabled=True))
            if not values:
                options.append(Option(Text("  none", style="dim"), id=f"none{_SEP}{name}", disabled=True))
            for value, count in values:
                options.append(Option(self._prompt(name, value, count), id=f"{name}{_SEP}{value}"))
            hidden = len({v for v, _ in every} - {v for v, _ in values})
            if hidden:
                options.append(Option(Text(f"  +{hidden:,} more", style="italic"), id=f"{_MORE}{_SEP}{name}"))
            elif name in self.expanded and len(every) > MAX_VALUES:
                options.append(Option(Text("  show fewer", style="italic"), id=f"{_FEWER}{_SEP}{name}"))
        self.set_options(options)
        if keep is not None:
            try:
                self.highlighted = self.get_option_index(keep)
            except OptionDoesNotExist:  # the value has no matches any more
                pass

    def _prompt(self, facet: str, value: str, count: int) -> Table:
        """`● label ……… count`: the count right-aligned, a long label cut with an ellipsis.

        A grid, laid out when drawn: the width is only known then (a scrollbar that comes
        or goes changes it), and a row laid out for another width wrapped its count."""
        chosen = self.selected.get(facet) == value
        label = Text("● " if chosen else "○ ", "bold" if chosen else "dim")
        label.append(one_line(value.replace("_", " ") if facet == "outcome" else value), "bold" if chosen else "")
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(no_wrap=True, justify="right")
        grid.add_row(label, Text(f" {count:,}", "dim"))
        return grid

    # ------------------------------------------------------------ toggling
    @on(OptionList.OptionSelected)
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        facet, _, value = option_id.partition(_SEP)
        if facet == _MORE:  # list the rest, the cursor on the first of them
            self.expanded.add(value)
            rest = self._facets.get(value, [])[MAX_VALUES:]
            self.show_facets(self._facets, keep=f"{value}{_SEP}{rest[0][0]}" if rest else None)
        elif facet == _FEWER:
            self.expanded.discard(value)
            self.show_facets(self._facets, keep=f"{_MORE}{_SEP}{value}")
        elif facet in FACETS:
            self.toggle(facet, value)

    def toggle(self, facet: str, value: str) -> None:
        if self.selected.get(facet) == value:
            del self.selected[facet]
        else:
            self.selected[facet] = value
        self._changed()

    def clear(self) -> None:
        self.selected.clear()
        self._changed()

    def action_clear_all(self) -> None:
        if self.selected:
            self.clear()

    def action_back(self) -> None:
        self.post_message(self.Back())

    def _changed(self) -> None:
        self.show_facets(self._facets)
        self.post_message(self.Changed(dict(self.selected), filters_for(self.selected)))

    @property
    def filters(self) -> Filters:
        return filters_for(self.selected)


def filters_for(selected: dict[str, str]) -> Filters:
    filters = Filters()
    if "authority" in selected:
        filters.authority = selected["authority"]
    if "year" in selected:
        year = selected["year"]
        filters.after, filters.before = f"{year}-01-01", f"{year}-12-31"
    if "exemptions" in selected:
        filters.exemption = selected["exemptions"]
    if "outcome" in selected:
        filters.outcome = selected["outcome"]
    return filters


def describe(selected: dict[str, str]) -> str:
    """Active filters for the status bar: `authority=South Yorkshire Police year=2019`."""
    names = {"exemptions": "exemption"}
    return " ".join(f"{names.get(k, k)}={one_line(v)}" for k, v in selected.items())
