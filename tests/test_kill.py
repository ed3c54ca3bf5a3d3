"""Crash safety: SIGKILL `foi index` at seeded random moments; nothing committed is ever lost.

Each round changes part of the corpus (every file carries a versioned made-up word), starts
`foi index` as a real process, kills it with SIGKILL after a random delay, then checks that
the index opens and answers, that every document it held before is still there (at its old
or a newer version, never half-written) and that each one is found by its word. A final
normal run must finish the job: every file, at its latest version.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.badinputs import good_text, one_page_pdf, token
from tests.conftest import ROOT, invoke_foi

FOI = [sys.executable, "-m", "indexer"]
pytestmark = pytest.mark.usefixtures("engine")
FILES = 400
KILLS = 10
SEED = 20191213


def word(i: int, version: int) -> str:
    return token(100_000 + i * 100 + version)


def write(corpus: Path, i: int, version: int) -> str:
    w = word(i, version)
    folder = corpus / f"part{i // 40:02}"
    folder.mkdir(parents=True, exist_ok=True)
    body = f"Response {i} version {version} keyword {w} shared killtest words"
    if i % 8 == 0:
        (folder / f"doc{i:04}.pdf").write_bytes(one_page_pdf(body))
    else:
        (folder / f"doc{i:04}.txt").write_text(good_text(w) + body + "\n")
    return w


def doc_id(i: int) -> str:
    return f"corpus/part{i // 40:02}/doc{i:04}.{'pdf' if i % 8 == 0 else 'txt'}"


def index_contents(index: Path) -> dict[str, str]:
    """doc_id -> stored text, read through the search service as any reader would."""
    from indexer.engines import engine_for
    from indexer.results import IndexNotFound
    from indexer.search import SearchService

    try:
        engine = engine_for(index)
    except IndexNotFound:
        return {}
    try:
        if not engine.exists():
            return {}
        ids = list(engine.manifest())
    finally:
        engine.close()
    service = SearchService(index)
    try:
        return {d: service.document(d).content for d in ids}
    finally:
        service.close()


def unfindable(index: Path, words: dict[str, str]) -> list[str]:
    """Documents whose word does not lead to them (and only them) in the inverted index.

    One content-term query per document, straight to the engine (no snippets), cheap
    enough for all of them every round; the full query path (SearchService.search) is
    checked on a sample."""
    from indexer.engines import engine_for
    from indexer.query import Term

    engine = engine_for(index)
    bad = []
    try:
        for doc_id, w in words.items():
            found = [h.stored["doc_id"] for h in engine.search(Term("content", w), limit=5).hits]
            if found != [doc_id]:
                bad.append(f"{doc_id}: {w} -> {found}")
    finally:
        engine.close()
    return bad


def held_twice(index: Path, held: dict[str, set[str]], ids: set[str]) -> dict[str, list[str]]:
    """Documents of `ids` the index holds more than once: doc_id -> the words of the copies
    found (two versions of one file: a replacement that did not delete the old one)."""
    from indexer.engines import engine_for
    from indexer.query import Term

    engine = engine_for(index)
    found: dict[str, list[str]] = {}
    try:
        for doc_id in ids:
            for w in sorted(held[doc_id]):
                hits = [h.stored["doc_id"] for h in engine.search(Term("content", w), limit=5).hits]
                found.setdefault(doc_id, []).extend([w] * hits.count(doc_id))
    finally:
        engine.close()
    return {d: words for d, words in found.items() if len(words) > 1}


def still_running(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Those of `procs` still running after `timeout` s (zombies count as dead: PID 1 in a
    container does not always reap orphans)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def generation(index: Path) -> int:
    from indexer.engines import IndexNotFound, engine_for

    try:
        engine = engine_for(index)
        try:
            return engine.generation()
        finally:
            engine.close()
    except IndexNotFound:  # not created yet
        return -1


def wait_for_commits(index: Path, proc: subprocess.Popen, commits: int) -> None:
    """Until the run has committed `commits` times (each commit changes the generation; by
    how much depends on the engine)."""
    last = generation(index)
    seen = 0
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        now = generation(index)
        if now != last:
            seen, last = seen + 1, now
            if seen >= commits:
                return
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    from indexer.search import SearchService

    rng = random.Random(SEED)
    corpus = tmp_path / "corpus"
    index = tmp_path / "index"
    versions = {i: 0 for i in range(FILES)}
    for i in range(FILES):
        write(corpus, i, 0)
    held: dict[str, set[str]] = {}  # doc_id -> words of the versions it may hold
    for i in range(FILES):
        held.setdefault(doc_id(i), set()).add(word(i, 0))
    before: set[str] = set()
    usable = lost = mid_run = 0
    orphans: list[str] = []
    next_new = FILES

    for round_ in range(KILLS):
        if round_:  # new work for this run: changed files and a few new ones
            for i in rng.sample(sorted(versions), 120):
                versions[i] += 1
                held[doc_id(i)].add(write(corpus, i, versions[i]))
            for _ in range(10):
                versions[next_new] = 0
                held[doc_id(next_new)] = {write(corpus, next_new, 0)}
                next_new += 1
        proc = subprocess.Popen(
            [*FOI, "index", str(corpus), "--index", str(index), "--json", "--batch-size", "20"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if round_ % 2:  # at a random moment: start-up, discovery, extraction or a commit
            time.sleep(rng.uniform(0.05, 1.5))
        else:  # after a random number of commits of this run: surely mid-run (it has 6 or more)
            wait_for_commits(index, proc, rng.randint(1, 4))
        workers = descendants(proc.pid)
        if proc.poll() is None:
            mid_run += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
        # Worker processes must not outlive the killed indexer for long.
        alive = still_running(workers, timeout=20)
        orphans += [f"round {round_}: pid {p.pid} {p.name()}" for p in alive]
        for p in alive:
            p.kill()

        contents = index_contents(index)
        now = set(contents)
        missing = before - now
        lost += len(missing)
        assert not missing, f"round {round_}: committed documents lost: {sorted(missing)[:5]}"
        half = [d for d, text in contents.items() if not any(w in text for w in held[d])]
        assert not half, f"round {round_}: documents without their text: {half[:5]}"
        words = {d: next(w for w in held[d] if w in text) for d, text in contents.items()}
        assert not unfindable(index, words), (round_, unfindable(index, words)[:5])
        service = SearchService(index)
        try:
            documents = service.stats().documents
            if documents != len(now):
                twice = held_twice(index, held, now)
                raise AssertionError(f"round {round_}: {documents} documents, {len(now)} doc ids; held twice: {twice}")
            for d in rng.sample(sorted(words), min(20, len(words))):
                assert [h.doc_id for h in service.search(words[d]).hits] == [d], (round_, d, words[d])
        finally:
            service.close()
        usable += 1
        before = now

    assert not orphans, orphans
    assert mid_run >= KILLS // 2, f"only {mid_run} of {KILLS} kills landed while indexing"  # the even rounds
    done = invoke_foi("index", corpus, "--index", index, "--json")  # no kill: a process of its own is not the point
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    contents = index_contents(index)
    assert set(contents) == {doc_id(i) for i in versions}
    latest = {doc_id(i): word(i, v) for i, v in versions.items()}
    stale = [d for d, w in latest.items() if w not in contents[d]]
    assert not stale, stale[:5]
    assert not unfindable(index, latest)
    count = invoke_foi("search", "killtest", "--count", "--index", index)
    assert count.stdout.strip() == str(len(versions))
    print(f"kill test: {usable}/{KILLS} index usable after SIGKILL ({mid_run} mid-run), documents lost: {lost}")


@pytest.mark.parametrize("files", [6, 2], ids=["pool", "forks"])
def test_workers_die_with_a_killed_indexer_even_mid_file(tmp_path, files):
    """A worker stuck on a hostile file is only ever stopped by the indexer's time limit; if
    the indexer is killed, the worker must not spin on as an orphan. Whether it is a pool's
    worker or (for a handful of files, pipeline.FORK_MAX_FILES) a fork of the indexer."""
    from indexer.pipeline import FORK_MAX_FILES

    pooled = files > FORK_MAX_FILES
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(files):
        (corpus / f"hang{i}.txt").write_text(good_text(token(i)))
    script = (
        "import sys; from pathlib import Path; import indexer.pipeline as p; from tests import badinputs\n"
        "p.prepare = badinputs.hostile_prepare\n"
        f"p.run_index([Path({str(corpus)!r})], Path({str(tmp_path / 'index')!r}), p.RunOptions(jobs=2))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        wanted = 3 if pooled else 1  # a forkserver + 2 workers, or one fork at a time
        while time.monotonic() < deadline and len(workers) < wanted:
            time.sleep(0.2)
            # (an engine whose library runs threads of its own is given the pool either way)
            workers = [
                p
                for p in descendants(proc.pid)
                if "resource_tracker" not in " ".join(p.cmdline())
                # the stock forkserver and its forks, or a fork of the indexer as forkserver (named)
                and (not pooled or "forkserver" in " ".join(p.cmdline()) or p.name().startswith("foi-"))
            ]
        assert len(workers) >= wanted, "no worker was started"
        time.sleep(1.0)  # the workers are inside hostile_prepare now, sleeping for an hour
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    alive = still_running(workers, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, f"orphaned workers still running: {[p.pid for p in alive]}"
