"""Helpers the office formats share: password checks, cell values as text, table rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from indexer.extract.base import ExtractionError


def check_ole_not_encrypted(data: bytes, what: str) -> None:
    """Raise `encrypted` for a password-protected Word 97-2003 or Excel 97-2003 file."""
    import msoffcrypto

    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception:  # not a kind msoffcrypto knows, or damaged: the extractor will say
        return
    if encrypted:
        raise ExtractionError("encrypted", f"{what} needs a password to open")


def check_odf_not_encrypted(data: bytes, what: str) -> None:
    """An OpenDocument file saved with a password lists encryption data in its manifest."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = z.read("META-INF/manifest.xml")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return
    if b"encryption-data" in manifest:
        raise ExtractionError("encrypted", f"{what} needs a password to open")


def cell_text(value) -> str:
    """A spreadsheet cell as written: 12 not 12.0, dates as ISO, no line breaks inside."""
    if value.__class__ is str:  # most cells, and most of them empty: the fast path
        return " ".join(value.split()) if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return " ".join(str(value).split())


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows as tab-separated lines: empty rows dropped, and the columns empty in every row
    (spacers of a laid-out form) left out so the cells of one row stand side by side."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    used = [any(i < len(row) and row[i].strip() for row in rows) for i in range(width)]
    lines = []
    for row in rows:
        cells = [row[i].strip() if i < len(row) else "" for i in range(width) if used[i]]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("\t".join(cells))
    return lines
