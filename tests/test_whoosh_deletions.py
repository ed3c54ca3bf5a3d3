"""A commit's deletions are looked up one segment at a time, in bounded pieces
(index.delete_in_segments), and delete exactly the documents with those doc ids."""

from __future__ import annotations

from whoosh import reading
from whoosh.filedb.filestore import FileStorage

from indexer.engines.whoosh import index as whoosh_index
from indexer.engines.whoosh.schema import INDEX_NAME, build_schema


def _three_segments(folder):
    storage = FileStorage(str(folder))
    ix = storage.create_index(build_schema(), indexname=INDEX_NAME)
    for part in range(3):
        writer = ix.writer()
        for i in range(4):
            writer.add_document(doc_id=f"docs/p{part}-{i}.txt", path=f"/x/p{part}-{i}.txt")
        writer.commit(merge=False)
    return ix


def test_deletions_are_looked_up_a_segment_and_a_few_ids_at_a_time(tmp_path, monkeypatch):
    ix = _three_segments(tmp_path)
    assert len(ix._segments()) == 3
    opened, open_now, most_open = [], [0], [0]

    class Counted(reading.SegmentReader):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self.segment().segment_id())
            open_now[0] += 1
            most_open[0] = max(most_open[0], open_now[0])

        def close(self):
            open_now[0] -= 1
            super().close()

    monkeypatch.setattr(reading, "SegmentReader", Counted)
    monkeypatch.setattr(whoosh_index, "LOOKUPS_PER_OPEN", 2)
    doomed = ["docs/p0-1.txt", "docs/p1-0.txt", "docs/p1-3.txt", "docs/p2-2.txt", "docs/absent.txt"]
    writer = ix.writer()
    whoosh_index.delete_in_segments(writer, doomed)
    writer.commit(merge=False)
    # five ids in pieces of two: each of the three segments opened three times, one at a time
    assert len(opened) == 9 and len(set(opened)) == 3
    assert most_open[0] == 1 and open_now[0] == 0
    with ix.searcher() as searcher:
        left = sorted(fields["doc_id"] for fields in searcher.all_stored_fields())
    every = [f"docs/p{part}-{i}.txt" for part in range(3) for i in range(4)]
    assert left == sorted(set(every) - set(doomed))


def test_no_deletions_open_no_segment(tmp_path, monkeypatch):
    ix = _three_segments(tmp_path)
    monkeypatch.setattr(reading, "SegmentReader", None)  # any use would fail
    writer = ix.writer()
    whoosh_index.delete_in_segments(writer, [])
    writer.cancel()
