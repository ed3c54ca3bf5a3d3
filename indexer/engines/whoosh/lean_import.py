"""Whoosh imported without the modules it loads but foi never calls: a one-shot search pays
for every import, and these were a third of Whoosh's.

At import, Whoosh pulls in `urllib.request` (for a download helper; with it http.client,
ssl and the email package), the `cached_property` distribution (which imports asyncio, for
one property of a segment reader), its English morphology tables (for the Variations
query, which foi does not build), `tempfile` and `shutil` (with bz2 and lzma: for a
temporary storage and for copying files), `queue` and `random` (for writing), `html` and
its highlighter (foi makes its own snippets), `hashlib` (OpenSSL: for the md5 of its term
tables, which the interpreter's own md5 computes alike), its double metaphone (a phonetic
filter foi's analysers do not use), its Levenshtein automata (for fuzzy terms and
spelling, which most searches never reach) and `calendar` (for date fields foi does not
have).
While Whoosh is first imported, stand-ins take their place in sys.modules: each imports
the real module when one of its attributes is first used (the helper, the morphology and
html's escape when called), and the property is the standard library's. Afterwards the
stand-ins are taken out again, so any other importer gets the real modules.
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


def _md5():
    """md5 without OpenSSL when the interpreter has its own (the same digests)."""
    try:
        from _md5 import md5
    except ImportError:
        return _deferred("hashlib", "md5")
    return md5


STAND_INS = {
    "urllib.request": {"urlretrieve": _deferred("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _deferred("whoosh.lang.morph_en", "variations")},
    "tempfile": {},
    "shutil": {"copyfileobj": _deferred("shutil", "copyfileobj")},
    "queue": {},
    "random": {},
    "html": {"escape": _deferred("html", "escape")},
    "hashlib": {"md5": _md5()},
    "whoosh.lang.dmetaphone": {"double_metaphone": _deferred("whoosh.lang.dmetaphone", "double_metaphone")},
    "whoosh.highlight": {},
    "whoosh.automata.lev": {},
    "calendar": {},
}
# The Whoosh modules foi uses; importing them is what loads the modules above.
WHOOSH_MODULES = (
    "whoosh.query",
    "whoosh.reading",
    "whoosh.searching",
    "whoosh.index",
    "whoosh.sorting",
    "whoosh.codec.whoosh3",
)


def _stand_in(name: str, attributes: dict) -> types.ModuleType:
    """A module that holds `attributes` and imports the real `name` for any other attribute."""
    stand_in = types.ModuleType(name, "a stand-in while Whoosh is imported (see indexer.engines.whoosh.lean_import)")
    stand_in.__dict__.update(attributes)

    def __getattr__(attribute: str):
        if attribute.startswith("__"):  # the import system probing (__path__, __spec__...)
            raise AttributeError(attribute)
        if sys.modules.get(name) is stand_in:  # used while Whoosh is imported: needed after all
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)

    stand_in.__getattr__ = __getattr__
    return stand_in


def import_whoosh() -> None:
    """Import Whoosh's modules with the stand-ins in place (nothing to do once imported)."""
    if all(name in sys.modules for name in WHOOSH_MODULES):
        return
    placed = {}
    for name, attributes in STAND_INS.items():
        if name not in sys.modules:
            sys.modules[name] = placed[name] = _stand_in(name, attributes)
    try:
        for name in WHOOSH_MODULES:
            importlib.import_module(name)
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
