"""Plain-text and Markdown responses: decode any encoding, clean to readable, indexable text.

Every step is linear in the text's length: no pattern here can re-scan the rest of the
text from each of many starting points (a 64 KB run of unclosed `**a ` took 20 s with a
lazy `(.+?)` pairing), and the length cut comes before cleaning.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_left

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.models import ExtractedDocument, Page

KIND = "text"
SUFFIXES = (".txt", ".md")
TEXT_SUFFIXES = SUFFIXES
PAGED = False
DESCRIPTION = "a text file"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UK public bodies write Windows-1252 (or Latin-1/-9 from older systems). Offering
# charset-normalizer DOS or Mac code pages made it pick them for short cp1252 letters
# ("–" came out as "û"), so only these are candidates.
_CANDIDATES = ["cp1252", "latin_1", "iso8859_15", "utf_8"]
# Detection looks at a sample: charset-normalizer on a 200 MB export would take minutes.
_DETECT_SAMPLE = 256 * 1024

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Lone surrogates (from broken UTF-16 or ToUnicode maps) cannot be stored as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ud800-\udfff]")
# what looks_binary counts against text: control characters other than layout, and U+FFFD
_BINARY = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\ufffd]")
_NULS = re.compile(r"(?<=[^\s\x00])\x00+(?=[^\s\x00])")
_SUP = re.compile(r"</?(?:sup|sub)>", re.IGNORECASE)
_TAG = re.compile(r"</?(?:br|p|span|em|strong|b|i|u)\b[^<>\n]{0,200}>", re.IGNORECASE)  # stops at the next "<"
# Every place a `**` or `__` delimiter starts (overlapping: `***` holds two).
_EMPHASIS_DELIMITER = re.compile(r"(?=(\*\*|__))")
# A lone star pairs with the next star on its line at most: each scan stops there.
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)\*(?![\w*])")
# A run of stars left after emphasis goes when it touches a word on one side only, or stands
# alone and is longer than one star; it stays between two words (`a**b`) and as a lone ` * `.
# Every branch starts only at the first star of a run, so a long run is scanned once.
_STRAY_STARS = re.compile(r"(?<=[^\s*])\*+(?=\s|\Z)|(?<!\S)\*+(?=[^\s*])|(?<!\S)\*\*+(?=\s|\Z)")
_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
# Anchored at the start of a run of blanks, so a long run followed by a word is tried once.
_TRAILING_WS = re.compile(r"(?<![ \t])[ \t]+$", re.MULTILINE)
_MANY_BLANKS = re.compile(r"\n{3,}")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text and the encoding used. Never fails: BOM, UTF-8, detected, then replacement."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Limiting candidates to the encodings UK documents come in stops short samples
    # being "detected" as exotic code pages that happen to decode the same bytes.
    best = from_bytes(data[:_DETECT_SAMPLE], cp_isolation=_CANDIDATES).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in ("ascii", "utf_8"):
        encoding = "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows as NULs in every other byte of ASCII-heavy text."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(text: str) -> bool:
    """True when decoded 'text' is mostly control characters or replacement marks.

    Terminal escape sequences and NULs (padding of a crashed write, stray separators) are
    not counted: text carrying them is still text, and they are cleaned away later."""
    sample = _ANSI.sub("", text[:65536]).replace("\x00", "")
    if not sample:
        return False
    bad = len(_BINARY.findall(sample))
    return bad > 0.1 * len(sample)


def normalise_text(raw: str) -> str:
    """Safe, comparable text: NFC, '\n' line ends, no escape sequences or control characters."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Each pattern below needs a character most text lacks (an escape, a NUL, a space before
    # a line end, three line ends): a substring test first spares a regex pass over all of it
    # (the text of every format comes through here, cleaned text twice).
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\x00" in text:
        text = _NULS.sub(" ", text)  # NULs separate fields or pad: dropping them would glue words
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _strip_trailing_ws(text)
    if "\n\n\n" in text:
        text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip("\n")


def _strip_trailing_ws(text: str) -> str:
    """_TRAILING_WS removed: only a space or tab before a line end (or the end) can match."""
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        return _TRAILING_WS.sub("", text)
    return text


def clean_text(raw: str) -> str:
    """Readable, indexable text: normalised, and the markdown emphasis of the seed removed."""
    text = normalise_text(raw)
    if "<" in text:
        text = _SUP.sub("", text)
        text = _TAG.sub("", text)
    text = unbold(text)
    if "*" in text:  # every emphasis pattern holds a star
        text = _ITALIC.sub(r"\1", text)
        text = _STRAY_STARS.sub("", text)
    if "#" in text:
        text = _HEADING.sub("", text)
    text = _strip_trailing_ws(text)
    if "\n\n\n" in text:
        text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip("\n")


def unbold(text: str) -> str:
    r"""`**bold**` and `__bold__` without their delimiters, in one pass.

    The same result as re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text, flags=re.DOTALL)
    (tests check this), without its re-scan to the end of the text from every unclosed
    delimiter: each opener looks up its closer among the precomputed closers."""
    starts: dict[str, list[int]] = {"**": [], "__": []}
    for match in _EMPHASIS_DELIMITER.finditer(text):
        starts[match.group(1)].append(match.start())
    if not starts["**"] and not starts["__"]:
        return text
    # A closer is a delimiter right after a non-space character.
    closers = {d: [j for j in found if j and not text[j - 1].isspace()] for d, found in starts.items()}
    openers = sorted([(i, "**") for i in starts["**"]] + [(i, "__") for i in starts["__"]])
    out: list[str] = []
    kept = 0  # text[kept:] is not yet copied to `out`
    for i, delimiter in openers:
        if i < kept or i + 2 >= len(text) or text[i + 2].isspace():
            continue
        ends = closers[delimiter]
        k = bisect_left(ends, i + 3)  # at least one character in between
        if k == len(ends):
            continue
        j = ends[k]
        out += (text[kept:i], text[i + 2 : j])
        kept = j + 2
    out.append(text[kept:])
    return "".join(out)


def extract_text(data: bytes, options: ExtractOptions = ExtractOptions()) -> ExtractedDocument:
    """A text or Markdown file's bytes to one cleaned page."""
    if not data.strip():
        raise ExtractionError("empty", "the file has no text")
    raw, encoding = decode(data)
    if looks_binary(raw):
        raise ExtractionError("unsupported", "binary data, not text")
    # Cut before cleaning: cleaning a 50 MB line only to keep its first 5 MB wastes seconds.
    truncated = len(raw) > options.max_chars
    text = clean_text(raw[: options.max_chars] if truncated else raw)
    if not text.strip():
        raise ExtractionError("empty", "the file has no readable text")
    if len(text) > options.max_chars:  # NFC can lengthen a few characters
        text, truncated = text[: options.max_chars], True
    return ExtractedDocument(kind="text", pages=[Page(1, text)], truncated=truncated, encoding=encoding)


def match(probe) -> bool:
    """Plain text is what is left when no other format claims the content."""
    return True


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    return extract_text(data, options)
