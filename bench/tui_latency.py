"""Keystroke-to-results latency of the TUI, measured through Textual's Pilot.

For each query the harness types all but the last character, waits until that prefix's
search has finished, then presses the last key and times how long until the results list
holds the full query's results (`listed`) and until the list draws its first line after
that (`painted`: the results are on screen). The figure includes the search bar's 150 ms debounce, which is what a user
feels; `engine` is the search service's own time for the same query.

    python -m bench.tui_latency --index /tmp/i10k
    python -m bench.tui_latency --corpus /tmp/c10k          # builds an index in a temp dir first
    python -m bench.tui_latency --index index --repeat 5 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "prevent database",
    "council",
    "police stop and search",
    '"personal information"',
    "exemption:s40 police",
    "authority:MPS taser",
    "potholes 2020",
    "section 12 cost limit",
    "hospital waiting times",
    "body worn video",
    "agency nurs*",
    "housing OR homeless",
]


async def measure(index: Path, queries: list[str], repeat: int, size=(120, 36)) -> list[dict]:
    from indexer.search import SearchService
    from tui.app import FoiApp
    from tui.screens.main import MainScreen

    service = SearchService(index)
    app = FoiApp(service, measurements=True)
    rows: list[dict] = []
    async with app.run_test(size=size) as pilot:
        await _idle(pilot)
        screen = app.screen
        if not isinstance(screen, MainScreen):
            raise SystemExit(f"{index} has no documents")
        listed: dict[str, tuple[float, float, int]] = {}
        painted: dict[str, float] = {}
        shown: list[str] = []
        results_list = screen.results_list
        original_show, original_render = results_list.show_results, results_list.render_line

        def show_results(results, generation):
            original_show(results, generation)
            listed[results.query] = (time.perf_counter(), results.seconds, results.total)
            shown[:] = [results.query]

        def render_line(y):
            if shown:  # the first line drawn after new results: they are on screen
                painted.setdefault(shown.pop(), time.perf_counter())
            return original_render(y)

        results_list.show_results = show_results
        results_list.render_line = render_line
        for round_ in range(repeat):
            for query in queries:
                screen.search_bar.value = ""
                await _idle(pilot)
                await pilot.press(*query[:-1])
                await _idle(pilot)  # the prefix's search has run; only the last key is timed
                listed.clear()
                painted.clear()
                started = time.perf_counter()
                await pilot.press(query[-1])
                deadline = started + 30
                while query not in painted and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                if query not in listed:
                    if screen.status.error:
                        rows.append({"query": query, "round": round_, "error": screen.status.error})
                        continue
                    raise SystemExit(f"no results for {query!r} within 30 s")
                at, engine, total = listed[query]
                painted.setdefault(query, at)  # (nothing to redraw: as soon as listed)
                rows.append(
                    {
                        "query": query,
                        "round": round_,
                        "hits": total,
                        "listed_ms": round((at - started) * 1000, 1),
                        "painted_ms": round((painted[query] - started) * 1000, 1),
                        "engine_ms": round(engine * 1000, 1),
                    }
                )
    service.close()
    return rows


async def _idle(pilot) -> None:
    await pilot.pause(0.2)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def summarise(rows: list[dict], documents: int) -> dict:
    ok = [r for r in rows if "error" not in r]

    def stats(key: str) -> dict:
        values = sorted(r[key] for r in ok)
        return {
            "median": round(statistics.median(values), 1),
            "p90": round(values[min(len(values) - 1, int(len(values) * 0.9))], 1),
            "max": round(values[-1], 1),
        }

    return {
        "documents": documents,
        "samples": len(ok),
        "errors": len(rows) - len(ok),
        "debounce_ms": 150,
        "listed_ms": stats("listed_ms"),
        "painted_ms": stats("painted_ms"),
        "engine_ms": stats("engine_ms"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--index", type=Path, help="an existing index")
    source.add_argument("--corpus", type=Path, help="documents to index first (into a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds over the query list")
    parser.add_argument("--query", action="append", help="a query to time (repeatable; default: a built-in mix)")
    parser.add_argument("--json", action="store_true", help="print every sample and the summary as JSON")
    args = parser.parse_args(argv)

    index = args.index
    tmp = None
    if args.corpus:
        from indexer.pipeline import RunOptions, run_index

        tmp = tempfile.TemporaryDirectory(prefix="tui-latency-")
        index = Path(tmp.name) / "index"
        started = time.perf_counter()
        summary = run_index([args.corpus], index, RunOptions())
        print(f"indexed {summary.added} documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    from indexer.search import SearchService

    service = SearchService(index)
    documents = service.stats().documents
    service.close()
    rows = asyncio.run(measure(index, args.query or QUERIES, args.repeat))
    result = summarise(rows, documents)
    if args.json:
        for row in rows:
            print(json.dumps(row))
        print(json.dumps(result))
    else:
        for row in rows:
            if "error" in row:
                print(f"{row['query']!r:32} error: {row['error']}")
            else:
                print(
                    f"{row['query']!r:32} {row['hits']:>7,} hits  listed {row['listed_ms']:7.1f} ms  "
                    f"painted {row['painted_ms']:7.1f} ms  engine {row['engine_ms']:6.1f} ms"
                )
        print(
            f"\n{documents:,} documents, {result['samples']} samples: keystroke to results listed "
            f"median {result['listed_ms']['median']} ms, p90 {result['listed_ms']['p90']} ms, "
            f"max {result['listed_ms']['max']} ms (painted: median {result['painted_ms']['median']} ms; "
            f"includes the 150 ms debounce; engine median {result['engine_ms']['median']} ms)"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
