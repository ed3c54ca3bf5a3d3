"""Web pages (.html/.htm): the visible text, block by block, tables as rows, and the <title>.

Beautiful Soup on lxml reads any HTML a browser would, in the encoding it declares (or
detects). Scripts, styles, templates and elements marked hidden are dropped.
"""

from __future__ import annotations

import re

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.models import ExtractedDocument, Page

KIND = "html"
SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = SUFFIXES
PAGED = False
DESCRIPTION = "a web page"

_DROP = ("script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object", "button", "select")
_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "hr",
    "caption",
    "body",
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b",
    re.IGNORECASE | re.DOTALL,
)
_SPACES = re.compile(r"[ \r\f\v\u00a0]+")


def match(probe) -> bool:
    return bool(_START.match(probe.head[:4096]))


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:  # lxml gives up on very few inputs, but a bug costs one file
        raise ExtractionError("corrupt", f"unreadable HTML ({type(exc).__name__}: {exc})") from None
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for element in soup.find_all(_DROP):
        element.decompose()
    for element in soup.find_all(_hidden):
        if not element.decomposed:  # not inside one already dropped
            element.decompose()
    for cell in soup.find_all(("td", "th")):
        cell.append("\t")
    for row in soup.find_all("tr"):
        row.append("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.append("\n")
    lines = [
        re.sub(r" ?\t ?", "\t", _SPACES.sub(" ", line)).strip(" ").rstrip("\t") for line in soup.get_text().split("\n")
    ]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if title and title not in text[:2000]:
        text = f"{title}\n\n{text}"
    return ExtractedDocument(kind=KIND, pages=[Page(1, text)], title=title or None, encoding=soup.original_encoding)


def _hidden(tag) -> bool:
    attrs = tag.attrs or {}
    return (
        "hidden" in attrs or attrs.get("aria-hidden") == "true" or bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))
    )
