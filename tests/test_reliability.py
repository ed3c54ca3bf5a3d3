"""Bad input never stops a run: every good file is found, every bad one is reported with its reason.

The corpus comes from tests/badinputs.py (hand-made PDF bytes, renamed formats, hostile text
and names, links and FIFOs); `foi index` runs on it as a real subprocess, as a user would run
it, and the commands that read the index back run in this process (tests.conftest.invoke_foi).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests import badinputs
from tests.badinputs import INDEXED, MAX_CHARS, good_text, make_corpus, token
from tests.conftest import ROOT, invoke_foi

FOI = [sys.executable, "-m", "indexer"]


def foi(*args, timeout=600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*FOI, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout, **kw)


def assert_clean(proc: subprocess.CompletedProcess, code: int = 0) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])


def by_doc_id(failures: list[dict]) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for f in failures:
        found[f["doc_id"]].append(f)
    return found


@pytest.mark.slow
def test_bad_input_corpus(tmp_path):
    """One run over the whole corpus (a 2 GB flate bomb, a 20,000-page PDF, a 2 MB line...),
    then every check on it. One test, so that pytest-xdist cannot build the corpus twice."""
    corpus = tmp_path / "corpus"
    cases = make_corpus(corpus)
    index = tmp_path / "index"
    proc = foi("index", corpus, "--index", index, "--json", "--no-ocr", "--jobs", 2, "--max-chars", MAX_CHARS)
    assert_clean(proc)
    run = cases, json.loads(proc.stdout), corpus, index
    check_at_least_30_kinds_of_bad_input(run)
    check_every_bad_file_is_reported_with_its_reason(run)
    check_every_good_file_is_found_by_search(run, tmp_path)
    check_limits_mark_documents_truncated(run)
    check_document_text_is_data_no_escape_codes_reach_the_terminal(run)
    check_status_lists_the_failures(run)
    check_second_run_reextracts_nothing_and_still_reports(run)
    check_human_summary_tells_unchanged_failures_in_one_line(run)


def check_at_least_30_kinds_of_bad_input(bad_run):
    cases, *_ = bad_run
    bad = [c for c in cases if c.expect != INDEXED or c.also or c.truncated or "good" not in c.kind]
    assert len({c.kind for c in bad}) >= 30


def check_every_bad_file_is_reported_with_its_reason(bad_run):
    cases, summary, _, _ = bad_run
    failures = by_doc_id(summary["failures"])
    wrong = []
    for case in cases:
        reasons = sorted(f["reason"] for f in failures.get(f"corpus/{case.rel}", []))
        want = sorted(r for r in (case.expect if case.expect != INDEXED else None, case.also) if r)
        if reasons != want:
            wrong.append(f"{case.kind}: reported {reasons}, expected {want}")
        if case.detail and case.expect != INDEXED:
            details = " ".join(f["detail"] for f in failures.get(f"corpus/{case.rel}", []))
            if case.detail not in details:
                wrong.append(f"{case.kind}: detail {details!r} lacks {case.detail!r}")
    known = {f"corpus/{c.rel}" for c in cases}
    wrong += [f"unexpected failure {doc_id}: {fs}" for doc_id, fs in failures.items() if doc_id not in known]
    assert not wrong, "\n".join(wrong)
    assert summary["failed"] == len(summary["failures"])
    for f in summary["failures"]:
        assert f["reason"] in badinputs_reasons(), f
        assert f["detail"], f  # every failure explained
        assert "\n" not in f["path"], f  # paths are printable on one line


def badinputs_reasons():
    from indexer.extract.base import REASONS

    return REASONS


def check_every_good_file_is_found_by_search(bad_run, tmp_path):
    cases, summary, _, index = bad_run
    good = [c for c in cases if c.expect == INDEXED]
    assert summary["added"] == len(good)
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(c.token for c in good) + "\n", encoding="utf-8")
    proc = invoke_foi("search", "--queries", queries, "--json", "--index", index, "--limit", 5)
    assert_clean(proc)
    found = defaultdict(list)
    for line in proc.stdout.splitlines():
        hit = json.loads(line)
        found[hit["query"]].append(hit["doc_id"])
    missing = [
        f"{c.kind}: {c.token} -> {found.get(c.token)}" for c in good if found.get(c.token) != [f"corpus/{c.rel}"]
    ]
    assert not missing, "\n".join(missing)


def check_limits_mark_documents_truncated(bad_run):
    cases, _, _, index = bad_run
    for case in [c for c in cases if c.truncated]:
        proc = invoke_foi("show", f"corpus/{case.rel}", "--json", "--index", index)
        assert_clean(proc)
        assert json.loads(proc.stdout)["truncated"] is True, case.kind


def check_document_text_is_data_no_escape_codes_reach_the_terminal(bad_run):
    _, _, _, index = bad_run
    proc = invoke_foi("show", "corpus/text/markup.txt", "--json", "--index", index)
    assert_clean(proc)
    content = json.loads(proc.stdout)["content"]
    assert "\x1b" not in content and "\x07" not in content
    assert "<script>" in content  # markup is kept as the words it is, not interpreted
    human = invoke_foi("show", "corpus/text/markup.txt", "--index", index)
    assert_clean(human)
    assert "\x1b" not in human.stdout and "\x07" not in human.stdout


def check_status_lists_the_failures(bad_run):
    cases, summary, _, index = bad_run
    proc = invoke_foi("status", "--json", "--index", index)
    assert_clean(proc)
    status = json.loads(proc.stdout)
    listed = {(f["doc_id"], f["reason"]) for f in status["failures"]}
    for case in cases:
        if case.expect != INDEXED:
            assert (f"corpus/{case.rel}", case.expect) in listed, case.kind
    human = invoke_foi("status", "--index", index)
    assert_clean(human)
    assert "too_large" in human.stdout and "encrypted" in human.stdout


def check_second_run_reextracts_nothing_and_still_reports(bad_run):
    cases, first, corpus, index = bad_run
    proc = invoke_foi("index", corpus, "--index", index, "--json", "--no-ocr")
    assert_clean(proc)
    second = json.loads(proc.stdout)
    assert (second["added"], second["updated"], second["removed"]) == (0, 0, 0)
    assert second["unchanged"] == first["added"]
    failed_before = {(f["doc_id"], f["reason"]) for f in first["failures"] if f["reason"] != "bad_sidecar"}
    failed_now = {(f["doc_id"], f["reason"]) for f in second["failures"]}
    assert failed_before <= failed_now


def check_human_summary_tells_unchanged_failures_in_one_line(bad_run):
    """Without --json, a run that changes nothing: no `failed:` line for files that failed
    before and have not changed, one line counting them (sidecar warnings are told once)."""
    cases, _, corpus, index = bad_run
    proc = invoke_foi("index", corpus, "--index", index, "--no-ocr")
    assert_clean(proc)
    assert [ln for ln in proc.stdout.splitlines() if ln.startswith("failed:")] == []
    failing = sum(1 for c in cases if c.expect != INDEXED)
    assert f"{failing} files still failing; --retry-failed to try again" in proc.stdout.splitlines()
    assert "\x1b" not in proc.stdout


# ---------------------------------------------------------------- extraction level


@pytest.mark.parametrize("name", ["empty.pdf", "empty.txt", "blank.txt", "ansi-only.txt"])
def test_empty_inputs_say_empty(tmp_path, name):
    from indexer.extract import ExtractionError, extract_file

    data = {"blank.txt": b" \n\t ", "ansi-only.txt": b"\x1b[1m\x1b[0m\x00\n"}.get(name, b"")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ExtractionError) as err:
        extract_file(path)
    assert err.value.reason == "empty"


def test_a_stale_pdfium_error_does_not_make_a_broken_pdf_encrypted():
    """pdfium keeps its last error per process: a broken PDF read after a locked one was
    reported 'encrypted' by whichever worker had seen the locked one."""
    from indexer.extract import ExtractionError, extract_bytes

    with pytest.raises(ExtractionError) as locked:
        extract_bytes(badinputs.encrypted_pdf("locked words", "pw"), "a.pdf")
    assert locked.value.reason == "encrypted"
    with pytest.raises(ExtractionError) as broken:
        extract_bytes(badinputs.no_pages_pdf(), "b.pdf")
    assert broken.value.reason == "corrupt"


def test_text_with_nuls_and_escape_codes_is_text():
    from indexer.extract import extract_bytes

    doc = extract_bytes(b"Padding\x00\x00 after \x1b[1mbold\x1b[0m words\x00" * 4 + b"\x00" * 500, "a.txt")
    assert "Padding after bold words" in doc.text and "\x00" not in doc.text


def _prepare_one(path: Path, root: Path):
    from indexer.discover import discover
    from indexer.extract import ExtractOptions
    from indexer.pipeline import prepare

    (source,) = [s for s in discover([root]) if s.path == path]
    return source, lambda: prepare(source, ExtractOptions(ocr=False))


def test_a_file_that_vanishes_after_discovery_is_unreadable(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    path = root / "gone.txt"
    path.write_text(good_text("vanishing"))
    source, run = _prepare_one(path, root)
    path.unlink()
    failure = run()
    assert (failure.reason, failure.doc_id) == ("unreadable", "docs/gone.txt")


def test_a_file_swapped_for_a_fifo_after_discovery_does_not_hang(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    path = root / "swap.txt"
    path.write_text(good_text("swapped"))
    source, run = _prepare_one(path, root)
    path.unlink()
    os.mkfifo(path)
    failure = run()  # reading a FIFO with no writer would block for ever
    assert failure.reason == "unreadable" and "regular" in failure.detail


def test_non_utf8_names_get_stable_text_doc_ids(tmp_path):
    from indexer.discover import discover

    root = tmp_path / "docs"
    root.mkdir()
    raw = os.path.join(os.fsencode(root), b"caf\xe9.txt")
    with open(raw, "wb") as out:
        out.write(good_text("bytesname").encode())
    (source,) = discover([root])
    assert source.doc_id == "docs/caf\\xe9.txt"
    assert source.doc_id.encode("utf-8")
    assert os.path.exists(source.path)  # the real path is kept for reading


# ---------------------------------------------------------------- hostile workers


@pytest.mark.slow
def test_timeouts_and_crashing_workers_cost_one_file_each(tmp_path, monkeypatch):
    """A worker that hangs is killed at the time limit; one that is killed or crashes is
    replaced; each costs its own file only and the run goes on."""
    import indexer.pipeline as pipeline
    from indexer.extract import ExtractOptions
    from indexer.pipeline import RunOptions, run_index
    from indexer.search import SearchService

    root = tmp_path / "docs"
    root.mkdir()
    words = {}
    for i in range(8):
        words[f"good{i}.txt"] = token(500 + i)
        (root / f"good{i}.txt").write_text(good_text(words[f"good{i}.txt"]))
    for name in ("hang.txt", "sigkill.txt", "segfault.txt", "raises.txt"):
        (root / name).write_text(good_text("hostile"))
    monkeypatch.setattr(pipeline, "prepare", badinputs.hostile_prepare)
    summary = run_index(
        [root],
        tmp_path / "index",
        # 10 s: with 3, on a machine at load 19, a killed worker was not seen
        # dead before its file's time ran out ("timeout" instead of "too_large").
        RunOptions(jobs=2, extract=ExtractOptions(timeout=10, ocr=False)),
    )
    reasons = {f.doc_id: f.reason for f in summary.failures}
    assert reasons == {
        "docs/hang.txt": "timeout",
        "docs/sigkill.txt": "too_large",
        "docs/segfault.txt": "corrupt",
        "docs/raises.txt": "corrupt",
    }
    assert summary.added == 8
    service = SearchService(tmp_path / "index")
    for name, word in words.items():
        assert [h.doc_id for h in service.search(word).hits] == [f"docs/{name}"]
    service.close()


# ---------------------------------------------------------------- unreadable for real


def _without_permission_override():
    """A preexec_fn under which file permissions apply to root too (the tests run as root).

    Drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so the child
    and what it execs stay uid 0 (and can read the venv) but cannot read a mode-000 file."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop capabilities")

    return drop


def test_unreadable_files_and_folders_are_reported_not_fatal(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "closed").mkdir(parents=True)
    (corpus / "open.txt").write_text(good_text(token(900)))
    (corpus / "secret.txt").write_text(good_text(token(901)))
    (corpus / "closed" / "inside.txt").write_text(good_text(token(902)))
    os.chmod(corpus / "secret.txt", 0)
    os.chmod(corpus / "closed", 0)
    probe = subprocess.run(
        ["cat", str(corpus / "secret.txt")], preexec_fn=_without_permission_override(), capture_output=True
    )
    if probe.returncode == 0:
        pytest.skip("permissions cannot be made to apply here")
    try:
        proc = subprocess.run(
            [*FOI, "index", str(corpus), "--index", str(tmp_path / "index"), "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=_without_permission_override(),
        )
        assert_clean(proc)
        summary = json.loads(proc.stdout)
        assert summary["added"] == 1
        reasons = {f["doc_id"]: f["reason"] for f in summary["failures"]}
        assert reasons == {"corpus/secret.txt": "unreadable", "corpus/closed": "unreadable"}
        assert all("ermission" in f["detail"] for f in summary["failures"])
    finally:
        os.chmod(corpus / "closed", 0o755)
        os.chmod(corpus / "secret.txt", 0o644)


# ---------------------------------------------------------------- failed files: kept, not retried, retried on demand


def test_a_rerun_tells_new_failures_line_by_line_and_old_ones_in_one_line(tmp_path):
    from click.testing import CliRunner

    from indexer.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(good_text(token(901)))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_text("  \n")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # a failure found by discovery

    def run() -> list[str]:
        result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "index"), "--jobs", "1"])
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    first = run()

    def failed(lines: list[str]) -> list[str]:
        return sorted(Path(ln.split(": ")[1]).name for ln in lines if ln.startswith("failed:"))

    assert failed(first) == ["blank.txt", "empty.txt", "gone.txt"]
    assert not any("still failing" in ln for ln in first)
    second = run()
    assert failed(second) == []
    assert "3 files still failing; --retry-failed to try again" in second
    (corpus / "zero.txt").write_bytes(b"")
    third = run()
    assert failed(third) == ["zero.txt"]
    assert "3 files still failing; --retry-failed to try again" in third


def test_unchanged_failed_file_is_not_retried_until_asked_or_changed(tmp_path):
    """A file that failed is listed on every run but not extracted again while unchanged;
    --retry-failed tries it again; a changed file is tried again by itself."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    word = token(777)
    big = corpus / "big.txt"
    big.write_text(good_text(word) + "padding words\n" * 100)
    (corpus / "small.txt").write_text(good_text(token(778)))
    index = tmp_path / "index"

    def run(*extra):
        proc = invoke_foi("index", corpus, "--index", index, "--json", *extra)
        assert_clean(proc)
        return json.loads(proc.stdout)

    first = run("--max-bytes", 1000)
    assert [(f["doc_id"], f["reason"]) for f in first["failures"]] == [("corpus/big.txt", "too_large")]
    assert first["added"] == 1
    # The limit is lifted, the file is unchanged: it is still reported, not extracted again.
    second = run()
    assert [(f["doc_id"], f["reason"]) for f in second["failures"]] == [("corpus/big.txt", "too_large")]
    assert (second["added"], second["unchanged"]) == (0, 1)
    assert invoke_foi("search", word, "--count", "--index", index).returncode == 1
    # Asked to retry: it is indexed now and leaves the failure list.
    third = run("--retry-failed")
    assert (third["added"], third["failed"]) == (1, 0)
    assert invoke_foi("search", word, "--count", "--index", index).stdout.strip() == "1"
    status = json.loads(invoke_foi("status", "--json", "--index", index).stdout)
    assert status["failures"] == [] and status["documents"] == 2
    # A failed file that changes is tried again without being asked.
    (corpus / "small.txt").write_bytes(b"")
    fourth = run()
    assert [(f["doc_id"], f["reason"]) for f in fourth["failures"]] == [("corpus/small.txt", "empty")]
    assert (
        fourth["updated"] == 0 and json.loads(invoke_foi("status", "--json", "--index", index).stdout)["documents"] == 1
    )
    (corpus / "small.txt").write_text(good_text(token(779)))
    fifth = run()
    assert (fifth["added"], fifth["failed"]) == (1, 0)


def test_failures_of_deleted_files_leave_the_list(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    (corpus / "ok.txt").write_text(good_text(token(780)))
    index = tmp_path / "index"
    assert json.loads(invoke_foi("index", corpus, "--index", index, "--json").stdout)["failed"] == 1
    (corpus / "bad.pdf").unlink()
    assert json.loads(invoke_foi("index", corpus, "--index", index, "--json").stdout)["failed"] == 0
    assert json.loads(invoke_foi("status", "--json", "--index", index).stdout)["failures"] == []


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"failures": [{"path": "x"}, 3, null]}',
        '{"roots": 5}',
        '{"failures": {"a": 1}}',
        "\x00\x00",
        '{"last_run": ',
    ],
)
def test_a_damaged_state_file_is_a_fresh_start_not_a_crash(tmp_path, content):
    from indexer.state import STATE_NAME, IndexState

    (tmp_path / STATE_NAME).write_text(content)
    state = IndexState.load(tmp_path)
    assert state.failures == {} and state.roots == []  # nothing usable in any of them


def test_a_corpus_folder_with_a_non_utf8_name_indexes_updates_and_removes(tmp_path):
    from indexer.pipeline import RunOptions, run_index
    from indexer.search import SearchService

    root = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"d\xe9p\xf4t")))
    root.mkdir()
    (root / "keep.txt").write_text(good_text(token(4001)))
    (root / "drop.txt").write_text(good_text(token(4002)))
    (root / "bad.pdf").write_bytes(b"")
    index = tmp_path / "index"
    first = run_index([root], index, RunOptions(jobs=1))
    assert (first.added, [f.doc_id for f in first.failures]) == (2, ["d\\xe9p\\xf4t/bad.pdf"])
    (root / "drop.txt").unlink()
    (root / "bad.pdf").unlink()
    second = run_index([root], index, RunOptions(jobs=1))
    assert (second.removed, second.unchanged, second.failed) == (1, 1, 0)
    service = SearchService(index)
    try:
        assert [h.doc_id for h in service.search(token(4001)).hits] == ["d\\xe9p\\xf4t/keep.txt"]
        assert service.search(token(4002)).total == 0
        assert service.stats().failures == []
    finally:
        service.close()
