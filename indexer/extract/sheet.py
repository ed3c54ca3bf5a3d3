"""Spreadsheets (.xlsx/.xlsm/.xlsb/.xls/.ods through python-calamine, .csv): one page per
sheet, hidden sheets included and marked, each row a tab-separated line.

Data tables are often the substance of an FOI response, so every sheet is read, the hidden
and "very hidden" ones too (they have held data the sender did not mean to release).
"""

from __future__ import annotations

import csv
import io

from indexer.extract.base import ExtractionError, ExtractOptions
from indexer.extract.office import cell_text, check_odf_not_encrypted, check_ole_not_encrypted, table_lines
from indexer.models import ExtractedDocument, Page

KIND = "sheet"
SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")
TEXT_SUFFIXES = (".csv",)
PAGED = True
DESCRIPTION = "a spreadsheet"

_ODS = "application/vnd.oasis.opendocument.spreadsheet"
_EXCEL_STREAMS = ("Workbook", "Book")  # BIFF8 (Excel 97-2003) and BIFF5 (Excel 5/95)


def match(probe) -> bool:
    names = probe.zip_names
    if names:
        return "xl/workbook.xml" in names or "xl/workbook.bin" in names or probe.odf_mimetype.startswith(_ODS)
    return any(s in probe.ole_streams for s in _EXCEL_STREAMS)


def extract(data: bytes, options: ExtractOptions, name: str = "") -> ExtractedDocument:
    if not data.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return extract_csv(data, options)
    if data.startswith(b"PK"):
        check_odf_not_encrypted(data, "the spreadsheet")
    else:
        check_ole_not_encrypted(data, "the spreadsheet")
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = list(workbook.sheets_metadata)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise _error(exc) from None
    pages: list[Page] = []
    total = 0
    truncated = False
    for number, sheet in enumerate(sheets[: options.max_pages], start=1):
        hidden = sheet.visible != SheetVisibleEnum.Visible
        label = f"{sheet.name} (hidden)" if hidden else sheet.name
        try:
            rows = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        except Exception as exc:  # a chart sheet or one damaged sheet costs that sheet
            rows, label = [], f"{label} (unreadable: {type(exc).__name__})"
        lines = table_lines([[cell_text(v) for v in row] for row in rows])
        text, cut = _cap([f"Sheet: {label}", *lines], options.max_chars - total)
        pages.append(Page(number, text, name=label))
        total += len(text)
        if cut:
            truncated = True
            break
    if not any(len(p.text.splitlines()) > 1 for p in pages):  # names, but no cell has a value
        raise ExtractionError("empty", "the workbook has no filled cells")
    truncated = truncated or len(sheets) > options.max_pages
    return ExtractedDocument(kind=KIND, pages=pages, truncated=truncated)


def extract_csv(data: bytes, options: ExtractOptions) -> ExtractedDocument:
    """A CSV export: the delimiter is sniffed (comma, semicolon, tab, pipe); rows as lines."""
    from indexer.extract.text import decode, looks_binary

    text, encoding = decode(data)
    if looks_binary(text):
        raise ExtractionError("unsupported", "binary data, not CSV")
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    size = 0
    truncated = False
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append([" ".join(cell.split()) for cell in row])
            size += sum(len(cell) + 1 for cell in row)
            if size > options.max_chars:
                truncated = True
                break
    except csv.Error as exc:  # a NUL or a runaway quote: keep the rows read so far
        if not rows:
            raise ExtractionError("corrupt", f"unreadable CSV ({exc})") from None
        truncated = True
    return ExtractedDocument(
        kind=KIND, pages=[Page(1, "\n".join(table_lines(rows)))], truncated=truncated, encoding=encoding
    )


def _cap(lines: list[str], room: int) -> tuple[str, bool]:
    """The lines that fit in `room` characters, and whether any were left out."""
    kept, size = [], 0
    for line in lines:
        size += len(line) + 1
        if size > room:
            return "\n".join(kept), True
        kept.append(line)
    return "\n".join(kept), False


def _error(exc: Exception) -> ExtractionError:
    message = str(exc)
    if "password" in message.lower() or "encrypt" in message.lower():
        return ExtractionError("encrypted", "the spreadsheet needs a password to open")
    return ExtractionError("corrupt", f"not a readable spreadsheet ({type(exc).__name__}: {message[:200]})")
