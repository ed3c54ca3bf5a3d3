"""Regular expressions compiled when first used rather than when their module is imported.

Python's re compiles a pattern in Python code, about 0.1-1 ms each: a module of many
patterns costs every process that imports it, though an indexing run with nothing to
extract applies none of them and one that extracts a file applies a part.
"""

from __future__ import annotations

import re


class LazyPattern:
    """re.compile(pattern, flags), done on first use. Each attribute asked for (a method
    such as `search`, or `pattern`) is then the compiled pattern's own, kept on this object,
    so a call after the first costs what a call on the compiled pattern does."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        # only for what this object does not hold yet: a method or attribute of the pattern
        if name.startswith("__") or name in ("_source", "_compiled"):
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """As re.compile, compiled when the pattern is first used."""
    return LazyPattern(pattern, flags)
