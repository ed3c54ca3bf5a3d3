"""The TUI stays in charge whatever a search does, and shows hostile strings as text (Pilot).

Slow searches come from stand-in services: one spins in Python until it is stopped (as a
runaway fuzzy expansion does), one blocks inside C where no exception can reach it, and
one wraps the real SearchService and spins while holding its lock.
"""

from __future__ import annotations

import json
import threading

import pytest

from indexer.search import Hit, IndexStats, Results, SearchService
from tests.conftest import build_index, write_doc
from tests.test_tui import SIZE, rendered_lines, settle, status_text, type_query, wait_for
from tui.app import FoiApp
from tui.widgets import PreviewPane, ResultsList


def _hit(doc_id: str) -> Hit:
    return Hit(
        rank=1,
        score=1.0,
        doc_id=doc_id,
        path=f"/d/{doc_id}",
        title=doc_id,
        authority="A",
        reference=None,
        date=None,
        request_date=None,
        kind="text",
        exemptions=[],
        outcome="unknown",
        snippet=doc_id,
        highlights=[],
        page=None,
        pages=1,
    )


class SlowService:
    """Searches starting "spin" run until stopped; "block" waits in C; anything else is instant."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.interrupted: list[tuple[str, str]] = []  # (query, exception that ended the spin)
        self.finished: list[str] = []

    def available(self) -> bool:
        return True

    def stats(self) -> IndexStats:
        return IndexStats(documents=3, index_bytes=1, last_run=None, failures=[])

    def facet_counts(self, text=None, filters=None):
        return {}

    def search(self, text, filters=None, sort="relevance", limit=10, offset=0, facets=False, snippets=True):
        if text.startswith("spin"):
            self.started.set()
            try:
                spins = 0
                while True:  # pure Python: the UI thread still gets the interpreter between steps
                    spins += 1
            except BaseException as exc:
                self.interrupted.append((text, type(exc).__name__))
                raise
        if text.startswith("block"):
            self.started.set()
            self.release.wait(60)  # inside C: an asynchronous exception waits until this returns
            self.finished.append(text)
        return Results(query=text, parsed=text, hits=[_hit(f"d/{text}.txt")], total=1)


def shown_ids(app) -> list[str]:
    return [h.doc_id for h in app.screen.query_one(ResultsList).loaded_hits]


async def start_typing(pilot, text: str, service: SlowService) -> None:
    """Type a query that will not finish, and wait until its search is running."""
    search = pilot.app.screen.search_bar
    search.focus()
    await pilot.press(*text)
    await wait_for(pilot, service.started.is_set)


async def test_a_search_over_its_budget_is_stopped_with_a_message():
    service = SlowService()
    app = FoiApp(service, measurements=False, search_budget=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_typing(pilot, "spin", service)
        await wait_for(pilot, lambda: "stopped after 0.5 s" in status_text(app))
        await wait_for(pilot, lambda: service.interrupted == [("spin", "_Interrupt")])  # really stopped
        await type_query(pilot, "ok")
        assert shown_ids(app) == ["d/ok.txt"]


async def test_a_newer_query_stops_the_older_search():
    service = SlowService()
    app = FoiApp(service, measurements=False, search_budget=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_typing(pilot, "spin", service)
        await type_query(pilot, "ok")
        assert shown_ids(app) == ["d/ok.txt"]
        await wait_for(pilot, lambda: service.interrupted == [("spin", "_Interrupt")])
        assert "stopped" not in status_text(app)  # replaced, not an error


async def test_escape_stops_a_running_search_then_moves_to_the_results():
    service = SlowService()
    app = FoiApp(service, measurements=False, search_budget=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "ok")
        app.screen.search_bar.value = ""
        await start_typing(pilot, "spin", service)
        assert app.screen.searching
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Search stopped (Esc)" in status_text(app))
        await wait_for(pilot, lambda: ("spin", "_Interrupt") in service.interrupted)
        assert app.screen.search_bar.has_focus and not app.screen.searching
        assert shown_ids(app) and "d/spin.txt" not in shown_ids(app)  # the last good results stay
        await pilot.press("escape")
        assert app.screen.query_one(ResultsList).has_focus


async def test_ctrl_q_quits_while_a_search_is_stuck_in_native_code():
    service = SlowService()
    app = FoiApp(service, measurements=False, search_budget=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await start_typing(pilot, "block", service)
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: app.return_code is not None)
        assert app.return_code == 0
        assert service.finished == []  # the app did not wait for the search to come back
    finally:
        service.release.set()


class SpinningRealService(SearchService):
    """The real service, with searches for "spin" running on while holding its lock."""

    def search(self, text, *args, **kwargs):
        if text.startswith("spin"):
            with self._lock:
                while True:
                    pass
        return super().search(text, *args, **kwargs)


async def test_a_stopped_search_frees_the_real_service_for_the_next(tmp_path):
    corpus = tmp_path / "corpus"
    write_doc(corpus, "kiosk.txt", "Sheffield City Council\nA response about the park kiosk lease.\n")
    build_index(corpus, tmp_path / "index")
    service = SpinningRealService(tmp_path / "index")
    app = FoiApp(service, measurements=False, search_budget=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "spin")
        assert "stopped after 0.5 s" in status_text(app)
        await type_query(pilot, "kiosk")  # would wait for ever if the lock were still held
        assert shown_ids(app) == ["corpus/kiosk.txt"]
    service.close()


# ---------------------------------------------------------------- hostile strings

ESC_TITLE = "\x1b]0;PWNED\x07"
ESC_LINK = "\x1b]8;;https://evil.example/\x1b\\"
ESC_COLOUR = "\x1b[38;5;196m"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("tui-hostile")
    corpus = root / "corpus"
    name = f"evil{ESC_COLOUR}name.txt"
    write_doc(corpus, name, "Harrogate Borough Council\nA response about the floral clock.\n")
    (corpus / f"{name}.meta.json").write_text(
        json.dumps(
            {
                "authority": f"H\u202eC{ESC_TITLE}",
                "exemptions": [f"s40(2){ESC_LINK}click"],
                "date": "2021-04-01",
            }
        ),
        encoding="utf-8",
    )
    index = root / "index"
    summary = build_index(corpus, index)
    assert summary.failed == 0, summary.failures
    return index


def screen_text(widget) -> str:
    return "".join(seg.text for strip in rendered_lines(widget) for seg in strip)


async def test_sidecar_values_and_file_names_render_as_text_in_the_tui(hostile_index):
    app = FoiApp(SearchService(hostile_index), measurements=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "floral")
        listed = screen_text(app.screen.query_one(ResultsList))
        assert "evil␛[38;5;196mname.txt" in listed  # no title: the file name is shown
        assert "H\ufffdC␛]0;PWNED␇ · s40(2)␛]8;;https:" in listed  # the rest is cut to the width

        await pilot.press("down", "enter")
        await settle(pilot)
        preview = app.screen.query_one(PreviewPane)
        body = "\n".join(preview.row_text(i) for i in range(preview.virtual_size.height))
        assert "s40(2)␛]8;;https://evil.example/␛\\click" in body
        assert "H\ufffdC␛]0;PWNED␇" in body
        shown = screen_text(preview) + preview._border_title.plain

        await pilot.press("y")  # copy the path: the notification names it
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("evil␛[38;5;196mname.txt" in m for m in messages)
        for text in [listed, shown, *messages]:
            assert not any(ch in text for ch in "\x1b\x07\u202e"), text


# ---------------------------------------------------------------- a real terminal

_APP_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.test_tui_safety import SlowService
from tui.app import FoiApp

class Marking(SlowService):
    def search(self, text, *args, **kwargs):
        if text.startswith("block"):
            Path({marker!r}).write_text(text)
            self.release.wait(600)
            self.finished.append(text)
        return super().search("ok", *args, **kwargs)

service = Marking()
FoiApp(service, search_budget=None).run()
print("EXITED", service.finished, flush=True)
"""


def test_the_app_process_quits_on_ctrl_q_while_a_search_is_stuck(tmp_path):
    """End to end on a pseudo-terminal: the process ends without waiting for the search
    (which would block for 600 s), so nothing joins its thread at exit."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    marker = tmp_path / "started"
    script = tmp_path / "app.py"
    script.write_text(_APP_SCRIPT.format(root=str(ROOT), marker=str(marker)))
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(follower)
    output = bytearray()

    def pump(until, limit=60.0) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if until():
                return True
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    output.extend(os.read(leader, 65536))
                except OSError:
                    return until()
        return until()

    try:
        assert pump(lambda: b"Search FOI" in output or b"Type to search" in output), output[-500:]
        os.write(leader, b"block")
        assert pump(marker.exists), output[-500:]
        os.write(leader, b"\x11")  # Ctrl+Q
        assert pump(lambda: b"EXITED []" in output, limit=30), output[-800:]
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
