"""A one-shot `foi search` loads only what a search needs, and the Whoosh shortcuts that make
it cheaper (indexer/engines/whoosh/lean_import.py, matchers.py) give Whoosh's own results."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, build_index, write_doc, write_pdf

# Loaded by writing an index, never by reading one: a one-shot search pays for every import.
WRITING_ONLY = (
    "indexer.engines.whoosh.lanes",
    "indexer.engines.whoosh.manifest",
    "indexer.engines.whoosh.segments",
    "indexer.pipeline",
    "whoosh.writing",
    "sqlite3",
)
# Loaded by extracting documents or exporting results; a search reads stored fields only.
NOT_FOR_SEARCH = ("indexer.extract", "indexer.models", "indexer.export", "csv")
# Standard modules Whoosh imports at load time for things a search never does (see lean_import).
WHOOSH_EXTRAS = (
    "tempfile",
    "shutil",
    "hashlib",
    "html",
    "queue",
    "urllib.request",
    "asyncio",
    "calendar",
    "whoosh.highlight",
    "whoosh.lang.dmetaphone",
    "whoosh.automata.lev",
    "whoosh.collectors",
)

PROBE = """
import gc, json, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["foi", *argv]
from indexer.console import run
try:
    run()
except SystemExit as stop:
    code = stop.code
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}, f)
"""


def _one_shot(tmp_path, *argv) -> tuple[subprocess.CompletedProcess, dict]:
    """`foi ARGV` in a fresh interpreter; its output and the modules it had loaded at the end."""
    report = tmp_path / "modules.json"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    return run, json.loads(report.read_text())


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("oneshot")
    docs = root / "docs"
    for i in range(12):
        write_doc(
            docs,
            f"r{i:02}.txt",
            f"Prevent referrals {i}\n\nQ1. How many Prevent referrals were made in 2019?\n"
            f"A1. {i * 3} referrals were made. You may ask for an internal review.\n",
        )
    write_pdf(docs / "potholes.pdf", ["Road repairs in 2020", "Pothole claims paid by the council"])
    index = root / "index"
    summary = build_index(docs, index, engine="whoosh")
    assert summary.added == 13
    return index


@pytest.mark.parametrize("query", ["prevent referrals", '"internal review"'])
def test_a_one_shot_search_loads_nothing_that_writes(tmp_path, small_index, query):
    run, seen = _one_shot(tmp_path, "search", query, "--json", "--index", small_index)
    assert seen["code"] == 0, run.stderr
    hits = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(hits) == 10 and all(h["snippet"] for h in hits)
    loaded = set(seen["modules"])
    assert "indexer.engines.whoosh" in loaded  # it did search with Whoosh
    assert not loaded & set(WRITING_ONLY), sorted(loaded & set(WRITING_ONLY))
    assert not loaded & set(WHOOSH_EXTRAS), sorted(loaded & set(WHOOSH_EXTRAS))
    assert not loaded & set(NOT_FOR_SEARCH), sorted(loaded & set(NOT_FOR_SEARCH))


def test_a_hit_on_a_paged_kind_names_its_page_without_loading_an_extractor(tmp_path, small_index):
    run, seen = _one_shot(tmp_path, "search", "pothole", "--json", "--index", small_index)
    assert seen["code"] == 0, run.stderr
    (hit,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert hit["kind"] == "pdf" and hit["page"] == 2 and "Pothole" in hit["snippet"]
    assert not [name for name in seen["modules"] if name.startswith("indexer.extract")]


@pytest.mark.parametrize(("argv", "code"), [(["prevent"], 0), (["nothingmatchesthis"], 1), (["a AND ("], 2)])
def test_the_console_script_freezes_what_is_left_and_keeps_the_exit_code(tmp_path, small_index, argv, code):
    """The shutdown's garbage collection skips what a command leaves (indexer.console); the
    exit code and the output are the command's."""
    run, seen = _one_shot(tmp_path, "search", *argv, "--json", "--index", small_index)
    assert seen["code"] == code, run.stderr
    assert seen["frozen"] > 10_000
    assert bool(run.stdout) == (code == 0)
    assert ("foi: " in run.stderr) == (code == 2)


def test_modules_left_out_of_whooshs_import_are_the_real_ones_afterwards():
    """The stand-ins are gone once Whoosh is loaded: a later import gets the real module, and
    what Whoosh kept of them (its md5 of term keys, its HTML escape) computes the same."""
    code = """
import sys
import indexer.engines.whoosh
import hashlib, html, queue, random, shutil, tempfile
from whoosh.compat import htmlescape
from whoosh.filedb.filetables import md5_hash
assert all(getattr(m, "__file__", None) for m in (hashlib, html, queue, random, shutil, tempfile))
assert tempfile.gettempdir() and callable(shutil.rmtree) and hashlib.sha256(b"x").hexdigest()
for key in (b"", b"content\\x00prevent", bytes(range(256))):
    assert md5_hash(key) == int(hashlib.md5(key).hexdigest(), 16) & 0xFFFFFFFF
assert htmlescape("<a href='x'>&</a>", quote=False) == html.escape("<a href='x'>&</a>", quote=False)
import calendar, whoosh.automata.lev, whoosh.highlight, whoosh.lang.dmetaphone
from whoosh import searching
from whoosh.analysis import morph
from whoosh.codec import base
from whoosh.util import times
assert all(getattr(m, "__file__", None) for m in (calendar, whoosh.automata.lev, whoosh.highlight))
assert morph.double_metaphone("Thompson") == whoosh.lang.dmetaphone.double_metaphone("Thompson") == ("TMPSN", None)
assert searching.highlight.HtmlFormatter is whoosh.highlight.HtmlFormatter
assert base.lev.levenshtein_automaton is whoosh.automata.lev.levenshtein_automaton
assert times.calendar.timegm((2020, 1, 2, 0, 0, 0)) == calendar.timegm((2020, 1, 2, 0, 0, 0)) == 1577923200
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.stdout.strip() == "ok", run.stderr


def test_a_stand_in_forwards_to_the_real_module_and_leaves_dunders_alone():
    from indexer.engines.whoosh.lean_import import _stand_in

    name = "colorsys"  # any standard module this process may not have loaded
    sys.modules.pop(name, None)
    stand_in = _stand_in(name, {"given": 1})
    sys.modules[name] = stand_in
    try:
        assert stand_in.given == 1
        with pytest.raises(AttributeError):
            stand_in.__path__  # noqa: B018 - the import system's probe must not load the module
        assert sys.modules[name] is stand_in
        assert stand_in.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)  # loads and uses the real one
        assert sys.modules[name] is not stand_in and sys.modules[name].__file__
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


# ---------------------------------------------------------------- matchers.py against Whoosh's own


@pytest.fixture(scope="module")
def ram_searcher(tmp_path_factory):
    """A Whoosh index of 600 documents over a small vocabulary: every word has postings in
    several blocks (Whoosh writes 128 per block), and phrases of any two words occur.

    In a folder of its own, not RamStorage: a RamStorage writer's temporary files go to the
    fixed folder $TMPDIR/MAIN.tmp, which another xdist worker's writer may empty meanwhile."""
    from whoosh import fields
    from whoosh.filedb.filestore import FileStorage

    import indexer.engines.whoosh  # noqa: F401 - the patched matchers

    rnd = random.Random(5)
    words = [f"w{i}" for i in range(12)]
    storage = FileStorage(str(tmp_path_factory.mktemp("matchers"))).create()
    ix = storage.create_index(fields.Schema(body=fields.TEXT(phrase=True)))
    writer = ix.writer()
    for _ in range(600):
        writer.add_document(body=" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 30))))
    writer.commit()
    with ix.searcher() as searcher:
        yield searcher, words


def _both(run):
    """run() with Whoosh's own matcher methods, then with matchers.py's."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.query.spans import SpanNear2

    from indexer.engines.whoosh import matchers

    with pytest.MonkeyPatch.context() as m:
        m.setattr(W3LeafMatcher, "skip_to", matchers._whoosh_skip_to)
        m.setattr(SpanNear2.SpanNear2Matcher, "_get_spans", matchers._whoosh_get_spans)
        theirs = run()
    assert W3LeafMatcher.skip_to is matchers.skip_to
    return theirs, run()


@settings(max_examples=40, deadline=None)
@given(targets=st.lists(st.integers(0, 620), min_size=1, max_size=30), word=st.integers(0, 11))
def test_skipping_lands_where_whooshs_skip_lands(ram_searcher, targets, word):
    searcher, words = ram_searcher
    reader = searcher.reader()

    def run():
        matcher = reader.postings("body", words[word])
        landed = []
        for target in sorted(targets):
            if not matcher.is_active():
                break
            matcher.skip_to(target)
            landed.append(matcher.id() if matcher.is_active() else None)
        return landed

    theirs, ours = _both(run)
    assert ours == theirs


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.integers(0, 11), min_size=2, max_size=4), slop=st.integers(1, 4))
def test_phrases_match_score_and_span_as_whooshs(ram_searcher, picks, slop):
    from whoosh import query

    searcher, words = ram_searcher
    phrase = query.Phrase("body", [words[i] for i in picks], slop=slop)

    def run():
        hits = searcher.search(phrase, limit=None)
        spans = []
        matcher = phrase.matcher(searcher)
        while matcher.is_active():
            spans.append((matcher.id(), [(s.start, s.end) for s in matcher.spans()]))
            matcher.next()
        return [(h.docnum, h.score) for h in hits], spans

    theirs, ours = _both(run)
    assert ours[0] == theirs[0]
    # Whoosh sorts spans by start only: the order of two spans with one start is arbitrary
    assert [(doc, sorted(s)) for doc, s in ours[1]] == [(doc, sorted(s)) for doc, s in theirs[1]]
    assert any(theirs[1]) or not theirs[0]


def test_one_search_runs_without_the_cyclic_collector_and_gives_it_back(small_index, monkeypatch, tmp_path):
    import gc

    from click.testing import CliRunner

    from indexer.cli import main
    from indexer.search import SearchService

    seen = []
    search = SearchService.search

    def recording(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return search(self, *args, **kwargs)

    monkeypatch.setattr(SearchService, "search", recording)
    lines = tmp_path / "queries.txt"
    lines.write_text("prevent\nreferrals\n", encoding="utf-8")
    assert gc.isenabled()
    one = CliRunner().invoke(main, ["search", "prevent", "--json", "--index", str(small_index)])
    assert one.exit_code == 0 and gc.isenabled()
    batch = CliRunner().invoke(main, ["search", "--queries", str(lines), "--json", "--index", str(small_index)])
    assert batch.exit_code == 0 and gc.isenabled()
    bad = CliRunner().invoke(main, ["search", "a AND (", "--index", str(small_index)])
    assert bad.exit_code == 2 and gc.isenabled()
    assert seen == [False, True, True, False]  # one query pauses it (a bad one too); a batch keeps it
