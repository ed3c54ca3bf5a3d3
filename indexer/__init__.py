"""foi-search engine: extraction, FOI metadata, the Whoosh index and the search service."""

__version__ = "0.1.0"
