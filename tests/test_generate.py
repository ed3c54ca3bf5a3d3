"""Tests for the synthetic FOI generators: bench/generate.py and corpus/generate.py.

Determinism (same seed, same bytes; any worker count), variety over a few
hundred documents, labels that match the files, PDFs that open with the
stated page count and ruled tables that pdfplumber finds, and a committed
sample corpus that regenerates byte for byte.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest

from bench import gen_vocab as V
from bench.generate import (
    DATE_STYLES,
    OUTCOMES,
    QA_STYLES,
    REF_STYLES,
    choose_spec,
    generate_corpus,
    main,
    make_document,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
# sha256 of the real seed as published (../shared/seed/syp-foi-20191213.txt).
SEED_SHA256 = "f89f1843261b6e59071d65b20c531e35a8be236286f6eb569bd9ea016083273a"
DOCS = 200
# What each reference style looks like once written (see make_reference).
REF_PATTERNS = {
    "refno": r"\d{8}",
    "foi_year": r"FOI \d{4}/\d{4}",
    "our_ref": r"FOI-\d{1,3}-\d\d",
    "request_id": r"\d{6}",
    "slashed": r"FOI/\d{4}/\d{5}",
    "cas": r"CAS-\d{5}-[A-Z]{5}",
    "request_no": r"\d{4}-\d{4}",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("gen")
    labels = generate_corpus(out, DOCS, seed=1, pdf_ratio=0.2, jobs=1)
    return out, labels


def pdf_text(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def doc_text(path: Path, label: dict) -> str:
    data = path.read_bytes()
    if label["kind"] == "pdf":
        return "\n".join(pdf_text(data))
    return data.decode(label["encoding"]).replace("\r\n", "\n")


# --- determinism ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_same_seed_same_bytes(kind):
    for index in range(6):
        first = make_document(7, index, kind=kind)
        again = make_document(7, index, kind=kind)
        assert first == again


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_different_seed_different_bytes(kind):
    for index in range(4):
        assert make_document(7, index, kind=kind)[1] != make_document(8, index, kind=kind)[1]


def test_output_identical_for_any_worker_count(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    labels_one = generate_corpus(one, 80, seed=3, pdf_ratio=0.3, jobs=1)
    labels_two = generate_corpus(two, 80, seed=3, pdf_ratio=0.3, jobs=2)
    assert labels_one == labels_two
    files_one = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert files_one == files_two
    for rel in files_one:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_document_does_not_depend_on_corpus_size(corpus):
    _, labels = corpus
    rel, data, label = make_document(1, 57)
    assert label == labels[57]
    assert (corpus[0] / rel).read_bytes() == data


# --- variety ------------------------------------------------------------------------


def test_variety_over_200_documents(corpus):
    _, labels = corpus
    authorities = {x["authority"] for x in labels}
    sectors = {a[1] for a in V.AUTHORITIES if a[0] in authorities}
    assert len(authorities) >= 30
    assert sectors == {"police", "council", "nhs", "dept"}
    assert set(OUTCOMES) == {x["outcome"] for x in labels}
    assert {"pdf", "text"} == {x["kind"] for x in labels}
    assert {"single", "two_column", "letter", "email", "markdown"} == {x["layout"] for x in labels}
    assert len({x["title"] for x in labels}) >= 30
    assert len({x["date"][:4] for x in labels}) >= 8
    codes = {c for x in labels for c in x["exemptions"]}
    assert {"s12", "s40(2)"} <= codes
    assert any(c.startswith("s14") for c in codes) and any(c.startswith("eir") for c in codes)
    assert any(x["request_date"] for x in labels) and any(not x["request_date"] for x in labels)
    assert any(x["qa_count"] > 1 for x in labels) and any(x["qa_count"] == 0 for x in labels)


def test_every_reference_style_appears(corpus):
    _, labels = corpus
    seen = collections.Counter()
    for x in labels:
        style = next(s for s, pat in REF_PATTERNS.items() if re.fullmatch(pat, x["reference"]))
        seen[style] += 1
    assert set(seen) == set(REF_STYLES)


def test_spec_styles_all_used():
    specs = [choose_spec(1, i) for i in range(DOCS)]
    assert {s["date_style"] for s in specs} == set(DATE_STYLES)
    assert {s["qa_style"] for s in specs} == set(QA_STYLES)


def test_average_length_about_1000_words(corpus):
    out, labels = corpus
    texts = [x for x in labels if x["kind"] == "text"]
    words = [len(doc_text(out / x["file"], x).split()) for x in texts]
    assert 700 <= sum(words) / len(words) <= 1400


# --- labels match files -------------------------------------------------------------


def test_labels_jsonl_matches_files(corpus):
    out, labels = corpus
    rows = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == labels and len(rows) == DOCS
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"labels.jsonl"}
    assert on_disk == {x["file"] for x in rows}
    for x in rows:
        assert Path(x["file"]).suffix == {"pdf": ".pdf", "text": Path(x["file"]).suffix}[x["kind"]]
        assert (x["pages"] is None) == (x["kind"] == "text")
        assert x["outcome"] in OUTCOMES
        assert x["date"] >= (x["request_date"] or "")
        assert x["exemptions"] == sorted(set(x["exemptions"]))
        assert (x["outcome"] == "disclosed") <= (x["exemptions"] == [])


def test_ground_truth_is_in_the_text(corpus):
    """Reference, title and authority are written in the document, not only in labels."""
    out, labels = corpus
    for x in labels[:60]:
        text = doc_text(out / x["file"], x)
        assert x["reference"] in text, x["file"]
        assert x["title"] in text.replace("\n", " "), x["file"]
        printed = [x["authority"]] + [n for _, n in V.DISPLAY_NAMES.get(x["authority"], [])]
        assert any(name in text for name in printed), x["file"]
        assert not re.search(r"prevent\w*\s+databas", text, re.I)


def test_exemption_wordings_normalise_to_their_code():
    """Every written form of an exemption names exactly the labelled code."""
    for code, ex in V.EXEMPTIONS.items():
        for wording in ex["wordings"]:
            m = re.search(r"(?:section|s\.?|regulation|reg\.?|EIR regulation)\s*(\d+)\s*((?:\(\w+\))*)", wording, re.I)
            prefix = "eir" if code.startswith("eir") else "s"
            assert f"{prefix}{m.group(1)}{m.group(2)}" == code, wording


# --- PDFs -----------------------------------------------------------------------------


def test_pdfs_open_with_stated_page_count(corpus):
    out, labels = corpus
    pdfs = [x for x in labels if x["kind"] == "pdf"]
    assert len(pdfs) >= 20
    assert any(x["pages"] >= 5 for x in pdfs)
    for x in pdfs:
        with pdfplumber.open(out / x["file"]) as pdf:
            assert len(pdf.pages) == x["pages"], x["file"]
        assert 1 <= x["pages"] <= 20


def test_pdf_text_layer_and_page_footer(corpus):
    out, labels = corpus
    x = next(x for x in labels if x["kind"] == "pdf" and x["pages"] >= 3)
    pages = pdf_text((out / x["file"]).read_bytes())
    assert x["reference"] in pages[0]
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {x['pages']}" in text


def test_tables_found_by_pdfplumber(corpus):
    out, labels = corpus
    with_tables = [x for x in labels if x["table_pages"]][:4]
    assert with_tables, "some PDFs must carry ruled tables"
    for x in with_tables:
        with pdfplumber.open(out / x["file"]) as pdf:
            tables = pdf.pages[x["table_pages"][0] - 1].extract_tables()
        assert tables, x["file"]
        assert tables[0][0][0] in ("Category", "Area")
        assert all(len(row) == len(tables[0][0]) for row in tables[0])


def test_max_pages_is_respected(tmp_path):
    labels = generate_corpus(tmp_path, 40, seed=5, pdf_ratio=1.0, max_pages=3, jobs=1)
    assert all(x["pages"] <= 3 for x in labels)


def test_cli_writes_corpus(tmp_path, capsys):
    assert main(["--docs", "5", "--seed", "2", "--out", str(tmp_path / "c"), "--jobs", "1"]) == 0
    assert len((tmp_path / "c" / "labels.jsonl").read_text().splitlines()) == 5
    assert "wrote 5 documents" in capsys.readouterr().out


# --- the committed sample corpus ----------------------------------------------------------


def _sample_labels() -> list[dict]:
    return [json.loads(line) for line in (CORPUS / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


def test_sample_corpus_regenerates_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location("corpus_generate", CORPUS / "generate.py")
    corpus_generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus_generate)
    labels = corpus_generate.build(tmp_path)
    assert labels == _sample_labels()
    for x in labels:
        assert (tmp_path / x["file"]).read_bytes() == (CORPUS / x["file"]).read_bytes(), x["file"]


def test_sample_corpus_covers_what_it_promises():
    labels = _sample_labels()
    assert 18 <= len(labels) <= 24
    assert set(OUTCOMES) == {x["outcome"] for x in labels}
    assert {x["date"][:4] for x in labels} <= {str(y) for y in range(2017, 2025)}
    assert len({x["authority"] for x in labels}) >= 10
    pdfs = [x for x in labels if x["kind"] == "pdf"]
    assert any(x["table_pages"] for x in pdfs)
    assert any(x["layout"] == "two_column" for x in pdfs)
    assert any(x["pages"] >= 3 for x in pdfs)
    assert any(x["file"].endswith(".md") for x in labels)
    for x in labels:
        assert (CORPUS / x["file"]).is_file()
        assert not re.search(r"prevent\w*\s+databas", doc_text(CORPUS / x["file"], x), re.I)
        assert x["file"] in (CORPUS / "README").read_text(encoding="utf-8")


def test_sample_corpus_small_and_seed_unchanged():
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 400 * 1024
    assert hashlib.sha256((CORPUS / "syp-foi-20191213.txt").read_bytes()).hexdigest() == SEED_SHA256
