"""How results are printed: JSON Lines for scripts, Rich text for people.

Document text, sidecar values and file names are data: they are only ever put into
rich.text.Text objects (never parsed as markup) after indexer.textsafe made their control
characters, escape sequences and bidi overrides visible; JSON is written with those
characters as \\u escapes.
"""
from __future__ import annotations

import sys

from rich.console import Console
from rich.text import Text

from indexer.textsafe import clean_display, json_line, one_line

HIGHLIGHT = "bold yellow"


def console(stderr: bool = False) -> Console:
    # highlight=False: Rich must not colour numbers or paths inside document text.
    # soft_wrap: long lines are left to the terminal (and stay whole when piped to a file)
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def emit_json(obj: dict, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(json_line(obj) + "\n")


def snippet_text(snippet: str, highlights: list[list[int]]) -> Text:
    text = Text(one_line(snippet))
    for start, end in highlights:
        text.stylize(HIGHLIGHT, start, end)
    return text


def print_hit(con: Console, hit) -> None:
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
    if hit.snippet:
        con.print(Text("     ") + snippet_text(hit.snippet, hit.highlights))
    if hit.qa:
        con.print(Text("     Q: ", style="dim") + Text(one_line(_short(hit.qa.question, 160))))
    con.print()


def print_results(con: Console, results, show_summary: bool = True) -> None:
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
    for name, items in facets.items():
        con.print(Text(one_line(name), style="bold"))
        for value, count in items:
            con.print(Text(f"  {count:>6}  {one_line(value)}"))


def print_summary(con: Console, summary) -> None:
    for f in summary.failures:
        con.print(Text(f"failed: {one_line(f.path)}: {one_line(f.reason)}" + (f" ({one_line(f.detail)})" if f.detail else ""), style="red"))
    for warning in summary.warnings:
        con.print(Text(f"warning: {one_line(warning)}", style="yellow"))
    con.print(
        Text(
            f"added {summary.added}, updated {summary.updated}, removed {summary.removed}, "
            f"unchanged {summary.unchanged}, failed {summary.failed} ({summary.seconds:.1f} s)"
        )
    )


def print_status(con: Console, stats, index_dir) -> None:
    con.print(Text(f"Index:      {one_line(index_dir)}"))
    con.print(Text(f"Documents:  {stats.documents:,}"))
    con.print(Text(f"Index size: {human_bytes(stats.index_bytes)}"))
    con.print(Text(f"Last run:   {stats.last_run or 'never'}"))
    con.print(Text(f"Failures:   {len(stats.failures)}"))
    for f in stats.failures:
        con.print(Text(f"  {one_line(f['path'])}: {one_line(f['reason'])}" + (f" ({one_line(f['detail'])})" if f.get("detail") else "")))


def print_document(con: Console, view) -> None:
    meta = view.metadata
    con.print(Text(one_line(meta.get("title") or meta["doc_id"]), style="bold"))
    for key in ("doc_id", "path", "authority", "reference", "date", "request_date", "outcome", "kind", "pages"):
        if meta.get(key) is not None:
            con.print(Text(f"{key + ':':<14}{one_line(meta[key])}", style="cyan"))
    if meta.get("exemptions"):
        con.print(Text(f"{'exemptions:':<14}{one_line(', '.join(meta['exemptions']))}", style="cyan"))
    con.print()
    for number, page in enumerate(view.pages, start=1):
        if len(view.pages) > 1:
            con.print(Text(f"--- page {number} ---", style="dim"))
        con.print(Text(clean_display(page)))


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
