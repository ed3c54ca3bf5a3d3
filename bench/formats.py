"""Extraction speed per format: `python -m bench.formats [--repeats N] [--real DIR]`.

Generates one mid-sized file of each format (the test fixtures' writers, scaled up), times
`extract_bytes` on each (median of N runs, after one warm-up) and prints a table of bytes,
characters out and milliseconds. With --real (default ../shared/corpus-real/formats when
present) the real released .docx/.doc/.xlsx/.xls are timed too. Images are OCR'd without a
cache, so their figure is Tesseract's.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from indexer.extract import ExtractionError, ExtractOptions, extract_bytes


def generated() -> dict[str, tuple[str, bytes]]:
    from tests.office_fixtures import (
        LETTER,
        docx_bytes,
        html_bytes,
        image_bytes,
        odt_bytes,
        pptx_bytes,
        rtf_bytes,
        scan_image,
        xlsx_bytes,
        zip_bytes,
    )
    from email.message import EmailMessage

    paragraphs = LETTER * 40  # ~20 pages of letter
    rows = [[f"Ward {i}", i, i * 1.5, f"note {i % 7}"] for i in range(5000)]
    table = [[str(c) for c in row] for row in rows[:200]]
    docx = docx_bytes(paragraphs, table=table)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "foi@example.gov.uk", "me@example.org", "Reply"
    mail["Date"] = "Thu, 14 Mar 2024 10:00:00 +0000"
    mail.set_content("\n".join(LETTER))
    mail.add_attachment(docx, "application", "octet-stream", filename="reply.docx")
    files = {
        "docx": ("a.docx", docx),
        "odt": ("a.odt", odt_bytes(paragraphs, table=table)),
        "rtf": ("a.rtf", rtf_bytes(paragraphs, table=table)),
        "xlsx (5,000 rows x 3 sheets)": ("a.xlsx", xlsx_bytes({"A": rows, "B": rows, "C": rows})),
        "csv (5,000 rows)": ("a.csv", "\n".join(",".join(map(str, r)) for r in rows).encode()),
        "pptx (40 slides)": ("a.pptx", pptx_bytes([(f"Slide {i}", " ".join(LETTER[:4]), "notes") for i in range(40)])),
        "html": ("a.html", html_bytes("Disclosure log", paragraphs, table=table)),
        "eml + docx attachment": ("a.eml", mail.as_bytes()),
        "zip (docx + xlsx + csv)": (
            "a.zip",
            zip_bytes({"a.docx": docx, "b.xlsx": xlsx_bytes({"A": rows}), "c.csv": b"a,b\n1,2\n"}),
        ),
        "png (1 page, 200 dpi OCR)": ("a.png", image_bytes([scan_image(LETTER[:8], 200)], "PNG", 200)),
    }
    return files


def real(folder: Path) -> dict[str, tuple[str, bytes]]:
    names = ["BirminghamResponse.docx", "Barnsley.doc", "Blackburn.xlsx", "Bolton.xlsx", "AberdeenCity.xls"]
    return {f"real {n}": (n, (folder / n).read_bytes()) for n in names if (folder / n).exists()}


def time_one(label: str, name: str, data: bytes, repeats: int) -> tuple[str, int, int, float, str]:
    options = ExtractOptions()
    try:
        doc = extract_bytes(data, name, options)  # warm-up: imports, caches
    except ExtractionError as exc:
        return label, len(data), 0, 0.0, f"{exc.reason}: {exc.detail}"
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        extract_bytes(data, name, options)
        times.append(time.perf_counter() - start)
    return label, len(data), len(doc.text), statistics.median(times) * 1000, doc.kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--real", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/corpus-real/formats"
    )
    args = parser.parse_args()
    files = {**generated(), **real(args.real)}
    print(f"{'file':34} {'bytes':>10} {'chars out':>10} {'ms':>9}  kind")
    for label, (name, data) in files.items():
        label, size, chars, ms, kind = time_one(label, name, data, args.repeats)
        print(f"{label:34} {size:>10,} {chars:>10,} {ms:>9.1f}  {kind}")


if __name__ == "__main__":
    main()
