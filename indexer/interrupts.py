"""Ctrl+C and SIGTERM during an indexing run: stop within seconds and keep what is finished.

While a run is on, a signal only sets a flag (StopSignals). The run checks it between
documents and while it waits for the extraction workers; then it kills the workers,
commits the documents already written and raises Interrupted, which the CLI reports with
exit 130 (SIGINT) or 143 (SIGTERM). A second signal stops at once (KeyboardInterrupt):
whatever was committed stays, the open batch is dropped.
"""

from __future__ import annotations

import os
import signal
import threading
import time

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """A run stopped by a signal after keeping its finished work. `summary` says what was kept."""

    def __init__(self, signum: int, summary, rebuild: bool = False):
        self.signum = signum
        self.summary = summary
        self.rebuild = rebuild
        self.exit_code = 128 + signum
        super().__init__(self.message())

    def message(self) -> str:
        name = signal.Signals(self.signum).name
        if self.rebuild:
            return f"interrupted ({name}): the rebuild was dropped and the old index kept as it was"
        s = self.summary
        kept = s.added + s.updated
        return (
            f"interrupted ({name}): kept {kept} document{'s' if kept != 1 else ''} of this run "
            f"({s.added} added, {s.updated} updated, {s.removed} removed); "
            "run `foi index` again to do the rest"
        )


class StopSignals:
    """While active (in the main thread only: signal handlers can only be set there), SIGINT
    and SIGTERM are recorded in `signum` instead of stopping the process."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # asked twice: stop now
        self.signum = signum

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


def exit_with(pid: int) -> None:
    """Make this helper process (an extraction worker, a Whoosh lane) exit as soon as the
    indexing process `pid` is gone, killed even. Only the indexer enforces time limits and
    decides what is committed, so a helper left behind would spin on a hostile file or hold
    files for ever. PR_SET_PDEATHSIG cannot help: a worker's parent is the forkserver, which
    lives as long as any worker does. A daemon thread waits on a pidfd of the indexer
    (GIL-free native code such as pdfium does not stop it); without pidfds (old kernel, not
    Linux) it polls."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        fd = None

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
            os._exit(1)
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="exit-with-indexer", daemon=True).start()
