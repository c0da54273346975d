"""The meaning layer of the compliance gate: violations in wording no rule anticipated.

A two-stage cascade (character n-grams, then sentence embeddings from an injected encoder) over a
trained artifact; see layer.py. Training lives in training.py and scripts/train_compliance_model.py.
"""
from rm_copilot.compliance.semantic.encoder import LazyEncoder, SentenceEncoder
from rm_copilot.compliance.semantic.layer import SemanticLayer
from rm_copilot.compliance.semantic.model import SemanticModel

__all__ = ["LazyEncoder", "SemanticLayer", "SemanticModel", "SentenceEncoder"]
