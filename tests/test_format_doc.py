"""Word 97-2003 (.doc) through antiword: the real Barnsley letter, tables as rows, and a
clear `unsupported` with a hint when antiword is not installed."""

from __future__ import annotations

import json
import shutil

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.extract import word97
from indexer.metadata import extract_metadata
from tests.conftest import SHARED

REAL = SHARED / "corpus-real" / "formats"
needs_real = pytest.mark.skipif(not (REAL / "Barnsley.doc").exists(), reason="../shared/corpus-real/formats is absent")
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed (`make setup`)")


@needs_real
@needs_antiword
def test_real_barnsley_letter_text_and_metadata():
    label = json.loads((REAL / "LABELS.json").read_text())["docs"]["Barnsley.doc"]
    doc = extract_bytes((REAL / "Barnsley.doc").read_bytes(), "Barnsley.doc")
    assert doc.kind == label["kind"]
    for word in label["words"]:
        assert word in doc.text
    assert "My Ref:\tFOIA1266" in doc.text.splitlines()[0]  # the letterhead table, one row a line
    assert "[pic]" not in doc.text
    meta = extract_metadata(doc.text)
    assert (meta.reference, meta.date, meta.request_date) == (label["reference"], label["date"], label["request_date"])


@needs_real
def test_missing_antiword_is_unsupported_with_a_hint(monkeypatch):
    monkeypatch.setattr(word97.shutil, "which", lambda name: None)
    with pytest.raises(ExtractionError) as err:
        extract_bytes((REAL / "Barnsley.doc").read_bytes(), "Barnsley.doc")
    assert err.value.reason == "unsupported"
    assert "apt-get install antiword" in err.value.detail


def test_missing_antiword_without_the_real_file(monkeypatch):
    monkeypatch.setattr(word97.shutil, "which", lambda name: None)
    with pytest.raises(ExtractionError) as err:
        word97.extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", word97.ExtractOptions())
    assert err.value.reason == "unsupported" and "antiword" in err.value.detail


def test_antiword_tables_become_tab_separated_rows():
    out = word97.tidy("|Dave Rowe   |     |My Ref:  |FOIA1266   |\n[pic]\nDear Dave,\n")
    assert out.splitlines() == ["Dave Rowe\tMy Ref:\tFOIA1266", "", "Dear Dave,"]


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt"),
        (b"plain words saved with a .doc name", "corrupt"),
    ],
)
def test_bad_doc_files_get_their_reason(data, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data, "letter.doc")
    assert err.value.reason == reason
