"""The extractor registry: each format declares itself once, and discovery, `--kind`, the
kinds, content detection and page markers all follow from it. One folder with a file of
every format (and bad ones) indexes with exit 0, every good file found, every bad one
reported with its reason."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module

import pytest

from indexer import models
from indexer.discover import discover, is_candidate
from indexer.extract import ExtractionError, extract_bytes, registry
from indexer.fields import PAGED_KINDS
from tests.conftest import invoke_foi, run_foi
from tests.office_fixtures import (
    LETTER,
    docx_bytes,
    encrypt_office,
    html_bytes,
    odt_bytes,
    ods_bytes,
    pptx_bytes,
    rtf_bytes,
    xlsx_bytes,
    zip_bytes,
)


def test_every_format_module_declares_the_contract():
    for fmt in registry.formats():
        assert fmt.kind and fmt.suffixes and fmt.description, fmt
        assert all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)
        assert set(fmt.text_suffixes) <= set(fmt.suffixes)
    assert len(registry.suffixes()) == len(set(registry.suffixes())), "a suffix claimed by two formats"
    # discovery matches a name by what follows its last dot
    assert all(s.count(".") == 1 for s in registry.suffixes())


def test_the_suffix_table_is_each_modules_own():
    # registry.suffixes() reads a table, so that a walk imports no format module: it must
    # say what the modules declare, in the order their content is matched.
    assert registry.suffixes() == tuple(s for fmt in registry.formats() for s in fmt.suffixes)
    for name in registry._MODULES:
        assert registry._SUFFIXES[name] == tuple(import_module(f"indexer.extract.{name}").SUFFIXES), name
    assert list(registry._SUFFIXES) == list(registry._MODULES)


def test_a_walk_imports_no_format_module(tmp_path):
    (tmp_path / "reply.pdf").write_bytes(b"%PDF-1.4")
    code = (
        "import sys\n"
        "from indexer.discover import discover\n"
        f"assert [s.path.name for s in discover([{str(tmp_path)!r}])] == ['reply.pdf']\n"
        "print(sorted(m for m in sys.modules if m.startswith('indexer.extract.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out.replace("'", '"')))
    assert loaded.isdisjoint(f"indexer.extract.{name}" for name in registry._MODULES), loaded


def test_kinds_are_the_registry_kinds():
    assert models.KINDS == registry.kinds()
    assert set(registry.kinds()) == {
        "pdf",
        "text",
        "docx",
        "doc",
        "odt",
        "rtf",
        "sheet",
        "slides",
        "html",
        "email",
        "archive",
        "image",
    }
    assert registry.kinds()[-1] == "text"  # plain text takes what no other format claims


def test_paged_kinds():
    assert [k for k in registry.kinds() if registry.is_paged(k)] == ["pdf", "slides", "sheet", "image"]
    assert not registry.is_paged(None) and not registry.is_paged("nonsense")
    # the list a search reads (indexer.fields) is each format module's own PAGED
    assert {fmt.kind for fmt in registry.formats() if fmt.paged} == PAGED_KINDS


def test_discovery_and_cli_choices_follow_the_registry(tmp_path):
    for suffix in registry.suffixes():
        assert is_candidate(f"reply{suffix.upper()}")
        (tmp_path / f"reply{suffix}").write_bytes(b"x")
    (tmp_path / "notes.json").write_bytes(b"{}")
    (tmp_path / "~$reply.docx").write_bytes(b"x")  # Word's lock file
    for temporary in ("reply.pdf~", "reply.docx.tmp", ".reply.txt.swp", "reply.pdf.part", "reply.zip.crdownload"):
        assert not is_candidate(temporary)
        (tmp_path / temporary).write_bytes(b"x")
    found = sorted(s.path.name for s in discover([tmp_path]))
    assert found == sorted(f"reply{s}" for s in registry.suffixes())
    from click.testing import CliRunner

    from indexer.cli import main

    result = CliRunner().invoke(main, ["search", "x", "--kind", "bogus"])
    assert result.exit_code == 2
    for kind in registry.kinds():
        assert kind in result.output


@pytest.mark.parametrize(
    "data, name, kind",
    [
        (lambda: docx_bytes(["a Word file"]), "reply.pdf", "docx"),
        (lambda: xlsx_bytes({"S": [["a workbook"]]}), "reply.docx", "sheet"),
        (lambda: ods_bytes({"S": [["an ods"]]}), "reply.xlsx", "sheet"),
        (lambda: odt_bytes(["an odt"]), "reply.docx", "odt"),
        (lambda: pptx_bytes([("t", "a deck", None)]), "reply.xlsx", "slides"),
        (lambda: rtf_bytes(["an rtf"]), "reply.doc", "rtf"),
        (lambda: html_bytes("t", ["a page"]), "reply.txt", "html"),
        (lambda: b"a plain csv, named as one\n", "reply.csv", "sheet"),
    ],
)
def test_content_decides_the_format_and_the_name_only_for_plain_text(data, name, kind):
    assert extract_bytes(data(), name).kind == kind


def test_a_file_that_is_not_what_its_name_says_is_corrupt():
    with pytest.raises(ExtractionError) as err:
        extract_bytes(b"just words", "reply.xlsx")
    assert err.value.reason == "corrupt" and "named .xlsx but is not a spreadsheet" in err.value.detail


def _folder_of_every_format(root):
    """One good file of each kind (each with its own word) and one bad file of each reason."""
    from tests.office_fixtures import image_bytes
    from PIL import Image

    good = {
        "letter.docx": docx_bytes(LETTER + ["Keyword wombatdocx."]),
        "book.xlsx": xlsx_bytes({"Data": [["wombatxlsx", 1]]}),
        "book.ods": ods_bytes({"Data": [["wombatods"]]}),
        "table.csv": b"a,b\nwombatcsv,2\n",
        "reply.odt": odt_bytes(["wombatodt"]),
        "reply.rtf": rtf_bytes(["wombatrtf"]),
        "deck.pptx": pptx_bytes([("Title", "wombatpptx", None)]),
        "page.html": html_bytes("t", ["wombathtml"]),
        "note.txt": b"wombattxt\n",
        "mail.eml": (
            b"From: foi@example.gov.uk\nTo: me@example.org\nSubject: Reply\n"
            b"Date: Thu, 14 Mar 2024 10:00:00 +0000\n\nwombateml\n"
        ),
        "bundle.zip": zip_bytes({"inner/wombatzip.txt": b"wombatzip member"}),
    }
    bad = {
        "locked.docx": (encrypt_office(docx_bytes(["secret"])), "encrypted"),
        "locked.xlsx": (encrypt_office(xlsx_bytes({"S": [["secret"]]})), "encrypted"),
        "empty.docx": (docx_bytes([]), "empty"),
        "blank.xlsx": (xlsx_bytes({"S": []}), "empty"),
        "zero.pptx": (b"", "empty"),
        "broken.docx": (docx_bytes(["x " * 3000])[:2500], "corrupt"),
        "broken.xlsx": (b"PK\x03\x04 not really", "corrupt"),
        "broken.zip": (b"PK\x03\x04 not really", "corrupt"),
        "text.pptx": (b"plain words", "corrupt"),
        "photo.png": (image_bytes([Image.new("L", (64, 64), 255)], "PNG"), "ocr_unavailable"),
    }
    for name, data in good.items():
        (root / name).write_bytes(data)
    for name, (data, _) in bad.items():
        (root / name).write_bytes(data)
    return good, {name: reason for name, (_, reason) in bad.items()}


def test_a_folder_of_every_format_indexes_with_exit_0(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    good, bad = _folder_of_every_format(root)
    index = tmp_path / "index"
    proc = run_foi("index", str(root), "--index", str(index), "--json", "--no-ocr", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["added"] == len(good) + 1  # and the zip's member
    reasons = {f["doc_id"].removeprefix("mixed/"): f["reason"] for f in summary["failures"]}
    assert reasons == bad
    for name in good:
        word = "wombat" + name.rsplit(".", 1)[1]
        found = invoke_foi("search", word, "--index", index, "--json")
        assert found.returncode == 0, (name, found.stderr)
        want = "mixed/bundle.zip!/inner/wombatzip.txt" if name == "bundle.zip" else f"mixed/{name}"
        assert [json.loads(line)["doc_id"] for line in found.stdout.splitlines()] == [want]
    status = json.loads(invoke_foi("status", "--index", index, "--json").stdout)
    assert status["documents"] == len(good) + 1
    assert status["kinds"] == {
        "archive": 1,
        "docx": 1,
        "email": 1,
        "html": 1,
        "odt": 1,
        "rtf": 1,
        "sheet": 3,
        "slides": 1,
        "text": 2,
    }


def _contents_of_every_kind(tmp_path) -> dict[str, bytes]:
    """Good and bad files of every format, and text that quotes other formats' signatures."""
    from tests.conftest import write_pdf

    root = tmp_path / "every"
    root.mkdir()
    good, bad = _folder_of_every_format(root)
    contents = {name: (root / name).read_bytes() for name in [*good, *bad]}
    contents["reply.pdf"] = write_pdf(tmp_path / "reply.pdf", ["A PDF reply."]).read_bytes()
    contents["junk-first.pdf"] = b"HTTP/1.1 200 OK\r\n\r\n" + contents["reply.pdf"]
    contents["quoting.txt"] = b"The letter said %PDF- and PK and {\\rtf1 in passing.\n"
    return contents


def test_a_format_is_asked_only_for_content_its_gate_lets_through(tmp_path):
    # registry._GATES spare a text file the import of the binary formats' modules: no
    # format's matcher may accept content its gate turns away, or a file would be misread.
    contents = _contents_of_every_kind(tmp_path)
    for name, data in contents.items():
        probe = registry.Probe(data, name)
        for module, gate in registry._GATES.items():
            if not gate(probe.head):
                assert not registry.format_of(module).match(probe), (name, module)
    assert registry._GATES["pdf"](contents["junk-first.pdf"][: registry._HEAD])
    assert registry._PDF_MAGIC == import_module("indexer.extract.pdf").MAGIC


@pytest.mark.parametrize("gated", ["pdf", "word", "sheet"])
def test_a_gate_that_turns_away_its_own_format_is_caught(tmp_path, monkeypatch, gated):
    # the check above fails for a gate that is wrong (here: one that lets nothing through)
    contents = _contents_of_every_kind(tmp_path)
    monkeypatch.setitem(registry._GATES, gated, lambda head: False)
    missed = [
        name
        for name, data in contents.items()
        if registry.format_of(gated).match(registry.Probe(data, name))
        and not registry._GATES[gated](registry.Probe(data, name).head)
    ]
    assert missed


def test_extracting_a_text_file_imports_no_binary_format_module(tmp_path):
    # what an extraction worker does for one text file (prepare: extraction, FOI metadata,
    # the engine's fields) loads neither the PDF, Office nor archive modules, nor their libraries
    path = tmp_path / "docs" / "reply.txt"
    path.parent.mkdir()
    path.write_text("Dear Ms Smith, Leeds City Council holds 120 gritting routes. Yours sincerely")
    code = (
        "import sys, os\n"
        "from pathlib import Path\n"
        "from indexer.pipeline import prepare\n"
        "from indexer.models import IndexRecord, SourceFile\n"
        "from indexer.extract import ExtractOptions\n"
        f"path = {str(path)!r}\n"
        "st = os.stat(path)\n"
        "record = prepare(SourceFile(path, 'docs/reply.txt', st.st_size, st.st_mtime_ns), ExtractOptions())\n"
        "assert isinstance(record, IndexRecord) and record.document.kind == 'text', record\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    binary = {f"indexer.extract.{name}" for name in registry._GATES} | {"indexer.extract.pdf_tables"}
    libraries = {"pypdfium2", "pdfplumber", "docx", "olefile", "python_calamine", "zipfile"}
    assert "indexer.extract.text" in loaded
    assert not loaded & (binary | libraries), sorted(loaded & (binary | libraries))
