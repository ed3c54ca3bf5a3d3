"""The Whoosh schema: which FOI fields are indexed, stored and sortable, and how text is analysed."""

from __future__ import annotations

import sys
from array import array
from pathlib import Path
from pickle import dumps

from whoosh import analysis, columns, fields, formats
from whoosh.codec import whoosh3
from whoosh.system import pack_uint

from indexer.engines.analysis import NAME_ANALYZER, TEXT_ANALYZER, positioned_terms
from indexer.fields import DEFAULT_FIELDS


def _cached_length_reader(self, fieldname, column):
    """Whoosh 2.7.5 caches a field's length-column reader only when the column exists, so a
    field without one costs a filesystem stat on every posting at commit and on every
    scored document at search time (15 of 88 s of a 2,000-document build). Cache misses too."""
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


whoosh3.W3PerDocReader._cached_reader = _cached_length_reader


class PreAnalyzed:
    """A text field's postings, analysed in an extraction worker process.

    Analysis (tokenising, stemming, encoding positions) is most of Whoosh's indexing cost;
    doing it in the workers spreads it over every core and leaves the single writer
    process only the postings to write."""

    __slots__ = ("postings",)

    def __init__(self, postings: list):
        self.postings = postings

    def __reduce__(self):
        return (PreAnalyzed, (self.postings,))


class FoiText(fields.TEXT):
    """Whoosh's TEXT field, accepting PreAnalyzed values as well as strings."""

    def index(self, value, **kwargs):
        if isinstance(value, PreAnalyzed):
            return iter(value.postings)
        return super().index(value, **kwargs)


def preanalyse(schema: fields.Schema, values: dict) -> dict:
    """Replace each text value by its PreAnalyzed postings; stored fields keep their text.

    The postings are exactly those Whoosh's own analysis gives (field.index), built from
    the shared analysis's term lists (indexer.engines.analysis: the same chain, a cached
    term per distinct token) instead of Whoosh's generator of Token objects. A text field
    and its common-gram field (GRAM_FIELDS: `content` and `bigrams`) hold the same text: it
    is analysed once and both posting lists are built from that one term list."""
    out = dict(values)
    for name, value in values.items():
        field = schema[name] if name in schema else None
        if name in GRAM_FIELDS.values() or not isinstance(field, FoiText) or not isinstance(value, str):
            continue
        analysed = _terms(field, value)
        grams = GRAM_FIELDS.get(name)
        if analysed is None:  # an analysis of its own: Whoosh's
            out[name] = PreAnalyzed(list(field.index(value)))
        else:
            terms, first = analysed
            out[name] = PreAnalyzed(_positions_postings(terms, first, field.format.field_boost))
            if grams is not None and values.get(grams) == value and _is_gram_field(schema, grams):
                out[grams] = PreAnalyzed(_gram_postings(terms, schema[grams].format.field_boost))
        if field.stored:
            out[f"_stored_{name}"] = value
    return out


def _terms(field, text: str) -> tuple[list[str], int] | None:
    """The field's terms in token order and the position of the first (analysis.
    positioned_terms), or None when the field is not analysed by the shared chain into
    positions."""
    if type(field.format) is not formats.Positions:
        return None
    if field.analyzer is TEXT_ANALYZER:
        return positioned_terms(text)
    if field.analyzer is NAME_ANALYZER:
        return positioned_terms(text, names=True)
    return None


def _is_gram_field(schema: fields.Schema, name: str) -> bool:
    return (
        name in schema and schema[name].analyzer is BIGRAM_ANALYZER and type(schema[name].format) is formats.Frequency
    )


_ONE = pack_uint(1)
# Most terms of a document occur once: their encoded positions are the same bytes for every
# term at that position, made once per process (positions past _SINGLES_UP_TO made each time).
_SINGLES_UP_TO = 32_768
_singles: dict[int, bytes] = {}
_SMALL_COUNTS = tuple(pack_uint(n) for n in range(256))  # a gram's count, packed


def _positions_postings(terms: list[str], first: int, boost: float) -> list[tuple]:
    """Whoosh's Positions postings of a term list whose first term is at position `first`:
    (term bytes, frequency, weight, encoded positions), terms in the order of their first
    occurrence (formats.Positions)."""
    positions: dict[str, list[int]] = {}
    get = positions.get
    for pos, term in enumerate(terms, first):
        at = get(term)
        if at is None:
            positions[term] = [pos]
        else:
            at.append(pos)
    out = []
    singles = _singles
    for term, at in positions.items():
        n = len(at)
        if n == 1:  # most terms: the one delta is the position itself
            value = singles.get(at[0])
            if value is None:
                value = _ONE + dumps(at, 2)
                if at[0] <= _SINGLES_UP_TO:
                    singles[at[0]] = value
        else:
            value = pack_uint(n) + dumps([at[0], *[b - a for a, b in zip(at, at[1:])]], 2)
        out.append((term.encode("utf-8"), n, n * boost, value))
    return out


def _gram_postings(terms: list[str], boost: float) -> list[tuple]:
    """Whoosh's Frequency postings of the common grams of a term list (CommonGramFilter:
    the pair at each term, then the triple ending there), in the order of first occurrence."""
    flags = list(map(COMMON_TERMS.__contains__, terms))
    counts: dict[str, int] = {}
    get = counts.get
    for i in range(1, len(terms)):
        if flags[i - 1] or flags[i]:
            pair = f"{terms[i - 1]} {terms[i]}"
            counts[pair] = get(pair, 0) + 1
            if i >= 2 and flags[i - 2] and flags[i - 1] and flags[i]:
                triple = f"{terms[i - 2]} {pair}"
                counts[triple] = get(triple, 0) + 1
    # Whoosh's Frequency format stores the count as a packed uint
    small = _SMALL_COUNTS
    return [(gram.encode("utf-8"), n, n * boost, small[n] if n < 256 else pack_uint(n)) for gram, n in counts.items()]


INDEX_NAME = "foi"  # the index's files: _foi_N.toc and foi_*.seg
TEMP_PREFIX = f"{INDEX_NAME}.tmp"  # Whoosh's temporary folder
SCHEMA_VERSION = 12  # 12: dates as day-number columns, boilerplate common grams


def _load_common_terms() -> frozenset[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "common_terms.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


COMMON_TERMS = _load_common_terms()


def is_common_gram(first: str, second: str) -> bool:
    return first in COMMON_TERMS or second in COMMON_TERMS


def is_common_trigram(words) -> bool:
    return len(words) == 3 and all(w in COMMON_TERMS for w in words)


def common_grams(words: list[str]):
    """The gram terms of a token sequence: "a b" where a or b is common, and "a b c"
    where all three are ("open govern licenc"): what CommonGramFilter indexes."""
    for i in range(1, len(words)):
        if is_common_gram(words[i - 1], words[i]):
            yield f"{words[i - 1]} {words[i]}"
        if i >= 2 and is_common_trigram(words[i - 2 : i + 1]):
            yield " ".join(words[i - 2 : i + 1])


class CommonGramFilter(analysis.Filter):
    """Pairs of consecutive terms where one is common ("intern review"), and triples of
    common terms ("inform commission offic"), each as one term.

    A phrase of frequent words ("internal review", "open government licence") is slow in
    Whoosh: the positions of every word are checked in nearly every document. With common
    grams it is one term lookup. Phrases of rarer words are left to the positions check,
    which is cheap for them, so the term dictionary does not grow by every bigram."""

    def __call__(self, tokens):
        window: list[str] = []
        for token in tokens:
            window = (window + [token.text])[-3:]
            if len(window) >= 2 and is_common_gram(window[-2], window[-1]):
                token.text = f"{window[-2]} {window[-1]}"
                yield token
            if is_common_trigram(window):
                token.text = " ".join(window)
                yield token


BIGRAM_ANALYZER = TEXT_ANALYZER | CommonGramFilter()
# Text fields whose phrases of common words are answered from a common-gram field.
GRAM_FIELDS = {"content": "bigrams", "boilerplate": "boilerplate_bigrams"}

# Fields searched by a plain query, with their query-time boosts (indexer.fields).
# `request`, `reference_text` and `authority_text` are searched when named (their words are
# in `content` too); leaving them out of the default halves the postings a query reads.
QUERY_FIELDS = DEFAULT_FIELDS


UNDATED = 2**32 - 1  # the day columns' value for a document without that date: after every day


def column_numbers(reader, fieldname: str) -> array:
    """A segment's 32-bit numeric column as an array, from one read of its bytes (Whoosh's
    reader unpacks one value per call); documents past the stored ones take the default."""
    creader = reader.column_reader(fieldname, translate=False)
    total = reader.doc_count_all()
    if isinstance(creader, columns.NumericColumn.Reader) and creader._typecode == "I":
        values = array("I")
        values.frombytes(creader._dbfile.get(creader._basepos, creader._count * 4))
        if sys.byteorder == "little":
            values.byteswap()  # stored big-endian ("!I")
        values.extend([creader._default] * (total - len(values)))
        return values
    return array("I", (creader[docnum] for docnum in range(total)))


def build_schema() -> fields.Schema:
    return fields.Schema(
        # identity and the incremental-indexing manifest (sortable = column storage, which
        # is read without unpickling each document's stored fields)
        doc_id=fields.ID(stored=True, unique=True, sortable=True),
        path=fields.ID(stored=True, sortable=True),
        sha256=fields.ID(stored=True),
        fingerprint=fields.ID(sortable=True),  # sha256 of document (+ sidecar): "changed?"
        size=fields.NUMERIC(stored=True, sortable=True, bits=64),
        mtime=fields.NUMERIC(stored=True, sortable=True, bits=64),  # st_mtime_ns
        kind=fields.ID(stored=True, sortable=True),
        pages=fields.NUMERIC(stored=True, sortable=True),
        parent=fields.ID(stored=True),  # the container's doc_id for an archive member
        indexed_at=fields.STORED(),
        # FOI metadata
        title=FoiText(analyzer=TEXT_ANALYZER, stored=True),
        authority=fields.ID(stored=True, sortable=True),  # canonical name, exact
        authority_key=fields.ID(),  # lower-cased canonical name, for filters
        authority_text=FoiText(analyzer=NAME_ANALYZER),
        reference=fields.ID(stored=True),
        reference_text=FoiText(analyzer=NAME_ANALYZER),
        # The response date, else the request date (what date filters, the year and sorting
        # use), as a day number (date.toordinal) in a column of 32-bit numbers, UNDATED when
        # unknown: date ranges and date sorting read the column (days.py) instead of a union
        # of a 64-bit timestamp's trie terms, and nothing is indexed for it.
        day=fields.COLUMN(columns.NumericColumn("I", default=UNDATED)),
        date_iso=fields.STORED(),  # the response date as written (None when unknown)
        date_source=fields.STORED(),
        request_day=fields.COLUMN(columns.NumericColumn("I", default=UNDATED)),
        request_date_iso=fields.STORED(),
        year=fields.ID(stored=True, sortable=True),
        exemptions=fields.KEYWORD(stored=True, commas=True),  # as normalised: s40(3A)(a)
        exemption=fields.KEYWORD(commas=True, lowercase=True),  # with parents: s40(2) -> s40
        outcome=fields.ID(stored=True, sortable=True),
        ncnd=fields.BOOLEAN(stored=True),
        ocr=fields.BOOLEAN(stored=True),
        truncated=fields.BOOLEAN(stored=True),
        # text
        request=FoiText(analyzer=TEXT_ANALYZER, stored=True),
        response=fields.STORED(),  # its words are in `content`; analysing them twice halves build speed
        qa=FoiText(analyzer=TEXT_ANALYZER),
        qa_pairs=fields.STORED(),  # [{"question", "answer"}]
        content=FoiText(analyzer=TEXT_ANALYZER),  # the substance: boilerplate is apart
        boilerplate=FoiText(analyzer=TEXT_ANALYZER),  # standard passages (indexer.boilerplate)
        page_boilerplate=fields.STORED(),  # per page: [start, end) spans of boilerplate
        bigrams=FoiText(analyzer=BIGRAM_ANALYZER, phrase=False),  # see CommonGramFilter
        # the same for the boilerplate, whose phrases ("internal review", "freedom of
        # information") a plain query also looks for, in nearly every document
        boilerplate_bigrams=FoiText(analyzer=BIGRAM_ANALYZER, phrase=False),
        page_texts=fields.STORED(),  # [str] per page: snippets and pages come from here
        page_ocr=fields.STORED(),  # [bool] per page
        ocr_confidence=fields.STORED(),  # mean over OCR'd pages, 0-100
        extra=fields.STORED(),  # sidecar fields with no column of their own
    )
