"""One domain vocabulary: each closed list is defined once, in rm_copilot.vocabulary, with its labels."""
from __future__ import annotations

import re

import pytest

from rm_copilot import vocabulary as v
from rm_copilot.config import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "rm_copilot"


@pytest.mark.parametrize("values, labels", [
    (v.PRODUCT_TYPES, v.PRODUCT_TYPE_LABELS),  # product types 理财/基金/…
    (v.PRODUCT_TYPES, v.PRODUCT_ID_PREFIXES),  # every type has an id prefix
    (v.CHANNELS, v.CHANNEL_LABELS),
    (v.TAG_LAYERS, v.TAG_LAYER_LABELS),
    (v.SCENARIOS, v.SCENARIO_LABELS),
    (v.EVENT_KINDS, v.EVENT_LABELS),
    (v.VERDICTS, v.VERDICT_LABELS),
    (v.OUTCOME_KINDS, v.OUTCOME_LABELS),
])
def test_every_value_has_a_chinese_label_and_no_label_is_for_an_unknown_value(values, labels):
    assert tuple(labels) == values
    assert all(re.search(r"[\u4e00-\u9fff]", label) or label.isupper() for label in labels.values())


def test_the_lists_are_the_contracts_words():
    assert v.PRODUCT_TYPES == ("wealth", "fund", "insurance", "deposit", "loan", "card")
    assert v.CHANNELS == ("tablet", "wecom", "sms")
    assert v.SCENARIOS == ("product", "maturity", "birthday", "event", "care")
    assert v.OUTCOME_KINDS == ("sent", "replied", "meeting", "purchased", "declined", "complaint")
    assert set(v.SENT_CHANNELS) < set(v.CHANNELS)
    assert v.CUSTOMER_RISK_LEVELS == tuple(f"C{n}" for n in range(1, 6))
    assert v.PRODUCT_RISK_LEVELS == tuple(f"R{n}" for n in range(1, 6))


# A list restated elsewhere: its values in a row, or its labels as a dict literal.
RESTATED = {
    "product types": r'"wealth",\s*"fund",\s*"insurance",\s*"deposit",\s*"loan",\s*"card"',
    "channels": r'"tablet",\s*"wecom",\s*"sms"',
    "scenarios": r'"product",\s*"maturity",\s*"birthday",\s*"event",\s*"care"',
    "event kinds": r'"birthday",\s*"maturity",\s*"large_inflow",\s*"life_event"',
    "outcome kinds": r'"sent",\s*"replied",\s*"meeting",\s*"purchased"',
    "risk levels": r'"C1",\s*"C2",\s*"C3"',
    "tiers": r'"大众",\s*"财富",\s*"私行"',
    "tag layers": r'"basic",\s*"behavior",\s*"need"',
    "scenario labels": r'"product":\s*"产品推荐"',
    "channel labels": r'"tablet":\s*"平板"',
    "product type labels": r'"wealth":\s*"理财"',
    "event labels": r'"large_inflow":\s*"大额资金入账",\s*"life_event"',
}


@pytest.mark.parametrize("name", RESTATED)
def test_no_module_restates_a_list_of_the_vocabulary(name):
    pattern = re.compile(RESTATED[name])
    offenders = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                 if path.name != "vocabulary.py" and pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
