"""Ruled tables from pdfium's paths: pages with a grid come out as pdfplumber gave them
(checked against pdfplumber itself, run the way extraction ran it before), pages with only
a rule, an underline, a box or a drawing are read as plain text."""

from __future__ import annotations

import io
from collections import Counter

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.extract import extract_bytes, pdf_tables
from indexer.extract.text import normalise_text

ROWS = [
    ["Year", "Fines issued", "Income"],
    ["2018", "4,120", "£61,800"],
    ["2019", "5,007", "£75,105"],
    ["2020", "2,311 (Covid)", "£34,665"],
]
INTRO = [
    "Dear requester,",
    "Thank you for your request about penalty charge notices.",
    "The figures you asked for are in the table below.",
]
AFTER = ["Figures are for the financial year ending in March.", "Yours sincerely, Information Team"]


def _pdf(draw, rotation: int = 0, pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for _ in range(pages):
        if rotation:
            c.setPageRotation(rotation)
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def _lines(c, lines, x=72, y=770, size=10):
    c.setFont("Helvetica", size)
    for line in lines:
        c.drawString(x, y, line)
        y -= 15
    return y


def _grid(c, rows, x=72, top=700, widths=(110, 110, 110), height=18, ruling="lines"):
    """A table of `rows` with every cell ruled: by stroked lines, by thin filled
    rectangles (as Word draws borders) or by a closed path round each cell (three sides
    drawn, the fourth by closing the path)."""
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    c.setFont("Helvetica", 9)
    for r, row in enumerate(rows):
        for col, cell in enumerate(row):
            c.drawString(xs[col] + 4, top - (r + 1) * height + 5, cell)
    bottom = top - len(rows) * height
    if ruling == "cells":
        for r in range(len(rows)):
            for col in range(len(widths)):
                y = top - (r + 1) * height
                path = c.beginPath()
                path.moveTo(xs[col], y)
                path.lineTo(xs[col + 1], y)
                path.lineTo(xs[col + 1], y + height)
                path.lineTo(xs[col], y + height)
                path.close()
                c.drawPath(path)
    elif ruling == "lines":
        c.setLineWidth(0.5)
        for r in range(len(rows) + 1):
            c.line(xs[0], top - r * height, xs[-1], top - r * height)
        for xv in xs:
            c.line(xv, top, xv, bottom)
    else:
        for r in range(len(rows) + 1):
            c.rect(xs[0], top - r * height - 0.25, xs[-1] - xs[0], 0.5, stroke=0, fill=1)
        for xv in xs:
            c.rect(xv - 0.25, bottom, 0.5, top - bottom, stroke=0, fill=1)
    return bottom


def _letter_with_table(**grid):
    def draw(c):
        _lines(c, INTRO)
        bottom = _grid(c, ROWS, **grid)
        _lines(c, AFTER, y=bottom - 30)

    return draw


def _plumber_page_text(data: bytes, index: int) -> str | None:
    """How extraction read a page with tables before: pdfplumber's own parse of the page,
    lines outside the tables and each table as rows, top to bottom; None without a table."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[index]
        tables = page.find_tables()
        if not tables:
            return None
        boxes = [t.bbox for t in tables]

        def outside(obj) -> bool:
            x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
            y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        blocks = [(line["top"], line["text"]) for line in page.filter(outside).extract_text_lines()]
        for table in tables:
            rows = [" | ".join(" ".join((c or "").split()) for c in row) for row in table.extract() if any(row)]
            blocks.append((table.bbox[1], "\n".join(rows)))
        blocks.sort(key=lambda b: b[0])
        return normalise_text("\n".join(text for _, text in blocks))


def _detected(data: bytes, index: int = 0) -> bool:
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        try:
            return pdf_tables.has_ruled_table(page, pdfium_c)
        finally:
            page.close()
    finally:
        pdf.close()


def _pdfium_text(data: bytes, index: int = 0) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
        return normalise_text(text)
    finally:
        pdf.close()


@pytest.mark.parametrize("ruling", ["lines", "rects", "cells"])
def test_ruled_table_page_comes_out_as_pdfplumber_gave_it(ruling):
    data = _pdf(_letter_with_table(ruling=ruling))
    assert _detected(data)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _plumber_page_text(data, 0)
    lines = text.splitlines()
    assert lines[:3] == INTRO and lines[-2:] == AFTER
    assert lines[3 : 3 + len(ROWS)] == [" | ".join(row) for row in ROWS]


def test_platypus_grid_with_merged_and_empty_cells_matches_pdfplumber():
    from reportlab.platypus import Table, TableStyle

    rows = [
        ["Category", "2021", "2022"],
        ["Dog fouling", "31", ""],
        ["Fly-tipping (all sites, including\nprivate land)", "1,204", "1,377"],
        ["Total", "1,235", "1,377"],
    ]

    def draw(c):
        y = _lines(c, INTRO)
        table = Table(rows)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("SPAN", (1, 3), (2, 3))]))
        w, h = table.wrapOn(c, 400, 600)
        table.drawOn(c, 72, y - h - 20)

    data = _pdf(draw)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _plumber_page_text(data, 0)
    assert "Fly-tipping (all sites, including private land) | 1,204 | 1,377" in text
    lines = text.splitlines()
    assert "Dog fouling | 31 |" in lines  # an empty cell keeps its place
    assert "Total | 1,235 |" in lines  # a merged cell gives the first column its text


def test_two_tables_and_text_between_keep_their_order():
    def draw(c):
        _lines(c, ["Table 1: stops"])
        bottom = _grid(c, ROWS[:3], top=740)
        _lines(c, ["Table 2: searches, as asked in question 2"], y=bottom - 20)
        _grid(c, [["Ward", "Searches"], ["Central", "77"], ["Park", "12"]], top=bottom - 40, widths=(150, 80))

    data = _pdf(draw)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _plumber_page_text(data, 0)
    assert text.index("Year | Fines issued") < text.index("Table 2") < text.index("Ward | Searches")


def test_table_in_a_scaled_form_xobject_is_placed_by_both_matrices():
    def draw(c):
        _lines(c, INTRO)
        c.beginForm("table")
        _grid(c, ROWS, x=0, top=100)
        c.endForm()
        c.saveState()
        c.translate(90, 480)
        c.scale(1.2, 1.2)
        c.doForm("table")
        c.restoreState()

    data = _pdf(draw)
    assert _detected(data)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _plumber_page_text(data, 0)
    assert "2019 | 5,007 | £75,105" in text


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_page_reads_as_pdfplumber_reads_it(rotation):
    """pdfplumber reads a page turned by /Rotate as it is shown; so do these tables, both
    when the content is drawn upright for the turned page and when it is not."""

    def counter_rotated(c):
        c.saveState()
        w, h = A4
        c.translate(*{90: (w, 0), 180: (w, h), 270: (0, h)}[rotation])
        c.rotate(rotation)
        _letter_with_table(x=40, top=480)(c)
        c.restoreState()

    for draw in (counter_rotated, _letter_with_table()):
        data = _pdf(draw, rotation=rotation)
        text = extract_bytes(data, "t.pdf").pages[0].text
        assert text == _plumber_page_text(data, 0)
    assert "2018 | 4,120 | £61,800" in extract_bytes(_pdf(counter_rotated, rotation=rotation), "t.pdf").text


def test_turned_text_on_a_table_page_is_read_as_pdfplumber_reads_it():
    """A diagonal watermark and a column heading set vertically: characters that are not all
    level make each character's own matrix count, as pdfminer's `upright` does."""

    def draw(c):
        _letter_with_table()(c)
        c.saveState()
        c.setFont("Helvetica", 40)
        c.translate(150, 250)
        c.rotate(35)
        c.drawString(0, 0, "OFFICIAL SENSITIVE")
        c.restoreState()
        c.saveState()
        c.setFont("Helvetica", 8)
        c.translate(500, 630)
        c.rotate(90)
        c.drawString(0, 0, "Notes")
        c.restoreState()
        _grid(c, [["A", "B"], ["1", "2"]], x=470, top=700, widths=(40, 40), height=60)

    data = _pdf(draw)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _plumber_page_text(data, 0)
    assert "2018 | 4,120 | £61,800" in text


def _underlined_heading(c):
    c.setFont("Helvetica-Bold", 12)
    c.drawString(72, 780, "Freedom of Information Request FOI/2024/0113")
    c.line(72, 776, 360, 776)
    _lines(c, INTRO, y=750)


def _boxed_paragraph(c):
    y = _lines(c, INTRO)
    c.rect(66, y - 40, 440, 46)
    _lines(c, ["Your right to complain: you may ask for an internal review within 40 days."], y=y - 20)


def _letterhead_and_logo(c):
    # a vector crest (curves), a rule under the letterhead, a boxed reference and a footer
    # rule: more path segments than a small table, and still no table
    c.circle(520, 790, 20)
    c.circle(520, 790, 12, fill=1)
    c.line(72, 765, 523, 765)
    c.rect(380, 700, 140, 40)
    c.line(72, 60, 523, 60)
    _lines(c, ["Our reference: FOI 4417", "Date: 3 March 2024"], x=385, y=725, size=9)
    _lines(c, INTRO, y=680)


def _two_rules_crossing(c):
    # one horizontal and one vertical line make a cross, not a cell
    c.line(72, 500, 500, 500)
    c.line(280, 300, 280, 700)
    _lines(c, INTRO)


@pytest.mark.parametrize(
    "draw",
    [_underlined_heading, _boxed_paragraph, _letterhead_and_logo, _two_rules_crossing],
    ids=["underline", "box", "letterhead-logo-box", "cross"],
)
def test_rules_boxes_and_drawings_are_not_tables(draw):
    data = _pdf(draw)
    assert not _detected(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].find_tables() == []  # pdfplumber agrees: no table here
    assert extract_bytes(data, "p.pdf").pages[0].text == _pdfium_text(data)


def test_text_page_with_rules_gives_pdfplumbers_words():
    data = _pdf(_letterhead_and_logo)
    ours = extract_bytes(data, "p.pdf").pages[0].text
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        theirs = pdf.pages[0].extract_text()
    assert Counter(ours.split()) == Counter(theirs.split())
    assert "Thank you for your request about penalty charge notices." in ours


def test_only_the_pages_with_a_grid_take_the_table_path():
    pages = [_underlined_heading, _letter_with_table(), _boxed_paragraph]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for draw in pages:
        draw(c)
        c.showPage()
    c.save()
    data = buf.getvalue()
    assert [_detected(data, i) for i in range(3)] == [False, True, False]
    doc = extract_bytes(data, "p.pdf")
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "Year | Fines issued | Income" in doc.pages[1].text
    assert "|" not in doc.pages[0].text + doc.pages[2].text


def test_a_page_drawn_past_the_segment_limit_is_read_as_plain_text(monkeypatch):
    data = _pdf(_letter_with_table())
    monkeypatch.setattr(pdf_tables, "MAX_SEGMENTS", 10)
    assert not _detected(data)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _pdfium_text(data) and "Year | Fines" not in text


def test_a_failure_in_the_table_path_costs_the_layout_not_the_page(monkeypatch):
    data = _pdf(_letter_with_table())

    def broken(*args):
        raise RuntimeError("unforeseen geometry")

    monkeypatch.setattr(pdf_tables, "table_page_text", broken)
    text = extract_bytes(data, "t.pdf").pages[0].text
    assert text == _pdfium_text(data)
    assert "£75,105" in text
