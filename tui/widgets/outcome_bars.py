"""Outcome shares per group as horizontal stacked bars, one line per authority.

Drawn with Rich Text only (names from documents are data, never markup).
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from indexer.textsafe import one_line

from indexer.models import OUTCOMES

# Fixed colours, not the theme's ANSI ones: refused and NCND must not look alike.
OUTCOME_COLOURS = {
    "disclosed": "#3fb950",
    "partial": "#d29922",
    "refused": "#f85149",
    "not_held": "#8b949e",
    "ncnd": "#bc8cff",
    "unknown": "#484f58",
}
BAR_WIDTH = 40
NAME_WIDTH = 34


def bar(outcomes: dict[str, int], width: int = BAR_WIDTH) -> Text:
    """One stacked bar: each outcome's share of `width` cells, largest remainders rounded up."""
    total = sum(outcomes.values())
    text = Text()
    if not total:
        return text.append(" " * width)
    exact = {o: outcomes.get(o, 0) * width / total for o in OUTCOMES}
    cells = {o: int(v) for o, v in exact.items()}
    for o in sorted(OUTCOMES, key=lambda o: exact[o] - cells[o], reverse=True)[: width - sum(cells.values())]:
        cells[o] += 1
    for o in OUTCOMES:
        if cells[o]:
            text.append("█" * cells[o], style=OUTCOME_COLOURS[o])
    return text


def legend() -> Text:
    text = Text()
    for o in OUTCOMES:
        text.append("█ ", style=OUTCOME_COLOURS[o]).append(o.replace("_", " ") + "   ", style="dim")
    return text


def _name(value, width: int) -> str:
    name = one_line(str(value) if value is not None else "(unknown)")
    return name if len(name) <= width else name[: width - 1] + "…"


class OutcomeBars(Static):
    """Bars for a list of GroupStats (see indexer.analysis.stats)."""

    def show(self, groups: list) -> None:
        lines = [legend(), Text()]
        for g in groups:
            line = Text(_name(g.key, NAME_WIDTH).ljust(NAME_WIDTH + 1))
            line.append_text(bar(g.outcomes))
            line.append(f" {g.responses:>4}  refusal rate {g.refusal_rate:.0%}", style="dim")
            lines.append(line)
        self.update(Group(*lines))
