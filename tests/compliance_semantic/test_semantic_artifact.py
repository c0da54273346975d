"""The shipped artifact belongs to the corpus it was trained on, loads fast and stays small."""
from __future__ import annotations

from rm_copilot.compliance.semantic import SemanticModel
from rm_copilot.compliance.semantic.corpus import corpus_hash
from rm_copilot.compliance.semantic.training import CORPUS_FILES
from rm_copilot.config import PROJECT_ROOT
from semantic_support import ARTIFACT


def test_artifact_was_trained_on_the_current_corpus():
    current = corpus_hash(PROJECT_ROOT / path for path in CORPUS_FILES)
    assert SemanticModel.load(ARTIFACT).corpus_sha256 == current, (
        "the compliance corpus changed since the model was trained: "
        "run .venv/bin/python scripts/train_compliance_model.py")


def test_artifact_is_a_few_megabytes():
    assert ARTIFACT.stat().st_size < 8_000_000


def test_every_category_has_thresholds_and_block_is_above_warn():
    model = SemanticModel.load(ARTIFACT)
    assert set(model.categories) == set(model.thresholds.block) == set(model.thresholds.warn)
    for category in model.categories:
        assert 0.3 <= model.thresholds.warn[category] <= model.thresholds.block[category]
    assert 0.0 < model.thresholds.settle_below < 0.5


def test_stage_one_features_are_l2_normalised_tfidf():
    model = SemanticModel.load(ARTIFACT)
    features = model.features("这款产品到期一定能拿回本金。")
    assert len(features.indices) > 10
    assert abs(sum(value * value for value in features.values) - 1.0) < 1e-4
