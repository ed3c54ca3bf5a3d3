"""Find the documents to index under the given paths, and give each a stable doc_id."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG

from indexer.extract.registry import suffixes
from indexer.models import SourceFile
from indexer.sidecar import SIDECAR_SUFFIX

# Editors' and OSes' temporary and lock files. Their suffixes ("~", ".tmp", ".swp", ".part",
# ".crdownload") need no test: a name is picked up by what follows its last dot.
_TEMP_PREFIXES = (".", "~$", ".~lock")


# Folders below a root that discovery reads. The walk is iterative, so this is no stack
# limit: it stops a runaway tree (a bind mount of itself, a generated maze) with a warning.
MAX_DEPTH = 1000

_NAME = attrgetter("name")
# Whether a file can be looked up by its name in an open folder (os.stat with dir_fd).
_STAT_AT = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


@dataclass
class DiscoveryProblem:
    """A path that could not be walked or read, or was skipped on purpose (reported, never fatal).

    A warning (a folder too deep) is told in the run's summary but not kept as a failure."""

    path: str
    reason: str
    detail: str
    doc_id: str | None = None  # when the path lies under an indexed folder
    warning: bool = False


@dataclass
class KnownFiles:
    """The files an index holds, for a walk that need not yield those unchanged.

    `entries` maps a doc id to what was indexed: a tuple starting (path, size, mtime). A
    plain file (no link) found at that path with that size and mtime, in a folder with no
    sidecar-like name (sidecar.SIDECAR_SUFFIX), is not yielded: its doc id is added to
    `unchanged`. Leave out of `entries` what must be looked at whatever its stat says."""

    entries: Mapping[str, tuple]
    unchanged: list[str] = field(default_factory=list)
    # same_folder(folder, doc_ids, paths, sizes, mtimes): whether the index holds exactly
    # these files (in name order) for the folder of doc ids `folder` (a doc id up to its last
    # '/'), all comparable by their stat. Then the walk counts the folder's files unchanged
    # in one step, looking none of them up in `entries`.
    same_folder: Callable[[str, list[str], list[str], list[int], list[int]], bool] | None = None
    whole_folders: set[str] = field(default_factory=set)  # the folders same_folder said so of


@dataclass(frozen=True)
class Root:
    """A folder given to index and the name its doc ids start with (its own name unless renamed)."""

    path: Path  # absolute
    name: str


def is_candidate(name: str) -> bool:
    """Whether discovery picks up a file of this name: a suffix the extractor registry
    reads (each is one dot and what follows: test_registry), not an editor's temporary file.
    Inlined in _Walk.files, which asks it of every file."""
    lower = name.lower()
    # A name whose last dot starts a suffix read ends with no temporary file's suffix.
    return lower[lower.rfind(".") :] in _suffix_set() and not lower.startswith(_TEMP_PREFIXES)


@lru_cache(maxsize=1)
def _suffix_set() -> frozenset[str]:
    return frozenset(suffixes())


def doc_id_for(path: Path, root: Path, name: str | None = None) -> str:
    """'<root folder name>/<path under root>', with '/' separators: stable across machines.

    `name` replaces the folder's own name (`foi index --name`), so that two folders of the
    same name in different places give different doc ids."""
    return join_doc_id(root.name if name is None else name, path.relative_to(root).as_posix())


def join_doc_id(prefix: str, rel: str) -> str:
    """The doc id of the file at `rel` ('/'-separated) under a folder named `prefix`."""
    return text_form(f"{prefix}/{rel}" if prefix else rel)


def text_form(path: Path | str) -> str:
    """A path as valid Unicode: bytes of a name that are not UTF-8 become \\xNN escapes.

    os.fsdecode keeps such bytes as lone surrogates, which the index (UTF-8) and JSON
    output cannot encode; the escaped form is stable from run to run."""
    if isinstance(path, str) and path.isascii():  # nearly every name: nothing to escape
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def display_path(path: Path | str) -> str:
    """A path safe to print: undecodable bytes shown as escapes, newlines as \\n."""
    try:
        text = text_form(path)  # the same \\xNN escapes as doc ids and indexed paths
    except UnicodeEncodeError:  # a lone surrogate that did not come from the file system
        text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\n", "\\n").replace("\r", "\\r")


def discover(
    paths: list[Path | Root],
    problems: list[DiscoveryProblem] | None = None,
    follow_links: bool = False,
    max_depth: int | None = None,
    sidecars: dict[str, frozenset[str]] | None = None,
    known: KnownFiles | None = None,
    stopped: Callable[[], bool] | None = None,
) -> Iterator[SourceFile]:
    """Yield every indexable file under `paths` once, walking folders without recursion.

    Symbolic links are followed only while their targets stay inside the real path of the
    root they were found under, or with `follow_links` inside any root given; others are
    reported (`outside_root`), so a link to /etc/shadow or to / is never read. Loops and
    folders linked twice are read once; unreadable folders are reported and skipped.

    `sidecars`, when given, receives the sidecar-like names (sidecar.SIDECAR_SUFFIX) of each
    folder walked (most have none), by the folder's path as its files' locations start:
    planning then need not list every folder again. With `known`, unchanged files are counted there
    instead of yielded. `stopped` is asked at each folder: the walk ends when it says so."""
    problems = problems if problems is not None else []
    max_depth = MAX_DEPTH if max_depth is None else max_depth
    roots = [as_root(p) for p in paths]
    every_root = [_real_folder(r.path) for r in roots if r.path.is_dir()]
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    for root in roots:
        given = root.path
        if given.is_dir():
            allowed = every_root if follow_links else [_real_folder(given)]
            walk = _Walk(
                root, allowed, follow_links, max_depth, seen_dirs, seen_files, problems, sidecars, known, stopped
            )
            yield from walk.files()
        elif os.path.lexists(given):
            # A file named directly belongs to its folder, as if that folder had been indexed;
            # a link named directly is followed: the user chose it.
            found = _source(given, Root(given.parent, root.name), seen_files, problems)
            if found:
                yield found
        else:
            problems.append(DiscoveryProblem(display_path(given), "unreadable", "no such file or folder"))


def as_root(path: Path | Root) -> Root:
    """A Root with an absolute path; a plain path is named after its folder (a file's: its parent's)."""
    if isinstance(path, Root):
        return Root(Path(os.path.abspath(path.path)), path.name)
    path = Path(os.path.abspath(path))
    return Root(path, path.parent.name if path.is_file() else path.name)


def _real_folder(path: Path) -> str:
    return os.path.realpath(path).rstrip(os.sep) + os.sep


def _inside(path: Path | str, allowed: list[str]) -> bool:
    real = os.path.realpath(path)
    return any((real + os.sep).startswith(folder) for folder in allowed)


@dataclass
class _Walk:
    """One root's depth-first walk, in name order, with an explicit stack of open folders."""

    root: Root
    allowed: list[str]  # real folder paths (ending in a separator) that links may lead into
    follow_links: bool
    max_depth: int
    seen_dirs: set
    seen_files: set
    problems: list
    sidecars: dict[str, frozenset[str]] | None = None
    known: KnownFiles | None = None
    stopped: Callable[[], bool] | None = None

    def files(self) -> Iterator[SourceFile]:
        first, plain = self._entries(os.fspath(self.root.path))
        if first is None:
            return
        # Doc ids from the names walked, as strings, and a plain file (no link, no folder)
        # handled inline: pathlib and a call or two per file were most of a no-change run
        # over 50,000 files.
        prefix = f"{self.root.name}/" if self.root.name else ""
        seen_files = self.seen_files
        known = self.known.entries.get if self.known is not None else None
        unchanged = self.known.unchanged if self.known is not None else []
        wanted = _suffix_set()
        # (entries left in a folder, its depth, its path under the root + "/", no sidecar-like name in it)
        same_folder = self.known.same_folder if self.known is not None else None
        if same_folder is not None and plain:
            first = self._unless_unchanged(os.fspath(self.root.path), first, prefix, same_folder)
        stack = [(iter(first), 0, "", plain)]
        while stack:
            entries, depth, under, plain = stack[-1]
            ids = prefix + under  # the doc ids of this folder's files start so
            check = plain and known is not None
            for entry in entries:  # left at a folder to walk it first, then taken up again
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    is_dir = entry.is_dir()  # follows a link
                except OSError:
                    is_dir = False
                if not is_dir:
                    lower = name.lower()  # is_candidate, inline
                    if lower[lower.rfind(".") :] not in wanted or lower.startswith(_TEMP_PREFIXES):
                        continue
                    if not entry.is_symlink():
                        try:
                            st = entry.stat()
                        except OSError as exc:  # deleted meanwhile
                            self.problems.append(_problem(Path(entry.path), self.root, exc))
                            continue
                        doc_id = ids + name
                        if not doc_id.isascii():
                            doc_id = text_form(doc_id)
                        if not S_ISREG(st.st_mode):
                            self.problems.append(_not_regular(entry.path, st, doc_id))
                            continue
                        key = (st.st_dev, st.st_ino)
                        if key in seen_files:
                            continue
                        seen_files.add(key)
                        if check:
                            old = known(doc_id)
                            if (
                                old is not None
                                and old[2] == st.st_mtime_ns
                                and old[1] == st.st_size
                                and old[0] == entry.path
                            ):
                                unchanged.append(doc_id)
                                # nothing is yielded meanwhile: a stop is seen here in a big folder
                                if not len(unchanged) % 4096 and self.stopped is not None and self.stopped():
                                    return
                                continue
                        yield SourceFile(entry.path, doc_id, st.st_size, st.st_mtime_ns)
                        continue
                if entry.is_symlink() and os.path.exists(entry.path) and not _inside(entry.path, self.allowed):
                    self.problems.append(self._outside(Path(entry.path)))
                    continue
                if is_dir:
                    if depth + 1 > self.max_depth:
                        self.problems.append(
                            DiscoveryProblem(
                                display_path(entry.path),
                                "too_deep",
                                f"more than {self.max_depth:,} folders below {display_path(self.root.path)}: not read",
                                warning=True,
                            )
                        )
                        continue
                    if self.stopped is not None and self.stopped():
                        return
                    inner, inner_plain = self._entries(entry.path)
                    if inner is not None:
                        if same_folder is not None and inner_plain:
                            inner = self._unless_unchanged(entry.path, inner, f"{ids}{name}/", same_folder)
                        stack.append((iter(inner), depth + 1, f"{under}{name}/", inner_plain))
                        break
                else:
                    found = _source(
                        entry.path,
                        self.root,
                        self.seen_files,
                        self.problems,
                        join_doc_id(self.root.name, under + name),
                        entry,
                    )
                    if found:
                        yield found
            else:
                stack.pop()

    def _unless_unchanged(self, folder: str, entries: list[os.DirEntry], ids: str, same_folder) -> list[os.DirEntry]:
        """A folder's entries less its files, when the index holds all of them as they are
        (KnownFiles.same_folder): those are then counted unchanged here, and the walk goes
        on with the folders and links left. `ids`: how the folder's doc ids start."""
        if not _STAT_AT:
            return self._compare_folder(folder, entries, ids, same_folder, None)
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return entries  # the walk reports it
        try:
            return self._compare_folder(folder, entries, ids, same_folder, fd)
        finally:
            os.close(fd)

    def _compare_folder(self, folder: str, entries, ids: str, same_folder, fd: int | None) -> list[os.DirEntry]:
        names, stats, rest = [], [], []
        wanted = _suffix_set()
        stat = os.stat
        for entry in entries:
            name = entry.name
            first = name[0]
            if first == ".":
                continue
            try:
                plain_file = entry.is_file(follow_symlinks=False)  # no link, no folder (its d_type)
            except OSError:
                return entries
            if not plain_file:
                rest.append(entry)  # folders, links and special files: the walk's own steps
                continue
            # is_candidate: a suffix read, not a temporary name ("." names are out already)
            if name[name.rfind(".") :].lower() not in wanted or (first == "~" and name.startswith("~$")):
                continue
            try:
                # by its name in the open folder: the kernel then looks up one name, not the
                # whole path (a fifth of a stat's cost on a deep corpus)
                stats.append(entry.stat() if fd is None else stat(name, dir_fd=fd, follow_symlinks=False))
            except OSError:
                return entries  # the walk reports it
            names.append(name)
        if not names or not all(map(S_ISREG, [st.st_mode for st in stats])):
            return entries
        keys = [(st.st_dev, st.st_ino) for st in stats]
        seen_files = self.seen_files
        # a file linked twice (here, or in a folder walked before) is the walk's to settle
        if len(set(keys)) != len(keys) or not seen_files.isdisjoint(keys):
            return entries
        doc_ids = [ids + name for name in names]
        if not all(map(str.isascii, doc_ids)):
            doc_ids = list(map(text_form, doc_ids))
        under = folder if folder.endswith(os.sep) else folder + os.sep  # as DirEntry.path joins
        paths = [under + name for name in names]
        sizes = [st.st_size for st in stats]
        mtimes = [st.st_mtime_ns for st in stats]
        if not same_folder(ids[:-1], doc_ids, paths, sizes, mtimes):
            return entries
        seen_files.update(keys)
        self.known.unchanged.extend(doc_ids)
        self.known.whole_folders.add(ids[:-1])
        return rest

    def _entries(self, folder: str) -> tuple[list[os.DirEntry] | None, bool]:
        """The folder's entries sorted by name (None when unreadable or already walked), and
        whether none of their names is a sidecar's."""
        try:
            st = os.stat(folder)
        except OSError as exc:
            self.problems.append(_problem(Path(folder), self.root, exc))
            return None, False
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:  # a symlink loop or a folder linked twice
            return None, False
        self.seen_dirs.add(key)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as exc:
            self.problems.append(_problem(Path(folder), self.root, exc))
            return None, False
        # One search of the names joined, not a test per name: most folders have no sidecar.
        joined = "\0".join(map(_NAME, entries)) + "\0"
        if SIDECAR_SUFFIX + "\0" in joined:
            names = frozenset(e.name for e in entries if e.name.endswith(SIDECAR_SUFFIX))
        else:
            names = frozenset()
        if self.sidecars is not None:
            self.sidecars[folder] = names
        return entries, not names

    def _outside(self, path: Path) -> DiscoveryProblem:
        target = display_path(os.path.realpath(path))
        if self.follow_links:
            detail = f"a link to {target}, outside the folders given: not followed"
        else:
            detail = (
                f"a link to {target}, outside {display_path(self.root.path)}: not followed; "
                "--follow-links follows links into the other folders given"
            )
        return DiscoveryProblem(
            display_path(path), "outside_root", detail, doc_id_for(path, self.root.path, self.root.name)
        )


def _source(
    path: Path | str, root: Root, seen_files, problems, doc_id: str | None = None, entry: os.DirEntry | None = None
) -> SourceFile | None:
    """The file at `path` (a walk passes its doc id and directory entry along), or None."""
    try:
        st = entry.stat() if entry is not None else os.stat(path)  # follows a link
    except OSError as exc:  # a dangling link, a link to itself, a file deleted meanwhile
        problems.append(_problem(Path(path), root, exc))
        return None
    if doc_id is None:
        doc_id = doc_id_for(Path(path), root.path, root.name)
    if not S_ISREG(st.st_mode):
        problems.append(_not_regular(path, st, doc_id))
        return None
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        return None
    seen_files.add(key)
    return SourceFile(location=os.fspath(path), doc_id=doc_id, size=st.st_size, mtime=st.st_mtime_ns)


def _not_regular(path: Path | str, st: os.stat_result, doc_id: str) -> DiscoveryProblem:
    # Reading a FIFO blocks for ever and a device never ends: report, never open.
    what = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
    return DiscoveryProblem(display_path(path), "unreadable", f"not a regular file ({what})", doc_id)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def _problem(path: Path, root: Root, exc: OSError) -> DiscoveryProblem:
    return DiscoveryProblem(
        display_path(path), "unreadable", exc.strerror or str(exc), doc_id_for(path, root.path, root.name)
    )
