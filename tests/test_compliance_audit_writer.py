"""Audit batches written from a writer thread: in order, all of them by the end of the block, and a
failed write stops the run with every earlier batch kept."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from rm_copilot.compliance.audit import AuditRecord, SqlAuditSink
from rm_copilot.compliance.audit_writer import BackgroundWriter
from rm_copilot.compliance.models import CheckResult
from rm_copilot.db import create_schema, make_engine, make_session_factory


class Store:
    """Records batches; fails on the batch holding `fail_on`; can hold a write until released."""

    def __init__(self, fail_on: str | None = None):
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.fail_on = fail_on
        self.release = threading.Event()
        self.release.set()

    def write(self, entries: list[dict]) -> None:
        self.release.wait(5)
        self.threads.add(threading.current_thread().name)
        if self.fail_on is not None and any(e["line"] == self.fail_on for e in entries):
            raise OSError("disk full")
        self.batches.append([e["line"] for e in entries])


def test_batches_are_written_in_order_by_another_thread_and_all_by_close():
    store = Store()
    writer = BackgroundWriter(store.write)
    for start in range(0, 9, 3):
        writer.put([{"line": str(n)} for n in range(start, start + 3)])
    writer.close()
    assert store.batches == [["0", "1", "2"], ["3", "4", "5"], ["6", "7", "8"]]
    assert threading.current_thread().name not in store.threads


def test_a_failed_write_is_raised_in_the_callers_thread_and_earlier_batches_stay():
    store = Store(fail_on="b")
    writer = BackgroundWriter(store.write)
    writer.put([{"line": "a"}])
    writer.put([{"line": "b"}])
    with pytest.raises(OSError, match="disk full"):
        for _ in range(1000):  # the failure shows at the next hand-off at the latest
            writer.put([{"line": "c"}])
        writer.close()
    assert store.batches == [["a"]]


def test_a_writer_held_by_a_slow_store_holds_the_caller_back_after_depth_batches():
    store = Store()
    store.release.clear()
    writer = BackgroundWriter(store.write, depth=1)
    writer.put([{"line": "1"}])  # taken by the writer, held in `write`
    writer.put([{"line": "2"}])  # waits in the queue
    blocked = threading.Thread(target=writer.put, args=([{"line": "3"}],))
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()  # no room until the store lets the first write through
    store.release.set()
    blocked.join(5)
    writer.close()
    assert store.batches == [["1"], ["2"], ["3"]]


@pytest.mark.parametrize("background", [False, True])
def test_audit_batch_writes_every_entry_also_when_the_run_fails(tmp_path, background):
    db = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    create_schema(db)
    factory = make_session_factory(db)
    result = CheckResult("pass", "您好", [], "v1")
    with pytest.raises(RuntimeError):
        with SqlAuditSink(factory).batch(size=2, background=background) as batch:
            for _ in range(5):
                batch.add(result, source="cli", original_text="您好")
            raise RuntimeError("crash after five lines")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 5
