"""Deduplication of deliveries: in memory (TTL, bounded) and in the wecom_inbox table."""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from rm_copilot.channels.wecom.inbox import TtlKeySet, WeComInbox
from rm_copilot.channels.wecom.models import WeComInboxEntry
from wecom_harness import inbox_session_factory


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ttl_set_refuses_a_live_duplicate_and_accepts_it_after_expiry():
    clock = FakeClock()
    keys = TtlKeySet(ttl=60, max_keys=10, clock=clock)

    assert keys.add("a") is True
    clock.now = 59
    assert keys.add("a") is False
    clock.now = 61
    assert keys.add("a") is True


def test_ttl_set_is_bounded_dropping_the_oldest():
    keys = TtlKeySet(ttl=60, max_keys=3, clock=FakeClock())
    for key in "abcd":
        keys.add(key)

    assert len(keys) == 3
    assert keys.add("a") is True  # the oldest was dropped to make room
    assert keys.add("d") is False


def test_inbox_claims_a_key_once_even_under_concurrent_deliveries(tmp_path: Path):
    inbox = WeComInbox(inbox_session_factory(tmp_path / "inbox.db"))
    results: list[bool] = []
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait()
        results.append(inbox.claim("msgid:1", "text"))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 7 + [True]


def test_inbox_remembers_claims_across_instances_through_the_table(tmp_path: Path):
    factory = inbox_session_factory(tmp_path / "inbox.db")
    assert WeComInbox(factory).claim("msgid:2", "text") is True

    assert WeComInbox(factory).claim("msgid:2", "text") is False
    assert WeComInbox(factory).claim("msgid:3", "text") is True


def test_inbox_stores_a_hash_not_the_user_id_and_records_the_outcome(tmp_path: Path):
    factory = inbox_session_factory(tmp_path / "inbox.db")
    inbox = WeComInbox(factory)
    inbox.claim("user:ZhangWei:1763900000", "text")

    inbox.finish("user:ZhangWei:1763900000", "answered")

    with factory() as session:
        (row,) = session.scalars(select(WeComInboxEntry)).all()
    assert "ZhangWei" not in row.key_hash and len(row.key_hash) == 64
    assert row.status == "answered" and row.finished_at is not None


def test_released_claim_can_be_claimed_again(tmp_path: Path):
    inbox = WeComInbox(inbox_session_factory(tmp_path / "inbox.db"))
    inbox.claim("msgid:4", "text")

    inbox.release("msgid:4")

    assert inbox.claim("msgid:4", "text") is True


def test_inbox_without_a_database_still_deduplicates_in_memory():
    inbox = WeComInbox(None)

    assert [inbox.claim("msgid:5", "text") for _ in range(3)] == [True, False, False]
