"""One writer at a time, readers never blocked, a killed writer's lock never in the way."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.badinputs import good_text, token
from tests.conftest import ROOT, invoke_foi

FOI = [sys.executable, "-m", "indexer"]
pytestmark = pytest.mark.usefixtures("engine")
LOCK = "foi-writer.lock"


def slow_writer(corpus: Path, index: Path) -> subprocess.Popen:
    """A real run_index whose extraction hangs on `hang*.txt` (until its 60 s time limit):
    a writer that holds the lock for as long as the test needs, whatever the machine's speed."""
    script = (
        "from pathlib import Path; import indexer.pipeline as p; from indexer.extract import ExtractOptions\n"
        "from tests import badinputs\n"
        "p.prepare = badinputs.hostile_prepare\n"
        f"p.run_index([Path({str(corpus)!r})], Path({str(index)!r}), "
        "p.RunOptions(jobs=1, extract=ExtractOptions(timeout=60)))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def wait_for_lock_holder(index: Path, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (index / LOCK).read_text().strip() == str(pid):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the first writer never took the lock")


def test_second_writer_fails_clearly_and_a_killed_writers_lock_is_not_stale(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(good_text(token(1)))
    (corpus / "hang.txt").write_text(good_text(token(2)))
    index = tmp_path / "index"
    first = slow_writer(corpus, index)
    try:
        wait_for_lock_holder(index, first.pid)
        second = subprocess.run(
            [*FOI, "index", str(corpus), "--index", str(index)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"foi: index is being updated by another process (pid {first.pid}); try again when it has finished"
        )
        assert second.stdout == ""  # it gave up within its 5 s wait (the timeout above is the bound)
        # Readers are not blocked by the writer.
        status = subprocess.run(
            [*FOI, "status", "--json", "--index", str(index)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert status.returncode == 0, status.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # The killed writer's lock file is still there with its pid, but the kernel released the
    # flock: the next writer starts at once and finishes.
    assert (index / LOCK).read_text().strip() == str(first.pid)
    (corpus / "hang.txt").unlink()
    third = invoke_foi("index", corpus, "--index", index, "--json")
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["added"] == 1
    assert (index / LOCK).read_text() == ""  # released cleanly: no pid left behind


def test_lock_names_the_holder_and_frees_on_release(tmp_path):
    from indexer.lock import IndexBusy, WriterLock

    holder = WriterLock(tmp_path, wait=0)
    holder.acquire()
    try:
        import pytest

        with pytest.raises(IndexBusy) as busy:
            WriterLock(tmp_path, wait=0.3).acquire()
        assert busy.value.pid == __import__("os").getpid()
    finally:
        holder.release()
    with WriterLock(tmp_path, wait=0):
        pass


def test_readers_see_consistent_committed_states_while_a_writer_runs(tmp_path):
    """Searches during indexing always answer, never block, and only ever see whole batches."""
    from indexer.search import QueryError, SearchService

    corpus = tmp_path / "corpus"
    total = 300
    for i in range(total):
        folder = corpus / f"f{i // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"d{i:03}.txt").write_text(good_text(token(3000 + i)) + "readertest shared words\n")
    index = tmp_path / "index"
    batch = 10
    writer = subprocess.Popen(
        [*FOI, "index", str(corpus), "--index", str(index), "--json", "--batch-size", str(batch)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen_cli: list[int] = []
    seen_service: list[int] = []
    problems: list[str] = []

    def cli_reader():
        while writer.poll() is None:
            proc = subprocess.run(
                [*FOI, "search", "readertest", "--count", "--index", str(index)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
                problems.append(f"foi search exit {proc.returncode}: {proc.stderr[-500:]}")
            elif proc.returncode == 0:
                seen_cli.append(int(proc.stdout))

    thread = threading.Thread(target=cli_reader)
    thread.start()
    service = SearchService(index)  # one long-lived reader, as the TUI holds
    try:
        while writer.poll() is None:
            if not service.available():
                time.sleep(0.05)
                continue
            try:
                results = service.search("readertest", limit=total)
            except QueryError as exc:
                problems.append(f"service: {exc}")
                break
            seen_service.append(results.total)
            for hit in results.hits[:20]:  # every hit is a whole document
                if "readertest" not in (service.document(hit.doc_id).content or ""):
                    problems.append(f"half a document: {hit.doc_id}")
            time.sleep(0.02)
        out, err = writer.communicate(timeout=300)
    finally:
        thread.join(timeout=300)
    assert writer.returncode == 0 and "Traceback" not in err, err
    assert json.loads(out)["added"] == total
    assert not problems, problems[:5]
    final = service.search("readertest", limit=1).total
    service.close()
    assert final == total
    for seen in (seen_cli, seen_service):
        assert seen == sorted(seen), "a reader saw the index go backwards"
        assert all(n % batch == 0 or n == total for n in seen), f"a reader saw a partial batch: {seen}"
    assert seen_service, "the in-process reader never saw the index"
