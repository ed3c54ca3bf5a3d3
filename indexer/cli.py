"""The `foi` command: thin Click commands over the engine (contract in DESIGN.md)."""
from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path

import click

from indexer import __version__

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


class FoiError(click.ClickException):
    """A clear one-line error with an exit code (1 unless given)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.exit_code = code

    def show(self, file=None) -> None:
        from indexer.textsafe import clean_display

        # Messages quote paths, doc ids and queries: never let them act on the terminal.
        click.echo(f"foi: {clean_display(self.format_message())}", err=True)


def index_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("FOI_INDEX") or DEFAULT_INDEX)


def common(func):
    """--index and --debug on every subcommand (after its name, as DESIGN.md says)."""

    @click.option("--index", "index_path", metavar="DIR", help="Index folder (default: $FOI_INDEX or ./index).")
    @click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
    @functools.wraps(func)
    def wrapper(*args, index_path=None, debug=False, **kwargs):
        try:
            return func(*args, index=index_dir(index_path), **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            from indexer.lock import IndexBusy
            from indexer.index import IndexNotFound
            from indexer.search import QueryError

            if isinstance(exc, QueryError):
                raise FoiError(str(exc), 2) from None
            if isinstance(exc, (IndexBusy, IndexNotFound)):
                raise FoiError(str(exc), 1) from None
            raise FoiError(f"{type(exc).__name__}: {exc} (run with --debug for details)", 1) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="foi")
def main() -> None:
    """Search Freedom of Information responses: index PDFs and text, then search them."""


# ---------------------------------------------------------------- index


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start the index over from scratch.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Extraction processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the summary.")
@click.option("--watch", is_flag=True, help="Keep running and index files as they change.")
@click.option("--retry-failed", is_flag=True, help="Try files that failed before, even if unchanged.")
@click.option("--optimize", is_flag=True, help="Merge the index into one segment when done.")
@click.option("--ocr/--no-ocr", default=True, show_default=True, help="OCR image-only PDF pages.")
@click.option("--ocr-lang", default="eng", show_default=True, help="OCR language(s), e.g. eng or eng+cym.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=100 * 1024 * 1024, show_default=True, help="Skip larger files.")
@click.option("--max-pages", type=click.IntRange(min=1), default=2000, show_default=True, help="Pages read per PDF.")
@click.option("--max-chars", type=click.IntRange(min=1), default=5_000_000, show_default=True, help="Characters kept per document.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds per file.")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Documents per commit: at most this many are redone after a crash.")
@click.option("--follow-links", is_flag=True,
              help="Follow symbolic links into any folder given (never outside them). By default only links that stay inside their own folder are followed.")
@click.option("--name", metavar="NAME",
              help="Doc ids of the one folder given start with NAME instead of its folder name (recorded; later runs keep it).")
@common
def index(paths, rebuild, jobs, as_json, watch, retry_failed, optimize, ocr, ocr_lang, max_bytes, max_pages, max_chars, timeout, batch_size, follow_links, name, index):
    """Index PATHS (default ./corpus): add new, re-index changed, remove deleted files."""
    from indexer.extract.base import ExtractOptions
    from indexer.output import console, emit_json, print_summary
    from indexer.pipeline import RunOptions, run_index
    from indexer.roots import DocIdClash, check_name, named_roots
    from indexer.state import IndexState

    roots = list(paths) or [Path(DEFAULT_CORPUS)]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise FoiError(f"no such file or folder: {', '.join(missing)}", 2)
    try:  # before any work (and before --watch starts): two folders sharing doc ids is a usage error
        if name is not None:
            check_name(name)
        named_roots([Path(os.path.abspath(p)) for p in roots], IndexState.load(index), name, rebuild)
    except DocIdClash as exc:
        raise FoiError(str(exc), 2) from None
    extract = ExtractOptions(
        max_bytes=max_bytes, max_pages=max_pages, max_chars=max_chars, timeout=timeout,
        ocr=ocr, ocr_lang=ocr_lang, ocr_cache_dir=index / "ocr-cache",
    )
    options = RunOptions(jobs=jobs, rebuild=rebuild, retry_failed=retry_failed, batch_size=batch_size, extract=extract,
                         follow_links=follow_links, name=name)
    if watch:
        from indexer.watch import watch_and_index

        watch_and_index(roots, index, options)
        return
    err = console(stderr=True)
    try:
        if not as_json and err.is_terminal:
            summary = _run_with_progress(roots, index, options, run_index, err)
        else:
            summary = run_index(roots, index, options)
    except DocIdClash as exc:  # another run recorded a folder meanwhile
        raise FoiError(str(exc), 2) from None
    if optimize:
        from indexer.index import FoiIndex

        FoiIndex(index).optimize()
    if as_json:
        emit_json(summary.to_dict())
    else:
        print_summary(console(), summary)


def _run_with_progress(roots, index, options, run_index, err):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("index", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return run_index(roots, index, options, on_progress=on_progress)


# ---------------------------------------------------------------- search


def _filters(authority, after, before, exemption, outcome, kind):
    from indexer.search import Filters

    return Filters(authority=authority, after=after, before=before, exemption=exemption, outcome=outcome, kind=kind)


def filter_options(func):
    for option in reversed(
        [
            click.option("--authority", metavar="TEXT", help="Authority name or alias (MPS, Met, SYP...)."),
            click.option("--after", metavar="YYYY-MM-DD", help="Responses dated on or after this day."),
            click.option("--before", metavar="YYYY-MM-DD", help="Responses dated on or before this day."),
            click.option("--exemption", metavar="S", help="Exemption cited: s40 matches s40(2) and s40(3A)(a)."),
            click.option("--outcome", type=click.Choice(["disclosed", "partial", "refused", "not_held", "ncnd", "unknown"])),
            click.option("--kind", type=click.Choice(["pdf", "text"])),
        ]
    ):
        func = option(func)
    return func


@main.command()
@click.argument("query", required=False)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit.")
@click.option("--count", is_flag=True, help="Print only the number of hits.")
@click.option("--facets", is_flag=True, help="Print counts per authority, year, exemption and outcome.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option("--queries", type=click.File("r", encoding="utf-8", errors="replace"), help="Run one query per line of FILE ('-': stdin).")
@filter_options
@common
def search(query, limit, offset, as_json, count, facets, sort, queries, authority, after, before, exemption, outcome, kind, index):
    """Ranked full-text search. Exit 0 with hits, 1 with none, 2 for a bad query."""
    from indexer.search import SearchService

    if (query is None) == (queries is None):
        raise FoiError("give a QUERY or --queries FILE (one of them)", 2)
    filters = _filters(authority, after, before, exemption, outcome, kind)
    service = SearchService(index)
    if not service.available():
        raise FoiError(f"no index in {index}; run `foi index` first", 1)
    if queries is not None:
        code = _run_queries(service, queries, filters, limit, offset, sort, as_json, count)
        sys.exit(code)
    total = _run_one(service, query, filters, limit, offset, sort, as_json, count, facets)
    sys.exit(0 if total else 1)


def _run_one(service, query, filters, limit, offset, sort, as_json, count, facets, tag=False) -> int:
    from rich.text import Text

    from indexer.output import console, emit_json, print_facets, print_results
    from indexer.textsafe import one_line

    if count:
        total = service.count(query, filters)
        click.echo(f"{one_line(query)}\t{total}" if tag else total)
        return total
    results = service.search(query, filters, sort=sort, limit=limit, offset=offset, facets=facets)
    if as_json:
        for hit in results.hits:
            obj = hit.to_dict()
            if tag:
                obj["query"] = query
            emit_json(obj)
        if facets:
            emit_json({"facets": {k: dict(v) for k, v in results.facets.items()}, "total": results.total})
    else:
        con = console()
        if tag:
            con.print(Text(f"## {one_line(query)}", style="bold magenta"))
        if not results.hits and not tag:
            hint = f"; did you mean {one_line(repr(results.suggestion))}?" if results.suggestion else ""
            click.echo(f"no hits for {one_line(repr(query))}{hint}", err=True)
        print_results(con, results, show_summary=bool(results.hits) or tag)
        if facets:
            print_facets(con, results.facets)
    return results.total


def _run_queries(service, lines, filters, limit, offset, sort, as_json, count) -> int:
    from indexer.search import QueryError
    from indexer.textsafe import one_line

    any_hits = False
    bad = False
    for number, line in enumerate(lines, start=1):
        query = line.strip()
        if not query or query.startswith("#"):
            continue
        try:
            any_hits |= _run_one(service, query, filters, limit, offset, sort, as_json, count, False, tag=True) > 0
        except QueryError as exc:
            bad = True
            click.echo(f"foi: line {number}: {one_line(exc)}", err=True)
    return 2 if bad else (0 if any_hits else 1)


# ---------------------------------------------------------------- show, similar, status


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@common
def show(doc_id, as_json, index):
    """Full text and metadata of one document (DOC_ID as in search results, or its path)."""
    from indexer.output import console, emit_json, print_document
    from indexer.search import SearchService

    service = SearchService(index)
    view = service.document(doc_id)
    if view is None:
        raise FoiError(f"no document {doc_id!r} in {index} (doc ids look like corpus/name.pdf)", 1)
    if as_json:
        emit_json(view.to_dict())
    else:
        print_document(console(), view)


@main.command()
@click.argument("doc_id")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@common
def similar(doc_id, limit, as_json, index):
    """Documents most like DOC_ID (more like this)."""
    from indexer.output import console, emit_json, print_results
    from indexer.search import SearchService

    service = SearchService(index)
    try:
        results = service.similar(doc_id, limit=limit)
    except KeyError:
        raise FoiError(f"no document {doc_id!r} in {index}", 1) from None
    if as_json:
        for hit in results.hits:
            emit_json(hit.to_dict())
    else:
        print_results(console(), results)
    sys.exit(0 if results.hits else 1)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@common
def status(as_json, index):
    """Document count, index size, last run and failures."""
    from indexer.output import console, emit_json, print_status
    from indexer.search import SearchService

    stats = SearchService(index).stats()
    if as_json:
        emit_json(stats.to_dict())
    else:
        print_status(console(), stats, index)


@main.command()
@common
def tui(index):
    """The terminal UI: search as you type."""
    from tui.app import run

    run(index)


if __name__ == "__main__":
    main()
