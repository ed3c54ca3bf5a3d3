"""One widget per module: search bar, results list, preview pane, facet sidebar, status bar."""

from tui.widgets.facet_sidebar import FacetSidebar
from tui.widgets.preview import PreviewPane
from tui.widgets.results_list import ResultsList
from tui.widgets.search_bar import SearchBar
from tui.widgets.status_bar import StatusBar

__all__ = ["FacetSidebar", "PreviewPane", "ResultsList", "SearchBar", "StatusBar"]
