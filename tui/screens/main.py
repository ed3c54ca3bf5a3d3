"""The main screen: search bar, facets, results, preview and status bar, and the workers behind them.

Every call to the search service runs through tui.stoppable in its own thread, awaited by
an async worker: a newer query cancels the older worker and that stops its search, Esc
stops a running search, and a search over the app's time budget is stopped with a message.
Each query also gets a generation number; a result that comes back for an older generation
is dropped, so a slow query that finishes after a newer fast one never replaces it.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input

from indexer.search import SORTS, Filters, Hit, QueryError, Results
from indexer.textsafe import one_line
from tui.messages import (
    DocumentLoaded,
    ExportFinished,
    FacetsLoaded,
    PageLoaded,
    ReindexFinished,
    ReindexProgress,
    SearchCompleted,
    SearchFailed,
)
from tui.keys import key_for
from tui.stoppable import CallStopped, call_stoppable
from tui.widgets import FacetSidebar, PreviewPane, ResultsList, SearchBar, StatusBar
from tui.widgets.facet_sidebar import describe
from tui.widgets.results_list import PAGE_SIZE

SORT_LABELS = {"relevance": "relevance", "-date": "newest first", "date": "oldest first"}


def export_path(folder, query: str):
    """A new file name in `folder` for an export of `query`: foi-<words>-<time>.csv."""
    words = "-".join(re.findall(r"[a-z0-9]+", query.lower()))[:40].strip("-") or "all"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(folder) / f"foi-{words}-{stamp}.csv"
    number = 1
    while path.exists():
        number += 1
        path = Path(folder) / f"foi-{words}-{stamp}-{number}.csv"
    return path.resolve()


class MainScreen(Screen):
    """Search as you type over the index."""

    HELP_GROUP = "Main screen"

    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        # As in a shell: from anywhere, a new query. Inside the search bar the Input's own
        # Ctrl+U (delete to the start) runs instead; elsewhere the typing that follows
        # would otherwise land on the results as commands.
        Binding("ctrl+u", "new_query", "New query", show=False),
        Binding("f", "toggle_facets", "Facets"),
        Binding("o", "open_file", "Open file"),
        Binding("y", "copy_path", "Copy path"),
        Binding("s", "statistics", "Stats", tooltip="Outcomes, exemptions and response times of the current results"),
        Binding("e", "export", "Export", tooltip="Write every current result to a CSV file"),
    ]

    # Actions without a key, offered in the command palette next to every binding.
    PALETTE = [
        ("Sort by relevance", "sort('relevance')", "Best matches first"),
        ("Sort by date, newest first", "sort('-date')", "Most recent responses first; undated last"),
        ("Sort by date, oldest first", "sort('date')", "Oldest responses first; undated last"),
        ("Toggle sort (relevance / date)", "toggle_sort", "Switch between relevance and newest first"),
        ("Query syntax help", "syntax_help", "Phrases, AND/OR/NOT, fields, wildcards, fuzzy, date ranges"),
        ("Clear filters", "clear_filters", "Unselect every facet value"),
    ]

    sort: reactive[str] = reactive("relevance", init=False)
    previewing: reactive[bool] = reactive(False, init=False)
    facets_visible: reactive[bool] = reactive(True, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0
        self.query_text = ""
        self.filters = Filters()
        self.results: Results | None = None  # the last good results
        self._preview_terms: list[str] = []

    @property
    def service(self):
        return self.app.service

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search")
        with Horizontal(id="body"):
            yield FacetSidebar(id="facets")
            yield ResultsList(id="results")
            yield PreviewPane(id="preview")
        yield StatusBar(measurements=self.app.measurements, id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SearchBar).focus()
        self._update_context()
        self._stats_worker()
        self.run_search()

    # ------------------------------------------------------------ widgets
    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def results_list(self) -> ResultsList:
        return self.query_one(ResultsList)

    @property
    def preview(self) -> PreviewPane:
        return self.query_one(PreviewPane)

    @property
    def facets(self) -> FacetSidebar:
        return self.query_one(FacetSidebar)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def current_hit(self) -> Hit | None:
        if self.previewing and self.preview.hit is not None:
            return self.preview.hit
        return self.results_list.current_hit

    # ------------------------------------------------------------ searching
    def run_search(self) -> None:
        """Search for the current text, filters and sort (a new generation)."""
        self.generation += 1
        if not self.query_text.strip() and not self.filters.active():
            self.results = None
            self.results_list.show_hint("Loading…")
            self.status.set_results(None, None)
            self._overview_worker(self.generation, self.filters)
            return
        self._search_worker(self.generation, self.query_text, self.filters, self.sort)

    @property
    def searching(self) -> bool:
        """A search (or the overview of an empty query) is running."""
        return any(w.is_running for w in self.workers if w.group == "search")

    def stop_search(self) -> None:
        """Esc while a search runs: stop it and say so; the last good results stay."""
        self.workers.cancel_group(self, "search")
        self.status.set_error("Search stopped (Esc). Edit the query to search again.")

    async def _call(self, func, *args, **kwargs):
        return await call_stoppable(func, *args, budget=self.app.search_budget, **kwargs)

    def _stopped_message(self, exc: CallStopped) -> str:
        return (
            f"Search {exc}: the query is too costly (a wildcard or fuzzy term matching too many "
            "words?). Narrow it and try again."
        )

    @work(exclusive=True, group="search")
    async def _search_worker(self, generation: int, text: str, filters: Filters, sort: str) -> None:
        try:
            results = await self._call(
                self.service.search, text, filters=filters, sort=sort, limit=PAGE_SIZE, facets=True
            )
        except QueryError as exc:
            self.post_message(SearchFailed(generation, text, str(exc)))
        except CallStopped as exc:
            self.post_message(SearchFailed(generation, text, self._stopped_message(exc)))
        else:
            self.post_message(SearchCompleted(generation, results))

    @work(exclusive=True, group="search")
    async def _overview_worker(self, generation: int, filters: Filters) -> None:
        try:
            facets = await self._call(self.service.facet_counts, None, filters)
            stats = await self._call(self.service.stats)
        except QueryError as exc:
            self.post_message(SearchFailed(generation, "", str(exc)))
        except CallStopped as exc:
            self.post_message(SearchFailed(generation, "", self._stopped_message(exc)))
        else:
            self.post_message(FacetsLoaded(generation, facets, stats.documents))

    @work(group="pages")
    async def _page_worker(self, generation: int, page: int, text: str, filters: Filters, sort: str) -> None:
        try:
            results = await self._call(
                self.service.search,
                text,
                filters=filters,
                sort=sort,
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
                facets=False,
            )
        except (QueryError, CallStopped):
            return
        self.post_message(PageLoaded(generation, page, results.hits))

    @work(exclusive=True, group="document")
    async def _document_worker(self, hit: Hit, terms: list[str]) -> None:
        try:
            document = await self._call(self.service.document, hit.doc_id)
            if document is None:
                return
            spans = await self._call(lambda: [self.service.highlight_spans(page, terms) for page in document.pages])
        except CallStopped as exc:
            self.status.set_error(f"Loading the document was {exc}.")
            return
        self.post_message(DocumentLoaded(hit, document, spans))

    @work(exclusive=True, group="stats")
    async def _stats_worker(self) -> None:
        try:
            stats = await self._call(self.service.stats)
        except CallStopped:
            return
        self.status.set_index(stats.documents, stats.index_bytes)

    @on(SearchBar.QueryChanged)
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self.query_text = event.query
        self.run_search()

    @on(SearchCompleted)
    def _search_completed(self, event: SearchCompleted) -> None:
        if event.generation != self.generation:
            return  # an older query finished after a newer one started
        self.results = event.results
        self.results_list.show_results(event.results, event.generation, self._no_hits_advice())
        self.facets.show_facets(event.results.facets)
        self.status.set_results(event.results.total, event.results.seconds, event.results.fallback)
        if not event.results.total and self.previewing:
            self.close_preview()

    @on(SearchFailed)
    def _search_failed(self, event: SearchFailed) -> None:
        if event.generation == self.generation:
            self.status.set_error(event.error)

    @on(FacetsLoaded)
    def _facets_loaded(self, event: FacetsLoaded) -> None:
        if event.generation != self.generation:
            return
        self.facets.show_facets(event.facets)
        app = self.app
        self.results_list.show_hint(
            f'Type to search {event.documents:,} documents: words, "a phrase", authority:MPS, exemption:s40, date:2019.',
            # Keys that work from the search bar, where the typing is (? and q would be typed).
            f"{key_for(app, SearchBar, 'to_results', 'down')} or {key_for(app, Input, 'submit')} moves to the results"
            f" · {app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, ''))} commands"
            f" · {key_for(app, type(app), 'help', 'f1')} help · {key_for(app, App, 'quit')} quits",
        )

    def _no_hits_advice(self) -> str:
        if not self.facets.selected:
            return "Try fewer words or a wildcard (foi*)."
        # From the search bar or the results: to the results, to the facets, clear them all.
        keys = (
            key_for(self.app, SearchBar, "to_results", "down"),
            key_for(self.app, MainScreen, "toggle_facets"),
            key_for(self.app, FacetSidebar, "clear_all", "backspace"),
        )
        return "Try fewer words, a wildcard (foi*), or clear the filters: {}, {}, then {}.".format(*keys)

    @on(ResultsList.PageNeeded)
    def _page_needed(self, event: ResultsList.PageNeeded) -> None:
        if event.generation == self.generation and self.results is not None:
            self._page_worker(event.generation, event.page, self.results.query, self.filters, self.sort)

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        self.results_list.add_page(event.generation, event.page, event.hits)

    @on(FacetSidebar.Changed)
    def _facets_changed(self, event: FacetSidebar.Changed) -> None:
        self.filters = event.filters
        self._update_context()
        self.run_search()

    def _update_context(self) -> None:
        self.status.set_context(SORT_LABELS.get(self.sort, self.sort), describe(self.facets.selected))

    # ------------------------------------------------------------ preview
    @on(ResultsList.Chosen)
    def _chosen(self, event: ResultsList.Chosen) -> None:
        self.open_preview(event.hit)

    @on(ResultsList.Highlighted)
    def _highlighted(self, event: ResultsList.Highlighted) -> None:
        """While the preview is open it follows the cursor (and a new query's terms)."""
        if not self.previewing:
            return
        shown = self.preview.hit
        if shown is None or shown.doc_id != event.hit.doc_id or self._preview_terms != self._terms():
            self._load_document(event.hit)

    def open_preview(self, hit: Hit | None = None) -> None:
        hit = hit or self.results_list.current_hit
        if hit is None:
            return
        self.previewing = True
        self._load_document(hit)
        self.preview.focus()

    def _terms(self) -> list[str]:
        return self.results.terms if self.results is not None else []

    def _load_document(self, hit: Hit) -> None:
        self._preview_terms = self._terms()
        self._document_worker(hit, self._preview_terms)

    @on(DocumentLoaded)
    def _document_loaded(self, event: DocumentLoaded) -> None:
        if self.previewing:
            self.preview.show_document(event.hit, event.document, event.spans)

    @on(PreviewPane.Closed)
    def close_preview(self) -> None:
        self.previewing = False
        self.preview.clear()
        self.results_list.focus()

    def watch_previewing(self, previewing: bool) -> None:
        self.set_class(previewing, "-previewing")

    def watch_facets_visible(self, visible: bool) -> None:
        self.set_class(not visible, "-hide-facets")

    # ------------------------------------------------------------ focus moves
    @on(SearchBar.Leave)
    def _leave_search(self, event: SearchBar.Leave) -> None:
        if event.escape and self.searching:
            self.stop_search()  # Esc stops a running search first; a second Esc moves on
            return
        self.results_list.focus()

    @on(ResultsList.Back)
    @on(FacetSidebar.Back)
    def _back_to_search(self, event) -> None:
        if isinstance(event, FacetSidebar.Back):
            self.results_list.focus()
        else:
            self.search_bar.focus()

    # ------------------------------------------------------------ actions
    def action_focus_search(self) -> None:
        self.search_bar.focus()

    def action_new_query(self) -> None:
        if self.previewing:
            self.close_preview()
        self.search_bar.value = ""
        self.search_bar.focus()

    def action_toggle_facets(self) -> None:
        """Show and focus the facets; from inside them, hide them again."""
        if self.previewing:
            self.close_preview()
        if self.facets_visible and self.facets.has_focus:
            self.facets_visible = False
            self.results_list.focus()
        else:
            self.facets_visible = True
            self.facets.focus()

    def action_open_file(self) -> None:
        hit = self.current_hit
        if hit is None:
            self.app.bell()
            return
        self.app.open_document(hit)

    def action_copy_path(self) -> None:
        hit = self.current_hit
        if hit is None:
            self.app.bell()
            return
        self.app.copy_to_clipboard(hit.path)
        self.notify(f"Copied {one_line(hit.path)}", title="Path copied", markup=False)

    def action_sort(self, sort: str) -> None:
        if sort in SORTS:
            self.sort = sort

    def action_toggle_sort(self) -> None:
        self.sort = "-date" if self.sort == "relevance" else "relevance"

    def watch_sort(self, sort: str) -> None:
        self._update_context()
        self.notify(f"Sorted by {SORT_LABELS[sort]}", markup=False, timeout=2)
        self.run_search()

    def action_syntax_help(self) -> None:
        from tui.screens.syntax import SyntaxScreen

        self.app.push_screen(SyntaxScreen())

    def action_clear_filters(self) -> None:
        self.facets.clear()

    # ------------------------------------------------------------ analysis
    def action_statistics(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.query_text, self.filters))

    @on(ResultsList.CompareRequested)
    def _compare_requested(self, event: ResultsList.CompareRequested) -> None:
        from tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(event.hit, self.query_text, self.filters))

    def action_export(self) -> None:
        self.notify("Exporting the current results…", markup=False, timeout=2)
        self._export_worker(self.query_text, self.filters, self.sort)

    @work(thread=True, exclusive=True, group="export")
    def _export_worker(self, query: str, filters: Filters, sort: str) -> None:
        from indexer.analysis.records import matching_hits
        from indexer.export import write_csv

        target = export_path(self.app.export_dir, query)
        try:
            hits = matching_hits(self.service, query, filters, snippets=True)
            with open(target, "w", encoding="utf-8", newline="") as stream:
                rows = write_csv(hits, stream)
        except (QueryError, OSError) as exc:
            self.post_message(ExportFinished(target, error=str(exc) or type(exc).__name__))
            return
        self.post_message(ExportFinished(target, rows))

    @on(ExportFinished)
    def _export_finished(self, event: ExportFinished) -> None:
        if event.error:
            self.notify(f"Export failed: {one_line(event.error)}", severity="error", markup=False)
        else:
            self.notify(
                f"Exported {event.rows} results to {one_line(event.path)}", title="CSV written", markup=False, timeout=8
            )

    # ------------------------------------------------------------ re-index
    def reindex_progress(self, event: ReindexProgress) -> None:
        self.status.progress(event.done, event.total)

    def reindex_finished(self, event: ReindexFinished) -> None:
        self.status.progress_done()
        self._stats_worker()
        if event.summary is not None:
            self.run_search()
