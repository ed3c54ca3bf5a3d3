"""Readers against a rebuild's swap: how many reads of a tantivy index fail while its folder
is exchanged.

    python -m bench.swap_readers [--swaps 300] [--workdir DIR]

Builds two small tantivy indexes of different documents, then exchanges the tantivy folder of
one with the other's (storage.exchange, the rename `foi index --rebuild` ends with) every 20 ms,
while a thread counts a word through a held SearchService (as the TUI holds one) and a fresh
one per read (as `foi search` opens one). Prints the reads made and the errors they got: a
reader must never see an error for a swap (a few in a run of 300 swaps is a race).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "tantivy"  # the engine's folder inside the index folder: what a rebuild swaps


def build(corpus: Path, index: Path, count: int, topic: str) -> None:
    corpus.mkdir(parents=True)
    for i in range(count):
        (corpus / f"{topic}{i}.txt").write_text(f"Dear requester, swapreaders words {i} about {topic}.\n")
    args = ["index", str(corpus), "--index", str(index), "--engine", "tantivy", "--jobs", "1"]
    cmd = [sys.executable, "-m", "indexer", *args]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--swaps", type=int, default=300)
    p.add_argument("--workdir", type=Path, default=None)
    args = p.parse_args()
    from indexer.search import SearchService
    from indexer.storage import exchange

    work = args.workdir or Path(tempfile.mkdtemp(prefix="foi-swap-"))
    index, other = work / "index", work / "other"
    build(work / "c1", index, 40, "budgets")
    build(work / "c2", other, 45, "overtime")
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def read() -> None:
        nonlocal reads
        held = SearchService(index)
        while not stop.is_set():
            fresh = SearchService(index)
            try:
                held.count("swapreaders")
                fresh.count("swapreaders")
                reads += 1
            except Exception as exc:  # noqa: BLE001 - every failure is what is counted
                errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                fresh.close()
        held.close()

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(args.swaps):
        time.sleep(0.02)
        exchange(other / FOLDER, index / FOLDER)
    stop.set()
    reader.join()
    print(json.dumps({"swaps": args.swaps, "reads": reads, "errors": len(errors), "first": errors[:3]}))


if __name__ == "__main__":
    main()
