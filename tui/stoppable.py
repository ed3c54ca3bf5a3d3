"""Search-service calls the UI can stop: each runs in its own daemon thread, under a time budget.

Textual's thread workers run in the event loop's default executor, which cannot stop a
call and which asyncio joins when the app exits: one runaway query (a fuzzy term that
expands to millions) kept the TUI from quitting and queued every later search behind
it. Here the worker awaits the call instead. When the worker is cancelled (a newer
query, Esc, Ctrl+Q) or the budget runs out, an exception is raised inside the call's
thread, which ends the pure-Python work of the engine at its next bytecode and releases
its locks on the way out. A call stuck inside C code is left to finish on its own: it
is a daemon thread, so nothing waits for it and the app still quits at once.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class CallStopped(Exception):
    """A service call was stopped: its budget ran out, or nobody wants its answer any more."""


class _Interrupt(BaseException):
    """Raised inside a call's thread to end it. A BaseException, so that the engine's own
    `except Exception` handlers (which turn library errors into query errors) let it pass."""


async def call_stoppable(func: Callable[..., T], *args, budget: float | None = None, **kwargs) -> T:
    """`func(*args, **kwargs)` in a daemon thread; CallStopped after `budget` seconds.

    Cancelling the awaiting task stops the call too (and re-raises CancelledError)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def deliver(outcome: tuple[bool, object]) -> None:
        if future.done():  # stopped or cancelled meanwhile: nobody is waiting
            return
        ok, value = outcome
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            try:
                outcome = (True, func(*args, **kwargs))
            except Exception as exc:
                outcome = (False, exc)
            loop.call_soon_threadsafe(deliver, outcome)
        except (_Interrupt, RuntimeError):  # stopped (nobody waits any more), or the loop closed at exit
            pass

    thread = threading.Thread(target=run, name=f"foi-{getattr(func, '__name__', 'call')}", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(future, budget)
    except asyncio.TimeoutError:
        stop(thread)
        raise CallStopped(f"stopped after {budget:g} s") from None
    except asyncio.CancelledError:
        stop(thread)
        raise


def stop(thread: threading.Thread) -> None:
    """End the call running in `thread` (CPython's asynchronous exception; a no-op when done)."""
    ident = thread.ident
    if ident is None or not thread.is_alive():
        return
    set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    changed = set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(_Interrupt))
    if changed > 1:  # more than one thread state matched: undo, as the C API asks
        set_async_exc(ctypes.c_ulong(ident), None)
