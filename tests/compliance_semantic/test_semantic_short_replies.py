"""A reply of a few characters gives the meaning layer too little to tell a claim from courtesy:
it may warn, never block. Short claims stay the rules' job and are still blocked."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

COURTESY = ["明白了。", "嗯嗯，没问题。", "辛苦您跑一趟。", "嗯嗯，明白", "好的，收到。"]
SHORT_CLAIMS = ["稳赚不赔！", "保本保息。", "零风险。"]


@pytest.mark.parametrize("text", COURTESY)
def test_a_short_courtesy_reply_is_never_blocked_by_the_layer(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "pass"
    assert not any(f.severity == "block" for f in result.findings)


@pytest.mark.parametrize("text", SHORT_CLAIMS)
def test_a_short_claim_is_still_blocked_by_its_rule(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "block"
    assert any(not f.rule_id.startswith("semantic.") for f in result.findings)


@pytest.mark.parametrize("text", ["这个系列成立以来没让任何人失望过，新一期同样放心，闭着眼睛买就行。",
                                  "压箱底一样踏实。"])  # seven word characters: one past the cap
def test_a_longer_sentence_the_layer_is_sure_of_is_still_blocked_by_the_layer(semantic_engine, text):
    result = semantic_engine.check(text)
    assert result.verdict == "block"
    assert any(f.rule_id.startswith("semantic.") and f.severity == "block" for f in result.findings)
