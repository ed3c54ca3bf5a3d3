"""How `foi index` scales: peak memory against corpus size, and wall time against --jobs.

    python -m bench.scale CORPUS [CORPUS...] [--jobs 1 2] [--engine whoosh] [--workdir DIR] [--json FILE]

Each CORPUS folder is indexed from scratch once per --jobs value, in its own process tree.
For each run it prints the wall seconds, the CPU seconds of the whole tree (the indexer and
its extraction workers), the peak RSS of the tree (sum over its processes, polled every
50 ms) and of the largest single process (the writer, in practice), and the document count.
Then the ratios the Whoosh issue sets targets on: peak RSS of the largest corpus against
the smallest (within 1.3x), and --jobs 1 wall against --jobs 2 wall per corpus (>= 1.7x).

Corpora come from bench.generate; a smaller one may be hard links to the first documents
of a larger one (document i is the same bytes at every size).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def foi_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "foi"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer"]


def measure(cmd: list[str], poll: float = 0.05) -> dict:
    """Run `cmd`; wall seconds, exit code, stdout, peak RSS (tree sum, largest process, and
    the largest process of each role: see role) and CPU seconds of the tree (each process's
    last polled CPU time, summed) and of the indexer process alone (the writer)."""
    import psutil

    env = {k: v for k, v in os.environ.items() if k != "FOI_INDEX"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: out.__setitem__(n, s.read()), daemon=True)
        for n, s in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for t in readers:
        t.start()
    root = psutil.Process(proc.pid)
    peak_tree = peak_one = 0
    cpu: dict[int, float] = {}
    names: dict[int, str] = {}
    roles: dict[int, str] = {}
    peak_role: dict[str, int] = {}
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        tree = 0
        for p in procs:
            try:
                with p.oneshot():
                    rss = p.memory_info().rss
                    times = p.cpu_times()
                    names[p.pid] = p.name()
                    if not roles.get(p.pid, "").startswith("foi-"):  # a lane names itself once started
                        roles[p.pid] = role(p, proc.pid)
            except psutil.Error:
                continue
            tree += rss
            peak_one = max(peak_one, rss)
            peak_role[roles[p.pid]] = max(peak_role.get(roles[p.pid], 0), rss)
            cpu[p.pid] = times.user + times.system
        peak_tree = max(peak_tree, tree)
        time.sleep(poll)
    wall = time.perf_counter() - started
    for t in readers:
        t.join()
    return {
        "wall_s": round(wall, 2),
        "rc": proc.returncode,
        "cpu_s": round(sum(cpu.values()), 1),
        "cpu_indexer_s": round(cpu.get(proc.pid, 0.0), 1),
        "cpu_by_name_s": _by_name(cpu, names, proc.pid),
        "peak_rss_tree_mb": round(peak_tree / 2**20),
        "peak_rss_process_mb": round(peak_one / 2**20),
        "peak_rss_role_mb": {r: round(v / 2**20) for r, v in sorted(peak_role.items())},
        "stdout": out.get("stdout", ""),
        "stderr": out.get("stderr", ""),
    }


def role(p, root: int) -> str:
    """What a process of an indexing run is: the indexer itself, a Whoosh lane (`foi-writer`,
    `foi-merger`), multiprocessing's forkserver or resource tracker, or an extraction worker."""
    if p.pid == root:
        return "indexer"
    name = p.name()
    # a fork of the indexer serving as forkserver, and its extraction workers (indexer/forking.py)
    named = {"foi-forkserver": "forkserver", "foi-extract": "worker"}
    if name in named:
        return named[name]
    if name.startswith("foi-"):
        return name.rstrip("0123456789").rstrip("-")
    cmd = " ".join(p.cmdline())
    if "resource_tracker" in cmd:
        return "resource_tracker"
    if "forkserver" in cmd and p.ppid() == root:  # its children (workers, lanes) share its command line
        return "forkserver"
    return "worker"


def _by_name(cpu: dict[int, float], names: dict[int, str], root: int) -> dict[str, float]:
    """CPU seconds per process name (the Whoosh engine names its writer processes), the
    indexer's own under "indexer"."""
    out: dict[str, float] = {}
    for pid, seconds in cpu.items():
        name = "indexer" if pid == root else names.get(pid, "?")
        out[name] = round(out.get(name, 0.0) + seconds, 1)
    return out


def index_run(corpus: Path, jobs: int, engine: str, workdir: Path) -> dict:
    index = workdir / f"ix-{corpus.parent.name}-j{jobs}"
    shutil.rmtree(index, ignore_errors=True)
    cmd = foi_cmd() + ["index", str(corpus), "--index", str(index), "--json", "--jobs", str(jobs), "--engine", engine]
    run = measure(cmd)
    summary = None
    for line in reversed(run.pop("stdout").strip().splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    stderr = run.pop("stderr").strip()
    run.update(corpus=str(corpus), jobs=jobs, engine=engine)
    if summary:
        run.update(added=summary["added"], failed=summary["failed"], seconds=summary["seconds"])
    if run["rc"] != 0:
        run["error"] = stderr.splitlines()[-1][:300] if stderr else "no output"
    shutil.rmtree(index, ignore_errors=True)
    return run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpora", nargs="+", type=Path)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--engine", default="whoosh")
    p.add_argument("--workdir", type=Path, default=None, help="where the indexes are built (default: a temp folder)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = p.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="foi-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    for corpus in args.corpora:
        for jobs in args.jobs:
            run = index_run(corpus.resolve(), jobs, args.engine, workdir)
            runs.append(run)
            print(json.dumps(run), flush=True)
    ratios: dict = {}
    by_corpus: dict[str, dict[int, dict]] = {}
    for run in runs:
        by_corpus.setdefault(run["corpus"], {})[run["jobs"]] = run
    for corpus, per_jobs in by_corpus.items():
        if 1 in per_jobs and 2 in per_jobs:
            ratios[f"jobs1/jobs2 wall {Path(corpus).parent.name}"] = round(
                per_jobs[1]["wall_s"] / per_jobs[2]["wall_s"], 2
            )
    if len(by_corpus) > 1:
        first, last = list(by_corpus.values())[0], list(by_corpus.values())[-1]
        for jobs in args.jobs:
            if jobs in first and jobs in last:
                ratios[f"peak RSS tree last/first --jobs {jobs}"] = round(
                    last[jobs]["peak_rss_tree_mb"] / max(1, first[jobs]["peak_rss_tree_mb"]), 2
                )
    print(json.dumps(ratios), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "ratios": ratios}, indent=1))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
