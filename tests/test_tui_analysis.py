"""The TUI's analysis screens, driven by Pilot: `s` statistics, `e` export to CSV, `c` comparison.

Plus an SVG snapshot of the statistics screen at 120x36, on a generated corpus whose metadata
is pinned by sidecars so the picture does not follow extractor changes.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from bench.massfoi import HOSPITAL_CRIME, write_replies
from indexer.export import CSV_COLUMNS
from indexer.search import SearchService
from tests.conftest import build_index, write_doc
from tui.app import FoiApp
from tui.screens.compare import CompareScreen
from tui.screens.main import MainScreen
from tui.screens.stats import StatsScreen
from tui.widgets import ResultsList
from tui.widgets.outcome_bars import OUTCOME_COLOURS, OutcomeBars, bar

SIZE = (120, 36)

# (name, authority, request date, response date, outcome, exemptions): custody records, with
# dates around Easter 2024 (see tests/test_analysis.py for the working days counted by hand).
CUSTODY = [
    ("kent-1.txt", "Kent Police", "2024-03-20", "2024-04-19", "disclosed", []),
    ("kent-2.txt", "Kent Police", "2024-03-20", "2024-04-22", "refused", ["s40(2)"]),
    ("kent-3.txt", "Kent Police", "2024-05-03", "2024-06-04", "partial", ["s40(2)", "s31(1)(a)"]),
    ("kent-4.txt", "Kent Police", None, "2024-06-10", "ncnd", ["s23(5)"]),
    ("scot-1.txt", "Police Scotland", "2024-03-20", "2024-04-19", "disclosed", []),
    ("scot-2.txt", "Police Scotland", "2024-03-20", "2024-04-18", "not_held", []),
    ("markup.txt", "[bold]Zanzibar[/bold] \x1b[31mCouncil", "2024-03-20", "2024-04-10", "refused", ["s12"]),
]
# A different request for each: none of them is a group with another.
TOPICS = [
    "deaths in custody recorded since 2019",
    "detainees held in custody longer than 24 hours",
    "custody suites closed for refurbishment",
    "covert surveillance of custody visitors",
    "interpreters booked for custody interviews",
    "custody sergeants trained in mental health first aid",
    "ferry passengers detained in custody at the harbour",
]


def write_corpus(folder: Path) -> Path:
    for (name, authority, request_date, response_date, outcome, exemptions), topic in zip(CUSTODY, TOPICS):
        write_doc(
            folder,
            name,
            f"Question 1: Please tell me about {topic}.\nAnswer: See the attached table.\n",
            authority=authority,
            request_date=request_date,
            date=response_date,
            outcome=outcome,
            exemptions=exemptions,
            title=f"Custody records ({name})",
        )
    for label in write_replies(folder, HOSPITAL_CRIME):
        pinned = {
            k: label[k] for k in ("authority", "reference", "date", "request_date", "outcome", "exemptions", "title")
        }
        (folder / f"{label['file']}.meta.json").write_text(json.dumps(pinned), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tui-analysis")
    corpus = write_corpus(root / "corpus")
    index = root / "index"
    assert build_index(corpus, index).failed == 0
    return index


def make_app(index: Path, export_dir: Path | None = None) -> FoiApp:
    return FoiApp(SearchService(index), measurements=False, export_dir=export_dir)


async def settle(pilot, timeout: float = 15.0) -> None:
    await pilot.pause(0.2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers did not finish")


async def search(pilot, text: str) -> None:
    """Type a query, wait for its results and move to the list (where s, e and c work)."""
    await settle(pilot)
    bar_ = pilot.app.screen.search_bar
    bar_.focus()
    bar_.value = ""
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press("down")
    await pilot.pause()


async def test_s_opens_statistics_for_the_query(index):
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "custody")
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        groups = {g.key: g for g in screen.groups}
        kent = groups["Kent Police"]
        assert (kent.responses, kent.refusal_rate, kent.median_days, kent.over_20_working_days) == (4, 0.5, 32, 1)
        scotland = groups["Police Scotland"]
        assert (scotland.median_days, scotland.over_20_working_days) == (29.5, 1)
        assert "Police Scotland" not in {g.key for g in screen.groups if g.key == "West Yorkshire Police"}
        assert "West Yorkshire Police" not in groups  # the hospital replies do not match "custody"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_statistics_follow_the_filters(index):
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "hospital")
        main = app.screen
        main.filters.authority = "Police Scotland"
        main.run_search()
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert [(g.key, g.responses, g.over_20_working_days) for g in app.screen.groups] == [("Police Scotland", 1, 1)]


async def test_statistics_show_document_text_literally(index):
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "custody")
        await pilot.press("s")
        await settle(pilot)
        bars = app.screen.query_one(OutcomeBars)
        lines = [line.plain for line in bars.content.renderables]
        assert any(line.startswith("[bold]Zanzibar[/bold] ␛[31mCouncil") for line in lines), lines


def test_outcome_bar_widths_are_shares():
    plain = bar({"disclosed": 1, "partial": 1, "refused": 2, "not_held": 0, "ncnd": 0, "unknown": 0}, 40)
    assert len(plain.plain) == 40
    assert [(span.style, span.end - span.start) for span in plain.spans] == [
        (OUTCOME_COLOURS["disclosed"], 10),
        (OUTCOME_COLOURS["partial"], 10),
        (OUTCOME_COLOURS["refused"], 20),
    ]
    thirds = bar({"disclosed": 1, "partial": 1, "refused": 1}, 40)
    assert sorted(span.end - span.start for span in thirds.spans) == [13, 13, 14]


async def test_e_exports_the_current_results_to_csv(index, tmp_path):
    app = make_app(index, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "hospital")
        await pilot.press("e")
        await settle(pilot)
        written = list(tmp_path.glob("foi-hospital-*.csv"))
        assert len(written) == 1
        rows = list(csv.reader(written[0].open(encoding="utf-8")))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert sorted(r[4] for r in rows[1:]) == sorted(r.authority for r in HOSPITAL_CRIME)
        messages = [n.message for n in app._notifications]
        assert f"Exported 4 results to {written[0]}" in messages


async def test_c_compares_the_request_group_of_a_result(index):
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "hospital")
        assert app.screen.query_one(ResultsList).has_focus
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        comparison = screen.comparison
        assert sorted(r.response.authority for r in comparison.rows) == sorted(r.authority for r in HOSPITAL_CRIME)
        assert len(comparison.questions) == 4
        wyp = next(r for r in comparison.rows if r.response.authority == "West Yorkshire Police")
        assert [wyp.answers[q] for q in comparison.questions] == HOSPITAL_CRIME[0].answers
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_c_on_a_lone_response_says_so(index):
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "custody")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert len(app.screen.comparison.rows) == 1


def test_snapshot_statistics_screen(snap_compare, index):
    async def run_before(pilot):
        await search(pilot, "custody OR hospital")
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(make_app(index), terminal_size=SIZE, run_before=run_before)
