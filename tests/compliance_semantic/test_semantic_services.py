"""Every channel's engine is built in one place with the meaning layer on, unless switched off."""
from __future__ import annotations

import pytest

from rm_copilot.config import PROJECT_ROOT, Settings
from rm_copilot.services import Services


def _services(tmp_path, **overrides) -> Services:
    return Services(Settings(home=tmp_path / "home", knowledge_base=PROJECT_ROOT / "knowledge_base",
                             environment="test", **overrides))


def test_composition_root_turns_the_meaning_layer_on(tmp_path):
    services = _services(tmp_path)
    engine = services.compliance
    assert engine.semantic is not None
    assert services.gate.engine is engine
    assert engine.semantic.encoder is services.sentence_encoder
    assert not services.sentence_encoder.loaded  # the e5 model loads on the first sentence needing it


def test_setting_turns_the_meaning_layer_off(tmp_path, monkeypatch):
    monkeypatch.setenv("RM_COPILOT_COMPLIANCE_SEMANTIC", "false")
    assert Settings().compliance_semantic is False
    assert _services(tmp_path, compliance_semantic=False).compliance.semantic is None


def test_missing_artifact_is_a_clear_error_not_a_silent_rules_only_gate(tmp_path):
    import shutil

    from rm_copilot.errors import RulebookError

    kb = tmp_path / "kb"
    shutil.copytree(PROJECT_ROOT / "knowledge_base", kb, ignore=shutil.ignore_patterns("model.npz", "eval"))
    services = Services(Settings(home=tmp_path / "home", knowledge_base=kb, environment="test"))
    with pytest.raises(RulebookError, match="语义模型"):
        _ = services.compliance
