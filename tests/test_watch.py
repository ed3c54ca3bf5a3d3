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


def test_watch_indexes_new_changed_and_deleted_files(docs, index_dir, capsys):
    write_doc(docs, "first.txt", "A response about allotments.")
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_and_index, args=([docs], index_dir, RunOptions(jobs=1)), kwargs={"debounce": 0.3, "stop": stop}
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
    out = capsys.readouterr().out
    assert "added    docs/second.txt" in out
    assert "updated  docs/first.txt" in out
    assert "removed  docs/second.txt" in out
