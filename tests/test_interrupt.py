"""Interrupting `foi index` keeps the finished work: Ctrl+C / SIGTERM commit it and exit 130 / 143,
and commits come every 200 documents and every 30 s, so even SIGKILL loses little.

Each run is a real `foi index` process whose extraction hangs on `hang.txt` (tests.badinputs),
so the test knows exactly which documents were finished when the signal came.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.badinputs import good_text, token
from tests.conftest import ROOT, invoke_foi

pytestmark = pytest.mark.usefixtures("engine")

# `foi index` (or run_index with its own options) with extraction that hangs on hang*.txt
CLI = (
    "import sys; import indexer.pipeline as p; from tests import badinputs\n"
    "p.prepare = badinputs.hostile_prepare\n"
    "from indexer.cli import main\n"
    "main(sys.argv[1:], prog_name='foi')\n"
)
RUN = (
    "import sys, json; from pathlib import Path; import indexer.pipeline as p; from tests import badinputs\n"
    "from indexer.extract import ExtractOptions\n"
    "p.prepare = badinputs.hostile_prepare\n"
    "options = p.RunOptions(jobs=1, extract=ExtractOptions(timeout=600), **json.loads(sys.argv[3]))\n"
    "p.run_index([Path(sys.argv[1])], Path(sys.argv[2]), options)\n"
)


def corpus_with_hang(folder: Path, before: int, after: int) -> Path:
    """`before` documents, then hang.txt, then `after` documents, in the order they are read."""
    folder.mkdir(parents=True)
    for i in range(before):
        (folder / f"a{i:03}.txt").write_text(good_text(token(5000 + i)) + "interrupttest words\n")
    (folder / "hang.txt").write_text(good_text(token(4999)))
    for i in range(after):
        (folder / f"z{i:03}.txt").write_text(good_text(token(6000 + i)) + "interrupttest words\n")
    return folder


def start(script: str, args: list, mark: Path) -> subprocess.Popen:
    env = {**os.environ, "FOI_TEST_HANG_MARK": str(mark)}
    # A session of its own: the test can signal the whole group, as Ctrl+C in a terminal does.
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def documents(index: Path) -> int:
    r = invoke_foi("status", "--json", "--index", index)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["documents"]


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_commits_the_finished_documents_and_the_next_run_does_the_rest(tmp_path, sig):
    corpus = corpus_with_hang(tmp_path / "corpus", before=120, after=49)
    index, mark = tmp_path / "index", tmp_path / "hanging"
    proc = start(CLI, ["index", corpus, "--index", index, "--jobs", "1", "--timeout", "600"], mark)
    try:
        wait_until(mark.exists, 180, "the run to reach hang.txt")
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl+C: the whole foreground group, workers included
        else:
            proc.send_signal(sig)  # `kill PID`: the indexer alone
        # hang.txt would hold the run for 600 s: only stopping on the signal ends it in time
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    name = signal.Signals(sig).name
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"foi: interrupted ({name}): kept 120 documents of this run (120 added, 0 updated, 0 removed); "
        "run `foi index` again to do the rest"
    )
    # the workers were killed, not waited for: nothing of the run is left
    wait_until(lambda: group_gone(proc.pid), 30, "the worker processes to end")
    assert documents(index) == 120
    (corpus / "hang.txt").unlink()
    r = invoke_foi("index", corpus, "--index", index, "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert (summary["added"], summary["unchanged"], summary["failed"]) == (49, 120, 0)
    assert documents(index) == 169


def test_a_commit_every_200_documents_so_a_killed_run_keeps_them(tmp_path):
    corpus = corpus_with_hang(tmp_path / "corpus", before=250, after=0)
    index, mark = tmp_path / "index", tmp_path / "hanging"
    # the default --batch-size (2000) alone would commit nothing of these 250
    proc = start(CLI, ["index", corpus, "--index", index, "--jobs", "1", "--timeout", "600"], mark)
    try:
        wait_until(mark.exists, 300, "the run to reach hang.txt")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    kept = documents(index)
    # Commits come at least every 200 documents (sooner when a batch's commit would cost more
    # than the writer's budget), so at most 200 finished documents are lost, plus the few the
    # pool had extracted ahead of the writer (jobs x 4).
    assert 0 < kept <= 250
    assert 250 - kept <= 200 + 4


def test_a_batch_waiting_longer_than_the_commit_interval_is_committed_while_extraction_goes_on(tmp_path):
    corpus = corpus_with_hang(tmp_path / "corpus", before=5, after=0)
    index, mark = tmp_path / "index", tmp_path / "hanging"
    options = json.dumps({"commit_seconds": 1.0})
    proc = start(RUN, [corpus, index, options], mark)
    try:
        wait_until(mark.exists, 120, "the run to reach hang.txt")
        # the writer waits for hang.txt's worker: the five finished documents are committed meanwhile
        wait_until(
            lambda: (index / "foi-index.json").exists() and documents(index) == 5,
            60,
            "the waiting batch to be committed",
        )
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert documents(index) == 5
