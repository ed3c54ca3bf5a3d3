"""The Textual terminal UI of foi-search: search as you type over a SearchService."""
