"""The Textual UI, driven by Pilot: search as you type, facets, preview, re-index, errors, safety.

Plus SVG snapshots (pytest-textual-snapshot) of the main screen, the preview and the help
screen at 120x36. Timings and index sizes are hidden (`measurements=False`) so the
snapshots do not change from run to run.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from indexer.search import DocumentView, Hit, QueryError, Results, SearchService
from tests.conftest import SEED, build_index, write_doc, write_pdf
from tui.app import FoiApp
from tui.widgets import FacetSidebar, PreviewPane, ResultsList
from tui.widgets.results_list import ITEM_HEIGHT, PAGE_SIZE

SIZE = (120, 36)
SEED_ID = f"corpus/{SEED.name}"
MARKUP_TEXT = (
    "Zanzibar Borough Council\n"
    "Our reference: ZB-0001\n\n"
    "This response about zanzibar ferries contains [bold]not bold[/] and a stray [/] closing tag,\n"
    "[red]colour markup[/red], an ANSI escape \x1b[31mnot red\x1b[0m, a bell \x07 and a title-setting "
    "sequence \x1b]0;pwned\x07.\n" + "W" * 5000 + "\nThe zanzibar ferry timetable follows the long line.\n"
)


def write_corpus(folder: Path) -> Path:
    """The seed plus a few responses from other authorities, metadata pinned by sidecars."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = folder / SEED.name
    shutil.copy(SEED, seed)
    # Pin the seed's metadata to its true values so snapshots do not follow extractor changes.
    (folder / f"{SEED.name}.meta.json").write_text(
        '{"title": "Prevent database access", "authority": "South Yorkshire Police", '
        '"reference": "20191213", "date": "2019-06-18", "outcome": "disclosed", "exemptions": []}',
        encoding="utf-8",
    )
    write_doc(
        folder,
        "met-2020-stop-search.txt",
        "Metropolitan Police Service\nFreedom of Information request 01/FOI/20/012345\n\n"
        "You asked for the stop and search database extract for 2019. The information is held. "
        "Names of officers are withheld under section 40(2) (personal information). "
        "The remaining information about the database is disclosed below.\n",
        title="Stop and search database extract",
        authority="Metropolitan Police Service",
        reference="01/FOI/20/012345",
        date="2020-02-14",
        outcome="partial",
        exemptions=["s40(2)"],
    )
    write_doc(
        folder,
        "sheffield-2021-potholes.txt",
        "Sheffield City Council\nFOI 1234\n\nYou asked how many potholes were repaired in 2020. "
        "The information is held in our highways database: 12,345 potholes were repaired.\n",
        title="Potholes repaired in 2020",
        authority="Sheffield City Council",
        reference="FOI 1234",
        date="2021-03-01",
        outcome="disclosed",
        exemptions=[],
    )
    write_pdf(
        folder / "home-office-2023-prevent-referrals.pdf",
        [
            "Home Office\nFreedom of Information request 71234\nPrevent referrals by region, 2022.",
            "Referrals recorded on the Prevent Case Management database are published quarterly.\n"
            "We do not hold the database extract you describe for local authorities.",
        ],
    )
    (folder / "home-office-2023-prevent-referrals.pdf.meta.json").write_text(
        '{"title": "Prevent referrals by region", "authority": "Home Office", "reference": "71234", '
        '"date": "2023-05-02", "outcome": "not_held", "exemptions": []}',
        encoding="utf-8",
    )
    write_doc(
        folder,
        "zanzibar-markup.txt",
        MARKUP_TEXT,
        title="[bold]Markup[/bold] in a \x1b[1mtitle\x1b[0m",
        authority="Zanzibar [i]Borough[/i] Council",
        date="2022-01-05",
        outcome="disclosed",
        exemptions=[],
    )
    return folder


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory) -> Path:
    """One index for the read-only tests (module scope: built once per xdist worker).

    Built by one engine: these tests check the screen (what it draws from the answers
    SearchService gives, and the keys), not the engine. That both engines give the same
    documents, counts and facet counts is test_engine_parity's; the snippets and highlights
    come from the stored text on every engine (test_snippets), and test_search checks them,
    and the other search behaviour the screen shows, on each engine."""
    root = tmp_path_factory.mktemp("tui")
    corpus = write_corpus(root / "corpus")
    index = root / "index"
    summary = build_index(corpus, index, engine="whoosh")
    assert summary.failed == 0, summary.failures
    return index


def make_app(index: Path) -> FoiApp:
    return FoiApp(SearchService(index), measurements=False)


def debouncing(app) -> bool:
    """A typed query still waits for its debounce (the search bar's timer has not fired)."""
    bar = getattr(app.screen, "search_bar", None)
    return bar is not None and bar._timer is not None


async def settle(pilot, timeout: float = 10.0) -> None:
    """Let the debounce fire and every worker finish, then let messages land.

    Polled, not a fixed sleep: after keys that typed nothing it returns at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        if debouncing(pilot.app):
            await pilot.pause(0.03)
            continue
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not debouncing(pilot.app) and not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers did not finish")


async def wait_for(pilot, predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if predicate():
            return
    raise AssertionError("condition not met in time")


async def type_query(pilot, text: str) -> None:
    search = pilot.app.screen.search_bar
    search.focus()
    search.value = ""
    await pilot.press(*text)
    await settle(pilot)


async def highlight(pilot, options, option_id: str) -> None:
    """Move an OptionList's cursor to `option_id` with the Down key, as a user would."""
    target = options.get_option_index(option_id)
    for _ in range(options.option_count):
        if options.highlighted == target:
            return
        await pilot.press("down")
    raise AssertionError(f"Down never reached {option_id!r}")


def rendered_lines(widget) -> list:
    return [widget.render_line(y) for y in range(widget.scrollable_content_region.height)]


def status_text(app) -> str:
    return str(app.screen.query_one("#status-text").render())


# ---------------------------------------------------------------- Pilot tests


async def test_typing_a_query_shows_the_seed_first_with_highlighted_terms(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "prevent database")
        results = app.screen.query_one(ResultsList)
        assert results.total >= 2
        first = results.hit_at(0)
        assert first.doc_id == SEED_ID
        assert first.highlights
        words = {first.snippet[s:e].lower() for s, e in first.highlights}
        assert {"prevent", "database"} <= words
        # The snippet rows on screen carry the highlight style on exactly those words.
        highlight = results.get_component_rich_style("results-list--highlight", partial=True)
        snippet_rows = rendered_lines(results)[2:ITEM_HEIGHT]
        marked = {
            seg.text.lower()
            for strip in snippet_rows
            for seg in strip
            if seg.style and seg.style.bold and seg.style.color == highlight.color
        }
        assert {"prevent", "database"} <= marked
        assert "hits" in status_text(app)


async def test_toggling_a_facet_narrows_the_count(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "database")
        results = app.screen.query_one(ResultsList)
        before = results.total
        assert before >= 3
        await pilot.press("down")  # into the results, so `f` is a command, not a letter
        await pilot.press("f")
        facets = app.screen.query_one(FacetSidebar)
        assert facets.has_focus
        await highlight(pilot, facets, "authority\x1fSouth Yorkshire Police")
        await pilot.press("enter")
        await settle(pilot)
        assert facets.selected == {"authority": "South Yorkshire Police"}
        assert 0 < results.total < before
        assert {h.authority for h in results.loaded_hits} == {"South Yorkshire Police"}
        assert "authority=South Yorkshire Police" in status_text(app)
        # Toggling it again clears the filter.
        await pilot.press("enter")
        await settle(pilot)
        assert results.total == before


async def test_enter_opens_the_preview_at_a_hit_and_n_moves_to_the_next(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "prevent database")
        await pilot.press("down", "enter")
        await settle(pilot)
        preview = app.screen.query_one(PreviewPane)
        assert preview.display and preview.has_focus
        assert preview.hit.doc_id == SEED_ID
        assert preview.hit_count > 5

        def visible(row: int) -> bool:
            top = int(preview.scroll_y)
            return top <= row < top + preview.scrollable_content_region.height

        first, row = preview.current, preview.current_row
        assert visible(row) and preview.scroll_y > 0  # scrolled down to the passage, not the top
        assert any(w in preview.row_text(row).lower() for w in ("prevent", "database"))
        await pilot.press("n")
        await pilot.pause()
        assert preview.current == first + 1
        assert visible(preview.current_row)
        assert "hit" in str(preview.border_subtitle)
        await pilot.press("N")
        await pilot.pause()
        assert preview.current == first
        await pilot.press("escape")
        await pilot.pause()
        assert not preview.display
        assert app.screen.query_one(ResultsList).has_focus


async def test_r_reindexes_a_new_file_and_it_appears_in_results(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    build_index(corpus, index, engine="whoosh")
    app = make_app(index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "quokka")
        results = app.screen.query_one(ResultsList)
        assert results.total == 0
        write_doc(
            corpus, "rottnest-2024-quokkas.txt", "Rottnest Island Authority\n\nHow many quokka selfies were taken?"
        )
        await pilot.press("down")
        await pilot.press("r")
        await wait_for(pilot, lambda: results.total == 1 and not app.reindexing, timeout=60)
        assert results.hit_at(0).doc_id == "corpus/rottnest-2024-quokkas.txt"
        assert not app.screen.query_one("#reindex-progress").display
        await wait_for(pilot, lambda: "6 documents" in status_text(app))  # the stats worker runs after


async def test_a_bad_query_shows_its_error_and_keeps_the_results(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "prevent database")
        results = app.screen.query_one(ResultsList)
        total, first = results.total, results.hit_at(0).doc_id
        await pilot.press(*' "data')
        await settle(pilot)
        assert "unbalanced quote" in status_text(app)
        assert results.total == total and results.hit_at(0).doc_id == first
        await pilot.press('"')  # fixed: the error goes away
        await settle(pilot)
        assert "unbalanced" not in status_text(app)


async def test_markup_ansi_and_long_lines_in_a_document_render_literally(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "zanzibar")
        results = app.screen.query_one(ResultsList)
        assert results.total == 1
        listed = "".join(seg.text for strip in rendered_lines(results) for seg in strip)
        assert "[bold]Markup[/bold]" in listed  # the title, as typed in the document
        assert "␛[1m" in listed and "\x1b" not in listed
        assert "[i]Borough[/i]" in listed

        await pilot.press("down", "enter")
        await settle(pilot)
        preview = app.screen.query_one(PreviewPane)
        width = preview.scrollable_content_region.width
        rows = [preview.row_text(i) for i in range(preview.virtual_size.height)]
        body = "\n".join(rows)
        for literal in ("[bold]not bold[/]", "stray [/] closing", "[red]colour markup[/red]", "[bold]Markup[/bold]"):
            assert literal in body, literal
        assert "␛[1mtitle␛[0m" in body  # the sidecar title keeps its escapes; they show as ␛
        assert not any(ch in body for ch in "\x1b\x07\x00")
        # The 5,000-character line wraps inside the pane instead of widening it.
        assert sum(row.count("W") for row in rows) == 5000
        assert max(len(row.rstrip()) for row in rows) <= width
        assert preview.virtual_size.width == width
        # Rendered strips: exactly the pane width, and "[bold]" styles nothing.
        preview.scroll_to(0, 0, animate=False, immediate=True, force=True)
        await pilot.pause()
        for strip in rendered_lines(preview):
            assert strip.cell_length == width
            for seg in strip:
                if "not bold" in seg.text:
                    assert not (seg.style and seg.style.bold)
        assert preview._border_title.plain.startswith("[bold]Markup[/bold]")  # shown as typed
        assert app.screen.query_one(ResultsList).size.width > 20  # the layout held

        # The extractor already drops ANSI sequences from files; the preview must be safe
        # on its own, whatever text the service hands it.
        raw = DocumentView(metadata={"doc_id": "x", "kind": "text"}, pages=[MARKUP_TEXT.replace("W" * 5000, "")], qa=[])
        preview.show_document(preview.hit, raw, [[]])
        await pilot.pause()
        body = "\n".join(preview.row_text(i) for i in range(preview.virtual_size.height))
        assert "␛[31mnot red␛[0m" in body and "␛]0;pwned␇" in body and "a bell ␇" in body
        assert "\x1b" not in "".join(seg.text for strip in rendered_lines(preview) for seg in strip)


class _HugeService:
    """A stand-in with 250,000 hits, counting what the UI asks for."""

    def __init__(self):
        self.offsets: list[int] = []

    def available(self):
        return True

    def stats(self):
        from indexer.search import IndexStats

        return IndexStats(documents=250_000, index_bytes=1, last_run=None, failures=[])

    def facet_counts(self, text=None, filters=None):
        return {}

    def search(self, text, filters=None, sort="relevance", limit=10, offset=0, facets=False, snippets=True):
        if not text.strip():
            raise QueryError("empty query")
        if text == "anything":  # on a slow machine the debounce may also send "a", "an"…
            self.offsets.append(offset)
        hits = [
            Hit(
                rank=i + 1,
                score=1.0,
                doc_id=f"d/{i}.txt",
                path=f"/d/{i}.txt",
                title=f"Doc {i}",
                authority="A",
                reference=None,
                date=None,
                request_date=None,
                kind="text",
                exemptions=[],
                outcome="unknown",
                snippet=f"snippet {i}",
                highlights=[],
                page=None,
                pages=1,
            )
            for i in range(offset, offset + limit)
        ]
        return Results(query=text, parsed=text, hits=hits, total=250_000, offset=offset)


async def test_hundreds_of_thousands_of_hits_load_lazily():
    service = _HugeService()
    app = FoiApp(service, measurements=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "anything")
        results = app.screen.query_one(ResultsList)
        assert results.total == 250_000 and service.offsets == [0]
        await pilot.press("down", "end")
        await wait_for(pilot, lambda: results.current_hit is not None)
        assert results.current_hit.doc_id == "d/249999.txt"
        assert len(service.offsets) == 2 and service.offsets[-1] == 250_000 - PAGE_SIZE  # one page
        assert len(results.loaded_hits) == 2 * PAGE_SIZE  # not 250,000 rows


# ---------------------------------------------------------------- snapshots


def test_snapshot_main_screen(snap_compare, shared_index):
    async def run_before(pilot):
        await settle(pilot)
        await type_query(pilot, "prevent database")
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(shared_index), terminal_size=SIZE, run_before=run_before)


def test_snapshot_preview(snap_compare, shared_index):
    async def run_before(pilot):
        await settle(pilot)
        await type_query(pilot, "prevent database")
        await pilot.press("down", "enter")
        await settle(pilot)
        # The preview scrolls to its first hit after its first layout; an `n` before that
        # (a busy machine) ends at another scroll position, so wait for it.
        preview = pilot.app.screen.query_one(PreviewPane)
        await wait_for(pilot, lambda: preview.scroll_y > 0)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(make_app(shared_index), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help(snap_compare, shared_index):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "question_mark")
        await pilot.pause()

    assert snap_compare(make_app(shared_index), terminal_size=SIZE, run_before=run_before)


# ---------------------------------------------------------------- facets, hints, keys

# Names as the gazetteer writes them: a facet value must also work as a filter (an alias
# such as "Rotherham Council" in a sidecar is stored as written but filtered as its
# canonical name, and matches nothing: a search-service matter, not the sidebar's).
AUTHORITIES = [
    "Barnsley Metropolitan Borough Council",
    "Bolton Council",
    "City of Bradford Metropolitan District Council",
    "Bury Council",
    "Calderdale Council",
    "City of Doncaster Council",
    "Kirklees Council",
    "Leeds City Council",
    "Manchester City Council",
    "Oldham Council",
    "Rochdale Council",
    "Rotherham Metropolitan Borough Council",
    "Salford City Council",
    "Sheffield City Council",
    "Stockport Council",
    "Tameside Council",
    "Trafford Council",
    "City of Wakefield Metropolitan District Council",
    "Wigan Council",
    "York Council",
]


@pytest.fixture(scope="module")
def many_authorities_index(tmp_path_factory) -> Path:
    """20 authorities (more than a facet group shows before "+N more"); Sheffield answers 3 times.

    One engine, as for the snapshots: these tests check how the sidebar draws, expands and
    hints, against the counts SearchService gives; that both engines give the same facet
    counts and filter results is test_engine_parity's."""
    root = tmp_path_factory.mktemp("facets")
    corpus = root / "corpus"
    for i, authority in enumerate(AUTHORITIES):
        for n in range(3 if authority.startswith("Sheffield") else 1):
            write_doc(
                corpus,
                f"r{i:02}-{n}.txt",
                f"{authority}\n\nA response about library opening hours, part {n}.",
                title=f"Library hours {i}",
                authority=authority,
                date=f"20{10 + i % 10}-03-0{1 + n}",
                outcome="disclosed",
                exemptions=[],
            )
    summary = build_index(corpus, root / "index", engine="whoosh")
    assert summary.failed == 0, summary.failures
    return root / "index"


def facet_rows(sidebar) -> list[str]:
    """The sidebar as drawn, one string per line on screen."""
    return ["".join(seg.text for seg in strip).rstrip() for strip in rendered_lines(sidebar)]


def assert_counts_drawn_right(sidebar, facets: dict) -> None:
    """Every value line ends with its count on the same line; no line holds a count alone."""
    expected = {(name, value): count for name, items in facets.items() for value, count in items}
    rows = facet_rows(sidebar)
    assert not [row for row in rows if row.strip().replace(",", "").isdigit()], rows  # a wrapped count
    values = [row for row in rows if row.lstrip().startswith(("○", "●"))]
    assert len(values) >= 10, rows
    for row in values:
        label, count = row.strip()[2:].rsplit(" ", 1)
        matches = [c for (_, value), c in expected.items() if value == label.strip() or label.strip().endswith("…")]
        assert int(count.replace(",", "")) in matches, (row, rows)


async def test_facet_counts_are_drawn_on_start_after_a_preview_and_after_clearing_filters(many_authorities_index):
    service = SearchService(many_authorities_index)
    app = FoiApp(service, measurements=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(FacetSidebar)
        everything = service.facet_counts()
        assert_counts_drawn_right(sidebar, everything)
        assert "○ Sheffield City Council" in facet_rows(sidebar)[1] and facet_rows(sidebar)[1].endswith(" 3")

        await type_query(pilot, "library")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.previewing
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.previewing
        assert_counts_drawn_right(sidebar, service.facet_counts("library"))

        await pilot.press("f")
        await highlight(pilot, sidebar, "authority\x1fSheffield City Council")
        await pilot.press("enter")
        await settle(pilot)
        assert sidebar.selected == {"authority": "Sheffield City Council"}
        await pilot.press("backspace")  # clear every filter
        await settle(pilot)
        assert sidebar.selected == {}
        assert_counts_drawn_right(sidebar, service.facet_counts("library"))


async def test_a_long_facet_group_ends_with_more_which_lists_the_rest(many_authorities_index):
    app = FoiApp(SearchService(many_authorities_index), measurements=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "library")  # every document
        sidebar = app.screen.query_one(FacetSidebar)
        ids = [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)]
        authorities = [i.split("\x1f")[1] for i in ids if i and i.startswith("authority\x1f")]
        assert len(authorities) == 12
        more = sidebar.get_option_index("more\x1fauthority")
        assert str(sidebar.get_option_at_index(more).prompt) == "  +8 more"
        assert ids.index("more\x1fauthority") == ids.index(f"authority\x1f{authorities[-1]}") + 1

        await pilot.press("down", "f")
        await highlight(pilot, sidebar, "more\x1fauthority")
        await pilot.press("enter")
        await pilot.pause()
        ids = [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)]
        shown = [i.split("\x1f")[1] for i in ids if i and i.startswith("authority\x1f")]
        assert sorted(shown) == sorted(AUTHORITIES) and "more\x1fauthority" not in ids
        assert sidebar.highlighted_option.id == f"authority\x1f{shown[12]}"  # the first of the rest
        await highlight(pilot, sidebar, "fewer\x1fauthority")
        await pilot.press("enter")  # "show fewer": back to 12, the cursor on "+8 more"
        await pilot.pause()
        assert sidebar.highlighted_option.id == "more\x1fauthority"
        await pilot.press("enter")
        await pilot.pause()
        picked = shown[12]
        assert sidebar.highlighted_option.id == f"authority\x1f{picked}"
        await pilot.press("enter")  # a value from the rest can be chosen
        await settle(pilot)
        assert sidebar.selected == {"authority": picked}
        results = app.screen.query_one(ResultsList)
        assert results.total == 1 and results.hit_at(0).authority == picked


async def test_the_hints_name_keys_that_do_what_they_say(many_authorities_index):
    app = FoiApp(SearchService(many_authorities_index), measurements=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = app.screen.query_one(ResultsList)
        # The start hint: the keys work from the search bar, where the focus is.
        assert results._hint[1] == "↓ or ⏎ moves to the results · ^p commands · f1 help · ^q quits"
        assert app.screen.search_bar.has_focus
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down")
        assert results.has_focus

        # No hits under a filter: the advice names the keys that clear it, from the search bar.
        await pilot.press("f")
        sidebar = app.screen.query_one(FacetSidebar)
        while sidebar.highlighted_option is None or not sidebar.highlighted_option.id.startswith("authority"):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert sidebar.selected
        await type_query(pilot, "zzqqxx")
        assert results.total == 0
        assert results._hint[-1] == "Try fewer words, a wildcard (foi*), or clear the filters: ↓, f, then ⌫."
        await pilot.press("down", "f", "backspace")
        await settle(pilot)
        assert sidebar.selected == {}
        await type_query(pilot, "zzqqxx")
        assert results._hint[-1] == "Try fewer words or a wildcard (foi*)."

        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("where", ["search bar", "results", "preview"])
async def test_typing_fast_after_ctrl_u_loses_no_keystroke(shared_index, where):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "prevent database")
        if where != "search bar":
            await pilot.press("down")
        if where == "preview":
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.previewing
        await pilot.press("ctrl+u", *"potholes repaired")  # no pause between keys
        await settle(pilot)
        assert app.screen.search_bar.value == "potholes repaired"
        assert app.screen.results.query == "potholes repaired"
        assert app.screen.query_one(ResultsList).hit_at(0).doc_id == "corpus/sheffield-2021-potholes.txt"


async def test_the_command_palette_offers_bindings_and_key_less_actions(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "database")
        await pilot.press("ctrl+p", *"newest first")  # a PALETTE action: it has no key
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert "sort: newest first" in status_text(app)
        await pilot.press("ctrl+p", *"Facets")  # a binding of the main screen (f)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(FacetSidebar).has_focus


async def test_an_empty_box_with_a_facet_picked_lists_documents_newest_first(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        facets = app.screen.query_one(FacetSidebar)
        facets.focus()
        target = facets.get_option_index("outcome\x1fdisclosed")
        while facets.highlighted != target:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        results = app.screen.query_one(ResultsList)
        hits = results.loaded_hits
        assert results.total == len(hits) >= 2
        assert {h.outcome for h in hits} == {"disclosed"}
        dates = [h.date or h.request_date for h in hits]
        assert dates == sorted(dates, reverse=True)


async def test_no_hit_with_every_word_shows_those_with_most_and_says_so(shared_index):
    app = make_app(shared_index)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "potholes zeppelin")
        results = app.screen.query_one(ResultsList)
        assert results.total >= 1
        assert results.hit_at(0).doc_id.endswith("sheffield-2021-potholes.txt")
        assert "no response has all of: potholes zeppelin; showing those with 'potholes'" in status_text(app)
