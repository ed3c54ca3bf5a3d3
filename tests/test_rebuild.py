"""`foi index --rebuild` is built beside the live index and swapped in whole: readers keep the old
index until the swap, and a rebuild that fails or is stopped leaves it as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.badinputs import good_text, token
from tests.conftest import ROOT, invoke_foi, run_foi
from tests.test_interrupt import CLI, documents, start, wait_until

pytestmark = pytest.mark.usefixtures("engine")
STAGING = "foi-rebuild"

# Counts the documents holding "rebuildtest" with a reader held open for the whole run (as the
# TUI holds one) and with a fresh one each time (as `foi search` opens one), until told to stop;
# a 10 ms rest between counts (dozens a second) leaves the CPU to the rebuild it watches.
READER = (
    "import sys, json, time\n"
    "from pathlib import Path\n"
    "from indexer.search import SearchService\n"
    "index, stop = Path(sys.argv[1]), Path(sys.argv[2])\n"
    "held = SearchService(index)\n"
    "while not stop.exists():\n"
    "    fresh = SearchService(index)\n"
    "    try:\n"
    "        line = [held.count('rebuildtest'), fresh.count('rebuildtest')]\n"
    "    except Exception as exc:\n"
    "        line = {'error': f'{type(exc).__name__}: {exc}'}\n"
    "    finally:\n"
    "        fresh.close()\n"
    "    print(json.dumps(line), flush=True)\n"
    "    time.sleep(0.01)\n"
)


def write_corpus(folder: Path, first: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + count):
        (folder / f"d{i:04}.txt").write_text(good_text(token(7000 + i)) + "rebuildtest words\n")


def index_corpus(corpus: Path, index: Path, *args: str, run=invoke_foi) -> dict:
    r = run("index", str(corpus), "--index", str(index), "--json", "--jobs", "1", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_reader_opened_before_a_rebuild_reads_the_swapped_in_index(tmp_path):
    """The swap takes the old index's files away: a reader that had them open (its searcher,
    its fast columns) goes on with the new index, with no "damaged" error."""
    from indexer.search import Filters, SearchService

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 0, 30)
    index_corpus(corpus, index)
    held = SearchService(index)
    try:
        assert held.count("rebuildtest") == 30
        assert len(held.search("rebuildtest", Filters(), sort="-date", limit=5).hits) == 5
        write_corpus(corpus, 30, 5)
        assert index_corpus(corpus, index, "--rebuild", run=run_foi)["added"] == 35  # a writer of its own
        assert held.count("rebuildtest") == 35
        assert len(held.search("rebuildtest", Filters(), sort="-date", limit=50).hits) == 35
        assert held.stats().documents == 35
    finally:
        held.close()


def test_readers_keep_the_old_index_until_the_rebuild_is_swapped_in(tmp_path, engine):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 0, 300)
    assert index_corpus(corpus, index)["added"] == 300
    write_corpus(corpus, 300, 20)  # the rebuilt index holds 320: readers must see 300, then 320
    stop = tmp_path / "stop-reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(index), str(stop)],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines: list[tuple[float, object]] = []

    def collect():
        for raw in reader.stdout:
            lines.append((time.monotonic(), json.loads(raw)))

    collector = threading.Thread(target=collect)
    collector.start()
    staging_seen = []
    try:
        wait_until(lambda: len(lines) >= 1, 60, "the reader's first count")
        began = time.monotonic()
        # small batches: the rebuild commits many times, each commit visible to any reader of its folder
        rebuild = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "indexer",
                "index",
                str(corpus),
                "--index",
                str(index),
                "--rebuild",
                "--json",
                "--jobs",
                "1",
                "--batch-size",
                "25",
            ],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        while rebuild.poll() is None:
            staging_seen.append((index / STAGING).exists())
            time.sleep(0.05)
        ended = time.monotonic()
        out, err = rebuild.communicate()
        assert rebuild.returncode == 0, err
        assert json.loads(out)["added"] == 320
        wait_until(lambda: lines[-1][1] == [320, 320], 60, "the held reader to see the swapped-in index")
    finally:
        stop.touch()
        reader.wait(timeout=60)
        collector.join(timeout=60)
    counts = [line for _, line in lines]
    errors = [c for c in counts if isinstance(c, dict)]
    assert not errors, errors[:3]
    during = [c for t, c in lines if began <= t <= ended]
    assert len(during) >= 3, "the reader hardly ran during the rebuild"
    for which in (0, 1):  # held and fresh readers alike
        seen = [c[which] for c in counts]
        assert set(seen) <= {300, 320}, sorted(set(seen))
        assert seen == sorted(seen), "a reader saw the index go back to the old one"
    assert any(staging_seen), "the rebuild was not written beside the live index"
    assert not (index / STAGING).exists()
    assert documents(index) == 320


@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_a_stopped_rebuild_leaves_the_old_index_and_its_leftovers_go(tmp_path, how):
    corpus, index, mark = tmp_path / "corpus", tmp_path / "index", tmp_path / "hanging"
    write_corpus(corpus, 0, 30)
    assert index_corpus(corpus, index)["added"] == 30
    (corpus / "hang.txt").write_text(good_text(token(6999)))
    proc = start(
        CLI,
        ["index", corpus, "--index", index, "--rebuild", "--jobs", "1", "--timeout", "600", "--batch-size", "10"],
        mark,
    )
    try:
        wait_until(mark.exists, 180, "the rebuild to reach hang.txt")
        assert (index / STAGING).is_dir()  # its 30 documents are committed there, not here
        assert documents(index) == 30
        os.killpg(proc.pid, getattr(signal, how))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if how == "SIGINT":
        assert proc.returncode == 130, err
        assert err.strip().splitlines()[-1] == (
            "foi: interrupted (SIGINT): the rebuild was dropped and the old index kept as it was"
        )
        assert not (index / STAGING).exists()
    else:
        assert (index / STAGING).is_dir()  # a killed run cannot clean up: the next one does
    assert documents(index) == 30
    (corpus / "hang.txt").unlink()
    write_corpus(corpus, 30, 1)
    summary = index_corpus(corpus, index)
    assert (summary["added"], summary["unchanged"]) == (1, 30)
    assert not (index / STAGING).exists()


def test_the_other_engines_files_left_by_a_killed_engine_switch_go_with_the_next_run(tmp_path, engine):
    """A rebuild into the other engine killed after its swap but before the old engine's files
    went: the record names the index; the other files are unreachable and removed."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 0, 3)
    assert index_corpus(corpus, index)["added"] == 3
    if engine == "whoosh":
        stray = [index / "tantivy" / "meta.json", index / "tantivy" / "0a1b.store"]
    else:
        stray = [index / "_foi_7.toc", index / "foi_0a1b2c3d.seg"]
    for path in stray:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"left by a killed rebuild")
    write_corpus(corpus, 3, 1)
    summary = index_corpus(corpus, index)
    assert (summary["added"], summary["unchanged"]) == (1, 3)
    assert not any(p.exists() for p in stray)
    assert documents(index) == 4


def test_an_engine_whose_folder_is_absent_is_not_imported_and_its_swap_leftover_goes(tmp_path, engine):
    """Cleaning leftovers imports the tantivy engine (and its library) only when its folder
    or a swap's moved-aside copy of it is there; such a copy left alone is still removed."""
    if engine != "whoosh":
        pytest.skip("the tantivy engine's own run imports it")
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, 0, 2)
    assert index_corpus(corpus, index)["added"] == 2
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from indexer.pipeline import run_index, RunOptions\n"
        f"s = run_index([Path({str(corpus)!r})], Path({str(index)!r}), RunOptions(jobs=1))\n"
        "print(s.unchanged, 'indexer.engines.tantivy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["2", "False"], out.stderr
    (index / "tantivy.old").mkdir()
    (index / "tantivy.old" / "meta.json").write_text("{}")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["2", "True"], out.stderr
    assert not (index / "tantivy.old").exists()


@pytest.mark.parametrize("engine", ["tantivy"], indirect=True)
def test_a_swap_while_tantivy_opens_the_index_is_read_again_not_reported_as_damage(tmp_path, engine, monkeypatch):
    """The swap can come while a reader is inside tantivy's open, which has read the old
    meta.json and then finds the segment files it names gone with the old folder. The read is
    made again on the swapped-in index: a reader opening the index during a rebuild gets an
    answer, not "damaged"."""
    import tantivy

    import indexer.engines.tantivy as tantivy_engine
    from indexer.search import SearchService
    from indexer.storage import exchange

    corpus, index, staged = tmp_path / "corpus", tmp_path / "index", tmp_path / "staged"
    write_corpus(corpus, 0, 30)
    index_corpus(corpus, index)
    write_corpus(corpus, 30, 5)
    index_corpus(corpus, staged)  # the rebuilt index, about to be swapped in
    opened: list[str] = []

    class Index:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a reader creates no index")

        @staticmethod
        def open(path: str):
            opened.append(path)
            if len(opened) == 1:  # the old meta.json is read, then the rebuild swaps
                exchange(staged / "tantivy", index / "tantivy")
                raise ValueError("An error occurred while opening a segment reader: FileDoesNotExist")
            return tantivy.Index.open(path)

    class Library:  # tantivy, with an open that races a swap
        def __getattr__(self, name):
            return Index if name == "Index" else getattr(tantivy, name)

    monkeypatch.setattr(tantivy_engine, "tantivy", Library())
    service = SearchService(index)
    try:
        assert service.count("rebuildtest") == 35
    finally:
        service.close()
    assert len(opened) == 2
