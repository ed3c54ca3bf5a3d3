"""Whoosh imported without the modules it loads but foi never calls: a one-shot search pays
for every import, and these were a third of Whoosh's.

At import, Whoosh pulls in `urllib.request` (for a download helper; with it http.client,
ssl and the email package), the `cached_property` distribution (which imports asyncio, for
one property of a segment reader) and its English morphology tables (for the Variations
query, which foi does not build). While Whoosh is first imported, stand-ins take their
place in sys.modules: the helper and the morphology import the real module when called,
and the property is the standard library's. Afterwards the stand-ins are taken out again,
so any other importer gets the real modules.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types


def _deferred(module: str, name: str):
    """A function that imports `module` and calls its `name` when first called."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call


STAND_INS = {
    "urllib.request": {"urlretrieve": _deferred("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _deferred("whoosh.lang.morph_en", "variations")},
}
# The Whoosh modules foi uses; importing them is what loads the modules above.
WHOOSH_MODULES = ("whoosh.query", "whoosh.reading", "whoosh.searching", "whoosh.index", "whoosh.sorting")


def import_whoosh() -> None:
    """Import Whoosh's modules with the stand-ins in place (nothing to do once imported)."""
    if all(name in sys.modules for name in WHOOSH_MODULES):
        return
    placed = {}
    for name, attributes in STAND_INS.items():
        if name not in sys.modules:
            stand_in = types.ModuleType(
                name, "a stand-in while Whoosh is imported (see indexer.engines.whoosh.lean_import)"
            )
            stand_in.__dict__.update(attributes)
            sys.modules[name] = placed[name] = stand_in
    try:
        for name in WHOOSH_MODULES:
            importlib.import_module(name)
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
