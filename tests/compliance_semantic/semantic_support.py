"""Helpers for the meaning-layer tests."""
from __future__ import annotations

from compliance_support import PRODUCTS
from rm_copilot.compliance.semantic import SemanticLayer
from rm_copilot.config import PROJECT_ROOT

ARTIFACT = PROJECT_ROOT / "knowledge_base" / "compliance" / "semantic" / "model.npz"


class CountingEncoder:
    """Another encoder, counting the sentences it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.sentences: list[str] = []

    def encode(self, texts):
        self.sentences.extend(texts)
        return self.inner.encode(texts)


def make_layer(model, encoder, rulebook) -> SemanticLayer:
    names = [name for product in PRODUCTS for name in (product.name, *product.aliases)]
    return SemanticLayer.for_rules(model, encoder, rulebook.rules, product_names=names)
