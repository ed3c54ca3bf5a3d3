"""How long FOI metadata extraction takes per document, on real responses.

    python -m bench.metadata_speed [--folder ../shared/corpus-real/sheffield] [--repeat 3]

Reads every .txt file of the folder, runs `extract_metadata` over all of them `--repeat`
times and prints CPU and wall milliseconds per document (CPU time is the steadier figure
on a shared machine). Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from indexer.metadata import extract_metadata

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus-real" / "sheffield"


def measure(texts: list[str], repeat: int) -> dict:
    extract_metadata(texts[0])  # the first call compiles patterns and loads the gazetteer
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for text in texts:
            extract_metadata(text)
    runs = repeat * len(texts)
    return {
        "documents": len(texts),
        "cpu_ms": (time.process_time() - cpu) / runs * 1000,
        "wall_ms": (time.perf_counter() - wall) / runs * 1000,
        "mean_words": sum(len(t.split()) for t in texts) / len(texts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="folder of .txt responses")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the folder")
    args = parser.parse_args(argv)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(args.folder.glob("*.txt"))]
    if not texts:
        print(f"no .txt files in {args.folder}", file=sys.stderr)
        return 1
    r = measure(texts, max(1, args.repeat))
    print(
        f"{r['documents']} documents, mean {r['mean_words']:.0f} words: "
        f"{r['cpu_ms']:.2f} ms CPU ({r['wall_ms']:.2f} ms wall) per document"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
