"""Patterns compiled on first use (indexer.lazyre) match exactly what re.compile's do, and the
modules of FOI metadata and boilerplate compile none of theirs when imported."""

from __future__ import annotations

import re
import subprocess
import sys

from indexer.lazyre import LazyPattern, lazy_compile

TEXT = "Ref FOI-2024/117. Dear Ms Smith,\nWe hold 1,204 records; see section 40(2) and s.43.\nNCND applies."


def test_a_lazy_pattern_answers_as_the_compiled_one():
    for source, flags in [
        (r"\b(\d[\d,]*)\b", 0),
        (r"(?P<sec>section|s\.)\s*(?P<num>\d+(?:\(\d+\))?)", re.I),
        (r"^(\w+)", re.M),
        (r"ncnd", re.I),
    ]:
        plain, lazy = re.compile(source, flags), lazy_compile(source, flags)
        assert [m.span() for m in lazy.finditer(TEXT)] == [m.span() for m in plain.finditer(TEXT)]
        assert lazy.findall(TEXT) == plain.findall(TEXT)
        assert lazy.sub("#", TEXT) == plain.sub("#", TEXT)
        assert lazy.split(TEXT) == plain.split(TEXT)
        assert bool(lazy.search(TEXT, 20)) == bool(plain.search(TEXT, 20))
        assert [m and m.span() for m in (lazy.match(TEXT), lazy.fullmatch(TEXT))] == [
            m and m.span() for m in (plain.match(TEXT), plain.fullmatch(TEXT))
        ]
        assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (
            plain.pattern,
            plain.flags,
            plain.groups,
            plain.groupindex,
        )


def test_it_compiles_once_on_first_use_and_keeps_what_it_used():
    lazy = LazyPattern(r"\d+")
    assert lazy._compiled is None  # not compiled by being made
    assert lazy.search("abc 12").group(0) == "12"
    compiled = lazy._compiled
    assert isinstance(compiled, re.Pattern)
    assert lazy.search == compiled.search and "search" in vars(lazy)  # the next call is the pattern's own
    lazy.findall("1 2")
    assert lazy._compiled is compiled


def test_a_modules_name_for_it_becomes_the_compiled_pattern():
    # the module's own calls then go to re directly, with nothing in between
    namespace: dict = {}
    exec(
        "from indexer.lazyre import lazy_compile\n"
        "_WORD = lazy_compile(r'[a-z]+')\n"
        "_DIGITS = lazy_compile(r'\\d+')\n"
        "_HELD = (_WORD,)\n"
        "def words(text):\n"
        "    return _WORD.findall(text)\n",
        namespace,
    )
    held = namespace["_WORD"]
    assert isinstance(held, LazyPattern) and isinstance(namespace["_DIGITS"], LazyPattern)
    assert namespace["words"]("ab 12 cd") == ["ab", "cd"]
    assert namespace["_WORD"] is held._compiled and isinstance(namespace["_WORD"], re.Pattern)
    assert isinstance(namespace["_DIGITS"], LazyPattern)  # not used yet: not compiled
    assert namespace["_HELD"][0] is held and held.findall("x y") == ["x", "y"]  # a tuple keeps the object


def test_a_bad_pattern_fails_when_used():
    lazy = lazy_compile(r"(unclosed")
    try:
        lazy.search("x")
    except re.error:
        return
    raise AssertionError("a bad pattern compiled")


def test_importing_metadata_and_boilerplate_compiles_none_of_their_patterns():
    # a run with nothing to extract imports boilerplate (its paragraph counts); the
    # metadata's patterns are compiled by the first document that needs each
    code = (
        "import re, sys\n"
        "seen = []\n"
        "real = re._compile\n"
        "def spy(pattern, flags):\n"
        "    frame = sys._getframe(1)\n"
        "    while frame and frame.f_code.co_filename.endswith(('re/__init__.py', 'lazyre.py')):\n"
        "        frame = frame.f_back\n"
        "    name = frame.f_code.co_filename if frame else ''\n"
        "    if name.endswith(('boilerplate.py', 'query.py')) or '/metadata/' in name:\n"
        "        seen.append(frame.f_code.co_filename)\n"
        "    return real(pattern, flags)\n"
        "re._compile = spy\n"
        "import indexer.pipeline, indexer.query\n"
        "import indexer.metadata, indexer.boilerplate, indexer.metadata.outcome, indexer.metadata.qa\n"
        "import indexer.metadata.authorities, indexer.metadata.dates, indexer.metadata.exemptions\n"
        "print(sorted(set(seen)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
