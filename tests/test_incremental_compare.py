"""How an incremental run tells what changed: the walk counts a file the index holds
unchanged (same path, size and mtime, no sidecar-like name beside it) instead of yielding it,
and the run still finds every add, change, removal and move."""

from __future__ import annotations

import os
from array import array

import pytest

from indexer.boilerplate import CommonParagraphs
from indexer.discover import KnownFiles, Root, discover
from indexer.engines.base import ManifestEntry
from indexer.engines.whoosh import WhooshEngine
from indexer.engines.whoosh.manifest import ManifestFile
from indexer.search import SearchService
from tests.conftest import build_index, write_doc


def _walk(docs, **kwargs) -> list[str]:
    return [s.doc_id for s in discover([Root(docs, "docs")], [], **kwargs)]


def _as_indexed(docs, rel: str) -> tuple[str, int, int, str]:
    st = (docs / rel).stat()
    return (str(docs / rel), st.st_size, st.st_mtime_ns, "f" * 64)


def test_the_walk_counts_known_unchanged_files_and_yields_the_rest(docs):
    for rel in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt", "side/e.txt", "new.txt"):
        write_doc(docs, rel, f"Response {rel} about potholes.")
    (docs / "side" / "other.txt.meta.json").write_text("{}")  # a sidecar-like name, of another file
    write_doc(docs, ".hidden/target.txt", "Response about links.")  # a hidden folder is not walked
    os.symlink(docs / ".hidden" / "target.txt", docs / "link.txt")
    entries = {f"docs/{rel}": _as_indexed(docs, rel) for rel in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt")}
    entries["docs/side/e.txt"] = _as_indexed(docs, "side/e.txt")
    entries["docs/link.txt"] = _as_indexed(docs, "link.txt")  # a link is never taken on trust
    path, size, mtime, fp = entries["docs/b.txt"]
    entries["docs/b.txt"] = (path, size + 1, mtime, fp)  # changed size
    entries["docs/sub/c.txt"] = (path, size, mtime + 1, fp)  # changed time (and place)
    path, size, mtime, fp = entries["docs/sub/d.txt"]
    entries["docs/sub/d.txt"] = (path.replace("/sub/", "/old/"), size, mtime, fp)  # moved here

    known = KnownFiles(entries)
    sidecars: dict[str, frozenset[str]] = {}
    yielded = _walk(docs, known=known, sidecars=sidecars)

    assert known.unchanged == ["docs/a.txt"]
    assert yielded == [
        "docs/b.txt",
        "docs/link.txt",
        "docs/new.txt",
        "docs/side/e.txt",
        "docs/sub/c.txt",
        "docs/sub/d.txt",
    ]
    # Without `known` the same files, in the same order, are all yielded.
    assert _walk(docs) == sorted(yielded + known.unchanged)
    assert sidecars == {
        str(docs): frozenset(),
        str(docs / "side"): frozenset({"other.txt.meta.json"}),
        str(docs / "sub"): frozenset(),
    }


def test_stopped_ends_the_walk_at_the_next_folder(docs):
    for rel in ("a.txt", "sub/b.txt", "sub/deeper/c.txt", "z.txt"):
        write_doc(docs, rel, "Response about parking.")
    asked = []

    def stopped() -> bool:
        asked.append(1)
        return True

    assert _walk(docs, stopped=stopped) == ["docs/a.txt"]
    assert asked == [1]
    assert _walk(docs, stopped=lambda: False) == ["docs/a.txt", "docs/sub/b.txt", "docs/sub/deeper/c.txt", "docs/z.txt"]


def test_a_stop_is_seen_among_many_unchanged_files_of_one_folder(docs):
    names = [f"r{i:05}.txt" for i in range(4100)]
    for name in names:
        (docs / name).write_text("x")
    known = KnownFiles({f"docs/{name}": _as_indexed(docs, name) for name in names})
    assert _walk(docs, known=known, stopped=lambda: True) == []
    assert len(known.unchanged) == 4096  # stopped at the first look, not after the folder
    known = KnownFiles(known.entries)
    assert _walk(docs, known=known, stopped=lambda: False) == [] and len(known.unchanged) == 4100


@pytest.mark.usefixtures("engine")
def test_a_run_finds_adds_changes_removals_and_moves(docs, index_dir):
    for i in range(6):
        write_doc(docs, f"r{i}.txt", f"Response {i} about topic{i}.")
    assert build_index(docs, index_dir).added == 6
    assert build_index(docs, index_dir).unchanged == 6

    write_doc(docs, "new/r9.txt", "Response 9 about topic9.")  # added
    (docs / "r1.txt").write_text("Response 1 rewritten about topic1 and more.")  # changed
    (docs / "r2.txt").unlink()  # removed
    (docs / "moved").mkdir()
    (docs / "r3.txt").rename(docs / "moved" / "r3.txt")  # moved: a new doc id, the old one goes
    st = (docs / "r4.txt").stat()
    os.utime(docs / "r4.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 7_000_000_000))  # touched only
    s = build_index(docs, index_dir)
    assert (s.added, s.updated, s.removed, s.unchanged, s.failed) == (2, 1, 2, 3, 0)

    service = SearchService(index_dir)
    try:
        found = {
            topic: [h.doc_id for h in service.search(topic, limit=5).hits] for topic in ("topic1", "topic3", "topic2")
        }
        assert found == {"topic1": ["docs/r1.txt"], "topic3": ["docs/moved/r3.txt"], "topic2": []}
        assert "rewritten" in service.search("rewritten", limit=1).hits[0].snippet.lower()
    finally:
        service.close()
    assert build_index(docs, index_dir).unchanged == 6


def test_a_failed_file_and_a_sidecar_file_are_looked_at_though_their_stat_is_unchanged(docs, index_dir):
    write_doc(docs, "a.txt", "Response about bins.")
    (docs / "a.txt.meta.json").write_text('{"outcome": "partial"}')
    (docs / "bad.pdf").write_bytes(b"%PDF-1.4 not really")
    first = build_index(docs, index_dir)
    assert (first.added, first.failed) == (1, 1)

    again = build_index(docs, index_dir)
    assert (again.unchanged, again.failed) == (1, 1) and again.still_failing == ["docs/bad.pdf"]

    (docs / "a.txt.meta.json").unlink()  # the overrides go with it, though a.txt is as it was
    s = build_index(docs, index_dir)
    assert (s.updated, s.unchanged) == (1, 0)
    service = SearchService(index_dir)
    try:
        assert service.search("bins", limit=1).hits[0].outcome != "partial"
    finally:
        service.close()


def test_the_manifest_file_loads_entries_with_their_fields(docs, index_dir):
    write_doc(docs, "a.txt", "Response about bins.")
    build_index(docs, index_dir, engine="whoosh")
    engine = WhooshEngine(index_dir)
    try:
        entries = ManifestFile(index_dir).load(engine.store.commit_key())
    finally:
        engine.close()
    entry = entries["docs/a.txt"]
    assert type(entry) is ManifestEntry
    st = (docs / "a.txt").stat()
    assert (entry.path, entry.size, entry.mtime) == (str(docs / "a.txt"), st.st_size, st.st_mtime_ns)
    assert len(entry.fingerprint) == 64


def test_paragraph_counts_read_when_first_needed_keep_what_was_stored(tmp_path):
    table = CommonParagraphs()
    table.observe([11, 12])
    for _ in range(CommonParagraphs.MIN_DOCUMENTS):
        table.observe([13])
    table.save(tmp_path)
    stored = (tmp_path / CommonParagraphs.FILE).stat().st_mtime_ns

    untouched = CommonParagraphs.load(tmp_path)
    untouched.save(tmp_path)  # nothing observed: nothing written
    assert (tmp_path / CommonParagraphs.FILE).stat().st_mtime_ns == stored

    loaded = CommonParagraphs.load(tmp_path)
    assert loaded.is_common(13) and not loaded.is_common(11)
    loaded.observe([11, 14])
    loaded.save(tmp_path)
    assert CommonParagraphs.load(tmp_path).counts == {11: 2, 12: 1, 13: CommonParagraphs.MIN_DOCUMENTS, 14: 1}


def test_a_count_past_what_the_file_holds_is_saved_at_its_most(tmp_path):
    table = CommonParagraphs({7: 2**32 + 5, 8: 3})
    table.changed = True
    table.save(tmp_path)
    raw = (tmp_path / CommonParagraphs.FILE).read_bytes()
    values = array("I")
    values.frombytes(raw[16:])
    assert list(values) == [2**32 - 1, 3]
    assert CommonParagraphs.load(tmp_path).counts == {7: 2**32 - 1, 8: 3}


def test_the_walk_counts_a_whole_unchanged_folder_in_one_step(docs, tmp_path):
    """With a manifest kept by folder, a folder whose files are exactly those indexed (same
    doc ids, paths, sizes and mtimes) is counted without a look-up per file; a folder with
    a file changed, added or gone is compared file by file."""
    for rel in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt", "sub2/e.txt", "sub3/f.txt", "sub3/g.txt"):
        write_doc(docs, rel, f"Response {rel} about potholes.")
    entries = {
        f"docs/{rel}": ManifestEntry(*_as_indexed(docs, rel))
        for rel in ("a.txt", "b.txt", "sub/c.txt", "sub/d.txt", "sub2/e.txt", "sub3/f.txt")
    }
    entries["docs/gone.txt"] = ManifestEntry(str(docs / "gone.txt"), 1, 1, "f" * 64)  # deleted since
    entries["docs/sub2/e.txt"] = entries["docs/sub2/e.txt"]._replace(size=0)  # changed
    (tmp_path / "ix").mkdir()
    store = ManifestFile(tmp_path / "ix")
    store.save("k", entries)
    manifest = store.load("k")
    looked_up = []

    class Recording(dict):
        def get(self, doc_id, default=None):
            looked_up.append(doc_id)
            return manifest.get(doc_id, default)

    known = KnownFiles(Recording(), same_folder=lambda folder, *files: manifest.same_folder(folder, *files, "+"))
    yielded = _walk(docs, known=known)

    assert yielded == ["docs/sub2/e.txt", "docs/sub3/g.txt"]
    assert sorted(known.unchanged) == [
        "docs/a.txt",
        "docs/b.txt",
        "docs/sub/c.txt",
        "docs/sub/d.txt",
        "docs/sub3/f.txt",
    ]
    assert known.whole_folders == {"docs/sub"}
    assert sorted(looked_up) == ["docs/a.txt", "docs/b.txt", "docs/sub2/e.txt", "docs/sub3/f.txt", "docs/sub3/g.txt"]
    # a fingerprint holding the mark (made with a sidecar) keeps its folder from being taken whole
    store.save("k", {**entries, "docs/sub/c.txt": entries["docs/sub/c.txt"]._replace(fingerprint="f+s")})
    manifest = store.load("k")
    known = KnownFiles(manifest, same_folder=lambda folder, *files: manifest.same_folder(folder, *files, "+"))
    _walk(docs, known=known)
    assert known.whole_folders == set()


def test_a_run_with_nothing_changed_unpacks_no_folder_of_the_manifest(docs, index_dir, monkeypatch):
    from indexer.engines.whoosh import manifest as manifest_file

    for rel in ("a.txt", "sub/b.txt", "sub/c.txt", "sub/deeper/d.txt"):
        write_doc(docs, rel, f"Response {rel} about potholes.")
    build_index(docs, index_dir, engine="whoosh")
    unpacked = []
    unpack = manifest_file._unpack
    monkeypatch.setattr(manifest_file, "_unpack", lambda rows: unpacked.append(1) or unpack(rows))
    assert build_index(docs, index_dir).unchanged == 4
    assert unpacked == []
    (docs / "sub" / "c.txt").write_text("Response c rewritten about bins.")
    s = build_index(docs, index_dir)
    assert (s.updated, s.unchanged) == (1, 3)
    assert 0 < len(unpacked) <= 3  # the changed folder's row (read, then rewritten by the commit)


def test_a_sidecar_gone_from_a_folder_compared_whole_reindexes_its_file(docs, index_dir):
    write_doc(docs, "s/a.txt", "Response about bins.", outcome="partial")
    write_doc(docs, "s/b.txt", "Response about parks.")
    write_doc(docs, "p/c.txt", "Response about roads.")
    assert build_index(docs, index_dir, engine="whoosh").added == 3
    assert build_index(docs, index_dir).unchanged == 3
    (docs / "s" / "a.txt.meta.json").unlink()  # the folder has no sidecar-like name now
    s = build_index(docs, index_dir)
    assert (s.updated, s.unchanged) == (1, 2)
    service = SearchService(index_dir)
    try:
        assert service.search("bins", limit=1).hits[0].outcome != "partial"
    finally:
        service.close()
