"""Rebuilds beside the live index, and the leftovers of failed runs.

`foi index --rebuild` writes a whole new index into STAGING (a folder inside the index
folder, so on the same file system and renames stay atomic) while readers keep using the
live one; only a rebuild that finished is swapped in, by the engine's own atomic step
(Engine.adopt). A rebuild that fails or is interrupted leaves the live index as it was, and
whatever it wrote is removed then or, after a kill, by the next run (clean_leftovers).
"""

from __future__ import annotations

from pathlib import Path

from indexer.engines import (
    ENGINES,
    META_NAME,
    engine_class,
    may_hold_files,
    read_meta,
    remove_other_engines,
    write_meta,
)
from indexer.engines.base import Engine
from indexer.storage import remove

STAGING = "foi-rebuild"
# How foi's own files in the index folder start while they are written (state.save,
# write_meta, boilerplate's paragraph counts): a killed run leaves them behind.
TEMPORARY = (".state-", f".{META_NAME}.", ".paragraphs.bin.", ".common-paragraphs.bin.")


def begin_rebuild(target: Engine) -> Engine:
    """A new, empty index of target's engine in the staging folder of target's folder."""
    staging = Path(target.dir) / STAGING
    remove(staging)
    staging.mkdir(parents=True)
    staged = type(target)(staging)
    staged.create()
    return staged


def finish_rebuild(staged: Engine) -> Engine:
    """Swap the finished rebuild in; the live index of the folder, closed."""
    staged.close()
    index_dir = staged.dir.parent
    live = type(staged)(index_dir)
    live.close()
    live.adopt(staged)
    # The record follows the swap: until it changes, readers of a folder that held another
    # engine still open that engine's files, which go only after it.
    write_meta(index_dir, live.name, live.schema_version)
    remove_other_engines(index_dir, live.name)
    remove(staged.dir)
    return live


def abandon_rebuild(staged: Engine) -> None:
    """A rebuild that will not be swapped in: its files go, the live index is untouched."""
    try:
        staged.close()
    finally:
        remove(staged.dir)


def clean_leftovers(index_dir: Path) -> int:
    """Before a run writes (under the writer lock, so no other writer is at work): remove an
    unfinished rebuild, foi's own half-written temporary files and each engine's leftovers.
    The bytes freed: after a full disk, this is what lets the next run succeed."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return 0
    freed = remove(index_dir / STAGING)
    for entry in index_dir.iterdir():
        if entry.is_file() and entry.name.startswith(TEMPORARY) and entry.name.endswith(".tmp"):
            freed += remove(entry)
    cache = index_dir / "ocr-cache"
    if cache.is_dir():
        freed += sum(remove(tmp) for tmp in cache.glob("*/.tmp-*"))
    for name in ENGINES:
        if not may_hold_files(index_dir, name):
            continue
        try:
            freed += engine_class(name).clean_leftovers(index_dir)
        except ImportError:
            continue
    _drop_unrecorded_engines(index_dir)
    return freed


def _drop_unrecorded_engines(index_dir: Path) -> None:
    """A rebuild into another engine killed between its swap and removing the old engine's
    files leaves two indexes; the one the record names is the index (readers open only it),
    the other is unreachable."""
    recorded = read_meta(index_dir).get("engine")
    try:
        if recorded not in ENGINES or not engine_class(recorded).files_present(index_dir):
            return
    except ImportError:
        return
    remove_other_engines(index_dir, recorded)
