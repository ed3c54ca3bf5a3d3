"""One-shot `foi search` against a one-shot Python FTS5 query, on indexes that already exist.

    python -m bench.oneshot INDEX FTS5_DB [--runs 10] [--query TEXT ...] [--before ROOT] [--json FILE]

Each run is a fresh process, as a person typing `foi search QUERY --json` starts one: foi
runs from the checkout this module belongs to (its `indexer` package put first on
PYTHONPATH); FTS5 is bench.run's `python -c` one-shot with the sqlite3 module (the same
interpreter, so both pay the same start-up). The runs of every command are interleaved, so
all of them see the same machine load, and each figure is the median of --runs after one
warm-up run: wall time and the CPU time (user + system) of the process, which is the
steadier one on a shared machine. With `--before ROOT` a second checkout (an older commit,
for instance a `git worktree`) runs the same searches too, and its output must be the same.

The queries default to bench.run's two one-shot queries and three of bench/queries.py
(`--query` takes any of bench/queries.py's query lines). INDEX is a Whoosh or tantivy index
of a bench.generate corpus and FTS5_DB bench.fts5's database of the same text, e.g. the
`ix-j2` and `fts5.db` that `python -m bench.run --workdir DIR` leaves in DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.queries import QUERIES, Q  # noqa: E402
from bench.run import FTS5_ONESHOT_PY, ONESHOT  # noqa: E402

DEFAULT_QUERIES = (*(q.foi_line() for q in ONESHOT.values()), "taser", "body worn video", '"body worn video"')
FOI_PY = "import sys; from indexer.console import run; sys.argv[0] = 'foi'; sys.exit(run())"


def _env(pythonpath: Path | None) -> dict:
    """The child's environment: compiled bytecode kept (as an installed foi runs), no
    FOI_INDEX, and `pythonpath` first on the import path."""
    env = dict(os.environ)
    env.pop("FOI_INDEX", None)
    env.pop("PYTHONPATH", None)
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "foi-bench-pycache"))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def _query(text: str) -> Q:
    for q in (*ONESHOT.values(), *QUERIES):
        if q.foi_line() == text:
            return q
    raise SystemExit(f"bench.oneshot: {text!r} is not one of bench/queries.py's query lines")


def _timed(cmd: list[str], env: dict) -> tuple[float, float, bytes]:
    """(wall ms, CPU ms of the process, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.returncode not in (0, 1):
        raise SystemExit(f"bench.oneshot: {' '.join(cmd)[:200]} exited {run.returncode}: {run.stderr.decode()[-300:]}")
    return wall * 1000, cpu * 1000, run.stdout


def measure(index: Path, fts5: Path, queries: list[str], runs: int, before: Path | None = None) -> dict:
    from bench.fts5 import sqlite3_cli_sql

    out: dict = {"index": str(index), "fts5": str(fts5), "runs": runs, "load_before": os.getloadavg(), "queries": {}}
    for text in queries:
        commands = {
            "foi": ([sys.executable, "-c", FOI_PY, "search", text, "--json", "--index", str(index)], _env(ROOT))
        }
        if before is not None:
            commands["foi_before"] = (commands["foi"][0], _env(before))
        sql = sqlite3_cli_sql(_query(text))
        commands["fts5"] = ([sys.executable, "-c", FTS5_ONESHOT_PY, str(fts5), sql], _env(None))
        outputs = {name: _timed(cmd, env)[2] for name, (cmd, env) in commands.items()}  # warm-up
        if before is not None and outputs["foi_before"] != outputs["foi"]:
            raise SystemExit(f"bench.oneshot: {text!r}: the output differs from --before's")
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (cmd, env) in commands.items():
                wall, cpu, _ = _timed(cmd, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        res: dict = {"hits": len(outputs["foi"].splitlines())}
        for name in commands:
            res[name] = {"wall_ms": statistics.median(walls[name]), "cpu_ms": statistics.median(cpus[name])}
        for name in ("foi", "foi_before"):
            if name in res:
                res[f"{name}_x_fts5"] = {
                    "wall": res[name]["wall_ms"] / res["fts5"]["wall_ms"],
                    "cpu": res[name]["cpu_ms"] / res["fts5"]["cpu_ms"],
                }
        out["queries"][text] = res
    out["load_after"] = os.getloadavg()
    return out


def _print(result: dict) -> None:
    names = [n for n in ("foi_before", "foi", "fts5") if n in next(iter(result["queries"].values()))]
    print(f"median of {result['runs']} runs, wall / CPU ms (load {result['load_before'][0]:.1f})")
    print(f"{'query':28} " + " ".join(f"{n:>15}" for n in names) + "   foi x FTS5 wall / CPU")
    for text, res in result["queries"].items():
        cells = " ".join(f"{res[n]['wall_ms']:7.0f} /{res[n]['cpu_ms']:5.0f}" for n in names)
        ratio = res["foi_x_fts5"]
        print(f"{text[:28]:28} {cells}   {ratio['wall']:.2f} / {ratio['cpu']:.2f}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.oneshot", description=__doc__.splitlines()[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("fts5", type=Path)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--query", action="append", help="a query line of bench/queries.py (repeatable)")
    ap.add_argument("--before", type=Path, help="another checkout of foi to time alongside (same output)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    result = measure(args.index, args.fts5, args.query or list(DEFAULT_QUERIES), args.runs, args.before)
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
