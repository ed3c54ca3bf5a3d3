"""Smoke test of the benchmark harness (bench/run.py) on a tiny corpus.

It checks that every section of the results JSON is there and that nothing failed; it
judges no speed (the benchmark itself is where speed is judged).
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from bench import run as bench_run
from bench.queries import CATEGORIES, QUERIES

HAS_TANTIVY = importlib.util.find_spec("tantivy") is not None
HAS_PSUTIL = importlib.util.find_spec("psutil") is not None
# As small as still runs every section with hits to time: the harness is checked, not the speed.
SMOKE_DOCS, SMOKE_QUERIES = 15, 12


def test_query_set_is_fixed_and_covers_every_category():
    assert 60 <= len(QUERIES) <= 300
    assert {q.category for q in QUERIES} == set(CATEGORIES)
    assert len({q.id for q in QUERIES}) == len(QUERIES)
    # the worst case for the engine is in the set: boilerplate phrases
    assert any(q.phrases == (("internal", "review"),) for q in QUERIES)
    assert any(q.facets for q in QUERIES)
    assert any(q.filters.get("after") or q.filters.get("before") for q in QUERIES)
    # the query-language form carries every filter (it is what `foi search --queries` runs)
    q = next(q for q in QUERIES if q.filters.get("authority") and q.filters.get("after"))
    assert f'authority:"{q.filters["authority"]}"' in q.foi_line() and "date:[" in q.foi_line()


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PSUTIL, reason="psutil is part of the bench extra: pip install -e '.[bench]'")
def test_quick_run_writes_every_section(tmp_path):
    results = tmp_path / "results"
    # PDFs of at most 2 pages: with the default 20, pdfplumber made each foi build 25 s.
    code = bench_run.main(
        [
            "--quick",
            "--docs",
            str(SMOKE_DOCS),
            "--pdf-docs",
            "5",
            "--max-pages",
            "2",
            "--queries",
            str(SMOKE_QUERIES),
            "--oneshot-runs",
            "1",
            "--extract-budget",
            "10",
            "--workdir",
            str(tmp_path / "work"),
            "--results-dir",
            str(results),
        ]
    )
    assert code == 0
    files = list(results.glob("*.json"))
    assert len(files) == 1
    res = json.loads(files[0].read_text())

    for name in bench_run.SECTIONS:
        assert name in res, name
        if isinstance(res[name], dict):
            assert "error" not in res[name], (name, res[name].get("traceback"))
            if name != "meta":
                assert res[name]["host_probe_after_s"] > 0, name
    assert res["meta"]["host_probe_start_s"] > 0

    engines = ["foi"] + (["foi-tantivy"] if HAS_TANTIVY else []) + ["fts5"] + (["tantivy"] if HAS_TANTIVY else [])
    assert res["meta"]["engines"] == engines
    assert res["corpus"]["docs"] == SMOKE_DOCS

    ex = res["extraction"]
    for key in ("pdfplumber", "pypdfium2", "foi", "foi_index_pdf"):
        assert ex[key]["pages"] > 0, key
        assert ex[key].get("pages_per_s"), key

    build = res["build"]
    builds = ["foi_jobs1", "foi_jobs2", "fts5"] + (["foi-tantivy_jobs2", "tantivy"] if HAS_TANTIVY else [])
    for key in builds:
        assert build[key].get("wall_s") and build[key].get("index_bytes") is not None, key
        assert build[key]["peak_rss_tree_mb"] > 0, key
    assert build["foi_jobs2"]["summary"]["added"] == SMOKE_DOCS
    assert build["foi_jobs2_speedup"]
    if HAS_TANTIVY:
        assert build["foi-tantivy_jobs2"]["summary"]["added"] == SMOKE_DOCS

    q = res["queries"]
    for name in engines:
        e = q["engines"][name]
        assert not e["errors"], (name, e["errors"])
        for mode in ("snippets", "no_snippets"):
            assert e[mode]["n"] == SMOKE_QUERIES
            assert e[mode]["p50_ms"] <= e[mode]["p95_ms"] <= e[mode]["p99_ms"]

    for name in engines:
        assert res["batch"][name]["rc"] in (0, 1), res["batch"][name]
    assert res["batch"]["foi"]["hits"] > 0 and res["batch"]["fts5"]["hits"] > 0
    plain = res["oneshot"]["plain"]
    assert plain["foi"]["median_ms"] > 0 and plain["foi_x_fts5"]

    inc = res["incremental"]
    assert inc["add1"]["summary"]["added"] == 1
    assert inc["change1"]["summary"]["updated"] == 1
    assert inc["remove1"]["summary"]["removed"] == 1
    assert inc["noop"]["summary"]["added"] == 0
    assert inc["fts5_add1"]["seconds"] is not None
    if HAS_TANTIVY:
        assert inc["foi-tantivy_add1"]["summary"]["added"] == 1
        assert inc["foi-tantivy_remove1"]["summary"]["removed"] == 1
        assert plain["foi-tantivy"]["median_ms"] > 0

    targets = {t["target"] for t in res["targets"]}
    assert any(t.startswith("warm p95") for t in targets) and any(t.startswith("one-shot") for t in targets)
    assert any(t.startswith("foi-tantivy warm p50") for t in targets) == HAS_TANTIVY
    # the corpus folder is left as generated (the added document is removed again)
    assert not (tmp_path / "work" / "corpus" / bench_run.ADDED_DIR).exists()


def test_prepare_cost_times_every_stage_of_a_worker(tmp_path):
    from bench.generate import generate_corpus
    from bench.prepare_cost import STAGES, measure

    generate_corpus(tmp_path / "corpus", 6, seed=5, pdf_ratio=0.5, max_pages=2, jobs=1)
    res = measure(tmp_path / "corpus", docs=6, repeats=1, profile=tmp_path / "prof")
    assert res["documents"] == 6 and res["pages"] >= 6
    assert all(res["ms_per_doc"][stage] > 0 for stage in STAGES if stage != "check")
    after = sum(res["ms_per_doc"][stage] for stage in STAGES[1:])
    assert abs(res["ms_per_doc"]["after_extraction"] - after) < 0.1
    assert (tmp_path / "prof").stat().st_size > 0


def test_oneshot_times_foi_and_fts5_processes_on_the_same_text(tmp_path):
    from bench import fts5, oneshot
    from tests.conftest import ROOT, build_index, write_doc

    records = []
    for i in range(12):
        text = f"Prevent referrals {i}\n\nHow many Prevent referrals were made? {i * 3} referrals."
        write_doc(tmp_path / "docs", f"r{i:02}.txt", text)
        records.append({"id": i + 1, "doc_id": f"docs/r{i:02}.txt", "title": f"Prevent referrals {i}", "content": text})
    build_index(tmp_path / "docs", tmp_path / "index", engine="whoosh")
    fts5.build(tmp_path / "fts5.db", records)
    result = oneshot.measure(tmp_path / "index", tmp_path / "fts5.db", ["prevent referrals"], runs=1, before=ROOT)
    res = result["queries"]["prevent referrals"]
    assert res["hits"] == 10
    for name in ("foi", "foi_before", "fts5"):
        assert res[name]["wall_ms"] > 0 and res[name]["cpu_ms"] > 0
    assert res["foi_x_fts5"]["cpu"] == res["foi"]["cpu_ms"] / res["fts5"]["cpu_ms"]


# A process that burns this much CPU (its own clock, not the wall's) and exits.
BURN = "import time\nwhile time.process_time() < {s}: pass\n"
# ... once its parent has exited (it is an orphan by then)
ORPHAN = "import os, sys, time\nwhile os.getppid() == int(sys.argv[1]): time.sleep(0.01)\n" + BURN


@pytest.mark.skipif(not HAS_PSUTIL, reason="psutil is part of the bench extra: pip install -e '.[bench]'")
def test_run_measured_counts_the_cpu_of_every_process_of_the_tree():
    import sys

    # The command burns 0.2 s itself, waits for a child that burns 0.2 s, and leaves a
    # child behind that burns 0.3 s after the command has exited (as a forkserver is left
    # behind): all of it is the command's CPU.
    script = (
        "import os, subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {ORPHAN.format(s=0.3)!r}, str(os.getpid())])\n"
        f"subprocess.run([sys.executable, '-c', {BURN.format(s=0.2)!r}])\n" + BURN.format(s=0.2)
    )
    run = bench_run.run_measured([sys.executable, "-c", script])
    assert run["rc"] == 0, run["stderr"]
    assert run["cpu_s"] >= 0.7
    assert run["processes"] >= 2


@pytest.mark.parametrize(("after", "noted"), [(0.3, True), (0.21, False)])
def test_a_change_of_the_hosts_speed_during_a_run_is_noted(capsys, after, noted):
    """The host probes of the sections further apart than HOST_SPREAD: a note says that ratios
    of figures from different sections are noisy; probes that agree print none."""
    res = {
        "meta": {"cpus": 2, "host_probe_start_s": 0.2},
        "corpus": {"docs": 5},
        "build": {"host_probe_after_s": after},
    }
    bench_run.print_report(res, None)
    out = " ".join(capsys.readouterr().out.split())
    assert ("the host's speed changed 1.50x during the run" in out) == noted
    assert ("speed changed" in out) == noted
