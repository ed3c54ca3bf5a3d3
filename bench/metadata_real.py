"""Metadata accuracy on the labelled real responses in ../shared/corpus-real/sheffield.

    python -m bench.metadata_real [--corpus DIR] [--misses] [--cues] [--json]

Prints outcome accuracy with its confusion matrix, date coverage (response date, request
date, either), how many given response dates agree with the WhatDoTheyKnow timestamp, and
authority accuracy (every file there was sent by Sheffield City Council). LABELS.json's
outcome is the requester's own classification of the whole request: a guide, not ground truth.
--cues prints, for each outcome miss, the answers and sentences the outcome rules labelled
(indexer/metadata/outcome.py) and the label counts they combined.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexer.metadata import _response_regions, extract_metadata
from indexer.metadata.exemptions import find_citations, find_ncnd
from indexer.metadata.layout import analyse, prepare
from indexer.metadata.outcome import classify
from indexer.metadata.qa import find_qa, find_request
from indexer.models import OUTCOMES

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-real" / "sheffield"
AUTHORITY = "Sheffield City Council"  # the sender of every file in that folder (its README)


@dataclass
class RealScores:
    documents: int = 0
    outcome_right: int = 0
    confusion: dict = field(default_factory=lambda: defaultdict(Counter))
    response_dates: int = 0
    response_dates_agreeing: int = 0  # within 3 days of the WhatDoTheyKnow timestamp
    request_dates: int = 0
    any_date: int = 0
    authority_right: int = 0
    misses: list = field(default_factory=list)
    cues: dict = field(default_factory=dict)  # file name -> the outcome rules' trace, for misses

    @property
    def outcome_accuracy(self) -> float:
        return self.outcome_right / self.documents if self.documents else 0.0

    @property
    def date_coverage(self) -> float:
        return self.any_date / self.documents if self.documents else 0.0

    @property
    def authority_accuracy(self) -> float:
        return self.authority_right / self.documents if self.documents else 0.0

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "outcome_accuracy": round(self.outcome_accuracy, 4),
            "date_coverage": round(self.date_coverage, 4),
            "response_dates": self.response_dates,
            "response_dates_agreeing": self.response_dates_agreeing,
            "request_dates": self.request_dates,
            "authority_accuracy": round(self.authority_accuracy, 4),
            "confusion": {k: dict(v) for k, v in self.confusion.items()},
        }


def score(folder: Path = REAL) -> RealScores:
    """Extract every labelled file of `folder` and compare with LABELS.json."""
    labels = json.loads((folder / "LABELS.json").read_text(encoding="utf-8"))
    s = RealScores()
    for name in sorted(labels):
        label = labels[name]
        m = extract_metadata((folder / name).read_text(encoding="utf-8"))
        s.documents += 1
        s.confusion[label["outcome"]][m.outcome] += 1
        s.outcome_right += m.outcome == label["outcome"]
        if m.outcome != label["outcome"]:
            s.misses.append(f"outcome  {name[:48]:48} label {label['outcome']:9} got {m.outcome}")
            s.cues[name] = outcome_trace((folder / name).read_text(encoding="utf-8"))
        s.request_dates += m.request_date is not None
        s.any_date += (m.date or m.request_date) is not None
        if m.date:
            s.response_dates += 1
            gap = abs((date.fromisoformat(m.date) - date.fromisoformat(label["response_date"])).days)
            s.response_dates_agreeing += gap <= 3
            if gap > 3:
                s.misses.append(f"date     {name[:48]:48} label {label['response_date']} got {m.date}")
        elif not m.request_date:
            s.misses.append(f"date     {name[:48]:48} no date found")
        s.authority_right += m.authority == AUTHORITY
        if m.authority != AUTHORITY:
            s.misses.append(f"authority {name[:47]:47} got {m.authority}")
    return s


def outcome_trace(text: str) -> list[tuple[str, str]]:
    """What the outcome rules saw in one text: (label, answer or sentence) and the counts."""
    layout = analyse(prepare(text))
    regions = _response_regions(layout)
    citations = find_citations(layout.text, regions)
    request = find_request(layout)
    trace: list[tuple[str, str]] = []
    classify(layout, find_qa(layout, request), citations, find_ncnd(layout.text, regions), request, trace)
    return trace


def report(s: RealScores, misses: bool, cues: bool = False) -> str:
    lines = [
        f"outcome   {s.outcome_right}/{s.documents} = {s.outcome_accuracy:.1%}",
        "label \\ predicted " + " ".join(f"{o:>9}" for o in OUTCOMES),
        *(f"{k:>17} " + " ".join(f"{s.confusion[k][o]:>9}" for o in OUTCOMES) for k in OUTCOMES if s.confusion[k]),
        f"dates     response or request {s.any_date}/{s.documents} = {s.date_coverage:.1%}; "
        f"request {s.request_dates}; response {s.response_dates} ({s.response_dates_agreeing} within 3 days of WDTK's)",
        f"authority {s.authority_right}/{s.documents} = {s.authority_accuracy:.1%}",
    ]
    if misses:
        lines += ["  " + m for m in s.misses]
    if cues:
        for name, trace in s.cues.items():
            lines.append(f"cues of {name}:")
            lines += [f"  {label:>18}  {' '.join(sent.split())[:150]}" for label, sent in trace]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REAL)
    ap.add_argument("--misses", action="store_true", help="list every document that misses")
    ap.add_argument("--cues", action="store_true", help="for each outcome miss, what the outcome rules labelled")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.corpus / "LABELS.json").is_file():
        print(f"no LABELS.json in {args.corpus}", file=sys.stderr)
        return 1
    s = score(args.corpus)
    print(json.dumps(s.to_dict()) if args.json else report(s, args.misses, args.cues))
    return 0


if __name__ == "__main__":
    sys.exit(main())
