"""Rules passes in forked worker processes, for a file of many lines on a machine with several cores.

The rules are pure Python and hold the GIL, so threads cannot share them out; processes can. The
workers are forked from the process that built the engine, so each starts with the compiled rulebook,
automaton and caches already in memory (copy-on-write) instead of building them again. A worker
only runs the rules with the meaning layer's embedding stage deferred (`batching.rules_pass`); the
parent embeds the deferred sentences in batches, checks the few texts that waited on them again,
and writes the audit — so the embedding model, the store and the output stay in one process, and
the results are exactly those of one process, in the chunks' order.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rm_copilot.compliance.engine import ComplianceEngine

_task: tuple[Callable[..., Any], ComplianceEngine, dict[str, Any]] | None = None


def _run(chunk: list[str]) -> Any:
    assert _task is not None  # set before the fork, inherited by every worker
    function, engine, options = _task
    return function(engine, chunk, **options)


class Workers:
    """`function(engine, chunk, **options)` of each chunk, in order, in `processes` workers forked when
    this is created (before the caller starts threads of its own), at most two chunks per worker ahead
    of the caller so memory stays bounded. An exception in a worker is raised by `results`, after the
    results of the chunks before it."""

    def __init__(self, function: Callable[..., Any], engine: ComplianceEngine, chunks: Iterable[list[str]],
                 processes: int, options: dict[str, Any]):
        global _task
        _task = (function, engine, options)
        self._chunks = iter(chunks)
        self._pool = multiprocessing.get_context("fork").Pool(processes)
        self._ahead = 2 * processes
        self._window: deque[AsyncResult] = deque()
        self._fill()

    def _fill(self) -> None:
        while len(self._window) < self._ahead:
            chunk = next(self._chunks, None)
            if chunk is None:
                return
            self._window.append(self._pool.apply_async(_run, (chunk,)))

    def results(self) -> Iterator[Any]:
        try:
            while self._window:
                result = self._window.popleft().get()
                self._fill()
                yield result
        finally:
            self.close()

    def close(self) -> None:
        global _task
        self._pool.terminate()
        self._pool.join()
        _task = None


def in_processes(function: Callable[..., Any], engine: ComplianceEngine, chunks: Iterable[list[str]],
                 processes: int, options: dict[str, Any]) -> Iterator[Any]:
    """`Workers(...).results()`, the workers forked on the first step of the iteration."""
    yield from Workers(function, engine, chunks, processes, options).results()
