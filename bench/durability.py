"""What index safety costs and how it behaves, on a generated corpus, for each engine.

    python -m bench.durability [--docs 3000] [--engines whoosh,tantivy] [--workdir bench/corpus-durability]

- stop: `foi index --jobs 2` of the first 170 documents (a fifth PDFs), Ctrl+C (SIGINT to the
  process group) after --stop-after seconds: seconds from the signal to the exit, exit code,
  documents kept (`foi status`), seconds the next run takes to finish.
- rebuild: a reader process counts documents (one held SearchService and a fresh one per
  count) while `foi index --rebuild` rebuilds all --docs documents: fewest documents seen
  (was 0 when rebuilds deleted the index first), counts taken, rebuild seconds.
- cadence: build of all --docs documents in-process with commits every 200 documents / 30 s
  (the default) and with one commit per 2,000 (what --batch-size alone did): seconds and
  segment files, so the price of the tighter commits is a figure.

Prints one JSON object per figure and writes them all to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.generate import generate_corpus

ROOT = Path(__file__).resolve().parents[1]
FOI = [sys.executable, "-m", "indexer"]
READER = (
    "import sys, json\n"
    "from pathlib import Path\n"
    "from indexer.search import SearchService\n"
    "index, stop = Path(sys.argv[1]), Path(sys.argv[2])\n"
    "held = SearchService(index)\n"
    "while not stop.exists():\n"
    "    fresh = SearchService(index)\n"
    "    try:\n"
    "        print(json.dumps([held.stats().documents, fresh.stats().documents]), flush=True)\n"
    "    except Exception as exc:\n"
    "        print(json.dumps({'error': str(exc)}), flush=True)\n"
    "    finally:\n"
    "        fresh.close()\n"
)


def foi(*args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FOI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, **kw
    )


def documents(index: Path) -> int:
    r = foi("status", "--json", "--index", index)
    return json.loads(r.stdout)["documents"] if r.returncode == 0 else -1


def corpus_of(workdir: Path, docs: int) -> Path:
    corpus = workdir / "corpus"
    if not (corpus / "labels.jsonl").exists() or sum(1 for _ in open(corpus / "labels.jsonl")) != docs:
        shutil.rmtree(corpus, ignore_errors=True)
        generate_corpus(corpus, docs=docs, seed=1)
    return corpus


def subset(corpus: Path, dest: Path, count: int) -> Path:
    """The first `count` documents as hard links (doc ids stay `corpus/...`)."""
    dest = dest / "corpus"
    shutil.rmtree(dest, ignore_errors=True)
    files = [json.loads(line)["file"] for line in open(corpus / "labels.jsonl")][:count]
    for rel in files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(corpus / rel, dest / rel)
    return dest


def stop_figures(engine: str, corpus: Path, work: Path, after: float) -> dict:
    small = subset(corpus, work / "stop", 170)
    index = work / "stop" / f"ix-{engine}"
    shutil.rmtree(index, ignore_errors=True)
    env = {**os.environ, "FOI_ENGINE": engine}
    proc = subprocess.Popen(
        [*FOI, "index", str(small), "--index", str(index), "--jobs", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(after)
    signalled = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    stopped = time.monotonic() - signalled
    kept = documents(index)
    began = time.monotonic()
    rest = foi("index", small, "--index", index, "--json", "--jobs", "2", env={"FOI_ENGINE": engine})
    return {
        "figure": "stop",
        "engine": engine,
        "signal_after_s": after,
        "stop_s": round(stopped, 2),
        "exit": proc.returncode,
        "kept": kept,
        "message": err.strip().splitlines()[-1:],
        "rest_s": round(time.monotonic() - began, 1),
        "rest": json.loads(rest.stdout) if rest.returncode == 0 else rest.stderr,
    }


def rebuild_figures(engine: str, corpus: Path, work: Path) -> dict:
    index = work / f"ix-{engine}"
    env = {"FOI_ENGINE": engine}
    if documents(index) <= 0:
        r = foi("index", corpus, "--index", index, "--json", "--jobs", "2", "--engine", engine, env=env)
        assert r.returncode == 0, r.stderr
    before = documents(index)
    stop = work / "stop-reader"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(index), str(stop)],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen: list = []
    collector = threading.Thread(target=lambda: seen.extend(json.loads(line) for line in reader.stdout))
    collector.start()
    while not seen:
        time.sleep(0.1)
    began = time.monotonic()
    r = foi("index", corpus, "--index", index, "--rebuild", "--json", "--jobs", "2", env=env)
    seconds = time.monotonic() - began
    time.sleep(2)
    stop.touch()
    reader.wait(timeout=120)
    collector.join(timeout=120)
    counts = [c for c in seen if isinstance(c, list)]
    return {
        "figure": "rebuild",
        "engine": engine,
        "documents_before": before,
        "rebuild_s": round(seconds, 1),
        "rebuild_exit": r.returncode,
        "counts_taken": len(counts),
        "errors": len(seen) - len(counts),
        "fewest_held": min(c[0] for c in counts),
        "fewest_fresh": min(c[1] for c in counts),
        "last": counts[-1] if counts else None,
    }


def cadence_figures(
    engine: str, corpus: Path, work: Path, commit_docs: int, commit_seconds: float, commit_budget: float | None
) -> dict:
    from indexer.pipeline import RunOptions, run_index

    index = work / f"cadence-{engine}-{commit_docs}"
    shutil.rmtree(index, ignore_errors=True)
    cpu_before = _cpu_seconds()
    began = time.monotonic()
    summary = run_index(
        [corpus],
        index,
        RunOptions(
            jobs=2, engine=engine, commit_docs=commit_docs, commit_seconds=commit_seconds, commit_budget=commit_budget
        ),
    )
    cpu = _cpu_seconds()
    seconds = time.monotonic() - began
    files = [f for f in index.rglob("*") if f.is_file()]
    return {
        "figure": "cadence",
        "engine": engine,
        "commit_docs": commit_docs,
        "commit_seconds": commit_seconds,
        "commit_budget": commit_budget,
        "seconds": round(seconds, 1),
        "writer_cpu_s": round(cpu - cpu_before, 1),
        "docs": summary.added,
        "docs_per_s": round(summary.added / seconds, 1),
        "index_files": len(files),
        "index_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1),
    }


def _cpu_seconds() -> float:
    """CPU of this process alone (the writer; extraction runs in worker processes)."""
    return time.process_time()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "corpus-durability")
    parser.add_argument("--stop-after", type=float, default=6.0)
    parser.add_argument("--figures", default="stop,rebuild,cadence")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = corpus_of(args.workdir, args.docs)
    wanted = args.figures.split(",")
    results = []
    for engine in args.engines.split(","):
        jobs = []
        if "stop" in wanted:
            jobs.append(lambda engine=engine: stop_figures(engine, corpus, args.workdir, args.stop_after))
        if "rebuild" in wanted:
            jobs.append(lambda engine=engine: rebuild_figures(engine, corpus, args.workdir))
        if "cadence" in wanted:
            # the defaults, then what --batch-size alone did before
            jobs += [
                lambda n=n, s=s, b=b, engine=engine: cadence_figures(engine, corpus, args.workdir, n, s, b)
                for n, s, b in ((200, 30.0, 2.0), (2000, float("inf"), None))
            ]
        for job in jobs:
            figure = job()
            print(json.dumps(figure), flush=True)
            results.append(figure)
    out = args.out or args.workdir / "durability.json"
    out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
