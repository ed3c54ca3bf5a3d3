"""Where the test suite spends its CPU: the whole process tree's seconds, and each test's.

    python -m bench.suite_cpu [PYTEST ARGS]      (default: the suite as `make test` runs it)

Wall time says little on a shared machine; CPU seconds do. The suite is run as this
process's child with this process as the child subreaper, so the processes a test leaves
behind (the forkserver of a `foi index` run, which reaped the extraction workers; a Dask
scheduler killed with its group) are adopted and reaped here, and their CPU counted too.

Each test's CPU (setup, call and teardown) is its xdist worker's own, plus that of the
children the worker reaped, plus the growth of its live descendants' own and reaped CPU
(the worker's forkserver). What a test's orphans spend after it is not in its row: the
difference between the tree's total and the rows' sum.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PR_SET_CHILD_SUBREAPER = 36
OUT_ENV = "FOI_SUITE_CPU_OUT"


def _rusage_cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _descendants_cpu() -> float:
    """CPU of this process's live descendants, with what each has reaped (0 without psutil)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    from bench.cpu import processes_cpu

    try:
        return processes_cpu(psutil.Process().children(recursive=True))
    except psutil.Error:
        return 0.0


# ---------------------------------------------------------------- pytest plugin (-p bench.suite_cpu)

_rows: list[tuple[str, float]] = []


def _now() -> tuple[float, float]:
    return _rusage_cpu(resource.RUSAGE_SELF) + _rusage_cpu(resource.RUSAGE_CHILDREN), _descendants_cpu()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test's CPU seconds: setup, call and teardown."""
    if not os.environ.get(OUT_ENV):
        yield
        return
    own, kids = _now()
    yield
    own2, kids2 = _now()
    _rows.append((item.nodeid, own2 - own + max(0.0, kids2 - kids)))


def pytest_sessionfinish(session):
    out = os.environ.get(OUT_ENV)
    if out and _rows:
        name = os.environ.get("PYTEST_XDIST_WORKER", "main")
        Path(out, f"{name}.json").write_text(json.dumps(_rows))


# ---------------------------------------------------------------- the runner


def run(pytest_args: list[str], top: int) -> dict:
    """Run pytest with the plugin under a subreaper; the tree's CPU and the rows, slowest first."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, OUT_ENV: out}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "bench.suite_cpu", *pytest_args], cwd=ROOT, env=env
        )
        code = wall = None
        while True:  # reap the adopted orphans as they exit (a zombie looks alive to a test)
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid == proc.pid:
                code, wall = os.waitstatus_to_exitcode(status), time.monotonic() - started
        rows = [tuple(r) for f in Path(out).glob("*.json") for r in json.loads(f.read_text())]
    by_file: Counter[str] = Counter()
    for nodeid, cpu in rows:
        by_file[nodeid.split("::")[0]] += cpu
    return {
        "exit_code": code,
        "wall_s": round(wall or 0.0, 1),
        "cpu_s": round(_rusage_cpu(resource.RUSAGE_CHILDREN), 1),
        "tests": len(rows),
        "tests_cpu_s": round(sum(cpu for _, cpu in rows), 1),
        "files": [(f, round(c, 2)) for f, c in by_file.most_common(top)],
        "slowest": [(n, round(c, 2)) for n, c in sorted(rows, key=lambda r: -r[1])[:top]],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=30, help="files and tests listed (default 30)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args, pytest_args = ap.parse_known_args(argv)
    res = run(pytest_args or ["-n", "3", "--dist", "worksteal", "-q"], args.top)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"pytest exit {res['exit_code']}, {res['wall_s']} s wall, {res['cpu_s']} CPU s for the whole tree")
    print(f"{res['tests']} tests, {res['tests_cpu_s']} CPU s in their rows (the rest: startup, collection, orphans)")
    for name, cpu in res["files"]:
        print(f"{cpu:8.2f}  {name}")
    print()
    for name, cpu in res["slowest"]:
        print(f"{cpu:8.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
