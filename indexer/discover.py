"""Find the documents to index under the given paths, and give each a stable doc_id."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.extract.registry import suffixes
from indexer.models import SourceFile

SIDECAR_SUFFIX = ".meta.json"
# Editors' and OSes' temporary and lock files.
_TEMP_PREFIXES = (".", "~$", ".~lock")
_TEMP_SUFFIXES = ("~", ".tmp", ".swp", ".part", ".crdownload")


@dataclass
class DiscoveryProblem:
    """A path that could not be walked or read (reported, never fatal)."""

    path: str
    reason: str
    detail: str
    doc_id: str | None = None  # when the path lies under an indexed folder


def is_candidate(name: str) -> bool:
    lower = name.lower()
    if lower.startswith(_TEMP_PREFIXES) or lower.endswith(_TEMP_SUFFIXES):
        return False
    return lower.endswith(suffixes())  # every format the extractor registry reads


def doc_id_for(path: Path, root: Path) -> str:
    """'<root folder name>/<path under root>', with '/' separators: stable across machines."""
    rel = path.relative_to(root).as_posix()
    return text_form(f"{root.name}/{rel}" if root.name else rel)


def text_form(path: Path | str) -> str:
    """A path as valid Unicode: bytes of a name that are not UTF-8 become \\xNN escapes.

    os.fsdecode keeps such bytes as lone surrogates, which the index (UTF-8) and JSON
    output cannot encode; the escaped form is stable from run to run."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def display_path(path: Path | str) -> str:
    """A path safe to print: undecodable bytes shown as escapes, newlines as \\n."""
    try:
        text = text_form(path)  # the same \\xNN escapes as doc ids and indexed paths
    except UnicodeEncodeError:  # a lone surrogate that did not come from the file system
        text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\n", "\\n").replace("\r", "\\r")


def discover(paths: list[Path], problems: list[DiscoveryProblem] | None = None) -> Iterator[SourceFile]:
    """Yield every indexable file under `paths` once; symlink loops and unreadable folders are skipped."""
    problems = problems if problems is not None else []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    for given in paths:
        given = Path(os.path.abspath(given))
        if given.is_dir():
            yield from _walk(given, given, seen_dirs, seen_files, problems)
        elif os.path.lexists(given):
            # A file named directly belongs to its folder, as if that folder had been indexed.
            found = _source(given, given.parent, seen_files, problems)
            if found:
                yield found
        else:
            problems.append(DiscoveryProblem(display_path(given), "unreadable", "no such file or folder"))


def _walk(root: Path, folder: Path, seen_dirs, seen_files, problems) -> Iterator[SourceFile]:
    try:
        st = folder.stat()
    except OSError as exc:
        problems.append(_problem(folder, root, exc))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:  # a symlink loop or a folder linked twice
        return
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problems.append(_problem(folder, root, exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(root, path, seen_dirs, seen_files, problems)
        elif is_candidate(entry.name):
            found = _source(path, root, seen_files, problems)
            if found:
                yield found


def _source(path: Path, root: Path, seen_files, problems) -> SourceFile | None:
    try:
        st = path.stat()
    except OSError as exc:  # a dangling link, a link to itself, a file deleted meanwhile
        problems.append(_problem(path, root, exc))
        return None
    if not stat.S_ISREG(st.st_mode):
        # Reading a FIFO blocks for ever and a device never ends: report, never open.
        what = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
        problems.append(DiscoveryProblem(display_path(path), "unreadable", f"not a regular file ({what})",
                                         doc_id_for(path, root)))
        return None
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        return None
    seen_files.add(key)
    return SourceFile(path=path, doc_id=doc_id_for(path, root), size=st.st_size, mtime=st.st_mtime_ns)


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _problem(path: Path, root: Path, exc: OSError) -> DiscoveryProblem:
    return DiscoveryProblem(display_path(path), "unreadable", exc.strerror or str(exc), doc_id_for(path, root))
