"""Hostile file trees and sidecars: deep folders, links out of the root, colliding doc ids,
names at the file system's limit, huge or deeply nested sidecars, deleted sidecars.

`foi` runs through Click's CliRunner in this process (the exit codes, output and messages
of a real run, without 0.7 s of CPU for each process's imports); one usage error runs as a
real process, to see its single line as a user does.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import discover as discover_module
from indexer.discover import discover
from indexer.extract.base import ExtractionError
from indexer.sidecar import MAX_DEPTH, _nesting, read_sidecar
from tests.conftest import invoke_foi, run_foi, write_doc


def foi_json(*args):
    proc = invoke_foi(*map(str, args))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def ids(index, query):
    """The doc_ids `foi search` finds (run in this process: reading back is not under test)."""
    proc = invoke_foi("search", query, "--json", "--limit", "50", "--index", index)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(json.loads(line)["doc_id"] for line in proc.stdout.splitlines())


def failures_by_reason(summary: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in summary["failures"]:
        found.setdefault(f["reason"], set()).add(f["doc_id"])
    return found


# ---------------------------------------------------------------- deep trees


def test_a_500_deep_tree_indexes(tmp_path):
    folder = tmp_path / "corpus"
    deep = folder.joinpath(*["d"] * 500)
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text("A deeply filed response about lighthouse keepers.")
    summary = foi_json("index", folder, "--index", tmp_path / "index", "--json", "--jobs", "1")
    assert (summary["added"], summary["failed"], summary["warnings"]) == (1, 0, [])
    assert ids(tmp_path / "index", "lighthouse") == ["corpus/" + "d/" * 500 + "deep.txt"]


def test_folders_below_the_depth_limit_are_a_warning_not_a_failure(tmp_path, monkeypatch):
    from indexer.output import console, print_summary
    from indexer.pipeline import RunOptions, run_index

    monkeypatch.setattr(discover_module, "MAX_DEPTH", 3)
    folder = tmp_path / "docs"
    for depth in range(1, 6):
        write_doc(folder.joinpath(*["d"] * depth), f"at{depth}.txt", f"Response filed {depth} deep about moorings.")
    summary = run_index([folder], tmp_path / "index", RunOptions(jobs=1))
    assert summary.added == 3 and summary.failures == []
    assert len(summary.warnings) == 1 and "more than 3 folders below" in summary.warnings[0]
    assert summary.to_dict()["warnings"] == summary.warnings
    con = console()
    with con.capture() as captured:
        print_summary(con, summary)
    assert "warning: " in captured.get() and "d/d/d/d" in captured.get()


# ---------------------------------------------------------------- symbolic links


@pytest.fixture
def linked_tree(tmp_path):
    """corpus/ with links out of it (a shadow-like file, /), inside it, and in a loop."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "shadow.txt").write_text("root:$6$zebrafishhash:19000:0:99999:7:::\n")
    other = tmp_path / "other"
    write_doc(other, "bins.txt", "The other folder holds a response about wheelie bins.")
    corpus = tmp_path / "corpus"
    write_doc(corpus / "sub", "library.txt", "A response about library opening hours.")
    os.symlink(secret / "shadow.txt", corpus / "shadow.txt")
    os.symlink("/", corpus / "everything")
    os.symlink("sub", corpus / "sublink")  # inside the root: followed, read once
    os.symlink("..", corpus / "sub" / "up")  # a loop inside the root
    os.symlink(other, corpus / "otherlink")
    return tmp_path


def test_links_out_of_the_folder_are_reported_and_not_followed(linked_tree):
    index = linked_tree / "index"
    summary = foi_json("index", linked_tree / "corpus", "--index", index, "--json", "--jobs", "1")
    assert failures_by_reason(summary)["outside_root"] == {"corpus/shadow.txt", "corpus/everything", "corpus/otherlink"}
    assert summary["added"] == 1  # the library response, once (not again through sublink or the loop)
    details = {f["doc_id"]: f["detail"] for f in summary["failures"]}
    assert "a link to /," in details["corpus/everything"] and "--follow-links" in details["corpus/everything"]
    assert ids(index, "zebrafishhash") == []
    assert invoke_foi("show", "corpus/shadow.txt", "--index", index).returncode == 1
    assert foi_json("status", "--json", "--index", index)["documents"] == 1
    again = invoke_foi("index", linked_tree / "corpus", "--index", index, "--jobs", "1")
    assert "3 files still failing" in again.stdout  # told once; later runs summarise them
    human = invoke_foi("index", linked_tree / "corpus", "--index", linked_tree / "index2", "--jobs", "1")
    assert "failed: " in human.stdout and "outside_root" in human.stdout


def test_follow_links_follows_into_other_roots_given_but_never_outside(linked_tree):
    index = linked_tree / "index"
    summary = foi_json(
        "index",
        linked_tree / "corpus",
        linked_tree / "other",
        "--follow-links",
        "--index",
        index,
        "--json",
        "--jobs",
        "1",
    )
    assert failures_by_reason(summary)["outside_root"] == {"corpus/shadow.txt", "corpus/everything"}
    assert ids(index, "wheelie") == ["corpus/otherlink/bins.txt"]  # reached first through the link
    assert ids(index, "zebrafishhash") == []


# ---------------------------------------------------------------- doc ids never collide


def test_two_folders_with_one_name_are_a_usage_error_until_one_is_named(tmp_path):
    x, y = tmp_path / "x" / "corpus", tmp_path / "y" / "corpus"
    write_doc(x, "reply.txt", "The x council replied about gritting routes.")
    write_doc(y, "reply.txt", "The y council replied about gritting lorries.")
    index = tmp_path / "index"

    both = run_foi("index", str(x), str(y), "--index", str(index))  # a real process: one line, no traceback
    assert both.returncode == 2
    assert str(x) in both.stderr and str(y) in both.stderr and "--name" in both.stderr
    assert len(both.stderr.strip().splitlines()) == 1
    assert not index.exists() or not any(index.iterdir())  # nothing written

    foi_json("index", x, "--index", index, "--json", "--jobs", "1")
    later = invoke_foi("index", y, "--index", index)  # x is recorded and still there
    assert later.returncode == 2 and str(x) in later.stderr and "--name" in later.stderr
    assert ids(index, "gritting") == ["corpus/reply.txt"]  # never silently replaced

    named = foi_json("index", y, "--name", "y-corpus", "--index", index, "--json", "--jobs", "1")
    assert named["added"] == 1
    again = foi_json("index", y, "--index", index, "--json")  # the name is kept without --name
    assert (again["added"], again["unchanged"]) == (0, 1)
    assert ids(index, "gritting") == ["corpus/reply.txt", "y-corpus/reply.txt"]
    both_now = foi_json("index", x, y, "--index", index, "--json")
    assert (both_now["added"], both_now["removed"], both_now["unchanged"]) == (0, 0, 2)


def test_renaming_a_folder_replaces_its_doc_ids_instead_of_duplicating(tmp_path):
    folder = tmp_path / "corpus"
    write_doc(folder, "reply.txt", "A reply about swimming pool temperatures.")
    index = tmp_path / "index"
    foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    renamed = foi_json("index", folder, "--name", "pools", "--index", index, "--json", "--jobs", "1")
    assert (renamed["added"], renamed["removed"]) == (1, 1)
    assert ids(index, "swimming") == ["pools/reply.txt"]


def test_a_lost_run_log_keeps_a_named_folders_doc_ids(tmp_path):
    folder = tmp_path / "corpus"
    write_doc(folder, "reply.txt", "A reply about swimming pool temperatures.")
    index = tmp_path / "index"
    foi_json("index", folder, "--name", "pools", "--index", index, "--json", "--jobs", "1")
    (index / "foi-state.json").unlink()  # the recorded name goes with it
    again = foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    assert (again["added"], again["removed"], again["unchanged"]) == (0, 0, 1)
    assert ids(index, "swimming") == ["pools/reply.txt"]


@pytest.mark.parametrize("bad", ["a/b", "", "x!y", "..", " padded"])
def test_an_unusable_name_is_a_usage_error(tmp_path, bad):
    write_doc(tmp_path / "corpus", "a.txt", "Text.")
    proc = invoke_foi("index", tmp_path / "corpus", "--name", bad, "--index", tmp_path / "index")
    assert proc.returncode == 2 and "--name" in proc.stderr


# ---------------------------------------------------------------- names at the limit


def test_names_up_to_the_file_system_limit_index(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    limit = os.pathconf(folder, "PC_NAME_MAX")
    if limit < 255:
        pytest.skip(f"this file system allows {limit}-byte names")
    names = []
    for length in (246, 250, 255):
        name = f"{length}-" + "n" * (length - len(f"{length}-") - 4) + ".txt"
        assert len(name.encode()) == length
        (folder / name).write_text(f"A response about lighthouses, filed under a {length}-byte name.")
        names.append(name)
    near = "m" * 230 + ".txt"  # its stem sidecar (245 bytes) fits, `near.meta.json` does not
    (folder / near).write_text("A response about harbour dues.")
    (folder / ("m" * 230 + ".meta.json")).write_text('{"title": "Harbour dues"}')
    index = tmp_path / "index"
    summary = foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    assert (summary["added"], summary["failed"]) == (4, 0), summary["failures"]
    assert ids(index, "lighthouses") == sorted(f"corpus/{n}" for n in names)
    shown = foi_json("show", f"corpus/{near}", "--json", "--index", index)
    assert shown["title"] == "Harbour dues"


# ---------------------------------------------------------------- sidecars


def test_a_huge_and_a_deeply_nested_sidecar_cost_only_the_overrides(tmp_path):
    folder = tmp_path / "corpus"
    write_doc(folder, "huge.txt", "A response about tidal barriers.")
    with open(folder / "huge.txt.meta.json", "wb") as out:  # 2 GB, sparse: reading it would take 2 GB
        out.truncate(2 * 1024**3)
    write_doc(folder, "deep.txt", "A response about canal locks.")
    (folder / "deep.txt.meta.json").write_text("[" * 100_000 + "]" * 100_000)
    write_doc(folder, "pending.txt", "A response about ferry fares.")
    index = tmp_path / "index"
    summary = foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    assert summary["added"] == 3  # every document is indexed, without its sidecar
    details = {f["doc_id"]: f["detail"] for f in summary["failures"] if f["reason"] == "bad_sidecar"}
    assert "limit" in details["corpus/huge.txt"] and "2,147,483,648 bytes" in details["corpus/huge.txt"]
    assert "nested 100,000 deep" in details["corpus/deep.txt"]
    assert ids(index, "barriers") == ["corpus/huge.txt"] and ids(index, "locks") == ["corpus/deep.txt"]
    again = foi_json("index", folder, "--index", index, "--json")  # the fingerprint path reads them too
    assert (again["unchanged"], again["updated"]) == (3, 0)


def test_sidecar_size_and_depth_limits_are_exact(tmp_path):
    path = tmp_path / "a.txt.meta.json"
    path.write_text(json.dumps({"title": "x" * (1024 * 1024 - 20)}))
    assert len(path.read_bytes()) <= 1024 * 1024
    assert read_sidecar(path)[0]["title"].startswith("x")
    path.write_text(json.dumps({"title": "x" * (1024 * 1024)}))
    with pytest.raises(ExtractionError, match="limit"):
        read_sidecar(path)
    nested = {"extra": [[["x"]]]}
    for _ in range(MAX_DEPTH - 4):
        nested = {"extra": nested} if isinstance(nested, dict) else [nested]
    path.write_text(json.dumps(nested))
    read_sidecar(path)  # exactly MAX_DEPTH deep
    assert _nesting(b'{"many": [' + b"[]," * 100 + b'[]], "s": "[[[[\\\\"}') == 3  # wide, not deep
    path.write_text(json.dumps([nested]))
    with pytest.raises(ExtractionError, match=f"nested {MAX_DEPTH + 1} deep"):
        read_sidecar(path)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=90), st.text(alphabet='[]{}"\\ ab', max_size=12))
def test_nesting_counts_brackets_outside_strings_only(depth, text):
    value = {"s": text, "t": [text, {"u": text}]}
    for _ in range(depth):
        value = [text, value, "]]]{{{"]
    raw = json.dumps(value).encode()
    expected = _depth(value)
    measured = _nesting(raw)
    assert measured == expected or (measured == 0 and raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH)


def test_a_sidecar_that_is_a_link_or_a_fifo_is_not_read(tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"title": "Leaked from elsewhere"}')
    link = tmp_path / "doc.txt.meta.json"
    os.symlink(outside, link)
    with pytest.raises(ExtractionError, match="link"):
        read_sidecar(link)
    fifo = tmp_path / "pipe.txt.meta.json"
    os.mkfifo(fifo)
    with pytest.raises(ExtractionError, match="not a regular file"):
        read_sidecar(fifo)  # would block for ever if opened for a plain read


def test_exemption_lists_are_bounded_and_deduplicated(tmp_path):
    path = tmp_path / "a.txt.meta.json"
    path.write_text(json.dumps({"exemptions": [f"s{n}" for n in range(100_000)]}))
    from indexer.models import FoiMetadata
    from indexer.sidecar import apply_sidecar

    with pytest.raises(ExtractionError, match="at most"):
        apply_sidecar(FoiMetadata(), read_sidecar(path)[0])
    meta, _ = apply_sidecar(FoiMetadata(), {"exemptions": ["s40(2)", "section 40(2)", "s40(2)", "s43"] * 200})
    assert meta.exemptions == ["s40(2)", "s43"]


def test_deleting_a_sidecar_reindexes_its_document(tmp_path):
    folder = tmp_path / "corpus"
    write_doc(folder, "reply.txt", "Sheffield City Council\nA response about street trees.", title="Pinned title")
    index = tmp_path / "index"
    foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    assert foi_json("show", "corpus/reply.txt", "--json", "--index", index)["title"] == "Pinned title"
    (folder / "reply.txt.meta.json").unlink()
    summary = foi_json("index", folder, "--index", index, "--json", "--jobs", "1")
    assert (summary["updated"], summary["unchanged"]) == (1, 0)
    assert foi_json("show", "corpus/reply.txt", "--json", "--index", index)["title"] != "Pinned title"
    assert foi_json("index", folder, "--index", index, "--json")["unchanged"] == 1


# ---------------------------------------------------------------- discovery in process


def test_discovery_needs_no_recursion(tmp_path):
    """The walk is iterative: a tree deeper than the room left on the stack is walked."""
    folder = tmp_path / "docs"
    deep = folder.joinpath(*["d"] * 150)
    deep.mkdir(parents=True)
    (deep / "x.txt").write_text("deep")
    frames, frame = 0, sys._getframe()
    while frame is not None:
        frames, frame = frames + 1, frame.f_back
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(frames + 60)  # one frame per folder would need 150 more
    try:
        found = list(discover([folder]))
    finally:
        sys.setrecursionlimit(old_limit)
    assert [s.path.name for s in found] == ["x.txt"]
