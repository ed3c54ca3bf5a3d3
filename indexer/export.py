"""Result sets as files: CSV with DESIGN.md's columns, Markdown, and a zip of the original
documents with `results.csv`.

Plain functions over hits (any object with the hit fields of DESIGN.md); nothing here runs a
search. Text from documents is data: control characters are removed from every cell so an
export printed to a terminal cannot carry escape codes.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from indexer.citation import cite
from indexer.textsafe import clean_display

CSV_COLUMNS = (
    "rank",
    "score",
    "doc_id",
    "title",
    "authority",
    "reference",
    "date",
    "request_date",
    "outcome",
    "exemptions",
    "page",
    "snippet",
    "citation",
)
RESULTS_NAME = "results.csv"


class ExportError(Exception):
    """An export that could not be written; the message is one sentence."""


def clean(value) -> str:
    """A cell's text: None as empty, line breaks kept, control characters and bidi overrides
    shown as visible stand-ins (the one cleaner the terminal output uses: a CSV printed to a
    terminal must not act on it either)."""
    return clean_display(value)


def csv_row(hit) -> list[str]:
    values = {
        "rank": hit.rank,
        "score": f"{hit.score:.4f}" if isinstance(hit.score, (int, float)) else hit.score,
        "doc_id": hit.doc_id,
        "title": hit.title,
        "authority": hit.authority,
        "reference": hit.reference,
        "date": hit.date,
        "request_date": getattr(hit, "request_date", None),
        "outcome": hit.outcome,
        "exemptions": ";".join(hit.exemptions or []),
        "page": hit.page,
        "snippet": hit.snippet,
        "citation": cite(hit),
    }
    return [clean(values[c]) for c in CSV_COLUMNS]


def write_csv(hits: Iterable, stream, header: bool = True) -> int:
    """Hits as CSV rows (with the header line first); returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    count = 0
    for hit in hits:
        writer.writerow(csv_row(hit))
        count += 1
    return count


def csv_text(hits: Iterable) -> str:
    buffer = io.StringIO()
    write_csv(hits, buffer)
    return buffer.getvalue()


def _md_cell(value) -> str:
    text = " ".join(clean(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|")


def markdown_table(hits: Iterable) -> str:
    """Hits as a Markdown table: rank, title, citation, outcome, exemptions, snippet."""
    lines = ["| # | Title | Citation | Outcome | Exemptions | Snippet |", "|---:|---|---|---|---|---|"]
    for hit in hits:
        cells = [
            hit.rank,
            hit.title or hit.doc_id,
            cite(hit),
            hit.outcome,
            ", ".join(hit.exemptions or []),
            hit.snippet,
        ]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- zip


@dataclass
class ExportSummary:
    path: Path
    files: int = 0
    rows: int = 0
    missing: list[str] = field(default_factory=list)  # doc_ids whose original file is gone


def member_name(doc_id: str) -> str:
    """A safe zip member name for a document: its doc_id, without any way out of the folder.

    An archive member's doc_id (`corpus/a.zip!/b.pdf`) names its container, which is
    what is on disk."""
    container = doc_id.split("!/", 1)[0]
    parts = [p for p in PurePosixPath(container.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    return "/".join(parts) or "document"


def export_zip(hits: list, target: Path | str) -> ExportSummary:
    """Write the original file of every hit plus `results.csv` into the zip `target`.

    Written to a temporary file beside `target` and renamed into place, so a failed export
    never leaves a half-written zip."""
    target = Path(target)
    if target.suffix.lower() != ".zip":
        raise ExportError(f"--export needs a file name ending in .zip, not {target.name!r}")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {target}: no folder {folder}")
    summary = ExportSummary(path=target)
    import tempfile
    import zipfile  # here, not with the module: every search imports it for its hit records

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            written: set[str] = set()
            for hit in hits:
                name = member_name(hit.doc_id)
                if name in written:
                    continue
                source = Path(hit.path) if hit.path else None
                if source is None or not source.is_file():
                    summary.missing.append(hit.doc_id)
                    continue
                archive.write(source, arcname=name)
                written.add(name)
            summary.files = len(written)
            summary.rows = len(hits)
            archive.writestr(RESULTS_NAME, csv_text(hits))
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return summary


# ---------------------------------------------------------------- analysis tables


def stats_header(by: str) -> list[str]:
    from indexer.models import OUTCOMES

    return [
        by,
        "responses",
        *OUTCOMES,
        "refusal_rate",
        "exemptions",
        "dated_pairs",
        "median_days",
        "over_20_working_days",
    ]


def stats_rows(groups: list) -> list[list]:
    """GroupStats as table rows (`exemptions` as `s40(2):3;s12:1`)."""
    rows = []
    for g in groups:
        rows.append(
            [
                g.key,
                g.responses,
                *g.outcomes.values(),
                g.refusal_rate,
                ";".join(f"{code}:{n}" for code, n in g.exemptions.items()),
                g.dated_pairs,
                g.median_days,
                g.over_20_working_days,
            ]
        )
    return rows


def write_stats_csv(groups: list, by: str, stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(stats_header(by))
    for row in stats_rows(groups):
        writer.writerow([clean(v) for v in row])


COMPARE_FIXED = ("authority", "reference", "date", "outcome", "exemptions", "doc_id")


def comparison_table(comparisons: list) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one or more comparisons: a row per response, a column per question.

    Several groups share one table with a leading `group` column; each group fills its
    own questions' columns."""
    several = len(comparisons) > 1
    questions: list[str] = []
    for comparison in comparisons:
        questions += [q for q in comparison.questions if q not in questions]
    header = (["group"] if several else []) + list(COMPARE_FIXED) + questions + ["other"]
    rows = []
    for number, comparison in enumerate(comparisons, start=1):
        for row in comparison.rows:
            r = row.response
            fixed = [r.authority, r.reference, r.date, r.outcome, ";".join(r.exemptions), r.doc_id]
            answers = [row.answers.get(q, "") for q in questions]
            rows.append([clean(v) for v in ([number] if several else []) + fixed + answers + [row.other]])
    return header, rows


def write_comparison_csv(comparisons: list, stream) -> None:
    header, rows = comparison_table(comparisons)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def write_comparison_xlsx(comparisons: list, target: Path | str) -> Path:
    """One worksheet per request group; answers wrap, the header row stays in view."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"--xlsx needs a file name ending in .xlsx, not {target.name!r}")
    book = Workbook()
    book.remove(book.active)
    for number, comparison in enumerate(comparisons, start=1):
        sheet = book.create_sheet(f"Request {number}")
        header, rows = comparison_table([comparison])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                # Document text is data: "=SUM(...)" in an answer must not become a formula.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index in range(1, len(header) + 1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = 40 if index > len(COMPARE_FIXED) else 22
        sheet.freeze_panes = "A2"
    if not comparisons:
        book.create_sheet("Request 1")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else "."
        )
        os.close(fd)
        book.save(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
