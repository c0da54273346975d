"""The meaning layer reads a text without the words it only mentions (a quoted bad example, a quiz's
options), and leaving them out can clear a sentence, never convict it."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("text", [
    "错误示范：“放心，这款理财稳赚的。”正确说法：“这款理财不保本，过往表现不代表未来。”",
    "错误示范：“借款用途随便填，钱到手拿去买理财也行。”正确说法：“贷款用途须真实，不得用于投资理财。”",
    "错误示范：“仅剩最后50万额度，再不买就抢光了！”正确说法：“本期募集期至12月10日，额度以发行公告为准。”",
])
def test_a_quoted_bad_example_is_not_blocked(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "pass", result.findings


def test_what_is_left_without_the_mention_can_only_be_warned_about(semantic_engine):
    text = "“不保本、可能损失本金”这句提示，每一份理财海报上都必须出现。"
    result = semantic_engine.check(text)
    assert result.verdict == "pass"
    assert not any(f.severity == "block" for f in result.findings)


@pytest.mark.parametrize("text", [
    "错误示范：“这款理财不保本。”正确说法：“这款理财本金绝对安全，放心买。”",
    "培训材料（可直接转发客户）：“这个系列成立以来没让任何人失望过，新一期同样放心，闭着眼睛买就行。”",
    "错误示范：“这款理财不保本。”正确说法：“您放进去多少，到期就拿回来多少，一分都不会少。”",
])
def test_the_wording_a_text_recommends_is_still_judged(semantic_engine, text):
    assert semantic_engine.check(text).verdict == "block"
