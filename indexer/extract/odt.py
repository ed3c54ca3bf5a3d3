"""OpenDocument text (.odt, .ott): paragraphs, headings, lists and tables as rows, read with odfpy;
page headers and footers from the master pages; comments (annotations) marked."""

from __future__ import annotations

import io

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.office import check_odf_not_encrypted, table_lines
from indexer.models import ExtractedDocument, Page

KIND = "odt"
SUFFIXES = (".odt", ".ott")
PAGED = False
DESCRIPTION = "an OpenDocument text"

_MIMETYPES = ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template")
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"


def match(probe) -> bool:
    return probe.odf_mimetype in _MIMETYPES


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    check_odf_not_encrypted(data, "the document")
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises zipfile, KeyError and expat errors on damaged files
        raise ExtractionError("corrupt", f"not a readable OpenDocument text ({type(exc).__name__}: {exc})") from None
    headers, footers = [], []
    for master in document.masterstyles.childNodes:
        for child in getattr(master, "childNodes", []):
            local = getattr(child, "qname", (None, None))[1]
            if local in ("header", "header-first", "header-left"):
                headers.append("\n".join(_blocks(child)))
            elif local in ("footer", "footer-first", "footer-left"):
                footers.append("\n".join(_blocks(child)))
    body = "\n".join(_blocks(document.text))
    sections = list(dict.fromkeys(headers)) + [body] + list(dict.fromkeys(footers))
    text = "\n\n".join(s for s in sections if s.strip())
    return ExtractedDocument(kind=KIND, pages=[Page(1, text)])


def _blocks(element) -> list[str]:
    """Lines of a container: a paragraph or heading is a line, a table row is a line."""
    lines: list[str] = []
    for child in getattr(element, "childNodes", []):
        qname = getattr(child, "qname", None)
        if qname in ((_TEXT, "p"), (_TEXT, "h")):
            lines.append(_inline(child))
        elif qname == (_TABLE, "table"):
            rows = []
            for row in _rows(child):
                rows.append(
                    [
                        " ".join(line for line in _blocks(cell) if line.strip())
                        for cell in row.childNodes
                        if getattr(cell, "qname", None) == (_TABLE, "table-cell")
                    ]
                )
            lines += table_lines(rows)
        elif qname is not None:
            lines += _blocks(child)
    return lines


def _rows(table) -> list:
    rows = []
    for child in table.childNodes:
        qname = getattr(child, "qname", None)
        if qname == (_TABLE, "table-row"):
            rows.append(child)
        elif qname in ((_TABLE, "table-header-rows"), (_TABLE, "table-rows"), (_TABLE, "table-row-group")):
            rows += _rows(child)
    return rows


def _inline(element) -> str:
    """A paragraph's text: spaces, tabs and line breaks kept, annotations marked."""
    out: list[str] = []
    for node in element.childNodes:
        if node.nodeType == node.TEXT_NODE:
            out.append(str(node.data))
            continue
        qname = getattr(node, "qname", None)
        if qname == (_TEXT, "s"):
            out.append(" " * int(node.getAttribute("c") or 1))
        elif qname == (_TEXT, "tab"):
            out.append("\t")
        elif qname == (_TEXT, "line-break"):
            out.append("\n")
        elif qname == (_OFFICE, "annotation"):
            author = " ".join(_inline(c) for c in node.childNodes if getattr(c, "qname", None) == (_DC, "creator"))
            said = " ".join(_inline(c) for c in node.childNodes if getattr(c, "qname", None) == (_TEXT, "p"))
            if said.strip():
                out.append(
                    f" [comment by {author.strip()}: {said.strip()}] "
                    if author.strip()
                    else f" [comment: {said.strip()}] "
                )
        elif qname == (_OFFICE, "annotation-end"):
            continue
        else:
            out.append(_inline(node))
    return "".join(out)
