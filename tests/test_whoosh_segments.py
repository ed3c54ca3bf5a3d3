"""The Whoosh engine's parallel writing: segments written by lane processes, merged by streaming,
recorded in one TOC per commit. Checked against Whoosh's own writer and reader."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from indexer.engines.whoosh.schema import build_schema

WORDS = (
    "prevent referral police council budget licence review tribunal housing parking fines school "
    "ambulance response survey contract invoice overtime"
).split()


def documents(count: int, seed: int = 1) -> list[dict]:
    """Raw Whoosh field values (the writer analyses them): every document shares common words,
    some share rarer ones, each has a word of its own (a term with one posting)."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        words = rng.choices(WORDS, k=40) + [f"only{i}x", "common", "information"]
        text = " ".join(words)
        docs.append(
            {
                "doc_id": f"corpus/d{i:04}.txt",
                "path": f"/c/d{i:04}.txt",
                "size": 100 + i,
                "mtime": 10**18 + i,
                "fingerprint": f"f{i}",
                "kind": "text",
                "content": text,
                "bigrams": text,
                "title": f"Request {i} about {words[0]}",
                "indexed_at": "2024-01-01",
            }
        )
    return docs


def build(storage, schema, segid: str, docs: list[dict]):
    from indexer.engines.whoosh.segments import SegmentBuilder

    builder = SegmentBuilder(storage, schema, segid)
    for values in docs:
        builder.add_document(**values)
    return builder.finish()


def contents(storage, schema, segment) -> tuple[dict, list, list]:
    """Every term's postings (docnum, weight, value), the stored fields and field lengths, as
    Whoosh's own reader sees them."""
    reader = SegmentReader(storage, schema, segment)
    try:
        terms = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), round(matcher.weight(), 5), matcher.value() or b""))
                matcher.next()
            terms[(fieldname, text)] = found
        live = list(reader.all_doc_ids())
        stored = [reader.stored_fields(d) for d in live]
        lengths = [[reader.doc_field_length(d, f) for f in ("content", "bigrams", "title")] for d in live]
        return terms, stored, lengths
    finally:
        reader.close()


def test_segment_files_are_the_bytes_whoosh_own_field_writer_writes(tmp_path):
    """add_document and write_terms fill the pool and pack terms themselves; Whoosh's own
    add_document and FieldWriter.add_postings, driven posting by posting through the same
    postings writer, must give the very same files (blocks of 128, compressed and not,
    inlined terms, lengths, stored fields and columns)."""
    from indexer.engines.whoosh import segments as S

    schema = build_schema()
    docs = documents(300)

    def files(folder: Path, whoosh_own: bool) -> dict[str, bytes]:
        folder.mkdir()
        storage = FileStorage(str(folder))
        builder = S.SegmentBuilder(storage, schema, "same")
        builder.compound = False  # compare each file
        for values in docs:
            if whoosh_own:  # Whoosh's add_document, posting by posting into the pool
                SegmentWriter.add_document(builder, **values)
            else:
                builder.add_document(**values)
        if whoosh_own:

            def flush():
                builder.perdocwriter.close()
                lengths = S.FieldLengths(builder.per_document_reader())
                items = ((f, t, d, w, v) for (f, t), rows in builder.pool.sorted_terms() for d, w, v in rows)
                builder.fieldwriter.add_postings(schema, lengths, items)
                builder.fieldwriter.close()
                lengths.close()

            builder._flush_segment = flush
        builder.finish()
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    ours, theirs = files(tmp_path / "ours", False), files(tmp_path / "theirs", True)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    terms, _, _ = contents(FileStorage(str(tmp_path / "ours")), schema, _segment("same", 300, compound=False))
    assert len(terms[("content", b"common")]) == 300  # three blocks
    assert len(terms[("content", b"only7x")]) == 1  # inlined
    assert terms[("content", b"only7x")][0][0] == 7


def _segment(segid: str, count: int, compound: bool = True):
    from indexer.engines.whoosh.segments import W3Segment, codec

    segment = W3Segment(codec(), "foi", doccount=count, segid=segid)
    segment.compound = compound
    return segment


def test_a_merged_segment_equals_one_written_at_once(tmp_path, monkeypatch):
    from indexer.engines.whoosh import segments
    from indexer.engines.whoosh.segments import merge_segments

    read: list[tuple[str, int]] = []  # the term entries the merge reads: (field, source)
    written: list[str] = []  # the field of each term written, as it is written
    real_entries, real_terms = segments._field_entries, segments._merged_terms

    def entries(reader, number, fieldname):
        read.append((fieldname, number))
        return real_entries(reader, number, fieldname)

    def terms(*args):
        for (fieldname, btext), postings in real_terms(*args):
            written.append(fieldname)
            # a field's entries are read once all of the previous field's terms are written
            assert read[-1][0] == fieldname
            yield (fieldname, btext), postings

    monkeypatch.setattr(segments, "_field_entries", entries)
    monkeypatch.setattr(segments, "_merged_terms", terms)
    schema = build_schema()
    storage = FileStorage(str(tmp_path))
    docs = documents(300)
    # the first part's common terms have two blocks of postings (128 a block), the rest one
    parts = [
        build(storage, schema, f"part{k}", chunk) for k, chunk in enumerate((docs[:140], docs[140:250], docs[250:]))
    ]
    parts[1].delete_document(5)  # documents 145 and 227 were deleted before the merge
    parts[1].delete_document(87)
    merged = merge_segments(storage, schema, parts, "merged")
    whole = build(storage, schema, "whole", [d for i, d in enumerate(docs) if i not in (145, 227)])
    assert merged.doc_count_all() == 298
    assert contents(storage, schema, merged) == contents(storage, schema, whole)
    fields = sorted(set(written))
    assert len(fields) > 5 and read == [(name, n) for name in fields for n in range(3)]  # a field at a time


def test_deletions_made_while_a_merge_ran_are_carried_to_its_result(tmp_path):
    from indexer.engines.whoosh.lanes import MergeJob, place
    from indexer.engines.whoosh.segments import merge_segments

    schema = build_schema()
    storage = FileStorage(str(tmp_path))
    docs = documents(60)
    a, b, other = (
        build(storage, schema, name, chunk)
        for name, chunk in (("a", docs[:20]), ("b", docs[20:40]), ("other", docs[40:]))
    )
    a.delete_document(3)  # before the merge: the result never holds it
    job = MergeJob(1, [a, b], "m", [frozenset(a.deleted_docs()), frozenset(b.deleted_docs())])
    result = merge_segments(storage, schema, job.sources, job.segid)
    # meanwhile the index deleted documents 10 (in a) and 25 (b, its 6th)
    now_a, now_b = _segment("a", 20), _segment("b", 20)
    for seg, deleted in ((now_a, (3, 10)), (now_b, (5,))):
        for docnum in deleted:
            seg.delete_document(docnum)
    placed = place([now_a, other, now_b], job, result)
    assert [seg.segment_id() for seg in placed] == ["foi_m", "foi_other"]
    reader = SegmentReader(storage, schema, placed[0])
    live = {reader.stored_fields(d)["doc_id"] for d in reader.all_doc_ids()}
    reader.close()
    assert live == {d["doc_id"] for i, d in enumerate(docs[:40]) if i not in (3, 10, 25)}
    # a job whose sources are gone (another commit replaced them) changes nothing
    assert place([other], job, result) == [other]


def _write(engine, docs: list[dict], batch_size: int, workers: int) -> None:
    from indexer.engines.whoosh.lanes import pack

    with engine.writer(batch_size=batch_size, workers=workers) as writer:
        for values in docs:
            writer.add(_Record(pack(values, analysed=False)), replace=False)


class _Record:
    """What the writer reads of an IndexRecord whose fields are prepared."""

    def __init__(self, fields):
        self.fields = fields


def test_many_small_commits_keep_every_document_once_in_few_segments(tmp_path):
    from indexer.engines.whoosh import WhooshEngine

    engine = WhooshEngine(tmp_path / "ix")
    engine.create()
    docs = documents(160)
    _write(engine, docs, batch_size=4, workers=2)  # 40 commits of two 2-document segments
    engine.close()
    engine = WhooshEngine(tmp_path / "ix")
    assert engine.doc_count() == 160
    assert sorted(engine.manifest()) == sorted(d["doc_id"] for d in docs)
    from whoosh import query

    searcher = engine.searcher()

    assert {h["doc_id"] for h in searcher.search(query.Term("content", "only77x"))} == {"corpus/d0077.txt"}
    assert len(list(searcher.docs_for_query(query.Term("content", "common")))) == 160
    segments = engine._ix._read_toc().segments
    assert len(segments) < 20  # tiers merged: not 80 segments
    # no file of a segment the TOC does not name, no temporary folder
    from whoosh.index import TOC

    names, pattern = {seg.segment_id() for seg in segments}, TOC._segment_pattern("foi")
    leftovers = [
        p.name
        for p in (tmp_path / "ix").iterdir()
        if pattern.match(p.name) and pattern.match(p.name).group(1) not in names
    ]
    assert leftovers == [] and not (tmp_path / "ix" / "foi.tmp").exists()
    engine.close()


# 5 good documents and the bad one go to the lanes; 1 and the bad one are written in this
# process (lanes.IN_PROCESS_MAX): either way the commit fails as a whole.
@pytest.mark.parametrize("good", [5, 1], ids=["lanes", "in-process"])
def test_a_document_that_cannot_be_written_fails_the_commit_and_the_index_keeps_the_last(tmp_path, good):
    from indexer.engines.whoosh import WhooshEngine
    from indexer.engines.whoosh.lanes import IN_PROCESS_MAX, LaneFailed, pack

    assert (good + 1 > IN_PROCESS_MAX) == (good == 5)
    engine = WhooshEngine(tmp_path / "ix")
    engine.create()
    docs = documents(12)
    _write(engine, docs[:6], batch_size=100, workers=2)
    bad = dict(docs[6], no_such_field="x")  # Whoosh refuses an unknown field
    with pytest.raises(LaneFailed, match="no_such_field"):
        with engine.writer(batch_size=100, workers=2) as writer:
            for values in docs[7 : 7 + good]:
                writer.add(_Record(pack(values, analysed=False)), replace=False)
            writer.add(_Record(pack(bad, analysed=False)), replace=False)
    engine.close()
    engine = WhooshEngine(tmp_path / "ix")
    assert sorted(engine.manifest()) == sorted(d["doc_id"] for d in docs[:6])
    assert engine.doc_count() == 6
    engine.close()


def _one_segment(path: Path):
    from indexer.engines.whoosh import WhooshEngine

    engine = WhooshEngine(path)
    assert engine.doc_count() == 3
    segments = engine._ix._read_toc().segments
    engine.close()
    assert len(segments) == 1
    return FileStorage(str(path)), segments[0]


def test_a_few_documents_are_written_here_as_a_lane_writes_them_and_no_lane_starts(tmp_path, monkeypatch):
    """Adding a file or two to a big index must not wait for a writer process to start."""
    from indexer.engines.whoosh import WhooshEngine, lanes

    docs = documents(3)
    for name, most in (("lane", 0), ("here", lanes.IN_PROCESS_MAX)):
        engine = WhooshEngine(tmp_path / name)
        engine.create()
        started = []
        with monkeypatch.context() as m:
            m.setattr(lanes, "IN_PROCESS_MAX", most)
            m.setattr(lanes.Lane, "__init__", _spy(lanes.Lane.__init__, started))
            _write(engine, docs, batch_size=100, workers=1)  # one segment either way
        engine.close()
        assert len(started) == (1 if most == 0 else 0), name
    schema = build_schema()
    by_lane, here = (
        contents(storage, schema, segment)
        for storage, segment in map(_one_segment, [tmp_path / "lane", tmp_path / "here"])
    )
    for _terms, stored, _lengths in (by_lane, here):
        for fields in stored:
            fields.pop("indexed_at")  # when each writer started
    assert here == by_lane
    assert len(here[1]) == 3


def _spy(method, calls: list):
    def wrapper(self, *args, **kwargs):
        calls.append(args)
        return method(self, *args, **kwargs)

    return wrapper


@pytest.mark.parametrize("base", [0, 1, 200, 65_000, 2**31])
def test_a_rebased_inlined_entry_is_what_pickling_its_moved_postings_gives(base):
    """A merge moves an inlined term's document numbers by rewriting only their integers in
    the entry's pickle; the bytes must be those of unpickling, moving and pickling again, for
    numbers of every integer opcode (one byte, two, four, and past four: a long) and values
    of every kind."""
    from pickle import dumps, loads

    from indexer.engines.whoosh import segments as S

    def reference(entry: bytes) -> bytes:
        stats = list(S._TERMINFO.unpack_from(entry))
        stats[6] += base
        stats[7] += base
        ids, weights, values = loads(entry[S._ENTRY_SIZE :])
        return S._TERMINFO.pack(*stats) + dumps((tuple(d + base for d in ids), weights, values), 2)

    shared = b"\x05"
    cases = [(0,), (255,), (256,), (65_535,), (65_536,), (2**31 - 1,), (2**31 + 7,), (3, 300), (0, 255, 70_000)]
    checked = 0
    for ids in cases:
        for values in (None, tuple(shared for _ in ids), tuple(bytes([i % 200 + 1, 0xE9]) for i in ids)):
            weights = tuple(1.5 + i for i in range(len(ids)))
            entry = S._TERMINFO.pack(1, sum(weights), len(ids), 1, 2, max(weights), ids[0], ids[-1]) + dumps(
                (ids, weights, values), 2
            )
            if max(ids) + base >= 2**32:
                continue  # past what a term entry records
            assert S._rebased_inline(entry, base) == reference(entry)
            checked += 1
    assert checked >= 20


def test_a_one_posting_entry_is_the_pickle_of_its_posting():
    """write_terms puts a one-posting term's pickle together from three parts made once; the
    parts must join into the pickle of the posting itself whatever it holds."""
    from indexer.engines.whoosh import segments as S

    for docnum in (0, 255, 256, 65_535, 65_536, 2**31 - 1, 2**31):
        for weight in (0.0, -0.0, 1.0, 2.5, 1e30, float("inf")):
            for value in (None, b"", b"\x00", b"\x01\x02", bytes(range(256)) * 2):
                joined = (
                    S._docnum_part(docnum)
                    + S._WEIGHT_PART.pack(S._BINFLOAT, weight, S._WEIGHT_END)
                    + (S._value_part(value) if value else S._NO_VALUE_PART)
                )
                assert joined == S.one_posting_pickle(docnum, weight, value)
