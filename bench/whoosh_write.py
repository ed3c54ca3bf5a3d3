"""CPU cost of the Whoosh engine's writing, per document, without extraction.

    python -m bench.whoosh_write CORPUS [--docs 2000] [--segment 100] [--repeats 3] [--cache FILE]

Prepares the first --docs documents of CORPUS once (as extraction workers do: analysed and
packed, cached in --cache), then times, in this process, what the writer processes do with
them: unpacking, adding to a segment of --segment documents, finishing it (the lanes' part of
a commit), and merging all those segments into one (the merger's part). Prints CPU
milliseconds per document, the minimum over --repeats (a shared machine only ever slows a
run down). The figures say how much of a build the writing costs next to extraction.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _prepare(task):
    from indexer.extract import ExtractOptions
    from indexer.models import IndexRecord, SourceFile
    from indexer.pipeline import prepare

    path, doc_id = task
    st = Path(path).stat()
    started = time.process_time()
    result = prepare(SourceFile(str(path), doc_id, st.st_size, st.st_mtime_ns), ExtractOptions(), "whoosh", None)
    return (result.fields if isinstance(result, IndexRecord) else None), time.process_time() - started


def packed_documents(corpus: Path, docs: int, cache: Path) -> tuple[list, float]:
    """The packed fields of the first `docs` documents, and the mean CPU ms a worker took."""
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
        if data["corpus"] == str(corpus) and data["docs"] == docs:
            return data["packed"], data["prepare_ms"]
    from multiprocessing import get_context

    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text().splitlines()][:docs]
    tasks = [(str(corpus / label["file"]), f"{corpus.name}/{label['file']}") for label in labels]
    with get_context("forkserver").Pool(2) as pool:
        results = pool.map(_prepare, tasks, chunksize=16)
    packed = [fields for fields, _ in results if fields is not None]
    prepare_ms = sum(cpu for _, cpu in results) / len(results) * 1000
    cache.write_bytes(pickle.dumps({"corpus": str(corpus), "docs": docs, "packed": packed, "prepare_ms": prepare_ms}))
    return packed, prepare_ms


def measure(packed: list, segment: int) -> dict[str, float]:
    from whoosh.filedb.filestore import FileStorage

    from indexer.engines.whoosh.lanes import _keep_heap_pad
    from indexer.engines.whoosh.schema import build_schema, preanalyse
    from indexer.engines.whoosh.segments import SegmentBuilder, merge_segments

    _keep_heap_pad()  # as the lanes do: zlib's buffers are not faulted in again on every block

    schema = build_schema()
    folder = Path(tempfile.mkdtemp(prefix="foi-write-"))
    try:
        storage = FileStorage(str(folder))
        cpu = {"unpack": 0.0, "add": 0.0, "finish": 0.0}
        segments = []
        for first in range(0, len(packed), segment):
            started = time.process_time()
            values = []
            for item in packed[first : first + segment]:
                fields = pickle.loads(item.data)
                values.append(fields if item.analysed else preanalyse(schema, fields))
            cpu["unpack"] += time.process_time() - started
            builder = SegmentBuilder(storage, schema, f"s{first}")
            started = time.process_time()
            for fields in values:
                fields["indexed_at"] = "2024-01-01T00:00:00+00:00"
                builder.add_document(**fields)
            cpu["add"] += time.process_time() - started
            started = time.process_time()
            segments.append(builder.finish())
            cpu["finish"] += time.process_time() - started
        started = time.process_time()
        merge_segments(storage, schema, segments, "merged")
        cpu["merge"] = time.process_time() - started
        return {name: seconds * 1000 / len(packed) for name, seconds in cpu.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--docs", type=int, default=2000)
    p.add_argument("--segment", type=int, default=100, help="documents per lane segment")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "foi-whoosh-write.pkl")
    args = p.parse_args(argv)
    packed, prepare_ms = packed_documents(args.corpus.resolve(), args.docs, args.cache)
    runs = [measure(packed, args.segment) for _ in range(args.repeats)]
    best = {name: round(min(run[name] for run in runs), 2) for name in runs[0]}
    best["writing_total"] = round(sum(best.values()), 2)
    print(
        json.dumps(
            {
                "docs": len(packed),
                "segment": args.segment,
                "prepare_ms_per_doc (extraction worker)": round(prepare_ms, 1),
                "writer_ms_per_doc": best,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
