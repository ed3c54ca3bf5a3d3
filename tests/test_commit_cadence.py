"""When an engine writer commits: at the batch size, when the open batch has waited too long,
and before a commit would take longer than its budget (what Ctrl+C waits for at most).

A fake engine writer on a fake clock: the rules are the base class's, the same for every engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import indexer.engines.base as base
from indexer.engines.base import EngineWriter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(base.time, "monotonic", fake)
    monkeypatch.setattr(base.time, "process_time", fake)  # what commits are measured with
    return fake


class FakeWriter(EngineWriter):
    commit_seconds_per_op = 0.01

    def __init__(self, clock: Clock, cost_per_op: float = 0.0, **options):
        super().__init__(index_dir=Path("unused"), **options)
        self.clock = clock
        self.cost_per_op = cost_per_op
        self.commits: list[int] = []

    def _add(self, record, replace):
        pass

    def _delete(self, doc_id):
        pass

    def _commit(self):
        self.clock.now += self.cost_per_op * self.pending  # what a commit of this batch takes
        self.commits.append(self.pending)

    def _cancel(self):
        pass


def test_a_batch_is_committed_at_the_batch_size_and_at_the_end(clock):
    with FakeWriter(clock, batch_size=200) as writer:
        for i in range(450):
            writer.delete(f"d{i}")
    assert writer.commits == [200, 200, 50]
    assert writer.committed == 450


def test_a_batch_older_than_max_seconds_is_committed_by_the_next_operation_or_a_tick(clock):
    writer = FakeWriter(clock, batch_size=200, max_seconds=30.0)
    for i in range(5):
        writer.delete(f"d{i}")
    clock.now += 29.0
    assert writer.tick() is False  # not yet
    clock.now += 1.0
    assert writer.tick() is True  # the run waits for a slow file: the five are committed meanwhile
    assert writer.commits == [5]
    assert writer.tick() is False  # nothing open
    writer.delete("d5")
    clock.now += 31.0
    assert writer.delete("d6") is True  # an operation notices too
    assert writer.commits == [5, 2]


def test_a_batch_is_committed_before_committing_it_would_take_longer_than_the_budget(clock):
    # commits cost 0.05 s an operation; the first guess (0.01) lets 100 in, then it is measured
    writer = FakeWriter(clock, cost_per_op=0.05, batch_size=200, commit_budget=1.0)
    for i in range(300):
        writer.delete(f"d{i}")
    assert writer.commits[0] == 100
    assert all(n == 20 for n in writer.commits[1:]), writer.commits
    assert sum(writer.commits) + writer.pending == 300


def test_without_a_budget_or_interval_only_the_batch_size_counts(clock):
    writer = FakeWriter(clock, cost_per_op=10.0, batch_size=50)
    for i in range(120):
        writer.delete(f"d{i}")
        clock.now += 100.0
    assert writer.commits == [50, 50]


def test_cancel_never_raises_over_the_error_that_led_to_it(clock):
    class Failing(FakeWriter):
        def _commit(self):
            raise RuntimeError("engine broke")

        def _cancel(self):
            raise OSError(28, "No space left on device")

    with pytest.raises(RuntimeError, match="engine broke"):
        with Failing(clock, batch_size=10) as writer:
            writer.delete("d0")
