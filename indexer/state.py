"""The index's run log beside the Whoosh files: last run time and per-file failures (JSON)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.models import Failure

STATE_NAME = "foi-state.json"


@dataclass
class IndexState:
    last_run: str | None = None
    failures: dict[str, Failure] = field(default_factory=dict)  # by doc_id
    roots: list[str] = field(default_factory=list)  # folders indexed last: what a re-index re-reads
    # folder -> the name its doc ids start with, when given with `foi index --name`
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, index_dir: Path) -> "IndexState":
        path = Path(index_dir) / STATE_NAME
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):  # a damaged or foreign file: start a fresh log
            return cls()
        failures = {}
        for item in raw.get("failures") or []:
            try:
                failures[item["doc_id"]] = Failure(**item)
            except (TypeError, KeyError):
                continue
        roots = raw.get("roots")
        names = raw.get("names")
        return cls(
            last_run=raw.get("last_run"),
            failures=failures,
            roots=[r for r in roots if isinstance(r, str)] if isinstance(roots, list) else [],
            names={k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(names, dict)
            else {},
        )

    def save(self, index_dir: Path) -> None:
        """Write atomically: a killed process leaves the old file or the new one, never half."""
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        payload = {
            "last_run": self.last_run,
            "roots": self.roots,
            "names": dict(sorted(self.names.items())),
            "failures": [vars(f) for f in sorted(self.failures.values(), key=lambda f: f.doc_id)],
        }
        import tempfile  # only a run saves the state; every search imports this module

        fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, ensure_ascii=True, indent=1)
            os.replace(tmp, index_dir / STATE_NAME)
        except BaseException:  # a full disk: no half-written file left behind
            Path(tmp).unlink(missing_ok=True)
            raise
