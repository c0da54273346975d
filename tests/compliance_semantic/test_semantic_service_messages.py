"""Everyday service messages — greetings, appointments, follow-ups, plain rate facts — pass the gate.

tests/data/compliance_service_messages.tsv holds 110 such messages, written for this test and never
trained on. The meaning layer must block none of them; two appointment messages ("…等您，到了…就行")
are known misses of the shipped model (a retrain with everyday appointment talk fixed them but lost
held-out recall, 0.967 → 0.958, so it was not shipped). Warnings (held for review in a campaign)
are counted, not failed one by one.
"""
from __future__ import annotations

import csv

import pytest

from rm_copilot.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

MESSAGES = PROJECT_ROOT / "tests" / "data" / "compliance_service_messages.tsv"
MAX_WARNED_SHARE = 0.05
KNOWN_MISSES = {
    "李先生，我在网点等您，您到了直接来二楼找我。",  # semantic.suitability 0.97
    "赵先生，明天上午10点在营业厅二楼贵宾室等您，到了给我打电话就行。",  # semantic.pressure 0.87
}


def _messages() -> list[str]:
    with MESSAGES.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


MESSAGE_PARAMS = [pytest.param(text, marks=pytest.mark.xfail(reason="known miss of the shipped model", strict=False))
                  if text in KNOWN_MISSES else text for text in _messages()]


def test_the_file_is_large_and_distinct():
    messages = _messages()
    assert len(messages) >= 100
    assert len(set(messages)) == len(messages)
    assert KNOWN_MISSES <= set(messages)


@pytest.mark.parametrize("text", MESSAGE_PARAMS)
def test_service_message_is_not_blocked(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "pass", result.findings


def test_few_service_messages_are_warned(semantic_engine):
    messages = _messages()
    warned = [text for text, result in zip(messages, semantic_engine.check_many(messages), strict=True)
              if any(f.severity == "warn" for f in result.findings)]
    assert len(warned) <= MAX_WARNED_SHARE * len(messages), warned
