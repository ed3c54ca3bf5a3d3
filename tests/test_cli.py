"""The CLI contract of DESIGN.md: commands, JSON Lines fields, exit codes, errors without tracebacks."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from indexer.cli import main
from tests.conftest import FOI, ROOT, SEED, run_foi, write_doc, write_pdf

HIT_KEYS = {
    "rank",
    "score",
    "doc_id",
    "path",
    "title",
    "authority",
    "reference",
    "date",
    "kind",
    "exemptions",
    "outcome",
    "snippet",
    "highlights",
    "page",
}


pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp("cli")
    docs = root / "corpus"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    write_doc(
        docs,
        "fines.txt",
        "Response about parking fines and bus lane cameras in 2020.",
        authority="Sheffield City Council",
        date="2020-05-01",
        outcome="partial",
        exemptions=["s43(2)"],
    )
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
    assert {
        "doc_id",
        "content",
        "qa",
        "reference",
        "authority",
        "date",
        "request_date",
        "outcome",
        "exemptions",
    } <= set(doc)
    assert "Chief Constable" in doc["content"]
    assert invoke("show", "corpus/nope.txt", "--index", indexed).exit_code == 1
    status = json.loads(invoke("status", "--json", "--index", indexed).output)
    assert status["documents"] == 3 and status["index_bytes"] > 0 and status["last_run"]
    assert status["failures"] == []


def test_show_text_lists_the_questions_and_answers(indexed):
    r = invoke("show", f"corpus/{SEED.name}", "--index", indexed)
    assert r.exit_code == 0
    doc = json.loads(invoke("show", f"corpus/{SEED.name}", "--json", "--index", indexed).output)
    qa = doc["qa"]
    assert len(qa) == 6
    out = r.output
    assert "questions and answers (6)" in out
    assert out.index("Q1. " + qa[0]["question"]) < out.index("A1. " + qa[0]["answer"].split("\n")[0])
    assert "Q6. " + qa[5]["question"] in out
    assert out.index("A6. ") < out.index(doc["content"][:60])  # then the full text


@pytest.mark.parametrize(
    "args",
    [
        ["search", "prevent", "--json"],
        ["search", "prevent"],
        ["show", f"corpus/{SEED.name}"],
        ["status"],
        ["search", "prevent", "--count"],
    ],
)
def test_a_closed_stdout_pipe_is_not_an_error(indexed, args):
    """`foi search x | head -1`: the reader has gone; exit 0 with nothing on stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before foi writes a byte: every write meets EPIPE
    try:
        proc = subprocess.run(
            [*FOI, *args, "--index", str(indexed)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_similar_ranks_the_document_sharing_its_words_first(indexed):
    r = invoke("similar", "corpus/fines.txt", "--json", "--index", indexed)
    assert r.exit_code == 0, r.output
    hits = [json.loads(x) for x in r.output.splitlines()]
    assert hits and hits[0]["doc_id"] == "corpus/report.pdf"  # both are about parking
    assert "corpus/fines.txt" not in {h["doc_id"] for h in hits}
    assert [hits[0]["snippet"][s:e] for s, e in hits[0]["highlights"]] == ["parking"]


def test_similar_to_an_unknown_document_is_exit_1(indexed):
    r = invoke("similar", "corpus/nothing.txt", "--index", indexed)
    assert r.exit_code == 1 and "no document 'corpus/nothing.txt'" in r.output


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
    assert p.returncode == 0
    assert [json.loads(line)["doc_id"] for line in p.stdout.splitlines()] == [f"corpus/{SEED.name}"]


def test_progress_lines_come_at_most_every_interval():
    from indexer.output import ProgressLines

    now = [100.0]
    progress = ProgressLines(clock=lambda: now[0])
    printed = []
    for t, done in [(105, 1), (110, 2), (115, 3), (119.9, 4), (121, 5), (140, 10)]:
        now[0] = t
        buffer = io.StringIO()
        with contextlib.redirect_stderr(buffer):
            progress(done, 10)
        printed += buffer.getvalue().splitlines()
    assert printed == [
        "indexing: 2/10 files (20%), 10 s, about 40 s left",
        "indexing: 5/10 files (50%), 21 s, about 21 s left",
        "indexing: 10/10 files (100%), 40 s",
    ]


def test_index_without_a_terminal_prints_plain_progress_lines_on_stderr(tmp_path, monkeypatch):
    import indexer.output

    monkeypatch.setattr(indexer.output, "PROGRESS_EVERY", 0.0)  # a line per file, not every 10 s
    docs = tmp_path / "d"
    write_doc(docs, "a.txt", "hello council")
    write_doc(docs, "b.txt", "hello police")
    r = invoke("index", docs, "--index", tmp_path / "i", "--jobs", "1")
    assert r.exit_code == 0, r.output
    lines = r.stderr.splitlines()
    assert lines[0].startswith("indexing: 1/2 files (50%), ") and lines[0].endswith(" s left")
    assert lines[1].startswith("indexing: 2/2 files (100%), ")
    assert "indexing:" not in r.stdout  # the summary alone on stdout


@pytest.mark.parametrize(
    "size, shown",
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (799_240, "780.5 KB"),
        (5 * 1024**3, "5.0 GB"),
        (3 * 1024**4, "3072.0 GB"),
    ],
)
def test_sizes_are_shown_in_powers_of_1024(size, shown):
    from indexer.units import human_bytes

    assert human_bytes(size) == shown


def test_the_progress_bar_runs_no_thread_and_is_drawn_by_the_runs_progress(tmp_path):
    # a thread of Rich's would send a run of a few files to a worker pool (pipeline._can_fork)
    import threading

    from rich.console import Console

    from indexer import cli
    from indexer.pipeline import IndexSummary

    out = io.StringIO()
    err = Console(file=out, force_terminal=True, width=80)
    threads = []

    def run_index(roots, index, options, on_progress):
        threads.append(threading.active_count())
        on_progress(1, 2)
        threads.append(threading.active_count())
        on_progress(2, 2)
        return IndexSummary(added=2)

    before = threading.active_count()  # pytest's own, if any
    summary = cli._run_with_progress([tmp_path], tmp_path / "index", None, run_index, err)
    assert summary.added == 2
    assert threads == [before, before]
    assert "indexing" in out.getvalue() and "2/2" in out.getvalue()  # drawn by the progress calls
