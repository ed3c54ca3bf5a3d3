"""`foi index --watch`: re-index incrementally whenever files appear, change or vanish.

It prints nothing: what happens is told through callbacks, and the CLI prints it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from indexer.discover import is_candidate
from indexer.pipeline import EventFn, IndexSummary, RunOptions, run_index
from indexer.sidecar import SIDECAR_SUFFIX

DEBOUNCE_SECONDS = 1.0


class _Changes:
    """Collects file events; `wait()` returns once events have stopped arriving for a moment."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._last = 0.0

    def touch(self) -> None:
        self._last = time.monotonic()
        self._event.set()

    def wait(self, debounce: float, stop: threading.Event) -> bool:
        while not stop.is_set():
            if self._event.wait(0.2) and time.monotonic() - self._last >= debounce:
                self._event.clear()
                return True
        return False


def watch_and_index(
    roots: list[Path],
    index_dir: Path,
    options: RunOptions,
    on_event: EventFn | None = None,
    on_run: Callable[[IndexSummary], None] | None = None,
    debounce: float = DEBOUNCE_SECONDS,
    stop: threading.Event | None = None,
) -> None:
    """Index once, then after every burst of changes, until `stop` is set (or KeyboardInterrupt).

    on_event(kind, doc_id, detail) for each document added, updated, removed or failed
    (and each folder warning);
    on_run(summary) after each run."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changes = _Changes()
    stop = stop or threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            names = [Path(str(p)).name for p in paths if p]
            if event.is_directory or any(is_candidate(n) or n.endswith(SIDECAR_SUFFIX) for n in names):
                changes.touch()

    observer = Observer()
    for root in roots:
        observer.schedule(Handler(), str(root if root.is_dir() else root.parent), recursive=True)
    observer.start()
    after = on_run or (lambda summary: None)
    try:
        after(run_index(roots, index_dir, options, on_event=on_event))
        options = RunOptions(**{**vars(options), "rebuild": False})
        while changes.wait(debounce, stop):
            after(run_index(roots, index_dir, options, on_event=on_event))
    finally:
        observer.stop()
        observer.join(timeout=5)
