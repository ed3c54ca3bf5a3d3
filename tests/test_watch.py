"""`foi index --watch`: files that appear, change or vanish are indexed within moments."""

from __future__ import annotations

import threading
import time

from indexer.pipeline import RunOptions
from indexer.search import SearchService
from indexer.watch import watch_and_index
from tests.conftest import write_doc


def _wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def _ids(index_dir, text):
    """doc_ids found for `text`, or None before the first commit has made an index."""
    service = SearchService(index_dir)
    try:
        if not service.available():
            return None
        return [h.doc_id for h in service.search(text).hits]
    finally:
        service.close()


def test_watch_indexes_new_changed_and_deleted_files(docs, index_dir):
    write_doc(docs, "first.txt", "A response about allotments.")
    stop = threading.Event()
    events, runs = [], []
    thread = threading.Thread(
        target=watch_and_index,
        args=([docs], index_dir, RunOptions(jobs=1)),
        kwargs={"debounce": 0.3, "stop": stop, "on_event": lambda *e: events.append(e[:2]), "on_run": runs.append},
    )
    thread.start()
    try:
        assert _wait_for(lambda: _ids(index_dir, "allotments") == ["docs/first.txt"])
        write_doc(docs, "second.txt", "A response about cemeteries.")
        assert _wait_for(lambda: _ids(index_dir, "cemeteries") == ["docs/second.txt"])
        (docs / "first.txt").write_text("Now about bandstands instead.")
        assert _wait_for(lambda: _ids(index_dir, "bandstands") == ["docs/first.txt"])
        assert _ids(index_dir, "allotments") == []
        (docs / "second.txt").unlink()
        assert _wait_for(lambda: _ids(index_dir, "cemeteries") == [])
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert events[0] == ("added", "docs/first.txt")
    assert {("added", "docs/second.txt"), ("updated", "docs/first.txt"), ("removed", "docs/second.txt")} <= set(events)
    assert runs[0].added == 1 and sum(r.removed for r in runs) == 1


def test_watch_lines_are_timed_and_printable():
    import time

    from indexer.output import watch_line

    at = time.struct_time((2026, 1, 2, 12, 4, 31, 4, 2, 0))
    assert watch_line("updated", "docs/a.txt", "", clock=lambda: at) == "12:04:31 updated  docs/a.txt"
    assert watch_line("failed", "docs/\x1b[31mred.txt", "empty: no text", clock=lambda: at) == (
        "12:04:31 failed   docs/␛[31mred.txt  (empty: no text)"
    )


def test_foi_index_watch_prints_a_line_per_change_and_stops_on_ctrl_c(docs, index_dir, monkeypatch):
    """The CLI side: the watcher reports through callbacks and the command prints them."""
    from click.testing import CliRunner

    import indexer.watch
    from indexer.cli import main

    def one_run_then_ctrl_c(roots, index, options, on_event, on_run):
        on_event("added", "docs/first.txt", "")
        on_run(indexer.watch.IndexSummary(added=1))
        raise KeyboardInterrupt

    monkeypatch.setattr(indexer.watch, "watch_and_index", one_run_then_ctrl_c)
    result = CliRunner().invoke(main, ["index", str(docs), "--watch", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith(" added    docs/first.txt")
    assert lines[1:] == [f"watching {docs} (1 documents); Ctrl+C stops", "stopped"]
