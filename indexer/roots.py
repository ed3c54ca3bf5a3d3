"""The folders of a run and the names their doc ids start with; two folders with one name are refused.

A doc id is `<folder name>/<path under it>`, so `x/corpus/reply.txt` and `y/corpus/reply.txt`
would both be `corpus/reply.txt` and the second would silently replace the first. Instead
the run stops before touching the index and says how to tell the folders apart: a name of
their own (`foi index y/corpus --name y-corpus`), recorded with the index so that later
runs, the TUI's re-index included, keep using it.
"""

from __future__ import annotations

import os
from pathlib import Path

from indexer.discover import Root, as_root, display_path
from indexer.state import IndexState


class DocIdClash(ValueError):
    """Two folders would give the same doc ids, or a --name is unusable: a usage error (exit 2)."""


def check_name(name: str) -> str:
    """A name usable as the first part of a doc id; DocIdClash says why one is not."""
    bad = (
        not name
        or name in (".", "..")
        or any(c in name for c in "/\\!")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
        or name != name.strip()
    )
    if bad:
        raise DocIdClash(
            f"--name {name!r} cannot start a doc id: use letters, digits, '-', '_' or '.', without '/' or '!'"
        )
    return name


def named_roots(paths: list[Path], state: IndexState, name: str | None = None, rebuild: bool = False) -> list[Root]:
    """The run's roots with their doc-id names: `name` for the one path given with it, else the
    name recorded for that folder, else its own. Raises DocIdClash when two different folders
    (given now, or indexed before and still there) would share a name."""
    if name is not None:
        check_name(name)
        if len(paths) != 1:
            raise DocIdClash(f"--name names one folder, but {len(paths)} paths were given: index them one at a time")
    roots = []
    for path in paths:
        root = as_root(path)
        folder = _folder(root)
        roots.append(Root(root.path, name if name is not None else state.names.get(str(folder), root.name)))
    # A rebuild empties the index: only the folders given now can collide.
    recorded = (
        [] if rebuild else [Root(Path(r), state.names.get(r, Path(r).name)) for r in state.roots if os.path.isdir(r)]
    )
    owners: dict[str, tuple[str, Path]] = {}  # name -> (real folder, folder as given)
    for root in recorded + roots:  # a clash names the folder given now second, as the one to rename
        folder = _folder(root)
        real = os.path.realpath(folder)
        owner = owners.setdefault(root.name, (real, folder))
        if owner[0] != real:
            raise DocIdClash(_clash_message(root.name, owner[1], folder))
    return roots


def record_names(state: IndexState, roots: list[Root]) -> None:
    """Keep each folder's name in the state when it is not the folder's own."""
    for root in roots:
        folder = _folder(root)
        if root.name != folder.name:
            state.names[str(folder)] = root.name
        else:
            state.names.pop(str(folder), None)


def _folder(root: Root) -> Path:
    """The folder whose name starts the doc ids: the root, or the folder of a file given directly."""
    return root.path if root.path.is_dir() or not root.path.exists() else root.path.parent


def _clash_message(name: str, first: Path, second: Path) -> str:
    return (
        f"{display_path(first)} and {display_path(second)} would both give doc ids starting "
        f"{name + '/'!r}, so one would replace the other's documents; give one a name of its own, "
        f"e.g. `foi index {display_path(second)} --name {_suggest(name, second)}` "
        "(the name is recorded with the index and later runs keep it)"
    )


def _suggest(name: str, folder: Path) -> str:
    parent = folder.parent.name
    return f"{parent}-{name}" if parent else f"{name}-2"
