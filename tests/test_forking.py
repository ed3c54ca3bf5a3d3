"""A run's helpers (extraction workers, Whoosh lanes) start from a fork of the indexer while
it is single-threaded, from the stock forkserver (a fresh interpreter) while another thread
runs; the forked server is gone when the run ends (indexer/forking.py).

Each run is a process of its own: pytest's worker runs threads of its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.badinputs import good_text, token
from tests.conftest import ROOT

# Runs 8 documents with jobs=2 (a pool: more than pipeline.FORK_MAX_FILES), optionally
# with a thread of its own running; each worker writes down whether it is a fork of the
# indexer; prints what is left of the run's forkserver afterwards.
SCRIPT = """
import json, os, sys, threading
from pathlib import Path
import indexer.pipeline as p
from multiprocessing import forkserver
from tests import badinputs

os.environ["FOI_TEST_MARKS"] = sys.argv[3]
p.prepare = badinputs.origin_recording_prepare
stop = threading.Event()
if sys.argv[4] == "thread":
    threading.Thread(target=stop.wait, daemon=True).start()
summary = p.run_index([Path(sys.argv[1])], Path(sys.argv[2]), p.RunOptions(jobs=2))
stop.set()
server = forkserver._forkserver._forkserver_pid
alive = False
if server is not None:
    alive = os.waitpid(server, os.WNOHANG)[0] == 0
print(json.dumps({"added": summary.added, "stock_server": server is not None, "stock_alive": alive}))
"""


def _run(tmp_path, mode: str) -> tuple[dict, list[bool]]:
    corpus, marks = tmp_path / "corpus", tmp_path / "marks"
    corpus.mkdir()
    marks.mkdir()
    for i in range(8):
        (corpus / f"doc{i}.txt").write_text(good_text(token(7100 + i)))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(corpus), str(tmp_path / "index"), str(marks), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {m.name.split(".")[0] for m in marks.iterdir()} == {f"doc{i}" for i in range(8)}
    assert result["added"] == 8
    return result, [json.loads(m.read_text()) for m in marks.iterdir()]


@pytest.mark.parametrize("mode", ["alone", "thread"])
def test_workers_fork_from_the_indexer_only_while_it_is_single_threaded(tmp_path, mode):
    result, forked = _run(tmp_path, mode)
    if mode == "alone":
        # (the first file found may also be started at once in a plain fork: pipeline._EarlyStart)
        assert forked.count(False) <= 1 and forked.count(True) >= 7, forked
        # the forked server was stopped with the run, and no stock one was started
        assert result == {"added": 8, "stock_server": False, "stock_alive": False}
    else:
        assert not any(forked), "a worker was forked from a process running another thread"
        assert result["stock_server"] and result["stock_alive"]


def test_the_forked_server_keeps_none_of_the_indexers_files_and_ends_with_the_run(tmp_path):
    """The server holds no copy of the indexer's files (the writer's lock among them) and is
    reaped when the run ends, the lock free for the next writer at once."""
    script = """
import os, sys, time
from indexer import forking
from multiprocessing import forkserver

keep = open(sys.argv[1], "w")  # a file the indexer holds open
with forking.forked_server():
    forking.context()
    pid = forkserver._forkserver._forkserver_pid
    for _ in range(100):  # the server closes what it does not need as it starts: up to 5 s
        held = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        if sys.argv[1] not in held:
            break
        time.sleep(0.05)
    print(pid, sys.argv[1] in held)
print(forkserver._forkserver._forkserver_pid, os.path.exists(f"/proc/{pid}"))
"""
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "held.txt")], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    during, after = proc.stdout.split("\n")[:2]
    pid, held = during.split()
    assert pid != "None" and held == "False"
    assert after.split() == ["None", "False"]
