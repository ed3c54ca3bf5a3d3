"""Extraction on a Dask cluster: each new or changed file is one task running pipeline.prepare.

`foi index --cluster ADDRESS` hands the files that need extracting to Dask workers and writes
what comes back in this process, exactly as the local process pool's results are written.
On each worker the task runs in a killable child process with the local run's time and memory
caps, so a hostile file costs that child, not the Dask worker; a worker that dies anyway
(killed, its machine lost) has its task retried by Dask on another worker a bounded number of
times, and a file that keeps killing workers is reported `corrupt`. Only this module imports
Dask, and only a run that asks for a cluster imports this module.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.extract import ExtractionError, ExtractOptions, read_regular_file
from indexer.models import Failure, IndexRecord, SourceFile
from indexer.sidecar import sidecar_path

# An unreachable scheduler is reported within this (the issue asks for 10 s at most).
CONNECT_TIMEOUT = 5.0
# Worker deaths a task may cause before it is given up (Dask's `allowed-failures`) on a
# local cluster; a remote scheduler keeps its own setting (Dask's default is 3).
LOCAL_ALLOWED_FAILURES = 2
# Tasks a worker thread holds at once (see _start_local).
WORKER_SATURATION = 1.0
# Files up to this size travel inside the task; larger ones go straight to a worker
# (scatter), so the scheduler never holds file contents.
INLINE_BYTES = 1 << 20
# File bytes sent and not yet answered: bounds this process's memory on a big corpus.
IN_FLIGHT_BYTES = 512 << 20
# Tasks in flight per worker thread: enough that no worker waits for the next file.
TASKS_PER_THREAD = 2
# How often a run with nothing finishing checks that the cluster still has workers.
CHECK_SECONDS = 5.0
# A run whose cluster has had no workers this long ends, instead of waiting for ever.
NO_WORKERS_SECONDS = 120.0

DAEMON_HINT = (
    "the Dask workers run as daemon processes, which cannot start the extraction processes; "
    "start them with DASK_DISTRIBUTED__WORKER__DAEMON=False (README: Many machines)"
)


class ClusterError(Exception):
    """The cluster cannot be used: unreachable, lost, or its workers are not set up for foi."""


@dataclass(frozen=True)
class ClusterAddress:
    """What `--cluster` named: a scheduler's address, or a local cluster of `local_workers`."""

    text: str  # as given: "local", "local:4", "tcp://10.0.0.5:8786"
    local_workers: int | None = None  # set for a local cluster

    @property
    def local(self) -> bool:
        return self.local_workers is not None


def parse_address(text: str) -> ClusterAddress:
    """`local`, `local:N` or a scheduler address (`tcp://HOST:PORT`, `HOST:PORT`); ValueError if not."""
    text = text.strip()
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if not count:
            from indexer.pipeline import default_jobs

            return ClusterAddress(text, default_jobs())
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--cluster {text!r}: the number of local workers must be a whole number of 1 or more")
        return ClusterAddress(text, int(count))
    host_port = text.split("://", 1)[1] if "://" in text else text
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(
            f"--cluster {text!r}: expected tcp://HOST:PORT (a Dask scheduler, usually port 8786), local or local:N"
        )
    return ClusterAddress(text)


def worker_ocr_cache() -> Path:
    """A worker's own OCR cache when the run names no shared one (`--ocr-cache`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "foi-search" / "ocr"


# ---------------------------------------------------------------- the client side


class ClusterSession:
    """One `foi index` process's use of a cluster; a context manager that closes what it opened.

    A remote scheduler is connected to by `open()` (so a wrong address fails before any
    work); a local cluster is started on the first run that has files to extract, so an
    incremental run with nothing new costs no cluster start-up.
    """

    def __init__(self, address: ClusterAddress, shared_fs: bool = False, ocr_cache: Path | None = None):
        self.address = address
        self.shared_fs = shared_fs
        # An explicit cache every worker can reach; else local workers share the index's,
        # and remote workers each keep their own.
        self.ocr_cache = Path(os.path.abspath(ocr_cache)) if ocr_cache else None
        self.workers = 0  # the most workers seen at once
        self.lost: str | None = None  # why the run ended early, when it did
        self._cluster = None
        self._client = None

    # -- connection

    def open(self) -> "ClusterSession":
        if not self.address.local:
            self.connect()
        return self

    @property
    def client(self):
        """The Dask client (connecting first if need be)."""
        return self.connect()

    @property
    def scheduler_address(self) -> str:
        """The scheduler's own address (a local cluster's is chosen when it starts)."""
        return self.client.scheduler.address

    def connect(self):
        """Connect to the scheduler, or start the local cluster; returns the Dask client."""
        if self._client is not None:
            return self._client
        if self.lost:
            raise ClusterError(self.lost)
        from distributed import Client

        if self.address.local:
            self._start_local()
            self._client = Client(self._cluster, set_as_default=False)
        else:
            try:
                self._client = Client(self.address.text, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {self.address.text} within {CONNECT_TIMEOUT:g} s "
                    f"(is `dask scheduler` running there?): {_one_line(exc)}"
                ) from None
            except ValueError as exc:  # an address Dask cannot parse
                raise ClusterError(f"--cluster {self.address.text!r}: {_one_line(exc)}") from None
        self._count_workers()
        return self._client

    def _start_local(self) -> None:
        import dask
        from distributed import LocalCluster

        # Set for the session, not a `with` block: the nanny reads these again whenever it
        # restarts a worker that died. Workers must not be daemons: they start the
        # extraction processes, and those exit with their worker by themselves. A worker
        # holds only the task it runs (saturation 1.0, not Dask's 1.1), so a worker that
        # dies takes no queued file down with it: Dask counts a death against every task
        # the worker held, and a good file must not be given up for its neighbour's crash.
        dask.config.set(
            {
                "distributed.worker.daemon": False,
                "distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES,
                "distributed.scheduler.worker-saturation": WORKER_SATURATION,
            }
        )
        self._cluster = LocalCluster(
            n_workers=self.address.local_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only: a run's own cluster is nobody else's
            dashboard_address="127.0.0.1:0",  # its HTTP routes (health, metrics): loopback too
            silence_logs=logging.CRITICAL,
        )

    def _count_workers(self) -> int:
        threads = self._client.nthreads()
        self.workers = max(self.workers, len(threads))
        return sum(threads.values())

    def close(self) -> None:
        for thing in (self._client, self._cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # a lost scheduler cannot be told goodbye
                    pass
        self._client = self._cluster = None

    def __enter__(self) -> "ClusterSession":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- a run

    def extract_all(self, todo: list[SourceFile], options) -> Iterator[tuple[SourceFile, IndexRecord | Failure]]:
        """Like pipeline._extract_all, on the cluster: (source, record or failure) as tasks finish.

        Losing the scheduler stops the iteration with `self.lost` set, so that the caller
        commits what was finished; the files not done are neither indexed nor failed, and
        the next run sends them again."""
        if not todo:
            return
        try:
            client = self.connect()
        except ClusterError as exc:
            self.lost = str(exc)
            raise
        ext, own_cache = self._task_options(options.extract)
        engine = options.engine or "whoosh"  # run_index passes the index's own
        done: queue.Queue = queue.Queue()
        running: dict = {}  # future -> (source, bytes sent, scattered data future or None)
        in_flight = 0
        waiting = iter(todo)
        threads = self._count_workers()
        checked = time.monotonic()
        no_workers_since: float | None = None

        def refill() -> Iterator[tuple[SourceFile, Failure]]:
            nonlocal in_flight
            while len(running) < max(2, threads * TASKS_PER_THREAD) and (not running or in_flight < IN_FLIGHT_BYTES):
                source = next(waiting, None)
                if source is None:
                    return
                sent = self._submit(client, source, ext, engine, own_cache)
                if isinstance(sent, Failure):  # refused before sending (too large, unreadable)
                    yield source, sent
                    continue
                future, size, data = sent
                running[future] = (source, size, data)
                in_flight += size
                # Fetched on Dask's event loop as it finishes: a blocking future.result()
                # here costs a round trip per file and halves small-file throughput.
                client.loop.add_callback(_fetch, client, future, done)

        try:
            yield from refill()
            while running:
                try:
                    future, value, error = done.get(timeout=CHECK_SECONDS)
                except queue.Empty:
                    future = None
                if time.monotonic() - checked >= CHECK_SECONDS:
                    # Workers come and go: more of them get more files in flight.
                    if client.status not in ("running", "connecting"):
                        self.lost = self._lost_message()
                        return
                    threads, checked = self._count_workers(), time.monotonic()
                    if threads:
                        no_workers_since = None
                    elif no_workers_since is None:
                        no_workers_since = checked
                    elif checked - no_workers_since > NO_WORKERS_SECONDS:
                        self.lost = (
                            f"the Dask cluster at {self.address.text} has had no workers for {NO_WORKERS_SECONDS:g} s"
                        )
                        return
                if future is None:
                    continue
                source, size, data = running.pop(future)
                in_flight -= size
                if data is not None:
                    data.release()
                result = self._result(future, source, value, error)
                if result is None:
                    return
                yield source, result
                yield from refill()
        except (OSError, ClusterError):  # submitting to a scheduler that has gone
            self.lost = self.lost or self._lost_message()
        finally:
            for future, (_, _, data) in running.items():
                for f in (future, data):
                    if f is not None:
                        try:
                            f.release()
                        except Exception:
                            pass

    def _task_options(self, ext: ExtractOptions) -> tuple[ExtractOptions, bool]:
        """The extraction options a worker gets, and whether it uses its own OCR cache."""
        if self.ocr_cache is not None:
            return replace(ext, ocr_cache_dir=self.ocr_cache), False
        if self.address.local and ext.ocr_cache_dir is not None:
            return replace(ext, ocr_cache_dir=Path(os.path.abspath(ext.ocr_cache_dir))), False
        return replace(ext, ocr_cache_dir=None), ext.ocr_cache_dir is not None

    def _submit(self, client, source: SourceFile, ext: ExtractOptions, engine: str, own_cache: bool):
        """Send one file's task: (future, bytes sent, scattered data) or a Failure if refused here."""
        from indexer import pipeline

        data = sidecar = None
        size = 0
        if not self.shared_fs:
            try:
                data = read_regular_file(source.path, ext.max_bytes)
                side = sidecar_path(source.path)
                if side is not None:
                    sidecar = (side.name, side.read_bytes())
            except ExtractionError as exc:
                return pipeline._failure(source, exc.reason, exc.detail)
            except OSError as exc:
                return pipeline._failure(source, "unreadable", exc.strerror or str(exc))
            size = len(data) + (len(sidecar[1]) if sidecar else 0)
        scattered = None
        try:
            if data is not None and len(data) > INLINE_BYTES:
                scattered = client.scatter(data, hash=False)
                data = scattered
            # Looked up at each call, so a test can stand in its own (picklable by name).
            future = client.submit(
                run_task,
                pipeline.prepare,
                source,
                ext,
                engine,
                data,
                sidecar,
                own_cache,
                key=f"foi-prepare-{os.urandom(8).hex()}",
                pure=False,
                retries=0,
            )
        except Exception:
            if client.status in ("running", "connecting"):
                raise  # not the connection: a bug to see, not to report as a lost scheduler
            raise ClusterError(self._lost_message()) from None
        return future, size, scattered

    def _result(self, future, source: SourceFile, value, error: BaseException | None) -> IndexRecord | Failure | None:
        """A finished task's record or failure; None (and `self.lost`) when the run must end."""
        from distributed.scheduler import KilledWorker

        from indexer import pipeline

        try:
            if error is not None:
                raise error
            return value
        except KilledWorker as exc:
            return pipeline._failure(
                source,
                "corrupt",
                f"the extractor killed {exc.allowed_failures + 1} cluster workers in turn (each retried on another)",
            )
        except ClusterError as exc:  # raised by the task: the workers are not set up for foi
            self.lost = str(exc)
            return None
        except Exception as exc:
            if future.status == "cancelled" or self._client.status not in ("running", "connecting"):
                self.lost = self._lost_message()
                return None
            return pipeline._failure(source, "corrupt", f"{type(exc).__name__}: {_one_line(exc)}")

    def _lost_message(self) -> str:
        return f"lost the connection to the Dask scheduler at {self.address.text}"


async def _fetch(client, future, done: queue.Queue) -> None:
    """On Dask's event loop: wait for a task and hand (future, value, error) to the run."""
    try:
        value = await client.gather(future, asynchronous=True)
    except BaseException as exc:  # the task's error, a KilledWorker, or a cancellation
        done.put((future, None, exc))
    else:
        done.put((future, value, None))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ---------------------------------------------------------------- the worker side

_pool = None
_pool_key: tuple[int, str] | None = None  # (memory cap, engine) the pool was started for
_pool_lock = threading.Lock()


def run_task(
    prepare,
    source: SourceFile,
    options: ExtractOptions,
    engine: str,
    data: bytes | None,
    sidecar: tuple[str, bytes] | None,
    own_ocr_cache: bool,
) -> IndexRecord | Failure:
    """On a Dask worker: prepare one file in this worker's killable child process.

    `data` is the file's bytes (None: read `source.path`, a shared filesystem); they are
    written under the file's own name, beside its sidecar, in a scratch folder, so the
    extractor and sidecar rules see exactly what a local run sees."""
    from indexer import pipeline

    if own_ocr_cache:
        options = replace(options, ocr_cache_dir=worker_ocr_cache())
    pool = _worker_pool(options, engine)
    scratch = None
    copy = None
    try:
        if data is not None:
            scratch = Path(tempfile.mkdtemp(prefix="foi-task-", dir=_scratch_root()))
            copy = scratch / source.path.name
            copy.write_bytes(data)
            if sidecar is not None:
                (scratch / sidecar[0]).write_bytes(sidecar[1])
        future = pool.schedule(prepare, (source, options, engine, None, copy), timeout=options.timeout)
        return pipeline.outcome(source, future, options)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _worker_pool(options: ExtractOptions, engine: str):
    """This worker's pool of extraction processes, one per worker thread, made on first use."""
    import multiprocessing

    global _pool, _pool_key
    with _pool_lock:
        if _pool is not None and (_pool_key != (options.memory_mb, engine) or not _pool.active):
            _pool.stop()  # another run's memory cap or engine
            _pool = None
        if _pool is None:
            if multiprocessing.current_process().daemon:
                raise ClusterError(DAEMON_HINT)
            from distributed import get_worker

            from indexer.pipeline import start_pool

            _pool = start_pool(max(1, get_worker().state.nthreads), options, os.getpid(), engine)
            _pool_key = (options.memory_mb, engine)
        return _pool


def _scratch_root() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError):
        return None
