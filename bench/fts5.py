"""SQLite FTS5 baseline: what a user would build instead of foi, on the same text and queries.

Layout: ``fts(title, content)`` (FTS5, ``porter unicode61`` tokenizer, stored content so
``snippet()`` works, bm25 with title weighted 3 like foi), ``docs`` (metadata, one row per
document, rowid = fts rowid) and ``exemption(doc, code, leaf)`` (each cited exemption
plus its parents, so ``s40`` matches ``s40(2)`` as in foi; the filter is written
``+fts.rowid IN (...)`` so the planner does not push the rowid list into FTS5).

Queries: every term and phrase quoted and ANDed (``"taser" "internal review"``), filters
as SQL on ``docs``/``exemption`` with ``fts CROSS JOIN docs`` so the full-text match
drives; top 10 by ``rank``. Snippets come from ``snippet()`` (24 tokens) and are turned into
plain text plus ``[start, end)`` highlight offsets, as foi returns them. Facet queries put
the matching rowids in a temp table once and GROUP BY it four times.

CLI (used by bench/run.py for out-of-process figures)::

    python -m bench.fts5 build DB RECORDS.jsonl          -> {"seconds": ...}
    python -m bench.fts5 add DB RECORD.json              -> {"seconds": ...}
    python -m bench.fts5 batch DB QUERIES.jsonl          -> JSON Lines, one per hit
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

SNIPPET_TOKENS = 24
START, END = "\x02", "\x03"


def exemption_codes(codes: list[str]) -> list[tuple[str, int]]:
    """Each code (lower-cased) with leaf=1, and its parents with leaf=0: s40(3a)(a) -> s40(3a), s40."""
    out: dict[str, int] = {}
    for code in codes or []:
        code = code.lower()
        out[code] = 1
        while "(" in code:
            code = code[: code.rindex("(")]
            out.setdefault(code, 0)
    return list(out.items())


SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, doc_id TEXT, title TEXT, authority TEXT, outcome TEXT,
                  date TEXT, year TEXT, kind TEXT, exemptions TEXT, pages INTEGER);
CREATE TABLE exemption(doc INTEGER, code TEXT, leaf INTEGER);
CREATE VIRTUAL TABLE fts USING fts5(title, content, tokenize='porter unicode61');
INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(3.0, 1.0)');
"""
INDEXES = """
CREATE INDEX docs_authority ON docs(authority);
CREATE INDEX docs_outcome ON docs(outcome);
CREATE INDEX docs_date ON docs(date);
CREATE INDEX exemption_code ON exemption(code, doc);
"""


def _insert(con: sqlite3.Connection, rec: dict) -> None:
    rowid = rec["id"]
    con.execute(
        "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            rowid,
            rec["doc_id"],
            rec.get("title"),
            rec.get("authority"),
            rec.get("outcome"),
            rec.get("date"),
            rec.get("year"),
            rec.get("kind"),
            ",".join(rec.get("exemptions") or []),
            rec.get("pages"),
        ),
    )
    con.executemany(
        "INSERT INTO exemption VALUES (?,?,?)",
        [(rowid, code, leaf) for code, leaf in exemption_codes(rec.get("exemptions"))],
    )
    con.execute(
        "INSERT INTO fts(rowid, title, content) VALUES (?,?,?)",
        (rowid, rec.get("title") or "", rec.get("content") or ""),
    )


def build(db: Path, records) -> float:
    """Create the database from an iterable of records; returns seconds (create to commit)."""
    db = Path(db)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(SCHEMA)
    with con:
        for rec in records:
            _insert(con, rec)
        con.executescript(INDEXES)
    con.close()
    return time.perf_counter() - started


def add(db: Path, rec: dict) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(db)
    with con:
        if rec.get("id") is None:
            rec = {**rec, "id": con.execute("SELECT coalesce(max(id), 0) + 1 FROM docs").fetchone()[0]}
        _insert(con, rec)
    con.close()
    return time.perf_counter() - started


def remove(db: Path, doc_id: str) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(db)
    with con:
        row = con.execute("SELECT id FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
        if row:
            con.execute("DELETE FROM fts WHERE rowid = ?", row)
            con.execute("DELETE FROM docs WHERE id = ?", row)
            con.execute("DELETE FROM exemption WHERE doc = ?", row)
    con.close()
    return time.perf_counter() - started


# ---------------------------------------------------------------- queries


def _quote(words) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def match_expr(q) -> str:
    """FTS5 MATCH syntax for a Q: every term and phrase quoted, implicitly ANDed."""
    parts = [_quote([t]) for t in q.terms] + [_quote(p) for p in q.phrases]
    return " ".join(parts)


def where_clause(q) -> tuple[str, list]:
    sql = ["fts MATCH ?"]
    params: list = [match_expr(q)]
    f = q.filters
    if f.get("authority"):
        sql.append("d.authority = ?")
        params.append(f["authority"])
    if f.get("outcome"):
        sql.append("d.outcome = ?")
        params.append(f["outcome"])
    if f.get("after"):
        sql.append("d.date >= ?")
        params.append(f["after"])
    if f.get("before"):
        sql.append("d.date <= ?")
        params.append(f["before"])
    if f.get("exemption"):
        # unary + keeps SQLite from handing the rowid list to FTS5 (one MATCH per rowid: 25x slower)
        sql.append("+fts.rowid IN (SELECT doc FROM exemption WHERE code = ?)")
        params.append(f["exemption"].lower())
    return " AND ".join(sql), params


def _plain(marked: str) -> tuple[str, list[list[int]]]:
    """snippet() output with START/END marks -> plain text and [start, end) offsets."""
    out: list[str] = []
    spans: list[list[int]] = []
    pos = 0
    start = None
    for ch in marked:
        if ch == START:
            start = pos
        elif ch == END:
            if start is not None:
                spans.append([start, pos])
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), spans


class Fts5Engine:
    name = "fts5"

    def __init__(self, db: Path):
        self.con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
        self.con.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.con.close()

    def search(self, q, snippets: bool = True, limit: int = 10) -> dict:
        where, params = where_clause(q)
        snippet = f", snippet(fts, 1, '{START}', '{END}', '…', {SNIPPET_TOKENS})" if snippets else ""
        sql = (
            f"SELECT d.doc_id, d.title, d.authority, d.date, d.outcome, d.exemptions, d.kind{snippet} "
            f"FROM fts CROSS JOIN docs d ON d.id = fts.rowid WHERE {where} ORDER BY rank LIMIT ?"
        )
        hits = []
        for rank, row in enumerate(self.con.execute(sql, params + [limit]), start=1):
            hit = {
                "rank": rank,
                "doc_id": row[0],
                "title": row[1],
                "authority": row[2],
                "date": row[3],
                "outcome": row[4],
                "exemptions": [e for e in (row[5] or "").split(",") if e],
                "kind": row[6],
            }
            if snippets:
                hit["snippet"], hit["highlights"] = _plain(row[7] or "")
            hits.append(hit)
        result: dict = {"hits": hits}
        if q.facets:
            result["facets"], result["total"] = self.facets(where, params)
        return result

    def facets(self, where: str, params: list) -> tuple[dict, int]:
        con = self.con
        con.execute("DELETE FROM temp.m")
        con.execute(
            f"INSERT INTO temp.m SELECT fts.rowid FROM fts CROSS JOIN docs d ON d.id = fts.rowid WHERE {where}", params
        )
        total = con.execute("SELECT count(*) FROM temp.m").fetchone()[0]
        out = {}
        for name in ("authority", "year", "outcome"):
            out[name] = con.execute(
                f"SELECT d.{name}, count(*) c FROM temp.m JOIN docs d ON d.id = m.id "
                f"WHERE d.{name} IS NOT NULL GROUP BY 1 ORDER BY c DESC, 1"
            ).fetchall()
        out["exemptions"] = con.execute(
            "SELECT e.code, count(*) c FROM temp.m JOIN exemption e ON e.doc = m.id AND e.leaf = 1 "
            "GROUP BY 1 ORDER BY c DESC, 1"
        ).fetchall()
        return out, total


def sqlite3_cli_sql(q, limit: int = 10) -> str:
    """The SQL text the sqlite3 command-line shell runs for a one-shot query (literals inlined)."""
    where, params = where_clause(q)
    for value in params:
        where = where.replace("?", "'" + str(value).replace("'", "''") + "'", 1)
    return (
        f"SELECT d.doc_id, d.title, d.authority, d.date, d.outcome, d.exemptions, d.kind, "
        f"snippet(fts, 1, '[', ']', '…', {SNIPPET_TOKENS}) AS snippet "
        f"FROM fts CROSS JOIN docs d ON d.id = fts.rowid WHERE {where} ORDER BY rank LIMIT {limit};"
    )


def main(argv: list[str]) -> int:
    from bench.queries import engine_main

    return engine_main(argv, Fts5Engine, build, add, remove=remove)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
