"""PDF rendering for the synthetic FOI generator (reportlab, low-level canvas).

Platypus would be simpler but is several times slower; generating 10,000
PDFs a run needs the canvas. Layout is done first into per-page lists of
drawing operations, so the footer can say "Page n of N", then each page is
drawn with a single text object (the cheapest way to emit text in reportlab).

Features: a letterhead on page 1, single- or two-column body text, ruled
tables (grid lines so pdfplumber's ``extract_tables`` finds them) that are
split across pages with a repeated header, an "OFFICIAL" marking for police
and government documents, and an annex that pads the document to its
target page count. ``invariant=1`` removes timestamps and random ids, so the
same document is always the same bytes.
"""

from __future__ import annotations

import io

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from bench import gen_vocab as V

PAGE_W, PAGE_H = A4
MARGIN = 62.0
TOP = PAGE_H - 64.0
BOTTOM = 62.0
GUTTER = 22.0
BOLD = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}
ITALIC = {"Helvetica": "Helvetica-Oblique", "Times-Roman": "Times-Italic"}
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def text_width(text: str, font: str, size: float) -> float:
    """stringWidth with a per-font cache: words repeat a lot across documents."""
    cache = _WIDTHS.setdefault((font, size), {})
    w = cache.get(text)
    if w is None:
        w = cache[text] = stringWidth(text, font, size)
    return w


def wrap_words(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking by measured word widths."""
    space = text_width(" ", font, size)
    lines, cur, used = [], [], 0.0
    for word in text.split():
        ww = text_width(word, font, size)
        if cur and used + space + ww > width:
            lines.append(" ".join(cur))
            cur, used = [word], ww
        else:
            used = used + space + ww if cur else ww
            cur.append(word)
    if cur:
        lines.append(" ".join(cur))
    return lines


class Layout:
    """Flows blocks onto pages; records drawing ops rather than drawing."""

    def __init__(self, spec: dict):
        self.font = spec["font"]
        self.bold, self.italic = BOLD[self.font], ITALIC[self.font]
        self.size = 10.0 if self.font == "Helvetica" else 11.0
        self.leading = round(self.size * 1.38, 2)
        self.two_col = spec["layout"] == "two_column"
        self.pages: list[list[tuple]] = [[]]
        self.table_pages: set[int] = set()
        self.col, self.col_top, self.columns_on = 0, TOP, False
        self.y = TOP
        self._set_full_width()

    # geometry ----------------------------------------------------------------
    def _set_full_width(self) -> None:
        self.x0, self.width = MARGIN, PAGE_W - 2 * MARGIN

    def _set_column(self) -> None:
        colw = (PAGE_W - 2 * MARGIN - GUTTER) / 2
        self.x0, self.width = MARGIN + self.col * (colw + GUTTER), colw

    def start_columns(self) -> None:
        """Switch to two columns below whatever is on the page already."""
        if self.two_col and not self.columns_on:
            self.columns_on, self.col, self.col_top = True, 0, self.y
            self._set_column()

    def new_page(self) -> None:
        self.pages.append([])
        self.y, self.col, self.col_top = TOP, 0, TOP
        if self.columns_on:
            self._set_column()

    def _advance(self) -> None:
        if self.columns_on and self.col == 0:
            self.col, self.y = 1, self.col_top
            self._set_column()
        else:
            self.new_page()

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self._advance()

    # primitives --------------------------------------------------------------
    def line(self, text: str, font: str, size: float | None = None, indent: float = 0.0) -> None:
        size = size or self.size
        self.need(self.leading)
        self.pages[-1].append(("t", self.x0 + indent, self.y - size, font, size, text))
        self.y -= self.leading

    def text(self, text: str, font: str | None = None, indent: float = 0.0, marker: str = "") -> None:
        """A wrapped paragraph; ``marker`` hangs in the indent of the first line."""
        font = font or self.font
        lines = wrap_words(text, font, self.size, self.width - indent) or [""]
        for k, ln in enumerate(lines):
            self.need(self.leading)
            base = self.y - self.size
            if k == 0 and marker:
                self.pages[-1].append(("t", self.x0, base, font, self.size, marker))
            self.pages[-1].append(("t", self.x0 + indent, base, font, self.size, ln))
            self.y -= self.leading

    def gap(self, h: float) -> None:
        self.y -= h

    # blocks ------------------------------------------------------------------
    def block(self, b: tuple) -> None:
        kind = b[0]
        if kind == "letterhead":
            self.line(b[1][0], self.bold, 16)
            self.gap(8)
            for ln in b[1][1:]:
                self.line(ln, self.font, 8.5)
            self.gap(14)
            return
        if kind == "meta":
            for ln in b[1]:
                self.line(ln, self.font)
            self.gap(8)
            return
        self.start_columns()
        if kind == "heading":
            self.gap(6)
            self.need(self.leading * 3)  # keep a heading with its first lines
            self.text(b[1], self.bold)
            self.gap(3)
        elif kind == "para":
            self.text(b[1])
            self.gap(6)
        elif kind == "quote":
            self.text(b[1], self.italic, indent=18)
            self.gap(6)
        elif kind == "item":
            indent = max(22.0, text_width(b[1], self.font, self.size) + 6)
            self.text(b[2], indent=indent, marker=b[1])
            self.gap(3)
        elif kind == "qa":
            _, ql, q, al, a = b
            self.need(self.leading * 2)
            self.text(f"{ql} {q}", self.bold)
            self.text(f"{al} {a}".strip())
            self.gap(7)
        elif kind == "table":
            self.table(b[1], b[2], b[3])
        elif kind == "sig":
            self.gap(8)
            for ln in b[1]:
                self.line(ln, self.font)
        elif kind == "pagebreak" and self.pages[-1]:
            self.new_page()

    def table(self, caption: str, header: list[str], rows: list[list[str]]) -> None:
        """A ruled grid; split across pages with the header repeated."""
        size, rowh, pad = 9.0, 15.0, 4.0
        ncols = len(header)
        widths = [max(text_width(str(r[i]), self.font, size) for r in [header] + rows) + 2 * pad for i in range(ncols)]
        widths[0] += max(0.0, min(self.width - sum(widths), 60.0))  # room for the label column
        self.gap(4)
        self.need(self.leading + rowh * 3)
        self.text(caption, self.bold)
        self.gap(2)
        pending = list(rows)
        while pending:
            self.need(rowh * 2)
            fit = max(1, int((self.y - BOTTOM) // rowh) - 1)
            chunk, pending = pending[:fit], pending[fit:]
            self._grid([header] + chunk, widths, size, rowh, pad)
            if pending:
                self.new_page()
        self.gap(8)

    def _grid(self, rows, widths, size, rowh, pad) -> None:
        page = self.pages[-1]
        self.table_pages.add(len(self.pages))
        top, x0 = self.y, self.x0
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        for r, row in enumerate(rows):
            font = self.bold if r == 0 else self.font
            base = top - r * rowh - rowh + 4.5
            for c, cell in enumerate(row):
                page.append(("t", xs[c] + pad, base, font, size, str(cell)))
        bottom = top - len(rows) * rowh
        for r in range(len(rows) + 1):
            page.append(("l", xs[0], top - r * rowh, xs[-1], top - r * rowh))
        for x in xs:
            page.append(("l", x, top, x, bottom))
        self.y = bottom


def _decorate(layout: Layout, spec: dict, name: str, reference: str) -> None:
    """Running header/footer: marking, reference and "Page n of N"."""
    n = len(layout.pages)
    marking = V.SECTOR[spec["authority"]["sector"]]["marking"]
    for i, page in enumerate(layout.pages, 1):
        label = f"Page {i} of {n}"
        page.append(("t", PAGE_W - MARGIN - text_width(label, layout.font, 8), 34, layout.font, 8, label))
        page.append(("t", MARGIN, 34, layout.font, 8, f"{name} – {reference}"))
        if marking:
            w = text_width(marking, layout.bold, 9)
            page.append(("t", (PAGE_W - w) / 2, PAGE_H - 34, layout.bold, 9, marking))


def _pdf_title(doc) -> str | None:
    """Document info title as real PDFs have it: often absent or a Word file name."""
    r = doc.rng.random()
    if r < 0.5:
        return None
    if r < 0.8:
        return f"Microsoft Word - {doc.reference.replace('/', '_').replace(' ', '_')} Response.docx"
    return f"{doc.reference} - {doc.spec['topic']['title']}"


def _draw(layout: Layout, title: str | None, author: str) -> bytes:
    """Draw the laid-out pages; streams are Flate only.

    reportlab's default also ASCII85-encodes every stream, in pure Python
    unless rl-accel is installed: a quarter of the run time and 25% bigger
    files for nothing, so it is switched off while this canvas is saved.
    """
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _draw_pages(layout, title, author)
    finally:
        rl_config.useA85 = saved


def _draw_pages(layout: Layout, title: str | None, author: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    if title:
        c.setTitle(title)
    c.setAuthor(author)
    for page in layout.pages:
        to = c.beginText()
        font = None
        lines = []
        for op in page:
            if op[0] == "t":
                _, x, y, f, size, s = op
                if (f, size) != font:
                    to.setFont(f, size)
                    font = (f, size)
                to.setTextOrigin(x, y)
                to.textOut(s)
            else:
                lines.append(op[1:])
        c.drawText(to)
        if lines:
            c.setLineWidth(0.6)
            c.lines(lines)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_pdf(doc, annex) -> tuple[bytes, int, list[int]]:
    """Lay out ``doc`` and pad it from ``annex`` to its target page count.

    Returns (PDF bytes, page count, 1-based pages holding a ruled table).
    The main letter is never cut, so a letter longer than the target keeps
    its natural length; annex blocks are shorter than a page, so padding
    stops exactly on the target page.
    """
    spec = doc.spec
    layout = Layout(spec)
    for b in doc.blocks:
        layout.block(b)
    target = spec["target_pages"]
    if len(layout.pages) < target:
        layout.new_page()
        for b in annex:
            layout.block(b)
            if len(layout.pages) >= target and layout.y < TOP - 200:
                break
    if not layout.pages[-1]:
        layout.pages.pop()
    name = doc.ctx["authority"]  # as printed that year
    _decorate(layout, spec, name, doc.reference)
    data = _draw(layout, _pdf_title(doc), name)
    return data, len(layout.pages), sorted(layout.table_pages)
