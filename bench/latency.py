"""Warm query latency of foi on an index that already exists (bench.run builds its own).

    python -m bench.latency INDEX [--repeats 2] [--json FILE]

The fixed query set of bench/queries.py, run in one process as bench.run's `queries`
section runs it (one warming pass, then --repeats timed passes with snippets and without),
against an index built from a bench.generate corpus of any size: for instance the 50,000
document index that bench.scale leaves in its --workdir. Prints p50/p95/p99 overall and per
category, and the open time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.queries import QUERIES  # noqa: E402
from bench.run import FoiEngine, latency_stats, now  # noqa: E402


def measure(index: Path, repeats: int) -> dict:
    started = now()
    engine = FoiEngine(index)
    engine.open()
    out: dict = {"index": str(index), "queries": len(QUERIES), "repeats": repeats, "open_ms": (now() - started) * 1000}
    try:
        for q in QUERIES:  # warming pass
            engine.search(q)
        for mode, snippets in (("snippets", True), ("no_snippets", False)):
            times: dict[str, list[float]] = {}
            for _ in range(repeats):
                for q in QUERIES:
                    started = now()
                    engine.search(q, snippets=snippets)
                    times.setdefault(q.category, []).append(now() - started)
            out[mode] = latency_stats([t for ts in times.values() for t in ts])
            out[f"{mode}_by_category"] = {cat: latency_stats(ts) for cat, ts in times.items()}
    finally:
        engine.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("index", type=Path)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    res = measure(args.index, args.repeats)
    for mode in ("snippets", "no_snippets"):
        s = res[mode]
        print(f"{mode:12} p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  p99 {s['p99_ms']:7.1f} ms")
        for cat, c in res[f"{mode}_by_category"].items():
            print(f"  {cat:12} p50 {c['p50_ms']:7.1f} ms  p95 {c['p95_ms']:7.1f} ms")
    print(f"open {res['open_ms']:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
