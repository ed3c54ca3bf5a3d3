"""Any string typed into the search box or CLI gives results or a clear QueryError, never a crash.

Well over 2,000 query strings: raw unicode, strings built from the pieces of the query
language (fields, operators, brackets, quotes, ranges, wildcards, fuzzy and boost marks) in
every wrong order, and huge ones, come from a seeded generator (drawn by hypothesis, they cost
more CPU than the searches they fed); hypothesis draws the filters, sorts, limits and facets.
Each string is tried on every installed engine in turn.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.search import Filters, QueryError, Results, SearchService, USER_FIELDS
from tests.conftest import available_engines

DOCS = {
    "police.txt": (
        "South Yorkshire Police\nFreedom of Information request 20191213\n"
        "Date: 18 June 2019\nYou asked about the Prevent database. We hold some information.\n"
        "Some of it is exempt under section 40(2) and section 31(1)(a).\n"
    ),
    "council.txt": (
        "Leeds City Council\nReference: FOI-2020-0042\n20 March 2020\n"
        "Request: parking fines issued in 2019.\nThe information is not held.\n"
    ),
    "nhs.md": "# NHS trust response\n\n**Question 1**: waiting lists?\n\n**Answer**: disclosed below, 4,012 patients.\n",
    "unicode.txt": "Caf\u00e9 r\u00e9sum\u00e9 na\u00efve \u00fcber \u0416\u0443\u0440\u043d\u0430\u043b \u65e5\u672c\u8a9e \U0001f600 emoji\n",
}


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> dict[str, SearchService]:
    """engine name -> a service over the same four documents indexed by that engine."""
    from indexer.pipeline import RunOptions, run_index

    base = tmp_path_factory.mktemp("fuzz")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "council.txt.meta.json").write_text(json.dumps({"exemptions": ["s12(1)"], "outcome": "refused"}))
    out = {}
    for engine in available_engines():
        summary = run_index([corpus], base / engine, RunOptions(jobs=1, engine=engine))
        assert summary.added == len(DOCS)
        out[engine] = SearchService(base / engine)
        assert out[engine].engine_name == engine
    yield out
    for svc in out.values():
        svc.close()


FIELDS = sorted(USER_FIELDS | {"exemptions", "ref", "text", "body", "nosuchfield", "http", "content_", "Date"})
WORDS = [
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "ANDMAYBE",
    "and",
    "or",
    "not",
    "TO",
    "to",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    "<=",
    ">=",
    "=",
    '"',
    "'",
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^3",
    "^-1",
    ":",
    "::",
    "-",
    "+",
    "/",
    "\\",
    "\\\\",
    "!",
    "&&",
    "||",
    "#",
    "%",
    "\x00",
    "\t",
    "\n",
    "\u2028",
    "\u200b",
    "prevent",
    "police",
    "parking",
    "s40(2)",
    "s40",
    "31(1)(a)",
    "section",
    "2019",
    "2019-06-18",
    "2019-13-45",
    "0000-00-00",
    "yesterday",
    "-3",
    "1e308",
    "NaN",
    "caf\u00e9",
    "\u65e5\u672c",
    "\U0001f600",
    "\ufffd",
    "\uffff",
    "*:*",
    "*",
    "?*",
    "a*b?c",
    "~~",
    '""',
    "\udcff",  # a non-UTF-8 byte in a command-line argument arrives as a lone surrogate
]
RANGE_FIELDS = ["date", "request_date", "pages", "year"]
RANGE_OPS = ["", ">", "<", ">=", "<=", "=", "[", "{"]
RANGE_VALUES = ["2019", "2019-06", "2019-06-18", "x", "", "2019 TO 2020]", "[TO]", "99999999"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from([f + ":" for f in FIELDS]),
    st.builds(
        lambda f, op, v: f"{f}:{op}{v}",
        st.sampled_from(RANGE_FIELDS),
        st.sampled_from(RANGE_OPS),
        st.sampled_from(RANGE_VALUES),
    ),
    st.text(max_size=8),
)
# builds, not flatmap and map: the same strings, drawn for a quarter less CPU (hypothesis's
# drawing costs more than the searches it feeds).
COMPOSED = st.builds(
    lambda parts, sep: sep.join(parts), st.lists(PIECES, min_size=1, max_size=12), st.sampled_from(["", " "])
)


def check(services: dict[str, SearchService], text: str, **kw) -> None:
    for engine, service in services.items():
        check_one(engine, service, text, **kw)


def check_one(engine: str, service: SearchService, text: str, **kw) -> None:
    try:
        result = service.search(text, **kw)
    except QueryError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message, engine
        return
    assert isinstance(result, Results), engine
    assert result.total >= len(result.hits), engine
    for hit in result.hits:
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet), engine
        for page in service.document(hit.doc_id).pages:  # the TUI preview's highlighting
            service.highlight_spans(page, result.terms)
    # `foi search --count`; a query no document fully matches counts none (its hits have most words)
    assert service.count(text) == (0 if result.fallback else result.total), engine


FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _piece(rng: random.Random) -> str:
    """One piece as PIECES draws them: a word of the query language, a field, a range, or
    up to 8 characters of any kind."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(WORDS)
    if kind == 1:
        return rng.choice(FIELDS) + ":"
    if kind == 2:
        return f"{rng.choice(RANGE_FIELDS)}:{rng.choice(RANGE_OPS)}{rng.choice(RANGE_VALUES)}"
    return "".join(_char(rng) for _ in range(rng.randint(0, 8)))


def _char(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return chr(rng.randint(0x20, 0x7E))
    if roll < 0.6:
        return rng.choice("\x00\t\n\r\x1b\x7f\u2028\u200b\u00a0\ufffd\uffff")
    code = rng.randint(0x80, 0x10FFFF)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def composed_queries(count: int, seed: int) -> list[str]:
    """`count` strings of 1 to 12 pieces, joined with or without spaces (as COMPOSED), from a
    seeded generator: drawing 1,200 of them through hypothesis cost more CPU than searching."""
    rng = random.Random(seed)
    joins = ["", " "]
    return [rng.choice(joins).join(_piece(rng) for _ in range(rng.randint(1, 12))) for _ in range(count)]


@pytest.mark.slow
def test_composed_queries(services):
    check_all(services, composed_queries(1200, seed=18))


def check_all(services: dict[str, SearchService], texts: list[str]) -> None:
    for text in texts:
        try:
            check(services, text)
        except Exception as exc:
            raise AssertionError(f"query {text[:300]!r} ({len(text)} characters): {type(exc).__name__}: {exc}") from exc


def test_any_unicode_text(services):
    rng = random.Random(19)
    check_all(services, ["".join(_char(rng) for _ in range(rng.randint(0, 200))) for _ in range(600)])


def huge_queries(count: int, seed: int) -> list[str]:
    """~4,000 characters of any kind, a piece repeated 100 to 3,000 times, up to 2,000 nested
    brackets, or up to 2,000 wildcards joined by OR."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0:
            out.append("".join(_char(rng) for _ in range(rng.randint(3990, 4010))))
        elif kind == 1:
            out.append(_piece(rng) * rng.randint(100, 3000))
        elif kind == 2:
            n = rng.randint(1, 2000)
            out.append("(" * n + "prevent" + ")" * n)
        else:
            out.append(" OR ".join(["a*"] * rng.randint(1, 2000)))
    return out


@pytest.mark.slow
def test_huge_queries(services):
    check_all(services, huge_queries(100, seed=20))


@settings(FUZZ, max_examples=300)
@given(
    text=COMPOSED,
    sort=st.sampled_from(["relevance", "date", "-date", "size", ""]),
    limit=st.integers(min_value=0, max_value=50),
    offset=st.integers(min_value=0, max_value=10),
    facets=st.booleans(),
)
def test_queries_with_sorts_limits_and_facets(services, text, sort, limit, offset, facets):
    check(services, text, sort=sort, limit=limit, offset=offset, facets=facets)


FILTER_VALUES = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "2019-06-18",
            "2019-02-30",
            "2019",
            "MPS",
            "Met",
            "s40",
            "s40(2)",
            "(",
            "pdf",
            "text",
            "refused",
            "",
            " ",
            "*",
            "\x00",
        ]
    ),
)


@settings(FUZZ, max_examples=300)
@given(
    text=st.sampled_from(["prevent", "parking OR prevent", "*", "date:2019"]),
    authority=FILTER_VALUES,
    after=FILTER_VALUES,
    before=FILTER_VALUES,
    exemption=FILTER_VALUES,
    outcome=FILTER_VALUES,
    kind=FILTER_VALUES,
)
def test_filters(services, text, authority, after, before, exemption, outcome, kind):
    filters = Filters(authority=authority, after=after, before=before, exemption=exemption, outcome=outcome, kind=kind)
    for engine, service in services.items():
        try:
            service.search(text, filters)
            service.count(text, filters)
        except QueryError as exc:
            assert str(exc), engine


def test_every_installed_engine_is_fuzzed(services):
    assert list(services) == available_engines() and services


@pytest.mark.parametrize("engine", available_engines())
def test_known_queries_still_find_documents(services, engine):
    service = services[engine]
    assert [h.doc_id for h in service.search("prevent").hits] == ["corpus/police.txt"]
    assert service.search("exemption:s40").total == 1
    with pytest.raises(QueryError):
        service.search('"unbalanced')


@pytest.mark.parametrize("engine", available_engines())
def test_cli_query_lines_of_any_bytes_are_answered_or_reported(services, engine, tmp_path):
    """`foi search --queries FILE`: hundreds of generated lines, some not even UTF-8; every
    line is answered or reported as `foi: line N: ...`, never a traceback."""
    import random
    import subprocess
    import sys

    from tests.conftest import ROOT

    rng = random.Random(6)
    pieces = [
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "[",
        "]",
        '"',
        "*",
        "?",
        "~",
        "^2",
        ":",
        "date:",
        "exemption:",
        "nosuch:",
        "prevent",
        "police",
        "s40(2)",
        "2019",
        "TO",
        "\\",
        "caf\u00e9",
        "\U0001f600",
        "{",
        "}",
    ]
    lines = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))).encode() for _ in range(300)]
    lines += [b"prevent \xff\xfe", b"\xc3(", b"police \x00 \x1b[31m", b"x" * 5000]
    queries = tmp_path / "queries.txt"
    queries.write_bytes(b"\n".join(lines) + b"\n")
    index = services[engine].store.dir
    proc = subprocess.run(
        [sys.executable, "-m", "indexer", "search", "--queries", str(queries), "--json", "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode in (0, 1, 2) and "Traceback" not in stderr, stderr[-2000:]
    hits = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert hits and all("query" in hit for hit in hits)
    assert all(line.startswith("foi: line ") for line in stderr.splitlines()), stderr[-2000:]
    for arg in (b"prevent\xff", b"\xff", b"(\xfe"):  # a non-UTF-8 byte in the argument itself
        one = subprocess.run(
            [sys.executable.encode(), b"-m", b"indexer", b"search", arg, b"--index", str(index).encode()],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        assert one.returncode in (0, 1, 2) and b"Traceback" not in one.stderr, one.stderr
