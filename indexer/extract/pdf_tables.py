"""Ruled tables of a PDF page, found from pdfium's vector paths and characters.

pdfplumber finds a table by cutting the page along its ruled lines, then reads each cell's
characters. That geometry is cheap; what costs is pdfplumber's parse of the whole page with
pdfminer (about 150 ms a page, against 3 ms for pdfium's text). Here pdfium supplies the
lines (the page's path objects) and the characters (its text page), and pdfplumber's own
table finder (edges, intersections, cells, tables) and text assembly do the rest, so a
page's tables come out as pdfplumber gives them, in a few milliseconds.

A page holds a table when its lines cut at least two adjoining cells (pdfplumber's rule):
an underline, a letterhead rule or a box round a paragraph is no table.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

# pdfplumber's defaults (TableSettings): edges closer than this snap or join into one line,
# and merged lines shorter than EDGE_MIN_LENGTH are dropped.
SNAP_TOLERANCE = 3.0
JOIN_TOLERANCE = 3.0
INTERSECTION_TOLERANCE = 3.0
EDGE_MIN_LENGTH = 3.0
EDGE_MIN_LENGTH_PREFILTER = 1.0
# A line is axis-aligned when its ends differ by less than this across it (points).
_STRAIGHT = 0.01
# Path objects inside form XObjects nested deeper than this are not read (the page's own
# content and one or two wrapping forms are where producers put table rules).
_MAX_FORM_DEPTH = 3
# A page drawn with more path segments than this is a chart or a map, not a ruled table;
# reading every segment of it would cost more than the page's text.
MAX_SEGMENTS = 50_000


@dataclass(frozen=True)
class RuledTable:
    """One table: its box (x0, top, x1, bottom; top-down page coordinates) and its rows
    of cells (None where a merged cell spans the column)."""

    bbox: tuple[float, float, float, float]
    rows: list[list[str | None]]


def page_edges(page, pdfium_c) -> list[dict]:
    """The horizontal and vertical lines a page draws, as pdfplumber edge dicts.

    Every straight axis-aligned piece of every path object counts, stroked or filled, as
    pdfplumber counts lines, rectangles and curves: a table ruled with thin filled
    rectangles (as Word draws cell borders) gives its edges too. Coordinates are those of
    the page as shown (see _View), as pdfplumber's are. Returns [] for a page past
    MAX_SEGMENTS.
    """
    view = _View.of(page)
    height = view.height
    edges: list[dict] = []
    segments = 0
    x = ctypes.c_float()
    y = ctypes.c_float()
    for obj, m in _placed(page, pdfium_c, pdfium_c.FPDF_PAGEOBJ_PATH, view.matrix):
        count = pdfium_c.FPDFPath_CountSegments(obj)
        segments += max(count, 0)
        if segments > MAX_SEGMENTS:
            return []
        # pdfium spells "h" (close) and "re" out as line segments back to the start, so
        # following the line-tos finds every side of a rectangle or a closed outline.
        current = None
        for i in range(count):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            point = _apply(m, x.value, y.value)
            if current is not None and pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_LINETO:
                _add_edge(edges, current, point, height)
            current = point
    return edges


def find_cells(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """The cells of each table the edges cut, top to bottom (pdfplumber's table finder);
    [] when they form no grid of at least two cells."""
    horizontal = sum(1 for e in edges if e["orientation"] == "h")
    if horizontal < 2 or len(edges) - horizontal < 2:
        return []  # no grid without two lines each way: most pages stop here
    from pdfplumber import table as plumber_table
    from pdfplumber.utils import filter_edges

    merged = plumber_table.merge_edges(
        filter_edges(edges, min_length=EDGE_MIN_LENGTH_PREFILTER),
        snap_x_tolerance=SNAP_TOLERANCE,
        snap_y_tolerance=SNAP_TOLERANCE,
        join_x_tolerance=JOIN_TOLERANCE,
        join_y_tolerance=JOIN_TOLERANCE,
    )
    merged = filter_edges(merged, min_length=EDGE_MIN_LENGTH)
    points = plumber_table.edges_to_intersections(merged, INTERSECTION_TOLERANCE, INTERSECTION_TOLERANCE)
    return plumber_table.cells_to_tables(plumber_table.intersections_to_cells(points))


def has_ruled_table(page, pdfium_c) -> bool:
    """Whether the page's lines cut at least one table of two or more cells."""
    return bool(find_cells(page_edges(page, pdfium_c)))


def page_chars(page, textpage, pdfium_c) -> list[dict]:
    """The page's characters as pdfplumber char dicts (text, x0, x1, top, bottom, upright).

    pdfium's loose box is the character's advance by the font's ascent and descent, the box
    pdfminer gives. The line breaks and spaces pdfium infers (zero-width) are left out:
    pdfplumber infers its own. One pdfium call a character, as this is the table path's
    main cost (about 2,000 characters a page).
    """
    view = _View.of(page)
    a, b, c, d, e, f = view.matrix
    height = view.height
    raw = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range()
    if len(text) != count:  # characters outside the BMP: one code per character instead
        text = "".join(_char(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    upright = _all_text_upright(page, pdfium_c, view.matrix)
    box = pdfium_c.FS_RECTF()
    char_matrix = pdfium_c.FS_MATRIX()
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    chars: list[dict] = []
    for i, ch in enumerate(text):
        if ch in "\r\n" or not loose_box(raw, i, box):
            continue
        if box.right - box.left < 0.001 and ch == " ":
            continue
        # the box's corners as shown: the view turns by quarter turns, so two do
        xa, ya = a * box.left + c * box.bottom + e, b * box.left + d * box.bottom + f
        xb, yb = a * box.right + c * box.top + e, b * box.right + d * box.top + f
        x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
        top, bottom = (height - yb, height - ya) if ya <= yb else (height - ya, height - yb)
        chars.append(
            {
                "text": ch,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "width": x1 - x0,
                "height": bottom - top,
                "upright": upright or _char_upright(raw, i, char_matrix, view.matrix, pdfium_c),
            }
        )
    return chars


def _all_text_upright(page, pdfium_c, view: tuple) -> bool:
    """Whether every text object on the page is upright as shown (see _upright): then so is
    every character, and no character's own matrix need be read."""
    return all(_upright(m) for _obj, m in _placed(page, pdfium_c, pdfium_c.FPDF_PAGEOBJ_TEXT, view))


def _char_upright(raw, index: int, m, view: tuple, pdfium_c) -> bool:
    if not pdfium_c.FPDFText_GetMatrix(raw, index, m):
        return True
    return _upright(_compose((m.a, m.b, m.c, m.d, m.e, m.f), view))


def _upright(m: tuple) -> bool:
    """pdfminer's test (LTChar.upright): neither turned a quarter nor mirrored on one axis.
    Upside-down text counts as upright, as it does for pdfplumber."""
    a, b, c, d, _e, _f = m
    return a * d > 0 and b * c <= 0


def _char(code: int) -> str:
    return chr(code) if 0 < code < 0x110000 else "\ufffd"


def extract_tables(page, textpage, pdfium_c) -> tuple[list[RuledTable], list[dict]]:
    """The page's ruled tables with their cell text, and the characters outside them.

    ([], []) when the page holds no table: its text is then pdfium's, unchanged.
    """
    cell_groups = find_cells(page_edges(page, pdfium_c))
    if not cell_groups:
        return [], []
    from pdfplumber.table import Table

    chars = page_chars(page, textpage, pdfium_c)
    tables = []
    for cells in cell_groups:
        # Table.extract tests every character against every row; those outside the
        # table's box can be in none of its cells, so it is given only the others.
        x0, top, x1, bottom = bbox = _bounds(cells)
        inside = [
            c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
        ]
        tables.append(RuledTable(bbox=bbox, rows=Table(_CharsOnly(inside), cells).extract()))
    boxes = [t.bbox for t in tables]

    def outside(char: dict) -> bool:
        # as pdfplumber's page.filter: a character belongs to a table when its centre is in it
        cx = (char["x0"] + char["x1"]) / 2
        cy = (char["top"] + char["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    return tables, [c for c in chars if outside(c)]


def table_page_text(page, textpage, pdfium_c) -> str | None:
    """Text of a page with ruled tables: lines outside the tables and each table as rows
    ("cell | cell | cell"), in top-to-bottom order. None when the page holds no table."""
    tables, outside = extract_tables(page, textpage, pdfium_c)
    if not tables:
        return None
    blocks: list[tuple[float, str]] = []
    if outside:
        from pdfplumber.utils import chars_to_textmap

        textmap = chars_to_textmap(outside)  # as page.extract_text_lines(), layout off
        blocks += [(line["top"], line["text"]) for line in textmap.extract_text_lines(strip=True, return_chars=False)]
    for table in tables:
        lines = [" | ".join(_cell(c) for c in row) for row in table.rows if any(c for c in row)]
        blocks.append((table.bbox[1], "\n".join(lines)))
    blocks.sort(key=lambda b: b[0])
    return "\n".join(text for _, text in blocks)


class _CharsOnly:
    """What pdfplumber's Table.extract reads of a page: its characters."""

    def __init__(self, chars: list[dict]):
        self.chars = chars


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class _View:
    """The page as shown: pdfium gives user-space coordinates, pdfplumber (through pdfminer)
    those of the page turned by its /Rotate and cropped, y downwards. `matrix` takes user
    space to the shown page with y upwards; top = height - y."""

    matrix: tuple
    height: float

    @classmethod
    def of(cls, page) -> "_View":
        x0, y0, x1, y1 = page.get_cropbox()
        rotation = page.get_rotation() % 360
        matrix, height = {
            0: ((1.0, 0.0, 0.0, 1.0, -x0, -y0), y1 - y0),
            90: ((0.0, -1.0, 1.0, 0.0, -y0, x1), x1 - x0),
            180: ((-1.0, 0.0, 0.0, -1.0, x1, y1), y1 - y0),
            270: ((0.0, 1.0, -1.0, 0.0, y1, -x0), x1 - x0),
        }.get(rotation, ((1.0, 0.0, 0.0, 1.0, -x0, -y0), y1 - y0))
        return cls(matrix, height)


def _placed(page, pdfium_c, kind: int, view: tuple):
    """The page's objects of one kind (raw pdfium handles) with the matrix that places each
    on the page, forms included down to _MAX_FORM_DEPTH.

    An object inside a form XObject is placed by its own matrix and then the form's, and
    everything by the view of the page (see _View). The
    walk uses pdfium's handles, not pypdfium2's objects: a page of text holds dozens to
    hundreds of text objects, and wrapping each costs more than the whole test for lines.
    """
    stack = [(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, view, 1)]
    while stack:
        parent, count_objects, get_object, outer, depth = stack.pop()
        for i in range(count_objects(parent)):
            obj = get_object(parent, i)
            if not obj:
                continue
            found = pdfium_c.FPDFPageObj_GetType(obj)
            if found == kind:
                yield obj, _compose(_matrix(obj, pdfium_c), outer)
            elif found == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                stack.append(
                    (
                        obj,
                        pdfium_c.FPDFFormObj_CountObjects,
                        pdfium_c.FPDFFormObj_GetObject,
                        _compose(_matrix(obj, pdfium_c), outer),
                        depth + 1,
                    )
                )


def _bounds(cells) -> tuple[float, float, float, float]:
    return (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))


def _matrix(obj, pdfium_c) -> tuple:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix of `inner` followed by `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _add_edge(edges: list[dict], p: tuple[float, float], q: tuple[float, float], height: float) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < _STRAIGHT and abs(x0 - x1) >= _STRAIGHT:
        left, right = min(x0, x1), max(x0, x1)
        top = height - y0
        edges.append(
            {
                "x0": left,
                "x1": right,
                "top": top,
                "bottom": top,
                "width": right - left,
                "height": 0.0,
                "orientation": "h",
                "object_type": "line",
            }
        )
    elif abs(x0 - x1) < _STRAIGHT and abs(y0 - y1) >= _STRAIGHT:
        top, bottom = height - max(y0, y1), height - min(y0, y1)
        edges.append(
            {
                "x0": x0,
                "x1": x0,
                "top": top,
                "bottom": bottom,
                "width": 0.0,
                "height": bottom - top,
                "orientation": "v",
                "object_type": "line",
            }
        )


def _cell(value) -> str:
    return " ".join((value or "").split())
