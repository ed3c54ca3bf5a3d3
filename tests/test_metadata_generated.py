"""Metadata accuracy on documents the extractor was not written against: synthetic FOI
responses from bench/generate.py (another engineer's generator, with its own ground truth in
labels.jsonl), read through indexer.extract exactly as the indexer reads them.

Two seeds, neither used by the fixtures in tests/metadata_fixtures.py:
- DEV_SEED: the misses of this seed were read, and the general rules behind them fixed;
- HOLDOUT_SEED: measured only before and after those fixes, its misses never read, so its
  figures say whether the fixes generalise rather than fit one sample.

Floors sit a little under what both seeds reach, so a regression fails while a document or
two of generator noise does not. The misses left are not fitted, on purpose:
- generator labels: the Prevent topic's background sentence "... is held by Counter Terrorism
  Policing and is not recorded locally" is used as an answer in responses labelled
  "disclosed" (we read it as partly not held); a one-question "partial" response withholds its
  only question, so the letter is a refusal that says "applies to part of your request";
- extraction: cp1252 text files are decoded as mac_roman/cp850 about half the time, so the
  subject-line dash "–" arrives as "û"/"ñ" and sticks to the title.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench.generate import generate_corpus
from indexer.extract import extract_bytes
from indexer.metadata import extract_metadata

DEV_SEED = 2024
HOLDOUT_SEED = 4242
DOCS = 300

# Issue #3 floors are reference/date/authority 95%, exemptions F1 0.9, outcome 85%; these are
# what the extractor honestly reaches on both seeds (see the printed table), less a margin.
FLOORS = {
    "reference": 0.98,
    "authority": 0.98,
    "date": 0.98,
    "request_date": 0.97,
    "outcome": 0.95,
    "qa_count": 0.97,
    "title": 0.93,
}
EXEMPTIONS_F1 = 0.97
FIELDS = ("reference", "authority", "date", "request_date", "outcome", "qa_count", "title")


def _observed(m) -> dict:
    return {
        "reference": m.reference,
        "authority": m.authority,
        "date": m.date,
        "request_date": m.request_date,
        "outcome": m.outcome,
        "qa_count": len(m.qa),
        "title": m.title,
    }


def _same(field: str, got, expected) -> bool:
    if field == "title":  # the label is the topic as a heading; mid-sentence it may start lower-case
        return (got or "").casefold() == (expected or "").casefold()
    return got == expected


def _measure(out: Path, seed: int) -> dict:
    generate_corpus(out, docs=DOCS, seed=seed, pdf_ratio=0.0, jobs=1)
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = []
    for label in labels:
        path = out / label["file"]
        texts.append(extract_bytes(path.read_bytes(), path.name).text)
    hits = dict.fromkeys(FIELDS, 0)
    tp = fp = fn = 0
    misses: list[str] = []
    start = time.process_time()
    results = [extract_metadata(t) for t in texts]
    cpu = time.process_time() - start
    for label, m in zip(labels, results):
        got = _observed(m)
        for field in FIELDS:
            if _same(field, got[field], label[field]):
                hits[field] += 1
            else:
                misses.append(f"{label['file']}: {field} expected {label[field]!r} got {got[field]!r}")
        expected, found = set(label["exemptions"]), set(m.exemptions)
        tp, fp, fn = tp + len(expected & found), fp + len(found - expected), fn + len(expected - found)
        if expected != found:
            misses.append(f"{label['file']}: exemptions expected {sorted(expected)} got {sorted(found)}")
    words = sum(len(t.split()) for t in texts)
    return {
        "accuracy": {f: hits[f] / len(labels) for f in FIELDS},
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0,
        "misses": misses,
        "ms_per_1000_words": cpu / words * 1e6,
        "labels": labels,
    }


@pytest.fixture(scope="module", params=[DEV_SEED, HOLDOUT_SEED], ids=["dev-seed", "holdout-seed"])
def measured(request, tmp_path_factory):
    seed = request.param
    return seed, _measure(tmp_path_factory.mktemp(f"generated-{seed}"), seed)


def test_per_field_accuracy_on_generated_responses(measured, capsys):
    seed, r = measured
    acc = r["accuracy"]
    with capsys.disabled():
        print(
            f"\ngenerated responses, seed {seed}, {DOCS} text documents "
            f"({r['ms_per_1000_words']:.2f} ms CPU per 1,000 words):"
        )
        print("  " + "".join(f"{f:>13}" for f in FIELDS) + f"{'exemptions F1':>15}")
        print("  " + "".join(f"{acc[f]:>13.1%}" for f in FIELDS) + f"{r['f1']:>15.3f}")
        for line in r["misses"]:
            print("  miss:", line)
    for field, floor in FLOORS.items():
        assert acc[field] >= floor, (seed, field, acc[field], r["misses"])
    assert r["f1"] >= EXEMPTIONS_F1, (seed, r["f1"], r["misses"])


def test_generated_corpus_is_varied(measured):
    """The figures mean something only if the sample covers the layouts and outcomes."""
    seed, r = measured
    labels = r["labels"]
    assert len(labels) == DOCS
    assert {x["outcome"] for x in labels} == {"disclosed", "partial", "refused", "not_held", "ncnd"}, seed
    assert {x["layout"] for x in labels} == {"letter", "email", "markdown"}, seed
    assert 0 < sum(x["request_date"] is None for x in labels) < DOCS
    assert sum(bool(x["exemptions"]) for x in labels) > DOCS // 4
    assert sum(x["qa_count"] > 0 for x in labels) > DOCS // 4
