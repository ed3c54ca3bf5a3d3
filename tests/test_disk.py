"""A full disk or a read-only index folder: one clear line naming the folder (and the free space),
the index left as it was, leftovers cleaned, and the next run succeeds once there is room.

The index lives on a small tmpfs mounted for the test (root only: skipped elsewhere).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import invoke_foi, run_foi, write_doc

pytestmark = pytest.mark.usefixtures("engine")
KB = 1024


def mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own for the index."""
    where = tmp_path / "disk"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: the full-disk tests need a small tmpfs")
    r = mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where))
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, options: str) -> None:
    r = mount("-o", f"remount,{options}", str(where))
    assert r.returncode == 0, r.stderr


def used(where: Path) -> int:
    usage = shutil.disk_usage(where)
    return usage.total - usage.free


def documents(index: Path) -> int:
    r = invoke_foi("status", "--json", "--index", index)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["documents"]


def index_run(corpus: Path, index: Path, *args: str, run=run_foi) -> subprocess.CompletedProcess:
    """`foi index` as a real process; `run=invoke_foi` for a run that only sets the scene."""
    return run("index", str(corpus), "--index", str(index), "--json", "--jobs", "1", *args)


def big_documents(corpus: Path, count: int) -> None:
    """Documents of distinct words: each needs about 580 KB of a Whoosh index, 70 KB of tantivy's."""
    rng = random.Random(7)
    for i in range(count):
        words = " ".join(f"w{rng.randrange(10**9):x}" for _ in range(3000))
        write_doc(corpus, f"big{i:03}.txt", f"Freedom of information response {i} about diskfull. {words}")


FULL = re.compile(
    r"foi: no space left on the disk of (?P<dir>\S+) \([0-9.]+ (bytes|KB|MB) free\): "
    r"(?P<kept>.+); free some space and run `foi index` again\n"
)


def _without_progress(stderr: str) -> str:
    """stderr less the plain progress lines a slow run prints every 10 s off a terminal."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("indexing: "))


def test_a_full_disk_is_one_line_the_index_stays_and_the_next_run_succeeds_with_room(tmp_path, small_disk, engine):
    corpus, index = tmp_path / "corpus", small_disk / "index"
    for i in range(3):
        write_doc(corpus, f"small{i}.txt", f"A response about gritting routes, number {i}.")
    assert index_run(corpus, index, run=invoke_foi).returncode == 0
    before = used(small_disk)
    big = 8 if engine == "whoosh" else 20  # an index over the 1 MB disk: about 4.6 MB on Whoosh, 1.4 MB on tantivy
    big_documents(corpus, big)

    r = index_run(corpus, index)
    assert r.returncode == 1
    assert r.stdout == ""
    found = FULL.fullmatch(_without_progress(r.stderr))
    assert found, r.stderr
    assert found["dir"] == str(index)
    assert found["kept"] in ("the index was left as it was",) or found["kept"].startswith(
        "the index keeps what was committed"
    )
    assert documents(index) >= 3
    r = invoke_foi("search", "gritting", "--count", "--index", index)
    assert r.stdout.strip() == "3"
    assert used(small_disk) <= before + 64 * KB  # what the failed run wrote is gone again

    r = index_run(corpus, index, "--rebuild")
    assert r.returncode == 1
    found = FULL.fullmatch(_without_progress(r.stderr))
    assert found and found["kept"] == "the old index was kept as it was", r.stderr
    assert documents(index) >= 3
    assert not (index / "foi-rebuild").exists()

    remount(small_disk, "size=256m")  # a tmpfs takes only what its files use
    r = index_run(corpus, index, run=invoke_foi)
    assert r.returncode == 0, r.stderr
    assert documents(index) == 3 + big
    r = index_run(corpus, index, "--rebuild", run=invoke_foi)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 3 + big


def test_leftovers_of_a_killed_run_are_cleaned_before_the_next_one_writes(tmp_path, small_disk):
    corpus, index = tmp_path / "corpus", small_disk / "index"
    write_doc(corpus, "first.txt", "A response about gritting routes.")
    assert index_run(corpus, index, run=invoke_foi).returncode == 0
    # What runs killed on a full disk leave: an unfinished rebuild, Whoosh's temporary folder,
    # half-written run logs. Together they fill the disk.
    free = shutil.disk_usage(small_disk).free
    leftovers = [
        index / "foi-rebuild" / "tantivy" / "segment.store",
        index / "foi.tmp" / "postings.ctmp",
        index / ".state-killed.tmp",
    ]
    for path, share in zip(leftovers, (0.5, 0.3, 0.2)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * max(1, int(free * share) - 8 * KB))
    write_doc(corpus, "second.txt", "A response about salt bins. " * 200)

    r = index_run(corpus, index)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 1
    assert not any(p.exists() for p in leftovers)
    assert not (index / "foi-rebuild").exists() and not (index / "foi.tmp").exists()
    assert documents(index) == 2


def test_a_read_only_index_folder_is_one_line_not_a_raw_error(tmp_path, small_disk, engine):
    corpus, index = tmp_path / "corpus", small_disk / "index"
    write_doc(corpus, "first.txt", "A response about gritting routes.")
    assert index_run(corpus, index, run=invoke_foi).returncode == 0
    write_doc(corpus, "second.txt", "A response about salt bins.")
    remount(small_disk, "ro")
    try:
        r = index_run(corpus, index)
        assert r.returncode == 1
        assert r.stdout == ""
        assert r.stderr == (
            f"foi: cannot write to the index folder {index} (Read-only file system: "
            f"{index / 'foi-writer.lock'}): nothing was changed\n"
        )
        r = invoke_foi("search", "gritting", "--count", "--index", index)
        if engine == "whoosh":  # reading needs no write
            assert (r.returncode, r.stdout.strip()) == (0, "1"), r.stderr
        else:  # tantivy locks a file in the folder even to read
            assert r.returncode == 1
            assert r.stderr == (
                f"foi: cannot write to the index folder {index} (the tantivy engine writes a "
                "lock file even to read; Read-only file system): searching it needs a writable "
                "copy of the folder\n"
            )
    finally:
        remount(small_disk, "rw")
    r = index_run(corpus, index, run=invoke_foi)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 1
