"""`foi index --watch`: re-index incrementally whenever files appear, change or vanish."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import click

from indexer.discover import is_candidate
from indexer.pipeline import RunOptions, run_index
from indexer.textsafe import one_line

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


def watch_and_index(roots: list[Path], index_dir: Path, options: RunOptions, debounce: float = DEBOUNCE_SECONDS,
                    stop: threading.Event | None = None) -> None:
    """Index once, then after every burst of changes; one line per changed document. Ctrl+C stops."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changes = _Changes()
    stop = stop or threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            names = [Path(str(p)).name for p in paths if p]
            if event.is_directory or any(is_candidate(n) or n.endswith(".meta.json") for n in names):
                changes.touch()

    def line(kind: str, doc_id: str, detail: str) -> None:
        stamp = time.strftime("%H:%M:%S")  # doc ids are file names: cleaned like every untrusted string
        click.echo(f"{stamp} {kind:<8} {one_line(doc_id)}" + (f"  ({one_line(detail)})" if detail else ""))

    observer = Observer()
    for root in roots:
        observer.schedule(Handler(), str(root if root.is_dir() else root.parent), recursive=True)
    observer.start()
    try:
        summary = run_index(roots, index_dir, options, on_event=line)
        click.echo(f"watching {one_line(', '.join(map(str, roots)))} ({summary.added + summary.updated + summary.unchanged} documents); Ctrl+C stops")
        options = RunOptions(**{**vars(options), "rebuild": False})
        while changes.wait(debounce, stop):
            run_index(roots, index_dir, options, on_event=line)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        observer.stop()
        observer.join(timeout=5)
