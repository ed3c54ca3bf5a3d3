"""Counts per group of responses (`foi stats`): outcomes, refusal rate, exemptions cited,
median days from request to response and how many were answered after 20 working days.

Field names and definitions are DESIGN.md's ("Analysis commands").
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.analysis.records import Response
from indexer.analysis.workdays import is_overdue, nation_of
from indexer.models import OUTCOMES

BY = ("authority", "year", "exemption", "outcome", "kind")
REFUSALS = ("refused", "ncnd")


@dataclass
class GroupStats:
    """The numbers for one group; `key` is None for documents whose value is unknown
    (for `--by exemption`: documents that cite no exemption)."""

    by: str
    key: str | int | None
    responses: int
    outcomes: dict[str, int]
    refusal_rate: float
    exemptions: dict[str, int] = field(default_factory=dict)
    dated_pairs: int = 0
    median_days: float | int | None = None
    over_20_working_days: int = 0

    def to_dict(self) -> dict:
        return {
            self.by: self.key,
            "responses": self.responses,
            "outcomes": dict(self.outcomes),
            "refusal_rate": self.refusal_rate,
            "exemptions": dict(self.exemptions),
            "dated_pairs": self.dated_pairs,
            "median_days": self.median_days,
            "over_20_working_days": self.over_20_working_days,
        }

    def share(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.responses if self.responses else 0.0


def group_keys(response: Response, by: str) -> list:
    """The group(s) a response falls in: one, except by exemption (one per exemption cited)."""
    if by == "authority":
        return [response.authority]
    if by == "year":
        return [response.year]
    if by == "exemption":
        return list(dict.fromkeys(response.exemptions)) or [None]
    if by == "outcome":
        return [response.outcome or "unknown"]
    if by == "kind":
        return [response.kind]
    raise ValueError(f"cannot group by {by!r}: use one of {', '.join(BY)}")


def compute(responses: Iterable[Response], by: str = "authority") -> list[GroupStats]:
    """One GroupStats per group. Years run oldest first; other groups biggest first.
    Unknown values come last."""
    groups: dict = defaultdict(list)
    for response in responses:
        for key in group_keys(response, by):
            groups[key].append(response)
    rows = [summarise(members, by, key) for key, members in groups.items()]
    if by == "year":
        rows.sort(key=lambda g: (g.key is None, g.key or 0))
    else:
        rows.sort(key=lambda g: (g.key is None, -g.responses, str(g.key)))
    return rows


def summarise(responses: list[Response], by: str = "all", key=None) -> GroupStats:
    """The numbers for one list of responses."""
    outcomes = dict.fromkeys(OUTCOMES, 0)
    exemptions: Counter = Counter()
    days: list[int] = []
    overdue = 0
    for response in responses:
        outcome = response.outcome if response.outcome in outcomes else "unknown"
        outcomes[outcome] += 1
        exemptions.update(set(response.exemptions))
        pair = response.dates()
        if pair is None:
            continue
        days.append((pair[1] - pair[0]).days)
        overdue += is_overdue(pair[0], pair[1], nation_of(response.authority))
    total = len(responses)
    refused = sum(outcomes[o] for o in REFUSALS)
    return GroupStats(
        by=by,
        key=key,
        responses=total,
        outcomes=outcomes,
        refusal_rate=round(refused / total, 3) if total else 0.0,
        exemptions=dict(sorted(exemptions.items(), key=lambda kv: (-kv[1], kv[0]))),
        dated_pairs=len(days),
        median_days=_median(days),
        over_20_working_days=overdue,
    )


def _median(values: list[int]) -> float | int | None:
    if not values:
        return None
    middle = statistics.median(values)
    return int(middle) if float(middle).is_integer() else float(middle)
