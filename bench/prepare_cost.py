"""CPU cost of an extraction worker's `prepare`, stage by stage, in one process.

    python -m bench.prepare_cost CORPUS [--docs 200] [--repeats 2] [--profile FILE] [--json]

For the first --docs documents of CORPUS (a folder with labels.jsonl, as bench/generate.py
writes), runs the stages of indexer.pipeline.prepare one after the other and prints the CPU
milliseconds each takes per document and per page: extraction (extract_file), FOI metadata,
the boilerplate split, the writability check and the engine's analysis (Whoosh: fields,
pre-analysed postings, packed). Each repeat is one pass in a fresh fork of this process, its
caches empty as a new worker's are; the minimum over --repeats of each stage's total (a
shared machine only ever slows a run down). --profile writes a cProfile of the stages after
extraction (what the worker spends once the text is read) of one more pass to FILE.

The stages are the ones prepare calls, in its order; a document that fails costs what it
took until it failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAGES = ("extraction", "metadata", "boilerplate", "check", "analysis")


def _sources(corpus: Path, docs: int) -> list:
    from indexer.models import SourceFile

    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for label in labels[:docs]:
        path = corpus / label["file"]
        st = path.stat()
        out.append(SourceFile(str(path), f"{corpus.name}/{label['file']}", st.st_size, st.st_mtime_ns))
    return out


def _extract(sources: list) -> list:
    """(source, document, sha, cpu seconds) for each source that extracts."""
    from indexer.extract import ExtractionError, ExtractOptions, extract_file

    options = ExtractOptions()
    out = []
    for source in sources:
        started = time.process_time()
        try:
            document, sha = extract_file(source.path, options)
        except ExtractionError:
            continue
        out.append((source, document, sha, time.process_time() - started))
    return out


def _after_extraction(extracted: list, engine: str = "whoosh") -> dict[str, float]:
    """CPU seconds of each stage after extraction, over all documents."""
    import copy

    from indexer.boilerplate import split_pages
    from indexer.engines import engine_class
    from indexer.models import IndexRecord
    from indexer.pipeline import _declared, _metadata, _unwritable

    cls = engine_class(engine)
    totals = dict.fromkeys(STAGES[1:], 0.0)
    for source, document, sha, _ in extracted:
        document = copy.deepcopy(document)  # a stage may not keep state between repeats
        t0 = time.process_time()
        metadata = _metadata(document)
        t1 = time.process_time()
        record = IndexRecord(source, sha, sha, document, metadata, _declared(document))
        record.split = split_pages([p.text for p in document.pages], frozenset())
        t2 = time.process_time()
        problem = _unwritable(record)
        t3 = time.process_time()
        if problem is None:
            record.fields = cls.prepare(record)
        t4 = time.process_time()
        totals["metadata"] += t1 - t0
        totals["boilerplate"] += t2 - t1
        totals["check"] += t3 - t2
        totals["analysis"] += t4 - t3
    return totals


def _one_pass(sources: list, profile: str | None) -> tuple[dict[str, float], int, int]:
    """One worker's pass over the documents, in a fresh fork: its caches (stems, sentence
    scores) start empty, as a worker's do. CPU seconds per stage, documents and pages."""
    extracted = _extract(sources)
    seconds = {"extraction": sum(cpu for *_, cpu in extracted)}
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        seconds.update(profiler.runcall(_after_extraction, extracted))
        profiler.dump_stats(profile)
    else:
        seconds.update(_after_extraction(extracted))
    return seconds, len(extracted), sum(len(document.pages) for _, document, _, _ in extracted)


def measure(corpus: Path, docs: int, repeats: int = 2, profile: Path | None = None) -> dict:
    from multiprocessing import get_context

    import indexer.boilerplate  # noqa: F401  (imported once, as the pool's preload does)
    import indexer.engines.whoosh  # noqa: F401
    import indexer.metadata  # noqa: F401

    sources = _sources(corpus, docs)
    best: dict[str, float] = {}
    runs = [None] * max(1, repeats) + ([str(profile)] if profile else [])
    n = pages = 0
    for run in runs:
        with get_context("fork").Pool(1) as pool:
            seconds, n, pages = pool.apply(_one_pass, (sources, run))
        if run is None:
            best = {k: min(v, best.get(k, v)) for k, v in seconds.items()}
    after = sum(best[k] for k in STAGES[1:])
    return {
        "documents": n,
        "pages": pages,
        "ms_per_doc": {k: round(best[k] * 1000 / n, 2) for k in STAGES}
        | {"after_extraction": round(after * 1000 / n, 2)},
        "ms_per_page": {k: round(best[k] * 1000 / pages, 2) for k in STAGES}
        | {"after_extraction": round(after * 1000 / pages, 2)},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--docs", type=int, default=200)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--profile", type=Path, default=None, help="write a cProfile of the stages after extraction")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    res = measure(args.corpus.resolve(), args.docs, args.repeats, args.profile)
    if args.json:
        print(json.dumps(res))
        return 0
    print(f"{res['documents']} documents, {res['pages']} pages: CPU ms (minimum of {args.repeats})")
    print(f"{'stage':<18}{'per doc':>10}{'per page':>10}")
    for stage in (*STAGES, "after_extraction"):
        print(f"{stage:<18}{res['ms_per_doc'][stage]:>10.2f}{res['ms_per_page'][stage]:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
