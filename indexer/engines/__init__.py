"""The search engines behind one seam: the registry, and which engine an index folder holds.

Only the packages under indexer/engines/ import an engine library; everything else asks
for an Engine by name (`get_engine`) or by folder (`engine_for`) and talks to its interface
(engines/base.py), getting engine-free types (indexer/results.py) back.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from indexer.engines.base import Engine, EngineHit, EngineResults, EngineWriter, ManifestEntry
from indexer.results import EngineMismatch, IndexDamaged, IndexNotFound

DEFAULT_ENGINE = "whoosh"
META_NAME = "foi-index.json"
# name -> module holding the engine class `ENGINE`; imported only when asked for
ENGINES = {"whoosh": "indexer.engines.whoosh", "tantivy": "indexer.engines.tantivy"}
# An engine that keeps all its files in one subfolder of the index folder (and, during a
# swap, that name + ".old"): a folder without either holds nothing of it, so cleaning or
# removing its files needs no import of its package and library.
ENGINE_FOLDERS = {"tantivy": "tantivy"}


def engine_names() -> list[str]:
    return list(ENGINES)


def engine_class(name: str) -> type[Engine]:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    return importlib.import_module(ENGINES[name]).ENGINE


def may_hold_files(index_dir: Path | str, name: str) -> bool:
    """Whether the folder may hold files of engine `name` (False only when it surely does not)."""
    folder = ENGINE_FOLDERS.get(name)
    if folder is None:
        return True
    return any(os.path.lexists(os.path.join(index_dir, n)) for n in (folder, folder + ".old"))


def get_engine(name: str, index_dir: Path | str) -> Engine:
    return engine_class(name)(Path(index_dir))


def default_engine_name() -> str:
    name = os.environ.get("FOI_ENGINE") or DEFAULT_ENGINE
    return name.strip().lower()


def read_meta(index_dir: Path | str) -> dict:
    try:
        meta = json.loads((Path(index_dir) / META_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def record_problem(index_dir: Path | str, engine: str, schema_version: int) -> str | None:
    """Why the record of an existing index (META_NAME: its engine and schema version) cannot be
    trusted, or None. Without it a run cannot tell an index it may update from one it would
    have to start over, so it must not guess."""
    path = Path(index_dir) / META_NAME
    try:
        meta = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return f"its record {META_NAME} is missing, so the version of foi that made it is unknown"
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not JSON"
        return f"its record {META_NAME} cannot be read ({reason}), so the version of foi that made it is unknown"
    if not isinstance(meta, dict) or not isinstance(meta.get("schema_version"), int):
        return f"its record {META_NAME} is damaged, so the version of foi that made it is unknown"
    if meta.get("engine", engine) != engine:
        return f"its record {META_NAME} names the {meta.get('engine')!r} engine, but the folder holds {engine} files"
    if meta["schema_version"] != schema_version:
        return (
            f"it was built by another version of foi ({engine} schema {meta['schema_version']}; "
            f"this one uses {schema_version})"
        )
    return None


def write_meta(index_dir: Path | str, engine: str, schema_version: int) -> None:
    """Atomically and durably: a killed process leaves the old file or the new one."""
    from indexer.storage import fsync_dir

    path = Path(index_dir) / META_NAME
    tmp = path.with_name(f".{META_NAME}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(json.dumps({"engine": engine, "schema_version": schema_version}))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def recorded_engine(index_dir: Path | str) -> str | None:
    """The engine an index folder holds: as recorded, else found by its files, else None."""
    name = read_meta(index_dir).get("engine")
    if name in ENGINES:
        return name
    for candidate in ENGINES:  # an index made before engines were recorded
        try:
            if engine_class(candidate).files_present(Path(index_dir)):
                return candidate
        except ImportError:
            continue
    return None


def remove_other_engines(index_dir: Path | str, keep: str) -> None:
    """Before creating an index: the files of any other engine in the folder go (a rebuild
    with another engine), never anything that is not an engine's."""
    for name in ENGINES:
        if name != keep and may_hold_files(index_dir, name):
            try:
                engine_class(name).remove_files(Path(index_dir))
            except ImportError:
                continue


def engine_for(index_dir: Path | str) -> Engine:
    """The engine of an existing index. Raises IndexNotFound when there is none."""
    index_dir = Path(index_dir)
    name = recorded_engine(index_dir)
    if name is None:
        raise IndexNotFound(f"no index in {index_dir}; run `foi index` first")
    return get_engine(name, index_dir)


def engine_for_writing(index_dir: Path | str, requested: str | None, rebuild: bool) -> Engine:
    """The engine an indexing run writes with: the index's own (a rebuild too, unless it asks
    for another); asking for the other one without --rebuild is a usage error."""
    index_dir = Path(index_dir)
    existing = recorded_engine(index_dir)
    if rebuild or existing is None:
        return get_engine(requested or existing or default_engine_name(), index_dir)
    if requested and requested != existing:
        raise EngineMismatch(
            f"the index in {index_dir} uses the {existing} engine; add --rebuild to rebuild it with {requested}"
        )
    return get_engine(existing, index_dir)


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Engine",
    "EngineHit",
    "EngineMismatch",
    "EngineResults",
    "EngineWriter",
    "IndexDamaged",
    "IndexNotFound",
    "ManifestEntry",
    "default_engine_name",
    "engine_class",
    "engine_for",
    "engine_for_writing",
    "engine_names",
    "get_engine",
    "read_meta",
    "record_problem",
    "recorded_engine",
    "write_meta",
]
