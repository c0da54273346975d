"""Products described by kind and term instead of by name."""
from __future__ import annotations

import pytest

from rm_copilot.config import PROJECT_ROOT
from rm_copilot.knowledge.chunker import chunk_document
from rm_copilot.knowledge.describe import ProductDescriptions, chinese_number, durations
from rm_copilot.knowledge.documents import load_documents


@pytest.fixture(scope="module")
def shipped_descriptions() -> ProductDescriptions:
    docs = load_documents(PROJECT_ROOT / "knowledge_base")
    return ProductDescriptions([chunk for doc in docs for chunk in chunk_document(doc)])


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("三", 3), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("三十六", 36), ("百", None)])
def test_chinese_numerals_read_as_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("一年期大额存单", {365}), ("七天持有期", {7}), ("三个月左右", {90}), ("半年", {182}),
        ("12个月", {360}), ("存3年", {1095}), ("两周", {14}), ("大额存单有哪些期限", set()),
    ],
)
def test_durations_are_read_in_days(text, days):
    assert durations(text) == days


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("一年期大额存单能提前支取吗", "DP003"),  # not the 3-year certificate
        ("三年的大额存单利率多少", "DP002"),
        ("七天持有期的理财业绩基准多少", "WM002"),  # not the 7-day call deposit
        ("整存整取三年期利率多少", "DP001"),
        ("半年期的结构性存款", "DP006"),
        ("定期到期了想转成三个月左右的理财", "WM004"),  # the term describes the 理财, not the 定期
    ],
)
def test_a_described_product_comes_first(shipped_descriptions, question, first):
    assert shipped_descriptions.match(question)[0] == first


@pytest.mark.parametrize("question", ["大额存单有哪些期限", "一年有多少天", "三年前买的"])
def test_no_kind_or_no_term_describes_nothing(shipped_descriptions, question):
    assert shipped_descriptions.match(question) == []
