"""The benchmark: foi against SQLite FTS5 and tantivy on one generated corpus, in one run.

    python -m bench.run [--docs 10000] [--pdf-docs 300] [--seed 1] [--workdir DIR] [--quick]

Prints a table and writes every figure to ``bench/results/<timestamp>.json``. See
bench/README.md for what each figure measures and how each engine is driven.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import queries as Qs  # noqa: E402
from bench.cpu import host_probe  # noqa: E402
from bench.queries import Q  # noqa: E402

SECTIONS = ("meta", "corpus", "extraction", "build", "queries", "batch", "oneshot", "incremental", "targets")
GENERATOR_FILES = ("generate.py", "gen_vocab.py", "gen_pdf.py")
ONESHOT = {
    "plain": Q("oneshot-plain", "multi", terms=("prevent", "referrals")),
    "boilerplate": Q("oneshot-boilerplate", "boilerplate", phrases=(("internal", "review"),)),
}
ADDED_DIR = "_bench_added"
HOST_SPREAD = 1.15  # host probes further apart than this get a note under the tables


# ---------------------------------------------------------------- small helpers


def now() -> float:
    return time.perf_counter()


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def latency_stats(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 50),
        "p95_ms": pct(ms, 95),
        "p99_ms": pct(ms, 99),
        "mean_ms": statistics.fmean(ms),
        "max_ms": max(ms),
    }


def dir_bytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def sub_env() -> dict:
    env = dict(os.environ)
    env.pop("FOI_INDEX", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONHASHSEED", "0")
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        # An installed foi runs from compiled bytecode: without it every one-shot process
        # would compile foi's sources first and the figures would time the compiler.
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "foi-bench-pycache"))
    return env


def foi_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "foi"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer"]


def run_measured(cmd: list[str], poll: float = 0.02, timeout: float | None = None) -> dict:
    """Run a command; wall seconds, exit code, output, peak RSS of its process tree (psutil,
    polled) and the CPU seconds of every process in that tree (`cpu_s`).

    The CPU is the kernel's account (rusage) of each process as it is reaped: the command's
    own (which holds every child it waited for, such as a forked extraction worker), and
    those of the processes it left behind (a forkserver, which reaped the pool's workers,
    and the resource tracker), which this process adopts as the child subreaper and waits
    for. A short process is counted whole, as polling cannot. `cpu_main_s`: the command's
    own process, as last polled (at most one poll interval short)."""
    import psutil

    subreaper = _subreaper(True)
    mine = psutil.Process()
    before = {p.pid for p in mine.children()}
    started = now()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=sub_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import threading

    out: dict[str, str] = {}

    def reader(name, stream):
        out[name] = stream.read()

    threads = [
        threading.Thread(target=reader, args=(n, s), daemon=True)
        for n, s in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for t in threads:
        t.start()
    peak_tree = peak_one = 0
    polled: set[tuple[int, float]] = set()
    cpu_main = 0.0
    try:
        root = psutil.Process(proc.pid)
    except psutil.Error:
        root = None
    while True:
        reaped, cpu = _reap(proc.pid)
        if reaped is not None:
            proc.returncode = reaped
            break
        if root is not None:
            tree = 0
            try:
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid == proc.pid:
                        times = p.cpu_times()
                        cpu_main = times.user + times.system
                    polled.add((p.pid, p.create_time()))
                except psutil.Error:
                    continue
                tree += rss
                peak_one = max(peak_one, rss)
            peak_tree = max(peak_tree, tree)
        if timeout and now() - started > timeout:
            proc.kill()
        time.sleep(poll)
    wall = now() - started
    left = _reap_orphans(mine, before | {proc.pid}) if subreaper else []
    if subreaper:  # this process's other children's orphans are not ours to wait for
        _subreaper(False)
    for t in threads:
        t.join()
    return {
        "cmd": cmd,
        "wall_s": wall,
        "rc": proc.returncode,
        "stdout": out.get("stdout", ""),
        "stderr": out.get("stderr", ""),
        "peak_rss_tree_mb": peak_tree / 2**20,
        "peak_rss_process_mb": peak_one / 2**20,
        "cpu_s": round(cpu + sum(left), 3),
        "cpu_main_s": round(cpu_main, 3),
        "processes": max(len(polled), 1 + len(left)),
    }


def _subreaper(on: bool) -> bool:
    """Make this process the parent of its descendants' orphans, or no longer (Linux's
    PR_SET_CHILD_SUBREAPER), so that their rusage is ours to collect. False where it cannot."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap(pid: int) -> tuple[int | None, float]:
    """(exit code, CPU seconds of the process and of the children it waited for) when `pid`
    has ended and is now reaped, else (None, 0.0)."""
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done == 0:
        return None, 0.0
    return os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime


def _reap_orphans(mine, known: set[int], wait: float = 30.0) -> list[float]:
    """Wait for the processes a finished command left behind (adopted by this process), for
    `wait` seconds at most; their CPU seconds, one figure each. A process still running then
    is left alone (not counted)."""
    counted: list[float] = []
    deadline = now() + wait
    while now() < deadline:
        orphans = [p.pid for p in mine.children() if p.pid not in known]
        if not orphans:
            break
        for pid in orphans:
            try:
                code, cpu = _reap(pid)
            except ChildProcessError:  # reaped elsewhere (another Popen of this process)
                known.add(pid)
                continue
            if code is not None:
                counted.append(cpu)
                known.add(pid)
        time.sleep(0.01)
    return counted


def last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def slim(run: dict) -> dict:
    """A run_measured result for the JSON file: the command, figures, and stderr's tail."""
    keep = {k: v for k, v in run.items() if k not in ("stdout", "stderr")}
    keep["cmd"] = " ".join(str(c) for c in run["cmd"])
    if run.get("stderr", "").strip():
        keep["stderr_tail"] = run["stderr"].strip()[-600:]
    return keep


def ratio(a, b) -> float | None:
    try:
        return a / b if a is not None and b else None
    except TypeError:
        return None


# ---------------------------------------------------------------- corpus


def generator_hash() -> str:
    h = hashlib.sha256()
    for name in GENERATOR_FILES:
        path = ROOT / "bench" / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def ensure_corpus(workdir: Path, args) -> dict:
    corpus = workdir / "corpus"
    marker = workdir / "corpus.params.json"
    params = {
        "docs": args.docs,
        "seed": args.seed,
        "pdf_ratio": args.pdf_ratio,
        "max_pages": args.max_pages,
        "generator": generator_hash(),
    }
    shutil.rmtree(corpus / ADDED_DIR, ignore_errors=True)  # left over from an interrupted run
    info = {"dir": str(corpus), "params": params}
    if marker.exists() and (corpus / "labels.jsonl").exists():
        try:
            if json.loads(marker.read_text()) == params:
                info["reused"] = True
                return info
        except ValueError:
            pass
    from bench.generate import generate_corpus

    shutil.rmtree(corpus, ignore_errors=True)
    marker.unlink(missing_ok=True)
    (workdir / "records.params.json").unlink(missing_ok=True)
    started = now()
    generate_corpus(corpus, args.docs, seed=args.seed, pdf_ratio=args.pdf_ratio, max_pages=args.max_pages)
    info["generated_s"] = now() - started
    info["reused"] = False
    marker.write_text(json.dumps(params))
    return info


def read_labels(corpus: Path) -> list[dict]:
    with open(corpus / "labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _extract_one(task) -> tuple[str, str | None]:
    (path,) = task
    from indexer.extract import ExtractionError, extract_file

    try:
        doc, _sha = extract_file(Path(path))
        return doc.text, None
    except ExtractionError as exc:
        return "", f"{exc}"
    except Exception as exc:  # noqa: BLE001 - a benchmark records and goes on
        return "", f"{type(exc).__name__}: {exc}"


def make_record(rowid: int, label: dict, content: str) -> dict:
    date = label.get("date")
    return {
        "id": rowid,
        "doc_id": f"corpus/{label['file']}",
        "title": label.get("title"),
        "content": content,
        "authority": label.get("authority"),
        "outcome": label.get("outcome"),
        "exemptions": label.get("exemptions") or [],
        "date": date,
        "year": date[:4] if date else None,
        "kind": label.get("kind"),
        "pages": label.get("pages"),
    }


def ensure_records(workdir: Path, corpus: Path, labels: list[dict], jobs: int) -> dict:
    """The corpus text for FTS5 and tantivy, extracted once by foi's own path (cached)."""
    records = workdir / "records.jsonl"
    marker = workdir / "records.params.json"
    want = (workdir / "corpus.params.json").read_text()
    info = {"path": str(records)}
    if records.exists() and marker.exists() and marker.read_text() == want:
        info["reused"] = True
        return info
    from multiprocessing import Pool

    tasks = [(str(corpus / label["file"]),) for label in labels]
    started = now()
    if jobs > 1:
        with Pool(jobs) as pool:
            texts = pool.map(_extract_one, tasks, chunksize=16)
    else:
        texts = [_extract_one(t) for t in tasks]
    info["extract_s"] = now() - started
    info["jobs"] = jobs
    info["failed"] = sum(1 for _t, err in texts if err)
    with open(records, "w", encoding="utf-8") as fh:
        for rowid, (label, (text, _err)) in enumerate(zip(labels, texts), start=1):
            fh.write(json.dumps(make_record(rowid, label, text), ensure_ascii=False) + "\n")
    marker.write_text(want)
    info["reused"] = False
    return info


# ---------------------------------------------------------------- extraction


def bench_extraction(corpus: Path, labels: list[dict], n_pdfs: int, budget: float) -> dict:
    pdfs = [label for label in labels if label.get("kind") == "pdf"][:n_pdfs]
    blobs = [(label["file"], (corpus / label["file"]).read_bytes()) for label in pdfs]
    out: dict = {"pdfs": len(blobs), "pages": sum(label.get("pages") or 0 for label in pdfs), "budget_s": budget}

    def pypdfium2_run(name, data):
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                tp = page.get_textpage()
                tp.get_text_range()
                tp.close()
                page.close()
            return len(pdf)
        finally:
            pdf.close()

    def pdfplumber_run(name, data):
        import io

        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()  # frees the page's cached objects, as a long run must
            return len(pdf.pages)

    def foi_run(name, data):
        from indexer.extract import extract_bytes

        return len(extract_bytes(data, name).pages)

    for label, fn in (("pypdfium2", pypdfium2_run), ("foi", foi_run), ("pdfplumber", pdfplumber_run)):
        pages = docs = 0
        errors = 0
        started = now()
        for name, data in blobs:
            try:
                pages += fn(name, data)
            except Exception:  # noqa: BLE001
                errors += 1
            docs += 1
            if now() - started > budget:
                break
        secs = now() - started
        out[label] = {
            "docs": docs,
            "pages": pages,
            "seconds": secs,
            "pages_per_s": pages / secs if secs else None,
            "errors": errors,
            "stopped_by_budget": docs < len(blobs),
        }
    base = out["pdfplumber"]["pages_per_s"]
    for label in ("pypdfium2", "foi"):
        out[label]["x_pdfplumber"] = ratio(out[label]["pages_per_s"], base)
    return out


def link_pdf_subset(workdir: Path, corpus: Path, labels: list[dict], n_pdfs: int) -> tuple[Path, int, int]:
    subset = workdir / "pdf-subset"
    shutil.rmtree(subset, ignore_errors=True)
    pdfs = [label for label in labels if label.get("kind") == "pdf"][:n_pdfs]
    for label in pdfs:
        dest = subset / label["file"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(corpus / label["file"], dest)
        except OSError:
            shutil.copy2(corpus / label["file"], dest)
    return subset, len(pdfs), sum(label.get("pages") or 0 for label in pdfs)


# ---------------------------------------------------------------- builds


# foi on each of its engines: bench engine name -> (foi --engine, index folder in the workdir)
FOI_ENGINES = {"foi": ("whoosh", "ix-j2"), "foi-tantivy": ("tantivy", "ix-tantivy")}


def foi_index(
    paths: list[Path],
    index: Path,
    jobs: int | None,
    fresh: bool,
    timeout: float | None = None,
    engine: str | None = None,
) -> dict:
    if fresh:
        shutil.rmtree(index, ignore_errors=True)
    cmd = foi_cmd() + ["index", *map(str, paths), "--index", str(index), "--json"]
    if engine:
        cmd += ["--engine", engine]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    run = run_measured(cmd, timeout=timeout)
    summary = last_json(run["stdout"])
    res = slim(run)
    res["summary"] = summary
    res["index_bytes"] = dir_bytes(index) if index.exists() else None
    if summary:
        res["json_seconds"] = summary.get("seconds")
    if run["rc"] != 0 or not summary:
        res["failed"] = f"exit {run['rc']}: " + (run["stderr"].strip().splitlines() or ["no output"])[-1][:300]
    return res


def best_run(runs: list[dict]) -> dict:
    """The fastest successful run (all runs' times and summaries kept); a failure if none succeeded."""
    ok = [r for r in runs if not r.get("failed")]
    best = dict(min(ok, key=lambda r: r["wall_s"]) if ok else runs[-1])
    best["runs"] = [
        {
            "wall_s": r["wall_s"],
            "cpu_s": r.get("cpu_s"),
            "summary": r.get("summary"),
            **({"failed": r["failed"]} if r.get("failed") else {}),
        }
        for r in runs
    ]
    return best


def bench_builds(workdir: Path, corpus: Path, n_docs: int, records: Path, engines: list[str], timeout) -> dict:
    out: dict = {"docs": n_docs}
    for jobs in (1, 2):
        res = foi_index([corpus], workdir / f"ix-j{jobs}", jobs, fresh=True, timeout=timeout)
        res["docs_per_s"] = None if res.get("failed") else ratio(n_docs, res["wall_s"])
        out[f"foi_jobs{jobs}"] = res
        if jobs == 1:
            shutil.rmtree(workdir / "ix-j1", ignore_errors=True)  # only its figures are needed
    if not (out["foi_jobs1"].get("failed") or out["foi_jobs2"].get("failed")):
        out["foi_jobs2_speedup"] = ratio(out["foi_jobs1"]["wall_s"], out["foi_jobs2"]["wall_s"])
    if "foi-tantivy" in engines:
        res = foi_index(
            [corpus], workdir / FOI_ENGINES["foi-tantivy"][1], 2, fresh=True, timeout=timeout, engine="tantivy"
        )
        res["docs_per_s"] = None if res.get("failed") else ratio(n_docs, res["wall_s"])
        out["foi-tantivy_jobs2"] = res
    if "fts5" in engines:
        run = run_measured([sys.executable, "-m", "bench.fts5", "build", str(workdir / "fts5.db"), str(records)])
        res = slim(run)
        res["seconds"] = (last_json(run["stdout"]) or {}).get("seconds")
        res["index_bytes"] = (workdir / "fts5.db").stat().st_size if (workdir / "fts5.db").exists() else None
        res["docs_per_s"] = ratio(n_docs, res["seconds"])
        out["fts5"] = res
    if "tantivy" in engines:
        run = run_measured(
            [sys.executable, "-m", "bench.tantivy_engine", "build", str(workdir / "tantivy"), str(records)]
        )
        res = slim(run)
        res["seconds"] = (last_json(run["stdout"]) or {}).get("seconds")
        res["index_bytes"] = dir_bytes(workdir / "tantivy")
        res["docs_per_s"] = ratio(n_docs, res["seconds"])
        out["tantivy"] = res
    return out


# ---------------------------------------------------------------- warm queries


class FoiEngine:
    name = "foi"

    def __init__(self, index: Path):
        from indexer.search import Filters, SearchService

        self.Filters = Filters
        self.service = SearchService(index)

    def open(self) -> None:
        self.service.parse("taser")  # opens the index and searcher

    def close(self) -> None:
        self.service.close()

    def search(self, q: Q, snippets: bool = True, limit: int = 10) -> dict:
        r = self.service.search(q.text, self.Filters(**q.filters), limit=limit, facets=q.facets, snippets=snippets)
        return {"hits": r.hits, "total": r.total, "facets": r.facets}


def open_engine(name: str, workdir: Path):
    started = now()
    if name in FOI_ENGINES:
        engine = FoiEngine(workdir / FOI_ENGINES[name][1])
        engine.open()
    elif name == "fts5":
        from bench.fts5 import Fts5Engine

        engine = Fts5Engine(workdir / "fts5.db")
    else:
        from bench.tantivy_engine import TantivyEngine

        engine = TantivyEngine(workdir / "tantivy")
    return engine, now() - started


def bench_queries(workdir: Path, engines: list[str], queries: list[Q], repeats: int) -> dict:
    out: dict = {"queries": len(queries), "repeats": repeats, "limit": 10, "engines": {}}
    per_query: dict[str, dict[str, dict]] = {}
    for name in engines:
        engine, open_s = open_engine(name, workdir)
        res: dict = {"open_ms": open_s * 1000, "errors": []}
        ok: list[Q] = []
        first_pass: list[float] = []
        for q in queries:  # first pass: warms caches, records hit counts and errors
            started = now()
            try:
                r = engine.search(q)
            except Exception as exc:  # noqa: BLE001
                res["errors"].append({"id": q.id, "query": q.foi_line(), "error": f"{type(exc).__name__}: {exc}"})
                continue
            first_pass.append(now() - started)
            ok.append(q)
            per_query.setdefault(q.id, {})[name] = {"hits": len(r["hits"]), "total": r.get("total")}
        res["first_pass"] = latency_stats(first_pass)
        for mode, snippets in (("snippets", True), ("no_snippets", False)):
            times: dict[str, list[float]] = {q.id: [] for q in ok}
            for _ in range(repeats):
                for q in ok:
                    started = now()
                    engine.search(q, snippets=snippets)
                    times[q.id].append(now() - started)
            flat = [t for ts in times.values() for t in ts]
            res[mode] = latency_stats(flat)
            by_cat = {}
            for cat in Qs.CATEGORIES:
                cat_times = [t for q in ok if q.category == cat for t in times[q.id]]
                if cat_times:
                    by_cat[cat] = latency_stats(cat_times)
            res[f"{mode}_by_category"] = by_cat
            for q in ok:
                per_query[q.id][name][f"{mode}_ms"] = statistics.median(times[q.id]) * 1000 if times[q.id] else None
        engine.close()
        out["engines"][name] = res
    # where the engines disagree about whether a query matches at all (a mapping check)
    zero: dict[str, list[str]] = {name: [] for name in engines}
    for qid, by_engine in per_query.items():
        for name in engines:
            if name in by_engine and by_engine[name]["hits"] == 0:
                zero[name].append(qid)
    out["zero_hit_queries"] = zero
    lines = {q.id: q.foi_line() + (" [facets]" if q.facets else "") for q in queries}
    out["per_query"] = {qid: {"query": lines[qid], **v} for qid, v in per_query.items()}
    if "foi" in engines:
        ranked = sorted(
            (v for v in out["per_query"].values() if v.get("foi", {}).get("snippets_ms") is not None),
            key=lambda v: -v["foi"]["snippets_ms"],
        )
        out["slowest_foi"] = [
            {"query": v["query"], **{n: v.get(n, {}).get("snippets_ms") for n in engines}} for v in ranked[:10]
        ]
    return out


# ---------------------------------------------------------------- processes: batch and one-shot


def bench_batch(workdir: Path, engines: list[str], queries: list[Q]) -> dict:
    qfile = workdir / "queries.txt"
    qfile.write_text("".join(q.foi_line() + "\n" for q in queries), encoding="utf-8")
    qjson = workdir / "queries.jsonl"
    Qs.write_jsonl([replace(q, facets=False) for q in queries], qjson)
    out: dict = {"queries": len(queries)}
    cmds = {
        **{
            name: foi_cmd() + ["search", "--queries", str(qfile), "--json", "--index", str(workdir / folder)]
            for name, (_, folder) in FOI_ENGINES.items()
        },
        "fts5": [sys.executable, "-m", "bench.fts5", "batch", str(workdir / "fts5.db"), str(qjson)],
        "tantivy": [sys.executable, "-m", "bench.tantivy_engine", "batch", str(workdir / "tantivy"), str(qjson)],
    }
    for name in engines:
        run = run_measured(cmds[name])
        res = slim(run)
        res["hits"] = sum(1 for line in run["stdout"].splitlines() if line.startswith("{"))
        res["queries_per_s"] = ratio(len(queries), run["wall_s"])
        if run["rc"] not in (0, 1) and not res["hits"]:
            res["failed"] = f"exit {run['rc']}: " + (run["stderr"].strip().splitlines() or ["no output"])[-1][:300]
        out[name] = res
    return out


FTS5_ONESHOT_PY = """
import json, sqlite3, sys
con = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
for row in con.execute(sys.argv[2]):
    print(json.dumps(row, ensure_ascii=False))
"""
TANTIVY_ONESHOT_PY = """
import json, sys
from bench.queries import Q
from bench.tantivy_engine import TantivyEngine
q = Q.from_dict(json.loads(sys.argv[2]))
for hit in TantivyEngine(sys.argv[1]).search(q)['hits']:
    print(json.dumps(hit, ensure_ascii=False))
"""


def timed_runs(cmd: list[str], runs: int) -> dict:
    subprocess.run(cmd, cwd=ROOT, env=sub_env(), capture_output=True)  # warm the page cache
    times = []
    rc = None
    lines = 0
    for _ in range(runs):
        started = now()
        p = subprocess.run(cmd, cwd=ROOT, env=sub_env(), capture_output=True, text=True)
        times.append(now() - started)
        rc = p.returncode
        lines = sum(1 for line in p.stdout.splitlines() if line.strip())
    res = {
        "cmd": " ".join(cmd)[:400],
        "runs": runs,
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "rc": rc,
        "output_lines": lines,
    }
    if rc not in (0, 1):
        res["failed"] = f"exit {rc}: " + (p.stderr.strip().splitlines() or ["no output"])[-1][:300]
    return res


def bench_oneshot(workdir: Path, engines: list[str], runs: int, quick: bool = False) -> dict:
    from bench.fts5 import sqlite3_cli_sql

    out: dict = {"runs": runs}
    sqlite_cli = shutil.which("sqlite3")
    for key, q in ONESHOT.items():
        if quick and key != "plain":
            continue
        res: dict = {"query": q.foi_line()}
        for name, (_, folder) in FOI_ENGINES.items():
            if name in engines:
                res[name] = timed_runs(
                    foi_cmd() + ["search", q.foi_line(), "--json", "--index", str(workdir / folder)], runs
                )
        if "fts5" in engines:
            if sqlite_cli:
                res["fts5_sqlite3_cli"] = timed_runs(
                    [sqlite_cli, "-readonly", "-json", str(workdir / "fts5.db"), sqlite3_cli_sql(q)], runs
                )
            res["fts5_python"] = timed_runs(
                [sys.executable, "-c", FTS5_ONESHOT_PY, str(workdir / "fts5.db"), sqlite3_cli_sql(q)], runs
            )
        if "tantivy" in engines:
            res["tantivy_python"] = timed_runs(
                [sys.executable, "-c", TANTIVY_ONESHOT_PY, str(workdir / "tantivy"), json.dumps(q.to_dict())], runs
            )
        base = res.get("fts5_sqlite3_cli") or res.get("fts5_python")
        res["fts5_base"] = "sqlite3 CLI" if res.get("fts5_sqlite3_cli") else "python -c"
        if "foi" in res and base and not res["foi"].get("failed"):
            res["foi_x_fts5"] = ratio(res["foi"]["median_ms"], base["median_ms"])
        if "foi" in res and res.get("fts5_python") and not res["foi"].get("failed"):
            res["foi_x_fts5_python"] = ratio(res["foi"]["median_ms"], res["fts5_python"]["median_ms"])
        if "foi-tantivy" in res and res.get("fts5_python") and not res["foi-tantivy"].get("failed"):
            res["foi-tantivy_x_fts5_python"] = ratio(res["foi-tantivy"]["median_ms"], res["fts5_python"]["median_ms"])
        out[key] = res
    return out


# ---------------------------------------------------------------- incremental


def bench_incremental(workdir: Path, corpus: Path, engines: list[str], seed: int, runs: int) -> dict:
    """No-op re-run, add one new document, change it, remove it: foi on the --jobs 2 index
    (bench/incremental.py); the same document added to the baselines."""
    from bench.generate import generate_corpus
    from bench.incremental import incremental_runs

    index = workdir / "ix-j2"
    out: dict = incremental_runs(corpus, index, runs, seed)
    tmp = workdir / "added-src"
    shutil.rmtree(tmp, ignore_errors=True)
    labels = generate_corpus(tmp, 1, seed=seed + 1000, pdf_ratio=0.0)  # the document incremental_runs adds
    src = tmp / labels[0]["file"]
    dest = corpus / ADDED_DIR / Path(labels[0]["file"]).name
    # the same document added to the baselines, each in its own process
    text, _err = _extract_one((str(src),))
    rec = make_record(None, {**labels[0], "file": f"{ADDED_DIR}/{dest.name}"}, text)
    rec_path = tmp / "record.json"
    rec_path.write_text(json.dumps(rec), encoding="utf-8")
    if "fts5" in engines:
        run = run_measured([sys.executable, "-m", "bench.fts5", "add", str(workdir / "fts5.db"), str(rec_path)])
        out["fts5_add1"] = {**slim(run), "seconds": (last_json(run["stdout"]) or {}).get("seconds")}
        subprocess.run(
            [sys.executable, "-m", "bench.fts5", "remove", str(workdir / "fts5.db"), rec["doc_id"]],
            cwd=ROOT,
            env=sub_env(),
            capture_output=True,
        )
    if "tantivy" in engines:
        run = run_measured(
            [sys.executable, "-m", "bench.tantivy_engine", "add", str(workdir / "tantivy"), str(rec_path)]
        )
        out["tantivy_add1"] = {**slim(run), "seconds": (last_json(run["stdout"]) or {}).get("seconds")}
    if "foi-tantivy" in engines:
        index = workdir / FOI_ENGINES["foi-tantivy"][1]
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            out["foi-tantivy_add1"] = foi_index([corpus], index, None, fresh=False)
            dest.unlink()
            out["foi-tantivy_remove1"] = foi_index([corpus], index, None, fresh=False)
        finally:
            shutil.rmtree(corpus / ADDED_DIR, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


# ---------------------------------------------------------------- targets


def evaluate_targets(res: dict, n_docs: int) -> list[dict]:
    t: list[dict] = []

    def add(name, value, limit, kind, unit="x", note=""):
        if value is None:
            t.append({"target": name, "value": None, "limit": limit, "pass": None, "note": note or "not measured"})
            return
        ok = value <= limit if kind == "max" else value >= limit
        t.append(
            {
                "target": name,
                "value": value,
                "limit": limit,
                "unit": unit,
                "pass": ok,
                "by": (value / limit if kind == "max" else limit / value) if ok is False and value else None,
                "note": note,
            }
        )

    def ok(d):
        return d if isinstance(d, dict) and not d.get("failed") and not d.get("error") else {}

    b = res.get("build", {})
    fts_build = ok(b.get("fts5")).get("seconds")
    for jobs in (1, 2):
        foi = ok(b.get(f"foi_jobs{jobs}")).get("wall_s")
        add(f"build --jobs {jobs} <= 8x FTS5", ratio(foi, fts_build), 8, "max")
    add("--jobs 2 >= 1.7x faster than --jobs 1", b.get("foi_jobs2_speedup"), 1.7, "min")
    pdf = ok((res.get("extraction") or {}).get("foi_index_pdf"))
    add("PDF pages/s extracted+indexed, 2 cores >= 300", pdf.get("pages_per_s"), 300, "min", unit="pages/s")
    q = (res.get("queries") or {}).get("engines", {})
    if "foi" in q and "fts5" in q:
        note = "" if n_docs >= 50000 else f"target is set at 50k docs; measured at {n_docs:,}"
        add(
            "warm p50 with snippets <= 3x FTS5",
            ratio(q["foi"]["snippets"]["p50_ms"], q["fts5"]["snippets"]["p50_ms"]),
            3,
            "max",
            note=note,
        )
        add(
            "warm p95 with snippets <= 5x FTS5",
            ratio(q["foi"]["snippets"]["p95_ms"], q["fts5"]["snippets"]["p95_ms"]),
            5,
            "max",
            note=note,
        )
    bt = res.get("batch") or {}
    if "foi" in bt and "fts5" in bt:
        add(
            f"--queries batch ({bt['queries']}) <= 3x FTS5",
            ratio(ok(bt["foi"]).get("wall_s"), ok(bt["fts5"]).get("wall_s")),
            3,
            "max",
        )
    one = (res.get("oneshot") or {}).get("plain") or {}
    note = "" if 8000 <= n_docs <= 12000 else f"target is set at 10k docs; measured at {n_docs:,}"
    add(
        f"one-shot foi search <= 5x one-shot sqlite3 ({one.get('fts5_base', '?')})",
        one.get("foi_x_fts5"),
        5,
        "max",
        note=note,
    )
    # issue 12 (Whoosh at its best)
    add("one-shot foi search <= 4x one-shot python FTS5", one.get("foi_x_fts5_python"), 4, "max", note=note)
    if "foi" in q and "fts5" in q:
        note = "" if n_docs >= 50000 else f"target is set at 50k docs; measured at {n_docs:,}"
        add(
            "warm p50 with snippets <= 5x FTS5 (issue 12)",
            ratio(q["foi"]["snippets"]["p50_ms"], q["fts5"]["snippets"]["p50_ms"]),
            5,
            "max",
            note=note,
        )
        add(
            "warm p95 with snippets <= 3x FTS5 (issue 12)",
            ratio(q["foi"]["snippets"]["p95_ms"], q["fts5"]["snippets"]["p95_ms"]),
            3,
            "max",
            note=note,
        )
    if "foi" in bt and "fts5" in bt:
        add(
            f"--queries batch ({bt['queries']}) <= 4x FTS5 (issue 12)",
            ratio(ok(bt["foi"]).get("wall_s"), ok(bt["fts5"]).get("wall_s")),
            4,
            "max",
        )
    if "foi-tantivy" in q and "fts5" in q:
        ft, fts, raw = (
            q["foi-tantivy"]["snippets"],
            q["fts5"]["snippets"],
            (q.get("tantivy") or {}).get("snippets") or {},
        )
        add("foi-tantivy warm p50 with snippets < FTS5", ratio(ft["p50_ms"], fts["p50_ms"]), 1, "max")
        add("foi-tantivy warm p95 with snippets < FTS5", ratio(ft["p95_ms"], fts["p95_ms"]), 1, "max")
        add("foi-tantivy warm p50 <= 2x raw tantivy", ratio(ft["p50_ms"], raw.get("p50_ms")), 2, "max")
        add("foi-tantivy warm p95 <= 2x raw tantivy", ratio(ft["p95_ms"], raw.get("p95_ms")), 2, "max")
    if "foi-tantivy" in bt and "fts5" in bt:
        add(
            "foi-tantivy --queries batch <= 0.5x FTS5",
            ratio(ok(bt["foi-tantivy"]).get("wall_s"), ok(bt["fts5"]).get("wall_s")),
            0.5,
            "max",
        )
    add("foi-tantivy one-shot <= 2x one-shot python FTS5", one.get("foi-tantivy_x_fts5_python"), 2, "max")
    add1 = ok((res.get("incremental") or {}).get("add1"))
    note = "" if n_docs >= 50000 else f"target is set at 50k docs; measured at {n_docs:,}"
    add("add 1 document (whole process) < 1 s", add1.get("wall_s"), 1.0, "max", unit="s", note=note)
    return t


# ---------------------------------------------------------------- report


def fmt(v, digits=1, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float):
        if abs(v) >= 100:
            s = f"{v:,.0f}"
        elif abs(v) >= 10:
            s = f"{v:.{max(0, digits - 1)}f}" if digits > 1 else f"{v:.0f}"
        else:
            s = f"{v:.{digits}f}"
    else:
        s = f"{v:,}" if isinstance(v, int) else str(v)
    return s + unit


def fx(v):
    return "—" if v is None else f"{v:.2f}×" if v < 10 else f"{v:.1f}×"


def find_failures(obj, where: str = "") -> list[tuple[str, str]]:
    """Every command that failed (a "failed" message) anywhere in the results."""
    out = []
    if isinstance(obj, dict):
        if isinstance(obj.get("failed"), str):
            out.append((where or "?", obj["failed"]))
        for key, value in obj.items():
            if key != "runs":
                out += find_failures(value, f"{where}.{key}" if where else key)
    return out


def print_tantivy_table(console, res: dict, Table, verdict) -> None:
    """foi on tantivy beside foi on Whoosh, FTS5 and raw tantivy, on the same corpus and queries."""
    q = (res.get("queries") or {}).get("engines", {})
    b = res.get("build") or {}
    if "foi-tantivy" not in q and "foi-tantivy_jobs2" not in b:
        return
    t = Table(title="foi on tantivy vs foi on Whoosh, FTS5 and raw tantivy")
    for col in ("measure", "foi-tantivy", "foi (Whoosh)", "FTS5", "tantivy", "÷FTS5", "÷tantivy", "target"):
        t.add_column(col, justify="left" if col in ("measure", "target") else "right")

    def row(label, values, digits=2, target=""):
        ft, fw, fts, raw = values
        t.add_row(
            label,
            fmt(ft, digits),
            fmt(fw, digits),
            fmt(fts, digits),
            fmt(raw, digits),
            fx(ratio(ft, fts)),
            fx(ratio(ft, raw)),
            target,
        )

    ftb, fwb = b.get("foi-tantivy_jobs2") or {}, b.get("foi_jobs2") or {}
    fts, tan = b.get("fts5") or {}, b.get("tantivy") or {}
    row(
        "build --jobs 2: seconds (foi: whole process incl. extraction)",
        (ftb.get("wall_s"), fwb.get("wall_s"), fts.get("seconds"), tan.get("seconds")),
        1,
    )
    row(
        "build: docs/s", (ftb.get("docs_per_s"), fwb.get("docs_per_s"), fts.get("docs_per_s"), tan.get("docs_per_s")), 0
    )
    row(
        "build: peak RSS MB (process tree)",
        (
            ftb.get("peak_rss_tree_mb"),
            fwb.get("peak_rss_tree_mb"),
            fts.get("peak_rss_tree_mb"),
            tan.get("peak_rss_tree_mb"),
        ),
        0,
    )
    mb = lambda v: v / 2**20 if v else None  # noqa: E731
    row(
        "index size MB",
        (
            mb(ftb.get("index_bytes")),
            mb(fwb.get("index_bytes")),
            mb(fts.get("index_bytes")),
            mb(tan.get("index_bytes")),
        ),
        1,
    )
    e = lambda name: q.get(name) or {}  # noqa: E731
    for mode, label in (("snippets", "with snippets"), ("no_snippets", "no snippets")):
        for p in ("p50", "p95"):
            key = f"{p}_ms"
            target = verdict(f"foi-tantivy warm {p} with snippets < FTS5") if mode == "snippets" else ""
            row(
                f"warm query {p} ms, top 10 {label}",
                tuple((e(n).get(mode) or {}).get(key) for n in ("foi-tantivy", "foi", "fts5", "tantivy")),
                2,
                target,
            )
    bt = res.get("batch") or {}
    row(
        f"--queries batch of {bt.get('queries')}: process s",
        tuple((bt.get(n) or {}).get("wall_s") for n in ("foi-tantivy", "foi", "fts5", "tantivy")),
        2,
        verdict("foi-tantivy --queries batch"),
    )
    one = (res.get("oneshot") or {}).get("plain") or {}
    if one:
        row(
            f"one-shot search ms (median): {one.get('query')}",
            (
                (one.get("foi-tantivy") or {}).get("median_ms"),
                (one.get("foi") or {}).get("median_ms"),
                (one.get("fts5_python") or {}).get("median_ms"),
                (one.get("tantivy_python") or {}).get("median_ms"),
            ),
            0,
            verdict("foi-tantivy one-shot"),
        )
    inc = res.get("incremental") or {}
    if inc.get("foi-tantivy_add1"):
        row(
            "add 1 document: process s",
            (
                (inc.get("foi-tantivy_add1") or {}).get("wall_s"),
                (inc.get("add1") or {}).get("wall_s"),
                (inc.get("fts5_add1") or {}).get("wall_s"),
                (inc.get("tantivy_add1") or {}).get("wall_s"),
            ),
            2,
        )
    console.print(t)


def print_report(res: dict, path: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 150)
    meta = res.get("meta", {})
    corpus = res.get("corpus", {})
    console.print(
        f"[bold]foi benchmark[/] — {corpus.get('docs', '?'):,} docs ({corpus.get('pdf_docs', '?')} PDF, "
        f"{corpus.get('pdf_pages', '?')} PDF pages), seed {meta.get('seed')}, {meta.get('cpus')} CPUs, "
        f"git {meta.get('git', {}).get('commit', '?')[:10]}"
        + (" [yellow](indexer/ has uncommitted changes)[/]" if meta.get("git", {}).get("indexer_dirty") else ""),
        highlight=False,
    )

    ex = res.get("extraction") or {}
    if ex.get("pdfs"):
        t = Table(title=f"PDF text extraction: first {ex['pdfs']} PDFs ({ex['pages']} pages), one process")
        for col in ("extractor", "pages", "seconds", "pages/s", "× pdfplumber"):
            t.add_column(col, justify="right" if col != "extractor" else "left")
        names = {
            "pdfplumber": "pdfplumber extract_text()",
            "pypdfium2": "pypdfium2 get_text_range()",
            "foi": "foi extract_bytes()",
        }
        for key in ("pdfplumber", "pypdfium2", "foi"):
            r = ex.get(key) or {}
            t.add_row(
                names[key] + (" (time budget hit)" if r.get("stopped_by_budget") else ""),
                fmt(r.get("pages")),
                fmt(r.get("seconds"), 2),
                fmt(r.get("pages_per_s")),
                fx(r.get("x_pdfplumber")) if key != "pdfplumber" else "1×",
            )
        pdf = ex.get("foi_index_pdf") or {}
        if pdf:
            t.add_row(
                "foi index --jobs 2 of these PDFs (extract+index)",
                fmt(pdf.get("pages")),
                fmt(pdf.get("wall_s"), 2),
                fmt(pdf.get("pages_per_s")),
                fx(ratio(pdf.get("pages_per_s"), (ex.get("pdfplumber") or {}).get("pages_per_s"))),
            )
            t.add_row(
                "  the same run, per CPU second of all its processes",
                fmt(pdf.get("pages")),
                fmt(pdf.get("cpu_s"), 2),
                fmt(pdf.get("pages_per_cpu_s")),
                "",
            )
        console.print(t)
        d = ex.get("table_detector") or {}
        if d.get("true_positive") is not None:
            console.print(
                f"Ruled-table detector on these PDFs: {d['true_positive']} table pages found, "
                f"{d['false_negative']} missed, {d['false_positive']} pages without a table sent to the "
                f"table path, {d['true_negative']} read as plain text ({d['cpu_ms_per_page']} ms CPU a page)",
                highlight=False,
            )

    t = Table(title="foi vs SQLite FTS5 vs tantivy (ratio = foi ÷ FTS5; lower is better for times)")
    for col in ("measure", "foi", "FTS5", "tantivy", "foi÷FTS5", "target"):
        t.add_column(col, justify="left" if col in ("measure", "target") else "right")
    targets = {x["target"]: x for x in res.get("targets", [])}

    def verdict(prefix):
        for name, x in targets.items():
            if name.startswith(prefix):
                if x["pass"] is None:
                    return f"{name}: —"
                mark = (
                    "[green]pass[/]"
                    if x["pass"]
                    else f"[red]miss[/] (by {x['by']:.1f}×)"
                    if x.get("by")
                    else "[red]miss[/]"
                )
                return f"{name}: {mark}"
        return ""

    b = res.get("build") or {}
    fts = b.get("fts5") or {}
    tan = b.get("tantivy") or {}
    for jobs in (1, 2):
        r = b.get(f"foi_jobs{jobs}") or {}
        t.add_row(
            f"build --jobs {jobs}: seconds (foi: whole process)",
            "[red]failed[/]" if r.get("failed") else fmt(r.get("wall_s"), 1),
            fmt(fts.get("seconds"), 2),
            fmt(tan.get("seconds"), 2),
            fx(ratio(r.get("wall_s"), fts.get("seconds"))),
            verdict(f"build --jobs {jobs}"),
        )
        t.add_row(
            f"build --jobs {jobs}: docs/s",
            fmt(r.get("docs_per_s")),
            fmt(fts.get("docs_per_s")),
            fmt(tan.get("docs_per_s")),
            fx(ratio(fts.get("docs_per_s"), r.get("docs_per_s"))),
            "",
        )
        t.add_row(
            f"build --jobs {jobs}: peak RSS MB (process tree)",
            fmt(r.get("peak_rss_tree_mb")),
            fmt(fts.get("peak_rss_tree_mb")),
            fmt(tan.get("peak_rss_tree_mb")),
            fx(ratio(r.get("peak_rss_tree_mb"), fts.get("peak_rss_tree_mb"))),
            "",
        )
    t.add_row("--jobs 2 speed-up over --jobs 1", fx(b.get("foi_jobs2_speedup")), "", "", "", verdict("--jobs 2 >="))
    r = b.get("foi_jobs2") or {}
    mb = lambda v: v / 2**20 if v else None  # noqa: E731
    t.add_row(
        "index size MB",
        fmt(mb(r.get("index_bytes"))),
        fmt(mb(fts.get("index_bytes"))),
        fmt(mb(tan.get("index_bytes"))),
        fx(ratio(r.get("index_bytes"), fts.get("index_bytes"))),
        "",
    )
    pdf = ex.get("foi_index_pdf") or {}
    if pdf:
        t.add_row(
            "PDF-only corpus: pages/s extracted+indexed (--jobs 2)",
            fmt(pdf.get("pages_per_s")),
            "",
            "",
            "",
            verdict("PDF pages/s"),
        )

    inc = res.get("incremental") or {}
    for key, label in (
        ("add1", "add 1 document: process s (JSON seconds)"),
        ("change1", "change 1 document: process s (JSON seconds)"),
        ("remove1", "remove 1 document: process s (JSON seconds)"),
        ("noop", "re-run, nothing changed: process s (JSON seconds)"),
    ):
        r = inc.get(key) or {}
        if r:
            fts_add = (inc.get("fts5_add1") or {}) if key == "add1" else {}
            tan_add = (inc.get("tantivy_add1") or {}) if key == "add1" else {}
            t.add_row(
                label,
                "[red]failed[/]" if r.get("failed") else f"{fmt(r.get('wall_s'), 2)} ({fmt(r.get('json_seconds'), 2)})",
                fmt(fts_add.get("wall_s"), 3) if fts_add else "",
                fmt(tan_add.get("wall_s"), 3) if tan_add else "",
                fx(ratio(r.get("wall_s"), fts_add.get("wall_s"))) if fts_add else "",
                verdict("add 1 document") if key == "add1" else "",
            )

    q = (res.get("queries") or {}).get("engines", {})
    if q:
        nq = res["queries"]["queries"]
        e = lambda name: q.get(name) or {}  # noqa: E731
        t.add_row(
            "open index + searcher ms (in process)",
            fmt(e("foi").get("open_ms")),
            fmt(e("fts5").get("open_ms"), 2),
            fmt(e("tantivy").get("open_ms"), 2),
            fx(ratio(e("foi").get("open_ms"), e("fts5").get("open_ms"))),
            "",
        )
        for mode, label in (("snippets", "with snippets"), ("no_snippets", "no snippets")):
            for p in ("p50", "p95", "p99"):
                key = f"{p}_ms"
                fv = (e("foi").get(mode) or {}).get(key)
                sv = (e("fts5").get(mode) or {}).get(key)
                tv = (e("tantivy").get(mode) or {}).get(key)
                target = verdict(f"warm {p} with snippets") if mode == "snippets" and p in ("p50", "p95") else ""
                t.add_row(
                    f"warm query {p} ms, top 10 {label} ({nq} queries)",
                    fmt(fv, 2),
                    fmt(sv, 2),
                    fmt(tv, 2),
                    fx(ratio(fv, sv)),
                    target,
                )
    bt = res.get("batch") or {}
    if bt:
        g = lambda name: (bt.get(name) or {}).get("wall_s")  # noqa: E731
        t.add_row(
            f"--queries batch of {bt.get('queries')}: process s",
            fmt(g("foi"), 2),
            fmt(g("fts5"), 2),
            fmt(g("tantivy"), 2),
            fx(ratio(g("foi"), g("fts5"))),
            verdict("--queries batch"),
        )
    one = res.get("oneshot") or {}
    for key in ("plain", "boilerplate"):
        r = one.get(key)
        if not r:
            continue
        base = r.get("fts5_sqlite3_cli") or r.get("fts5_python") or {}
        t.add_row(
            f"one-shot search ms, median of {one.get('runs')}: {r['query']}",
            fmt((r.get("foi") or {}).get("median_ms")),
            fmt(base.get("median_ms")) + (" (cli)" if r.get("fts5_sqlite3_cli") else " (py)"),
            fmt((r.get("tantivy_python") or {}).get("median_ms")) + " (py)",
            fx(r.get("foi_x_fts5")),
            verdict("one-shot") if key == "plain" else "",
        )
        if r.get("fts5_sqlite3_cli") and r.get("fts5_python"):
            t.add_row(
                "   same, FTS5 from python -c",
                "",
                fmt(r["fts5_python"]["median_ms"]),
                "",
                fx(ratio((r.get("foi") or {}).get("median_ms"), r["fts5_python"]["median_ms"])),
                "",
            )
    console.print(t)

    print_tantivy_table(console, res, Table, verdict)

    if q:
        t = Table(title="warm query p50 / p95 ms by category, top 10 with snippets")
        for col in ("category", "n", "foi", "foi-tantivy", "FTS5", "tantivy", "foi÷FTS5 p50", "foi÷FTS5 p95"):
            t.add_column(col, justify="left" if col == "category" else "right")
        for cat in Qs.CATEGORIES:
            cells = []
            stats = {}
            for name in ("foi", "foi-tantivy", "fts5", "tantivy"):
                s = ((q.get(name) or {}).get("snippets_by_category") or {}).get(cat) or {}
                stats[name] = s
                cells.append(f"{fmt(s.get('p50_ms'), 2)} / {fmt(s.get('p95_ms'), 2)}" if s else "—")
            n = (stats.get("foi") or stats.get("fts5") or {}).get("n")
            t.add_row(
                cat,
                fmt(n),
                *cells,
                fx(ratio(stats["foi"].get("p50_ms"), stats["fts5"].get("p50_ms"))),
                fx(ratio(stats["foi"].get("p95_ms"), stats["fts5"].get("p95_ms"))),
            )
        console.print(t)
        slow = res["queries"].get("slowest_foi") or []
        if slow:
            t = Table(title="slowest foi queries (median ms, with snippets)")
            for col in ("query", "foi", "FTS5", "tantivy"):
                t.add_column(col, justify="left" if col == "query" else "right")
            for row in slow[:8]:
                t.add_row(row["query"], fmt(row.get("foi"), 2), fmt(row.get("fts5"), 2), fmt(row.get("tantivy"), 2))
            console.print(t)
        zero = res["queries"].get("zero_hit_queries") or {}
        if any(zero.values()):
            console.print(
                "queries with no hits: " + "; ".join(f"{k}: {len(v)}" for k, v in zero.items()), highlight=False
            )
        errs = {k: len(v.get("errors") or []) for k, v in q.items() if v.get("errors")}
        if errs:
            console.print(f"[red]query errors[/]: {errs} (details in the JSON)")
    load = [v.get("loadavg_after", [0])[0] for v in res.values() if isinstance(v, dict) and v.get("loadavg_after")]
    if load and max(load) > (meta.get("cpus") or 1) * 1.2:
        console.print(
            f"[yellow]note[/]: 1-minute load average reached {max(load):.1f} on {meta.get('cpus')} CPUs during "
            "the run: other work shared the machine, so times are noisy",
            highlight=False,
        )
    probes = [meta.get("host_probe_start_s")] + [
        v.get("host_probe_after_s") for v in res.values() if isinstance(v, dict) and "host_probe_after_s" in v
    ]
    probes = [p for p in probes if p]
    if probes and max(probes) > min(probes) * HOST_SPREAD:
        console.print(
            f"[yellow]note[/]: the host's speed changed {max(probes) / min(probes):.2f}x during the run (a fixed loop "
            f"took {min(probes):.2f}-{max(probes):.2f} CPU s between sections): ratios of figures taken in "
            "different sections are noisy",
            highlight=False,
        )
    for run in (inc.get("noop") or {}).get("runs") or []:
        noop = run.get("summary") or {}
        if noop.get("added") or noop.get("updated"):
            console.print(
                f"[yellow]note[/]: a no-change re-run re-indexed documents ({noop}); the engine or its schema "
                "probably changed during the run",
                highlight=False,
            )
            break
    for where, message in find_failures(res):
        from rich.markup import escape

        console.print(f"[red]failed[/] {where}: {escape(message)}", highlight=False)
    failed = [s for s in SECTIONS if isinstance(res.get(s), dict) and res[s].get("error")]
    if failed:
        console.print(f"[red]sections that failed[/]: {', '.join(failed)} (tracebacks in the JSON)")
    if path:
        console.print(f"results: {path}", highlight=False)


# ---------------------------------------------------------------- main


def git_info() -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001
            return ""

    dirty = git("status", "--porcelain", "--", "indexer")
    return {
        "commit": git("rev-parse", "HEAD"),
        "indexer_dirty": bool(dirty),
        "indexer_changes": dirty.splitlines()[:40],
    }


def versions() -> dict:
    from importlib import metadata
    import sqlite3

    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for dist in ("whoosh-reloaded", "tantivy", "pdfplumber", "pypdfium2", "psutil"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, help="documents in the generated corpus (default 10000; --quick 500)")
    p.add_argument("--pdf-docs", type=int, help="PDFs timed for extraction (default 300; --quick 30)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pdf-ratio", type=float, default=0.2)
    p.add_argument("--max-pages", type=int, default=20)
    p.add_argument("--workdir", type=Path, help="corpus and indexes (default bench/corpus-<docs>)")
    p.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--quick", action="store_true", help="a smoke run: 500 docs, 30 PDFs, 60 queries, fewer repeats")
    p.add_argument("--queries", type=int, help="queries from the fixed set (default all 300; --quick 60)")
    p.add_argument(
        "--repeats", type=int, help="timed passes over the query set per engine and mode (default 2; --quick 1)"
    )
    p.add_argument("--oneshot-runs", type=int, help="runs of each one-shot process (default 10; --quick 3)")
    p.add_argument("--extract-budget", type=float, help="seconds per extractor at most (default 120; --quick 20)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for preparing the baselines' text")
    p.add_argument(
        "--engines",
        default="foi,foi-tantivy,fts5,tantivy",
        help="comma-separated subset of foi (on Whoosh), foi-tantivy, fts5, tantivy (raw)",
    )
    p.add_argument("--build-timeout", type=float, default=None, help="kill a foi index build after this many seconds")
    a = p.parse_args(argv)
    quick = a.quick
    a.docs = a.docs or (500 if quick else 10000)
    a.pdf_docs = a.pdf_docs if a.pdf_docs is not None else (30 if quick else 300)
    a.queries = a.queries or (60 if quick else None)
    a.repeats = a.repeats or (1 if quick else 2)
    a.oneshot_runs = a.oneshot_runs or (3 if quick else 10)
    a.extract_budget = a.extract_budget or (20.0 if quick else 120.0)
    if a.workdir is None:
        label = f"{a.docs // 1000}k" if a.docs % 1000 == 0 else str(a.docs)
        a.workdir = ROOT / "bench" / f"corpus-{label}"
    a.engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    for name in ("tantivy", "foi-tantivy"):
        if name in a.engines:
            try:
                import tantivy  # noqa: F401
            except ImportError:
                print(f"tantivy is not importable: skipping {name} (make setup installs it)", file=sys.stderr)
                a.engines.remove(name)
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_path = args.results_dir / f"{stamp}.json"
    engines = args.engines
    res: dict = {
        "meta": {
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "argv": sys.argv[1:] if argv is None else argv,
            "docs": args.docs,
            "pdf_docs": args.pdf_docs,
            "seed": args.seed,
            "quick": args.quick,
            "engines": engines,
            "workdir": str(workdir),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "versions": versions(),
            "git": git_info(),
            "queries": args.queries or len(Qs.QUERIES),
            "repeats": args.repeats,
            "loadavg_start": list(os.getloadavg()),
            "host_probe_start_s": host_probe(),
        }
    }
    started = now()

    def save():
        res["meta"]["elapsed_s"] = now() - started
        out_path.write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str), encoding="utf-8")

    def section(name, fn):
        t0 = now()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            value = fn()
        except Exception as exc:  # noqa: BLE001 - keep going; the JSON says what failed
            value = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            print(f"[bench] {name} failed: {value['error']}", file=sys.stderr, flush=True)
        if isinstance(value, dict):
            value.setdefault("section_s", now() - t0)
            value.setdefault("loadavg_after", list(os.getloadavg()))
            value.setdefault("host_probe_after_s", host_probe())
        res[name] = value
        save()
        return value

    state: dict = {}

    def corpus_section():
        info = ensure_corpus(workdir, args)
        corpus = Path(info["dir"])
        labels = read_labels(corpus)
        state["corpus"], state["labels"] = corpus, labels
        info["docs"] = len(labels)
        info["pdf_docs"] = sum(1 for x in labels if x.get("kind") == "pdf")
        info["pdf_pages"] = sum(x.get("pages") or 0 for x in labels if x.get("kind") == "pdf")
        if {"fts5", "tantivy"} & set(engines):
            info["records"] = ensure_records(workdir, corpus, labels, args.jobs)
        state["records"] = workdir / "records.jsonl"
        return info

    section("corpus", corpus_section)
    if "corpus" not in state:
        save()
        print_report(res, out_path)
        return 1
    corpus, labels = state["corpus"], state["labels"]

    def extraction_section():
        from bench.pdf_speed import measure_detector

        ex = bench_extraction(corpus, labels, args.pdf_docs, args.extract_budget)
        ex["table_detector"] = measure_detector(corpus, [x for x in labels if x.get("kind") == "pdf"][: args.pdf_docs])
        if "foi" in engines:
            subset, n, pages = link_pdf_subset(workdir, corpus, labels, args.pdf_docs)
            r = foi_index([subset], workdir / "ix-pdf", 2, fresh=True, timeout=args.build_timeout)
            r.update(
                {
                    "pdfs": n,
                    "pages": pages,
                    "pages_per_s": None if r.get("failed") else ratio(pages, r["wall_s"]),
                    "pages_per_cpu_s": None if r.get("failed") else ratio(pages, r.get("cpu_s")),
                }
            )
            ex["foi_index_pdf"] = r
            shutil.rmtree(workdir / "ix-pdf", ignore_errors=True)
        return ex

    section("extraction", extraction_section)
    section("build", lambda: bench_builds(workdir, corpus, len(labels), state["records"], engines, args.build_timeout))
    query_set = Qs.select(args.queries)
    section("queries", lambda: bench_queries(workdir, engines, query_set, args.repeats))
    section("batch", lambda: bench_batch(workdir, engines, query_set))
    section("oneshot", lambda: bench_oneshot(workdir, engines, args.oneshot_runs, args.quick))
    if "foi" in engines:
        section("incremental", lambda: bench_incremental(workdir, corpus, engines, args.seed, 1 if args.quick else 3))
    else:
        res["incremental"] = {"skipped": "foi not in --engines"}
    res["targets"] = evaluate_targets(res, len(labels))
    save()
    print_report(res, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
