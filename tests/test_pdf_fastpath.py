"""The fast PDF path (pypdfium2 text, pdfplumber only for pages with tables) gives the same
text as pdfplumber, and `--jobs 2` gives the same index as `--jobs 1`."""

from __future__ import annotations

import json
import re
from collections import Counter

import pdfplumber
import pytest

from indexer.extract import extract_bytes
from tests.conftest import build_index


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from bench.generate import generate_corpus

    out = tmp_path_factory.mktemp("gen") / "gen"
    generate_corpus(out, docs=40, seed=5, pdf_ratio=0.5, max_pages=6)
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    return out, labels


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_fast_path_text_equals_pdfplumber_up_to_whitespace(generated):
    out, labels = generated
    pdfs = [out / x["file"] for x in labels if x["kind"] == "pdf"]
    assert len(pdfs) >= 10
    compared = with_tables = 0
    for path in pdfs:
        ours = extract_bytes(path.read_bytes(), path.name)
        with pdfplumber.open(path) as pdf:
            assert len(ours.pages) == len(pdf.pages)
            for page, plumbed in zip(ours.pages, pdf.pages):
                if plumbed.find_tables():
                    with_tables += 1
                    # table pages come from pdfplumber itself, with cells joined as rows
                    rows = [r for t in plumbed.extract_tables() for r in t]
                    for row in rows:
                        assert " | ".join(" ".join((c or "").split()) for c in row) in page.text
                    continue
                theirs = plumbed.extract_text()
                if _squash(page.text) != _squash(theirs):
                    # two-column pages: pdfplumber interleaves the columns line by line,
                    # pypdfium2 keeps reading order; the words must still be the same
                    assert Counter(page.text.split()) == Counter(theirs.split()), (path.name, page.number)
                compared += 1
    assert compared >= 20 and with_tables >= 1


def _stored(index_dir):
    from indexer.search import SearchService

    service = SearchService(index_dir)
    docs = {}
    for doc_id in service.engine.manifest():
        fields = dict(service.engine.document(doc_id))
        fields.pop("indexed_at", None)
        docs[doc_id] = fields
    service.close()
    return docs


def test_jobs_2_indexes_the_same_documents_as_jobs_1(generated, tmp_path):
    out, labels = generated
    one = build_index(out, tmp_path / "one")
    from indexer.pipeline import RunOptions, run_index

    two = run_index([out], tmp_path / "two", RunOptions(jobs=2))
    assert one.added == two.added == len(labels) and one.failed == two.failed == 0
    assert _stored(tmp_path / "one") == _stored(tmp_path / "two")
