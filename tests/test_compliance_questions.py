"""A question about a claim is not the claim; a question that asserts is."""
from __future__ import annotations

import pytest

from compliance_support import engine


@pytest.mark.parametrize("text", [
    "买这个会不会亏本金？",
    "客户问：是不是保本的？",
    "这款保本吗？",
    "这个产品有没有风险？",
    "请问收益有保障吗？",
    "是保本的还是非保本的？",
    "客户咨询：这款能保证收益吗",
    "客户问我这个产品保不保本",
    "您问是不是零风险？我们如实说：它有风险。",
    "阿姨问这款理财是不是跟存款一样，我跟她讲了区别。",
    "这只基金稳赚吗？",
    "Is it zero risk?",
])
def test_plain_or_reported_question_is_not_a_claim(text):
    result = engine().check(text)
    assert result.verdict == "pass", result.findings


@pytest.mark.parametrize(("text", "category"), [
    ("难道还会亏吗？", "guarantee"),
    ("这么稳的产品，怎么可能亏呢？", "guarantee"),
    ("哪有比这更稳的？", "absolute"),
    ("还有比这更放心的理财吗？", "absolute"),
    ("它稳赚不赔吗？当然！", "guarantee"),
    ("保本保息，还等什么？", "guarantee"),
    ("这个零风险，您还犹豫什么呢？", "guarantee"),
    ("要不要试试这款保本理财？", "guarantee"),
    ("这款理财保本，您看呢？", "guarantee"),
    ("客户问会不会亏，我说不会亏。", "guarantee"),
    ("谁说这款不保本？", "guarantee"),
])
def test_rhetorical_offered_affirmed_or_answered_question_is_a_claim(text, category):
    result = engine().check(text)
    assert result.verdict == "block", result.findings
    assert category in {f.category for f in result.findings}


@pytest.mark.parametrize("text", ["能告诉我您的密码吗？", "要不要我帮您代签风险测评？"])
def test_questions_never_excuse_requests_for_credentials_or_proxy_signing(text):
    assert engine().check(text).verdict == "block"
