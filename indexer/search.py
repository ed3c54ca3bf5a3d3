"""The search service: the only place that runs queries. Serves the CLI and the TUI alike.

One of the three modules allowed to import Whoosh. Returns plain dataclasses.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from whoosh import qparser, query, sorting
from whoosh.qparser.dateparse import DateParserPlugin

from indexer.index import FoiIndex, IndexNotFound
from indexer.models import QAPair
from indexer.schema import (
    NAME_ANALYZER, QUERY_FIELDS, SCHEMA_VERSION, TEXT_ANALYZER, common_grams, is_common_gram, is_common_trigram,
)
from indexer.snippets import Highlighter, Snippet, best_snippet
from indexer.state import IndexState

SORTS = ("relevance", "date", "-date")
FACETS = ("authority", "year", "exemptions", "outcome")
TEXT_FIELDS = ("title", "content", "request", "qa", "reference_text", "authority_text")
SORTABLE_DATE_FIELDS = ("date", "request_date")
# Fields a user may name in a query (field:value), with friendly aliases.
FIELD_ALIASES = {"exemptions": "exemption", "ref": "reference", "text": "content", "body": "content"}


class QueryError(ValueError):
    """A query that cannot be run; the message is one sentence naming the problem."""


@dataclass
class Filters:
    authority: str | None = None
    after: str | None = None  # YYYY-MM-DD inclusive
    before: str | None = None  # YYYY-MM-DD inclusive
    exemption: str | None = None
    outcome: str | None = None
    kind: str | None = None

    def active(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Hit:
    rank: int
    score: float
    doc_id: str
    path: str
    title: str | None
    authority: str | None
    reference: str | None
    date: str | None
    request_date: str | None
    kind: str
    exemptions: list[str]
    outcome: str
    snippet: str
    highlights: list[list[int]]
    page: int | None
    pages: int
    qa: QAPair | None = None

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "authority": self.authority,
            "reference": self.reference,
            "date": self.date,
            "request_date": self.request_date,
            "kind": self.kind,
            "exemptions": self.exemptions,
            "outcome": self.outcome,
            "snippet": self.snippet,
            "highlights": self.highlights,
            "page": self.page,
            "pages": self.pages,
            "qa": self.qa.to_dict() if self.qa else None,
        }


class Results:
    """One page of hits. `total` is counted on first use: Whoosh ranks the top hits
    without visiting every match, and counting them all again costs as much as the search,
    which a script reading JSON Lines never needs."""

    def __init__(self, query: str, parsed: str, hits: list[Hit], total: int | None = None,
                 facets: dict[str, list[tuple[str, int]]] | None = None, suggestion: str | None = None,
                 seconds: float = 0.0, offset: int = 0, terms: list[str] | None = None,
                 count: Callable[[], int] | None = None):
        self.query = query
        self.parsed = parsed
        self.hits = hits
        self._total = total
        self._count = count
        self.facets = facets or {}
        self.suggestion = suggestion
        self.seconds = seconds
        self.offset = offset
        self.terms = terms or []  # index terms the query matched

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self._count() if self._count else self.offset + len(self.hits)
        return self._total

    def __repr__(self) -> str:
        return f"Results(query={self.query!r}, hits={len(self.hits)}, total={self._total})"


@dataclass
class DocumentView:
    """One document for `foi show` and the TUI preview."""

    metadata: dict
    pages: list[str]
    qa: list[QAPair]

    @property
    def content(self) -> str:
        return "\n\n".join(self.pages)

    def to_dict(self) -> dict:
        return {**self.metadata, "content": self.content, "qa": [q.to_dict() for q in self.qa]}


@dataclass
class IndexStats:
    documents: int
    index_bytes: int
    last_run: str | None
    failures: list[dict]

    def to_dict(self) -> dict:
        return vars(self).copy()


# ---------------------------------------------------------------- query parsing

_OPERATORS = re.compile(r'["():\[\]{}*?~^]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b')
_FIELD_RE = re.compile(r"(?<![\w\\])([A-Za-z_]+):")
_COMPARE_RE = re.compile(r"\b(date|request_date|pages):(>=|<=|>|<)(\S+)")
_EXEMPTION_RE = re.compile(r"\b(?:exemptions?):('?)([\w().]+)\1", re.IGNORECASE)


def _rewrite(text: str) -> str:
    """Friendly forms Whoosh's grammar does not take: date:>X, exemption:s40(2), aliases."""

    def compare(m: re.Match) -> str:
        name, op, value = m.groups()
        return {
            ">": f"{name}:{{{value} TO]",
            ">=": f"{name}:[{value} TO]",
            "<": f"{name}:[TO {value}}}",
            "<=": f"{name}:[TO {value}]",
        }[op]

    def exemption(m: re.Match) -> str:
        from indexer.metadata import normalise_exemption

        value = normalise_exemption(m.group(2)) or m.group(2).lower()
        return f"exemption:'{value}'"

    text = _COMPARE_RE.sub(compare, text)
    text = _EXEMPTION_RE.sub(exemption, text)
    for alias, real in FIELD_ALIASES.items():
        text = re.sub(rf"\b{alias}:", f"{real}:", text)
    return text


def _check_syntax(text: str, schema_names: set[str]) -> None:
    quotes = text.count('"')
    if quotes % 2:
        raise QueryError('unbalanced quote: a phrase needs a closing "')
    depth = 0
    outside = re.sub(r'"[^"]*"', "", text)
    for ch in outside:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            raise QueryError("unbalanced parenthesis: ')' without '('")
    if depth:
        raise QueryError("unbalanced parenthesis: '(' without ')'")
    if re.search(r"\[[^\]]*$", outside):
        raise QueryError("unclosed range: '[' needs a matching ']' as in date:[2019-01-01 TO 2019-12-31]")
    for name in _FIELD_RE.findall(outside):
        if name not in schema_names and name.lower() not in ("http", "https"):
            known = ", ".join(sorted(USER_FIELDS))
            raise QueryError(f"unknown field '{name}': use one of {known}")


USER_FIELDS = {
    "title", "content", "request", "qa", "reference", "authority", "date",
    "request_date", "year", "exemption", "outcome", "kind", "ncnd", "ocr", "doc_id", "pages",
}


class _QueryBuilder:
    def __init__(self, schema):
        self.schema = schema
        parser = qparser.MultifieldParser(
            list(QUERY_FIELDS), schema, fieldboosts=QUERY_FIELDS, group=qparser.AndGroup
        )
        parser.add_plugin(qparser.FuzzyTermPlugin())
        parser.add_plugin(qparser.GtLtPlugin())
        parser.add_plugin(DateParserPlugin(free=False))
        self.parser = parser
        # `authority:` and `reference:` typed by a user mean the analysed, forgiving forms
        self.field_map = {"authority": "authority_text", "reference": "reference_text"}

    def parse(self, text: str):
        text = text.strip()
        if not text:
            raise QueryError("empty query: type some words, a \"phrase\" or field:value")
        if len(text) > 4000:
            raise QueryError("query too long: keep it under 4,000 characters")
        if not re.search(r"\w", text):
            raise QueryError("the query has only punctuation: type some words to search for")
        rewritten = _rewrite(text)
        _check_syntax(rewritten, USER_FIELDS | set(self.schema.names()))
        for user, real in self.field_map.items():
            rewritten = re.sub(rf"\b{user}:", f"{real}:", rewritten)
        try:
            q = self.parser.parse(rewritten)
        except Exception as exc:  # Whoosh's grammar raises a handful of types on odd input
            raise QueryError(f"cannot read the query ({type(exc).__name__}: {exc})") from None
        if q is query.NullQuery or isinstance(q, type(query.NullQuery)):
            if re.search(r"\b(date|request_date):", rewritten):
                raise QueryError("cannot read the date: use YYYY, YYYY-MM-DD or date:[2019-01-01 TO 2019-12-31]")
            if re.search(r"\w", text):
                raise QueryError(
                    "the query has only very common words (stop words such as 'the', 'and'): add a more specific word"
                )
            raise QueryError("the query has only punctuation: type some words to search for")
        return accelerate_phrases(self._proximity(text, q))

    def _proximity(self, text: str, q):
        """Plain words typed by a newcomer: documents where they stand together rank first.

        The words stay required (AND); an optional phrase query adds its score on top."""
        if _OPERATORS.search(text):
            return q
        words = [t.text for t in TEXT_ANALYZER(text)]
        if len(words) < 2 or len(words) > 8:
            return q
        # Adjacent pairs of the typed words, looked up in the bigram field: as good a
        # proximity signal as a sloppy phrase, at the cost of a term lookup.
        near = [
            query.Term("bigrams", f"{a} {b}", boost=2.0) if is_common_gram(a, b)
            else query.Phrase("content", [a, b], boost=2.0)
            for a, b in zip(words, words[1:])
        ]
        near.append(query.Phrase("title", words, slop=2, boost=3.0))
        return query.AndMaybe(q, query.Or(near))


def accelerate_phrases(q):
    """Content phrases answered from the bigram field: the same documents, found faster.

    A two-word phrase with a common word is exactly one common-gram term. Longer phrases
    require their common grams first, so the positions check runs only on documents that
    can match. Phrases of rare words are cheap already and stay as they are."""
    if isinstance(q, query.FuzzyTerm):
        # The first letter fixed: a typo is rarely there, and without it Whoosh walks the
        # whole term dictionary of every field (0.3-0.8 s on a 2,000-document index).
        if q.prefixlength == 0:
            q = q.copy()
            q.prefixlength = 1
        return q
    if isinstance(q, query.Phrase):
        if q.fieldname != "content" or q.slop != 1 or len(q.words) < 2:
            return q
        if len(q.words) == 3 and is_common_trigram(q.words):
            return query.Term("bigrams", " ".join(q.words), boost=q.boost)
        grams = [query.Term("bigrams", gram) for gram in common_grams(list(q.words))]
        if not grams:
            return q
        if len(q.words) == 2:
            grams[0].boost = q.boost
            return grams[0]
        return query.And([*grams, q], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(accelerate_phrases)


def _filter_query(filters: Filters):
    parts = []
    if filters.authority:
        # imported only when needed: the gazetteer costs ~0.1 s of a one-shot search's start
        from indexer.metadata import canonical_authority

        canonical = canonical_authority(filters.authority)
        if canonical:
            parts.append(query.Term("authority_key", canonical.lower()))
        else:
            words = [t.text for t in NAME_ANALYZER(filters.authority)]
            if not words:
                raise QueryError(f"--authority {filters.authority!r} has no words to match")
            parts.append(query.Phrase("authority_text", words) if len(words) > 1 else query.Term("authority_text", words[0]))
    if filters.after or filters.before:
        start = _parse_day(filters.after, "--after") if filters.after else None
        end = _parse_day(filters.before, "--before") if filters.before else None
        if start and end and start > end:
            raise QueryError("--after is later than --before: no date can match")
        end_dt = datetime.combine(end, datetime.max.time()) if end else None
        start_dt = datetime.combine(start, datetime.min.time()) if start else None
        parts.append(query.DateRange("date", start_dt, end_dt))
    if filters.exemption:
        from indexer.metadata import normalise_exemption

        value = normalise_exemption(filters.exemption) or filters.exemption.strip().lower()
        parts.append(query.Term("exemption", value.lower()))
    if filters.outcome:
        parts.append(query.Term("outcome", filters.outcome))
    if filters.kind:
        parts.append(query.Term("kind", filters.kind))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _parse_day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{flag} needs a date as YYYY-MM-DD, not {value!r}") from None


def _normalise_word(word: str) -> set[str]:
    forms = {t.text for t in TEXT_ANALYZER(word, removestops=False)}
    forms.add(word.lower())
    return forms


# ---------------------------------------------------------------- the service


class SearchService:
    """Keeps one searcher open and refreshes it only when the index has changed."""

    def __init__(self, index_dir: Path | str):
        self.store = FoiIndex(index_dir)
        self._ix = None
        self._searcher = None
        self._builder: _QueryBuilder | None = None
        self._lock = threading.RLock()

    # -- lifecycle
    def _current(self):
        with self._lock:
            if self._searcher is None:
                if self._ix is None:
                    if self.store.exists() and self.store.schema_version() != SCHEMA_VERSION:
                        raise IndexNotFound(
                            f"the index in {self.store.dir} was built by another version of foi; "
                            "run `foi index` to rebuild it"
                        )
                    self._ix = self.store.open()
                self._searcher = self._ix.searcher()
                self._builder = _QueryBuilder(self._ix.schema)
            elif not self._searcher.up_to_date():
                self._searcher = self._refreshed(self._searcher)
            return self._searcher

    def available(self) -> bool:
        return self.store.exists()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._searcher = self._ix = None

    def parse(self, text: str):
        self._current()
        return self._builder.parse(text)

    # -- searching
    def search(
        self,
        text: str,
        filters: Filters | None = None,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
        snippets: bool = True,
    ) -> Results:
        started = time.perf_counter()
        filters = filters or Filters()
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}: use relevance, date or -date")
        with self._lock:
            searcher = self._current()
            q = self._builder.parse(text)
            fq = _filter_query(filters)
            # A filter joins the query as a zero-scoring AND rather than Whoosh's `filter=`:
            # the intersection then skips through the common words' postings to the few
            # filtered documents instead of scoring every match and dropping most.
            run = q if fq is None else query.And([q, query.ConstantScoreQuery(fq, 0.0)])
            kwargs: dict = {"limit": max(1, offset + limit)}
            if sort != "relevance":
                kwargs["sortedby"] = [sorting.FieldFacet("undated"), sorting.FieldFacet("date", reverse=sort == "-date")]
            if facets:
                kwargs["groupedby"] = _facet_spec()
                kwargs["maptype"] = sorting.Count
            try:
                raw = searcher.search(run, terms=False, **kwargs)
            except Exception as exc:  # e.g. a fuzzy/wildcard that expands past Whoosh's limits
                raise QueryError(f"the query could not be run ({type(exc).__name__}: {exc})") from None
            terms = self._matched_terms(q, searcher)
            highlighter = Highlighter(terms, _normalise_word)
            hits = []
            for rank, hit in enumerate(raw[offset : offset + limit], start=offset + 1):
                hits.append(self._hit(rank, hit, highlighter, snippets))
            facet_counts = _facet_counts(raw) if facets else {}
            # fewer than 3 ranked means fewer than 3 in all: no need to count to know
            suggestion = self._suggest(searcher, q, text) if raw.scored_length() < min(3, offset + limit) else None
            total = len(raw) if facets else None  # grouping has visited every match anyway
        return Results(
            query=text,
            parsed=str(q),
            hits=hits,
            total=total,
            count=lambda: self._count_results(raw),
            facets=facet_counts,
            suggestion=suggestion,
            seconds=time.perf_counter() - started,
            offset=offset,
            terms=sorted(terms),
        )

    def _count_results(self, raw) -> int:
        with self._lock:
            try:
                return len(raw)
            except Exception:  # the searcher was replaced by a newer one meanwhile
                return raw.scored_length()

    def count(self, text: str, filters: Filters | None = None) -> int:
        with self._lock:
            searcher = self._current()
            q = self._builder.parse(text)
            fq = _filter_query(filters or Filters())
            return len(searcher.search(q if fq is None else query.And([q, fq]), limit=1))

    def _matched_terms(self, q, searcher) -> set[str]:
        """Index terms of the query's text fields that exist, wildcards and fuzzy terms expanded.

        (Query.existing_terms in Whoosh 2.7.5 reuses its `fieldname` argument as a loop
        variable and silently drops every field after the first, so this walks the leaves.)
        """
        reader = searcher.reader()
        terms: set[str] = set()
        for leaf in q.leaves():
            try:
                expanded = leaf.expanded_terms(reader, phrases=True)
            except Exception:
                continue
            for fieldname, text in expanded:
                if fieldname != "bigrams" and fieldname not in TEXT_FIELDS:
                    continue  # numeric and date terms are bytes that are not UTF-8 (pages:2019)
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                if fieldname == "bigrams":
                    if (fieldname, text) in reader:
                        terms.update(text.split(" "))
                elif fieldname in TEXT_FIELDS and (fieldname, text) in reader:
                    terms.add(text)
        return terms

    def _hit(self, rank: int, hit, highlighter: Highlighter, snippets: bool) -> Hit:
        stored = hit.fields()
        pages = stored.get("page_texts") or [""]
        snippet = best_snippet(pages, highlighter) if snippets else Snippet("")
        qa = _best_qa(stored.get("qa_pairs") or [], highlighter) if snippets else None
        kind = stored.get("kind", "text")
        page = (snippet.page_index or 0) + 1 if kind == "pdf" and snippets else None
        return Hit(
            rank=rank,
            score=float(hit.score) if isinstance(hit.score, (int, float)) else 0.0,
            doc_id=stored["doc_id"],
            path=stored.get("path", ""),
            title=stored.get("title"),
            authority=stored.get("authority"),
            reference=stored.get("reference"),
            date=stored.get("date_iso"),
            request_date=stored.get("request_date_iso"),
            kind=kind,
            exemptions=_split(stored.get("exemptions")),
            outcome=stored.get("outcome", "unknown"),
            snippet=snippet.text,
            highlights=snippet.highlights,
            page=page,
            pages=stored.get("pages") or len(pages),
            qa=qa,
        )

    def _suggest(self, searcher, q, text: str) -> str | None:
        """A did-you-mean for misspelt plain words (a word is misspelt when its stem is not
        in the index). Corrections come from the stemmed terms; each is shown as the word
        a document actually uses, so "potholez" suggests "potholes", not the stem "pothol"."""
        if _OPERATORS.search(text):
            return None
        reader = searcher.reader()
        corrector = searcher.corrector("content")
        changed = False
        out = []
        for word in text.split():
            stems = [t.text for t in TEXT_ANALYZER(word)]
            if len(stems) == 1 and ("content", stems[0]) not in reader:
                options = corrector.suggest(stems[0], limit=1, maxdist=2, prefix=1)
                surface = self._surface_form(searcher, options[0]) if options else None
                if surface:
                    out.append(surface)
                    changed = True
                    continue
            out.append(word)
        return " ".join(out) if changed else None

    def _surface_form(self, searcher, stem: str) -> str | None:
        """The word as written in the first document that holds `stem`."""
        hits = searcher.search(query.Term("content", stem), limit=1, terms=False)
        if not hits:
            return None
        pages = hits[0].fields().get("page_texts") or []
        for page in pages:
            found = Highlighter({stem}, _normalise_word).matches(page, limit=1)
            if found:
                return page[found[0].start:found[0].end].lower()
        return stem

    # -- documents
    def document(self, doc_id: str) -> DocumentView | None:
        with self._lock:
            searcher = self._current()
            stored = searcher.document(doc_id=doc_id)
        if stored is None:
            return None
        qa = [QAPair(q["question"], q["answer"]) for q in stored.get("qa_pairs") or []]
        return DocumentView(metadata=_metadata(stored), pages=stored.get("page_texts") or [], qa=qa)

    def similar(self, doc_id: str, limit: int = 10) -> Results:
        """More like this: documents sharing the most distinctive words of `doc_id`."""
        started = time.perf_counter()
        with self._lock:
            searcher = self._current()
            docnum = searcher.document_number(doc_id=doc_id)
            if docnum is None:
                raise KeyError(doc_id)
            stored = searcher.stored_fields(docnum)
            text = "\n".join(stored.get("page_texts") or [])
            raw = searcher.more_like(docnum, "content", text=text, top=limit, numterms=25)
            keywords = {w for w, _ in searcher.key_terms_from_text("content", text, numterms=25)}
            highlighter = Highlighter(keywords, _normalise_word)
            hits = [self._hit(rank, hit, highlighter, True) for rank, hit in enumerate(raw, start=1)]
        return Results(
            query=f"similar:{doc_id}", parsed="more_like_this", hits=hits, total=len(hits),
            seconds=time.perf_counter() - started, terms=sorted(keywords),
        )

    def stats(self) -> IndexStats:
        state = IndexState.load(self.store.dir)
        documents = 0
        if self.store.exists():
            with self._lock:
                documents = self._current().doc_count()
        return IndexStats(
            documents=documents,
            index_bytes=self.store.size_bytes(),
            last_run=state.last_run,
            failures=[f.to_dict() for f in state.failures.values()],
        )

    def reindex(self, paths: list[Path] | None = None, on_progress=None, on_event=None):
        """Incremental re-index of `paths` (default: the folders indexed before, else ./corpus).

        Offered here so the TUI talks to one service; the pipeline does the work."""
        from indexer.pipeline import RunOptions, run_index

        if not paths:
            roots = IndexState.load(self.store.dir).roots
            paths = [Path(r) for r in roots if Path(r).exists()] or [Path("corpus")]
        summary = run_index(paths, self.store.dir, RunOptions(), on_event=on_event, on_progress=on_progress)
        with self._lock:
            if self._searcher is not None:
                self._searcher = self._refreshed(self._searcher)
        return summary

    def facet_counts(self, text: str | None = None, filters: Filters | None = None) -> dict[str, list[tuple[str, int]]]:
        """Facet counts for a query, or for the whole index when `text` is empty."""
        with self._lock:
            searcher = self._current()
            q = self._builder.parse(text) if text and text.strip() else query.Every()
            raw = searcher.search(
                q, limit=1, filter=_filter_query(filters or Filters()), groupedby=_facet_spec(), maptype=sorting.Count
            )
            return _facet_counts(raw)

    # -- for the TUI empty-index screen (added by the TUI work, issue 5)
    def _refreshed(self, searcher):
        """A searcher on the latest commit. Not `searcher.refresh()`: in whoosh-reloaded 2.7.5
        a refreshed reader keeps the segments that a merge replaced (FileIndex._reader adds
        the old reader's segments to the new list), so a reader open during indexing counted
        documents twice; nor can it refresh one opened on an empty index (EmptyReader)."""
        fresh = self._ix.searcher()
        searcher.close()
        return fresh

    # -- for the TUI preview (added by the TUI work, issue 5): highlight a whole document
    def highlight_spans(self, text: str, terms, limit: int = 5000) -> list[tuple[int, int]]:
        """[start, end) offsets in `text` of words matching `terms` (a Results.terms list).

        The same matching as snippets use, over a whole document, so the preview can mark
        every hit without knowing how the index analyses words."""
        highlighter = Highlighter(set(terms), _normalise_word)
        return [(m.start, m.end) for m in highlighter.matches(text, limit=limit)]


def _facet_spec() -> dict:
    return {
        "authority": sorting.FieldFacet("authority"),
        "year": sorting.FieldFacet("year"),
        "exemptions": sorting.FieldFacet("exemptions", allow_overlap=True),
        "outcome": sorting.FieldFacet("outcome"),
    }


def _facet_counts(raw) -> dict[str, list[tuple[str, int]]]:
    counts = {}
    for name in FACETS:
        groups = raw.groups(name)
        items = []
        for key, value in groups.items():
            if key in (None, "", b""):
                continue
            key = key.decode("utf-8") if isinstance(key, bytes) else str(key)
            items.append((key, int(value)))
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        counts[name] = items
    return counts


def _best_qa(pairs: list[dict], highlighter: Highlighter) -> QAPair | None:
    best, best_key = None, (0, 0)
    for pair in pairs:
        matches = highlighter.matches(f"{pair['question']}\n{pair['answer']}")
        key = (len({m.term for m in matches}), len(matches))
        if key > best_key:
            best, best_key = pair, key
    return QAPair(best["question"], best["answer"]) if best else None


def _split(value) -> list[str]:
    if not value:
        return []
    return [v for v in str(value).split(",") if v]


def _metadata(stored: dict) -> dict:
    return {
        "doc_id": stored["doc_id"],
        "path": stored.get("path"),
        "sha256": stored.get("sha256"),
        "kind": stored.get("kind"),
        "pages": stored.get("pages"),
        "title": stored.get("title"),
        "authority": stored.get("authority"),
        "reference": stored.get("reference"),
        "date": stored.get("date_iso"),
        "request_date": stored.get("request_date_iso"),
        "year": int(stored["year"]) if stored.get("year") else None,
        "exemptions": _split(stored.get("exemptions")),
        "ncnd": bool(stored.get("ncnd")),
        "outcome": stored.get("outcome", "unknown"),
        "request": stored.get("request"),
        "response": stored.get("response"),
        "ocr": bool(stored.get("ocr")),
        "ocr_confidence": stored.get("ocr_confidence"),
        "ocr_pages": [i + 1 for i, flag in enumerate(stored.get("page_ocr") or []) if flag],
        "truncated": bool(stored.get("truncated")),
        "indexed_at": stored.get("indexed_at"),
        "extra": stored.get("extra"),
    }


__all__ = [
    "DocumentView", "Filters", "Hit", "IndexNotFound", "IndexStats", "QueryError", "Results",
    "SearchService", "SORTS", "FACETS",
]
