"""The CLI contract of DESIGN.md: commands, JSON Lines fields, exit codes, errors without tracebacks."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from indexer.cli import main
from tests.conftest import SEED, run_foi, write_doc, write_pdf

HIT_KEYS = {"rank", "score", "doc_id", "path", "title", "authority", "reference", "date", "kind",
            "exemptions", "outcome", "snippet", "highlights", "page"}


pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp("cli")
    docs = root / "corpus"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    write_doc(docs, "fines.txt", "Response about parking fines and bus lane cameras in 2020.",
              authority="Sheffield City Council", date="2020-05-01", outcome="partial", exemptions=["s43(2)"])
    write_pdf(docs / "report.pdf", ["Cover page", "Second page mentions parking wardens"])
    index_dir = root / "index"
    result = CliRunner().invoke(main, ["index", str(docs), "--index", str(index_dir), "--json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return index_dir


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_index_json_summary_has_contract_keys(tmp_path):
    docs = tmp_path / "d"
    docs.mkdir()
    write_doc(docs, "a.txt", "hello council")
    r = invoke("index", docs, "--index", tmp_path / "i", "--json", "--jobs", "1")
    assert r.exit_code == 0
    summary = json.loads(r.output)
    assert set(summary) >= {"added", "updated", "removed", "unchanged", "failed", "failures", "seconds"}
    assert summary["added"] == 1


def test_search_json_lines_carry_every_key(indexed):
    r = invoke("search", "Prevent database", "--json", "--index", indexed)
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    hits = [json.loads(line) for line in lines]
    assert hits[0]["doc_id"] == f"corpus/{SEED.name}"
    for hit in hits:
        assert set(hit) >= HIT_KEYS
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower().startswith(("prevent", "database"))
    assert hits[0]["kind"] == "text" and hits[0]["page"] is None


def test_search_reports_pdf_page(indexed):
    hit = json.loads(invoke("search", "wardens", "--json", "--index", indexed).output.splitlines()[0])
    assert hit["doc_id"] == "corpus/report.pdf" and hit["page"] == 2 and hit["kind"] == "pdf"


def test_exit_codes(indexed):
    assert invoke("search", "prevent", "--index", indexed).exit_code == 0
    assert invoke("search", "zzzqqqxxv", "--index", indexed).exit_code == 1
    bad = invoke("search", '"unclosed', "--index", indexed)
    assert bad.exit_code == 2 and "unbalanced quote" in bad.output
    assert invoke("search", "--index", indexed).exit_code == 2  # no query
    assert invoke("search", "x", "--sort", "sideways", "--index", indexed).exit_code == 2


def test_count_prints_only_the_number(indexed):
    r = invoke("search", "parking", "--count", "--index", indexed)
    assert r.exit_code == 0 and r.output.strip() == "2"
    assert invoke("search", "zzzqqqxxv", "--count", "--index", indexed).output.strip() == "0"


def test_queries_file_runs_each_line_and_tags_hits(indexed, tmp_path):
    qfile = tmp_path / "q.txt"
    qfile.write_text("prevent\n\nparking\nzzzqqqxxv\n")
    r = invoke("search", "--queries", qfile, "--json", "--index", indexed)
    assert r.exit_code == 0
    hits = [json.loads(line) for line in r.output.splitlines()]
    assert {h["query"] for h in hits} == {"prevent", "parking"}
    r = invoke("search", "--queries", "-", "--json", "--index", indexed, input='parking\n"bad\n')
    assert r.exit_code == 2
    assert "line 2" in r.output
    assert json.loads(r.stdout.splitlines()[0])["query"] == "parking"
    assert invoke("search", "--queries", "-", "--index", indexed, input="zzzqqqxxv\n").exit_code == 1


def test_filters_on_the_command_line(indexed):
    r = invoke("search", "parking", "--json", "--outcome", "partial", "--exemption", "s43", "--index", indexed)
    assert [json.loads(x)["doc_id"] for x in r.output.splitlines()] == ["corpus/fines.txt"]
    r = invoke("search", "parking", "--after", "2020-05-02", "--index", indexed)
    assert r.exit_code == 1
    r = invoke("search", "parking", "--kind", "pdf", "--json", "--index", indexed)
    assert [json.loads(x)["doc_id"] for x in r.output.splitlines()] == ["corpus/report.pdf"]


def test_facets_flag(indexed):
    r = invoke("search", "parking OR prevent", "--facets", "--index", indexed)
    assert r.exit_code == 0
    assert "outcome" in r.output and "partial" in r.output


def test_show_and_status(indexed):
    r = invoke("show", f"corpus/{SEED.name}", "--json", "--index", indexed)
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert {"doc_id", "content", "qa", "reference", "authority", "date", "request_date", "outcome",
            "exemptions"} <= set(doc)
    assert "Chief Constable" in doc["content"]
    assert invoke("show", "corpus/nope.txt", "--index", indexed).exit_code == 1
    status = json.loads(invoke("status", "--json", "--index", indexed).output)
    assert status["documents"] == 3 and status["index_bytes"] > 0 and status["last_run"]
    assert status["failures"] == []


def test_similar(indexed):
    r = invoke("similar", "corpus/fines.txt", "--json", "--index", indexed)
    assert r.exit_code in (0, 1)
    assert all(json.loads(x)["doc_id"] != "corpus/fines.txt" for x in r.output.splitlines())


def test_missing_index_is_a_clear_error(tmp_path):
    r = invoke("search", "x", "--index", tmp_path / "none")
    assert r.exit_code == 1 and "run `foi index` first" in r.output


def test_index_env_variable(indexed, monkeypatch):
    monkeypatch.setenv("FOI_INDEX", str(indexed))
    assert invoke("search", "prevent").exit_code == 0


def test_real_subprocess_run_pipes_plain_text_without_traceback(indexed):
    p = run_foi("search", "Prevent database", "--index", str(indexed))
    assert p.returncode == 0
    assert "\x1b[" not in p.stdout  # no colour when piped
    assert "Prevent" in p.stdout or "prevent" in p.stdout
    p = run_foi("search", "(unbalanced", "--index", str(indexed))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0
    p = run_foi("search", "prevent", "--json", "--index", str(indexed))
    assert all(json.loads(line) for line in p.stdout.splitlines())
