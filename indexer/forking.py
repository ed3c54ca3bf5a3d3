"""The process that starts an indexing run's helper processes (extraction workers, Whoosh lanes).

Helpers are started by multiprocessing's forkserver, never forked straight from the
indexer: a fork copies the locks of every other thread held (a TUI re-index, --watch, a
Dask worker, the pool's own threads, an engine library's native writer threads), and the
pool replaces its workers from one of its threads while the run goes on.

The stock forkserver is a fresh interpreter that imports foi again (about 0.4 s of CPU per
`foi index`, most of a small run). While a run's process still has a single thread, its
forkserver is instead a fork of the process itself (`forked_server`): foi is imported
already, and it has no thread whose locks it could copy. It then serves forks as the stock
one does, and lives as long as the run. With other threads, the stock forkserver is used.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_session = {"active": False, "pid": None, "forked": False}


def single_threaded() -> bool:
    """Whether this process runs no thread but the main one: none Python lists, and none
    only the kernel sees (native threads of a library)."""
    import threading

    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            threads = next((line.split()[1] for line in fh if line.startswith("Threads:")), "")
    except OSError:
        return False
    return threads == "1"


@contextmanager
def forked_server() -> Iterator[None]:
    """Within this block, the first helper started while this process is single-threaded
    starts the forkserver as a fork of this process (see the module docstring); on leaving,
    that server is stopped, so a later run (in a longer-lived process: tests, the TUI) does
    not get helpers forked from an old copy of it."""
    if _session["active"]:
        yield
        return
    _session["active"] = True
    try:
        yield
    finally:
        _session["active"] = False
        pid, _session["pid"] = _session["pid"], None
        if pid is not None:
            _stop(pid)


def context(warm: Callable[[], object] = lambda: None):
    """The multiprocessing context to start a helper with: the forkserver, started as a fork
    of this process when that is safe (see forked_server), after `warm` has imported here what
    every helper needs (once, instead of once in each). Multiprocessing's resource
    tracker is started with the real stderr: a host that captures stderr (a Textual app)
    has no file descriptor for it, and the tracker's start fails."""
    import multiprocessing
    import sys
    from contextlib import redirect_stderr
    from multiprocessing import resource_tracker

    if sys.__stderr__ is not None:
        with redirect_stderr(sys.__stderr__):
            resource_tracker.ensure_running()
    if _session["active"] and _session["pid"] is None and single_threaded():
        warm()
        _session["pid"] = _fork_server()
    return multiprocessing.get_context("forkserver")


def _fork_server() -> int | None:
    """Start multiprocessing's forkserver as a fork of this process, as its ensure_running
    would start a fresh one; its pid, or None where that cannot be done safely (another
    thread runs, a forkserver is running already, a Python whose forkserver differs)."""
    import socket
    import sys
    from multiprocessing import connection, forkserver, util

    server = forkserver._forkserver
    needed = ("_forkserver_pid", "_forkserver_address", "_forkserver_alive_fd", "_lock")
    # Python 3.13 authenticates its clients: a server forked here would not know the key.
    if not all(hasattr(server, a) for a in needed) or hasattr(server, "_forkserver_authkey"):
        return None
    # Not under server._lock: the fork would copy it held. No other thread can race here.
    if server._forkserver_pid is not None or not single_threaded():
        return None
    for stream in (sys.stdout, sys.stderr):  # else each helper would write their buffers again
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    with socket.socket(socket.AF_UNIX) as listener:
        address = connection.arbitrary_address("AF_UNIX")
        listener.bind(address)
        if not util.is_abstract_socket_namespace(address):
            os.chmod(address, 0o600)
        listener.listen()
        alive_r, alive_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _serve(listener.fileno(), alive_r, alive_w)
        os.close(alive_r)
    server._forkserver_address = address
    server._forkserver_alive_fd = alive_w
    server._forkserver_pid = pid
    return pid


def _serve(listener_fd: int, alive_r: int, alive_w: int) -> None:
    """The forked server: it keeps nothing of the indexer it does not need (its files, among
    them the writer's lock; its signal handlers; a crash dump of its stack) and runs the
    stock server's loop until the indexer and every helper are gone."""
    import faulthandler
    from multiprocessing import forkserver

    code = 0
    try:
        _session["forked"] = True
        faulthandler.disable()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh interpreter
        os.close(alive_w)
        keep = sorted({0, 1, 2, listener_fd, alive_r})
        for low, high in zip(keep, [*keep[1:], _max_fd()]):
            os.closerange(low + 1, high)
        name_process("foi-forkserver")
        forkserver.main(listener_fd, alive_r, [])
    except SystemExit:  # the stock loop's way out: every client is gone
        pass
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def forked_from_indexer() -> bool:
    """Whether this process is a helper forked from a fork of the indexer (and so holds a
    copy of the indexer's memory), not from the stock forkserver."""
    return _session["forked"]


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 65536


def _stop(pid: int) -> None:
    """Stop a server forked by _fork_server (its helpers are gone by now, or exit with the
    indexer anyway) and forget it, so that the next helper starts a stock one."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    with server._lock:
        if server._forkserver_pid == pid:
            os.close(server._forkserver_alive_fd)
            server._forkserver_address = None
            server._forkserver_alive_fd = None
            server._forkserver_pid = None
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def name_process(title: str) -> None:
    """Name the process as `ps` and `top` show it (Linux; elsewhere nothing happens)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, title.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass
