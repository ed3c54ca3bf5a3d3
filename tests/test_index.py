"""Incremental indexing: adds, content-hash updates, removals, rebuild, failures recorded."""

from __future__ import annotations

import os
import shutil

import pytest

from indexer.engines import engine_for
from indexer.search import SearchService
from tests.conftest import CORPUS, REAL_CORPUS, SEED, build_index, write_doc, write_pdf


pytestmark = pytest.mark.usefixtures("engine")


def _doc_count(index_dir) -> int:
    engine = engine_for(index_dir)
    try:
        return engine.doc_count()
    finally:
        engine.close()


def _search_ids(index_dir, text):
    service = SearchService(index_dir)
    try:
        return [h.doc_id for h in service.search(text, limit=50).hits]
    finally:
        service.close()


@pytest.fixture
def small(docs):
    shutil.copy(SEED, docs / SEED.name)
    write_doc(docs, "parking.txt", "Freedom of Information response about parking fines issued in 2020.")
    write_pdf(docs / "buses.pdf", ["Bus lane cameras", "Penalty charge notices for bus lanes"])
    return docs


def test_first_run_adds_everything_and_doc_ids_are_folder_relative(small, index_dir):
    summary = build_index(small, index_dir)
    assert (summary.added, summary.updated, summary.removed, summary.failed) == (3, 0, 0, 0)
    assert sorted(_search_ids(index_dir, "penalty OR parking OR prevent")) == [
        "docs/buses.pdf",
        "docs/parking.txt",
        f"docs/{SEED.name}",
    ]


def test_add_touch_edit_delete_rebuild(small, index_dir):
    build_index(small, index_dir)

    write_doc(small, "sub/new.txt", "A new response about library opening hours.")
    s = build_index(small, index_dir)
    assert (s.added, s.updated, s.removed, s.unchanged) == (1, 0, 0, 3)
    assert _search_ids(index_dir, "library opening") == ["docs/sub/new.txt"]

    path = small / "parking.txt"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # touched, same bytes
    s = build_index(small, index_dir)
    assert (s.added, s.updated, s.unchanged) == (0, 0, 4)

    path.write_text("Freedom of Information response about speeding fines issued in 2021.")
    s = build_index(small, index_dir)
    assert (s.added, s.updated, s.unchanged) == (0, 1, 3)
    assert _search_ids(index_dir, "speeding") == ["docs/parking.txt"]
    assert _search_ids(index_dir, "parking") == []

    (small / "buses.pdf").unlink()
    s = build_index(small, index_dir)
    assert (s.removed, s.unchanged) == (1, 3)
    assert _search_ids(index_dir, "bus lane") == []

    count = _doc_count(index_dir)
    s = build_index(small, index_dir, rebuild=True)
    assert s.added == count == _doc_count(index_dir) == 3


def test_second_run_touches_only_the_new_file(docs, index_dir, monkeypatch):
    for i in range(20):
        write_doc(docs, f"r{i:02}.txt", f"Response number {i} about topic{i}.")
    build_index(docs, index_dir)
    write_doc(docs, "extra.txt", "One more response about potholes.")
    import indexer.pipeline as pipeline

    seen = []
    original = pipeline._extract_all

    def spy(todo, options, *args, **kwargs):
        seen.extend(s.doc_id for s in todo)
        return original(todo, options, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_extract_all", spy)
    s = build_index(docs, index_dir)
    assert seen == ["docs/extra.txt"]
    assert (s.added, s.unchanged) == (1, 20)


def test_sidecar_overrides_metadata_and_edit_reindexes(docs, index_dir):
    write_doc(
        docs,
        "a.txt",
        "A response with no clear authority.",
        authority="Home Office",
        outcome="refused",
        date="2020-02-03",
        exemptions=["Section 40(2)"],
    )
    build_index(docs, index_dir)
    view = SearchService(index_dir).document("docs/a.txt")
    assert view.metadata["authority"] == "Home Office"
    assert view.metadata["outcome"] == "refused"
    assert view.metadata["date"] == "2020-02-03"
    assert view.metadata["exemptions"] == ["s40(2)"]
    (docs / "a.txt.meta.json").write_text('{"outcome": "partial"}')
    s = build_index(docs, index_dir)
    assert s.updated == 1
    assert SearchService(index_dir).document("docs/a.txt").metadata["outcome"] == "partial"


def test_malformed_sidecar_is_reported_and_ignored(docs, index_dir):
    write_doc(docs, "b.txt", "Response text about street lighting.")
    (docs / "b.txt.meta.json").write_text("{not json")
    s = build_index(docs, index_dir)
    assert s.added == 1
    assert [f.reason for f in s.failures] == ["bad_sidecar"]
    assert _search_ids(index_dir, "street lighting") == ["docs/b.txt"]


def test_failed_file_is_recorded_and_not_retried_until_changed(docs, index_dir):
    write_doc(docs, "good.txt", "Good response about bins.")
    (docs / "empty.pdf").write_bytes(b"")
    s = build_index(docs, index_dir)
    assert [(f.path.endswith("empty.pdf"), f.reason) for f in s.failures] == [(True, "empty")]
    assert SearchService(index_dir).stats().failures[0]["reason"] == "empty"
    s = build_index(docs, index_dir)
    assert s.failed == 1 and s.added == 0  # still listed, not re-extracted
    write_pdf(docs / "empty.pdf", ["Now a real response about recycling"])
    s = build_index(docs, index_dir)
    assert s.added == 1 and s.failed == 0
    assert SearchService(index_dir).stats().failures == []


def test_sample_corpus_indexes_without_failures_and_seed_ranks_first(tmp_path):
    if not any(CORPUS.glob("*")):
        pytest.skip("corpus/ not generated yet")
    summary = build_index(CORPUS, tmp_path / "index")
    assert summary.failed == 0
    assert summary.added == len([p for p in CORPUS.rglob("*") if p.suffix in (".pdf", ".txt", ".md")])
    assert _search_ids(tmp_path / "index", '"Prevent database"')[0] == f"corpus/{SEED.name}"


REAL = REAL_CORPUS / "sheffield"


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus-real is not present")
def test_real_sheffield_responses_all_index_and_are_findable(tmp_path):
    summary = build_index(REAL, tmp_path / "index")
    files = sorted(REAL.glob("*.txt"))
    assert summary.failed == 0
    assert summary.added == len(files) == 60
    # a phrase from a known file finds that file first
    target = REAL / "1027603_sheffield_station_water_fountain.txt"
    assert "water fountain" in target.read_text().lower()
    ids = _search_ids(tmp_path / "index", '"water fountains" station')
    assert ids and ids[0] == f"sheffield/{target.name}"


def test_two_roots_with_one_folder_name_are_refused_before_touching_the_index(tmp_path, index_dir):
    """Two folders called `docs` would share doc ids: the run stops (a usage error) instead
    of letting the second replace the first; nothing is written."""
    from indexer.pipeline import RunOptions, run_index
    from indexer.roots import DocIdClash

    for side in ("a", "b"):
        write_doc(tmp_path / side / "docs", "same.txt", f"Response from side {side} about gritters.")
    with pytest.raises(DocIdClash) as clash:
        run_index([tmp_path / "a" / "docs", tmp_path / "b" / "docs"], index_dir, RunOptions(jobs=1))
    assert str(tmp_path / "a" / "docs") in str(clash.value) and "--name" in str(clash.value)
    assert not index_dir.exists()


def test_sidecar_added_later_under_either_name_reindexes(docs, index_dir):
    """An unchanged file is re-read when a sidecar appears beside it (`a.meta.json` or
    `a.txt.meta.json`); a folder with that name is no sidecar."""
    write_doc(docs, "a.txt", "A response about bins.")
    write_doc(docs, "b.txt", "A response about parks.")
    build_index(docs, index_dir)
    (docs / "a.meta.json").write_text('{"outcome": "refused"}')
    (docs / "b.txt.meta.json").mkdir()
    s = build_index(docs, index_dir)
    assert (s.updated, s.unchanged) == (1, 1)
    assert SearchService(index_dir).document("docs/a.txt").metadata["outcome"] == "refused"


def test_kept_records_stay_within_their_budget_on_disk_and_come_back_whole(tmp_path, monkeypatch):
    """KeptRecords keeps each record in an unnamed temporary file (nothing left in the folder,
    whatever happens to the process) until BUDGET bytes are used; the rest are not kept."""
    from indexer.extract import ExtractOptions
    from indexer.models import IndexRecord, SourceFile
    from indexer.pipeline import KeptRecords, prepare

    folder = tmp_path / "docs"
    folder.mkdir()
    records = []
    for n in range(6):
        path = write_doc(folder, f"r{n}.txt", f"Reply {n}.\n\nWe hold {n * 37} records about bus lane {n}.\n" * 20)
        stat = path.stat()
        source = SourceFile(location=str(path), doc_id=f"docs/r{n}.txt", size=stat.st_size, mtime=stat.st_mtime_ns)
        record = prepare(source, ExtractOptions())
        assert isinstance(record, IndexRecord)
        records.append(record)
    kept_dir = tmp_path / "index"
    kept_dir.mkdir()
    unlimited = KeptRecords(kept_dir)
    unlimited.keep(records[0])
    one = unlimited.size
    unlimited.close()
    monkeypatch.setattr(KeptRecords, "BUDGET", one * 3 + one // 2)  # room for three of them
    kept = KeptRecords(kept_dir)
    for record in records:
        kept.keep(record)
        assert kept.size <= KeptRecords.BUDGET
    assert list(kept_dir.iterdir()) == []  # unnamed: gone with the process
    assert len(kept) == 3
    texts = [p.text for p in records[1].document.pages]
    records[1].document.pages[0].text = "changed since"  # the kept copy is the record as written
    back = kept.take("docs/r1.txt")
    assert [p.text for p in back.document.pages] == texts
    assert back.split.spans == records[1].split.spans and back.split.counted == records[1].split.counted
    assert back.metadata == records[1].metadata and back.fields is None
    assert kept.take("docs/r1.txt") is None  # taken once
    assert kept.take("docs/r4.txt") is None  # past the budget: extracted again by the run
    kept.close()


def test_kept_records_stop_before_the_disk_runs_short(tmp_path, monkeypatch):
    """The records kept for re-splitting never take the room the index needs: with less than
    KeptRecords.ROOM free on the index's disk nothing more is kept (the run extracts again)."""
    from collections import namedtuple

    from indexer.extract import ExtractOptions
    from indexer.models import IndexRecord, SourceFile
    from indexer.pipeline import KeptRecords, prepare

    folder = tmp_path / "docs"
    path = write_doc(folder, "r.txt", "Reply.\n\nWe hold 12 records about bus lanes.\n" * 20)
    stat = path.stat()
    source = SourceFile(location=str(path), doc_id="docs/r.txt", size=stat.st_size, mtime=stat.st_mtime_ns)
    record = prepare(source, ExtractOptions())
    assert isinstance(record, IndexRecord)
    usage = namedtuple("usage", "total used free")
    free = {"bytes": 10 * KeptRecords.ROOM}
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(0, 0, free["bytes"]))
    roomy = KeptRecords(tmp_path)
    roomy.keep(record)
    assert len(roomy) == 1
    roomy.close()
    free["bytes"] = KeptRecords.ROOM  # a record more would leave less than ROOM
    short = KeptRecords(tmp_path)
    short.keep(record)
    assert len(short) == 0 and short.size == 0
    assert short.take("docs/r.txt") is None
    short.close()


def test_extraction_workers_are_replaced_after_so_many_files(monkeypatch):
    """A worker's heap keeps something of every file it extracted: each is replaced by a
    fresh one after WORKER_TASKS files, so workers do not grow with the corpus."""
    from indexer import pipeline
    from indexer.extract import ExtractOptions

    monkeypatch.setattr(pipeline, "WORKER_TASKS", 2)
    pool = pipeline.start_pool(1, ExtractOptions(), os.getpid(), "whoosh")
    try:
        pids = [pool.schedule(os.getpid).result(timeout=60) for _ in range(6)]
    finally:
        pool.close()
        pool.join()
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4] == pids[5]
