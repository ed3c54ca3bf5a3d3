"""The engine seam: only indexer/engines/ imports an engine; the index records its engine and
every command detects it; a missing or damaged index says so; browsing by filter; dates
with their source. Runs on every engine through the `engine` fixture."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.search import Filters, SearchService
from tests.conftest import ROOT, build_index, write_doc, write_pdf

pytestmark = pytest.mark.usefixtures("engine")
ENGINE_LIBRARIES = {"whoosh", "tantivy"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def test_only_the_engines_package_imports_an_engine_library():
    offenders = []
    checked = 0
    for folder in ("indexer", "tui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if (ROOT / "indexer" / "engines") in path.parents:
                continue
            checked += 1
            found = imported_modules(path) & ENGINE_LIBRARIES
            if found:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(found)}")
    assert checked > 30
    assert offenders == []
    # and the check does see engine imports where they are allowed
    assert "whoosh" in imported_modules(ROOT / "indexer" / "engines" / "whoosh" / "search.py")


@pytest.fixture(scope="module")
def dated(tmp_path_factory, engine):
    """Documents dated by response, by request only, and not at all."""
    root = tmp_path_factory.mktemp("dated")
    docs = root / "docs"
    write_doc(
        docs,
        "response.txt",
        "Gritting routes for the winter were agreed by the council.",
        date="2021-02-01",
        request_date="2021-01-05",
        outcome="disclosed",
        authority="Leeds City Council",
    )
    write_doc(
        docs,
        "request.txt",
        "Gritting salt stocks are held at the depot.",
        request_date="2019-03-04",
        outcome="refused",
        authority="Leeds City Council",
    )
    write_doc(
        docs,
        "old.txt",
        "Gritting lorries were bought in the last decade.",
        date="2018-07-07",
        outcome="refused",
        authority="Home Office",
    )
    write_doc(docs, "none.txt", "Gritting is outsourced.", outcome="refused", authority="Home Office")
    write_pdf(docs / "scan.pdf", ["Cover", "Gritting on page two"])
    index = root / "index"
    assert build_index(docs, index).failed == 0
    return index


def ids(results):
    return [h.doc_id.split("/")[-1] for h in results.hits]


def test_each_hit_says_which_date_it_carries(dated):
    service = SearchService(dated)
    hits = {h.doc_id.split("/")[-1]: h for h in service.search("gritting", limit=10).hits}
    assert {name: h.date_source for name, h in hits.items()} == {
        "response.txt": "response",
        "request.txt": "request",
        "old.txt": "response",
        "none.txt": None,
        "scan.pdf": None,
    }
    assert hits["request.txt"].date is None and hits["request.txt"].request_date == "2019-03-04"
    assert all(h.parent is None for h in hits.values())
    assert hits["response.txt"].to_dict()["date_source"] == "response"
    assert "parent" in hits["response.txt"].to_dict()


def test_date_filters_facets_and_sorting_fall_back_to_the_request_date(dated):
    service = SearchService(dated)
    assert ids(service.search("gritting", Filters(after="2019-01-01", before="2019-12-31"))) == ["request.txt"]
    assert set(ids(service.search("date:2019 OR date:2021"))) == {"request.txt", "response.txt"}
    years = dict(service.search("gritting", facets=True).facets["year"])
    assert years == {"2021": 1, "2019": 1, "2018": 1}
    assert ids(service.search("gritting", sort="-date", limit=10))[:3] == ["response.txt", "request.txt", "old.txt"]
    assert ids(service.search("request_date:2019")) == ["request.txt"]


def test_filters_without_a_query_list_every_match_newest_first(dated):
    service = SearchService(dated)
    r = service.search("", Filters(outcome="refused"), limit=10)
    assert ids(r) == ["request.txt", "old.txt", "none.txt"]  # undated last
    assert r.total == 3
    assert service.count("", Filters(authority="Home Office")) == 2
    out = invoke("search", "--outcome", "refused", "--json", "--index", dated)
    assert out.exit_code == 0, out.output
    assert [json.loads(line)["doc_id"] for line in out.output.splitlines()] == [
        "docs/request.txt",
        "docs/old.txt",
        "docs/none.txt",
    ]
    assert invoke("search", "--index", dated).exit_code == 2  # neither a query nor a filter


def test_show_carries_date_source_and_parent(dated):
    r = invoke("show", "docs/request.txt", "--json", "--index", dated)
    doc = json.loads(r.output)
    assert doc["date_source"] == "request" and doc["parent"] is None and doc["request_date"] == "2019-03-04"


def test_status_names_the_engine_and_counts_kinds(dated, engine):
    r = invoke("status", "--json", "--index", dated)
    assert r.exit_code == 0, r.output
    status = json.loads(r.output)
    assert status["engine"] == engine
    assert status["kinds"] == {"pdf": 1, "text": 4}
    assert status["documents"] == 5
    text = invoke("status", "--index", dated).output
    assert f"Engine:     {engine}" in text and "pdf 1" in text


def test_the_index_records_its_engine_and_other_engines_need_rebuild(tmp_path, engine):
    from indexer.engines import engine_names, recorded_engine

    write_doc(tmp_path / "docs", "a.txt", "A response about gritting.")
    r = invoke("index", tmp_path / "docs", "--index", tmp_path / "ix", "--engine", engine, "--json", "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert recorded_engine(tmp_path / "ix") == engine
    other = next(n for n in ["whoosh", "tantivy"] if n != engine)
    r = invoke("index", tmp_path / "docs", "--index", tmp_path / "ix", "--engine", other)
    assert r.exit_code == 2
    assert r.output.strip() == (
        f"foi: the index in {tmp_path / 'ix'} uses the {engine} engine; add --rebuild to rebuild it with {other}"
    )
    if other in engine_names():
        from tests.conftest import available_engines

        if other in available_engines():
            r = invoke(
                "index",
                tmp_path / "docs",
                "--index",
                tmp_path / "ix",
                "--engine",
                other,
                "--rebuild",
                "--json",
                "--jobs",
                "1",
            )
            assert r.exit_code == 0, r.output
            assert recorded_engine(tmp_path / "ix") == other
            assert json.loads(invoke("status", "--json", "--index", tmp_path / "ix").output)["engine"] == other
            assert invoke("search", "gritting", "--index", tmp_path / "ix").exit_code == 0


def test_a_missing_index_is_its_own_error(tmp_path):
    r = invoke("search", "gritting", "--index", tmp_path / "none")
    assert r.exit_code == 1 and r.output.strip() == f"foi: no index in {tmp_path / 'none'}; run `foi index` first"
    r = invoke("status", "--index", "/nonexistent")
    assert r.exit_code == 1 and "no index in /nonexistent" in r.output
    r = invoke("show", "docs/a.txt", "--index", tmp_path / "none")
    assert r.exit_code == 1 and "no index in" in r.output


# The file that says which segments make up the index: Whoosh's TOC, tantivy's meta.json.
TOC = {"whoosh": "_foi_*.toc", "tantivy": "**/meta.json"}


def _segment_files(index: Path) -> list[Path]:
    # foi's own files: damaging them is no damage to the engine's index
    own = {
        "foi-index.json",
        "foi-state.json",
        "foi-writer.lock",
        "foi-manifest.sqlite",
        "paragraphs.bin",
        "common-paragraphs.bin",
    }
    files = [
        p
        for p in index.rglob("*")
        if p.is_file()
        and p.name not in own
        and not p.name.startswith(".")
        and "ocr-cache" not in p.parts
        and not p.match(TOC["tantivy"])
        and not p.match(TOC["whoosh"])
    ]
    return sorted(files, key=lambda p: p.stat().st_size, reverse=True)


@pytest.mark.parametrize("damage", ["truncate-segment", "delete-segment", "garbage-toc", "empty-toc"])
def test_a_damaged_index_says_so_and_rebuild_recovers(tmp_path, engine, damage):
    docs = tmp_path / "docs"
    for i in range(5):
        write_doc(docs, f"d{i}.txt", f"Response {i} about gritting routes and salt. " * 40)
    index = tmp_path / "ix"
    build_index(docs, index)
    if damage.endswith("segment"):
        target = _segment_files(index)[0]
        if damage == "truncate-segment":
            target.write_bytes(target.read_bytes()[: target.stat().st_size // 3])
        else:
            target.unlink()
    else:
        tocs = list(index.glob(TOC[engine]))
        assert tocs
        for toc in tocs:
            toc.write_bytes(b"\x00garbage{" if damage == "garbage-toc" else b"")
    for args in (["search", "gritting"], ["status"], ["show", "docs/d1.txt"], ["search", "gritting", "--count"]):
        r = invoke(*args, "--index", index)
        assert r.exit_code == 1, (args, r.output)
        assert r.output.startswith(f"foi: index at {index} is damaged (") and r.output.rstrip().endswith(
            "run `foi index --rebuild`"
        ), (args, r.output)
        assert r.output.count("\n") == 1
    r = invoke("index", docs, "--index", index, "--rebuild", "--json", "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert invoke("search", "gritting", "--count", "--index", index).output.strip() == "5"


def test_status_suggests_tantivy_for_a_big_whoosh_index():
    from indexer.output import BIG_FOR_WHOOSH, console, print_status
    from indexer.results import IndexStats

    def shown(engine, documents):
        con = console()
        with con.capture() as out:
            print_status(con, IndexStats(documents, 1, None, [], engine, {"text": documents}), "ix")
        return out.get()

    assert "--engine tantivy --rebuild" in shown("whoosh", BIG_FOR_WHOOSH + 1)
    assert "--engine tantivy" not in shown("whoosh", BIG_FOR_WHOOSH)
    assert "--engine tantivy" not in shown("tantivy", BIG_FOR_WHOOSH * 5)
