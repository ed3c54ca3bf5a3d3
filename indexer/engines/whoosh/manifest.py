"""The manifest of a Whoosh index kept in a small SQLite file beside it, for fast incremental runs.

Reading the manifest from the index's columns costs Python work per document in every
segment (seconds at 50k documents), paid by every `foi index` run, even one that adds a
single file. This file holds the same rows packed by folder, loads in one query and a few
splits, and is updated with each commit by the folders that commit changed, never
rewritten whole.

The index stays the truth: the file records which commit it matches (the latest TOC's
generation and a hash of its bytes). A run killed between the index's commit and this
file's, an index swapped in by a rebuild, or a missing or broken file all show as a
mismatch, and the manifest is read from the columns again and saved.
"""

from __future__ import annotations

import hashlib
import sqlite3
from array import array
from functools import partial
from operator import itemgetter
from collections.abc import Iterator, Mapping
from pathlib import Path

from indexer.engines.base import ManifestEntry, id_folder

FILE_NAME = "foi-manifest.sqlite"  # not "foi_...": Whoosh's clean-up removes what looks like a segment
# Rows as (doc_id, path, size, mtime, fingerprint); None for a deleted document.
Changes = dict[str, "tuple[str, int, int, str] | None"]
_FIRST, _REST = itemgetter(0), itemgetter(slice(1, None))
LAYOUT = "folders-1"  # meta 'layout': the rows packed by folder (see ManifestFile)


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
    a cache miss, never an error: the columns can always answer.

    The rows are packed by folder: one row per folder of doc ids (the doc id up to its last
    '/'), holding its documents' fields as NUL-separated text and arrays of 64-bit integers.
    Loading 50,000 documents is then some 800 rows and a few splits, not 50,000 rows of
    Python objects (a tenth of a second, paid by every run); a commit rewrites only the
    folders whose documents it changed. A file of the first layout (a row per document,
    no 'layout' in meta) is converted when first read or updated."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def load(self, key: str | None) -> Mapping[str, ManifestEntry] | None:
        """The manifest when the file matches commit `key`, else None."""
        if key is None or not self.path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
                if meta.get("commit") != key:
                    return None
                if meta.get("layout") != LAYOUT:
                    entries = _rows_of_first_layout(db)
                else:
                    rows = db.execute("SELECT folder, ids, paths, sizes, mtimes, fingerprints FROM folders")
                    return PackedManifest({_split(row[0])[0]: row[1:] for row in rows})
            finally:
                db.close()
        except sqlite3.Error:
            return None
        self._convert(key, entries)  # in the packed layout from now on
        return entries

    def save(self, key: str | None, entries: dict[str, ManifestEntry], retry: bool = True) -> None:
        """Write the whole manifest as matching commit `key` (after it was read from the
        columns). A file that is not a database is replaced."""
        if key is None:
            return
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                self._write_all(db, key, entries)
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error:
            self.discard()
            if retry:
                self.save(key, entries, retry=False)

    def _convert(self, key: str, entries: dict[str, ManifestEntry]) -> None:
        """A file of the first layout written again in the packed one, if it still matches
        commit `key` (a writer may have moved it on meanwhile: then its rows are newer than
        `entries`). On any failure the file stays as it was, still readable."""
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
                if meta.get("commit") == key and meta.get("layout") != LAYOUT:
                    self._write_all(db, key, entries)
                db.execute("COMMIT")
            finally:
                db.close()  # without a commit, what was written is rolled back
        except sqlite3.Error:
            pass

    def _write_all(self, db: sqlite3.Connection, key: str, entries: dict[str, ManifestEntry]) -> None:
        """Every row, in a transaction the caller began and commits."""
        db.execute("DROP TABLE IF EXISTS manifest")  # the first layout's
        self._schema(db)
        db.execute("DELETE FROM folders")
        by_folder: dict[str, dict[str, tuple]] = {}
        for doc_id, entry in entries.items():
            by_folder.setdefault(id_folder(doc_id), {})[doc_id] = entry
        db.executemany("INSERT INTO folders VALUES (?, ?, ?, ?, ?, ?)", map(_pack, by_folder.items()))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (key,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (LAYOUT,))

    def apply(self, before: str | None, after: str | None, changes: Changes) -> None:
        """The rows one commit changed, moving the file from commit `before` to `after`. A
        file that did not match `before` is left as it is (it will not match `after` either)."""
        if before is None or after is None:
            return
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
                if meta.get("commit") != before:
                    db.execute("ROLLBACK")
                    return
                if meta.get("layout") != LAYOUT:
                    entries = _rows_of_first_layout(db)
                    for doc_id, entry in changes.items():
                        if entry is None:
                            entries.pop(doc_id, None)
                        else:
                            entries[doc_id] = ManifestEntry(*entry)
                    db.execute("ROLLBACK")
                    self.save(after, entries)
                    return
                by_folder: dict[str, list[str]] = {}
                for doc_id in changes:
                    by_folder.setdefault(id_folder(doc_id), []).append(doc_id)
                for folder, doc_ids in by_folder.items():
                    row = db.execute(
                        "SELECT ids, paths, sizes, mtimes, fingerprints FROM folders WHERE folder = ?",
                        (_encode([folder]),),
                    ).fetchone()
                    held = _unpack([row]) if row is not None else {}
                    for doc_id in doc_ids:
                        entry = changes[doc_id]
                        if entry is None:
                            held.pop(doc_id, None)
                        else:
                            held[doc_id] = entry
                    if held:
                        db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?, ?, ?, ?, ?)", _pack((folder, held)))
                    else:
                        db.execute("DELETE FROM folders WHERE folder = ?", (_encode([folder]),))
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
            "CREATE TABLE IF NOT EXISTS folders (folder BLOB PRIMARY KEY, ids BLOB, paths BLOB, "
            "sizes BLOB, mtimes BLOB, fingerprints BLOB)"
        )

    def discard(self) -> None:
        for name in (self.path, self.path.with_name(self.path.name + "-journal")):
            try:
                name.unlink()
            except OSError:
                pass


class PackedManifest(Mapping):
    """The manifest as the file holds it, a folder's row unpacked when one of its documents
    is first asked for: a run that finds most folders unchanged (same_folder) never makes
    the 50,000 entries of a big index. Iterating it unpacks every row."""

    def __init__(self, rows: dict[str, tuple]):
        self.rows = rows  # folder -> (ids, paths, sizes, mtimes, fingerprints), packed
        self._opened: dict[str, dict[str, ManifestEntry]] = {}
        self._whole: dict[str, ManifestEntry] | None = None

    def folder(self, folder: str) -> dict[str, ManifestEntry]:
        """The entries of one folder of doc ids (see id_folder)."""
        found = self._opened.get(folder)
        if found is None:
            row = self.rows.get(folder)
            found = self._opened[folder] = _unpack([row]) if row is not None else {}
        return found

    def folders(self) -> Iterator[str]:
        return iter(self.rows)

    def same_folder(
        self, folder: str, ids: list[str], paths: list[str], sizes: list[int], mtimes: list[int], mark: str
    ) -> bool:
        """Whether the folder's row holds exactly these documents (doc ids, paths, sizes and
        mtimes, in name order) and none of its fingerprints holds `mark`: compared packed,
        without unpacking the row."""
        row = self.rows.get(folder)
        return (
            row is not None
            and row[2] == array("q", sizes).tobytes()
            and row[3] == array("q", mtimes).tobytes()
            and row[0] == _encode(ids)
            and row[1] == _encode(paths)
            and mark.encode() not in row[4]
        )

    def __getitem__(self, doc_id: str) -> ManifestEntry:
        return self.folder(id_folder(doc_id))[doc_id]

    def get(self, doc_id: str, default=None):
        return self.folder(id_folder(doc_id)).get(doc_id, default)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and doc_id in self.folder(id_folder(doc_id))

    def _all(self) -> dict[str, ManifestEntry]:
        if self._whole is None:
            self._whole = _unpack(self.rows.values())
        return self._whole

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def items(self):
        return self._all().items()

    def values(self):
        return self._all().values()


# Doc ids, paths and fingerprints hold no NUL (no file name can), so it separates them; a
# name that is not valid UTF-8 is kept as the surrogates it was given as.
_SEP = b"\0"


def _encode(texts) -> bytes:
    return "\0".join(texts).encode("utf-8", "surrogatepass")


def _split(blob: bytes) -> list[str]:
    return blob.decode("utf-8", "surrogatepass").split("\0")


def _pack(item: tuple[str, dict[str, tuple]]) -> tuple:
    """One folder's row: (folder, ids, paths, sizes, mtimes, fingerprints)."""
    folder, held = item
    held = dict(sorted(held.items()))  # in name order, as a walk meets them (PackedManifest.same_folder)
    rows = list(held.values())
    return (
        _encode([folder]),
        _encode(held),
        _encode([row[0] for row in rows]),
        array("q", [row[1] for row in rows]).tobytes(),
        array("q", [row[2] for row in rows]).tobytes(),
        _encode([row[3] for row in rows]),
    )


def _unpack(rows) -> dict[str, ManifestEntry]:
    """The entries of packed rows (ids, paths, sizes, mtimes, fingerprints)."""
    ids: list[bytes] = []
    paths: list[bytes] = []
    sizes, mtimes = array("q"), array("q")
    fingerprints: list[bytes] = []
    for row in rows:
        ids.append(row[0])
        paths.append(row[1])
        sizes.frombytes(row[2])
        mtimes.frombytes(row[3])
        fingerprints.append(row[4])
    if not ids:
        return {}
    # Joined and split once: a call per row is most of the cost for small folders.
    entry = partial(tuple.__new__, ManifestEntry)
    return dict(
        zip(
            _split(_SEP.join(ids)),
            map(entry, zip(_split(_SEP.join(paths)), sizes, mtimes, _split(_SEP.join(fingerprints)))),
        )
    )


def _rows_of_first_layout(db: sqlite3.Connection) -> dict[str, ManifestEntry]:
    """The entries of a file written by foi before the packed layout (a row per document)."""
    rows = db.execute("SELECT doc_id, path, size, mtime, fingerprint FROM manifest").fetchall()
    entry = partial(tuple.__new__, ManifestEntry)
    return dict(zip(map(_FIRST, rows), map(entry, map(_REST, rows))))
