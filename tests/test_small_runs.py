"""A run with only a handful of files to extract does it in forks of the indexer rather than
in a worker pool (whose start costs seconds): the same documents, the same removals, the
same failures, under the same protections (time limit, memory cap, a crash costs one file)."""

from __future__ import annotations

import pytest

import indexer.pipeline as pipeline
from indexer.extract import ExtractOptions
from indexer.pipeline import RunOptions, run_index
from tests import badinputs
from tests.conftest import available_engines, write_doc, write_pdf


@pytest.fixture
def forked(monkeypatch):
    """Runs take the fork path (pytest's own threads would otherwise send them to the pool);
    starting a pool fails the test."""
    monkeypatch.setattr(pipeline, "_can_fork", lambda: True)

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a handful of files")

    monkeypatch.setattr(pipeline, "start_pool", no_pool)


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(pipeline, "FORK_MAX_FILES", 0)

    def no_fork(*args, **kwargs):
        raise AssertionError("a fork was used with the pool asked for")

    monkeypatch.setattr(pipeline, "_extract_forked", no_fork)


def _documents(index_dir) -> dict[str, dict]:
    """Every stored document of the index, without the time it was indexed."""
    from indexer.engines import engine_for

    engine = engine_for(index_dir)
    try:
        docs = {}
        for doc_id in engine.manifest():
            stored = dict(engine.document(doc_id))
            for name in ("indexed_at", "mtime"):  # when it was indexed, when its file was written
                stored.pop(name, None)
            docs[doc_id] = stored
        return docs
    finally:
        engine.close()


def _three_runs(root, index_dir) -> list[tuple[int, int, int, int]]:
    """Build, then change one file, delete one and add one: (added, updated, removed, unchanged)."""
    write_doc(
        root,
        "a.txt",
        "Gritting routes for the winter. The council grits 120 miles of road.",
        authority="Leeds City Council",
        date="2021-02-01",
    )
    write_pdf(root / "b.pdf", ["Pothole repairs in 2020.", "The budget for potholes was 2 million."])
    write_doc(root, "c.txt", "Street lighting: 4,000 lamps were replaced with LEDs.")
    counts = []
    for step in range(3):
        if step == 1:
            write_doc(
                root,
                "a.txt",
                "Gritting routes changed: the council now grits 140 miles of road.",
                authority="Leeds City Council",
                date="2021-03-01",
            )
            (root / "b.pdf").unlink()
        if step == 2:
            write_doc(root, "d.txt", "Bus lane fines raised 1.2 million pounds.")
        s = run_index([root], index_dir, RunOptions(jobs=1))
        assert not s.failures
        counts.append((s.added, s.updated, s.removed, s.unchanged))
    return counts


def test_a_handful_of_files_in_forks_index_and_remove_as_the_pool_does(tmp_path, monkeypatch, engine):
    with monkeypatch.context() as m:
        m.setattr(pipeline, "FORK_MAX_FILES", 0)
        pooled_counts = _three_runs(tmp_path / "pool" / "docs", tmp_path / "pool-index")
    m = monkeypatch
    m.setattr(pipeline, "_can_fork", lambda: True)
    forks = []
    original = pipeline._extract_forked

    def spy(todo, *args, **kwargs):
        forks.append([s.doc_id for s in todo])
        return original(todo, *args, **kwargs)

    m.setattr(pipeline, "_extract_forked", spy)
    forked_counts = _three_runs(tmp_path / "fork" / "docs", tmp_path / "fork-index")
    assert forks == [["docs/a.txt", "docs/b.pdf", "docs/c.txt"], ["docs/a.txt"], ["docs/d.txt"]]
    assert forked_counts == pooled_counts == [(3, 0, 0, 0), (0, 1, 1, 1), (1, 0, 0, 2)]
    forked_docs = _documents(tmp_path / "fork-index")
    pooled_docs = {
        doc_id: {**doc, "path": doc["path"].replace("/pool/", "/fork/")}
        for doc_id, doc in _documents(tmp_path / "pool-index").items()
    }
    assert sorted(forked_docs) == ["docs/a.txt", "docs/c.txt", "docs/d.txt"]
    assert forked_docs == pooled_docs
    assert forked_docs["docs/a.txt"]["date"] == "2021-03-01"


HOSTILE = {"hang.txt": "timeout", "sigkill.txt": "too_large", "segfault.txt": "corrupt", "raises.txt": "corrupt"}


@pytest.mark.parametrize("path", ["forked", "pooled"])
def test_hostile_files_cost_their_own_file_either_way(tmp_path, monkeypatch, path, request):
    request.getfixturevalue(path)
    root = tmp_path / "docs"
    root.mkdir()
    for name in HOSTILE:
        (root / name).write_text("A response about hostile files and the workers that read them.")
    monkeypatch.setattr(pipeline, "prepare", badinputs.hostile_prepare)
    summary = run_index([root], tmp_path / "index", RunOptions(jobs=2, extract=ExtractOptions(timeout=5, ocr=False)))
    assert {f.doc_id: f.reason for f in summary.failures} == {f"docs/{name}": r for name, r in HOSTILE.items()}
    raised = next(f for f in summary.failures if f.doc_id == "docs/raises.txt")
    assert raised.detail == "RuntimeError: a bug in a library"


def _hog(source, options, *args):
    """Stands in for pipeline.prepare: allocates three times the worker's memory cap first."""
    bytearray(options.memory_mb * 3 * 1024 * 1024)
    return pipeline.__dict__["_real_prepare"](source, options, *args)


def test_a_forked_worker_is_under_the_memory_cap(tmp_path, monkeypatch, forked):
    root = tmp_path / "docs"
    write_doc(root, "big.txt", "A response whose extraction needs far too much memory.")
    monkeypatch.setattr(pipeline, "_real_prepare", pipeline.prepare, raising=False)
    monkeypatch.setattr(pipeline, "prepare", _hog)
    summary = run_index([root], tmp_path / "index", RunOptions(extract=ExtractOptions(memory_mb=300, ocr=False)))
    assert [(f.doc_id, f.reason, f.detail) for f in summary.failures] == [("docs/big.txt", "corrupt", "MemoryError: ")]
    assert summary.added == 0


def _walk_and_forks(monkeypatch) -> list:
    """Log, in order, each fork started for a file (its doc id) and the end of the walk."""
    log: list = []
    real_discover, real_init = pipeline.discover, pipeline._ForkedWorker.__init__

    def discover(*args, **kwargs):
        yield from real_discover(*args, **kwargs)
        log.append("walk done")

    def init(self, source, options):
        log.append(source.doc_id)
        real_init(self, source, options)

    monkeypatch.setattr(pipeline, "discover", discover)
    monkeypatch.setattr(pipeline._ForkedWorker, "__init__", init)
    return log


def _unchanged_and_one_new(root, index_dir) -> None:
    for i in range(12):  # folders the walk reaches after the new file's
        write_doc(root / f"z{i:02}", "reply.txt", f"Response number {i} about topic{i}.")
    run_index([root], index_dir, RunOptions(jobs=1))
    write_doc(root / "a", "new.txt", "Gritting routes for the winter: the council grits 120 miles of road.")


def test_the_first_file_to_extract_starts_in_a_fork_during_the_walk(tmp_path, monkeypatch):
    # its extraction overlaps the rest of the walk; the document is the same as one forked after it
    late_root, early_root = tmp_path / "late" / "docs", tmp_path / "early" / "docs"
    _unchanged_and_one_new(late_root, tmp_path / "late-index")
    _unchanged_and_one_new(early_root, tmp_path / "early-index")
    monkeypatch.setattr(pipeline, "_can_fork", lambda: True)
    monkeypatch.setattr(pipeline, "EARLY_START", True)
    log = _walk_and_forks(monkeypatch)
    with monkeypatch.context() as m:
        m.setattr(pipeline._EarlyStart, "offer", lambda self, source: None)
        late = run_index([late_root], tmp_path / "late-index", RunOptions(jobs=1))
    assert log == ["walk done", "docs/a/new.txt"]
    log.clear()
    early = run_index([early_root], tmp_path / "early-index", RunOptions(jobs=1))
    assert log == ["docs/a/new.txt", "walk done"]
    assert (early.added, early.unchanged, early.failures) == (late.added, late.unchanged, late.failures) == (1, 12, [])
    late_docs = {
        doc_id: {**doc, "path": doc["path"].replace("/late/", "/early/")}
        for doc_id, doc in _documents(tmp_path / "late-index").items()
    }
    assert _documents(tmp_path / "early-index") == late_docs
    assert "Gritting routes" in str(late_docs["docs/a/new.txt"]["page_texts"])


def test_an_early_fork_is_ended_when_the_pool_takes_over(tmp_path, monkeypatch):
    # more new files than forks are for: the pool extracts them all, the early fork is killed
    root = tmp_path / "docs"
    _unchanged_and_one_new(root, tmp_path / "index")
    for i in range(pipeline.FORK_MAX_FILES):
        write_doc(root / "b", f"more{i}.txt", f"Another new response, number {i}, about street lighting.")
    monkeypatch.setattr(pipeline, "_can_fork", lambda: True)
    monkeypatch.setattr(pipeline, "EARLY_START", True)
    log = _walk_and_forks(monkeypatch)
    started = []
    real_init = pipeline._ForkedWorker.__init__

    def keep(self, source, options):
        real_init(self, source, options)
        started.append(self)

    monkeypatch.setattr(pipeline._ForkedWorker, "__init__", keep)
    summary = run_index([root], tmp_path / "index", RunOptions(jobs=2))
    assert log == ["docs/a/new.txt", "walk done"]
    assert (summary.added, summary.unchanged, summary.failures) == (pipeline.FORK_MAX_FILES + 1, 12, [])
    assert len(started) == 1 and started[0].process.exitcode is not None  # ended, not left running


_COUNT_EARLY_FORKS = """
import sys
from pathlib import Path
import indexer.pipeline as p

started = []
real_init = p._ForkedWorker.__init__

def init(self, source, options):
    started.append(source.doc_id)
    real_init(self, source, options)

if __name__ == "__main__":
    p._ForkedWorker.__init__ = init
    p.EARLY_START = True
    root, index, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    p.run_index([root], index, p.RunOptions(jobs=1, engine=engine))
    (root / "a").mkdir()
    (root / "a" / "new.txt").write_text("Gritting routes: the council grits 120 miles of road.")
    started.clear()
    summary = p.run_index([root], index, p.RunOptions(jobs=1, engine=engine))
    print(summary.added, len(started))
"""


@pytest.mark.parametrize("engine", available_engines())
def test_only_a_run_free_of_threads_starts_a_fork_early(tmp_path, engine):
    # In a process of its own (pytest's threads would stop every fork): a Whoosh run forks the
    # new file's worker; a tantivy run never forks, as its library runs threads of its own
    # once the index is open, so the early start leaves tantivy runs as they were.
    import subprocess
    import sys

    from tests.conftest import ROOT

    root = tmp_path / "docs"
    for i in range(3):
        write_doc(root / f"z{i}", "reply.txt", f"Response number {i} about topic{i}.")
    script = tmp_path / "count_forks.py"
    script.write_text(_COUNT_EARLY_FORKS)
    done = subprocess.run(
        [sys.executable, str(script), str(root), str(tmp_path / "index"), engine],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    added, forks = map(int, done.stdout.split())
    assert added == 1
    assert forks == (0 if engine == "tantivy" else 1)
