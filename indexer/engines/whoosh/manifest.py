"""The manifest of a Whoosh index kept in a small SQLite file beside it, for fast incremental runs.

Reading the manifest from the index's columns costs Python work per document in every
segment (seconds at 50k documents), paid by every `foi index` run, even one that adds a
single file. This file holds the same rows, loads in one query, and is updated with each
commit by the rows that commit changed, never rewritten whole.

The index stays the truth: the file records which commit it matches (the latest TOC's
generation and a hash of its bytes). A run killed between the index's commit and this
file's, an index swapped in by a rebuild, or a missing or broken file all show as a
mismatch, and the manifest is read from the columns again and saved.
"""

from __future__ import annotations

import hashlib
import sqlite3
from functools import partial
from operator import itemgetter
from pathlib import Path

from indexer.engines.base import ManifestEntry

FILE_NAME = "foi-manifest.sqlite"  # not "foi_...": Whoosh's clean-up removes what looks like a segment
# Rows as (doc_id, path, size, mtime, fingerprint); None for a deleted document.
Changes = dict[str, "tuple[str, int, int, str] | None"]
_FIRST, _REST = itemgetter(0), itemgetter(slice(1, None))


def commit_key(index_dir: Path, index_name: str) -> str | None:
    """Which commit the folder's index is at: the latest TOC's generation and a hash of it
    (a rebuild swapped in may reuse a generation number; it never reuses its segments)."""
    latest, name = -1, None
    prefix, suffix = f"_{index_name}_", ".toc"
    try:
        names = [entry.name for entry in Path(index_dir).iterdir()]
    except OSError:
        return None
    for entry in names:
        if entry.startswith(prefix) and entry.endswith(suffix):
            number = entry[len(prefix) : -len(suffix)]
            if number.isdigit() and int(number) > latest:
                latest, name = int(number), entry
    if name is None:
        return None
    try:
        data = (Path(index_dir) / name).read_bytes()
    except OSError:
        return None
    return f"{latest}:{hashlib.blake2b(data, digest_size=16).hexdigest()}"


class ManifestFile:
    """The SQLite manifest file of one index folder. Every failure to read or write it is
    a cache miss, never an error: the columns can always answer."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def load(self, key: str | None) -> dict[str, ManifestEntry] | None:
        """The manifest when the file matches commit `key`, else None."""
        if key is None or not self.path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM meta WHERE name = 'commit'").fetchone()
                if row is None or row[0] != key:
                    return None
                rows = db.execute("SELECT doc_id, path, size, mtime, fingerprint FROM manifest").fetchall()
            finally:
                db.close()
        except sqlite3.Error:
            return None
        # Built by iterators of C functions, not a Python step per row (a third of the load).
        entry = partial(tuple.__new__, ManifestEntry)
        return dict(zip(map(_FIRST, rows), map(entry, map(_REST, rows))))

    def save(self, key: str | None, entries: dict[str, ManifestEntry], retry: bool = True) -> None:
        """Write the whole manifest as matching commit `key` (after it was read from the
        columns). A file that is not a database is replaced."""
        if key is None:
            return
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                self._schema(db)
                db.execute("DELETE FROM manifest")
                db.executemany(
                    "INSERT INTO manifest VALUES (?, ?, ?, ?, ?)",
                    ((d, e.path, e.size, e.mtime, e.fingerprint) for d, e in entries.items()),
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (key,))
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error:
            self.discard()
            if retry:
                self.save(key, entries, retry=False)

    def apply(self, before: str | None, after: str | None, changes: Changes) -> None:
        """The rows one commit changed, moving the file from commit `before` to `after`. A
        file that did not match `before` is left as it is (it will not match `after` either)."""
        if before is None or after is None:
            return
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                row = db.execute("SELECT value FROM meta WHERE name = 'commit'").fetchone()
                if row is None or row[0] != before:
                    db.execute("ROLLBACK")
                    return
                gone = [(doc_id,) for doc_id, entry in changes.items() if entry is None]
                db.executemany("DELETE FROM manifest WHERE doc_id = ?", gone)
                db.executemany(
                    "INSERT OR REPLACE INTO manifest VALUES (?, ?, ?, ?, ?)",
                    ((doc_id, *entry) for doc_id, entry in changes.items() if entry is not None),
                )
                db.execute("UPDATE meta SET value = ? WHERE name = 'commit'", (after,))
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error:
            self.discard()

    @staticmethod
    def _schema(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS manifest (doc_id TEXT PRIMARY KEY, path TEXT, size INTEGER, "
            "mtime INTEGER, fingerprint TEXT) WITHOUT ROWID"
        )

    def discard(self) -> None:
        for name in (self.path, self.path.with_name(self.path.name + "-journal")):
            try:
                name.unlink()
            except OSError:
                pass
