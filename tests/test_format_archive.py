"""Zip archives: every member a child document (recursively, to a depth limit), zip bombs
and path traversal refused, a failing member costing only itself."""

from __future__ import annotations

import io
import os
import random
import warnings
import zipfile

import pytest

from indexer.extract import ExtractionError, ExtractOptions, extract_bytes
from indexer.extract.container import container_of, flatten, outermost, safe_path
from tests.conftest import write_pdf
from tests.office_fixtures import docx_bytes, xlsx_bytes, zip_bytes


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory) -> bytes:
    return write_pdf(tmp_path_factory.mktemp("pdf") / "a.pdf", ["Annex about badger culls"]).read_bytes()


def reasons(doc) -> dict[str, str | None]:
    return {c.path: c.reason for c in doc.children}


def test_members_are_children_in_their_own_formats(pdf_bytes):
    data = zip_bytes(
        {
            "letters/reply.pdf": pdf_bytes,
            "figures.xlsx": xlsx_bytes({"S": [["badgers", 12]]}),
            "notes.txt": b"a note about setts",
            "empty-folder/": b"",
        }
    )
    doc = extract_bytes(data, "bundle.zip")
    assert doc.kind == "archive"
    assert doc.text.splitlines() == ["Archive of 3 files", "letters/reply.pdf", "figures.xlsx", "notes.txt"]
    kinds = {c.path: c.document.kind for c in doc.children}
    assert kinds == {"letters/reply.pdf": "pdf", "figures.xlsx": "sheet", "notes.txt": "text"}
    assert "badger culls" in doc.children[0].document.text
    assert all(len(c.sha256) == 64 and c.size > 0 for c in doc.children)


def test_nested_archives_become_grandchildren_with_doc_ids_and_parents(pdf_bytes):
    inner = zip_bytes({"deep/reply.pdf": pdf_bytes})
    doc = extract_bytes(zip_bytes({"inner.zip": inner, "cover.docx": docx_bytes(["Cover note"])}), "outer.zip")
    flat = [(f.doc_id, f.parent) for f in flatten("corpus/outer.zip", doc)]
    assert flat == [
        ("corpus/outer.zip!/inner.zip", "corpus/outer.zip"),
        ("corpus/outer.zip!/inner.zip!/deep/reply.pdf", "corpus/outer.zip!/inner.zip"),
        ("corpus/outer.zip!/cover.docx", "corpus/outer.zip"),
    ]
    assert container_of("corpus/outer.zip!/inner.zip!/deep/reply.pdf") == "corpus/outer.zip!/inner.zip"
    assert container_of("corpus/outer.zip") is None
    assert outermost("corpus/outer.zip!/inner.zip!/deep/reply.pdf") == "corpus/outer.zip"


def test_nesting_stops_at_the_depth_limit():
    data = b"the innermost words"
    name = "core.txt"
    for level in range(7):
        data, name = zip_bytes({name: data}), f"level{level}.zip"
    doc = extract_bytes(data, "top.zip", ExtractOptions(max_depth=5))
    chain, failed = [], None
    node = doc
    while node is not None and node.children:
        child = node.children[0]
        chain.append(child.path)
        if child.reason:
            failed = child
        node = child.document
    # Five levels below the file on disk are read; the sixth is recorded, not opened.
    assert len(chain) == 6 and failed is not None and failed.reason == "too_deep" and failed.path == chain[-1]
    assert failed.document is None


def test_zip_bombs_are_refused_before_they_are_unpacked():
    bomb = zip_bytes({"zeros.txt": b"\0" * (20 * 1024 * 1024), "fine.txt": b"fine words"})
    doc = extract_bytes(bomb, "bomb.zip")
    assert reasons(doc) == {"zeros.txt": "too_large", "fine.txt": None}
    assert "zip bomb" in doc.children[0].detail


def test_total_unpacked_size_is_limited_over_all_members():
    members = {f"part{i}.txt": (f"words of part {i} " * 30000).encode() for i in range(4)}
    doc = extract_bytes(zip_bytes(members), "parts.zip", ExtractOptions(max_unpacked=1_000_000, max_ratio=10_000))
    assert [c.reason for c in doc.children] == [None, None, "too_large", "too_large"]


def test_member_names_never_leave_the_archive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = zip_bytes(
        {
            "../../evil.txt": b"escape attempt words",
            "/etc/passwd.txt": b"root words",
            "C:\\Windows\\win.txt": b"drive words",
            "a/./b/../c.txt": b"dotted words",
        }
    )
    doc = extract_bytes(data, "traversal.zip")
    assert [c.path for c in doc.children] == ["evil.txt", "etc/passwd.txt", "Windows/win.txt", "a/c.txt"]
    assert all(c.document is not None for c in doc.children)
    assert os.listdir(tmp_path) == [] and not (tmp_path.parent.parent / "evil.txt").exists()
    assert safe_path("..", "member-1") == "member-1"


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the "encrypted" flag of one member in its local and central headers, as a zip
    tool saving with a password does (zipfile cannot write encrypted members)."""
    import struct

    out = bytearray(data)
    encoded = name.encode()
    for signature, flag_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            length = struct.unpack_from("<H", out, at + name_len_at)[0]
            if bytes(out[at + name_at : at + name_at + length]) == encoded:
                struct.pack_into("<H", out, at + flag_at, struct.unpack_from("<H", out, at + flag_at)[0] | 1)
            start = at + 4
    return bytes(out)


def test_a_failing_member_costs_only_itself():
    data = zip_bytes(
        {"good.txt": b"good words", "broken.pdf": b"%PDF-1.4 garbage", "empty.txt": b"", "locked.txt": b"secret words"}
    )
    doc = extract_bytes(mark_encrypted(data, "locked.txt"), "mixed.zip")
    assert reasons(doc) == {"good.txt": None, "broken.pdf": "corrupt", "empty.txt": "empty", "locked.txt": "encrypted"}
    assert "good words" in doc.children[0].document.text


def test_duplicate_member_names_get_distinct_paths():
    buf = io.BytesIO()
    with warnings.catch_warnings():  # zipfile warns about the duplicate name it is told to write
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("reply.txt", b"first words")
            z.writestr("reply.txt", b"second words")
    doc = extract_bytes(buf.getvalue(), "dupes.zip")
    assert [c.path for c in doc.children] == ["reply.txt", "reply-2.txt"]


@pytest.mark.parametrize(
    "data, reason",
    [
        (lambda: zip_bytes({"a.bin": random.Random(1).randbytes(5000)})[:2000], "corrupt"),
        (lambda: b"PK\x05\x06" + b"\0" * 18, "empty"),
    ],
)
def test_bad_archives_get_their_reason(data, reason):
    with pytest.raises(ExtractionError) as err:
        extract_bytes(data(), "bad.zip")
    assert err.value.reason == reason


# ---------------------------------------------------------------- in the index


def test_changing_an_archive_reindexes_its_members(tmp_path, pdf_bytes, engine):
    from indexer.search import SearchService
    from tests.conftest import build_index

    folder = tmp_path / "corpus"
    folder.mkdir()
    bundle = folder / "bundle.zip"
    bundle.write_bytes(zip_bytes({"a/reply.pdf": pdf_bytes, "old.txt": b"the old member about voles"}))
    index = tmp_path / "index"
    first = build_index(folder, index)
    assert (first.added, first.failures) == (3, [])
    os.utime(bundle, ns=(1, 1))  # a new mtime whatever the clock's resolution
    bundle.write_bytes(zip_bytes({"a/reply.pdf": pdf_bytes, "new.txt": b"the new member about shrews"}))
    second = build_index(folder, index)
    assert (second.added, second.updated, second.removed) == (1, 2, 1)
    service = SearchService(index)
    assert service.search("voles").hits == []
    hits = service.search("shrews").hits
    assert [(h.doc_id, h.parent) for h in hits] == [("corpus/bundle.zip!/new.txt", "corpus/bundle.zip")]
    assert service.document("corpus/bundle.zip!/old.txt") is None


def test_a_bad_member_is_reported_and_its_archive_indexed(tmp_path, engine):
    import json

    from tests.conftest import invoke_foi, run_foi

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "bundle.zip").write_bytes(
        zip_bytes(
            {
                "good.txt": b"good member about herons",
                "bad.pdf": b"%PDF-1.4 junk",
                "../up.txt": b"traversing member about egrets",
            }
        )
    )
    index = tmp_path / "index"
    proc = run_foi("index", str(folder), "--index", str(index), "--json", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["added"] == 3
    assert [(f["doc_id"], f["reason"]) for f in summary["failures"]] == [("corpus/bundle.zip!/bad.pdf", "corrupt")]
    assert summary["failures"][0]["path"].endswith("bundle.zip!/bad.pdf")
    found = invoke_foi("search", "egrets", "--json", "--index", index)
    assert [json.loads(line)["doc_id"] for line in found.stdout.splitlines()] == ["corpus/bundle.zip!/up.txt"]
    again = json.loads(invoke_foi("index", folder, "--index", index, "--json").stdout)
    assert (again["unchanged"], again["added"]) == (1, 0)
    assert [f["doc_id"] for f in again["failures"]] == ["corpus/bundle.zip!/bad.pdf"]
    status = json.loads(invoke_foi("status", "--json", "--index", index).stdout)
    assert [f["doc_id"] for f in status["failures"]] == ["corpus/bundle.zip!/bad.pdf"]
    (folder / "bundle.zip").unlink()
    gone = json.loads(invoke_foi("index", folder, "--index", index, "--json").stdout)
    assert (gone["removed"], gone["failures"]) == (3, [])
    assert json.loads(invoke_foi("status", "--json", "--index", index).stdout)["failures"] == []
