"""Checking many texts: the rules first, the meaning layer's embeddings in batches.

`check_many` checks every distinct text once with the embedding stage deferred, embeds the
sentences the rules leave to the meaning layer together, and checks again only the texts that had
such a sentence. Identical texts share one result.

`check_chunks` does the same chunk by chunk (a file's lines, 1,000 at a time) and overlaps the two
halves: while one worker thread embeds chunk i's sentences (native code that releases the GIL),
the calling thread runs the rules over chunk i+1. Each chunk's results are those `check_many`
gives it and come in the chunks' order; a sentence still being embedded for an earlier chunk is
embedded once (the worker skips what an earlier batch settled). When a chunk fails, every chunk
before it is still delivered first, as when the chunks are checked one after another. With
`processes` > 1 the rules passes run in forked worker processes (`forked.py`), several chunks at a
time, with the same results.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rm_copilot.compliance import forked
from rm_copilot.compliance.models import CheckResult

WARM_UP_LINES = 200

if TYPE_CHECKING:
    from rm_copilot.compliance.engine import ComplianceEngine


@dataclass
class RulesPass:
    """A chunk after the rules: results so far, the texts to check again, the sentences to embed."""

    texts: list[str]
    done: dict[str, CheckResult] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    pending: dict[str, Any] = field(default_factory=dict)


def rules_pass(engine: ComplianceEngine, texts: list[str], **options) -> RulesPass:
    """Check each distinct text with the embedding stage deferred (the meaning layer must be on)."""
    semantic = engine.semantic
    assert semantic is not None
    passed = RulesPass(texts)
    with semantic.deferring() as pending:
        for text in dict.fromkeys(texts):
            before = semantic.deferrals()
            passed.done[text] = engine.check(text, **options)
            if semantic.deferrals() != before:
                passed.waiting.append(text)
    passed.pending = pending
    return passed


def complete(engine: ComplianceEngine, passed: RulesPass, **options) -> list[CheckResult]:
    """After the pending sentences are embedded: check the waiting texts again, one result per text."""
    for text in passed.waiting:
        passed.done[text] = engine.check(text, **options)
    return [passed.done[text] for text in passed.texts]


def check_many(engine: ComplianceEngine, texts: list[str], **options) -> list[CheckResult]:
    if engine.semantic is None:
        done = {text: engine.check(text, **options) for text in dict.fromkeys(texts)}
        return [done[text] for text in texts]
    passed = rules_pass(engine, texts, **options)
    engine.semantic.resolve(passed.pending)
    return complete(engine, passed, **options)


def check_chunks(engine: ComplianceEngine, chunks: Iterable[list[str]], *, overlap: bool = True,
                 processes: int = 1, **options) -> Iterator[list[CheckResult]]:
    """`check_many` of each chunk, in order; with `overlap`, a chunk's embeddings are computed in a
    worker thread while the next chunk's rules run (one chunk ahead, so memory stays bounded); with
    `processes` > 1, the rules of several chunks run at once in forked workers."""
    if engine.semantic is None:
        if processes > 1:
            yield from forked.in_processes(check_many, engine, chunks, processes, options)
            return
        for chunk in chunks:
            yield check_many(engine, chunk, **options)
        return
    if not overlap:
        for chunk in chunks:
            yield check_many(engine, chunk, **options)
        return
    semantic = engine.semantic
    passes: Iterator[RulesPass] = (_forked_passes(engine, chunks, processes, options) if processes > 1
                                   else (rules_pass(engine, chunk, **options) for chunk in chunks))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="compliance-embed") as worker:
        queued: deque[tuple[RulesPass, Future]] = deque()
        try:
            while True:
                try:
                    passed = next(passes, None)
                except Exception:  # the chunks before the failing one are still delivered, as unoverlapped
                    while queued:
                        yield _finish(engine, *queued.popleft(), **options)
                    raise
                if passed is None:
                    break
                queued.append((passed, worker.submit(semantic.resolve, passed.pending)))
                if len(queued) > 1:
                    yield _finish(engine, *queued.popleft(), **options)
            while queued:
                yield _finish(engine, *queued.popleft(), **options)
        finally:  # the caller stopped early or failed: embeddings not started yet are not needed
            for _, future in queued:
                future.cancel()


def _forked_passes(engine: ComplianceEngine, chunks: Iterable[list[str]], processes: int,
                   options: dict[str, Any]) -> Iterator[RulesPass]:
    """Rules passes in forked workers, after a warm-up here on the first lines: the workers start with
    what those loaded (the name lexicon, the regexes they selected) and judged (their sentences, often
    repeated with other names and amounts further down a campaign file) instead of each loading and
    judging it again."""
    chunks = list(chunks)
    if chunks:
        rules_pass(engine, chunks[0][:WARM_UP_LINES], **options)
    workers = forked.Workers(rules_pass, engine, chunks, processes, options)  # forked before any embedding thread
    try:
        yield from workers.results()
    finally:
        workers.close()


def _finish(engine: ComplianceEngine, passed: RulesPass, embedded: Future, **options) -> list[CheckResult]:
    embedded.result()  # an embedding failure surfaces here, for this chunk
    return complete(engine, passed, **options)
