"""Extraction: every supported encoding, markdown cleanup, PDF pages and tables, type by content."""

from __future__ import annotations

import codecs

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.extract.text import clean_text, decode
from tests.conftest import SEED, write_pdf

SAMPLE = "The council’s café paid £1,250 to Zoë – “quoted” in 2019."


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_text_in_each_encoding_decodes_to_the_same_words(data, encoding):
    text, used = decode(data)
    assert text == SAMPLE
    assert used.replace("_", "-") == encoding


def test_latin1_text_decodes_readably():
    data = "Grüße from the Data Protection Officer, naïve façade".encode("latin-1")
    assert extract_bytes(data, "x.txt").text == "Grüße from the Data Protection Officer, naïve façade"


def test_invalid_bytes_never_fail_decoding():
    text, _ = decode(b"abc \xff\xfe\x81 def" * 3)
    assert "abc" in text and "def" in text


def test_nfc_and_paragraph_breaks_kept():
    text = clean_text("Cafe\u0301 one.\r\n\r\n\r\n\r\nPara two.\rLine.")
    assert text == "Café one.\n\nPara two.\nLine."


def test_seed_markdown_emphasis_is_stripped_but_readable():
    doc = extract_bytes(SEED.read_bytes(), SEED.name)
    assert doc.kind == "text" and len(doc.pages) == 1
    text = doc.text
    assert text.startswith("18th June 2019")
    assert "**" not in text and "<sup>" not in text and "*Answer" not in text
    assert "Freedom of Information Request – Reference No:20191213" in text
    assert "Answer: The Chief Constable is the Data Controller" in text
    assert "- 1) Does your force hold a prevent database?" in text


def test_ansi_and_control_characters_are_removed():
    text = extract_bytes(b"red \x1b[31malert\x1b[0m bell\x07 [bold]kept[/]", "a.txt").text
    assert text == "red alert bell [bold]kept[/]"


def test_pdf_text_keeps_page_numbers(tmp_path):
    pdf = write_pdf(tmp_path / "r.pdf", ["First page about parking fines", "Second page about bus lanes", "Third page"])
    doc = extract_bytes(pdf.read_bytes(), "r.pdf")
    assert doc.kind == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "parking fines" in doc.pages[0].text
    assert "bus lanes" in doc.pages[1].text and "parking" not in doc.pages[1].text


def test_pdf_table_cells_come_out_as_rows(tmp_path):
    table = [["Year", "Fines issued", "Income"], ["2018", "4,120", "£61,800"], ["2019", "5,007", "£75,105"]]
    pdf = write_pdf(tmp_path / "t.pdf", ["Penalty charge notices by year"], table=table)
    text = extract_bytes(pdf.read_bytes(), "t.pdf").text
    assert "Penalty charge notices by year" in text
    assert "Year | Fines issued | Income" in text
    assert "2019 | 5,007 | £75,105" in text


def test_two_column_pdf_reads_column_by_column(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    path = tmp_path / "two.pdf"
    width, height = A4
    frames = [
        Frame(40, 40, width / 2 - 50, height - 80, id="left"),
        Frame(width / 2 + 10, 40, width / 2 - 50, height - 80, id="right"),
    ]
    doc = BaseDocTemplate(str(path), pagesize=A4, invariant=1)
    doc.addPageTemplates([PageTemplate(frames=frames)])
    style = getSampleStyleSheet()["BodyText"]
    left = "Alpha column sentence number one continues here with more words to fill the line. " * 12
    right = "Omega column text describes the second topic in similar length for balance. " * 12
    from reportlab.platypus import FrameBreak

    doc.build([Paragraph(left, style), FrameBreak(), Paragraph(right, style)])
    text = extract_bytes(path.read_bytes(), "two.pdf").text
    # every Alpha sentence comes before any Omega sentence: columns are not interleaved
    assert text.rfind("Alpha column") < text.find("Omega column")


def test_type_is_detected_by_content_not_extension(tmp_path):
    pdf = write_pdf(tmp_path / "real.pdf", ["A PDF saved with a .txt name"])
    assert extract_bytes(pdf.read_bytes(), "misnamed.txt").kind == "pdf"
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"PK\x03\x04" + b"\x00" * 100, "report.pdf")
    assert err.value.reason == "corrupt" and "named .pdf" in err.value.detail
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"\x1f\x8b\x08" + b"\x00" * 100, "notes.txt")
    assert err.value.reason == "unsupported" and "gzip" in err.value.detail


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"   \n\n ", "empty"), (b"%PDF-1.4\n garbage", "corrupt")])
def test_bad_bytes_give_a_reason(data, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data, "x.pdf" if data.startswith(b"%PDF") else "x.txt")
    assert err.value.reason == reason


def _clean_every_pattern(raw: str) -> str:
    """clean_text as the sequence of every pattern, none skipped: what its shortcuts must equal."""
    import unicodedata

    from indexer.extract import text as t

    s = raw.replace("\r\n", "\n").replace("\r", "\n")
    s = t._ANSI.sub("", s)
    s = t._NULS.sub(" ", s)
    s = t._CONTROL.sub("", s)
    s = unicodedata.normalize("NFC", s)
    s = t._TRAILING_WS.sub("", s)
    s = t._MANY_BLANKS.sub("\n\n", s).strip("\n")
    s = t._SUP.sub("", s)
    s = t._TAG.sub("", s)
    s = t.unbold(s)
    s = t._ITALIC.sub(r"\1", s)
    s = t._STRAY_STARS.sub("", s)
    s = t._HEADING.sub("", s)
    s = t._TRAILING_WS.sub("", s)
    s = t._MANY_BLANKS.sub("\n\n", s)
    return s.strip("\n")


@pytest.mark.parametrize(
    "raw",
    [
        "plain text\nno markup at all",
        "trailing spaces   \nand a tab\t\nand at the end \t",
        "only the end has trailing blanks \t",
        "a\x00\x00b and \x00 padding\x00",
        "\x1b[31mred\x1b[0m text\x1b]0;title\x07",
        "# Heading\n\n## Sub heading\n#not one",
        "*italic* and **bold** and a stray * star and ** two\n* bullet",
        "x<sup>2</sup> and <br/> and <b>b</b> but a < b",
        "one\n\n\n\n\ntwo\r\n\r\n\r\nthree\r",
        "e\u0301 composed, \u200b zero width, \ufeff bom",
        "ends with blank lines\n\n\n",
    ],
)
def test_clean_text_shortcuts_change_nothing(raw):
    assert clean_text(raw) == _clean_every_pattern(raw)
