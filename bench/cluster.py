"""What the Dask cluster path costs and gives: OCR pages/s and small-file files/s, pool vs cluster.

    python -m bench.cluster [--pages 12] [--files 300] [--workers 2] [--repeat 3] [--workdir bench/cluster-work]

On the same generated files, it indexes once with the local process pool (`--jobs W`) and once
on a LocalCluster of W workers (`--cluster local:W`), each into a fresh index with a fresh OCR
cache, and prints one JSON object: the cluster's start-up time, pages/s for scanned pages
(bench/ocr_eval.py's generator), files/s for small text files, the cluster's overhead per
task, and pages/s per worker (what N workers give on paper: N times that, while the one
`foi index` writer keeps up). CPU seconds of the whole process tree are reported beside
wall time: on a shared machine they are the steadier figure. Needs the `cluster` extra and
Tesseract.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path


IDLE_SECONDS = 10.0


def write_scans(folder: Path, pages: int) -> int:
    """`pages` one-page scans, each different (no page is served from another's cache)."""
    from bench.ocr_eval import make_corpus

    folder.mkdir(parents=True, exist_ok=True)
    for page in make_corpus(pages, seed=11):
        (folder / f"{page.name}.pdf").write_bytes(page.pdf)
    return pages


def write_small_texts(folder: Path, count: int) -> int:
    from tests.badinputs import good_text, token

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"r{i:05}.txt").write_text(good_text(token(40_000 + i)))
    return count


def best_run(corpus: Path, work: Path, label: str, workers: int, session=None, repeat: int = 1) -> dict:
    """The fastest of `repeat` runs: on a shared machine the least disturbed one."""
    runs = [timed_run(corpus, work, label, workers, session) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs": [r["seconds"] for r in runs], "cpu_runs": [r["cpu_seconds"] for r in runs]}


def cpu_seconds() -> float:
    """CPU time of this process and everything under it, including reaped children (the
    pool's workers are reaped by the forkserver, which lives on): on a machine shared with
    other work, CPU per file is the figure that the other work does not distort."""
    import psutil

    from bench.cpu import processes_cpu

    me = psutil.Process()
    return processes_cpu([me, *me.children(recursive=True)])


def timed_run(corpus: Path, work: Path, label: str, workers: int, session=None) -> dict:
    from indexer.extract import ExtractOptions
    from indexer.pipeline import RunOptions, run_index

    index_dir = work / f"index-{label}"
    cache = work / f"ocr-{label}"
    for d in (index_dir, cache):
        shutil.rmtree(d, ignore_errors=True)
    options = RunOptions(jobs=workers, cluster=session, extract=ExtractOptions(ocr_cache_dir=cache))
    cpu = cpu_seconds()
    started = time.perf_counter()
    summary = run_index([corpus], index_dir, options)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    if summary.failures:
        raise SystemExit(f"{label}: {len(summary.failures)} failures, first {summary.failures[0].to_dict()}")
    return {"documents": summary.added, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12, help="scanned one-page PDFs")
    parser.add_argument("--files", type=int, default=300, help="small text files")
    parser.add_argument("--workers", type=int, default=2, help="pool processes and cluster workers")
    parser.add_argument("--workdir", type=Path, default=Path("bench/cluster-work"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each small-file figure (the fastest counts)")
    args = parser.parse_args(argv)

    from indexer.cluster import ClusterSession, parse_address
    from indexer.extract import ocr

    if not ocr.available():
        raise SystemExit("Tesseract is not installed (make ocr-engine)")
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    scans = work / "scans"
    texts = work / "texts"
    write_scans(scans, args.pages)
    write_small_texts(texts, args.files)

    report: dict = {"workers": args.workers, "cores": len(os.sched_getaffinity(0)), "load_before": os.getloadavg()[0]}
    report["pool_ocr"] = best_run(scans, work, "pool-ocr", args.workers)
    report["pool_text"] = best_run(texts, work, "pool-text", args.workers, repeat=args.repeat)

    started = time.perf_counter()
    session = ClusterSession(parse_address(f"local:{args.workers}"))
    session.connect()
    report["cluster_start_seconds"] = round(time.perf_counter() - started, 2)
    # What an idle cluster costs (heartbeats, monitors): a share of the per-task CPU below.
    cpu = cpu_seconds()
    time.sleep(IDLE_SECONDS)
    report["cluster_idle_cpu_cores"] = round((cpu_seconds() - cpu) / IDLE_SECONDS, 3)
    try:
        report["cluster_ocr"] = best_run(scans, work, "cluster-ocr", args.workers, session)
        report["cluster_text"] = best_run(texts, work, "cluster-text", args.workers, session, repeat=args.repeat)
    finally:
        session.close()
    report["load_after"] = os.getloadavg()[0]

    pages_s = {k: round(args.pages / report[f"{k}_ocr"]["seconds"], 3) for k in ("pool", "cluster")}
    files_s = {k: round(args.files / report[f"{k}_text"]["seconds"], 1) for k in ("pool", "cluster")}
    report["ocr_pages_per_s"] = pages_s
    report["text_files_per_s"] = files_s
    overhead = (report["cluster_text"]["seconds"] - report["pool_text"]["seconds"]) / args.files * args.workers
    report["cluster_overhead_ms_per_task_per_worker"] = round(overhead * 1000, 1)
    report["cpu_ms_per_page"] = {
        k: round(report[f"{k}_ocr"]["cpu_seconds"] / args.pages * 1000) for k in ("pool", "cluster")
    }
    report["cpu_ms_per_small_file"] = {
        k: round(min(report[f"{k}_text"]["cpu_runs"]) / args.files * 1000, 1) for k in ("pool", "cluster")
    }
    idle = report["cluster_idle_cpu_cores"]
    report["cluster_cpu_ms_net_of_idle"] = {
        "per_page": round(
            (report["cluster_ocr"]["cpu_seconds"] - idle * report["cluster_ocr"]["seconds"]) / args.pages * 1000
        ),
        "per_small_file": round(
            (report["cluster_text"]["cpu_seconds"] - idle * report["cluster_text"]["seconds"]) / args.files * 1000, 1
        ),
    }
    per_worker = pages_s["cluster"] / args.workers
    report["cluster_pages_per_s_per_worker"] = round(per_worker, 3)
    report["on_paper_pages_per_s"] = {n: round(per_worker * n, 1) for n in (10, 50, 200)}
    # The same from CPU per page (net of the idle cluster): what a free core gives, times N.
    report["on_paper_pages_per_s_from_cpu"] = {
        n: round(n * 1000 / report["cluster_cpu_ms_net_of_idle"]["per_page"], 1) for n in (1, 10, 50, 200)
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
