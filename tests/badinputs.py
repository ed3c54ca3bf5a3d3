"""Generator of the bad-input corpus: hostile, broken and odd files beside good ones.

Everything is made by code at test time: hand-written PDF bytes, reportlab, zipfile, Pillow.
`make_corpus(root)` writes the files and returns one `Case` per file saying what `foi index`
must do with it: index it (and find it by its unique word) or report it with a reason.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

INDEXED = "indexed"
# The --max-chars to index the corpus with: analysing the 5 million characters of the
# default costs ~20 s of a test run and proves nothing more about the limit.
MAX_CHARS = 1_000_000


@dataclass
class Case:
    kind: str  # what is wrong with the file, for messages
    rel: str  # path under the corpus root as the index spells it (discover.text_form)
    expect: str  # INDEXED or a failure reason (extract.base.REASONS)
    token: str | None = None  # a word only this file holds: the search that must find it
    also: str | None = None  # an extra reported reason for an indexed file (bad_sidecar)
    detail: str | None = None  # a fragment the failure detail must contain
    truncated: bool = False  # indexed but cut at a limit, marked so


def token(n: int) -> str:
    """A made-up word, unique per n, that survives stemming and stop lists unchanged."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    while True:
        n, r = divmod(n, len(letters))
        word += letters[r]
        if not n:
            break
    return f"zyx{word}q"


# ---------------------------------------------------------------- PDF bytes by hand

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_from_objects(objects: list[bytes], broken_xref: bool = False, prefix: bytes = b"") -> bytes:
    """A PDF file of `objects` (numbered from 1, object 1 the catalog) with a classic xref table."""
    out = bytearray(prefix + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % ((offset * 7 + 13) if broken_xref else offset)
    start = xref + 57 if broken_xref else xref
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def text_ops(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET\n"


def one_page_pdf(
    text: str, broken_xref: bool = False, prefix: bytes = b"", extra: bytes = b"", count: int = 1
) -> bytes:
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R" + extra + b" >>"
    )
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
            page,
            stream(text_ops(text)),
            FONT,
        ],
        broken_xref=broken_xref,
        prefix=prefix,
    )


def no_pages_pdf() -> bytes:
    return pdf_from_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def damaged_pages_pdf(text: str | None) -> bytes:
    """Three pages, of which the 2nd is a missing object and the 3rd not a page at all;
    the 1st holds `text`, or is missing too when `text` is None."""
    first = (
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        )
        if text
        else b"<< /Type /Foo >>"
    )
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 99 0 R 6 0 R] /Count 3 >>",
            first,
            stream(text_ops(text or "")),
            FONT,
            b"<< /Type /Foo >>",
        ]
    )


def many_pages_pdf(pages: int, text: str) -> bytes:
    """`pages` page objects sharing one content stream: a page-count bomb only a few MB big."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", stream(text_ops(text)), FONT]
    kids = []
    for i in range(pages):
        kids.append(b"%d 0 R" % (5 + i))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
        )
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return pdf_from_objects(objects)


def nested_pdf(text: str, depth: int = 100_000) -> bytes:
    """Deeply nested arrays and dictionaries hung off the page (parsers that recurse blow up)."""
    deep = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * (depth // 2) + b"0" + b" >>" * (depth // 2)
    return one_page_pdf(text, extra=b" /Deep " + deep + b" /Deeper " + dicts)


def flate_bomb_stream(head: bytes, megabytes: int) -> bytes:
    """A zlib stream of `head` and `megabytes` of spaces, ~1/1000 of that in size.

    One megabyte is compressed once: after a full flush the compressor starts afresh, so
    every further megabyte would compress to the same bytes (compressing 2 GB took 16 s)."""
    chunk = b" " * (1 << 20)
    packer = zlib.compressobj(9)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    final_block = packer.flush()[:-4]  # the last 4 bytes are the checksum of what it saw
    checksum = adler32_of_spaces(zlib.adler32(head), megabytes << 20)
    return start + block * megabytes + final_block + checksum.to_bytes(4, "big")


def adler32_of_spaces(adler: int, count: int) -> int:
    """zlib.adler32 continued over `count` spaces, in closed form (RFC 1950: A sums the
    bytes, B sums the successive A values, both modulo 65521)."""
    a, b = adler & 0xFFFF, adler >> 16
    b = (b + count * a + 32 * count * (count + 1) // 2) % 65521
    a = (a + 32 * count) % 65521
    return (b << 16) | a


def flate_bomb_pdf(text: str, megabytes: int) -> bytes:
    """A content stream that inflates to `megabytes` of spaces from ~1/1000 of that on disk."""
    data = flate_bomb_stream(text_ops(text), megabytes)
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
    )
    return pdf_from_objects(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, content, FONT]
    )


def reportlab_pdf(text: str, encrypt=None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, encrypt=encrypt)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf(text: str, user_password: str) -> bytes:
    from reportlab.lib import pdfencrypt

    return reportlab_pdf(text, pdfencrypt.StandardEncryption(user_password, "owner-secret", canPrint=0))


def png_bytes(size: int = 64) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle([8, 8, size - 8, size - 8], outline="black", width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "grey").save(buf, "JPEG")
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A 'scan': one page holding only a picture, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).text((20, 80), "SCANNED FAX PAGE", fill=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawImage(ImageReader(image), 72, 500, width=450, height=150)
    c.showPage()
    c.save()
    return buf.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


def docx_bytes(text: str) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
            "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t>'
            "</w:r></w:p></w:body></w:document>",
        }
    )


def ole2_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(random.Random(3).randrange(256) for _ in range(4096))


def gzip_bytes(text: str) -> bytes:
    import gzip

    return gzip.compress(text.encode())


def random_binary(seed: int, size: int = 8192) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


def good_text(word: str, topic: str = "parking fines") -> str:
    return (
        f"Freedom of Information request reference FOI-{sum(map(ord, word)) % 10000:04d}\n\n"
        f"You asked for information about {topic}. The keyword of this response is {word}.\n"
        "We hold the information and it is disclosed below.\n"
    )


# ---------------------------------------------------------------- the corpus


def _write(root: Path, rel: str | bytes, data: bytes) -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


def make_corpus(root: Path, flate_bomb_mb: int = 2200) -> list[Case]:
    """Write the bad-input corpus under `root`; return what should happen to each file.

    Run `foi index` on it with `--no-ocr` (the scan case expects OCR switched off)."""
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    n = iter(range(1000))

    def add(kind: str, rel: str | bytes, data: bytes | None, expect: str, **kw) -> Case:
        if data is not None:
            _write(root, rel, data)
        case = Case(kind, os.fsencode(rel).decode("utf-8", "backslashreplace"), expect, **kw)
        cases.append(case)
        return case

    def good(kind: str, rel: str | bytes, make, **kw) -> Case:
        word = token(next(n))
        return add(kind, rel, make(word), INDEXED, token=word, **kw)

    # -- good files beside the bad ones
    good("good text", "good/plain.txt", lambda w: good_text(w).encode())
    good("good markdown", "good/notes.md", lambda w: f"# Response\n\n**Disclosed**: {w} records.\n".encode())
    good("good PDF", "good/letter.pdf", lambda w: reportlab_pdf(f"Our reply about {w} follows"))
    good("good PDF by hand", "good/hand.pdf", lambda w: one_page_pdf(f"Hand made {w} response"))
    good("CRLF and CR line ends", "good/dos.txt", lambda w: f"Line one\r\nkeyword {w}\r\nold mac\rline".encode())
    good("deep folder", "good/" + "/".join(f"d{i}" for i in range(40)) + "/deep.txt", lambda w: good_text(w).encode())

    # -- empty files of every type
    add("zero-byte PDF", "empty/empty.pdf", b"", "empty")
    add("zero-byte text", "empty/empty.txt", b"", "empty")
    add("zero-byte markdown", "empty/empty.md", b"", "empty")
    add("whitespace-only text", "empty/blank.txt", b" \n\t\r\n  \n", "empty")
    add("only escape codes", "empty/ansi-only.txt", b"\x1b[31m\x1b[0m\x1b[2J\x1b]0;title\x07\x00\x00\n", "empty")

    # -- broken PDFs
    sample = reportlab_pdf("truncated download words " * 20)
    add("truncated PDF", "pdf/truncated.pdf", sample[: len(sample) // 2], "corrupt")
    add("PDF header then garbage", "pdf/garbage.pdf", b"%PDF-1.7\n" + random_binary(1, 4000), "corrupt")
    add("PDF with no pages", "pdf/nopages.pdf", no_pages_pdf(), "corrupt")
    good(
        "PDF with broken xref (repairable)",
        "pdf/broken-xref.pdf",
        lambda w: one_page_pdf(f"Xref {w}", broken_xref=True),
    )
    good(
        "junk before the PDF header",
        "pdf/junk-prefix.pdf",
        lambda w: one_page_pdf(f"Prefixed {w}", prefix=b"HTTP/1.1 200 OK\r\n\r\n"),
    )
    good("PDF with two damaged pages of three", "pdf/damaged-pages.pdf", lambda w: damaged_pages_pdf(f"Intact {w}"))
    add("PDF with every page damaged", "pdf/all-pages-damaged.pdf", damaged_pages_pdf(None), "corrupt")
    add("encrypted PDF, user password", "pdf/locked.pdf", encrypted_pdf("secret locked words", "letmein"), "encrypted")
    good(
        "encrypted PDF, owner password only",
        "pdf/owner-only.pdf",
        lambda w: encrypted_pdf(f"Restricted printing {w}", ""),
    )
    add("image-only PDF, OCR off", "pdf/scan.pdf", image_only_pdf(), "ocr_unavailable", detail="OCR")
    good("PDF bomb: 20,000 pages", "pdf/pages-bomb.pdf", lambda w: many_pages_pdf(20_000, f"Page {w}"), truncated=True)
    good(
        "PDF bomb: /Count says 10 million", "pdf/count-liar.pdf", lambda w: one_page_pdf(f"Liar {w}", count=10_000_000)
    )
    good("PDF bomb: deeply nested objects", "pdf/nested.pdf", lambda w: nested_pdf(f"Nested {w}"))
    add(
        "PDF bomb: content inflates past the memory cap",
        "pdf/flate-bomb.pdf",
        flate_bomb_pdf("flate bomb words", flate_bomb_mb),
        "too_large",
    )

    # -- other formats wearing a .pdf or .txt name
    # Content decides the format (indexer.extract.registry), so a readable file is read for
    # what it is; one that is neither what its content nor its name says is corrupt.
    good(
        "HTML named .pdf",
        "renamed/page.pdf",
        lambda w: f"<!DOCTYPE html><html><body><p>Not a PDF but {w}</p></body></html>".encode(),
    )
    add("damaged zip named .pdf", "renamed/archive.pdf", zip_bytes({"a.txt": "zipped"})[:30], "corrupt")
    good("DOCX without package parts, named .pdf", "renamed/letter.pdf", lambda w: docx_bytes(f"word document {w}"))
    add("PNG named .pdf", "renamed/picture.pdf", png_bytes(), "ocr_unavailable", detail="OCR")
    add("old Word (OLE2) named .pdf", "renamed/old.pdf", ole2_bytes(), "corrupt")
    add("JPEG named .txt", "renamed/photo.txt", jpeg_bytes(), "ocr_unavailable", detail="OCR")
    add("gzip named .txt", "renamed/log.txt", gzip_bytes("compressed log " * 100), "unsupported")
    add("random binary named .txt", "renamed/binary.txt", random_binary(2), "unsupported")
    add("text named .pdf", "renamed/plain.pdf", b"Just some words in a file named like a PDF\n", "corrupt")
    good(
        "text quoting a PDF header",
        "renamed/quotes-pdf.txt",
        lambda w: f"Dear requester, the file you sent begins %PDF-1.4 but is damaged. Ref {w}.\n".encode(),
    )
    good("PDF named .txt", "renamed/really-a-pdf.txt", lambda w: reportlab_pdf(f"Portable {w} document"))

    # -- encodings and hostile text
    good("UTF-16 LE without BOM", "text/utf16le.txt", lambda w: good_text(w).encode("utf-16-le"))
    good("UTF-16 BE without BOM", "text/utf16be.txt", lambda w: good_text(w).encode("utf-16-be"))
    mixed = token(next(n))
    add(
        "mixed UTF-8 and cp1252",
        "text/mixed.txt",
        f"Caf\u00e9 r\u00e9sum\u00e9 {mixed} \u2013 ".encode() + "na\u00efve \u00a3300 fee\n".encode("cp1252") * 50,
        INDEXED,
        token=mixed,
    )
    good("NUL bytes in text", "text/nuls.txt", lambda w: f"Before\x00the {w}\x00word\x00\n".encode() * 3)
    good(
        "markup and ANSI escapes",
        "text/markup.txt",
        lambda w: (
            f"\x1b[31mRED\x1b[0m [bold]rich[/bold] <script>alert(1)</script> "
            f"\x1b]0;title\x07 {w} \x1b[2J\x07 <b>done</b>\n"
        ).encode(),
    )
    # Over the --max-chars the test gives (MAX_CHARS): kept, cut there and marked truncated.
    good(
        "a single 2 MB line",
        "text/one-line.txt",
        lambda w: (f"{w} " + "lorem ipsum dolor " * (2 * 1024 * 1024 // 18)).encode(),
        truncated=True,
    )
    big = add("200 MB text export", "text/huge.txt", None, "too_large")
    with open(root / big.rel, "wb") as out:  # sparse: costs no disk and no time
        out.write(b"Spreadsheet export\n")
        out.truncate(200 * 1024 * 1024)

    # -- sidecars
    good("bad sidecar JSON", "sidecar/broken.txt", lambda w: good_text(w).encode(), also="bad_sidecar")
    _write(root, "sidecar/broken.txt.meta.json", b'{"title": "unterminated')
    good("sidecar with wrong types", "sidecar/wrongtype.txt", lambda w: good_text(w).encode(), also="bad_sidecar")
    _write(root, "sidecar/wrongtype.txt.meta.json", b'{"date": "last Tuesday", "exemptions": "s40"}')
    good("sidecar JSON is a list", "sidecar/list.txt", lambda w: good_text(w).encode(), also="bad_sidecar")
    _write(root, "sidecar/list.txt.meta.json", b'["title", "x"]')
    good(
        "sidecar with a lone surrogate escape",
        "sidecar/surrogate.txt",
        lambda w: good_text(w).encode(),
        also="bad_sidecar",
    )
    _write(root, "sidecar/surrogate.txt.meta.json", b'{"title": "bad \\ud800 title"}')

    # -- names
    good("spaces in the name", "names/a name with  spaces .txt", lambda w: good_text(w).encode())
    good("newline in the name", "names/line\nbreak.txt", lambda w: good_text(w).encode())
    good("non-UTF-8 bytes in the name", b"names/caf\xe9-\xff.txt", lambda w: good_text(w).encode())
    good("very long name", "names/" + "x" * 240 + ".txt", lambda w: good_text(w).encode())
    good("name that looks like an option", "names/--rebuild.txt", lambda w: good_text(w).encode())
    good(
        "unicode name",
        "names/\u0420\u0435\u0441\u043f\u043e\u043d\u0441 \U0001f4c4.txt",
        lambda w: good_text(w).encode(),
    )

    # -- links and special files
    loop = root / "links" / "loop"
    loop.mkdir(parents=True)
    os.symlink("..", loop / "up")  # links/loop/up -> links: a folder cycle
    good("file inside a symlink loop", "links/loop/inside.txt", lambda w: good_text(w).encode())
    os.symlink("self.txt", root / "links" / "self.txt")
    add("symlink to itself", "links/self.txt", None, "unreadable")
    os.symlink("/nonexistent/foi/gone.txt", root / "links" / "dangling.txt")
    add("dangling symlink", "links/dangling.txt", None, "unreadable")
    os.mkfifo(root / "links" / "pipe.txt")
    add("FIFO named .txt (reading would block)", "links/pipe.txt", None, "unreadable")
    return cases


def make_plain_corpus(root: Path, count: int, seed: int = 0, pdf_every: int = 10) -> dict[str, str]:
    """`count` small good documents (every `pdf_every`-th a PDF); returns doc rel path -> its word."""
    rng = random.Random(seed)
    topics = [
        "parking fines",
        "police overtime",
        "school meals",
        "bin collections",
        "council tax",
        "hospital waiting lists",
        "road repairs",
        "library closures",
    ]
    words = {}
    for i in range(count):
        word = token(10_000 + i)
        topic = rng.choice(topics)
        folder = f"batch{i // 50:02}"
        if pdf_every and i % pdf_every == 0:
            rel = f"{folder}/doc{i:04}.pdf"
            _write(root, rel, one_page_pdf(f"Response about {topic} keyword {word} common corpusword"))
        else:
            rel = f"{folder}/doc{i:04}.txt"
            _write(root, rel, (good_text(word, topic) + "common corpusword\n").encode())
        words[rel] = word
    return words


def _defined_prepare():
    from indexer import pipeline

    return pipeline.prepare


# pipeline.prepare as the module defines it, kept before any test puts a stand-in below in its
# place: a worker forked from such a process (a run's forkserver is a fork of the indexer
# when it can be) finds the stand-in at indexer.pipeline.prepare, and would call itself.
real_prepare = _defined_prepare()


def hostile_prepare(source, options, *args):
    """Stands in for pipeline.prepare in a worker: misbehaves as its file's name says."""
    import ctypes
    import signal
    import time

    name = source.path.name
    if name.startswith("hang"):
        if os.environ.get("FOI_TEST_HANG_MARK"):  # tells a test that every file before this one is done
            Path(os.environ["FOI_TEST_HANG_MARK"]).touch()
        time.sleep(3600)
    if name.startswith("sigkill"):  # what the kernel's OOM killer does
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("segfault"):  # a native library crashing
        ctypes.string_at(0)
    if name.startswith("raises"):
        raise RuntimeError("a bug in a library")
    return real_prepare(source, options, *args)


def origin_recording_prepare(source, options, *args):
    """pipeline.prepare writing down first, in the folder $FOI_TEST_MARKS, whether its worker
    is a fork of the indexer (indexer.forking.forked_from_indexer)."""
    import json

    from indexer import forking

    mark = Path(os.environ["FOI_TEST_MARKS"]) / f"{source.path.name}.{os.getpid()}"
    mark.write_text(json.dumps(forking.forked_from_indexer()))
    return real_prepare(source, options, *args)


def slow_prepare(source, options, *args):
    """pipeline.prepare taking a while per file, so a run can be disturbed half-way."""
    import time

    time.sleep(0.4)
    return real_prepare(source, options, *args)


def scheduler_killing_prepare(source, options, *args):
    """On a cluster started with FOI_TEST_DOOMED=1 in its environment, a file named
    `zz-kill*` takes down that whole cluster, scheduler included (its process group)."""
    import signal
    import time

    if source.path.name.startswith("zz-kill") and os.environ.get("FOI_TEST_DOOMED") == "1":
        # Results wait on their worker until the client fetches them: give it time to fetch
        # the file finished just before, which the test expects to find committed.
        time.sleep(2)
        os.killpg(os.getpgrp(), signal.SIGKILL)
    return real_prepare(source, options, *args)


def worker_killing_task(prepare, source, *args):
    """Stands in for cluster.run_task on a Dask worker: a file named `killer*` ends the
    worker process itself (not its extraction child), as a machine failing would."""
    if source.path.name.startswith("killer"):
        os._exit(70)
    from indexer.cluster import run_task

    return run_task(prepare, source, *args)
