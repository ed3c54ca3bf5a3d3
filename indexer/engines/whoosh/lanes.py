"""Writer processes of a Whoosh build: each writes segments of its own, in parallel.

Whoosh writes postings in Python, so one writer process caps a build at one core however
many extraction workers feed it. Here the indexing process only routes: each prepared
document goes, as the bytes the extraction worker packed, to one of N lane processes, which
adds it to a segment of its own (segments.SegmentBuilder). At a commit every lane finishes its
segment at once and hands it back, and the indexing process records them, with its deletions,
in one new TOC: Whoosh's atomic step, so a commit stays all or nothing. Merging segments is a
job for one more lane, run while the build goes on; its result joins a later commit.

Lanes hold only the documents since the last commit (bounded by the commit cadence) and
merge by streaming, so their memory does not grow with the index. They ignore Ctrl+C (the
indexing process decides what is committed) and exit with the indexing process.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer import forking


@dataclass(frozen=True)
class PackedFields:
    """A record's Whoosh field values, pickled once where they were made (an extraction
    worker) and unpickled only by the lane that writes them: the indexing process passes
    bytes. `key` is the record's manifest row; `analysed` whether text fields are postings
    already (schema.preanalyse) or still text for the lane to analyse."""

    key: tuple  # (doc_id, path, size, mtime, fingerprint)
    data: bytes
    analysed: bool = True


def pack(values: dict, analysed: bool) -> PackedFields:
    key = (values["doc_id"], values["path"], values["size"], values["mtime"], values["fingerprint"])
    return PackedFields(key, pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL), analysed)


class LaneFailed(Exception):
    """A lane process could not do its work: its error, or its death."""


# ---------------------------------------------------------------- the lane process


def _serve(conn, index_dir: str, parent_pid: int, title: str) -> None:
    """A lane's loop: messages from the indexing process, one reply each (see Lane)."""
    from whoosh.filedb.filestore import FileStorage

    from indexer.engines.whoosh.schema import build_schema
    from indexer.engines.whoosh.segments import SegmentBuilder, merge_segments
    from indexer.interrupts import exit_with

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with(parent_pid)
    forking.name_process(title)
    _keep_heap_pad()
    storage = FileStorage(index_dir)
    schema = build_schema()
    builder = None
    failed: BaseException | None = None  # an add failed: the open segment is unusable
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        started = time.process_time()
        try:
            if kind == "add":
                _, segid, packed, indexed_at = message
                if failed is not None:
                    continue  # reported already; the next flush fails
                try:
                    builder = builder or SegmentBuilder(storage, schema, segid)
                    add_packed(builder, schema, packed, indexed_at)
                except Exception as exc:
                    failed = exc
                    conn.send(("failed", _portable(exc)))
                    continue
                conn.send(("added",))
            elif kind == "flush":
                if failed is not None:
                    if builder is not None:
                        builder.abandon()
                    builder, exc, failed = None, failed, None
                    conn.send(("failed", _portable(exc)))
                    continue
                segment = builder.finish() if builder is not None else None
                builder = None
                conn.send(("flushed", segment, time.process_time() - started))
            elif kind == "merge":
                _, job, sources, segid = message
                segment = merge_segments(storage, schema, sources, segid)
                conn.send(("merged", job, segment, time.process_time() - started))
            elif kind == "cancel":
                if builder is not None:
                    builder.abandon()
                builder, failed = None, None
                conn.send(("cancelled",))
            elif kind == "stop":
                if builder is not None:
                    builder.abandon()
                return
        except Exception as exc:
            conn.send(("failed", _portable(exc)))


def add_packed(builder, schema, packed: PackedFields, indexed_at: str) -> None:
    """One packed document added to the segment `builder` writes."""
    from indexer.engines.whoosh.schema import preanalyse

    values = pickle.loads(packed.data)
    if not packed.analysed:
        values = preanalyse(schema, values)
    values["indexed_at"] = indexed_at
    builder.add_document(**values)


def _portable(exc: BaseException) -> BaseException:
    """The exception as the indexing process can unpickle it (an OSError keeps its errno, which
    tells a full disk from a bug)."""
    if isinstance(exc, OSError):
        return OSError(exc.errno, exc.strerror or str(exc), exc.filename)
    return LaneFailed(f"{type(exc).__name__}: {exc}")


def _keep_heap_pad() -> None:
    """Keep a few MB of freed memory at the top of the heap (glibc's M_TOP_PAD). By default
    glibc gives freed memory at the top back to the system at once, and zlib's compressor
    takes and frees about 270 KB per call: every posting block compressed then faults that
    memory in again (measured: 500 us per call instead of 30)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-2, 4 << 20)  # M_TOP_PAD
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------- the indexing process's side


class Lane:
    """One lane process and what the indexing process knows of it."""

    def __init__(self, index_dir: Path, name: str):
        ctx = forking.context()  # started by a forkserver, not forked from here (see indexer/forking.py)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(child, str(index_dir), os.getpid(), name), name=name, daemon=True
        )
        self.process.start()
        child.close()
        self.segid: str | None = None  # the segment it is writing
        self.docs = 0  # documents sent to that segment
        self.inflight = 0  # sent and not yet acknowledged
        self.error: BaseException | None = None

    def send(self, message: tuple) -> None:
        try:
            self.conn.send(message)
        except (OSError, EOFError) as exc:
            raise self._died() from exc

    def receive(self) -> tuple:
        """The next reply that is not an acknowledgement of an add."""
        while True:
            try:
                reply = self.conn.recv()
            except (OSError, EOFError) as exc:
                raise self._died() from exc
            if not self._note(reply):
                return reply

    def drain(self) -> None:
        """Take the acknowledgements that have arrived, without waiting."""
        try:
            while self.conn.poll():
                reply = self.conn.recv()
                if not self._note(reply):
                    raise LaneFailed(f"unexpected reply from a writer process: {reply[0]}")
        except (OSError, EOFError) as exc:
            raise self._died() from exc

    def _note(self, reply: tuple) -> bool:
        if reply[0] == "added":
            self.inflight -= 1
            return True
        if reply[0] == "failed" and self.inflight > 0 and self.error is None:
            self.inflight -= 1
            self.error = reply[1]  # an add failed: raised by the next add or the flush
            return True
        return False

    def _died(self) -> LaneFailed:
        self.process.join(timeout=1.0)
        return LaneFailed(f"a writer process ended unexpectedly (exit code {self.process.exitcode})")

    def stop(self) -> None:
        try:
            self.conn.send(("stop",))
        except (OSError, EOFError):
            pass
        self.process.join(timeout=5.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


@dataclass
class MergeJob:
    """Segments sent to be merged, as they were when sent: deletions made since are carried
    over to the result (see Lanes.place)."""

    number: int
    sources: list  # Segment objects (copies, with the deletions they had)
    segid: str
    deleted: list[frozenset] = field(default_factory=list)


def new_segment_id() -> str:
    from whoosh.util import random_name

    return random_name(size=16)


# A commit of up to this many documents, before any lane has started, is written in the
# indexing process: adding one file to a big index should not wait for a writer process to
# start (a fresh interpreter from the forkserver, importing Whoosh).
IN_PROCESS_MAX = 4


class Lanes:
    """The lane processes of one writer: `count` that write documents and one that merges.
    Started on first use, so a run with nothing to write starts none, and one that writes a
    few documents writes them itself (IN_PROCESS_MAX)."""

    def __init__(self, index_dir: Path, count: int):
        self.dir = Path(index_dir)
        self.count = max(1, count)
        self._writers: list[Lane] = []
        self._held: list[tuple[PackedFields, str]] = []  # added before any lane started
        self._merger: Lane | None = None
        self._jobs: dict[int, MergeJob] = {}  # sent, not yet answered
        self._done: list[tuple[MergeJob, object]] = []  # answered: (job, Segment or None)
        self._numbers = 0

    # -- documents
    def add(self, packed: PackedFields, indexed_at: str) -> None:
        if not self._writers:
            if len(self._held) < IN_PROCESS_MAX:
                self._held.append((packed, indexed_at))
                return
            self._writers = [Lane(self.dir, f"foi-writer-{i + 1}") for i in range(self.count)]
            held, self._held = self._held, []
            for earlier in held:
                self._send(*earlier)
        self._send(packed, indexed_at)

    def _send(self, packed: PackedFields, indexed_at: str) -> None:
        for lane in self._writers:
            lane.drain()
            if lane.error is not None:
                raise lane.error
        # the same number of documents in each lane's segment: segments of a commit split
        # unevenly fall into different merge tiers, and the smaller one is rewritten twice
        lane = min(self._writers, key=lambda la: (la.docs, la.inflight))
        if lane.segid is None:
            lane.segid = new_segment_id()
        lane.send(("add", lane.segid, packed, indexed_at))
        lane.inflight += 1
        lane.docs += 1

    def flush(self) -> tuple[list, float]:
        """Every lane's finished segment (lanes with none are skipped), and the most CPU
        seconds one lane took: they finish in parallel."""
        if self._held:
            return self._write_held()
        busy = [lane for lane in self._writers if lane.segid is not None]
        for lane in busy:
            lane.send(("flush",))
        segments, cpu, failure = [], 0.0, None
        for lane in busy:
            try:
                reply = lane.receive()
            except LaneFailed as exc:
                failure = failure or exc
                continue
            lane.segid, lane.docs, lane.inflight = None, 0, 0
            error, lane.error = lane.error, None
            if reply[0] == "failed":
                failure = failure or error or reply[1]
            elif reply[1] is not None:
                segments.append(reply[1])
                cpu = max(cpu, reply[2])
        if failure is not None:
            raise failure
        return segments, cpu

    def _write_held(self) -> tuple[list, float]:
        """The documents held back written here, as a lane would write them, in one segment."""
        from whoosh.filedb.filestore import FileStorage

        from indexer.engines.whoosh.schema import build_schema
        from indexer.engines.whoosh.segments import SegmentBuilder

        held, self._held = self._held, []
        started = time.process_time()
        schema = build_schema()
        builder = SegmentBuilder(FileStorage(str(self.dir)), schema, new_segment_id())
        try:
            for packed, indexed_at in held:
                add_packed(builder, schema, packed, indexed_at)
            segment = builder.finish()
        except Exception as exc:
            builder.abandon()
            raise _portable(exc) from exc
        return [segment], time.process_time() - started

    def cancel(self) -> None:
        """Drop the open segments (their files go with them)."""
        self._held = []
        for lane in self._writers:
            if lane.segid is None or not lane.process.is_alive():
                continue
            try:
                lane.send(("cancel",))
                lane.receive()
            except LaneFailed:
                pass
            lane.segid, lane.docs, lane.inflight, lane.error = None, 0, 0, None

    def writing(self) -> set[str]:
        """Ids of the segments being written (no clean-up may remove their files)."""
        ids = {lane.segid for lane in self._writers if lane.segid}
        ids.update(job.segid for job in self._jobs.values())
        return {f"foi_{segid}" for segid in ids}

    # -- merges
    def merge(self, sources: list) -> None:
        if self._merger is None:
            self._merger = Lane(self.dir, "foi-merger")
        self._numbers += 1
        job = MergeJob(
            self._numbers, list(sources), new_segment_id(), [frozenset(seg.deleted_docs()) for seg in sources]
        )
        self._merger.send(("merge", job.number, job.sources, job.segid))
        self._jobs[job.number] = job

    def busy(self) -> set[str]:
        """Ids of the segments a merge in progress reads."""
        return {seg.segment_id() for job in self._jobs.values() for seg in job.sources}

    def merges_pending(self) -> bool:
        """Whether a merge is running or has finished and is not yet committed."""
        return bool(self._jobs or self._done)

    def merged(self) -> list[tuple[MergeJob, object]]:
        """The merges that have finished, each once."""
        self._collect(wait=False)
        done, self._done = self._done, []
        return done

    def wait_merges(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the merges sent to finish (merged() then returns
        them); whether they all have."""
        if self._merger is not None and self._jobs and self._merger.conn.poll(timeout):
            self._collect(wait=False)
        return not self._jobs

    def _collect(self, wait: bool) -> None:
        merger = self._merger
        while merger is not None and self._jobs and (wait or merger.conn.poll()):
            reply = merger.receive()
            if reply[0] == "failed":
                self._jobs.clear()
                raise reply[1]
            _, number, segment, _cpu = reply
            job = self._jobs.pop(number)
            self._done.append((job, segment))

    def abandon_merges(self) -> None:
        """Stop merging now (the run is stopping): the merger is ended, its output left to
        the clean-up; the segments it read stay as they are."""
        if self._merger is not None:
            self._merger.process.kill()
            self._merger.process.join()
            self._merger.conn.close()
            self._merger = None
        self._jobs.clear()

    def close(self) -> None:
        for lane in self._writers:
            lane.stop()
        self._writers = []
        if self._merger is not None:
            if self._jobs:
                self.abandon_merges()
            else:
                self._merger.stop()
                self._merger = None


def place(segments: list, job: MergeJob, result) -> list:
    """`segments` (the index's, as the next commit will record them) with the merge `job`'s
    sources replaced by its `result`. Documents deleted from a source after the job was sent
    are deleted from the result too: the result holds each source's documents that were live
    when it was sent, in order. A job whose sources are no longer all there is dropped."""
    by_id = {seg.segment_id(): seg for seg in segments}
    current = [by_id.get(src.segment_id()) for src in job.sources]
    if any(seg is None for seg in current):
        return segments
    if result is not None:
        offset = 0
        for source, now, before in zip(job.sources, current, job.deleted):
            live = [d for d in range(source.doc_count_all()) if d not in before]
            if now.has_deletions():
                rank = {d: i for i, d in enumerate(live)}
                for d in now.deleted_docs():
                    if d not in before:
                        result.delete_document(offset + rank[d])
            offset += len(live)
    gone = {src.segment_id() for src in job.sources}
    out, placed = [], False
    for seg in segments:
        if seg.segment_id() in gone:
            if not placed and result is not None:
                out.append(result)
            placed = True
            continue
        out.append(seg)
    return out
