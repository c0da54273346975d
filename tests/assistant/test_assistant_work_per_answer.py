"""Work an answer does once: the text delivered is run through the compliance engine once and
audited once under that verdict (no second engine run just to record it)."""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from sqlalchemy import select

from assistant_fakes import FakeRetriever, chunk, make_copilot
from rm_copilot.compliance.audit import AuditRecord


class CountingEngine:
    """The real engine, counting how often each text is checked."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.checked: Counter[str] = Counter()

    def check(self, text: str, **context: Any):
        self.checked[text] += 1
        return self.engine.check(text, **context)


def _audited(copilot) -> Counter[str]:
    with copilot.sessions._factory() as session:
        return Counter(session.scalars(select(AuditRecord.text_sha256).where(AuditRecord.source == "chat")))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_builtin_answer_is_checked_once_and_audited_once(tmp_path, catalog, engine):
    retriever = FakeRetriever([chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。",
                                     title="存款保险保什么", heading="偿付限额")])
    counting = CountingEngine(engine)
    copilot = make_copilot(tmp_path, catalog, counting, retriever=retriever)
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert "50万元" in answer.answer
    assert counting.checked[answer.answer] == 1
    assert _audited(copilot)[_sha(answer.answer)] == 1


def test_an_answer_without_sources_is_checked_once_and_audited_once(tmp_path, catalog, engine):
    counting = CountingEngine(engine)
    copilot = make_copilot(tmp_path, catalog, counting)  # nothing retrieved: the builtin's honest reply
    answer = copilot.chat("A001", "存款保险最高赔多少钱？")
    assert counting.checked[answer.answer] == 1
    assert _audited(copilot)[_sha(answer.answer)] == 1
