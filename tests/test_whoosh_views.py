"""Whoosh segments are read in place: opening a searcher copies no segment into memory
(indexer/engines/whoosh/views.py), and the in-place file reads as a BytesIO would."""

from __future__ import annotations

import io
import pickle
import tracemalloc
from array import array

from hypothesis import given
from hypothesis import strategies as st

from indexer.engines.whoosh.views import ViewFile
from tests.conftest import build_index, write_doc

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readline"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(0, 120)),
        st.tuples(st.just("seek_end"), st.integers(-60, 0)),
        st.tuples(st.just("seek_cur"), st.integers(-10, 30)),
        st.tuples(st.just("peek"), st.integers(0, 40)),
    ),
    max_size=25,
)


@given(data=st.binary(max_size=100).map(lambda b: b.replace(b"x", b"\n")), ops=OPS)
def test_a_view_file_reads_seeks_and_tells_as_a_bytesio(data, ops):
    view, real = ViewFile(memoryview(data)), io.BytesIO(data)
    for op, n in ops:
        if op in ("read", "readline"):
            assert getattr(view, op)(n) == getattr(real, op)(n)
        elif op == "peek":  # what is ahead, without moving
            assert view.peek(n) == data[real.tell() : real.tell() + max(n, 1)]
        elif op == "seek_cur" and real.tell() + n < 0:
            continue
        else:
            whence = {"seek": 0, "seek_cur": 1, "seek_end": 2}[op]
            if op == "seek_end" and len(data) + n < 0:
                continue
            assert view.seek(n, whence) == real.seek(n, whence)
        assert view.tell() == real.tell()
    view.seek(0)
    assert list(view) == io.BytesIO(data).readlines()


def test_pickles_and_arrays_load_from_a_view_file():
    values = array("I", range(1000))
    blob = pickle.dumps({"a": [1, 2, 3]}, protocol=2) + values.tobytes()
    view = ViewFile(memoryview(blob))
    assert pickle.load(view) == {"a": [1, 2, 3]}
    loaded = array("I")
    loaded.fromfile(view, 1000)
    assert loaded == values


def test_opening_a_searcher_copies_no_segment(tmp_path):
    docs = tmp_path / "docs"
    for i in range(60):
        words = " ".join(f"word{i}x{j} common{j % 7}" for j in range(400))
        write_doc(docs, f"r{i:03}.txt", f"Response {i} about street lighting.\n\n{words}\n")
    index = tmp_path / "index"
    build_index(docs, index, engine="whoosh")
    from indexer.engines import engine_for

    engine = engine_for(index)
    engine.optimize()  # one compound segment: the file a searcher maps and reads its inner files from
    engine.close()
    segment = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    tracemalloc.start()
    try:
        engine = engine_for(index)
        searcher = engine.searcher()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert searcher.doc_count() == 60
    assert [h.stored["doc_id"] for h in engine.search(_term("word7x3")).hits] == ["docs/r007.txt"]
    engine.close()
    assert peak < segment.stat().st_size / 4, (peak, segment.stat().st_size)


def _term(word: str):
    from indexer.query import parse

    return parse(word).tree


@given(
    keys=st.lists(st.binary(min_size=1, max_size=12), max_size=300, unique=True),
    extras=st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
def test_a_term_table_opens_as_whooshs_own_reader_opens_it(keys, extras):
    """HashReader's directory read in one piece (views.py): the same tables, extras and
    lookups as Whoosh's entry-by-entry reading; a truncated table is refused."""
    import pytest
    from whoosh.filedb.filestore import RamStorage
    from whoosh.filedb.filetables import HashReader, HashWriter

    from indexer.engines.whoosh import views

    storage = RamStorage()
    writer = HashWriter(storage.create_file("t"))
    writer.extras.update(extras)
    for key in keys:
        writer.add(key, key[::-1])
    writer.close()
    ours = HashReader.open(storage, "t")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(HashReader, "__init__", views._whoosh_hash_reader_init)
        theirs = HashReader.open(storage, "t")
    assert HashReader.__init__ is views._hash_reader_init
    assert {k: v for k, v in vars(ours).items() if k != "dbfile"} == {
        k: v for k, v in vars(theirs).items() if k != "dbfile"
    }
    assert all(ours[key] == key[::-1] for key in keys)
    data = storage.open_file("t").read()
    storage.create_file("cut").write(data[:4] + data[-300:])
    with pytest.raises(Exception):  # noqa: B017 - Whoosh raises several kinds; the engine reports IndexDamaged
        HashReader.open(storage, "cut")


def test_closing_a_searcher_unmaps_its_segments(tmp_path):
    """Each segment's map is let go when its reader closes: a view of it still held would
    keep the whole segment mapped (and the pages read counted in the process's memory)
    until the garbage collector found it."""
    docs = tmp_path / "docs"
    for i in range(30):
        write_doc(docs, f"r{i:03}.txt", f"Response {i} about street lighting and word{i}.\n")
    index = tmp_path / "index"
    build_index(docs, index, engine="whoosh")
    from indexer.engines import engine_for

    engine = engine_for(index)
    engine.optimize()
    engine.close()
    engine = engine_for(index)
    searcher = engine.searcher()
    assert [h.stored["doc_id"] for h in engine.search(_term("word7")).hits] == ["docs/r007.txt"]
    storages = [reader._storage.a for reader, _ in searcher.reader().leaf_readers()]  # the compound file, overlaid
    assert storages and all(s._source is not None and not s._source.closed for s in storages)
    engine.close()
    assert all(s._source.closed for s in storages)
