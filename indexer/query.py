"""The query language, parsed once into an engine-neutral tree that each engine compiles.

    prevent database            both words (AND is the default); together ranks first
    "internal review"           a phrase
    drones OR taser, a NOT b    boolean logic; AND, OR, NOT, ANDNOT, ANDMAYBE, ( )
    title:drones outcome:refused exemption:s40(2) authority:leeds    one field
    databas*  safty~  safty~2   wildcards, fuzzy (edit distance, at most 2)
    date:2019  date:[2019-01-01 TO 2019-06-30]  date:>=2020-01-01  pages:>10   ranges

Words are kept as typed: analysis (stemming, stop words) belongs to each engine, which
turns a leaf into its own terms. Every malformed part is a QueryError naming that part.
Filters (--authority, --after, ...) become tree nodes too, so engines compile one thing.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import date, timedelta

from indexer.fields import BOILERPLATE_BOOST, BOILERPLATE_FIELD, FIELD_ALIASES, QUERY_FIELDS
from indexer.lazyre import lazy_compile
from indexer.results import Filters, QueryError

MAX_QUERY_CHARS = 4000
MAX_DEPTH = 40  # nested parentheses / NOTs
MAX_MULTITERMS = 20  # wildcard and fuzzy leaves in one query
MAX_EXPANSIONS = 200  # index terms one wildcard or fuzzy leaf may expand to
MAX_FUZZY = 2
MAX_INT = 2**31 - 1

TEXT_QUERY_FIELDS = frozenset({"title", "content", "request", "qa", "reference", "authority", "boilerplate"})
KEYWORD_FIELDS = frozenset({"exemption", "outcome", "kind", "doc_id", "parent"})
BOOL_FIELDS = frozenset({"ncnd", "ocr"})
DATE_FIELDS = frozenset({"date", "request_date", "year"})
NUMBER_FIELDS = frozenset({"pages"})


# ---------------------------------------------------------------- the tree


class Node:
    """A query tree node: an immutable value, equal to a node of its kind with equal fields,
    hashable, shown as its kind and fields (as a frozen dataclass would be). `field` None
    means the default fields (title, Q&A, content).

    Each kind names its fields in FIELDS and sets them in __init__. They are not dataclasses
    because a dataclass compiles its methods when its module is imported, and every search
    imports these kinds: as dataclasses they were about a tenth of a one-shot search's
    imports."""

    FIELDS: tuple[str, ...] = ()

    def _set(self, *values) -> None:
        for name, value in zip(self.FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class Term(Node):
    FIELDS = ("field", "text", "boost")

    def __init__(self, field: str | None, text: str, boost: float = 1.0):
        self._set(field, text, boost)


class Phrase(Node):
    FIELDS = ("field", "words", "slop", "boost")

    def __init__(self, field: str | None, words: tuple[str, ...], slop: int = 1, boost: float = 1.0):
        self._set(field, words, slop, boost)


class Wildcard(Node):
    FIELDS = ("field", "pattern", "boost")

    def __init__(self, field: str | None, pattern: str, boost: float = 1.0):
        """`pattern` is lower-cased, with * and ?; it never starts with one."""
        self._set(field, pattern, boost)


class Fuzzy(Node):
    FIELDS = ("field", "text", "distance", "prefix", "boost")

    def __init__(self, field: str | None, text: str, distance: int = 1, prefix: int = 1, boost: float = 1.0):
        """`prefix`: leading characters that must match (a typo is rarely in the first letter)."""
        self._set(field, text, distance, prefix, boost)


class Exact(Node):
    """A keyword field's whole value (outcome, kind, doc_id, exemption with its parents,
    authority_key, ncnd/ocr as "1"/"0")."""

    FIELDS = ("field", "value")

    def __init__(self, field: str, value: str):
        self._set(field, value)


class DateRange(Node):
    """Days, inclusive at both ends; None is open. `date` is the response date, else the
    request date (the one date filters and sorting use); `request_date` the request date."""

    FIELDS = ("field", "start", "end")

    def __init__(self, field: str, start: date | None, end: date | None):
        self._set(field, start, end)


class NumberRange(Node):
    FIELDS = ("field", "low", "high")

    def __init__(self, field: str, low: int | None, high: int | None):
        """Both ends inclusive; None is open."""
        self._set(field, low, high)


class And(Node):
    FIELDS = ("children", "boost")

    def __init__(self, children: tuple[Node, ...], boost: float = 1.0):
        self._set(children, boost)


class Or(Node):
    FIELDS = ("children", "boost")

    def __init__(self, children: tuple[Node, ...], boost: float = 1.0):
        self._set(children, boost)


class Not(Node):
    FIELDS = ("child",)

    def __init__(self, child: Node):
        self._set(child)


class AndMaybe(Node):
    """`required`, with `optional` adding to the score of the documents it also matches."""

    FIELDS = ("required", "optional")

    def __init__(self, required: Node, optional: Node):
        self._set(required, optional)


class Proximity(Node):
    """Scoring only: documents where these plain words stand together rank first."""

    FIELDS = ("words",)

    def __init__(self, words: tuple[str, ...]):
        self._set(words)


class Every(Node):
    """Every document."""


@dataclass
class ParsedQuery:
    """A query's tree and what parsing it noticed."""

    tree: Node
    text: str
    notes: list[str] = field(default_factory=list)  # what was changed to run it
    words: list[str] = field(default_factory=list)  # plain words typed (for did-you-mean)
    plain: bool = False  # only plain words: no operators, fields, phrases or specials


def leaves(node: Node):
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not):
        yield from leaves(node.child)
    elif isinstance(node, AndMaybe):
        yield from leaves(node.required)
        yield from leaves(node.optional)
    else:
        yield node


def positive_leaves(node: Node):
    """Leaves that make a document match (not under NOT): what highlighting shows."""
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_leaves(child)
    elif isinstance(node, AndMaybe):
        yield from positive_leaves(node.required)
    elif not isinstance(node, Not):
        yield node


_TEXT_LEAVES = (Term, Phrase, Wildcard, Fuzzy)


def has_default_leaves(node: Node) -> bool:
    """Whether any word of the tree searches the default fields (no `field:`)."""
    return any(isinstance(leaf, _TEXT_LEAVES) and leaf.field is None for leaf in leaves(node))


def with_boilerplate(node: Node) -> Node:
    """The tree with every default-field word also searched in the boilerplate, far below
    the substance: a document matches whether a word is in what it says or in its
    standard passages."""
    if isinstance(node, _TEXT_LEAVES) and node.field is None:
        standard = type(node)(**{**vars(node), "field": BOILERPLATE_FIELD, "boost": node.boost * BOILERPLATE_BOOST})
        return Or((node, standard))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(with_boilerplate(c) for c in node.children), node.boost)
    if isinstance(node, Not):
        return Not(with_boilerplate(node.child))
    if isinstance(node, AndMaybe):
        return AndMaybe(with_boilerplate(node.required), node.optional)
    return node


def matching_part(node: Node) -> Node:
    """The tree without its scoring-only parts (proximity): the same documents, cheaper."""
    if isinstance(node, AndMaybe) and isinstance(node.optional, Proximity):
        return matching_part(node.required)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(matching_part(c) for c in node.children), node.boost)
    if isinstance(node, Not):
        return Not(matching_part(node.child))
    if isinstance(node, AndMaybe):
        return AndMaybe(matching_part(node.required), node.optional)
    return node


def all_of(words) -> Node:
    terms = tuple(Term(None, w) for w in words)
    return terms[0] if len(terms) == 1 else And(terms)


# ---------------------------------------------------------------- lexing

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_FIELD_AT = lazy_compile(r"([A-Za-z_]+):")
_BOOST = lazy_compile(r"\^(\d{1,4}(?:\.\d{1,4})?)")
_STOP_CHARS = set(' \t\n\r\f\v()"')
_EXEMPTION_VALUE = lazy_compile(r"[\w.]+(?:\([\w]+\))*")
_RANGE_BOUND = r"\s*(\S*?)\s*"


@dataclass
class _Tok:
    """One token of the query text."""

    kind: str  # word, phrase, field, op, lparen, rparen
    value: object
    boost: float = 1.0
    text: str = ""  # as typed, for messages


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.plain = True

    def tokens(self) -> list[_Tok]:
        out: list[_Tok] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                return out
            ch = text[self.pos]
            if ch == "(":
                self.pos += 1
                self.plain = False
                out.append(_Tok("lparen", None))
            elif ch == ")":
                self.pos += 1
                out.append(_Tok("rparen", None, self._boost()))
            elif ch == '"':
                words = self._quoted()
                out.append(_Tok("phrase", words, self._boost(), f'"{words}"'))
            elif ch == "'" and (literal := self._single_quoted()) is not None:
                out.append(_Tok("literal", literal, self._boost(), f"'{literal}'"))
            else:
                m = _FIELD_AT.match(text, self.pos)
                name = m.group(1) if m else None
                real = FIELD_ALIASES.get(name, name) if name else None
                if m and real in QUERY_FIELDS:
                    self.pos = m.end()
                    self.plain = False
                    out.append(self._field(real, name))
                elif m and name.lower() not in ("http", "https", "mailto"):
                    known = ", ".join(sorted(QUERY_FIELDS))
                    raise QueryError(f"unknown field '{name}': use one of {known}")
                else:
                    word = self._word()
                    if word in _OPERATORS:
                        self.plain = False
                        out.append(_Tok("op", word, text=word))
                    else:
                        out.append(self._word_token(word))

    def _quoted(self) -> str:
        end = self.text.find('"', self.pos + 1)
        if end == -1:
            raise QueryError('unbalanced quote: a phrase needs a closing "')
        words = self.text[self.pos + 1 : end]
        self.pos = end + 1
        self.plain = False
        return words

    def _single_quoted(self) -> str | None:
        """'s40(2)' or 'Section 40(2)': one literal value, spaces and brackets included."""
        end = self.text.find("'", self.pos + 1)
        if end == -1 or end == self.pos + 1:
            return None
        literal = self.text[self.pos + 1 : end]
        self.pos = end + 1
        self.plain = False
        return literal

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _STOP_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    def _boost(self) -> float:
        m = _BOOST.match(self.text, self.pos)
        if not m:
            return 1.0
        self.pos = m.end()
        self.plain = False
        return float(m.group(1))

    def _word_token(self, word: str) -> _Tok:
        boost = 1.0
        m = re.search(r"\^(\d{1,4}(?:\.\d{1,4})?)$", word)
        if m:
            word, boost = word[: m.start()], float(m.group(1))
            self.plain = False
        if re.search(r"[*?~']", word):
            self.plain = False
        return _Tok("word", word, boost, word)

    def _field(self, name: str, typed: str) -> _Tok:
        """`name:` has been read; the value follows with no space."""
        text, start = self.text, self.pos
        shown = f"{typed}:"
        if start >= len(text) or text[start].isspace() or text[start] == ")":
            raise QueryError(f"'{shown}' has no value: write {typed}:value")
        ch = text[start]
        if ch == "(":
            return _Tok("field", (name, "group", None), text=shown)
        if ch == '"':
            words = self._quoted()
            return _Tok("field", (name, "phrase", words), self._boost(), f'{shown}"{words}"')
        if ch in "[{":
            close = re.compile(r"[\]}]").search(text, start)
            if not close:
                raise QueryError(
                    f"unclosed range in {shown}{text[start : start + 30]}: write it as date:[2019-01-01 TO 2019-12-31]"
                )
            self.pos = close.end()
            raw = text[start : close.end()]
            return _Tok("field", (name, "range", raw), self._boost(), shown + raw)
        if ch == "'":
            literal = self._single_quoted()
            if literal is not None:
                return _Tok("field", (name, "literal", literal), self._boost(), f"{shown}'{literal}'")
        if name == "exemption":
            m = _EXEMPTION_VALUE.match(text, start)
            if m:
                self.pos = m.end()
                return _Tok("field", (name, "word", m.group(0)), self._boost(), shown + m.group(0))
        word = self._word()
        tok = self._word_token(word)
        if not tok.value:
            raise QueryError(f"'{shown}' has no value: write {typed}:value")
        return _Tok("field", (name, "word", tok.value), tok.boost, shown + word)


# ---------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, tokens: list[_Tok], notes: list[str]):
        self.tokens = tokens
        self.i = 0
        self.notes = notes
        self.depth = 0
        self.multiterms = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.sequence()
        if self.peek() is not None:  # a ')' without '('
            raise QueryError("unbalanced parenthesis: ')' without '('")
        return node

    def sequence(self) -> Node:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            parts.append(self.or_expr())
        if not parts:
            raise QueryError("empty group: '( )' needs something inside")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self._op("OR"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.value in ("AND", "ANDNOT", "ANDMAYBE"):
            op = self.take().value
            right = self.unary(after=op)
            if op == "AND":
                node = And((node, right))
            elif op == "ANDNOT":
                node = And((node, Not(right)))
            else:
                node = AndMaybe(node, right)
        return node

    def _op(self, name: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.value == name:
            self.take()
            return True
        return False

    def unary(self, after: str | None = None) -> Node:
        tok = self.peek()
        if tok is None or tok.kind == "rparen":
            if after:
                raise QueryError(f"'{after}' needs a word after it")
            raise QueryError("the query ends where a word was expected")
        if tok.kind == "op":
            if tok.value != "NOT":
                raise QueryError(f"'{tok.value}' needs a word before it")
            self.take()
            self._deeper()
            node = Not(self.unary(after="NOT"))
            self.depth -= 1
            return node
        return self.primary()

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query nests too deeply (more than {MAX_DEPTH} levels of brackets or NOT)")

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "lparen":
            return self.group(None)
        if tok.kind == "phrase":
            return self.phrase(None, tok.value, tok.boost)
        if tok.kind == "word":
            return self.word(None, tok.value, tok.boost)
        if tok.kind == "literal":
            return Term(None, tok.value, tok.boost)
        if tok.kind == "field":
            name, how, value = tok.value
            if how == "group":
                self.take()  # the '('
                return self.group(name)
            if how == "phrase":
                if name not in TEXT_QUERY_FIELDS:
                    return self.value(name, value, tok.text)
                return self.phrase(name, value, tok.boost)
            if how == "range":
                return self.range(name, value, tok.text)
            if how == "literal":
                return Term(name, value, tok.boost) if name in TEXT_QUERY_FIELDS else self.value(name, value, tok.text)
            return self.fielded(name, value, tok.boost, tok.text)
        raise QueryError("unbalanced parenthesis: ')' without '('")

    def group(self, name: str | None) -> Node:
        self._deeper()
        if name is not None and name not in TEXT_QUERY_FIELDS:
            raise QueryError(f"{name}:( ) groups work on text fields only: write {name}:value")
        node = self.sequence()
        if self.peek() is None:
            raise QueryError("unbalanced parenthesis: '(' without ')'")
        close = self.take()
        self.depth -= 1
        if name is not None:
            node = _with_field(node, name)
        return And((node,), boost=close.boost) if close.boost != 1.0 else node

    def phrase(self, name: str | None, words: str, boost: float) -> Node:
        parts = tuple(words.split())
        if not parts:
            raise QueryError('empty phrase: put words between the quotes, as in "internal review"')
        if len(parts) == 1:
            return Term(name, parts[0], boost)
        return Phrase(name, parts, 1, boost)

    def word(self, name: str | None, word: str, boost: float) -> Node:
        fuzzy = re.fullmatch(r"(.*?)~(\d*)", word)
        if fuzzy and fuzzy.group(1) and not re.search(r"[~*?]", fuzzy.group(1)):
            text, digits = fuzzy.groups()
            distance = int(digits[:3]) if digits else 1
            if distance > MAX_FUZZY:
                self.notes.append(
                    f"{word}: fuzzy edit distance {distance} is more than {MAX_FUZZY}; searched with {MAX_FUZZY}"
                )
                distance = MAX_FUZZY
            self._count_multiterm(word)
            return Fuzzy(name, text.lower(), distance, 1, boost)
        if "~" in word:
            stripped = word.replace("~", " ").split()
            if not stripped:
                return Term(name, word, boost)  # only punctuation: analysed away
            raise QueryError(f"cannot read '{word}': write word~ or word~2 for a fuzzy search")
        if "*" in word or "?" in word:
            if word == "*:*" and name is None:
                return Every()
            if word.strip("*?") == "":
                return Every() if name is None and "*" in word else Term(name, word, boost)
            if word[0] in "*?":
                raise QueryError(f"'{word}': a wildcard cannot start with * or ?; put a letter first")
            self._count_multiterm(word)
            return Wildcard(name, word.lower(), boost)
        if word.startswith("'") and word.endswith("'") and len(word) > 1:
            word = word[1:-1]
        return Term(name, word, boost)

    def _count_multiterm(self, word: str) -> None:
        self.multiterms += 1
        if self.multiterms > MAX_MULTITERMS:
            raise QueryError(f"too many wildcard or fuzzy words (at most {MAX_MULTITERMS}); '{word}' is one too many")

    def fielded(self, name: str, value: str, boost: float, shown: str) -> Node:
        if name in TEXT_QUERY_FIELDS:
            return self.word(name, value, boost)
        return self.value(name, value, shown)

    def value(self, name: str, value: str, shown: str) -> Node:
        if name in DATE_FIELDS:
            return _date_value(name, value, shown)
        if name in NUMBER_FIELDS:
            return _number_value(name, value, shown)
        if name in BOOL_FIELDS:
            v = value.lower()
            if v in ("1", "true", "yes", "y", "t"):
                return Exact(name, "1")
            if v in ("0", "false", "no", "n", "f"):
                return Exact(name, "0")
            raise QueryError(f"{shown}: use {name}:true or {name}:false")
        if name == "exemption":
            return Exact("exemption", normalise_exemption_value(value))
        if name in ("outcome", "kind"):
            return Exact(name, value.lower())
        return Exact(name, value)

    def range(self, name: str, raw: str, shown: str) -> Node:
        m = re.fullmatch(r"([\[{])" + _RANGE_BOUND + r"(?:\bTO\b|\bto\b)" + _RANGE_BOUND + r"([\]}])", raw, re.S)
        if not m:
            m2 = re.fullmatch(r"([\[{])\s*TO" + _RANGE_BOUND + r"([\]}])", raw, re.S)
            if m2:
                m = (m2.group(1), "", m2.group(2), m2.group(3))
            else:
                raise QueryError(f"cannot read the range {shown}: write it as {name}:[A TO B]")
        else:
            m = m.groups()
        opening, low, high, closing = m
        low = "" if low == "*" else low
        high = "" if high == "*" else high
        if not low and not high:
            raise QueryError(f"the range {shown} has no ends: write {name}:[A TO B], [A TO] or [TO B]")
        if name in DATE_FIELDS:
            lo = _period(low, shown)[0 if opening == "[" else 1] if low else None
            hi = _period(high, shown)[1 if closing == "]" else 0] if high else None
            if low and opening == "{":
                lo = lo + timedelta(days=1)
            if high and closing == "}":
                hi = hi - timedelta(days=1)
            if low and high and _period(low, shown)[0] > _period(high, shown)[1]:
                raise QueryError(f"the range {shown} is reversed: the start is after the end")
            return DateRange("date" if name == "year" else name, lo, hi)
        if name in NUMBER_FIELDS:
            lo = _int(low, shown) if low else None
            hi = _int(high, shown) if high else None
            if lo is not None and hi is not None and lo > hi:
                raise QueryError(f"the range {shown} is reversed: the start is after the end")
            if lo is not None and opening == "{":
                lo += 1
            if hi is not None and closing == "}":
                hi -= 1
            return NumberRange(name, lo, hi)
        raise QueryError(f"{shown}: ranges work on date, request_date, year and pages")


def _with_field(node: Node, name: str) -> Node:
    """`title:(a OR b)`: the default-field leaves of a group take the group's field."""
    if isinstance(node, (Term, Phrase, Wildcard, Fuzzy)) and node.field is None:
        return type(node)(**{**vars(node), "field": name})
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_with_field(c, name) for c in node.children), node.boost)
    if isinstance(node, Not):
        return Not(_with_field(node.child, name))
    if isinstance(node, AndMaybe):
        return AndMaybe(_with_field(node.required, name), _with_field(node.optional, name))
    return node


_DAY = lazy_compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _period(value: str, shown: str) -> tuple[date, date]:
    """The first and last day of YYYY, YYYY-MM or YYYY-MM-DD."""
    m = _DAY.fullmatch(value)
    if not m:
        raise QueryError(f"{shown}: cannot read the date {value!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = date(year, int(month), int(day))
            return d, d
        if month:
            first = date(year, int(month), 1)
            nxt = date(year + (first.month == 12), first.month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        if year < 1:
            raise ValueError
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise QueryError(f"{shown}: {value!r} is not a real date") from None


def _date_value(name: str, value: str, shown: str) -> Node:
    field_name = "date" if name == "year" else name
    m = re.fullmatch(r"(>=|<=|>|<|=)?(.*)", value)
    op, rest = m.group(1) or "=", m.group(2)
    if not rest:
        raise QueryError(f"{shown}: a date is missing after {op!r}")
    if name == "year" and not re.fullmatch(r"\d{4}", rest):
        raise QueryError(f"{shown}: a year is four digits, as in year:2019")
    first, last = _period(rest, shown)
    if op == "=":
        return DateRange(field_name, first, last)
    if op == ">":
        return DateRange(field_name, last + timedelta(days=1), None)
    if op == ">=":
        return DateRange(field_name, first, None)
    if op == "<":
        return DateRange(field_name, None, first - timedelta(days=1))
    return DateRange(field_name, None, last)


def _int(value: str, shown: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise QueryError(f"{shown}: {value!r} is not a whole number")
    if len(value) > 10 or int(value) > MAX_INT:
        raise QueryError(f"{shown}: the number {value} is too large")
    return int(value)


def _number_value(name: str, value: str, shown: str) -> Node:
    m = re.fullmatch(r"(>=|<=|>|<|=)?(.*)", value)
    op, rest = m.group(1) or "=", m.group(2)
    if not rest:
        raise QueryError(f"{shown}: a number is missing after {op!r}")
    n = _int(rest, shown)
    return {
        "=": NumberRange(name, n, n),
        ">": NumberRange(name, n + 1, None),
        ">=": NumberRange(name, n, None),
        "<": NumberRange(name, None, n - 1),
        "<=": NumberRange(name, None, n),
    }[op]


def normalise_exemption_value(value: str) -> str:
    # imported only when needed: metadata costs ~0.1 s of a one-shot search's start
    from indexer.metadata import normalise_exemption

    return (normalise_exemption(value) or value.strip()).lower()


# ---------------------------------------------------------------- entry points


def parse(text: str) -> ParsedQuery:
    """The tree of a query as typed. Raises QueryError with one sentence naming the problem."""
    text = text.strip()
    if not text:
        raise QueryError('empty query: type some words, a "phrase" or field:value')
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: keep it under {MAX_QUERY_CHARS:,} characters")
    if not re.search(r"\w", text) and text.strip("*") != "":
        raise QueryError("the query has only punctuation: type some words to search for")
    lexer = _Lexer(text)
    tokens = lexer.tokens()
    notes: list[str] = []
    tree = _Parser(tokens, notes).parse()
    words = [t.value for t in tokens if t.kind == "word"] if lexer.plain else []
    if lexer.plain and 2 <= len(words) <= 8:
        tree = AndMaybe(tree, Proximity(tuple(words)))
    return ParsedQuery(tree, text, notes, words, lexer.plain)


def filter_tree(filters: Filters | None) -> Node | None:
    """The filters as one node (None when there are none)."""
    if filters is None:
        return None
    parts: list[Node] = []
    if filters.authority:
        from indexer.metadata import canonical_authority

        canonical = canonical_authority(filters.authority)
        if canonical:
            parts.append(Exact("authority_key", canonical.lower()))
        else:
            words = tuple(re.findall(r"\w+", filters.authority))
            if not words:
                raise QueryError(f"--authority {filters.authority!r} has no words to match")
            parts.append(Phrase("authority", words) if len(words) > 1 else Term("authority", words[0]))
    if filters.after or filters.before:
        start = _day(filters.after, "--after") if filters.after else None
        end = _day(filters.before, "--before") if filters.before else None
        if start and end and start > end:
            raise QueryError("--after is later than --before: no date can match")
        parts.append(DateRange("date", start, end))
    if filters.exemption:
        if not filters.exemption.strip():
            raise QueryError("--exemption needs a value such as s40 or s40(2)")
        parts.append(Exact("exemption", normalise_exemption_value(filters.exemption)))
    if filters.outcome:
        parts.append(Exact("outcome", filters.outcome.strip().lower()))
    if filters.kind:
        parts.append(Exact("kind", filters.kind.strip().lower()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{flag} needs a date as YYYY-MM-DD, not {value!r}") from None


def nothing_to_search(words: list[str], is_stop, min_len: int) -> QueryError:
    """The error for a query whose every word was dropped by analysis, telling the truth:
    too short, a stop word, or only punctuation."""
    words = list(dict.fromkeys(words))  # one word is compiled once per field it is searched in
    short = [w for w in words if len(w) < min_len and re.search(r"\w", w)]
    stops = [w for w in words if is_stop(w.lower())]
    if short and not stops:
        return QueryError(
            f"{', '.join(repr(w) for w in short[:3])}: words need at least {min_len} letters to be searched"
        )
    if stops and not short:
        return QueryError(
            "the query has only very common words (stop words such as 'the', 'and'): add a more specific word"
        )
    if stops or short:
        return QueryError("the query has only very common words or single letters: add a more specific word")
    return QueryError("the query has only punctuation: type some words to search for")
