"""Text cleaning on hostile input: seconds per pattern at 64 KB and 256 KB, and their ratio.

    python -m bench.hostile_text [--sizes 65536,262144] [--repeats 3]

Linear work gives a ratio near 4 between the two default sizes; quadratic work near 16.
The patterns are the ones that made the old regexes quadratic (issue 17); the test suite
checks the same ratio (tests/test_linear_text.py), this prints the figures.
"""

from __future__ import annotations

import argparse
import time


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# name -> a text of about `n` characters
PATTERNS = {
    "unclosed bold stars": lambda n: _repeat("**a ", n),
    "unclosed bold underscores": lambda n: _repeat("__a ", n),
    "unclosed italics": lambda n: _repeat("*a ", n),
    "run of stars inside a word": lambda n: "x" + "*" * n + "y",
    "blank run before a word": lambda n: "x" + " " * n + "y\n",
    "blank run with tabs": lambda n: "x" + " \t" * (n // 2) + "y",
    "NUL run before a space": lambda n: "x" + "\x00" * n + " y",
    "unfinished CSI sequences": lambda n: _repeat("\x1b[0", n),
    "unfinished OSC sequences": lambda n: _repeat("\x1b]0;", n),
    "unclosed tags": lambda n: _repeat("<b ", n),
    "hash run": lambda n: "#" * n,
    "bold and underscore mix": lambda n: _repeat("**a __b *c _d ", n),
    "star triples": lambda n: "***" * (n // 3 + 1),
}


def seconds(func, arg, repeats: int = 3) -> float:
    """The best of a few runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        func(arg)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    from indexer.extract.base import ExtractOptions
    from indexer.extract.text import clean_text, extract_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="65536,262144")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    small, large = (int(s) for s in args.sizes.split(","))
    print(f"{'pattern':<28} {small // 1024:>6} KB s {large // 1024:>6} KB s  ratio")
    for name, make in PATTERNS.items():
        a = seconds(clean_text, make(small), args.repeats)
        b = seconds(clean_text, make(large), args.repeats)
        print(f"{name:<28} {a:>11.4f} {b:>11.4f}  {b / max(a, 1e-9):5.1f}")
    line = b"**word " * (50 * 1024 * 1024 // 7)
    took = seconds(lambda data: extract_text(data, ExtractOptions()), line, 1)
    print(f"{'50 MB single line (extract)':<28} {took:>11.2f} s with the default 5,000,000-character cut")


if __name__ == "__main__":
    main()
