"""Compare OCR engines on generated scans: word accuracy and seconds per page.

Known FOI-style text is typeset with reportlab, rasterised at 200 or 300 dpi, turned by up to
±1.5°, speckled with noise (some pages also get black redaction boxes or fax-style 1-bit
thresholding) and saved as image-only PDFs. Each engine reads every page from the PDF, as the
indexer does (pypdfium2 render, grayscale, 300 dpi).

    python -m bench.ocr_eval                 # every engine that imports here
    python -m bench.ocr_eval --pages 6 --engines tesserocr,pytesseract --json

Word accuracy is the fraction of the distinct words on a page (lower-cased, 2+ letters or
digits) that the engine's output contains. "Junk" is the share of output tokens (2+
characters) that are on no page of the ground truth: misreads, and noise read off redaction
boxes. Time is wall-clock seconds per page (best of --repeat) and CPU seconds per page (this
process and the `tesseract` processes it starts); engines take turns page by page, so a busy
machine slows them alike.

Only engines that need no download at run time qualify (DESIGN.md). easyocr, paddleocr and
onnxtr ship no model in their wheels and fetch one on first use, so they are not run here;
rapidocr-onnxruntime and rapidocr ship their ONNX models inside the wheel.

Measured on 12 pages (seed 7), 2 cores shared with other work:

    engine                                   accuracy  worst   s/page  CPU s/page  junk
    tesseract 5.5.4 via tesserocr (indexer)    99.15%  95.52%   1.47     0.56      0.19%
    tesseract 5.3.0 via pytesseract (indexer)  99.27%  95.52%   1.97     0.82      0.09%
    tesseract 5.3.0, unfiltered                99.39%  95.52%   2.08     0.90      4.02%
    rapidocr-onnxruntime 1.4.4 (PP-OCRv4)      70.53%  39.24%   9.20     4.73     14.68%
    rapidocr 3.10 (PP-OCRv6 small)             97.99%  93.59%   8.61     4.17      1.19%

rapidocr-onnxruntime's Chinese/English model runs English words together ("SouthYorkshirePolice").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field

SENTENCES = [
    "Thank you for your request for information received on 13 December 2019.",
    "Your request has been considered under the Freedom of Information Act 2000.",
    "South Yorkshire Police can confirm that it holds the information you requested.",
    "Please find attached a spreadsheet listing the number of referrals made to Prevent.",
    "Section 40(2) exempts personal data of third parties from disclosure.",
    "Disclosure would breach the data protection principles in Article 5 of the regulation.",
    "We have withheld the names of junior officers and members of the public.",
    "The cost of locating and extracting the information would exceed the appropriate limit.",
    "The Council neither confirms nor denies that it holds information of this description.",
    "In 2018 there were 412 incidents recorded across the Sheffield and Rotherham districts.",
    "Section 31(1)(a) applies because disclosure would prejudice the prevention of crime.",
    "The public interest in maintaining the exemption outweighs the interest in disclosure.",
    "If you are dissatisfied with this response you may request an internal review.",
    "Complaints should be sent to the Information Commissioner, Wycliffe House, Wilmslow.",
    "The contract with the supplier was awarded following a competitive tender process.",
    "Expenditure on agency staff in the financial year 2017/18 was £1,204,377.",
    "Environmental information is handled under the Environmental Information Regulations.",
    "Regulation 12(4)(b) allows a public authority to refuse manifestly unreasonable requests.",
    "The hospital trust does not hold a central register of clinical negligence claims.",
    "A copy of the safeguarding policy is available on our website.",
    "Officers attended the address on three occasions between January and March.",
    "The decision was reviewed by the Head of Information Governance on 4 February.",
    "Our reference for this request is FOI/2019/00873; please quote it in any reply.",
    "The school governors approved the revised admissions criteria in September.",
    "Body worn video footage is retained for thirty one days unless required as evidence.",
    "Vehicle pursuit data for Leeds, Bradford and Wakefield is provided in the annex.",
    "Yours sincerely, Disclosure Officer, Information Management Unit.",
    "Telephone enquiries about this response can be made on 0114 220 2020.",
]
FONTS = ["Times-Roman", "Helvetica", "Courier"]


def words_of(text: str) -> set[str]:
    """Distinct comparable words: lower-cased letters/digits, two characters or more."""
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text) if len(w) >= 2}


@dataclass
class ScanPage:
    """One generated page: the PDF holding its scan, and the words a reader can see on it."""

    name: str
    pdf: bytes
    text: str  # what is visible (redacted words left out)
    hidden: str = ""  # words under redaction boxes
    dpi: int = 300
    font: str = "Times-Roman"
    extras: dict = field(default_factory=dict)


def typeset(lines: list[list[tuple[str, bool]]], font: str, size: float) -> bytes:
    """A one-page A4 text PDF; words flagged True are drawn as black redaction boxes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(font, size)
    y = A4[1] - 72
    space = stringWidth(" ", font, size)
    for line in lines:
        x = 72.0
        for word, redacted in line:
            width = stringWidth(word, font, size)
            if x > 72 and x + width > A4[0] - 72:  # wrap inside the margins, as a letter would
                x, y = 72.0, y - size * 1.45
            if redacted:
                c.rect(x - 1, y - size * 0.25, width + 2, size * 1.05, stroke=0, fill=1)
            else:
                c.drawString(x, y, word)
            x += width + space
        y -= size * 1.45
    c.showPage()
    c.save()
    return buf.getvalue()


def scan(pdf: bytes, dpi: int, rotation: float, noise: float, seed: int, fax: bool = False):
    """Rasterise a PDF page like a scanner: grayscale, turned, speckled (and 1-bit for a fax)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    doc.close()
    image = image.rotate(rotation, resample=Image.BICUBIC, expand=False, fillcolor=255)
    rng = random.Random(seed)
    if noise:
        pixels = image.load()
        w, h = image.size
        for _ in range(int(w * h * noise)):  # salt and pepper specks
            pixels[rng.randrange(w), rng.randrange(h)] = rng.choice((0, 60, 200, 255))
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    if fax:
        image = image.point(lambda v: 0 if v < 150 else 255).convert("1")
    return image


def image_pdf(images, dpi: int) -> bytes:
    """An image-only PDF (no text layer), one page per image."""
    buf = io.BytesIO()
    first, *rest = images
    first.save(buf, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buf.getvalue()


def make_corpus(pages: int = 12, seed: int = 7) -> list[ScanPage]:
    rng = random.Random(seed)
    corpus = []
    for i in range(pages):
        font = FONTS[i % len(FONTS)]
        size = rng.choice((10, 11, 12))
        dpi = 200 if i % 4 == 3 else 300
        fax = i % 6 == 5
        redact = i % 3 == 2
        sentences = rng.sample(SENTENCES, 9)
        lines: list[list[tuple[str, bool]]] = []
        visible, hidden = [], []
        for sentence in sentences:
            words = sentence.split()
            marks = [redact and rng.random() < 0.12 for _ in words]
            for j in range(0, len(words), 9):
                lines.append(list(zip(words[j : j + 9], marks[j : j + 9])))
            for word, mark in zip(words, marks):
                (hidden if mark else visible).append(word)
            lines.append([])
        rotation = rng.uniform(-1.5, 1.5)
        image = scan(typeset(lines, font, size), dpi, rotation, noise=0.002, seed=seed + i, fax=fax)
        corpus.append(
            ScanPage(
                f"p{i:02d}-{font.split('-')[0].lower()}{size}-{dpi}dpi{'-fax' if fax else ''}{'-redacted' if redact else ''}",
                image_pdf([image], dpi),
                " ".join(visible),
                " ".join(hidden),
                dpi,
                font,
                {"rotation": round(rotation, 2), "size": size, "fax": fax, "redacted": redact},
            )
        )
    return corpus


# ---------------------------------------------------------------- engines


class Engine:
    name = "?"
    note = ""

    def setup(self) -> None: ...

    def read(self, pdfium_page) -> str:
        raise NotImplementedError


class IndexerOcr(Engine):
    """What the indexer runs (indexer.extract.ocr: render, Tesseract, noise filter), cache off,
    through one binding: tesserocr (in-process) or pytesseract (the `tesseract` program)."""

    binding = "tesserocr"

    def setup(self):
        from indexer.extract import ocr

        self.backend = {b.name: b for b in ocr._BACKENDS}[self.binding]()
        self.ocr = ocr
        self.note = self.backend.version

    def read(self, page):
        self.ocr._backend = lambda: self.backend  # the bench's own process: pin the binding
        return self.ocr.ocr_pdf_page(page).text


class IndexerTesserocr(IndexerOcr):
    name = "tesseract via tesserocr (indexer)"
    binding = "tesserocr"


class IndexerPytesseract(IndexerOcr):
    name = "tesseract via pytesseract (indexer)"
    binding = "tesseract"


class RawTesseract(Engine):
    """pytesseract image_to_string with default settings: no confidence or noise filter."""

    name = "tesseract via pytesseract, unfiltered"

    def setup(self):
        import pytesseract

        from indexer.extract.ocr import render_page

        self.note = str(pytesseract.get_tesseract_version())
        self.tess, self.render = pytesseract, render_page

    def read(self, page):
        return self.tess.image_to_string(self.render(page), lang="eng")


class RapidOcrOnnx(Engine):
    """rapidocr-onnxruntime 1.4: PP-OCRv4 ONNX models shipped inside the wheel."""

    name = "rapidocr-onnxruntime 1.4 (PP-OCRv4)"

    def setup(self):
        from rapidocr_onnxruntime import RapidOCR

        from indexer.extract.ocr import render_page

        self.engine, self.render = RapidOCR(), render_page

    def read(self, page):
        import numpy as np

        result, _ = self.engine(np.array(self.render(page).convert("RGB")))
        return "\n".join(line[1] for line in result or [])


class RapidOcr3(Engine):
    """rapidocr 3.x: PP-OCRv6 small ONNX models shipped inside the wheel."""

    name = "rapidocr 3 (PP-OCRv6 small)"

    def setup(self):
        from rapidocr import RapidOCR

        from indexer.extract.ocr import render_page

        self.engine, self.render = RapidOCR(), render_page

    def read(self, page):
        import numpy as np

        out = self.engine(np.array(self.render(page).convert("RGB")))
        return "\n".join(out.txts or [])


ENGINES = {
    "tesserocr": IndexerTesserocr,
    "pytesseract": IndexerPytesseract,
    "tesseract-raw": RawTesseract,
    "rapidocr-onnxruntime": RapidOcrOnnx,
    "rapidocr3": RapidOcr3,
}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the `tesseract` program): unlike
    wall time, barely moved by whatever else the machine is running."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def evaluate(engines: list[Engine], corpus: list[ScanPage], repeat: int = 1) -> list[dict]:
    """Every engine on every page, taking turns page by page so that they share whatever
    else the machine is doing; time per page is the best of `repeat` runs."""
    import pypdfium2 as pdfium

    vocabulary = set().union(*(words_of(p.text + " " + p.hidden) for p in corpus))
    stats = {e.name: {"accuracy": [], "seconds": [], "cpu": [], "junk": [], "leaked": 0, "pages": {}} for e in engines}
    for page in corpus:
        doc = pdfium.PdfDocument(page.pdf)
        for engine in engines:
            times, cpu = [], []
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), cpu_seconds()
                text = engine.read(doc[0])
                times.append(time.perf_counter() - started)
                cpu.append(cpu_seconds() - cpu_started)
            s = stats[engine.name]
            expected, got = words_of(page.text), words_of(text)
            accuracy = len(expected & got) / len(expected)
            tokens = [t for t in re.findall(r"[A-Za-z0-9]+", text) if len(t) >= 2]
            s["accuracy"].append(accuracy)
            s["seconds"].append(min(times))
            s["cpu"].append(min(cpu))
            s["junk"].append(sum(1 for t in tokens if t.lower() not in vocabulary) / max(1, len(tokens)))
            s["leaked"] += len(words_of(page.hidden) & got - expected)
            s["pages"][page.name] = round(accuracy, 4)
        doc.close()
    return [
        {
            "engine": e.name,
            "note": e.note,
            "word_accuracy": round(statistics.mean(stats[e.name]["accuracy"]), 4),
            "worst_page": round(min(stats[e.name]["accuracy"]), 4),
            "seconds_per_page": round(statistics.mean(stats[e.name]["seconds"]), 3),
            "cpu_seconds_per_page": round(statistics.mean(stats[e.name]["cpu"]), 3),
            "junk_token_share": round(statistics.mean(stats[e.name]["junk"]), 4),
            "redacted_words_leaked": stats[e.name]["leaked"],
            "pages": stats[e.name]["pages"],
        }
        for e in engines
    ]


def pdfium_first_page(page: ScanPage):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(page.pdf)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: " + ", ".join(ENGINES))
    parser.add_argument("--repeat", type=int, default=1, help="time each page N times, keep the best")
    parser.add_argument("--json", action="store_true", help="one JSON object per engine")
    parser.add_argument("--save", metavar="DIR", help="also write the generated PDFs here")
    args = parser.parse_args(argv)

    # As the indexer runs the `tesseract` program (one thread per page); with OpenMP on, a
    # page takes 3-4x longer on a 2-core machine. Set OMP_THREAD_LIMIT to measure otherwise.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    corpus = make_corpus(args.pages, args.seed)
    if args.save:
        from pathlib import Path

        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for page in corpus:
            (out / f"{page.name}.pdf").write_bytes(page.pdf)
            (out / f"{page.name}.txt").write_text(page.text, encoding="utf-8")
    engines = []
    for name in args.engines.split(","):
        engine = ENGINES[name.strip()]()
        try:
            engine.setup()
            engine.read(pdfium_first_page(corpus[0]))  # load models before the clock starts
        except Exception as exc:  # not installed in this environment
            print(f"{engine.name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        engines.append(engine)
    for report in evaluate(engines, corpus, args.repeat):
        if args.json:
            print(json.dumps(report))
        else:
            print(
                f"{report['engine']:<38} accuracy {report['word_accuracy']:.2%} (worst page "
                f"{report['worst_page']:.2%})  {report['seconds_per_page']:.2f} s/page "
                f"({report['cpu_seconds_per_page']:.2f} CPU s)  "
                f"junk {report['junk_token_share']:.2%}  redacted words leaked {report['redacted_words_leaked']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
