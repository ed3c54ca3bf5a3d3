"""Warm query latency of foi on an index that already exists (bench.run builds its own).

    python -m bench.latency INDEX [--repeats 2] [--fts5 DB] [--only CATEGORY] [--json FILE] [--code DIR]

The fixed query set of bench/queries.py, run in one process as bench.run's `queries`
section runs it (one warming pass, then --repeats timed passes with snippets and without),
against an index built from a bench.generate corpus of any size: for instance the 50,000
document index that bench.scale leaves in its --workdir. Prints p50/p95/p99 overall and per
category, and the open time.

With `--fts5 DB` (bench.fts5's database of the same text) each query runs on FTS5 right
after foi, so both see the same machine load and the ratios hold on a busy machine.

Beside each wall-clock figure, the CPU time of the process over the same call
(time.process_time): on a machine shared with other work the wall clock carries the
waits for a core, the CPU time much less. `--code DIR` imports foi (`indexer`) from another
checkout, so two versions can be measured one after the other on the same index: run this
file by its path with that checkout's Python, e.g.
`../main/.venv/bin/python bench/latency.py INDEX --code ../main`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import_from(root: Path) -> None:
    """foi and the bench package of the checkout `root`, ahead of any other on the path."""
    sys.path.insert(0, str(root))


if "--code" in sys.argv[:-1]:  # before the imports below: they must come from that checkout
    _import_from(Path(sys.argv[sys.argv.index("--code") + 1]).resolve())
elif str(ROOT) not in sys.path:
    _import_from(ROOT)

from bench.queries import QUERIES  # noqa: E402
from bench.run import FoiEngine, latency_stats, now  # noqa: E402


def measure(index: Path, repeats: int, fts5: Path | None = None, only: str | None = None) -> dict:
    queries = [q for q in QUERIES if only is None or q.category == only]
    started = now()
    engines = {"foi": FoiEngine(index)}
    engines["foi"].open()
    out: dict = {"index": str(index), "queries": len(queries), "repeats": repeats, "open_ms": (now() - started) * 1000}
    if fts5 is not None:
        from bench.fts5 import Fts5Engine

        engines["fts5"] = Fts5Engine(fts5)
    out["load_before"] = os.getloadavg()
    try:
        for q in queries:  # warming pass
            for engine in engines.values():
                engine.search(q)
        for mode, snippets in (("snippets", True), ("no_snippets", False)):
            times: dict[str, dict[str, list[float]]] = {name: {} for name in engines}
            cpu: dict[str, dict[str, list[float]]] = {name: {} for name in engines}
            for _ in range(repeats):
                for q in queries:
                    for name, engine in engines.items():
                        cpu_started = time.process_time()
                        started = now()
                        engine.search(q, snippets=snippets)
                        times[name].setdefault(q.category, []).append(now() - started)
                        cpu[name].setdefault(q.category, []).append(time.process_time() - cpu_started)
            for name in engines:
                key = mode if name == "foi" else f"{name}_{mode}"
                out[key] = latency_stats([t for ts in times[name].values() for t in ts])
                out[f"{key}_by_category"] = {cat: latency_stats(ts) for cat, ts in times[name].items()}
                out[f"{key}_cpu"] = latency_stats([t for ts in cpu[name].values() for t in ts])
                out[f"{key}_cpu_by_category"] = {cat: latency_stats(ts) for cat, ts in cpu[name].items()}
    finally:
        for engine in engines.values():
            engine.close()
    out["load_after"] = os.getloadavg()
    return out


def _ratio(res: dict, key: str, cat: str | None, p: str) -> str:
    if f"fts5_{key}" not in res:
        return ""
    foi = res[key] if cat is None else res[f"{key}_by_category"][cat]
    other = res[f"fts5_{key}"] if cat is None else res[f"fts5_{key}_by_category"][cat]
    return f" (fts5 {other[p]:6.1f}, {foi[p] / other[p]:5.1f}x)" if other[p] else ""


def _cpu(res: dict, key: str, cat: str | None) -> str:
    """FTS5's CPU p50 and p95 of the same calls, when it ran."""
    if f"fts5_{key}_cpu" not in res:
        return ""
    other = res[f"fts5_{key}_cpu"] if cat is None else res[f"fts5_{key}_cpu_by_category"][cat]
    return f" (fts5 cpu p50 {other['p50_ms']:5.1f} p95 {other['p95_ms']:5.1f})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("index", type=Path)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--fts5", type=Path, default=None, help="bench.fts5 database of the same text, run interleaved")
    p.add_argument("--only", default=None, help="one category of the query set")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--code", type=Path, default=None, help="the checkout to import foi from (default: this one)")
    args = p.parse_args(argv)
    res = measure(args.index, args.repeats, args.fts5, args.only)
    for mode in ("snippets", "no_snippets"):
        s, cpu = res[mode], res[f"{mode}_cpu"]
        print(
            f"{mode:12} p50 {s['p50_ms']:7.1f} ms{_ratio(res, mode, None, 'p50_ms')}"
            f"  p95 {s['p95_ms']:7.1f} ms{_ratio(res, mode, None, 'p95_ms')}  p99 {s['p99_ms']:7.1f} ms"
            f"  | cpu p50 {cpu['p50_ms']:6.1f} p95 {cpu['p95_ms']:6.1f} mean {cpu['mean_ms']:6.1f}{_cpu(res, mode, None)}"
        )
        for cat, c in res[f"{mode}_by_category"].items():
            cc = res[f"{mode}_cpu_by_category"][cat]
            print(
                f"  {cat:12} p50 {c['p50_ms']:7.1f} ms{_ratio(res, mode, cat, 'p50_ms')}"
                f"  p95 {c['p95_ms']:7.1f} ms{_ratio(res, mode, cat, 'p95_ms')}"
                f"  | cpu p50 {cc['p50_ms']:6.1f} p95 {cc['p95_ms']:6.1f} mean {cc['mean_ms']:6.1f}{_cpu(res, mode, cat)}"
            )
    print(f"open {res['open_ms']:.0f} ms; load average before {res['load_before']}, after {res['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
