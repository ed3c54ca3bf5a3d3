"""An indexing run: discover -> compare with the manifest -> extract in worker processes -> write.

Extraction and metadata run in killable worker processes (a hostile PDF can spin or
balloon); one writer in this process commits in batches, so a killed run leaves every
committed batch searchable and the next run finishes the job.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import forking
from indexer.boilerplate import CommonParagraphs
from indexer.discover import DiscoveryProblem, KnownFiles, discover, display_path, text_form
from indexer.engines import ManifestEntry, engine_class, engine_for_writing
from indexer.engines.base import id_folder
from indexer.engines.staging import STAGING, abandon_rebuild, begin_rebuild, clean_leftovers, finish_rebuild
from indexer.extract import ExtractionError, ExtractOptions, extract_file
from indexer.extract.container import SEPARATOR, outermost
from indexer.interrupts import Interrupted, StopSignals, exit_with
from indexer.lock import WriterLock
from indexer.models import Failure, FoiMetadata, IndexRecord, SourceFile
from indexer.roots import Root, named_roots, record_names
from indexer.sidecar import SIDECAR_SUFFIX, apply_sidecar, read_sidecar, sidecar_names, sidecar_path
from indexer.state import IndexState
from indexer.storage import write_error

if TYPE_CHECKING:  # Dask is imported only by a run that asks for a cluster
    from indexer.cluster import ClusterSession


@dataclass
class IndexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)  # all of them, new and still failing
    # doc_ids of the failures that are not news: failed before and unchanged since (not retried)
    still_failing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # told, not kept (a folder too deep)
    seconds: float = 0.0
    kept: int = 0  # additions and deletions committed so far (what a failed run keeps)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failures": [f.to_dict() for f in self.failures],
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class RunOptions:
    jobs: int = 0  # 0: one per core
    cluster: ClusterSession | None = None  # extract on a Dask cluster instead of local processes
    rebuild: bool = False
    retry_failed: bool = False
    batch_size: int = 2000  # documents per commit at most; each commit adds a segment
    # A commit also every COMMIT_DOCS documents and whenever the open batch is COMMIT_SECONDS
    # old: a killed or interrupted run loses at most that much work.
    commit_docs: int = 200
    commit_seconds: float = 30.0
    # ... and before a commit would take longer than this (what Ctrl+C waits for at most)
    commit_budget: float | None = 2.0
    lock_wait: float = 5.0
    follow_links: bool = False  # follow links into any folder given, never outside them
    name: str | None = None  # the doc-id name of the one folder given (`foi index --name`)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    engine: str | None = None  # for a new index (or --rebuild); None: the index's own, else $FOI_ENGINE
    index_dir: Path | None = None  # set by run_index: workers read the index's known boilerplate there


# on_event(kind, doc_id, detail): kind is added/updated/removed/failed/warning; on_progress(done, total)
EventFn = Callable[[str, str, str], None]
ProgressFn = Callable[[int, int], None]


def fingerprint_of(path: Path) -> str:
    """The fingerprint the index keeps for the file at `path` (see with_sidecar). Raises OSError."""
    import stat

    digest = hashlib.sha256()
    # O_NONBLOCK: a file swapped for a FIFO since discovery must not hang the writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{display_path(path)} is not a regular file")
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    fingerprint, _, _ = with_sidecar(path, digest.hexdigest())
    return fingerprint


def with_sidecar(path: Path, sha: str) -> tuple[str, dict | None, str | None]:
    """For a file whose bytes hash to `sha`: its fingerprint (the sidecar's hash included, so
    that a changed sidecar re-indexes the file), the sidecar's fields, and why the sidecar
    could not be read (None when it could, or when there is none)."""
    side = sidecar_path(path)
    if side is None:
        return sha, None, None
    try:
        data, side_sha = read_sidecar(side)
    except ExtractionError as exc:
        return sha + "+badsidecar", None, exc.detail
    return f"{sha}+{side_sha[:16]}", data, None


SIDECAR_MARK = "+"  # in a fingerprint with_sidecar made with a sidecar


def made_with_sidecar(fingerprint: str) -> bool:
    """Whether with_sidecar made this fingerprint with a sidecar (read or not): if that
    sidecar is gone now, its overrides must go too, whatever the file's own stat says."""
    return SIDECAR_MARK in fingerprint


def prepare(
    source: SourceFile,
    options: ExtractOptions,
    engine: str = "whoosh",
    index_dir: str | None = None,
    copy: Path | None = None,
) -> IndexRecord | Failure:
    """Worker-side: one file to an IndexRecord (with its members' records, for an archive or
    an email), or a Failure with its reason. Never raises. `index_dir` is read for the
    paragraphs the index already knows to be boilerplate.

    `copy`: where this worker reads the file (its sidecar beside it, under the same names)
    when it cannot see `source.path`, as on a cluster worker of another machine."""
    from indexer.boilerplate import known_common, split_pages

    readable = copy or source.path
    try:
        document, sha = extract_file(readable, options)
        metadata = _metadata(document)
    except ExtractionError as exc:
        return _failure(source, exc.reason, exc.detail)
    except MemoryError:
        return _failure(source, "too_large", "ran out of memory while extracting")
    except Exception as exc:  # a bug in a library must cost one file, not the run
        return _failure(source, "corrupt", f"{type(exc).__name__}: {exc}")
    # The index stores the path as UTF-8 text (see discover.text_form).
    source = dataclasses.replace(source, location=text_form(source.location))
    fingerprint, data, error = with_sidecar(readable, sha)
    extra: dict = {"sidecar_error": error} if error else {}
    if data is not None:
        try:
            metadata, extra = apply_sidecar(metadata, data)
        except ExtractionError as exc:  # well-formed JSON, wrong values: ignored, reported
            extra = {"sidecar_error": exc.detail}
    record = IndexRecord(source, sha, fingerprint, document, metadata, {**_declared(document), **extra})
    common = known_common(index_dir)
    record.split = split_pages([p.text for p in document.pages], common)
    problem = _unwritable(record)
    if problem:
        return _failure(source, "corrupt", problem)
    try:
        record.fields = engine_class(engine).prepare(record)
    except Exception as exc:
        return _failure(source, "corrupt", f"cannot analyse the text ({type(exc).__name__}: {exc})")
    record.children = _prepare_children(record, engine, common)
    return record


def _metadata(document) -> FoiMetadata:
    """The FOI metadata of the text, completed by what the file itself declares."""
    from indexer.metadata import extract_metadata

    metadata = extract_metadata(document.text)
    if document.headers.get("subject"):  # an email is called by its Subject
        metadata.title = document.headers["subject"]
    elif metadata.title is None and document.title:  # a web page's <title>
        metadata.title = document.title
    if metadata.date is None and document.headers.get("date"):  # an email's Date header
        metadata.date = document.headers["date"]
    return metadata


def _declared(document) -> dict:
    """Extra fields shown with a document: an email's headers."""
    shown = {k: v for k, v in document.headers.items() if k in ("from", "to", "cc", "subject")}
    return {"email": shown} if shown else {}


def _prepare_children(container: IndexRecord, engine: str, common=frozenset()) -> list[IndexRecord | Failure]:
    """The members and attachments of a container, every level, as records or failures.

    A child's path is its container's file (what exists on disk, what `o` opens); its doc_id
    is "<container doc_id>!/<inner path>". A child that fails costs only itself."""
    from indexer.boilerplate import split_pages
    from indexer.extract.container import flatten

    document, source = container.document, container.source
    flat = flatten(source.doc_id, document)
    document.children = []  # sent back once, as the records below
    out: list[IndexRecord | Failure] = []
    for item in flat:
        child = item.child
        where = f"{display_path(source.path)}!/{child.path}"
        if child.reason or child.document is None:
            out.append(Failure(item.doc_id, where, child.reason or "corrupt", child.detail, source.size, source.mtime))
            continue
        child.document.children = []  # flatten has placed the grandchildren already
        child_source = SourceFile(location=source.location, doc_id=item.doc_id, size=child.size, mtime=source.mtime)
        try:
            metadata = _metadata(child.document)
            record = IndexRecord(
                child_source,
                child.sha256,
                child.sha256,
                child.document,
                metadata,
                _declared(child.document),
                parent=item.parent,
            )
            record.split = split_pages([p.text for p in child.document.pages], common)
            problem = _unwritable(record)
            if problem is None:
                record.fields = engine_class(engine).prepare(record)
        except Exception as exc:  # a bug in a finder or an analyser costs this child
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            out.append(Failure(item.doc_id, where, "corrupt", problem, source.size, source.mtime))
        else:
            out.append(record)
    return out


def _unwritable(record: IndexRecord) -> str | None:
    """Why the index could not take this record, checked here so that the writer never
    fails half-way through a document (an engine may have no way to undo a half-added one)."""
    from indexer.fields import document_values

    def bad(value) -> bool:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
            return False
        if isinstance(value, (list, tuple)):
            return any(bad(v) for v in value)
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        return False

    try:
        fields = document_values(record, "")
    except Exception as exc:
        return f"cannot be indexed ({type(exc).__name__}: {exc})"
    names = [name for name, value in fields.items() if bad(value)]
    return f"invalid Unicode in {', '.join(sorted(names))}" if names else None


def _failure(source: SourceFile, reason: str, detail: str) -> Failure:
    return Failure(source.doc_id, display_path(source.path), reason, detail, source.size, source.mtime)


def _died(source: SourceFile, exitcode: int | None, memory_mb: int) -> Failure:
    """A worker killed by a signal. Under the address-space cap, native code that cannot
    allocate aborts (pdfium: SIGABRT) or is killed (OOM killer: SIGKILL)."""
    import signal

    if exitcode in (-signal.SIGKILL, -signal.SIGABRT, 128 + signal.SIGKILL):
        name = signal.Signals(-exitcode if exitcode < 0 else exitcode - 128).name
        return _failure(
            source, "too_large", f"the extractor ran out of memory under the {memory_mb:,} MB limit ({name})"
        )
    return _failure(source, "corrupt", f"the extractor crashed (exit code {exitcode})")


def _init_worker(megabytes: int, indexer_pid: int) -> None:
    """Worker initializer: exit with the indexer, and cap the address space so that a PDF
    bomb fails with MemoryError (or a native abort) instead of taking the machine. Ctrl+C
    reaches the whole process group: the indexer decides what stops, and kills the workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with(indexer_pid)
    forking.name_process("foi-extract")
    # A fork of a forked server holds a copy of the indexer: the cap is counted on top of it,
    # as for a forked worker (_forked_worker).
    inherited = _address_space() // (1024 * 1024) if forking.forked_from_indexer() else 0
    _limit_memory(megabytes + inherited)


def _limit_memory(megabytes: int) -> None:
    import resource

    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_index(
    paths: list[Path],
    index_dir: Path,
    options: RunOptions | None = None,
    on_event: EventFn | None = None,
    on_progress: ProgressFn | None = None,
) -> IndexSummary:
    """One incremental run over `paths`. Raises lock.IndexBusy when another writer holds the
    index, roots.DocIdClash (before touching it) when two folders would share doc ids,
    results.IndexUntrusted when its record is missing or from another version,
    storage.IndexWriteError when it cannot be written (a full disk, a read-only folder),
    interrupts.Interrupted after a signal (once the finished documents are committed).

    A rebuild is written beside the live index and swapped in only when complete."""
    options = options or RunOptions()
    started = time.monotonic()
    summary = IndexSummary()
    emit = on_event or (lambda kind, doc_id, detail: None)
    roots = [Path(os.path.abspath(p)) for p in paths]
    named = named_roots(roots, IndexState.load(index_dir), options.name, options.rebuild)
    with forking.forked_server(), StopSignals() as stop, WriterLock(index_dir, wait=options.lock_wait):
        engine = None
        try:
            clean_leftovers(index_dir)  # what a failed or killed run left: first, to free its space
            live = engine_for_writing(index_dir, options.engine, options.rebuild)
            if options.rebuild:
                engine = begin_rebuild(live)
            else:
                live.open_or_create()
                engine = live
            state = IndexState() if options.rebuild else IndexState.load(index_dir)
            # A rebuild counts its paragraphs afresh, beside the live index's counts.
            common = CommonParagraphs() if options.rebuild else CommonParagraphs.load(index_dir)
            # The failures log follows the live index's commits (a rebuild's waits for the swap).
            on_commit = (lambda: None) if options.rebuild else (lambda: _save_state(state, index_dir, roots, named))
            try:
                _update(engine, named, state, common, options, summary, emit, on_progress, stop, on_commit)
            finally:
                common.save(engine.dir)
            dropped = options.rebuild and stop.requested  # decided once: a later signal is too late
            if dropped:
                abandon_rebuild(engine)
            elif options.rebuild:
                engine = finish_rebuild(engine)
                common.changed = True
                common.save(index_dir)
        except BaseException as exc:
            failure = _abort(exc, engine, index_dir, options, summary)
            if failure is None:
                raise
            raise failure from exc
        finally:
            if engine is not None:
                engine.close()
        if not dropped:
            _save_state(state, index_dir, roots, named)
    summary.seconds = time.monotonic() - started
    if stop.requested:
        raise Interrupted(stop.signum, summary, rebuild=dropped)
    return summary


def _abort(exc: BaseException, engine, index_dir: Path, options: RunOptions, summary: IndexSummary):
    """After a run failed: a rebuild's files go (the live index was never touched), and a
    failure of the file system becomes an IndexWriteError saying what the index kept, once
    the leftovers are cleaned (after a full disk, that gives the space back). None: `exc`
    is no storage failure and goes on as it is."""
    if engine is not None:
        engine.close()
        if options.rebuild and Path(engine.dir).name == STAGING:
            abandon_rebuild(engine)
    failure = write_error(index_dir, exc)
    if failure is None:
        return None
    if options.rebuild:
        failure.kept = "the old index was kept as it was"
    elif engine is not None:
        failure.kept = (
            f"the index keeps what was committed ({summary.kept} changes of this run)"
            if summary.kept
            else "the index was left as it was"
        )
    try:
        clean_leftovers(index_dir)
    except OSError:
        pass
    return failure


def _update(engine, named, state, common, options, summary, emit, on_progress, stop, on_commit) -> None:
    """The run itself: compare the files with the index's manifest, then delete, extract and
    write (into engine.dir: the live index, or a rebuild's). Stops early, committing what was
    written, when `stop` is requested."""
    run_options = dataclasses.replace(options, engine=engine.name, index_dir=engine.dir)
    early = _EarlyStart(run_options)
    try:
        _compare_and_write(engine, named, state, common, options, summary, emit, on_progress, stop, on_commit, early)
    finally:
        early.cancel()


def _compare_and_write(engine, named, state, common, options, summary, emit, on_progress, stop, on_commit, early):
    # The comparison makes a few objects per file and per indexed document (100,000s),
    # none of them in a cycle: collections meanwhile would only walk them again and again.
    with _cyclic_gc_paused():
        manifest = engine.manifest()
        problems: list[DiscoveryProblem] = []
        sources = []
        if options.name is None:
            named = _names_kept_by_index(named, manifest, state)
        roots = [r.path for r in named]
        sidecars: dict[str, frozenset[str]] = {}
        known = _known_files(manifest, state)
        walk = discover(
            named,
            problems,
            follow_links=options.follow_links,
            sidecars=sidecars,
            known=known,
            stopped=lambda: stop.requested,
        )
        planned = IndexSummary()  # the planner's counts join the run's once the walk is complete
        planner = _Planner(manifest, state, options, planned, sidecars)
        todo: list[SourceFile] = []
        for source in walk:
            if stop.requested:
                return
            sources.append(source)
            if planner.wants(source):
                todo.append(source)
                early.offer(source)
        if stop.requested:
            return
        summary.unchanged += len(known.unchanged) + planned.unchanged
        summary.failures += planned.failures
        summary.still_failing += planned.still_failing
        source_ids = {s.doc_id for s in sources}
        source_ids.update(known.unchanged)
        failed_before = dict(state.failures)
        members = _members(_ids_of_members(manifest))
        member_failures = _members(state.failures)
        # The index and the failure log hold paths as text (discover.text_form/display_path).
        gone = _deleted(
            source_ids,
            _entries_to_check(manifest, known),
            [Path(text_form(r)) for r in roots],
            [text_form(r.name) for r in named],
        )
    shown_roots = [Path(display_path(r)) for r in roots]
    with engine.writer(
        batch_size=min(options.batch_size, options.commit_docs),
        max_seconds=options.commit_seconds,
        commit_budget=options.commit_budget,
        workers=options.jobs or default_jobs(),
    ) as writer:
        writer.watch(lambda: stop.requested)
        kept = KeptRecords(engine.dir)  # what the records were made of: split again without extracting
        try:
            for doc_id in gone:
                writer.delete(doc_id)
                state.failures.pop(doc_id, None)
                summary.removed += 1
                emit("removed", doc_id, "")
            for doc_id in [d for d in state.failures if outermost(d) not in source_ids]:
                if is_under(state.failures[doc_id].path, shown_roots):
                    state.failures.pop(doc_id)
            for p in problems:  # kept in the state too, so `foi status` lists them
                if p.warning:
                    summary.warnings.append(f"{p.path}: {p.detail}")
                    emit("warning", p.path, p.detail)
                    continue
                failure = Failure(p.doc_id or p.path, p.path, p.reason, p.detail)
                before = failed_before.get(failure.doc_id)
                state.failures[failure.doc_id] = failure
                summary.failures.append(failure)
                for doc_id in [failure.doc_id, *members.get(failure.doc_id, ())]:
                    if doc_id in manifest:  # indexed before, unreadable now
                        writer.delete(doc_id)
                if before is not None and before.reason == failure.reason:
                    summary.still_failing.append(failure.doc_id)  # not news
                else:
                    emit("failed", failure.doc_id, f"{p.reason}: {p.detail}")
            done = 0
            written: set[str] = set()  # doc_ids written in this run
            again: set[str] = set()  # written before a paragraph of theirs became common
            run_options = early.options
            if options.cluster:  # Dask's own loop: a stop is seen between results
                results = options.cluster.extract_all(todo, run_options)
            else:
                results = _extract_all(todo, run_options, stop, idle=writer.tick, early=early)
            for source, result in results:
                done += 1
                # The container's old members go, unless written again below.
                stale = set(members.get(source.doc_id, ()))
                for doc_id in member_failures.get(source.doc_id, ()):
                    state.failures.pop(doc_id, None)
                if isinstance(result, Failure):
                    state.failures[source.doc_id] = result
                    summary.failures.append(result)
                    if source.doc_id in manifest:  # the old text no longer matches the file
                        writer.delete(source.doc_id)
                    emit("failed", source.doc_id, f"{result.reason}: {result.detail}")
                elif source.doc_id in written:
                    # Two files with one doc_id (two roots with the same folder name):
                    # an engine cannot replace a document of the batch it is still writing.
                    summary.failures.append(
                        _failure(source, "duplicate", f"another file in this run has the doc id {source.doc_id}")
                    )
                    emit("failed", source.doc_id, "duplicate doc id")
                    stale = set()
                else:
                    for record in [result, *result.children]:
                        doc_id = record.doc_id if isinstance(record, Failure) else record.source.doc_id
                        stale.discard(doc_id)
                        if isinstance(record, Failure):  # a member that failed: its container stays
                            state.failures[doc_id] = record
                            summary.failures.append(record)
                            if doc_id in manifest:
                                writer.delete(doc_id)
                            emit("failed", doc_id, f"{record.reason}: {record.detail}")
                            continue
                        state.failures.pop(doc_id, None)
                        if doc_id in manifest:
                            kind = "updated"
                            summary.updated += 1
                        else:
                            kind = "added"
                            summary.added += 1
                        if record.extra.get("sidecar_error"):
                            summary.failures.append(_failure(source, "bad_sidecar", record.extra["sidecar_error"]))
                        written.add(doc_id)
                        _settle_boilerplate(record, common, engine, engine.dir, again)
                        if writer.add(record, replace=doc_id in manifest):
                            on_commit()
                        kept.keep(record)
                        emit(kind, doc_id, "")
                for doc_id in sorted(stale):
                    writer.delete(doc_id)
                    summary.removed += 1
                    emit("removed", doc_id, "")
                if on_progress:
                    on_progress(done, len(todo))
                if stop.requested:
                    break
            if stop.requested:
                writer.hurry()  # the last commit: keep it short
            else:
                _rewrite(again, kept, sources, run_options, writer, common, engine, stop)
        finally:
            kept.close()
            summary.kept = writer.committed


def _save_state(state: IndexState, index_dir: Path, roots: list[Path], named: list[Root]) -> None:
    """The run log (last run, failures, roots). It decides no deletion, so a disk too full
    for it costs the log, not the run."""
    state.last_run = datetime.now(timezone.utc).isoformat(timespec="seconds")
    state.roots = sorted(set(state.roots) | {str(r) for r in roots if r.is_dir()})
    record_names(state, named)
    try:
        state.save(index_dir)
    except OSError:
        pass


def _settle_boilerplate(
    record: IndexRecord, common: CommonParagraphs, engine, index_dir: Path, again: set[str]
) -> None:
    """Boilerplate by frequency, in the writer (which alone sees every document): a record
    whose worker split it before one of its paragraphs became common is split again; its
    paragraphs are then counted. A newly common one is saved at once, so that the workers
    split the documents still to come with it, and the documents written before it was
    common are added to `again`."""
    if record.split is None:
        return
    _split_again(record, common, engine)
    grew, stale = common.observe(record.split.counted, record.source.doc_id)
    if grew:
        common.save_common(index_dir)
        _split_again(record, common, engine)  # this very record may hold the new common paragraph
    again.update(stale)


def _split_again(record: IndexRecord, common: CommonParagraphs, engine) -> None:
    from indexer.boilerplate import resplit

    if record.split is not None and any(common.is_common(fp) for fp in record.split.counted):
        record.split = resplit([p.text for p in record.document.pages], record.split, common.common())
        record.fields = engine.prepare_for_writer(record)


class KeptRecords:
    """The records written in this run, without their engine fields, in an unnamed temporary
    file beside the index (compressed; gone with the process however it ends), up to BUDGET
    bytes: memory holds only where each one is. A record split again at the end of the run
    (a paragraph of its became common after it was written) is then read from here; only one
    not kept (past the budget, or the file could not be written) is extracted again. In a
    build, most documents of the first thousands hold a passage that becomes common later
    (1,333 of 2,000 measured): those are the ones kept first.

    On disk, not in memory: kept in memory, the records were the indexing process's largest
    structure (up to 32 M characters of page text: most of its 253 MB in a 10,000-document
    build; 128 MB with them on disk), and a budget small enough to keep memory flat
    re-extracted most of a big build's documents."""

    BUDGET = 2_000_000_000  # bytes on disk: a generated response takes about 4 KB (8 MB for 2,000)
    ROOM = 512 * 2**20  # free bytes left on the index's disk: below it nothing more is kept, so
    # the shortcut never takes the space the index itself needs (checked every CHECK_EVERY bytes)
    CHECK_EVERY = 16 * 2**20

    def __init__(self, folder: Path | str | None = None):
        self._folder = folder
        self._file = None
        self._failed = False  # the file could not be made or written: nothing more is kept
        self._at: dict[str, tuple[int, int]] = {}  # doc_id -> (offset, length) in the file
        self.size = 0  # bytes written to the file

    def keep(self, record: IndexRecord) -> None:
        import pickle
        import zlib

        if record.split is None or self._failed:
            return
        stripped = dataclasses.replace(
            record,
            fields=None,
            children=[],
            document=dataclasses.replace(record.document, children=[]),
            split=dataclasses.replace(record.split, substance="", boilerplate=""),  # resplit reads spans only
        )
        data = zlib.compress(pickle.dumps(stripped, protocol=pickle.HIGHEST_PROTOCOL), 1)
        self._at.pop(record.source.doc_id, None)  # an earlier version of it is stale either way
        if self.size + len(data) > self.BUDGET:
            return
        if not self._room_for(len(data)) or not self._write(data):
            self._failed = True
            return
        self._at[record.source.doc_id] = (self.size, len(data))
        self.size += len(data)

    def _room_for(self, n: int) -> bool:
        """Whether the disk keeps ROOM free after `n` more bytes (asked at the first write and
        each time the file grows past a multiple of CHECK_EVERY)."""
        if self.size and self.size // self.CHECK_EVERY == (self.size + n) // self.CHECK_EVERY:
            return True
        import shutil

        try:
            free = shutil.disk_usage(self._folder or ".").free
        except OSError:
            return False
        return free - n >= self.ROOM

    def _write(self, data: bytes) -> bool:
        try:
            if self._file is None:
                import tempfile

                self._file = tempfile.TemporaryFile(dir=self._folder, prefix=".foi-kept-")
            self._file.seek(self.size)
            self._file.write(data)
        except OSError:  # a full disk costs the re-split its shortcut, not the run
            return False
        return True

    def take(self, doc_id: str) -> IndexRecord | None:
        import pickle
        import zlib

        where = self._at.pop(doc_id, None)
        if where is None or self._file is None:
            return None
        try:
            self._file.seek(where[0])
            return pickle.loads(zlib.decompress(self._file.read(where[1])))
        except (OSError, zlib.error, pickle.UnpicklingError):
            return None

    def __len__(self) -> int:
        return len(self._at)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._at = {}


def _rewrite(
    doc_ids: set[str],
    kept: KeptRecords,
    sources: list[SourceFile],
    options: RunOptions,
    writer,
    common,
    engine,
    stop: StopSignals,
) -> None:
    """Documents of this run that hold a paragraph which became common after they were
    written: split again and written again, with that paragraph as boilerplate (from the
    records kept; those no longer kept are extracted again)."""
    if not doc_ids:
        return
    writer.commit()  # an engine replaces only documents of an earlier commit
    lost, done = set(), set()
    for doc_id in sorted(doc_ids):
        if stop.requested:
            return
        record = kept.take(doc_id)
        if record is None:
            lost.add(doc_id)
            continue
        done.add(doc_id)
        kept_split = record.split
        _split_again(record, common, engine)
        if record.split is not kept_split:  # else nothing of it is common after all: it stays as written
            writer.add(record, replace=True)
    by_id = {s.doc_id: s for s in sources}
    todo = [by_id[d] for d in sorted({outermost(d) for d in lost}) if d in by_id]
    for _, result in _extract_all(todo, options, stop, idle=writer.tick):
        if isinstance(result, Failure):
            continue  # it was indexed a moment ago: that version stays
        for record in [result, *result.children]:
            # a member written again from its kept record is in this batch already
            if isinstance(record, IndexRecord) and record.source.doc_id not in done:
                _split_again(record, common, engine)
                writer.add(record, replace=True)


@contextmanager
def _cyclic_gc_paused():
    """Without the cyclic garbage collector for a while (reference counting still frees)."""
    restore = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if restore:
            gc.enable()


def _members(doc_ids) -> dict[str, list[str]]:
    """Members of each container file, every level, among `doc_ids`: doc_id on disk -> ids."""
    found: dict[str, list[str]] = {}
    for doc_id in [d for d in doc_ids if SEPARATOR in d]:  # a test per id: most are files on disk
        found.setdefault(outermost(doc_id), []).append(doc_id)
    return found


class _Planner:
    """Which files need extracting: new, or changed by content (size/mtime first, then hash),
    decided file by file as the walk finds them (so that the first one can start extracting
    while the walk goes on, see _EarlyStart).

    An unchanged container is not read again, so the failures of its members are reported
    as they were (and --retry-failed reads it again for them)."""

    def __init__(self, manifest, state, options: RunOptions, summary: IndexSummary, sidecars=None):
        self.manifest = manifest
        self.state = state
        self.options = options
        self.summary = summary
        self.member_failures: dict[str, list[Failure]] = {}
        for doc_id, failure in state.failures.items():
            if outermost(doc_id) != doc_id:
                self.member_failures.setdefault(outermost(doc_id), []).append(failure)
        self.has_sidecar = _sidecar_finder(sidecars)

    def wants(self, source: SourceFile) -> bool:
        """Whether `source` must be extracted; an unchanged one (or one unchanged since it
        failed) is counted in the summary instead."""
        summary, options = self.summary, self.options
        old: ManifestEntry | None = self.manifest.get(source.doc_id)
        failed = self.state.failures.get(source.doc_id)
        if failed and not options.retry_failed and failed.size == source.size and failed.mtime == source.mtime:
            summary.failures.append(failed)  # unchanged since it failed: not retried every run
            summary.still_failing.append(failed.doc_id)
            return False
        if (
            old is None
            or old.path != text_form(source.location)
            or (options.retry_failed and source.doc_id in self.member_failures)
        ):
            return True
        # A fingerprint made with a sidecar is computed again below: the sidecar may be gone.
        if (
            old.size == source.size
            and old.mtime == source.mtime
            and not made_with_sidecar(old.fingerprint)
            and not self.has_sidecar(source.location)
        ):
            unchanged = True
        else:
            try:
                fingerprint = fingerprint_of(source.path)
            except OSError:
                return True  # let extraction report why it cannot be read
            unchanged = fingerprint == old.fingerprint
        if not unchanged:
            return True
        summary.unchanged += 1
        carried = self.member_failures.get(source.doc_id, [])  # members that failed inside it
        summary.failures += carried
        summary.still_failing += [f.doc_id for f in carried]
        return False


def _known_files(manifest: Mapping[str, ManifestEntry], state) -> KnownFiles:
    """What the walk may count as unchanged from its stat alone (see discover.KnownFiles):
    the manifest, less what _Planner must look at whatever the stat says, a file that failed or
    holds a member that failed, and one indexed with a sidecar (which may be gone now).

    A manifest that compares whole folders (`same_folder`, the Whoosh manifest file) lets
    the walk count a folder's files unchanged without an entry made for each."""
    excluded = set()
    for doc_id in state.failures:
        excluded.add(doc_id)
        excluded.add(outermost(doc_id))
    known = KnownFiles(_Comparable(manifest, excluded))
    compare = getattr(manifest, "same_folder", None)
    if compare is not None:
        held_back = {id_folder(doc_id) for doc_id in excluded}

        def same_folder(folder: str, *files) -> bool:
            return folder not in held_back and compare(folder, *files, SIDECAR_MARK)

        known.same_folder = same_folder
    return known


class _Comparable(Mapping):
    """The manifest's entries the walk may compare by stat (_known_files): those indexed
    with a sidecar and `excluded` look absent. Only looked up, never iterated."""

    def __init__(self, manifest: Mapping[str, ManifestEntry], excluded: set[str]):
        self.manifest = manifest
        self.excluded = excluded

    def get(self, doc_id: str, default=None):
        entry = self.manifest.get(doc_id)
        if entry is None or doc_id in self.excluded or made_with_sidecar(entry.fingerprint):
            return default
        return entry

    def __getitem__(self, doc_id: str) -> ManifestEntry:
        entry = self.get(doc_id)
        if entry is None:
            raise KeyError(doc_id)
        return entry

    def __iter__(self):
        return (d for d, e in self.manifest.items() if d not in self.excluded and not made_with_sidecar(e.fingerprint))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _entries_to_check(manifest: Mapping[str, ManifestEntry], known: KnownFiles) -> Iterable[tuple[str, ManifestEntry]]:
    """The manifest's entries less those of the folders the walk found whole and unchanged
    (known.whole_folders): every one of those is still there, under the same doc id."""
    whole = known.whole_folders
    if not whole:
        return manifest.items()
    return (item for folder in manifest.folders() if folder not in whole for item in manifest.folder(folder).items())


def _ids_of_members(manifest: Mapping[str, ManifestEntry]) -> Iterable[str]:
    """The doc ids that may be a container's members: of a manifest kept by folder, only
    those of the folders inside a container (no folder of files on disk is unpacked)."""
    folders = getattr(manifest, "folders", None)
    if folders is None:
        return manifest
    return (d for folder in folders() if SEPARATOR in folder + "/" for d in manifest.folder(folder))


def _sidecar_finder(listings: dict[str, frozenset[str]] | None = None) -> Callable[[str], bool]:
    """Whether a file has a sidecar, from one listing per folder: an unchanged file then costs
    no stat beyond discovery's (two per file were most of a no-change run's planning).
    `listings` holds those discovery made (folder -> its sidecar-like names); others are read."""
    listings = {} if listings is None else listings  # most folders have no sidecar-like names

    def has_sidecar(location: str) -> bool:
        folder = location.rpartition(os.sep)[0]  # a string: pathlib's parts cost more than the rest
        if folder not in listings:
            try:
                listings[folder] = frozenset(n for n in os.listdir(folder) if n.endswith(SIDECAR_SUFFIX))
            except OSError:
                listings[folder] = frozenset()
        names = listings[folder]
        if not names:
            return False
        path = Path(location)
        if not any(name in names for name in sidecar_names(path)):
            return False
        return sidecar_path(path) is not None  # the name is there: is it a file?

    return has_sidecar


def is_under(path: str, roots: list[Path]) -> bool:
    return any(path == str(r) or path.startswith(str(r).rstrip(os.sep) + os.sep) for r in roots)


def _names_kept_by_index(named: list[Root], manifest: dict[str, ManifestEntry], state: IndexState) -> list[Root]:
    """A folder with no name recorded (a lost run log) keeps the name its indexed doc ids
    start with: a missing log must not re-file every document under another id."""
    kept = []
    for root in named:
        folder = root.path if root.path.is_dir() else root.path.parent
        # A folder in the log has its name there, or its own (roots.record_names): only a
        # folder the log does not know costs a look through the whole manifest.
        if str(folder) not in state.names and str(folder) not in state.roots:
            under = [Path(text_form(root.path))]
            prefixes = {doc_id.split("/", 1)[0] for doc_id, entry in manifest.items() if is_under(entry.path, under)}
            if len(prefixes) == 1 and root.name not in prefixes:
                root = Root(root.path, prefixes.pop())
        kept.append(root)
    return kept


def _deleted(
    present: set[str], entries: Iterable[tuple[str, ManifestEntry]], roots: list[Path], names: list[str]
) -> list[str]:
    """Indexed documents (`entries`: the manifest's, doc id and entry) under the given roots
    whose files are gone, or whose doc ids no longer start with the name of a root they are
    under (the root was given a new --name). `present`: the doc ids of the files found."""
    gone = []
    for doc_id, entry in entries:
        if doc_id in present or not is_under(entry.path, roots):
            continue
        renamed = not any(
            doc_id.startswith(name + "/") and is_under(entry.path, [root]) for root, name in zip(roots, names)
        )
        if renamed or not os.path.exists(entry.path):
            gone.append(doc_id)
    return gone


def start_pool(jobs: int, ext: ExtractOptions, parent_pid: int, engine: str):
    """A pebble pool of `jobs` killable workers that exit with `parent_pid`, under ext's memory cap,
    each replaced after WORKER_TASKS files."""
    from pebble import ProcessPool

    # Started by a forkserver, not forked from here (see indexer/forking.py). A stock
    # forkserver preloads the engine: each worker's start is then a fork of an
    # already-imported process instead of a fresh import.
    context = forking.context(warm=lambda: _warm_for_workers(engine))
    context.set_forkserver_preload(["indexer.pipeline", "indexer.metadata", f"indexer.engines.{engine}"])
    return ProcessPool(
        max_workers=jobs,
        max_tasks=WORKER_TASKS,
        initializer=_init_worker,
        initargs=(ext.memory_mb, parent_pid),
        context=context,
    )


# A pool worker is replaced by a fresh fork of the forkserver after this many files: what
# a worker's heap keeps of the files it extracted (fragments of big PDFs, its caches of
# judged sentences and paragraphs) then stays the same whatever the corpus size. A fork of
# the preloaded server takes milliseconds.
WORKER_TASKS = 500


def outcome(source: SourceFile, future, ext: ExtractOptions) -> IndexRecord | Failure:
    """The result of a pool future, with a worker that overran or died reported as a Failure."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired

    try:
        return future.result()
    except FutureTimeout:
        return _failure(source, "timeout", f"extraction took over {ext.timeout:g} s")
    except ProcessExpired as exc:
        return _died(source, exc.exitcode, ext.memory_mb)
    except Exception as exc:
        return _failure(source, "corrupt", f"{type(exc).__name__}: {exc}")


# Up to this many files are extracted in forks of the indexer, one at a time, instead of in a
# pool: starting the pool's server (a fresh interpreter importing foi) took 3.5 of the 6.8 s
# of adding one file to a 4,000-document index, a fork of this process takes milliseconds.
FORK_MAX_FILES = 4
# The first file to extract starts in a fork during the walk (_EarlyStart). Only where the run
# may fork at all: never in a tantivy run, whose library keeps threads of its own from the
# moment the index is opened (_can_fork), so that engine's runs are the same with it or not.
EARLY_START = True


def _extract_all(
    todo: list[SourceFile],
    options: RunOptions,
    stop: StopSignals,
    idle: Callable[[], object] = lambda: None,
    early: _EarlyStart | None = None,
) -> Iterable[tuple[SourceFile, IndexRecord | Failure]]:
    """Extract in killable worker processes: a pool keeping a bounded number in flight, or
    for a handful of files, forks of this process (see _extract_forked), the first of them
    perhaps started during the walk (`early`).

    Results come in order. While waiting, `idle` runs every POLL_SECONDS (the writer commits
    a batch that is due). When `stop` is requested, the results already finished are still
    handed out and the workers are killed, not waited for."""
    if not todo:
        return
    if len(todo) <= FORK_MAX_FILES and _can_fork():
        yield from _extract_forked(todo, options, stop, idle, early=early)
        return
    if early is not None:
        early.cancel()  # more files than forks are for: the pool extracts that one too
    jobs = options.jobs or default_jobs()
    ext = options.extract
    engine = options.engine or "whoosh"
    folder = str(options.index_dir) if options.index_dir is not None else None
    pool = start_pool(min(jobs, len(todo)), ext, os.getpid(), engine)
    finished = False
    try:
        window = max(4, jobs * 4)
        pending: list[tuple[SourceFile, object]] = []
        queue = iter(todo)
        for source in queue:
            pending.append((source, pool.schedule(prepare, (source, ext, engine, folder), timeout=ext.timeout)))
            if len(pending) >= window:
                break
        while pending:
            source, future = pending[0]
            result = _wait(source, future, ext, stop, idle)
            if result is None:  # stopped: hand out what is already done, in order
                for source, future in pending:
                    if not future.done() or future.exception() is not None:
                        break
                    yield source, future.result()
                return
            pending.pop(0)
            yield source, result
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.schedule(prepare, (nxt, ext, engine, folder), timeout=ext.timeout)))
        finished = True
    finally:
        if finished:
            pool.close()
        else:  # stopped, or the caller gave up on an error: kill the workers, never wait for them
            pool.stop()
        pool.join()


POLL_SECONDS = 0.2


def _can_fork() -> bool:
    """Whether this process may fork an extraction worker: only while it runs no other
    thread, whose locks a fork would copy held (see indexer/forking.py)."""
    return forking.single_threaded()


def _extract_forked(
    todo: list[SourceFile],
    options: RunOptions,
    stop: StopSignals,
    idle: Callable[[], object],
    early: _EarlyStart | None = None,
) -> Iterable[tuple[SourceFile, IndexRecord | Failure]]:
    """Each file in a fork of this process, one after the other: the worker starts with foi
    already imported, under the same protections as a pool worker (the time limit, killed
    when it runs over; an address-space cap; exits with the indexer; a crash costs its file).
    A file `early` started extracting during the walk is taken from that fork."""
    warmed = False
    for source in todo:
        if stop.requested:
            return
        worker = early.take(source) if early is not None else None
        if worker is None:
            if not warmed:
                _warm_for_workers(options.engine or "whoosh")
                warmed = True
            worker = _ForkedWorker(source, options)
        try:
            result = worker.result(options.extract, stop, idle)
        finally:
            worker.end()
        if result is None:  # stopped
            return
        yield source, result


class _ForkedWorker:
    """One file being extracted in a fork of this process (see _forked_worker)."""

    def __init__(self, source: SourceFile, options: RunOptions):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.source = source
        self.started = time.monotonic()
        self.receiver, sender = context.Pipe(duplex=False)
        folder = str(options.index_dir) if options.index_dir is not None else None
        self.process = context.Process(
            target=_forked_worker,
            name="foi-extract",
            daemon=True,
            args=(sender, source, options.extract, options.engine or "whoosh", folder, os.getpid(), _address_space()),
        )
        try:
            self.process.start()
        finally:
            sender.close()

    def result(self, ext: ExtractOptions, stop: StopSignals, idle) -> IndexRecord | Failure | None:
        """Its result, a Failure when it overran its time (counted from its start) or died,
        or None when a stop was requested first."""
        source, receiver = self.source, self.receiver
        deadline = self.started + ext.timeout
        while not stop.requested:
            if receiver.poll(POLL_SECONDS):
                try:
                    return receiver.recv()
                except (EOFError, OSError):  # it died before sending anything
                    self.process.join()
                    return _died(source, self.process.exitcode, ext.memory_mb)
                except Exception as exc:  # a result that cannot be unpickled
                    return _failure(source, "corrupt", f"{type(exc).__name__}: {exc}")
            if time.monotonic() >= deadline:
                return _failure(source, "timeout", f"extraction took over {ext.timeout:g} s")
            idle()
        return None

    def end(self) -> None:
        """Done with it: killed if it still runs, and waited for."""
        self.receiver.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class _EarlyStart:
    """The first file the walk finds to extract, started in a fork at once (when the run may
    fork: see _extract_all), so that its extraction (imports included: the FOI metadata's
    are most of a one-file run's) overlaps the rest of the walk, which on a big index is
    a stat of every file. One file only: a few more are forked after the walk, from a
    process that has imported what they need once (_warm_for_workers)."""

    def __init__(self, options: RunOptions):
        self.options = options
        self.worker: _ForkedWorker | None = None
        self._offered = False

    def offer(self, source: SourceFile) -> None:
        if self._offered:
            return
        self._offered = True
        if EARLY_START and self.options.cluster is None and FORK_MAX_FILES > 0 and _can_fork():
            try:
                self.worker = _ForkedWorker(source, self.options)
            except OSError:  # no process to spare now: the file is extracted after the walk
                self.worker = None

    def take(self, source: SourceFile) -> _ForkedWorker | None:
        """The fork extracting `source`, if it is the one started early (then handed over)."""
        worker = self.worker
        if worker is None or worker.source != source:
            return None
        self.worker = None
        return worker

    def cancel(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.end()


def _forked_worker(
    sender, source: SourceFile, ext: ExtractOptions, engine: str, folder: str | None, indexer_pid: int, inherited: int
) -> None:
    """The forked worker: as a pool worker (_init_worker), its memory cap counted on top of
    what it inherited; it leaves by os._exit, so nothing of the indexer (buffered output,
    exit handlers, temporary files) is run or flushed a second time."""
    import faulthandler
    import signal

    code = 0
    try:
        faulthandler.disable()  # a crash costs the file (_died), not a dump of the indexer's stack
        gc.enable()  # a fork started during the walk inherits its pause (_cyclic_gc_paused)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        exit_with(indexer_pid)
        _limit_memory(ext.memory_mb + inherited // (1024 * 1024))
        try:
            result = prepare(source, ext, engine, folder)
        except Exception as exc:  # reported as a pool worker's exception is (outcome)
            result = _failure(source, "corrupt", f"{type(exc).__name__}: {exc}")
        sender.send(result)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _address_space() -> int:
    """This process's address space in bytes (0 when it cannot be read)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _warm_for_workers(engine: str) -> None:
    """Import once here what every forked worker needs (FOI metadata, the engine's
    analysis), rather than once in each of them."""
    import importlib

    for name in ("indexer.metadata", "indexer.boilerplate", "indexer.extract.registry", f"indexer.engines.{engine}"):
        importlib.import_module(name)


def _wait(source: SourceFile, future, ext: ExtractOptions, stop: StopSignals, idle) -> IndexRecord | Failure | None:
    """One worker's result (see outcome), or None when a stop was requested first."""
    import signal
    from concurrent.futures import wait

    from pebble import ProcessExpired

    while not stop.requested:
        if not wait([future], timeout=POLL_SECONDS).done:
            idle()
            continue
        failed = future.exception()
        if isinstance(failed, ProcessExpired) and failed.exitcode in (-signal.SIGTERM, -signal.SIGINT):
            # a signal to the whole process group reaches the workers too: the run stops,
            # the file did nothing wrong
            time.sleep(POLL_SECONDS)
            if stop.requested:
                return None
        return outcome(source, future, ext)
    return None
