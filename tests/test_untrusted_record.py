"""What decides deletions lives in the index's own commits; a missing or unreadable record file
(foi-index.json) never makes a run start the index over: it says what it could not trust and
exits 1, with nothing deleted."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.conftest import invoke_foi, run_foi, write_doc

pytestmark = pytest.mark.usefixtures("engine")
RECORD = "foi-index.json"


def two_roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    a, b = tmp_path / "alpha", tmp_path / "beta"
    write_doc(a, "one.txt", "A response about parking permits in the town centre.")
    write_doc(b, "two.txt", "A response about bus lanes and penalty charges.")
    index = tmp_path / "index"
    r = invoke_foi("index", a, b, "--index", index, "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 2
    return a, b, index


def committed_doc_ids(index: Path) -> list[str]:
    """Straight from the engine's files, whatever the record says."""
    from indexer.engines import engine_for

    engine = engine_for(index)
    try:
        return sorted(engine.manifest())
    finally:
        engine.close()


DAMAGE = {
    "missing": None,
    "garbage": b"\x00{not json",
    "empty": b"",
    "no-version": b'{"engine": "ENGINE"}',
    "other-version": b'{"engine": "ENGINE", "schema_version": 999}',
}
PROBLEM = {
    "missing": "its record foi-index.json is missing, so the version of foi that made it is unknown",
    "garbage": "its record foi-index.json cannot be read (not JSON), so the version of foi that made it is unknown",
    "empty": "its record foi-index.json cannot be read (not JSON), so the version of foi that made it is unknown",
    "no-version": "its record foi-index.json is damaged, so the version of foi that made it is unknown",
    "other-version": "it was built by another version of foi (ENGINE schema 999; this one uses VERSION)",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_an_untrusted_record_deletes_nothing_and_names_the_rebuild(tmp_path, engine, damage):
    from indexer.engines import engine_class

    a, b, index = two_roots(tmp_path)
    record = index / RECORD
    if DAMAGE[damage] is None:
        record.unlink()
    else:
        record.write_bytes(DAMAGE[damage].replace(b"ENGINE", engine.encode()))
    before = committed_doc_ids(index)
    assert before == ["alpha/one.txt", "beta/two.txt"]

    r = run_foi("index", str(a), "--index", str(index), "--json", "--jobs", "1")
    problem = PROBLEM[damage].replace("ENGINE", engine).replace("VERSION", str(engine_class(engine).schema_version))
    rebuild = f"`foi index --rebuild {shlex.quote(str(a))} {shlex.quote(str(b))}`"
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == f"foi: index at {index}: {problem}; nothing was changed: rebuild it with {rebuild}\n"
    assert committed_doc_ids(index) == before  # beta's document is still there

    r = invoke_foi("status", "--index", index)  # readers say the same, without "nothing was changed"
    assert r.returncode == 1
    assert r.stderr == f"foi: index at {index}: {problem}; rebuild it with {rebuild}\n"
    if damage != "missing":
        return
    r = invoke_foi("search", "parking", "--index", index)
    assert (r.returncode, r.stderr) == (1, f"foi: index at {index}: {problem}; rebuild it with {rebuild}\n")

    r = invoke_foi("index", a, b, "--index", index, "--rebuild", "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 2
    r = invoke_foi("search", "parking OR penalty", "--count", "--index", index)
    assert r.stdout.strip() == "2"


def test_the_folders_an_index_holds_are_read_from_its_documents(tmp_path, engine):
    """The roots a re-index reads again come from the committed documents, not only the run log."""
    from indexer.search import SearchService
    from indexer.state import STATE_NAME

    a, b, index = two_roots(tmp_path)
    (index / STATE_NAME).unlink()
    service = SearchService(index)
    try:
        assert service.indexed_folders() == [str(a), str(b)]
        write_doc(b, "three.txt", "A response about gritting routes.")
        summary = service.reindex()
    finally:
        service.close()
    assert (summary.added, summary.unchanged, summary.removed) == (1, 2, 0)
