"""`foi index --cluster`: extraction on Dask workers gives the local run's documents and failures.

Every cluster here runs on loopback (127.0.0.1) only. One `dask scheduler` with a `dask worker`
of two processes, started as the README starts them on many machines, serves the module;
`--cluster local:2` through the CLI starts its own LocalCluster, as a user's run does.
Stand-ins for pipeline.prepare and cluster.run_task (tests/badinputs.py) reach the workers
by name.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from tests import badinputs
from tests.badinputs import good_text, token
from tests.conftest import FOI, ROOT, invoke_foi, write_pdf

from indexer.extract import ExtractOptions
from indexer.extract import ocr

# find_spec, not importorskip: importing distributed costs each xdist worker about a second
# of CPU at collection, and only the worker that runs these tests needs it.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="the cluster extra is not installed (make setup installs it)",
)


def _session(address: str, **kwargs):
    from indexer.cluster import ClusterSession, parse_address

    return ClusterSession(parse_address(address), **kwargs).open()


class LoopbackCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, started as the README says
    to start them on many machines; its own process group, so that it can be killed whole."""

    def __init__(self, folder: Path, workers: int = 2, env: dict | None = None):
        from distributed import Client

        folder.mkdir(parents=True, exist_ok=True)
        info = folder / "scheduler.json"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),  # the stand-ins in tests/ reach workers by name
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "2",
            "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
            "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
            **(env or {}),
        }
        # One shell in a session of its own runs both, so the group can be killed whole.
        script = (
            '"$1" -m dask scheduler --host 127.0.0.1 --dashboard-address 127.0.0.1:0 --port 0 '
            '--scheduler-file "$2" & '
            '"$1" -m dask worker --scheduler-file "$2" --host 127.0.0.1 --dashboard-address 127.0.0.1:0 '
            '--nworkers "$3" --nthreads 1 --local-directory "$4" & wait'
        )
        self.group = subprocess.Popen(
            ["bash", "-c", script, "bash", sys.executable, str(info), str(workers), str(folder)],
            cwd=folder,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = None
        try:
            for _ in range(240):
                if info.exists() and info.stat().st_size:
                    break
                time.sleep(0.5)
            self.address = json.loads(info.read_text())["address"]
            assert self.address.startswith("tcp://127.0.0.1:"), self.address
            self.client = Client(self.address, timeout=30, set_as_default=False)
            self.client.wait_for_workers(workers, timeout=240)
        except BaseException:
            self.close()  # never leave a scheduler behind
            raise

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.close(timeout=10)
        finally:
            try:
                os.killpg(self.group.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.group.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = LoopbackCluster(tmp_path_factory.mktemp("dask"))
    yield running
    running.close()


def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def _index(roots, index_dir, address: str, shared_fs: bool = False, engine: str | None = None, **extract):
    """One run_index on the cluster at `address`, in this process (so stand-ins apply)."""
    from indexer.pipeline import RunOptions, run_index

    with _session(address, shared_fs=shared_fs) as session:
        options = RunOptions(cluster=session, engine=engine, extract=ExtractOptions(**{"ocr": False, **extract}))
        return run_index(roots, index_dir, options)


def _documents(index_dir: Path, doc_ids) -> dict[str, dict]:
    from indexer.search import SearchService

    service = SearchService(index_dir)
    try:
        out = {}
        for doc_id in doc_ids:
            view = service.document(doc_id)
            out[doc_id] = None if view is None else {k: v for k, v in view.to_dict().items() if k != "indexed_at"}
        return out
    finally:
        service.close()


def _text_corpus(root: Path, count: int) -> dict[str, str]:
    """`count` small text responses; doc_id -> its unique word."""
    root.mkdir(parents=True, exist_ok=True)
    words = {}
    for i in range(count):
        word = token(900 + i)
        (root / f"r{i:02}.txt").write_text(good_text(word))
        words[f"{root.name}/r{i:02}.txt"] = word
    return words


# ---------------------------------------------------------------- addresses and Dask's absence


def test_addresses_are_parsed_or_refused():
    from indexer.cluster import parse_address
    from indexer.pipeline import default_jobs

    assert parse_address("local").local_workers == default_jobs()
    assert parse_address("local:3").local_workers == 3
    assert parse_address("tcp://127.0.0.1:8786").local_workers is None
    assert parse_address("127.0.0.1:8786").text == "127.0.0.1:8786"
    for bad in ("local:0", "local:x", "scheduler", "tcp://host"):
        with pytest.raises(ValueError, match="--cluster"):
            parse_address(bad)


def test_a_bad_address_is_a_usage_error(tmp_path):
    proc = subprocess.run(
        [*FOI, "index", str(ROOT / "corpus"), "--index", str(tmp_path / "ix"), "--cluster", "local:0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("foi: --cluster 'local:0'") and proc.stderr.count("\n") == 1


def test_remote_workers_keep_their_own_ocr_cache_unless_one_is_named(tmp_path):
    from indexer.cluster import ClusterSession, parse_address, worker_ocr_cache

    ext = ExtractOptions(ocr_cache_dir=tmp_path / "index" / "ocr-cache")
    remote = ClusterSession(parse_address("tcp://127.0.0.1:8786"))
    assert remote._task_options(ext) == (ExtractOptions(ocr_cache_dir=None), True)
    named = ClusterSession(parse_address("tcp://127.0.0.1:8786"), ocr_cache=tmp_path / "shared")
    assert named._task_options(ext) == (ExtractOptions(ocr_cache_dir=tmp_path / "shared"), False)
    local = ClusterSession(parse_address("local:2"))
    assert local._task_options(ext) == (ext, False)  # same machine: the index's own cache
    assert worker_ocr_cache().parts[-2:] == ("foi-search", "ocr")


def test_a_run_without_cluster_never_imports_dask(tmp_path):
    corpus = tmp_path / "corpus"
    _text_corpus(corpus, 3)
    script = textwrap.dedent(f"""
        import sys
        from indexer.cli import main
        try:
            main(["index", {str(corpus)!r}, "--index", {str(tmp_path / "ix")!r}, "--json"])
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed", "indexer")))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary, modules = proc.stdout.splitlines()
    assert json.loads(summary)["added"] == 3
    modules = eval(modules)
    assert "indexer.pipeline" in modules  # the run did happen in this process
    assert [m for m in modules if m.startswith(("dask", "distributed", "indexer.cluster"))] == []


def test_an_unreachable_scheduler_is_exit_1_naming_it(tmp_path):
    corpus = tmp_path / "corpus"
    _text_corpus(corpus, 1)
    proc = subprocess.run(
        [*FOI, "index", str(corpus), "--index", str(tmp_path / "ix"), "--cluster", "tcp://127.0.0.1:1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("foi: cannot reach the Dask scheduler at tcp://127.0.0.1:1 within")
    assert proc.stderr.count("\n") == 1, proc.stderr  # one line, no traceback
    assert not (tmp_path / "ix").exists()  # refused before the index was touched


# ---------------------------------------------------------------- same result as a local run


def _scanned_pdf() -> bytes:
    from bench.ocr_eval import SENTENCES, image_pdf, scan, typeset

    lines = [[(w, False) for w in s.split()[i : i + 9]] for s in SENTENCES[:5] for i in range(0, len(s.split()), 9)]
    return image_pdf([scan(typeset(lines, "Times-Roman", 11), 300, 0.8, noise=0.002, seed=5)], 300)


@pytest.mark.slow
def test_local_2_gives_the_documents_and_failures_of_a_local_run(tmp_path):
    corpus = tmp_path / "corpus"
    words = _text_corpus(corpus, 4)
    (corpus / "r00.txt.meta.json").write_text(json.dumps({"authority": "Sidecar Police", "note": "kept"}))
    write_pdf(
        corpus / "letter.pdf",
        [
            "Freedom of Information request FOI-2024-77\nDear Applicant,\n"
            "The Council holds the information. Section 40(2) applies.",
            "Page two zyxpagetwoq figures",
        ],
    )
    ocr_needed = ocr.available()
    if ocr_needed:
        (corpus / "scan.pdf").write_bytes(_scanned_pdf())
    with zipfile.ZipFile(corpus / "pack.zip", "w") as pack:  # a container: its members come back as records too
        pack.writestr("a.txt", good_text("zyxmemberaq"))
        pack.writestr("inner/b.txt", good_text("zyxmemberbq"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "renamed.pdf").write_text("no PDF header here")
    (corpus / "big.txt").write_text(good_text("bulky") * 4000)  # over --max-bytes: refused before sending

    def run(index_dir, *extra, here=False):
        args = [
            "index",
            str(corpus),
            "--index",
            str(index_dir),
            "--json",
            "--max-bytes",
            "500000",
            "--jobs",
            "2",
            *extra,
        ]
        if here:  # the local run is only the reference
            proc = invoke_foi(*args)
        else:
            proc = subprocess.run([*FOI, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    local = run(tmp_path / "local", here=True)
    shared = tmp_path / "shared-ocr"
    remote = run(tmp_path / "cluster", "--cluster", "local:2", "--ocr-cache", str(shared))
    assert (remote["cluster"], remote["workers"]) == ("local:2", 2)
    assert "cluster" not in local
    for key in ("added", "updated", "removed", "unchanged", "failed"):
        assert remote[key] == local[key], key
    members = ["corpus/pack.zip!/a.txt", "corpus/pack.zip!/inner/b.txt"]
    assert local["added"] == len(words) + 2 + len(members) + ocr_needed
    failures = sorted((f["doc_id"], f["reason"], f["detail"]) for f in local["failures"])
    assert sorted((f["doc_id"], f["reason"], f["detail"]) for f in remote["failures"]) == failures
    assert [(d, r) for d, r, _ in failures] == [
        ("corpus/big.txt", "too_large"),
        ("corpus/empty.txt", "empty"),
        ("corpus/renamed.pdf", "corrupt"),
    ]

    doc_ids = [*words, "corpus/letter.pdf", "corpus/pack.zip", *members] + (["corpus/scan.pdf"] if ocr_needed else [])
    expected = _documents(tmp_path / "local", doc_ids)
    got = _documents(tmp_path / "cluster", doc_ids)
    assert None not in expected.values()
    assert got == expected
    assert expected["corpus/r00.txt"]["authority"] == "Sidecar Police"  # the sidecar travelled with the file
    assert "zyxmemberbq" in expected["corpus/pack.zip!/inner/b.txt"]["content"]
    if ocr_needed:
        assert expected["corpus/scan.pdf"]["ocr"] is True
        # One page hash, one entry: the cluster's workers wrote the named cache, under the same key.
        local_keys = {p.name for p in (tmp_path / "local" / "ocr-cache").rglob("*.json")}
        assert {p.name for p in shared.rglob("*.json")} == local_keys and len(local_keys) == 1

    # Incremental: nothing changed, nothing sent (no cluster started); one change, one task.
    again = run(tmp_path / "cluster", "--cluster", "local:2", "--ocr-cache", str(shared))
    assert (again["added"], again["updated"], again["unchanged"], again["workers"]) == (
        0,
        0,
        len(doc_ids) - len(members),
        0,
    )
    (corpus / "r01.txt").write_text(good_text("zyxchangedq"))
    changed = run(tmp_path / "cluster", "--cluster", "local:2", "--ocr-cache", str(shared))
    assert (changed["added"], changed["updated"], changed["workers"]) == (0, 1, 2)
    assert _documents(tmp_path / "cluster", ["corpus/r01.txt"])["corpus/r01.txt"]["content"].count("zyxchangedq") == 1


# ---------------------------------------------------------------- faults


def test_shared_fs_workers_read_the_paths_for_either_engine(tmp_path, cluster):
    pytest.importorskip("tantivy")
    from indexer.engines import engine_for

    words = _text_corpus(tmp_path / "docs", 3)
    summary = _index([tmp_path / "docs"], tmp_path / "ix", cluster.address, shared_fs=True, engine="tantivy")
    assert (summary.added, summary.failures) == (3, [])
    assert engine_for(tmp_path / "ix").name == "tantivy"  # the workers prepared tantivy's fields
    docs = _documents(tmp_path / "ix", words)
    assert all(word in docs[doc_id]["content"] for doc_id, word in words.items())


def test_big_files_go_straight_to_a_worker(tmp_path, cluster, monkeypatch):
    """Files over INLINE_BYTES are scattered to a worker instead of riding in the task."""
    import indexer.cluster

    words = _text_corpus(tmp_path / "docs", 3)
    (tmp_path / "docs" / "r00.txt").write_text(good_text(words["docs/r00.txt"]) * 40)  # the big one
    sizes = []
    import distributed

    real = distributed.Client.scatter

    def spy(self, data, *args, **kwargs):
        sizes.append(len(data))
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "scatter", spy)
    monkeypatch.setattr(indexer.cluster, "INLINE_BYTES", 4096)
    summary = _index([tmp_path / "docs"], tmp_path / "ix", cluster.address)
    assert (summary.added, summary.failures) == (3, [])
    assert sizes == [(tmp_path / "docs" / "r00.txt").stat().st_size]
    docs = _documents(tmp_path / "ix", words)
    assert all(word in docs[doc_id]["content"] for doc_id, word in words.items())


@pytest.mark.slow
def test_a_killed_worker_loses_no_document(tmp_path, cluster, monkeypatch):
    import indexer.pipeline as pipeline
    from indexer.pipeline import RunOptions, run_index

    words = _text_corpus(tmp_path / "docs", 10)
    monkeypatch.setattr(pipeline, "prepare", badinputs.slow_prepare)
    watcher = cluster.client
    before = _worker_pids(watcher)
    killed = []

    def kill_a_busy_worker(done: int, total: int) -> None:
        if done != 2 or killed:
            return
        busy = [w for w, keys in watcher.processing().items() if keys]
        pid = before[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    with _session(cluster.address) as session:
        options = RunOptions(cluster=session, extract=ExtractOptions(ocr=False))
        summary = run_index([tmp_path / "docs"], tmp_path / "ix", options, on_progress=kill_a_busy_worker)
    assert killed and killed[0] not in _wait_for_workers(watcher, 2).values()  # it died and was replaced
    assert (summary.added, summary.failures) == (10, [])
    docs = _documents(tmp_path / "ix", words)
    assert all(word in docs[doc_id]["content"] for doc_id, word in words.items())


def _wait_for_workers(client, count: int) -> dict[str, int]:
    """Worker pids once `count` workers are up again (a nanny restarts one that died)."""
    for _ in range(240):
        if len(client.nthreads()) >= count:
            return _worker_pids(client)
        time.sleep(0.5)
    raise AssertionError(f"only {len(client.nthreads())} of {count} workers came back")


@pytest.mark.slow
def test_hostile_files_cost_one_file_each_and_a_worker_killer_is_not_retried_forever(tmp_path, cluster, monkeypatch):
    """The local pool's faults (tests/test_reliability.py) give the same reasons on the
    cluster; a file that kills the Dask worker itself is retried on other workers, then
    reported `corrupt`."""
    import indexer.cluster
    import indexer.pipeline as pipeline

    root = tmp_path / "docs"
    words = _text_corpus(root, 4)
    for name in ("hang.txt", "sigkill.txt", "segfault.txt", "raises.txt", "killer.txt"):
        (root / name).write_text(good_text("hostile"))
    monkeypatch.setattr(pipeline, "prepare", badinputs.hostile_prepare)
    monkeypatch.setattr(indexer.cluster, "run_task", badinputs.worker_killing_task)
    summary = _index([root], tmp_path / "ix", cluster.address, timeout=3)
    failures = {f.doc_id: f for f in summary.failures}
    assert {d: f.reason for d, f in failures.items()} == {
        "docs/hang.txt": "timeout",
        "docs/sigkill.txt": "too_large",
        "docs/segfault.txt": "corrupt",
        "docs/raises.txt": "corrupt",
        "docs/killer.txt": "corrupt",
    }
    assert "killed 3 cluster workers" in failures["docs/killer.txt"].detail
    assert summary.added == 4
    docs = _documents(tmp_path / "ix", words)
    assert all(word in docs[doc_id]["content"] for doc_id, word in words.items())
    _wait_for_workers(cluster.client, 2)  # the nannies brought the killed workers back


@pytest.mark.slow
def test_losing_the_scheduler_is_exit_1_after_committing_what_was_finished(tmp_path, cluster, monkeypatch):
    from click.testing import CliRunner

    import indexer.pipeline as pipeline
    from indexer.cli import main

    doomed = LoopbackCluster(tmp_path / "doomed", workers=1, env={"FOI_TEST_DOOMED": "1"})
    try:
        address = doomed.address
        root = tmp_path / "docs"
        words = _text_corpus(root, 4)
        (root / "zz-kill.txt").write_text(good_text("zyxlastq"))
        monkeypatch.setattr(pipeline, "prepare", badinputs.scheduler_killing_prepare)
        result = CliRunner().invoke(
            main, ["index", str(root), "--index", str(tmp_path / "ix"), "--json", "--no-ocr", "--cluster", address]
        )
        assert doomed.group.wait(timeout=60) == -signal.SIGKILL  # zz-kill.txt did take it down
    finally:
        doomed.close()
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"foi: lost the connection to the Dask scheduler at {address}; "
        "finished documents were kept, run again to index the rest\n"
    )
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"]) == (4, 0)  # zz-kill.txt is neither indexed nor failed
    assert None not in _documents(tmp_path / "ix", words).values()

    # The next run (on a cluster that is up) sends only the file that was not finished.
    again = _index([root], tmp_path / "ix", cluster.address)
    assert (again.added, again.unchanged, again.failures) == (1, 4, [])
