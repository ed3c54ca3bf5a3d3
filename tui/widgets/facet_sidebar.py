"""Facet sidebar: authority, year, exemption and outcome with counts; toggling one narrows the results.

One value per facet at a time (the search service takes one authority, one exemption,
one outcome and a date range); choosing another value in the same facet replaces it,
choosing the selected value again clears it.
"""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from indexer.search import FACETS, Filters
from indexer.textsafe import one_line

TITLES = {"authority": "Authority", "year": "Year", "exemptions": "Exemption", "outcome": "Outcome"}
MAX_VALUES = 12  # per facet: the most frequent; a selected value is always shown
_SEP = "\x1f"


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
        self._facets: dict[str, list[tuple[str, int]]] = {}

    # ------------------------------------------------------------ data in
    def show_facets(self, facets: dict[str, list[tuple[str, int]]]) -> None:
        self._facets = facets
        keep = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option | None] = []
        for name in FACETS:
            values = list(facets.get(name, []))[:MAX_VALUES]
            chosen = self.selected.get(name)
            if chosen is not None and chosen not in {v for v, _ in values}:
                values.insert(0, (chosen, 0))
            if options:
                options.append(None)  # a separator
            options.append(Option(Text(TITLES[name], style="bold"), id=f"head{_SEP}{name}", disabled=True))
            if not values:
                options.append(Option(Text("  none", style="dim"), id=f"none{_SEP}{name}", disabled=True))
            for value, count in values:
                options.append(Option(self._prompt(name, value, count), id=f"{name}{_SEP}{value}"))
        self.set_options(options)
        if keep is not None:
            try:
                self.highlighted = self.get_option_index(keep)
            except Exception:
                pass

    def _prompt(self, facet: str, value: str, count: int) -> Text:
        """`● label ……… count`, the count right-aligned, a long label cut with an ellipsis."""
        chosen = self.selected.get(facet) == value
        width = max(12, self.scrollable_content_region.width - 1 or 28)
        number = f"{count:,}"
        label = Text(one_line(value.replace("_", " ") if facet == "outcome" else value), "bold" if chosen else "")
        label.truncate(width - 3 - len(number), overflow="ellipsis")
        text = Text(no_wrap=True, end="")
        text.append("● " if chosen else "○ ", "bold" if chosen else "dim")
        text.append_text(label)
        text.append(" " * max(1, width - 2 - label.cell_len - len(number)))
        text.append(number, "dim")
        return text

    def on_resize(self) -> None:
        if self._facets:
            self.show_facets(self._facets)

    # ------------------------------------------------------------ toggling
    @on(OptionList.OptionSelected)
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        facet, _, value = option_id.partition(_SEP)
        if facet not in FACETS:
            return
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
