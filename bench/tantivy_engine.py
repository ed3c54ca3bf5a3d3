"""tantivy baseline (the `tantivy` Python package): same text, same queries as foi and FTS5.

Schema: ``title`` and ``content`` (stored, ``en_stem`` tokenizer, title boosted 3 at query
time), ``doc_id``/``authority``/``outcome``/``year``/``kind`` (``raw`` tokenizer, stored,
fast), ``exemption`` (each code and its parents, raw, for filters), ``exemption_leaf``
(raw, fast, for facets), ``date`` (date, indexed, fast).

Queries: ``index.parse_query(text, ["title", "content"], {"title": 3},
conjunction_by_default=True)`` for terms and "phrases" (the same text foi parses), ANDed
with term and range queries for the filters. Snippets: one ``SnippetGenerator`` per query
over ``content`` (``max_num_chars`` 160), per hit ``snippet_from_doc``. Facets: one
``searcher.aggregate`` with four terms aggregations.

CLI (used by bench/run.py)::

    python -m bench.tantivy_engine build DIR RECORDS.jsonl   -> {"seconds": ...}
    python -m bench.tantivy_engine add DIR RECORD.json       -> {"seconds": ...}
    python -m bench.tantivy_engine batch DIR QUERIES.jsonl   -> JSON Lines, one per hit
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import tantivy

from bench.fts5 import exemption_codes

SNIPPET_CHARS = 160
RAW_FIELDS = ("doc_id", "authority", "outcome", "year", "kind")


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("title", stored=True, tokenizer_name="en_stem")
    b.add_text_field("content", stored=True, tokenizer_name="en_stem")
    for name in RAW_FIELDS:
        b.add_text_field(name, stored=True, fast=name != "doc_id", tokenizer_name="raw")
    b.add_text_field("exemptions", stored=True, tokenizer_name="raw")
    b.add_text_field("exemption", tokenizer_name="raw")
    b.add_text_field("exemption_leaf", fast=True, tokenizer_name="raw")
    b.add_date_field("date", stored=False, indexed=True, fast=True)
    return b.build()


def _day(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    d = dt.date.fromisoformat(value[:10])
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)


def _document(rec: dict) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("title", rec.get("title") or "")
    doc.add_text("content", rec.get("content") or "")
    for name in RAW_FIELDS:
        value = rec.get(name)
        if value is not None:
            doc.add_text(name, str(value))
    doc.add_text("exemptions", ",".join(rec.get("exemptions") or []))
    for code, leaf in exemption_codes(rec.get("exemptions")):
        doc.add_text("exemption", code)
        if leaf:
            doc.add_text("exemption_leaf", code)
    when = _day(rec.get("date"))
    if when is not None:
        doc.add_date("date", when)
    return doc


def build(path: Path, records, heap: int = 256_000_000) -> float:
    path = Path(path)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(schema(), path=str(path))
    writer = index.writer(heap_size=heap)
    for rec in records:
        writer.add_document(_document(rec))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def add(path: Path, rec: dict) -> float:
    started = time.perf_counter()
    index = tantivy.Index.open(str(path))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(_document(rec))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: Path):
        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self) -> None:
        pass

    def query(self, q) -> tantivy.Query:
        musts = []
        if q.text:
            musts.append(
                self.index.parse_query(
                    q.text, ["title", "content"], field_boosts={"title": 3.0}, conjunction_by_default=True
                )
            )
        f = q.filters
        s = self.schema
        for name in ("authority", "outcome"):
            if f.get(name):
                musts.append(tantivy.Query.term_query(s, name, f[name]))
        if f.get("exemption"):
            musts.append(tantivy.Query.term_query(s, "exemption", f["exemption"].lower()))
        if f.get("after") or f.get("before"):
            lo = _day(f.get("after"))
            hi = _day(f.get("before"))
            musts.append(tantivy.Query.range_query(s, "date", tantivy.FieldType.Date, lo, hi, True, True))
        if len(musts) == 1:
            return musts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, m) for m in musts])

    def search(self, q, snippets: bool = True, limit: int = 10) -> dict:
        query = self.query(q)
        searcher = self.searcher
        found = searcher.search(query, limit, count=bool(q.facets))
        generator = None
        if snippets and found.hits:
            generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, "content")
            generator.set_max_num_chars(SNIPPET_CHARS)
        hits = []
        for rank, (score, address) in enumerate(found.hits, start=1):
            doc = searcher.doc(address)
            hit = {
                "rank": rank,
                "score": score,
                "doc_id": doc.get_first("doc_id"),
                "title": doc.get_first("title"),
                "authority": doc.get_first("authority"),
                "outcome": doc.get_first("outcome"),
                "exemptions": [e for e in (doc.get_first("exemptions") or "").split(",") if e],
                "kind": doc.get_first("kind"),
            }
            if generator is not None:
                snip = generator.snippet_from_doc(doc)
                hit["snippet"] = snip.fragment()
                hit["highlights"] = [[r.start, r.end] for r in snip.highlighted()]
            hits.append(hit)
        result: dict = {"hits": hits}
        if q.facets:
            result["total"] = found.count
            aggs = {
                name: {"terms": {"field": field, "size": 100}}
                for name, field in (
                    ("authority", "authority"),
                    ("year", "year"),
                    ("outcome", "outcome"),
                    ("exemptions", "exemption_leaf"),
                )
            }
            raw = searcher.aggregate(query, aggs)
            result["facets"] = {name: [(b["key"], b["doc_count"]) for b in raw[name]["buckets"]] for name in aggs}
        return result


def main(argv: list[str]) -> int:
    from bench.queries import engine_main

    return engine_main(argv, TantivyEngine, build, add)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
