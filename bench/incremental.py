"""What an incremental `foi index` costs on an index that already exists (any size).

    python -m bench.incremental CORPUS INDEX [--runs 3] [--seed 1] [--json]

Runs `foi index CORPUS --index INDEX --json`, each case --runs times (the table: min and
median of the runs; the JSON: the best run by wall clock, every run kept): nothing changed;
one new text document (generated) added in CORPUS/_bench_added/; that document changed;
that document removed. The folder is removed afterwards, so the index ends as it started.
Each figure: whole-process wall seconds, CPU seconds of the process tree (the rusage of
each of its processes: bench.run.run_measured), and the run's own `seconds` (its JSON).

bench.run measures the same on the index it builds; this runs on an index built before,
such as a 50k one from bench.scale, which takes an hour to build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ADDED_DIR, best_run, foi_index

CASES = ("noop", "add1", "change1", "remove1")


def incremental_runs(corpus: Path, index: Path, runs: int, seed: int = 1) -> dict:
    """The four cases, best of `runs` each: {case: foi_index result}."""
    from bench.generate import generate_corpus

    found: dict[str, list] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        labels = generate_corpus(Path(tmp), 1, seed=seed + 1000, pdf_ratio=0.0)
        src = Path(tmp) / labels[0]["file"]
        dest = corpus / ADDED_DIR / src.name
        shutil.rmtree(dest.parent, ignore_errors=True)
        try:
            for _ in range(runs):
                found["noop"].append(foi_index([corpus], index, None, fresh=False))
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
                found["add1"].append(foi_index([corpus], index, None, fresh=False))
                with dest.open("a", encoding="utf-8") as fh:
                    fh.write("\nA later correction to this response.\n")
                found["change1"].append(foi_index([corpus], index, None, fresh=False))
                dest.unlink()
                found["remove1"].append(foi_index([corpus], index, None, fresh=False))
        finally:
            shutil.rmtree(corpus / ADDED_DIR, ignore_errors=True)
    return {case: best_run(results) for case, results in found.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    res = incremental_runs(args.corpus.resolve(), args.index.resolve(), args.runs, args.seed)
    if args.json:
        print(json.dumps(res, indent=1))
        return 0
    # min and median of the runs: on a shared machine the CPU is the steadier figure
    print(f"{'case':<10} {'wall min':>8} {'median':>7} {'CPU min':>8} {'median':>7}  counts")
    for case, r in res.items():
        s = r.get("summary") or {}
        counts = f"+{s.get('added')} ~{s.get('updated')} -{s.get('removed')} ={s.get('unchanged')}"
        failed = f"  FAILED {r['failed']}" if r.get("failed") else ""
        wall = [x["wall_s"] for x in r["runs"] if not x.get("failed")] or [r["wall_s"]]
        cpu = [x["cpu_s"] for x in r["runs"] if not x.get("failed") and x.get("cpu_s") is not None] or [0.0]
        print(
            f"{case:<10} {min(wall):>8.2f} {statistics.median(wall):>7.2f} "
            f"{min(cpu):>8.2f} {statistics.median(cpu):>7.2f}  {counts}{failed}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
