"""How results are printed: JSON Lines for scripts, Rich text for people.

Document text, sidecar values and file names are data: they are only ever put into
rich.text.Text objects (never parsed as markup) after indexer.textsafe made their control
characters, escape sequences and bidi overrides visible; JSON is written with those
characters as \\u escapes.
"""

from __future__ import annotations

import sys
import time
from functools import lru_cache
from typing import TYPE_CHECKING

from indexer.fields import SHOWN_FIELDS
from indexer.textsafe import clean_display, json_line, one_line
from indexer.units import human_bytes

if TYPE_CHECKING:  # Rich is imported by the functions that print with it: JSON output never loads it
    from rich.console import Console
    from rich.text import Text

HIGHLIGHT = "bold yellow"
PROGRESS_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


@lru_cache(maxsize=1)
def _console_class() -> type:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 here; the CLI treats a reader that stopped reading as success.
            raise BrokenPipeError

    return _Console


def console(stderr: bool = False) -> Console:
    # highlight=False: Rich must not colour numbers or paths inside document text.
    # soft_wrap: long lines are left to the terminal (and stay whole when piped to a file)
    return _console_class()(stderr=stderr, highlight=False, soft_wrap=True)


def hit_record(hit) -> dict:
    """A hit as JSON fields: the service's own fields plus `citation`."""
    from indexer.citation import cite

    return {**hit.to_dict(), "citation": cite(hit)}


def emit_json(obj: dict, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(json_line(obj) + "\n")


def snippet_text(snippet: str, highlights: list[list[int]]) -> Text:
    from rich.text import Text

    text = Text(one_line(snippet))
    for start, end in highlights:
        text.stylize(HIGHLIGHT, start, end)
    return text


def print_hit(con: Console, hit) -> None:
    from rich.text import Text

    head = Text()
    head.append(f"{hit.rank:>3}. ", style="dim")
    head.append(one_line(hit.title or hit.doc_id), style="bold")
    facts = [one_line(x) for x in (hit.authority, hit.reference, hit.date, hit.outcome) if x]
    if hit.exemptions:
        facts.append(one_line(", ".join(hit.exemptions)))
    if facts:
        head.append("  " + " · ".join(facts), style="cyan")
    con.print(head)
    where = Text("     " + one_line(hit.doc_id), style="green")
    if hit.page:
        where.append(f"  p.{hit.page}", style="green")
    where.append(f"  score {hit.score:.2f}", style="dim")
    con.print(where)
    from indexer.citation import cite

    citation = cite(hit)
    if citation:
        con.print(Text("     " + one_line(citation), style="dim"))
    if hit.snippet:
        con.print(Text("     ") + snippet_text(hit.snippet, hit.highlights))
    if hit.qa:
        con.print(Text("     Q: ", style="dim") + Text(one_line(_short(hit.qa.question, 160))))
    con.print()


def print_results(con: Console, results, show_summary: bool = True) -> None:
    from rich.text import Text

    for hit in results.hits:
        print_hit(con, hit)
    if show_summary:
        shown = len(results.hits)
        line = f"{results.total} hit{'s' if results.total != 1 else ''}"
        if shown and shown < results.total:
            line += f" (showing {results.offset + 1}-{results.offset + shown})"
        line += f" in {results.seconds * 1000:.0f} ms"
        con.print(Text(line, style="dim"))
        if results.suggestion:
            con.print(Text("Did you mean: ", style="dim") + Text(one_line(results.suggestion), style="bold"))


def print_facets(con: Console, facets: dict) -> None:
    from rich.text import Text

    for name, items in facets.items():
        con.print(Text(one_line(name), style="bold"))
        for value, count in items:
            con.print(Text(f"  {count:>6}  {one_line(value)}"))


def print_summary(con: Console, summary) -> None:
    """One `failed:` line per new failure; the unchanged ones that failed before, in one line."""
    from rich.text import Text

    still = set(summary.still_failing)
    for f in summary.failures:
        if f.doc_id not in still:
            con.print(
                Text(
                    f"failed: {one_line(f.path)}: {one_line(f.reason)}"
                    + (f" ({one_line(f.detail)})" if f.detail else ""),
                    style="red",
                )
            )
    if still:
        files = f"{len(still)} file{'s' if len(still) != 1 else ''}"
        con.print(Text(f"{files} still failing; --retry-failed to try again", style="yellow"))
    for warning in summary.warnings:
        con.print(Text(f"warning: {one_line(warning)}", style="yellow"))
    con.print(
        Text(
            f"added {summary.added}, updated {summary.updated}, removed {summary.removed}, "
            f"unchanged {summary.unchanged}, failed {summary.failed} ({summary.seconds:.1f} s)"
        )
    )


BIG_FOR_WHOOSH = 20_000
# measured by `make bench` on one machine (bench/README.md): warm queries with snippets
TANTIVY_TIP = (
    "tip: an index this big answers faster on the tantivy engine (2.5x median, 5x p95 query time "
    "measured on 2,000 documents, more on bigger ones): foi index --engine tantivy --rebuild"
)


class ProgressLines:
    """`foi index` progress for a log or a pipe (no bar there): a plain line on stderr at most
    every PROGRESS_EVERY seconds, so a long run shows it is alive; a short run prints none."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.every = PROGRESS_EVERY
        self.started = self.last = clock()

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.started
        line = f"indexing: {done:,}/{total:,} files"
        if total:
            line += f" ({done / total:.0%})"
        line += f", {elapsed:.0f} s"
        if 0 < done < total:
            line += f", about {elapsed / done * (total - done):.0f} s left"
        print(line, file=sys.stderr, flush=True)


def watch_line(kind: str, doc_id: str, detail: str, clock=time.localtime) -> str:
    """`12:04:31 updated  corpus/a.pdf  (detail)`: one changed document under `foi index --watch`."""
    return f"{time.strftime('%H:%M:%S', clock())} {kind:<8} {one_line(doc_id)}" + (
        f"  ({one_line(detail)})" if detail else ""
    )


def print_status(con: Console, stats, index_dir) -> None:
    from rich.text import Text

    con.print(Text(f"Index:      {one_line(index_dir)}"))
    con.print(Text(f"Engine:     {stats.engine}"))
    kinds = ", ".join(f"{one_line(kind)} {count:,}" for kind, count in stats.kinds.items())
    con.print(Text(f"Documents:  {stats.documents:,}" + (f" ({kinds})" if kinds else "")))
    con.print(Text(f"Index size: {human_bytes(stats.index_bytes)}"))
    con.print(Text(f"Last run:   {stats.last_run or 'never'}"))
    con.print(Text(f"Failures:   {len(stats.failures)}"))
    if stats.engine == "whoosh" and stats.documents > BIG_FOR_WHOOSH:
        con.print(Text(TANTIVY_TIP, style="yellow"))
    for f in stats.failures:
        con.print(
            Text(
                f"  {one_line(f['path'])}: {one_line(f['reason'])}"
                + (f" ({one_line(f['detail'])})" if f.get("detail") else "")
            )
        )


def print_document(con: Console, view) -> None:
    from rich.text import Text

    meta = view.metadata
    con.print(Text(one_line(meta.get("title") or meta["doc_id"]), style="bold"))
    for key in SHOWN_FIELDS:
        if meta.get(key) is not None:
            con.print(Text(f"{key + ':':<14}{one_line(meta[key])}", style="cyan"))
    if meta.get("exemptions"):
        con.print(Text(f"{'exemptions:':<14}{one_line(', '.join(meta['exemptions']))}", style="cyan"))
    con.print()
    if view.qa:
        con.print(Text(f"--- questions and answers ({len(view.qa)}) ---", style="dim"))
        for number, pair in enumerate(view.qa, start=1):
            con.print(Text(f"Q{number}. ", style="bold") + Text(clean_display(pair.question)))
            con.print(Text(f"A{number}. ", style="bold") + Text(clean_display(pair.answer)))
        con.print()
    for number, page in enumerate(view.pages, start=1):
        if len(view.pages) > 1:
            con.print(Text(f"--- page {number} ---", style="dim"))
        con.print(Text(clean_display(page)))


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------- analysis


def aligned(header: list[str], rows: list[list], right: set[int] = frozenset()) -> list[str]:
    """Rows as lines of columns padded to their widest cell (two spaces between columns)."""
    cells = [[one_line(c) for c in header]] + [["" if v is None else one_line(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [row[i].rjust(widths[i]) if i in right else row[i].ljust(widths[i]) for i in range(len(header))]
        lines.append("  ".join(parts).rstrip())
    return lines


STATS_HEADER = [
    "responses",
    "disclosed",
    "partial",
    "refused",
    "not_held",
    "ncnd",
    "unknown",
    "refusal",
    "dated",
    "median_days",
    "over_20wd",
    "exemptions",
]


def _group_label(by: str, key) -> str:
    if key is not None:
        return str(key)
    return "(none cited)" if by == "exemption" else "(unknown)"


def print_stats(con: Console, groups: list, by: str, overall=None) -> None:
    """`foi stats` as an aligned table, one line per group, then the totals."""
    from rich.text import Text

    def row(label, g):
        top = ", ".join(f"{code} {n}" for code, n in list(g.exemptions.items())[:4])
        more = len(g.exemptions) - 4
        return [
            label,
            g.responses,
            *g.outcomes.values(),
            f"{g.refusal_rate:.1%}",
            g.dated_pairs,
            "-" if g.median_days is None else g.median_days,
            g.over_20_working_days,
            top + (f" +{more}" if more > 0 else ""),
        ]

    rows = [row(_group_label(by, g.key), g) for g in groups]
    if overall is not None and len(groups) > 1:
        rows.append(row("all", overall))
    lines = aligned([by, *STATS_HEADER], rows, right=set(range(1, len(STATS_HEADER))))
    con.print(Text(lines[0], style="bold"))
    for line in lines[1:]:
        con.print(Text(line))


def print_comparisons(con: Console, comparisons: list) -> None:
    """`foi compare` for people: the responses, then each question with every answer under it."""
    from rich.text import Text

    for number, comparison in enumerate(comparisons, start=1):
        rows = comparison.rows
        head = f"Request {number}" + (f" of {len(comparisons)}" if len(comparisons) > 1 else "")
        con.print(Text(f"{head}: {len(rows)} response{'s' if len(rows) != 1 else ''}", style="bold"))
        table = aligned(
            ["authority", "reference", "date", "outcome", "exemptions", "doc_id"],
            [
                [
                    r.response.authority or "(unknown)",
                    r.response.reference,
                    r.response.date,
                    r.response.outcome,
                    ", ".join(r.response.exemptions),
                    r.response.doc_id,
                ]
                for r in rows
            ],
        )
        for line in table:
            con.print(Text("  " + line))
        width = max(len(one_line(r.response.authority or "(unknown)")) for r in rows)
        for qnum, question in enumerate(comparison.questions, start=1):
            con.print()
            con.print(Text(f"Q{qnum}. ", style="bold cyan") + Text(one_line(_short(question, 300)), style="bold"))
            for r in rows:
                answer = r.answers.get(question, "")
                label = one_line(r.response.authority or "(unknown)").ljust(width)
                con.print(
                    Text(f"  {label}  ", style="cyan")
                    + Text(one_line(_short(answer, 300)) if answer else "–", style="" if answer else "dim")
                )
        others = [r for r in rows if r.other]
        if others:
            con.print()
            con.print(Text("Other (fits no question)", style="bold"))
            for r in others:
                label = one_line(r.response.authority or "(unknown)").ljust(width)
                con.print(Text(f"  {label}  ", style="cyan") + Text(one_line(_short(r.other, 300))))
        if number < len(comparisons):
            con.print()
