"""The bot's fixed texts are the only words it sends that do not come out of the Copilot's gate, so
they must pass the real compliance rulebook on the WeCom channel with no finding at all."""
from __future__ import annotations

import pytest

from rm_copilot.channels.wecom.replies import FIXED_TEXTS
from rm_copilot.config import PROJECT_ROOT, Settings
from rm_copilot.services import Services


@pytest.fixture(scope="module")
def compliance_engine(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(home=tmp_path_factory.mktemp("home"), knowledge_base=PROJECT_ROOT / "knowledge_base")
    return Services(settings).compliance


@pytest.mark.parametrize("text", FIXED_TEXTS, ids=lambda t: t[:12])
def test_fixed_text_passes_compliance_without_findings(compliance_engine, text: str):
    result = compliance_engine.check(text, channel="wecom")

    assert result.verdict == "pass"
    assert result.findings == []
