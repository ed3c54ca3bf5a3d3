"""How metadata extraction time grows with hostile input: every pattern at two sizes.

    python -m bench.metadata_linear [--size KB] [--factor F] [--budget S] [--scan]

For each pattern (a one-line list of dates, long blank runs after a number, repeated
"section 40(2)", ...) extract_metadata runs on SIZE KB and on FACTOR x SIZE KB of it and
the CPU seconds of both are printed with their ratio: about FACTOR when the work is linear,
FACTOR squared when it is quadratic. A case over BUDGET seconds is stopped and reported.
`--scan` crosses many seed words with many separators (each as one long run and as a
repetition) and prints only the cases that grow faster than linear.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import sys
import time
from collections.abc import Callable

from indexer.metadata import extract_metadata

# name -> unit; the text is the unit repeated (or, for runs, seed + separator run + "x")
PATTERNS: dict[str, Callable[[int], str]] = {
    "dates on one line": lambda n: _fill(lambda i: f"{i % 28 + 1} June 20{i % 20:02d} ", n),
    "numeric dates on one line": lambda n: _fill(lambda i: f"{i % 28 + 1}/0{i % 9 + 1}/2019 ", n),
    "dated table rows": lambda n: _fill(lambda i: f"Date: {i % 28 + 1} June 2019 | received on 3 May 2019\n", n),
    "a number then blanks": lambda n: "5" + " " * n,
    "a month then blanks": lambda n: "June 5" + "\t" * n,
    "section then blanks": lambda n: "Section 40" + " " * n,
    "regulation then blanks": lambda n: "Regulation 12" + " " * n,
    "FOI then blanks": lambda n: "FOI" + " " * n,
    "reference label then blanks": lambda n: "Our ref:" + " " * n,
    "repeated section 40(2)": lambda n: _rep("section 40(2) ", n),
    "repeated s40": lambda n: _rep("s40 ", n),
    "repeated withheld under s40(2)": lambda n: _rep("withheld under section 40(2) ", n),
    "repeated Sent: headers": lambda n: _rep("From: FOI\nSent: Monday, July 17, 2023 5:24 PM\n", n),
    "repeated Dear lines": lambda n: _rep("Dear Sheffield City Council,\n", n),
    "repeated request dated": lambda n: _rep("your request dated 3 May 2019 ", n),
    "repeated authority names": lambda n: _rep("Sheffield City Council Home Office ", n),
    "repeated sign-offs": lambda n: _rep("Yours sincerely\n", n),
    "repeated question marks": lambda n: _rep("How many? ", n),
    "repeated list numbers": lambda n: _rep("1. 2. 3. ", n),
    "repeated bullets": lambda n: _rep("• a\n", n),
    "repeated Q/A lines": lambda n: _rep("Q1. How many?\nA1. 12\n", n),
    "repeated pipes": lambda n: _rep("| 12 | 13 |\n", n),
    "repeated file names": lambda n: _rep("file.pdf\n", n),
    "repeated URLs": lambda n: _rep("https://www.sheffield.gov.uk/a ", n),
    "repeated e-mail addresses": lambda n: _rep("foi@sheffield.gov.uk ", n),
    "repeated FOI / n": lambda n: _rep("FOI / 12345 ", n),
    "repeated Our ref lines": lambda n: _rep("Our ref: FOI 2019/4412\n", n),
    "repeated WDTK markers": lambda n: _rep("Response by Leeds City Council to A on 5 June 2024. ", n),
    "long line of words": lambda n: _rep("word ", n),
    "blank lines": lambda n: "\n" * n,
    "spaces": lambda n: " " * n,
    "unclosed emphasis": lambda n: _rep("**a ", n),
    "underscores": lambda n: _rep("__a ", n),
}

SEEDS = [
    "5",
    "5 June",
    "June 5",
    "5th",
    "section",
    "Section 40",
    "s40",
    "Regulation 12",
    "reg",
    "EIR",
    "FOI",
    "Ref",
    "Our ref:",
    "Reference",
    "Dear",
    "From:",
    "Sent:",
    "Date:",
    "Q1",
    "Question 1",
    "A1",
    "Answer",
    "1.",
    "(1)",
    "•",
    "received on",
    "your request dated",
    "Yours sincerely",
    "https://",
    "www.",
    "foi@x",
    "|",
    "£5",
    "Sheffield City Council",
    "University of",
    "Council",
    "Request",
    "Response",
    "Response by",
    "neither confirm",
    "withheld",
    "redacted",
    "some of the",
    "not hold",
    "please find",
    "Subject:",
    "Re:",
    "On Monday",
    "wrote:",
    "-----Original Message",
    "file.pdf",
    "Name of Authority",
    "Kind regards",
    "?",
    "Freedom of Information",
]
SEPARATORS = [" ", "\t", "\n", " \n", "\n\n ", "-", ".", ",", "/", "(", ")", ":", "a", "A ", "1", "_", "*", "|"]


def _fill(item: Callable[[int], str], n: int) -> str:
    parts, size, i = [], 0, 0
    while size < n:
        s = item(i)
        parts.append(s)
        size += len(s)
        i += 1
    return "".join(parts)[:n]


def _rep(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


class _Budget(Exception):
    pass


def cpu_seconds(text: str, budget: float | None = None) -> float:
    """CPU seconds of one extract_metadata call; _Budget when it runs past `budget` seconds."""
    if budget:

        def stop(*_):
            raise _Budget

        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.process_time()
    try:
        extract_metadata(text)
    finally:
        if budget:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return time.process_time() - start


def measure(make: Callable[[int], str], size: int, factor: int, budget: float) -> tuple[float, float | None]:
    small = min(cpu_seconds(make(size), budget) for _ in range(2))
    try:
        big = cpu_seconds(make(size * factor), budget)
    except _Budget:
        big = None
    return small, big


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=64, help="KB of the smaller input (default 64)")
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--budget", type=float, default=30.0, help="seconds before a case is stopped")
    ap.add_argument("--scan", action="store_true", help="seed words x separators, print the non-linear cases")
    args = ap.parse_args(argv)
    size = args.size * 1024
    if args.scan:
        cases = {}
        for seed, sep in itertools.product(SEEDS, SEPARATORS):
            cases[f"{seed!r} + run of {sep!r}"] = lambda n, a=seed, b=sep: a + b * n + "x"
            cases[f"({seed!r} + {sep!r}) repeated"] = lambda n, a=seed, b=sep: _rep(a + b, n)
    else:
        cases = PATTERNS
    worst = 0.0
    for name, make in cases.items():
        try:
            small, big = measure(make, size, args.factor, args.budget)
        except _Budget:
            print(f"{name:45} over {args.budget:.0f} s at {args.size} KB")
            continue
        ratio = (big / max(small, 1e-3)) if big is not None else float("inf")
        worst = max(worst, ratio if small > 0.01 else 0.0)
        if args.scan and big is not None and (big < 0.05 or ratio < 2 * args.factor):
            continue
        shown = f"{big:7.3f} s" if big is not None else f"> {args.budget:.0f} s"
        print(
            f"{name:45} {args.size:5} KB {small:7.3f} s   {args.size * args.factor:5} KB {shown}   x{ratio:5.1f}",
            flush=True,
        )
    print(f"worst growth ratio (inputs over 10 ms): x{worst:.1f} for x{args.factor} input")
    return 0


if __name__ == "__main__":
    sys.exit(main())
