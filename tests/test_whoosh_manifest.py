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
    db = sqlite3.connect(tmp_path / "ix" / FILE_NAME)
    db.execute("UPDATE manifest SET fingerprint = 'marked'")
    db.commit()
    db.close()
    engine = WhooshEngine(tmp_path / "ix")
    assert engine.manifest()["docs/a.txt"].fingerprint == "marked"
    engine.close()


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
