"""The `foi` command: thin Click commands over the engine (contract in DESIGN.md)."""

from __future__ import annotations

import functools
import gc
import os
import sys
from contextlib import contextmanager
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
        from indexer.textsafe import one_line

        # Messages quote paths, doc ids and queries: one line, never acting on the terminal.
        click.echo(f"foi: {one_line(self.format_message())}", err=True)


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
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:  # a second Ctrl+C: what was committed stays
            click.echo("foi: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            from indexer.lock import IndexBusy
            from indexer.results import EngineMismatch, IndexDamaged, IndexNotFound, IndexUntrusted, QueryError
            from indexer.storage import IndexWriteError

            if isinstance(exc, (QueryError, EngineMismatch)):
                raise FoiError(str(exc), 2) from None
            cluster = sys.modules.get("indexer.cluster")  # loaded only by a --cluster run
            if isinstance(exc, (IndexBusy, IndexNotFound, IndexDamaged, IndexUntrusted, IndexWriteError)) or (
                cluster and isinstance(exc, cluster.ClusterError)
            ):
                raise FoiError(str(exc), 1) from None
            raise FoiError(f"{type(exc).__name__}: {exc} (run with --debug for details)", 1) from None

    return wrapper


class FoiGroup(click.Group):
    """The command group; a reader that stops reading (`foi search x | head -1`) is not an error."""

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # here, not at exit, so that a closed pipe is seen below
        except BrokenPipeError:
            _stdout_to_devnull()
            ctx.exit(0)


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


@click.group(cls=FoiGroup, context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="foi")
@click.pass_context
def main(ctx) -> None:
    """Search Freedom of Information responses: index PDFs, office files, text, web pages and images, then search them.
    With no command, opens the terminal UI on the default index (as `foi tui`)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


# ---------------------------------------------------------------- index


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start the index over from scratch.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Extraction processes (default: one per core)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the summary.")
@click.option("--watch", is_flag=True, help="Keep running and index files as they change.")
@click.option("--retry-failed", is_flag=True, help="Try files that failed before, even if unchanged.")
@click.option("--optimize", is_flag=True, help="Merge the index into one segment when done.")
@click.option("--ocr/--no-ocr", default=True, show_default=True, help="OCR image-only PDF pages and images.")
@click.option("--ocr-lang", default="eng", show_default=True, help="OCR language(s), e.g. eng or eng+cym.")
@click.option(
    "--max-bytes", type=click.IntRange(min=1), default=100 * 1024 * 1024, show_default=True, help="Skip larger files."
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Pages read per document (PDF pages, sheets, slides, image frames).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Characters kept per document.",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds per file.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Documents per commit: at most this many are redone after a crash.",
)
@click.option(
    "--engine",
    type=click.Choice(["whoosh", "tantivy"]),
    default=None,
    help="Search engine of a new index (default: $FOI_ENGINE, else whoosh); another needs --rebuild.",
)
@click.option(
    "--cluster",
    metavar="ADDR",
    envvar="FOI_CLUSTER",
    help="Extract on a Dask cluster: tcp://HOST:8786 (a running scheduler), or local[:N] "
    "(N worker processes for this run). Default: $FOI_CLUSTER, else local processes.",
)
@click.option(
    "--shared-fs", is_flag=True, help="With --cluster: workers read the files by path instead of being sent them."
)
@click.option(
    "--ocr-cache",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="OCR cache folder (default: INDEX/ocr-cache; with a remote --cluster each worker keeps its own).",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Follow symbolic links into any folder given (never outside them). By default only links that stay inside their own folder are followed.",
)
@click.option(
    "--name",
    metavar="NAME",
    help="Doc ids of the one folder given start with NAME instead of its folder name (recorded; later runs keep it).",
)
@common
def index(
    paths,
    rebuild,
    jobs,
    as_json,
    watch,
    retry_failed,
    optimize,
    ocr,
    ocr_lang,
    max_bytes,
    max_pages,
    max_chars,
    timeout,
    batch_size,
    engine,
    cluster,
    shared_fs,
    ocr_cache,
    follow_links,
    name,
    index,
):
    """Index PATHS (default ./corpus): add new, re-index changed, remove deleted files."""
    from contextlib import nullcontext

    from indexer.extract.base import ExtractOptions
    from indexer.interrupts import Interrupted
    from indexer.output import ProgressLines, console, emit_json, print_summary
    from indexer.pipeline import RunOptions, run_index
    from indexer.roots import DocIdClash, check_name, named_roots
    from indexer.state import IndexState

    roots = list(paths) or [Path(DEFAULT_CORPUS)]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise FoiError(f"no such file or folder: {', '.join(missing)}", 2)
    if shared_fs and not cluster:
        raise FoiError("--shared-fs only applies with --cluster", 2)
    try:  # before any work (and before --watch starts): two folders sharing doc ids is a usage error
        if name is not None:
            check_name(name)
        named_roots([Path(os.path.abspath(p)) for p in roots], IndexState.load(index), name, rebuild)
    except DocIdClash as exc:
        raise FoiError(str(exc), 2) from None
    extract = ExtractOptions(
        max_bytes=max_bytes,
        max_pages=max_pages,
        max_chars=max_chars,
        timeout=timeout,
        ocr=ocr,
        ocr_lang=ocr_lang,
        ocr_cache_dir=ocr_cache or index / "ocr-cache",
    )
    from indexer.engines import default_engine_name, engine_for_writing, engine_names

    if engine is None and os.environ.get("FOI_ENGINE"):
        if default_engine_name() not in engine_names():
            raise FoiError(
                f"FOI_ENGINE={os.environ['FOI_ENGINE']!r} is not an engine: use one of {', '.join(engine_names())}", 2
            )
    engine_for_writing(index, engine, rebuild)  # the other engine without --rebuild: exit 2 now
    session = _cluster_session(cluster, shared_fs, ocr_cache) if cluster else None
    options = RunOptions(
        jobs=jobs,
        rebuild=rebuild,
        retry_failed=retry_failed,
        batch_size=batch_size,
        extract=extract,
        engine=engine,
        cluster=session,
        follow_links=follow_links,
        name=name,
    )
    try:
        with session or nullcontext():
            if watch:
                _watch(roots, index, options)
                return
            err = None if as_json else console(stderr=True)  # Rich is imported only to show a bar
            if err is not None and err.is_terminal:
                summary = _run_with_progress(roots, index, options, run_index, err)
            else:
                summary = run_index(roots, index, options, on_progress=ProgressLines())
    except DocIdClash as exc:  # another run recorded a folder meanwhile
        raise FoiError(str(exc), 2) from None
    except Interrupted as stopped:  # the finished documents are committed: say what was kept
        if as_json:
            emit_json(stopped.summary.to_dict())
        click.echo(f"foi: {stopped}", err=True)
        sys.exit(stopped.exit_code)
    if optimize and not (session and session.lost):
        from indexer.engines import engine_for

        engine_for(index).optimize()
    if as_json:
        report = summary.to_dict()
        if session:
            report.update(cluster=session.address.text, workers=session.workers)
        emit_json(report)
    else:
        print_summary(console(), summary)
        if session:
            n = session.workers
            click.echo(f"extracted on {session.address.text} ({n} worker{'s' if n != 1 else ''})")
    if session and session.lost:  # what was finished is committed; the rest is sent next run
        raise FoiError(f"{session.lost}; finished documents were kept, run again to index the rest", 1)


def _cluster_session(address: str, shared_fs: bool, ocr_cache: Path | None):
    """A connected session for --cluster (a remote scheduler is reached now, before any work)."""
    import logging

    try:
        from indexer.cluster import ClusterError, ClusterSession, parse_address
    except ImportError:
        raise FoiError("--cluster needs Dask: pip install 'foi-search[cluster]'", 1) from None
    try:
        parsed = parse_address(address)
    except ValueError as exc:
        raise FoiError(str(exc), 2) from None
    # Dask logs a lost or refused connection as tracebacks; foi says it in one line.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    session = ClusterSession(parsed, shared_fs=shared_fs, ocr_cache=ocr_cache)
    try:
        return session.open()
    except ClusterError as exc:
        raise FoiError(str(exc), 1) from None


def _watch(roots, index, options) -> None:
    from indexer.output import watch_line
    from indexer.textsafe import one_line
    from indexer.watch import watch_and_index

    runs = []

    def after_run(summary) -> None:
        if not runs:
            documents = summary.added + summary.updated + summary.unchanged
            click.echo(f"watching {one_line(', '.join(map(str, roots)))} ({documents} documents); Ctrl+C stops")
        runs.append(summary)

    try:
        watch_and_index(roots, index, options, on_event=lambda *event: click.echo(watch_line(*event)), on_run=after_run)
    except KeyboardInterrupt:
        click.echo("stopped")


PROGRESS_REFRESH_SECONDS = 0.1


def _run_with_progress(roots, index, options, run_index, err):
    """The run with a bar, redrawn by the run's own progress calls (at most every
    PROGRESS_REFRESH_SECONDS), not by Rich's refresh thread: a process running a second
    thread cannot extract a few files in forks of itself (pipeline._can_fork) and starts a
    worker pool instead, seconds for one file."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        auto_refresh=False,
    ) as progress:
        task = progress.add_task("index", total=None)
        drawn = [0.0]

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - drawn[0] >= PROGRESS_REFRESH_SECONDS or done == total:
                progress.refresh()
                drawn[0] = now

        return run_index(roots, index, options, on_progress=on_progress)


# ---------------------------------------------------------------- search


def _filters(authority, after, before, exemption, outcome, kind):
    from indexer.search import Filters

    return Filters(authority=authority, after=after, before=before, exemption=exemption, outcome=outcome, kind=kind)


class KindChoice(click.Choice):
    """`--kind`: the registry's kinds, read when the option is used or shown. Listing them
    imports every format module, which a search that does not filter by kind has no need of."""

    def __init__(self):
        super().__init__(())

    @property
    def choices(self):
        from indexer.extract.registry import kinds

        return kinds()

    @choices.setter
    def choices(self, value) -> None:
        pass


def filter_options(func):
    for option in reversed(
        [
            click.option("--authority", metavar="TEXT", help="Authority name or alias (MPS, Met, SYP...)."),
            click.option("--after", metavar="YYYY-MM-DD", help="Responses dated on or after this day."),
            click.option("--before", metavar="YYYY-MM-DD", help="Responses dated on or before this day."),
            click.option("--exemption", metavar="S", help="Exemption cited: s40 matches s40(2) and s40(3A)(a)."),
            click.option(
                "--outcome", type=click.Choice(["disclosed", "partial", "refused", "not_held", "ncnd", "unknown"])
            ),
            click.option("--kind", type=KindChoice(), help="Kind of file (pdf, docx, sheet, ...)."),
        ]
    ):
        func = option(func)
    return func


FORMATS = ("text", "json", "csv", "md")


@main.command()
@click.argument("query", required=False)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit (= --format json).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output: text (default), json, csv or md.")
@click.option(
    "--export",
    "export",
    metavar="FILE.zip",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the original files of all hits plus results.csv into FILE.zip.",
)
@click.option("--count", is_flag=True, help="Print only the number of hits.")
@click.option("--facets", is_flag=True, help="Print counts per authority, year, exemption and outcome.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option(
    "--queries",
    type=click.File("r", encoding="utf-8", errors="replace"),
    help="Run one query per line of FILE ('-': stdin).",
)
@filter_options
@common
@click.pass_context
def search(
    ctx,
    query,
    limit,
    offset,
    as_json,
    fmt,
    export,
    count,
    facets,
    sort,
    queries,
    authority,
    after,
    before,
    exemption,
    outcome,
    kind,
    index,
):
    """Ranked full-text search. Exit 0 with hits, 1 with none, 2 for a bad query."""
    with _cyclic_gc_paused(queries is None):
        filters = _filters(authority, after, before, exemption, outcome, kind)
        if query is not None and queries is not None:
            raise FoiError("give a QUERY or --queries FILE, not both", 2)
        if query is None and queries is None:
            if not filters.active():
                raise FoiError("give a QUERY, --queries FILE, or a filter such as --outcome refused", 2)
            query = ""  # browse: every document the filters match, newest first
        if as_json and fmt not in (None, "json"):
            raise FoiError(f"--json and --format {fmt} disagree: give one of them", 2)
        fmt = "json" if as_json else (fmt or "text")
        if export is not None and queries is not None:
            raise FoiError("--export takes one QUERY, not --queries", 2)
        service = _open_service(index)
        if queries is not None:
            code = _run_queries(service, queries, filters, limit, offset, sort, fmt, count)
            sys.exit(code)
        total = _run_one(service, query, filters, limit, offset, sort, fmt, count, facets)
        if export is not None and total:
            # All hits unless --limit was given: an export is usually "everything that matched".
            explicit = ctx.get_parameter_source("limit") is not click.core.ParameterSource.DEFAULT
            _export(service, query, filters, sort, limit if explicit else None, offset if explicit else 0, export)
        sys.exit(0 if total else 1)


@contextmanager
def _cyclic_gc_paused(paused: bool):
    """Without the cyclic garbage collector while one search runs to its exit: reference
    counting frees what a search drops, and each collection would walk again the tens of
    thousands of objects the imports made (about a twentieth of a one-shot search's CPU).
    A batch of queries (--queries) keeps it.

    What the search loaded (its modules, the open index) is frozen before the collector is
    given back: the command exits next, and the first collection would otherwise walk every
    object made since the pause (a few ms per one-shot search)."""
    restore = paused and gc.isenabled()
    if restore:
        gc.disable()
    try:
        yield
    finally:
        if restore:
            gc.freeze()
            gc.enable()


def _open_service(index):
    from indexer.search import SearchService

    service = SearchService(index)
    if not service.available():
        raise FoiError(f"no index in {index}; run `foi index` first", 1)
    return service


def _export(service, query, filters, sort, limit, offset, target) -> None:
    from indexer.export import ExportError, export_zip

    wanted = limit if limit is not None else service.count(query, filters)
    hits = service.search(query, filters, sort=sort, limit=max(1, wanted), offset=offset).hits
    try:
        summary = export_zip(hits, target)
    except ExportError as exc:
        raise FoiError(str(exc), 1) from None
    message = f"exported {summary.files} file{'s' if summary.files != 1 else ''} and {summary.rows} rows of results.csv to {target}"
    if summary.missing:
        message += f"; {len(summary.missing)} original{'s' if len(summary.missing) != 1 else ''} no longer on disk: {', '.join(summary.missing[:5])}"
    click.echo(message, err=True)


def _run_one(
    service, query, filters, limit, offset, sort, fmt, count, facets, tag=False, first=True, line: int | None = None
) -> int:
    from indexer.output import console, emit_json, hit_record, print_facets, print_results
    from indexer.textsafe import one_line

    if count:
        total = service.count(query, filters)
        click.echo(f"{one_line(query)}\t{total}" if tag else total)
        return total
    results = service.search(query, filters, sort=sort, limit=limit, offset=offset, facets=facets)
    for note in results.notes:
        click.echo(f"foi: note: {one_line(note)}", err=True)
    if results.fallback:
        # No hit has every word: people see those with most of them; scripts see no hits
        # (exit 1, as for any query without hits) and the same sentence on stderr.
        where = f"foi: line {line}: " if line else ""  # a --queries batch names the line
        if results.suggestion:
            click.echo(
                f"{where}no hits for {one_line(repr(query))}; did you mean {one_line(repr(results.suggestion))}?",
                err=True,
            )
        click.echo(where + one_line(results.fallback), err=True)
        if fmt != "text" or tag:
            return 0
        print_results(console(), results)
        return 0
    if fmt == "json":
        for hit in results.hits:
            obj = hit_record(hit)
            if tag:
                obj["query"] = query
            emit_json(obj)
        if facets:
            emit_json({"facets": {k: dict(v) for k, v in results.facets.items()}, "total": results.total})
    elif fmt == "csv":
        from indexer.export import write_csv

        write_csv(results.hits, sys.stdout, header=first)
    elif fmt == "md":
        if tag:
            click.echo(f"## {one_line(query)}\n")
        if results.hits:
            from indexer.export import markdown_table

            click.echo(markdown_table(results.hits), nl=tag)
    else:
        con = console()
        if tag:
            con.print(f"## {one_line(query)}", markup=False, highlight=False, style="bold magenta")
        if not results.hits and not tag:
            hint = f"; did you mean {one_line(repr(results.suggestion))}?" if results.suggestion else ""
            click.echo(f"no hits for {one_line(repr(query))}{hint}", err=True)
        print_results(con, results, show_summary=bool(results.hits) or tag)
        if facets:
            print_facets(con, results.facets)
    # callers only ask whether there were hits: counting every match can cost as much as the search
    return len(results.hits) or results.total


def _run_queries(service, lines, filters, limit, offset, sort, fmt, count) -> int:
    from indexer.search import QueryError
    from indexer.textsafe import one_line

    any_hits = False
    bad = False
    first = True
    for number, line in enumerate(lines, start=1):
        query = line.strip()
        if not query or query.startswith("#"):
            continue
        try:
            any_hits |= (
                _run_one(
                    service, query, filters, limit, offset, sort, fmt, count, False, tag=True, first=first, line=number
                )
                > 0
            )
            first = False
        except QueryError as exc:
            bad = True
            click.echo(f"foi: line {number}: {one_line(exc)}", err=True)
    return 2 if bad else (0 if any_hits else 1)


# ---------------------------------------------------------------- stats, compare


def _one_format(**flags) -> None:
    given = [name for name, value in flags.items() if value]
    if len(given) > 1:
        raise FoiError(f"{' and '.join(given)} cannot be combined: choose one output", 2)


@main.command()
@click.argument("query", required=False)
@click.option(
    "--by",
    type=click.Choice(["authority", "year", "exemption", "outcome", "kind"]),
    default="authority",
    show_default=True,
    help="What one row counts.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per group.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header line.")
@filter_options
@common
def stats(query, by, as_json, as_csv, authority, after, before, exemption, outcome, kind, index):
    """Counts per authority (or year, exemption, outcome, kind) of the responses matching
    QUERY and the filters (no QUERY: the whole index): outcomes, refusal rate, exemptions,
    median days from request to response, answers after 20 working days."""
    from indexer.analysis.records import collect
    from indexer.analysis.stats import compute, summarise
    from indexer.export import write_stats_csv
    from indexer.output import console, emit_json, print_stats

    _one_format(**{"--json": as_json, "--csv": as_csv})
    service = _open_service(index)
    responses = collect(service, query, _filters(authority, after, before, exemption, outcome, kind))
    if not responses:
        raise FoiError("nothing matched" + (f" {query!r}" if query else " the filters"), 1)
    groups = compute(responses, by)
    if as_json:
        for group in groups:
            emit_json(group.to_dict())
    elif as_csv:
        write_stats_csv(groups, by, sys.stdout)
    else:
        print_stats(console(), groups, by, summarise(responses))


@main.command()
@click.argument("query")
@click.option(
    "--all", "every_group", is_flag=True, help="Every request group of two or more responses, not only the biggest."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per response.")
@click.option("--csv", "as_csv", is_flag=True, help="A row per response, a column per question.")
@click.option(
    "--xlsx",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The same table as an Excel workbook.",
)
@filter_options
@common
def compare(query, every_group, as_json, as_csv, xlsx, authority, after, before, exemption, outcome, kind, index):
    """The responses to one request side by side: the responses matching QUERY are grouped
    by their request; the biggest group becomes a table of answers per question."""
    from indexer.analysis.compare import compare_all
    from indexer.analysis.records import collect
    from indexer.export import ExportError, write_comparison_csv, write_comparison_xlsx
    from indexer.output import console, emit_json, print_comparisons

    _one_format(**{"--json": as_json, "--csv": as_csv, "--xlsx": xlsx})
    service = _open_service(index)
    responses = collect(service, query, _filters(authority, after, before, exemption, outcome, kind), with_text=True)
    if not responses:
        raise FoiError(f"nothing matched {query!r}", 1)
    comparisons = compare_all(responses, every_group=every_group)
    if as_json:
        several = len(comparisons) > 1
        for number, comparison in enumerate(comparisons, start=1):
            for row in comparison.to_dicts():
                emit_json({"group": number, **row} if several else row)
    elif as_csv:
        write_comparison_csv(comparisons, sys.stdout)
    elif xlsx:
        try:
            write_comparison_xlsx(comparisons, xlsx)
        except ExportError as exc:
            raise FoiError(str(exc), 1) from None
        rows = sum(len(c.rows) for c in comparisons)
        click.echo(
            f"wrote {rows} responses in {len(comparisons)} sheet{'s' if len(comparisons) != 1 else ''} to {xlsx}",
            err=True,
        )
    else:
        print_comparisons(console(), comparisons)


# ---------------------------------------------------------------- show, similar, status


def _resolve(service, given: str, index) -> str:
    """The doc_id meant by DOC_ID, a file's path or a unique basename; exit 1 when there is
    none, exit 2 listing the candidates when a basename names several documents."""
    from indexer.search import AmbiguousDocument

    try:
        doc_id = service.resolve(given)
    except AmbiguousDocument as exc:
        listed = "\n".join(f"  {c}" for c in exc.candidates)
        raise FoiError(f"{given!r} names {len(exc.candidates)} documents; give one doc id:\n{listed}", 2) from None
    if doc_id is None:
        raise FoiError(
            f"no document {given!r} in {index} (give a doc id such as corpus/name.pdf, a file's path or its name)", 1
        )
    return doc_id


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@common
def show(doc_id, as_json, index):
    """Full text and metadata of one document (DOC_ID as in search results, a file's path,
    or a file name that only one document has)."""
    from indexer.output import console, emit_json, print_document

    service = _open_service(index)
    view = service.document(_resolve(service, doc_id, index))
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
    """Documents most like DOC_ID (a doc id, a file's path or a unique file name)."""
    from indexer.output import console, emit_json, print_results

    service = _open_service(index)
    try:
        results = service.similar(_resolve(service, doc_id, index), limit=limit)
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
    from indexer.search import SearchService
    from tui.app import run

    service = SearchService(index)
    if service.available():
        service.stats()  # a damaged index: one line and exit 1, before the screen opens
    service.close()

    run(index)


if __name__ == "__main__":
    main()
