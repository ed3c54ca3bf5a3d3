"""Spreadsheets (.xlsx/.xls/.ods/.csv): every sheet a page named after it, hidden sheets
included and marked, rows as tab-separated lines; the real released returns read right."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from indexer.extract import ExtractionError, extract_bytes
from indexer.search import Filters, SearchService
from tests.conftest import SHARED, build_index
from tests.office_fixtures import encrypt_office, ods_bytes, xlsx_bytes

REAL = SHARED / "corpus-real" / "formats"
needs_real = pytest.mark.skipif(not (REAL / "LABELS.json").exists(), reason="../shared/corpus-real/formats is absent")

BOOK = {
    "Summary": [["Authority", "Requests", "Refused"], ["Leeds", 1200, 45.0], ["York", 300, 2.5]],
    "Dates": [["Received", "Answered"], [dt.datetime(2023, 4, 1), dt.datetime(2023, 4, 28)]],
    "Workings": [["internal note", "do not release marmoset"]],
}


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return xlsx_bytes(BOOK, hidden=("Workings",))


def test_every_sheet_is_a_named_page_and_hidden_ones_are_marked(workbook):
    doc = extract_bytes(workbook, "returns.xlsx")
    assert doc.kind == "sheet"
    assert [p.name for p in doc.pages] == ["Summary", "Dates", "Workings (hidden)"]
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[2].text.splitlines()[0] == "Sheet: Workings (hidden)"
    assert "do not release marmoset" in doc.pages[2].text


def test_rows_are_tab_separated_lines_with_values_as_written(workbook):
    doc = extract_bytes(workbook, "returns.xlsx")
    assert doc.pages[0].text.splitlines()[1:] == ["Authority\tRequests\tRefused", "Leeds\t1200\t45", "York\t300\t2.5"]
    assert "2023-04-01\t2023-04-28" in doc.pages[1].text.splitlines()


def test_ods_and_csv():
    ods = extract_bytes(
        ods_bytes({"Figures": [["Ward", "Trees"], ["Hillsborough", "340"]], "Notes": [["felled"]]}), "t.ods"
    )
    assert [p.name for p in ods.pages] == ["Figures", "Notes"]
    assert "Hillsborough\t340" in ods.pages[0].text.splitlines()
    csv = extract_bytes('Ward;Trees\nHillsborough;340\n"Nether Edge; west";12\n'.encode(), "t.csv")
    assert csv.kind == "sheet"
    assert csv.text.splitlines() == ["Ward\tTrees", "Hillsborough\t340", "Nether Edge; west\t12"]


def test_indexed_sheet_is_searchable_by_cell_and_kind(tmp_path, workbook):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "returns.xlsx").write_bytes(workbook)
    (folder / "trees.csv").write_text("Ward,Trees\nCrookes,77\n", encoding="utf-8")
    assert not build_index(folder, tmp_path / "index").failures
    service = SearchService(tmp_path / "index")
    assert [h.doc_id for h in service.search("marmoset", Filters(kind="sheet")).hits] == ["docs/returns.xlsx"]
    assert [h.doc_id for h in service.search("Crookes").hits] == ["docs/trees.csv"]
    assert service.document("docs/returns.xlsx").metadata["pages"] == 3


@pytest.mark.parametrize(
    "make, name, reason",
    [
        (lambda: encrypt_office(xlsx_bytes({"S": [["locked"]]})), "x.xlsx", "encrypted"),
        (lambda: xlsx_bytes({"Empty": []}), "x.xlsx", "empty"),
        (lambda: xlsx_bytes({"S": [["cut"] * 50] * 200})[:2000], "x.xlsx", "corrupt"),
        (lambda: b"", "x.csv", "empty"),
    ],
)
def test_bad_workbooks_get_their_reason(make, name, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(make(), name)
    assert err.value.reason == reason


@needs_real
@pytest.mark.parametrize("name", ["Blackburn.xlsx", "Bolton.xlsx", "AberdeenCity.xls"])
def test_real_returns(name):
    label = json.loads((REAL / "LABELS.json").read_text())["docs"][name]
    doc = extract_bytes((REAL / name).read_bytes(), name)
    assert doc.kind == label["kind"] and len(doc.pages) == label["sheets"]
    for phrase in label["words"]:
        assert phrase in doc.text


@needs_real
def test_real_very_hidden_sheets_are_read_and_marked():
    doc = extract_bytes((REAL / "AberdeenCity.xls").read_bytes(), "AberdeenCity.xls")
    hidden = [p.name for p in doc.pages if p.name.endswith("(hidden)")]
    assert hidden == ["Data (hidden)", "LY (hidden)"]
    assert all(len(p.text.splitlines()) > 10 for p in doc.pages if p.name in hidden)
