"""Where a rule read a hit in its context (negated, asked, named, a fact) the meaning layer may warn in
that category but not block: its second opinion is shown, not enforced. Elsewhere it still blocks."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("text", [
    "定期存款到期保本保息，最高50万元受存款保险保护。",  # a deposit's principal: a fact the rule excused
    "储蓄国债到期保本付息，提前兑取要扣手续费。",
])
def test_a_hit_excused_in_context_is_not_blocked_by_meaning(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "pass", result.findings


def test_meaning_still_blocks_where_no_rule_read_the_wording(semantic_engine):
    result = semantic_engine.check("您这笔钱投进去，到期一分不差地回到卡里。")
    assert result.verdict == "block"
    assert any(f.rule_id.startswith("semantic.") and f.severity == "block" for f in result.findings)


def test_a_warning_stays_in_the_excused_category(semantic_engine):
    result = semantic_engine.check("定期存款到期保本保息，最高50万元受存款保险保护。")
    assert all(f.severity == "warn" for f in result.findings if f.rule_id.startswith("semantic."))
