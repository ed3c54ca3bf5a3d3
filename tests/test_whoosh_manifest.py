"""The Whoosh manifest file: kept in step with every commit by the rows it changed, and
never trusted when it does not match the latest commit (the columns answer instead)."""

from __future__ import annotations

import os

from indexer.engines.whoosh import WhooshEngine
from indexer.engines.whoosh.manifest import FILE_NAME, ManifestFile
from tests.conftest import build_index, write_doc


def _columns(engine: WhooshEngine) -> dict:
    engine.open()
    return engine.store.manifest_from_columns(engine._ix)


def _file(engine: WhooshEngine) -> dict | None:
    return ManifestFile(engine.dir).load(engine.store.commit_key())


def test_file_follows_adds_changes_and_deletes(tmp_path):
    docs = tmp_path / "docs"
    for i in range(5):
        write_doc(docs, f"r{i}.txt", f"Response {i} about potholes and fire safety.")
    build_index(docs, tmp_path / "ix", engine="whoosh", batch_size=2)  # several commits
    engine = WhooshEngine(tmp_path / "ix")
    assert (tmp_path / "ix" / FILE_NAME).is_file()
    assert _file(engine) == _columns(engine) and len(_columns(engine)) == 5
    engine.close()

    (docs / "r1.txt").unlink()
    write_doc(docs, "r2.txt", "Response 2, rewritten: about bins now.")
    os.utime(docs / "r2.txt", ns=(1, 2_000_000_000))
    write_doc(docs, "r9.txt", "A new response about libraries.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    engine = WhooshEngine(tmp_path / "ix")
    from_file = _file(engine)
    assert from_file == _columns(engine)
    assert "docs/r1.txt" not in from_file and "docs/r9.txt" in from_file
    assert from_file["docs/r2.txt"].mtime == 2_000_000_000
    engine.close()


def test_file_of_another_commit_is_ignored(tmp_path):
    """A run killed after the index's commit but before the file's: the file names the
    previous commit, so the manifest comes from the columns (and the file is saved again)."""
    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", "A response about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    stale = ManifestFile(tmp_path / "ix")
    old_key = WhooshEngine(tmp_path / "ix").store.commit_key()
    saved = stale.path.read_bytes()

    write_doc(docs, "b.txt", "A response about bins.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    stale.path.write_bytes(saved)  # as if the second commit never reached the file
    engine = WhooshEngine(tmp_path / "ix")
    assert engine.store.commit_key() != old_key
    assert _file(engine) is None
    assert set(engine.manifest()) == {"docs/a.txt", "docs/b.txt"}
    assert set(_file(engine)) == {"docs/a.txt", "docs/b.txt"}  # saved for the next run
    engine.close()


def test_broken_or_missing_file_falls_back_to_the_columns(tmp_path):
    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", "A response about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    path = tmp_path / "ix" / FILE_NAME
    path.write_bytes(b"not a database")
    engine = WhooshEngine(tmp_path / "ix")
    assert set(engine.manifest()) == {"docs/a.txt"}
    assert set(_file(engine)) == {"docs/a.txt"}  # replaced by a good one
    engine.close()
    path.unlink()
    engine = WhooshEngine(tmp_path / "ix")
    assert set(engine.manifest()) == {"docs/a.txt"}
    engine.close()
    write_doc(docs, "b.txt", "A response about bins.")
    summary = build_index(docs, tmp_path / "ix", engine="whoosh")
    assert (summary.added, summary.unchanged) == (1, 1)


def test_manifest_is_read_from_the_file_when_it_matches(tmp_path):
    """The file is what answers (not the columns): a row changed in it shows."""
    import sqlite3

    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", "A response about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    engine = WhooshEngine(tmp_path / "ix")
    key = engine.store.commit_key()
    entry = engine.manifest()["docs/a.txt"]
    ManifestFile(engine.dir).apply(key, key, {"docs/a.txt": (*entry[:3], "marked")})
    db = sqlite3.connect(tmp_path / "ix" / FILE_NAME)
    assert db.execute("SELECT count(*) FROM folders").fetchone() == (1,)  # one row for the folder
    db.close()
    assert engine.manifest()["docs/a.txt"].fingerprint == "marked"
    engine.close()


def _first_layout(path, key: str, rows: list[tuple]) -> None:
    """A manifest file as foi wrote it before the rows were packed by folder."""
    import sqlite3

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        "CREATE TABLE manifest (doc_id TEXT PRIMARY KEY, path TEXT, size INTEGER, "
        "mtime INTEGER, fingerprint TEXT) WITHOUT ROWID"
    )
    db.executemany("INSERT INTO manifest VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO meta VALUES ('commit', ?)", (key,))
    db.commit()
    db.close()


def test_a_file_of_the_first_layout_is_read_and_converted(tmp_path):
    """An index built by an older foi keeps its manifest file: read as it is (not from the
    columns: a row marked in it shows), then kept in the packed layout."""
    import sqlite3

    docs = tmp_path / "docs"
    for i in range(3):
        write_doc(docs / ("sub" if i else ""), f"r{i}.txt", f"Response {i} about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    engine = WhooshEngine(tmp_path / "ix")
    key = engine.store.commit_key()
    columns = _columns(engine)
    rows = [(d, e.path, e.size, e.mtime, "marked" if d == "docs/r0.txt" else e.fingerprint) for d, e in columns.items()]
    _first_layout(engine.dir / FILE_NAME, key, rows)
    loaded = engine.manifest()
    assert loaded["docs/r0.txt"].fingerprint == "marked"
    assert {d: e for d, e in loaded.items() if d != "docs/r0.txt"} == {
        d: e for d, e in columns.items() if d != "docs/r0.txt"
    }
    db = sqlite3.connect(engine.dir / FILE_NAME)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "manifest" not in tables and db.execute("SELECT count(*) FROM folders").fetchone() == (2,)
    db.close()
    assert _file(engine) == loaded
    engine.close()


def test_a_commit_onto_a_file_of_the_first_layout_converts_it(tmp_path):
    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", "A response about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    engine = WhooshEngine(tmp_path / "ix")
    key = engine.store.commit_key()
    rows = [(d, *e) for d, e in _columns(engine).items()]
    engine.close()
    _first_layout(engine.dir / FILE_NAME, key, rows)
    write_doc(docs, "b.txt", "A response about bins.")
    (docs / "a.txt").unlink()
    summary = build_index(docs, tmp_path / "ix", engine="whoosh")
    assert (summary.added, summary.removed) == (1, 1)
    engine = WhooshEngine(tmp_path / "ix")
    assert set(_file(engine)) == {"docs/b.txt"} and _file(engine) == _columns(engine)
    engine.close()


def test_names_that_are_not_utf8_or_hold_separators_round_trip(tmp_path):
    """Doc ids and paths as text_form gives them, a name with a newline, a lone surrogate
    (as os.fsdecode gives an undecodable byte), and folders shared or not."""
    from indexer.engines.base import ManifestEntry

    entries = {
        "d/a\xff.txt": ManifestEntry("/x/d/a\xff.txt", 1, 2, "f1"),
        "d/new\nline.txt": ManifestEntry("/x/d/new\nline.txt", 0, -1, "f2"),
        "d/e/\udcff.txt": ManifestEntry("/x/d/e/\udcff.txt", 2**40, 1_700_000_000_123_456_789, "f3+s"),
        "top.txt": ManifestEntry("/x/top.txt", 3, 4, ""),
        "d/z.zip!/in/b.txt": ManifestEntry("/x/d/z.zip", 5, 6, "f5"),
    }
    (tmp_path / "ix").mkdir()
    store = ManifestFile(tmp_path / "ix")
    store.save("k1", entries)
    assert store.load("k1") == entries
    assert store.load("k2") is None
    store.apply("k1", "k2", {"d/new\nline.txt": None, "d/e/b.txt": ("/x/d/e/b.txt", 7, 8, "f7")})
    assert store.load("k1") is None
    expected = {d: e for d, e in entries.items() if d != "d/new\nline.txt"}
    expected["d/e/b.txt"] = ManifestEntry("/x/d/e/b.txt", 7, 8, "f7")
    assert store.load("k2") == expected
    store.apply("k2", "k3", {"top.txt": None})  # the last of its folder: the row goes
    del expected["top.txt"]
    assert store.load("k3") == expected


def test_optimize_keeps_the_file_in_step(tmp_path):
    docs = tmp_path / "docs"
    for i in range(4):
        write_doc(docs, f"r{i}.txt", f"Response {i} about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh", batch_size=1)
    engine = WhooshEngine(tmp_path / "ix")
    engine.optimize()
    assert _file(engine) == _columns(engine) and len(_file(engine)) == 4
    engine.close()
    assert not (tmp_path / "ix" / "foi.tmp").exists()  # Whoosh's temporary folder goes too


def test_a_first_layout_file_moved_on_by_a_writer_is_not_converted_with_older_rows(tmp_path):
    """A reader converts a file of the first layout only while it still matches the commit
    it read: one a writer moved on meanwhile keeps the writer's rows."""
    import sqlite3

    docs = tmp_path / "docs"
    write_doc(docs, "a.txt", "A response about potholes.")
    build_index(docs, tmp_path / "ix", engine="whoosh")
    engine = WhooshEngine(tmp_path / "ix")
    key = engine.store.commit_key()
    rows = [(d, *e) for d, e in _columns(engine).items()]
    engine.close()
    path = tmp_path / "ix" / FILE_NAME
    _first_layout(path, "an-older-commit", rows)
    engine = WhooshEngine(tmp_path / "ix")
    ManifestFile(engine.dir)._convert("another-commit", dict(_columns(engine)))
    engine.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE name = 'commit'").fetchone() == ("an-older-commit",)
    assert db.execute("SELECT count(*) FROM manifest").fetchone() == (1,)  # left as it was
    db.close()
    assert ManifestFile(tmp_path / "ix").load(key) is None  # not this commit's: the columns answer
