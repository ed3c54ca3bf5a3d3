"""Regular expressions compiled when first used rather than when their module is imported.

Python's re compiles a pattern in Python code, about 0.1-1 ms each: a module of many
patterns costs every process that imports it, though an indexing run with nothing to
extract applies none of them and one that extracts a file applies a part.

Once compiled, a pattern bound to a name of the module that made it is replaced there by
the compiled pattern itself, so the module's own code then calls re directly: the metadata
rules call their patterns some thousands of times per document, and a wrapper in between
cost a tenth of a worker's time. A pattern held elsewhere (in a tuple, a dict, another
module's import of it) stays this object, whose methods are then the compiled pattern's.
"""

from __future__ import annotations

import re
import sys

# id of a module's namespace -> {id of a LazyPattern bound there: the names bound to it},
# made when the module's first pattern is compiled (one look through its names, not one per pattern)
_BOUND: dict[int, dict[int, list[str]]] = {}
# the compiled pattern's methods a LazyPattern offers (each its own once first called)
_METHODS = frozenset({"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"})


class LazyPattern:
    """re.compile(pattern, flags), done on first use (see the module's docstring)."""

    def __init__(self, pattern: str, flags: int = 0, namespace: dict | None = None):
        self._source = (pattern, flags)
        self._namespace = namespace
        self._compiled: re.Pattern | None = None

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
            if self._namespace is not None:
                self._rebind(self._namespace, self._compiled)
        return self._compiled

    def _rebind(self, namespace: dict, compiled: re.Pattern) -> None:
        bound = _BOUND.get(id(namespace))
        if bound is None:
            bound = _BOUND[id(namespace)] = {}
            for name, value in list(namespace.items()):
                if isinstance(value, LazyPattern):
                    bound.setdefault(id(value), []).append(name)
        for name in bound.pop(id(self), ()):
            if namespace.get(name) is self:
                namespace[name] = compiled

    def _method(self, name: str):
        method = getattr(self.compiled(), name)
        setattr(self, name, method)  # the next call goes straight to the compiled pattern
        return method

    def __getattr__(self, name: str):
        # Only for what the instance does not have: a method asked for the first time.
        if name in _METHODS:
            return self._method(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def pattern(self) -> str:
        return self._source[0]

    @property
    def flags(self) -> int:
        return self.compiled().flags

    @property
    def groups(self) -> int:
        return self.compiled().groups

    @property
    def groupindex(self):
        return self.compiled().groupindex

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """As re.compile, compiled when the pattern is first used; called at a module's top
    level, the module's name for it is then rebound to the compiled pattern."""
    return LazyPattern(pattern, flags, sys._getframe(1).f_globals)
