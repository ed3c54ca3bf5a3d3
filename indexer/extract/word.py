"""Word 2007+ (.docx/.docm) responses: paragraphs, tables as rows, headers and footers,
footnotes, comments and tracked changes (marked), in document order.

python-docx opens the package and resolves its parts; the text is read from the WordprocessingML
of each part directly, as python-docx's own text properties skip tracked insertions,
deletions, content controls and text boxes, all of which carry words of a response.
"""

from __future__ import annotations

import io
import zipfile

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.office import table_lines
from indexer.models import ExtractedDocument, Page

KIND = "docx"
SUFFIXES = (".docx", ".docm", ".dotx", ".dotm")
PAGED = False
DESCRIPTION = "a Word document"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# Parts read besides the body, in the order their text is placed around it.
_BEFORE, _AFTER = ("header",), ("footnotes", "endnotes", "footer", "comments")
_INSERTED = (W + "ins", W + "moveTo")
_DELETED = (W + "del", W + "moveFrom")
# Word stores a text box twice: as DrawingML (mc:Choice) and as VML for old readers (mc:Fallback).
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTAINERS = (
    W + "sdt",
    W + "sdtContent",
    W + "customXml",
    W + "smartTag",
    W + "ins",
    W + "del",
    W + "moveTo",
    W + "moveFrom",
)


def match(probe) -> bool:
    return "word/document.xml" in probe.zip_names


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    body, parts = _open(data)
    sections: list[str] = []
    for kind in _BEFORE:
        sections += _part_texts(parts.get(kind, []))
    sections.append("\n".join(_blocks(body)))
    for kind in _AFTER:
        sections += _part_texts(parts.get(kind, []), comments=kind == "comments")
    text = "\n\n".join(s for s in sections if s.strip())
    return ExtractedDocument(kind=KIND, pages=[Page(1, text)])


def _open(data: bytes):
    """The body element and the other parts' root elements, by kind ("header": [...])."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        return _open_raw(data, exc)
    except Exception as exc:  # lxml's XMLSyntaxError and others from damaged parts
        return _open_raw(data, exc)
    parts: dict[str, list] = {}
    seen: set[str] = set()
    for rel in sorted(document.part.rels.values(), key=lambda r: str(getattr(r, "target_ref", ""))):
        kind = rel.reltype.rsplit("/", 1)[-1]
        if rel.is_external or kind not in _BEFORE + _AFTER:
            continue
        part = rel.target_part
        if str(part.partname) in seen:
            continue
        seen.add(str(part.partname))
        root = _parse(part.blob)
        if root is not None:
            parts.setdefault(kind, []).append(root)
    return document.element.body, parts


def _open_raw(data: bytes, why: Exception):
    """A package python-docx refuses (no content types, broken relationships) whose main
    part is still readable XML: read that part as it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = _parse(z.read("word/document.xml"))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        root = None
    body = root.find(W + "body") if root is not None else None
    if body is None:
        raise ExtractionError("corrupt", f"not a readable Word document ({type(why).__name__}: {why})")
    return body, {}


def _parse(blob: bytes):
    from lxml import etree

    # No entity expansion and no network: the XML is untrusted.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        return etree.fromstring(blob, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _part_texts(roots: list, comments: bool = False) -> list[str]:
    texts = []
    for root in roots:
        if comments:
            for comment in root.iter(W + "comment"):
                said = " ".join(line for line in _blocks(comment) if line.strip())
                if said:
                    author = " ".join((comment.get(W + "author") or "").split())
                    texts.append(f"[comment by {author}: {said}]" if author else f"[comment: {said}]")
            continue
        if root.tag in (W + "footnotes", W + "endnotes"):
            for note in root:
                if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                texts.append("\n".join(_blocks(note)))
            continue
        texts.append("\n".join(_blocks(root)))
    unique = list(dict.fromkeys(t for t in texts if t.strip()))  # first-page and default headers repeat
    return unique


def _blocks(container) -> list[str]:
    """Lines of a body, cell, header or note: a paragraph is a line, a table row is a line."""
    lines: list[str] = []
    for child in container.iterchildren():
        tag = child.tag
        if tag == W + "p":
            lines.append(_paragraph(child))
        elif tag == W + "tbl":
            lines += _table(child)
        elif tag in _CONTAINERS:
            lines += _blocks(child)
    return lines


def _table(tbl) -> list[str]:
    rows = []
    for tr in _children(tbl, W + "tr"):
        cells = [" ".join(line.strip() for line in _blocks(tc) if line.strip()) for tc in _children(tr, W + "tc")]
        rows.append(cells)
    return table_lines(rows)


def _children(element, tag: str) -> list:
    """Direct children with `tag`, looking through content controls wrapped around them."""
    found = []
    for child in element.iterchildren():
        if child.tag == tag:
            found.append(child)
        elif child.tag in _CONTAINERS:
            found += _children(child, tag)
    return found


def _paragraph(p) -> str:
    """A paragraph's text with tracked changes marked: "[deleted: ...]", "[inserted: ...]"."""
    pieces: list[list] = []  # [mark, text]

    def add(mark: str, text: str) -> None:
        if pieces and pieces[-1][0] == mark:
            pieces[-1][1] += text
        else:
            pieces.append([mark, text])

    def walk(element, mark: str) -> None:
        for el in element.iterchildren():
            tag = el.tag
            if not isinstance(tag, str) or tag == _FALLBACK:  # comments; the fallback repeats the choice
                continue
            if tag in _INSERTED:
                walk(el, "inserted")
            elif tag in _DELETED:
                walk(el, "deleted")
            elif tag == W + "t":
                add(mark, el.text or "")
            elif tag == W + "delText":
                add("deleted", el.text or "")
            elif tag in (W + "tab", W + "ptab"):
                add(mark, "\t")
            elif tag in (W + "br", W + "cr"):
                add(mark, "\n")
            elif tag == W + "noBreakHyphen":
                add(mark, "-")
            elif tag == W + "p":  # a paragraph of a text box inside this one
                add(mark, "\n")
                walk(el, mark)
                add(mark, "\n")
            else:
                walk(el, mark)

    walk(p, "plain")
    out = []
    for mark, text in pieces:
        if mark == "plain":
            out.append(text)
        elif text.strip():
            out.append(f"[{mark}: {text.strip()}]")
    return "".join(out)
