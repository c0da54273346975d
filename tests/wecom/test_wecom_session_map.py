"""WeCom chat sessions live in the store: a follow-up continues the session whichever worker receives it."""
from __future__ import annotations

from pathlib import Path

import pytest

from rm_copilot import schema
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.channels.wecom.session_map import MemorySessionMap, SqlSessionMap
from rm_copilot.db import make_engine, make_session_factory
from wecom_fakes import BOUND_USER, OTHER_USER, FakeAdvisors, FakeCopilot


class NoSender:
    def send_text(self, touser: str, content: str) -> int:
        return 1


def text(content: str, user: str = BOUND_USER) -> InboundMessage:
    return InboundMessage(from_user=user, to_user="corp", create_time="1763900000", msg_type="text",
                          content=content, msg_id="1")


def _worker_map(url: str) -> SqlSessionMap:
    engine = make_engine(url)  # one engine per worker process: only the database is shared
    schema.upgrade(engine)
    return SqlSessionMap(make_session_factory(engine))


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_a_follow_up_on_another_worker_continues_the_session(url: str):
    copilot = FakeCopilot()
    first = WeComBot(copilot, FakeAdvisors(), NoSender(), sessions=_worker_map(url))
    second = WeComBot(copilot, FakeAdvisors(), NoSender(), sessions=_worker_map(url))
    first.reply_to(text("第一个问题"))
    second.reply_to(text("接着问"))
    second.reply_to(text("问题三", user=OTHER_USER))
    assert [c["session_id"] for c in copilot.chat_calls] == [None, "S1", None]


def test_new_conversation_on_one_worker_is_seen_by_the_other(url: str):
    copilot = FakeCopilot()
    first = WeComBot(copilot, FakeAdvisors(), NoSender(), sessions=_worker_map(url))
    second = WeComBot(copilot, FakeAdvisors(), NoSender(), sessions=_worker_map(url))
    first.reply_to(text("第一个问题"))
    second.reply_to(text("新对话"))
    first.reply_to(text("新的问题"))
    assert [c["session_id"] for c in copilot.chat_calls] == [None, None]


@pytest.mark.parametrize("make_map", [lambda url: MemorySessionMap(), _worker_map], ids=["memory", "sql"])
def test_both_maps_store_replace_and_forget_links(make_map, url: str):
    links = make_map(url)
    links.put(("u1", ""), "S1")
    links.put(("u1", "C00012"), "S2")
    links.put(("u1", ""), "S3")
    assert (links.get(("u1", "")), links.get(("u1", "C00012")), links.get(("u2", ""))) == ("S3", "S2", None)
    links.put(("u1", "C00012"), None)
    assert links.get(("u1", "C00012")) is None
    links.forget_user("u1")
    assert links.get(("u1", "")) is None
