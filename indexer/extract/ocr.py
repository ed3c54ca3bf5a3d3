"""OCR of image-only PDF pages with Tesseract: render, recognise, drop noise, cache by page content.

Tesseract and its language data come from the OS packages (`make ocr-engine`), so nothing is
downloaded at run time.
Scanned FOI responses are full of redaction boxes, stamps and fax noise that Tesseract reads
as "|||", "mmm" or "—"; words below a confidence threshold or that are not word-like are
dropped so they never reach the index. Results are cached under a hash of the rendered page
bitmap, so re-indexing a document, or the same scan inside another one, never OCRs it twice.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from indexer.extract.base import ExtractionError, ExtractOptions

# 300 dpi is what Tesseract is trained for; fewer pixels lose small print, more only cost time.
DPI = 300
# A poster-sized scan at 300 dpi would be hundreds of megapixels: cap the longer side.
MAX_SIDE_PX = 7000
# Words Tesseract is less sure of than this are noise far more often than text (bench/ocr_eval.py).
MIN_CONFIDENCE = 55.0
# A "word" whose box is mostly black was read off a redaction box, whatever its confidence.
MAX_INK_SHARE = 0.8
# Fewer words than this kept from a page, and Tesseract is asked whether the page is turned
# (an upright page of text gives hundreds; the check costs ~0.35 s).
FEW_WORDS = 30
# Tesseract's orientation confidence on a page of text is ~30; below this it is a guess.
MIN_ORIENTATION_CONFIDENCE = 3.0
# Page segmentation 3: automatic layout, no orientation detection (Tesseract's default).
TESSERACT_CONFIG = "--psm 3"
# Bump when the filtering or the layout of OCR text changes, so old cache entries are not reused.
CACHE_VERSION = "1"

UNAVAILABLE_HINT = (
    "the PDF is scanned (no text layer) and no OCR engine is installed: install Tesseract "
    "(`make ocr-engine`, or `apt-get install tesseract-ocr tesseract-ocr-eng`) and index again "
    "with --retry-failed"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Word:
    """One word as the engine read it, with where it sits in the page's layout."""

    text: str
    confidence: float  # 0-100
    block: int = 0
    paragraph: int = 0
    line: int = 0
    box: tuple[int, int, int, int] | None = None  # left, top, right, bottom in pixels


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None  # mean over the words kept, 0-100; None when none were
    words: int = 0  # words kept
    dropped: int = 0  # words dropped as noise
    cached: bool = False


# ---------------------------------------------------------------- the engine
#
# Two ways to run the same Tesseract, chosen by what is installed: tesserocr (its C++ API
# in this process, the model loaded once per worker) is preferred, as it uses about a third
# less CPU per page than starting the `tesseract` program for each page through pytesseract
# (bench/ocr_eval.py). Both read the language data of the OS packages and give the same TSV.


class _Tesserocr:
    name = "tesserocr"

    def __init__(self):
        import tesserocr

        self.tesserocr = tesserocr
        self.tessdata = _tessdata_dir()
        if self.tessdata is None:
            raise RuntimeError("no Tesseract language data found")
        self.version = tesserocr.tesseract_version().split()[1]
        self.languages = frozenset(tesserocr.get_languages(self.tessdata)[1])
        self._apis: dict[str, object] = {}
        self._lock = threading.Lock()

    def tsv(self, image, lang: str, timeout: float) -> str:
        tesserocr = self.tesserocr
        with self._lock:  # one API per language, and it is not thread-safe
            api = self._apis.get(lang)
            if api is None:
                api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang=lang, psm=tesserocr.PSM.AUTO)
                self._apis[lang] = api
            api.SetImage(image)
            dpi = image.info.get("dpi")
            if dpi:
                api.SetSourceResolution(round(dpi[0]))
            if not api.Recognize(timeout=max(1, int(timeout * 1000))):
                raise ExtractionError("timeout", f"OCR of a page took over {timeout:g} s")
            return api.GetTSVText(0)

    def orientation(self, image) -> tuple[int, float]:
        tesserocr = self.tesserocr
        if "osd" not in self.languages:
            return 0, 0.0
        with self._lock:
            api = self._apis.get("+osd")
            if api is None:
                api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang="osd", psm=tesserocr.PSM.OSD_ONLY)
                self._apis["+osd"] = api
            api.SetImage(image)
            dpi = image.info.get("dpi")
            if dpi:
                api.SetSourceResolution(round(dpi[0]))
            found = api.DetectOrientationScript()  # None when there is too little text
        return (found["orient_deg"], found["orient_conf"]) if found else (0, 0.0)


class _TesseractProgram:
    name = "tesseract"

    def __init__(self):
        import pytesseract

        self.pytesseract = pytesseract
        self.version = str(pytesseract.get_tesseract_version())
        self.languages = frozenset(pytesseract.get_languages(config=""))

    def tsv(self, image, lang: str, timeout: float) -> str:
        pytesseract = self.pytesseract
        # One thread per page: pages already run in parallel in the worker pool, and
        # Tesseract's OpenMP threads only fight each other there (3-4x slower on 2 cores).
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        dpi = image.info.get("dpi")
        config = f"{TESSERACT_CONFIG} --dpi {round(dpi[0])}" if dpi else TESSERACT_CONFIG
        # An uncompressed PGM: pytesseract's default PNG costs ~0.3 s a page to encode.
        with tempfile.NamedTemporaryFile(prefix="foi-ocr-", suffix=".pgm") as tmp:
            image.save(tmp, format="PPM")
            tmp.flush()
            try:
                return pytesseract.image_to_data(tmp.name, lang=lang, config=config, timeout=timeout)
            except RuntimeError:  # pytesseract's timeout: it has killed tesseract
                raise ExtractionError("timeout", f"OCR of a page took over {timeout:g} s") from None
            except pytesseract.TesseractError as exc:
                raise ExtractionError("corrupt", f"Tesseract failed: {exc.message or exc.status}") from None

    def orientation(self, image) -> tuple[int, float]:
        if "osd" not in self.languages:
            return 0, 0.0
        dpi = image.info.get("dpi")
        try:
            found = self.pytesseract.image_to_osd(image, config=f"--dpi {round(dpi[0])}" if dpi else "", timeout=60)
        except (RuntimeError, self.pytesseract.TesseractError):  # too little text to tell
            return 0, 0.0
        degrees = re.search(r"Orientation in degrees: (\d+)", found)
        confidence = re.search(r"Orientation confidence: ([\d.]+)", found)
        return (int(degrees.group(1)), float(confidence.group(1))) if degrees and confidence else (0, 0.0)


_BACKENDS = (_Tesserocr, _TesseractProgram)


def _tessdata_dir() -> str | None:
    """Where the OS keeps Tesseract's language data (TESSDATA_PREFIX wins, as for tesseract)."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    for pattern in (
        "/usr/share/tesseract-ocr/*/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
        "/opt/homebrew/share/tessdata",
        "/usr/share/tesseract/tessdata",
    ):
        candidates += sorted(glob.glob(pattern), reverse=True)  # the newest major version first
    for folder in candidates:
        if folder and glob.glob(os.path.join(folder, "*.traineddata")):
            return folder.rstrip("/") + "/"
    return None


@functools.lru_cache(maxsize=1)
def _backend():
    """The first engine binding that is installed and runs, or None."""
    for backend in _BACKENDS:
        try:
            return backend()
        except Exception as exc:  # not installed, no language data, not runnable
            log.debug("OCR backend %s unavailable: %s", backend.name, exc)
    return None


def available() -> bool:
    """True when an OCR engine is installed and runnable."""
    return _backend() is not None


def engine_version() -> str | None:
    """ "tesserocr 5.5.4" or "tesseract 5.3.0"; None without an engine. Part of the cache key."""
    backend = _backend()
    return f"{backend.name} {backend.version}" if backend else None


def installed_languages() -> frozenset[str]:
    backend = _backend()
    return backend.languages if backend else frozenset()


def missing_languages(lang: str) -> list[str]:
    """Languages of `lang` ("eng+cym") that Tesseract has no data for."""
    have = installed_languages()
    return [code for code in lang.split("+") if code and code not in have]


def language_hint(missing: list[str]) -> str:
    packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
    return f"Tesseract has no data for {', '.join(missing)}: install it (`apt-get install {packages}`)"


def _recognise(image, lang: str, timeout: float) -> list[Word]:
    """Run the engine on a grayscale PIL image. The one function that calls Tesseract."""
    backend = _backend()
    if backend is None:
        raise ExtractionError("ocr_unavailable", UNAVAILABLE_HINT)
    if image.mode not in ("L", "1"):
        image = image.convert("L")
    return words_from_tsv(backend.tsv(image, lang, timeout))


def words_from_tsv(tsv: str) -> list[Word]:
    """Words of Tesseract's TSV output (level 5 rows), in reading order."""
    words = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        try:
            block, para, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (int(c) for c in cells[6:10])
            conf = float(cells[10])
        except ValueError:  # the header row, or a damaged one
            continue
        text = "\t".join(cells[11:]).strip()
        if conf < 0 or not text:
            continue
        words.append(Word(text, conf, block, para, line, (left, top, left + width, top + height)))
    return words


# ---------------------------------------------------------------- noise filtering

# Characters that, inside a "word", mean Tesseract was reading a rule, a box edge or a speck.
_NOISE_CHARS = set("|¦_~^¬`´¨°•·■□▪▫◆◇○●◦¤†‡<>{}[]\\=*#")
_SAME_LETTER_RUN = re.compile(r"([^\W\d_])\1\1", re.IGNORECASE)  # "mmm", "lll", "iiii"
_REAL_RUNS = ("www", "iii")  # www.gov.uk, list item (iii)
_EDGE_JUNK = "«»|¦_~"
_EDGE_PUNCT = "\"'“”‘’.,;:!?()[]{}<>|/\\-—–_~*•·"


def is_word_like(token: str) -> bool:
    """Whether a token looks like something a person wrote, not a picture of a redaction.

    Keeps "s40(2)", "e-mail", "£1,200", "foi@police.uk", "20191213", "I", "a".
    Drops "|||", "—", "mmm", "Il|", "=—_", ".,", "a—".
    """
    core = token.strip(_EDGE_PUNCT)
    if not core:
        return False
    letters = sum(1 for ch in core if ch.isalnum())
    if letters == 0 or letters / len(core) < 0.5:
        return False
    if any(ch in _NOISE_CHARS for ch in core):
        return False
    if any(unicodedata.category(ch) in ("So", "Sk", "Co", "Cn", "Cc") for ch in core):
        return False
    run = _SAME_LETTER_RUN.search(core)
    if run and run.group(0).lower() not in _REAL_RUNS:
        return False
    # A long dash or a bar at the edge of a short token is a box edge, not punctuation.
    if len(core) <= 2 and any(ch in "|—–_" for ch in token):
        return False
    return True


def ink_share(image, box: tuple[int, int, int, int]) -> float:
    """Share of dark pixels in a box of a grayscale image: ~0.1-0.3 for print, ~1 for a redaction."""
    histogram = image.crop(box).histogram()
    total = sum(histogram)
    return sum(histogram[:128]) / total if total else 0.0


def keep_words(words: list[Word], image=None, min_confidence: float = MIN_CONFIDENCE) -> list[Word]:
    """The words worth indexing: confident, word-like, and not read off a black box."""
    kept = []
    for w in words:
        if w.confidence < min_confidence or not is_word_like(w.text):
            continue
        if image is not None and w.box is not None and ink_share(image, w.box) > MAX_INK_SHARE:
            continue
        tidy = w.text.strip(_EDGE_JUNK)  # "«find": the edge of a box stuck to a word
        kept.append(w if tidy == w.text else replace(w, text=tidy))
    return kept


def layout_text(words: list[Word]) -> str:
    """Words back into lines and paragraphs, in the engine's reading order."""
    lines: list[str] = []
    last_line = last_para = None
    for w in words:
        para = (w.block, w.paragraph)
        line = (w.block, w.paragraph, w.line)
        if line != last_line:
            if last_para is not None and para != last_para:
                lines.append("")
            lines.append(w.text)
        else:
            lines[-1] += " " + w.text
        last_line, last_para = line, para
    return "\n".join(lines)


def result_from_words(words: list[Word], image=None) -> OcrResult:
    kept = keep_words(words, image)
    confidence = round(sum(w.confidence for w in kept) / len(kept), 1) if kept else None
    return OcrResult(layout_text(kept), confidence, len(kept), len(words) - len(kept))


# ---------------------------------------------------------------- pages and the cache


def render_page(pdfium_page, dpi: int = DPI):
    """The page as a grayscale PIL image at `dpi`, its longer side capped at MAX_SIDE_PX."""
    width, height = pdfium_page.get_size()  # points
    scale = min(dpi / 72, MAX_SIDE_PX / max(width, height, 1))
    bitmap = pdfium_page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    image.info["dpi"] = (round(scale * 72),) * 2  # tells Tesseract the text size; else it guesses
    return image


def cache_key(image, lang: str) -> str:
    """Hash of what the engine sees, and of everything that changes what it would say."""
    digest = hashlib.sha256()
    dpi = image.info.get("dpi")
    header = f"{CACHE_VERSION}|{engine_version()}|{lang}|{dpi}|{TESSERACT_CONFIG}|{MIN_CONFIDENCE}|{MAX_INK_SHARE}"
    digest.update(header.encode())
    digest.update(f"|{image.mode}|{image.width}x{image.height}|".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.json"


def cache_get(cache_dir: Path | None, key: str) -> OcrResult | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_path(cache_dir, key).read_text(encoding="utf-8"))
        return OcrResult(data["text"], data["confidence"], data["words"], data["dropped"], cached=True)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged entry is recomputed
        log.debug("ignoring OCR cache entry %s: %s", key, exc)
        return None


def cache_put(cache_dir: Path | None, key: str, result: OcrResult) -> None:
    """Write atomically: workers OCR in parallel, and a killed one must not leave half a file."""
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, key)
    entry = asdict(result)
    entry.pop("cached")
    entry["engine"] = engine_version()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only or full disk costs a re-OCR next time, not the file
        log.warning("cannot write the OCR cache in %s: %s", cache_dir, exc)


def ocr_image(image, options: ExtractOptions = ExtractOptions()) -> OcrResult:
    """OCR one grayscale PIL image, through the cache when options.ocr_cache_dir is set."""
    missing = missing_languages(options.ocr_lang)
    if missing:
        raise ExtractionError("ocr_unavailable", language_hint(missing))
    key = cache_key(image, options.ocr_lang)
    cached = cache_get(options.ocr_cache_dir, key)
    if cached is not None:
        return cached
    result = result_from_words(_recognise(image, options.ocr_lang, options.timeout), image)
    if result.words < FEW_WORDS:
        # A page scanned sideways or upside down reads as a few confident-looking scraps.
        # Ask Tesseract which way up the text is, and keep whichever reading finds more.
        angle, confidence = _orientation(image)
        if angle and confidence >= MIN_ORIENTATION_CONFIDENCE:
            turned = image.rotate(angle, expand=True, fillcolor=255)
            turned.info = dict(image.info)
            retry = result_from_words(_recognise(turned, options.ocr_lang, options.timeout), turned)
            if retry.words > result.words:
                result = retry
    cache_put(options.ocr_cache_dir, key, result)
    return result


def _orientation(image) -> tuple[int, float]:
    """Degrees (counter-clockwise) to turn the image so its text is upright, and how sure."""
    backend = _backend()
    return backend.orientation(image) if backend else (0, 0.0)


def ocr_pdf_page(pdfium_page, options: ExtractOptions = ExtractOptions()) -> OcrResult:
    """OCR one pypdfium2 page. Raises ExtractionError (timeout, corrupt, ocr_unavailable)."""
    return ocr_image(render_page(pdfium_page), options)
