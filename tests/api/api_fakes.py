"""Hand-written fakes for testing the HTTP edge alone (auth, errors, limits, streaming mechanics).

Behaviour of the real stack is tested against `use_built_services` in the other test_api_* files.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from rm_copilot.channels.api.ratelimit import TokenBucketLimiter
from rm_copilot.config import Settings
from rm_copilot.customers.views import AdvisorView
from rm_copilot.errors import NotFound

FAKE_TOKEN = "token-of-a001"


@dataclass
class FakeDelta:
    text: str
    kind: str = "delta"


@dataclass
class FakeAnswer:
    answer: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": "S1", "answer": self.answer,
            "citations": [{"source": "faq/x", "title": "标题", "product_id": None, "chunk_id": "faq/x#0"}],
            "compliance": {"verdict": "pass", "findings": []},
        }


@dataclass
class FakeDone:
    answer: FakeAnswer
    kind: str = "done"


class FakeCustomers:
    def advisor_for_token(self, token: str | None) -> AdvisorView | None:
        return AdvisorView(id="A001", name="王经理") if token == FAKE_TOKEN else None

    def get(self, customer_id: str, *, advisor_id: str | None = None):
        raise NotFound(f"没有找到客户 {customer_id}")

    def ensure_visible(self, customer_id: str, *, advisor_id: str) -> None:
        raise NotFound(f"没有找到客户 {customer_id}")

    def list(self, **kwargs: Any) -> list:
        self.last_list_kwargs = kwargs
        return []

    def count(self) -> int:
        return 1


@dataclass
class FakeCopilot:
    """`chat_stream` yields sentences forever until closed; records how it ended."""

    sentences_made: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    fail_with: Exception | None = None

    def chat(self, advisor_id: str, message: str, customer_id=None, session_id=None) -> FakeAnswer:
        if self.fail_with is not None:
            raise self.fail_with
        return FakeAnswer("你好。")

    def chat_stream(self, advisor_id: str, message: str, customer_id=None, session_id=None):
        try:
            while True:
                self.sentences_made += 1
                yield FakeDelta(f"第{self.sentences_made}句。")
        finally:
            self.closed.set()


class FakeStoreProbe:
    def __init__(self) -> None:
        self.failing: dict[str, str] = {}

    def gone(self) -> str | None:
        return self.failing.get("database") if "删除" in self.failing.get("database", "") else None

    def problems(self) -> dict[str, str]:
        return dict(self.failing)


class FakeServices:
    def __init__(self, *, rate_limit: int = 1000):
        self.store_probe = FakeStoreProbe()
        self.settings = Settings(chat_rate_limit_per_minute=rate_limit)
        self.chat_limiter = TokenBucketLimiter(rate_limit)
        self.customers = FakeCustomers()
        self.copilot = FakeCopilot()
