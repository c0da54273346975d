"""`check_chunks(processes=2)` (check --file on a machine with several cores): the rules run in forked
workers and the results, their order and the failures are those of one process."""
from __future__ import annotations

import pytest

from compliance_support import PRODUCTS, TODAY
from rm_copilot.compliance.engine import ComplianceEngine
from semantic_support import CountingEncoder, make_layer
from test_semantic_batching import LINES, chunked

pytestmark = pytest.mark.slow


class FailingEngine(ComplianceEngine):
    """Fails on one text, as a bug in a rule would: in the worker that checks it."""

    def check(self, text, **options):
        if text == "坏行":
            raise RuntimeError("rule failed")
        return super().check(text, **options)


def _dicts(batches) -> list[list[dict]]:
    return [[result.to_dict() for result in batch] for batch in batches]


@pytest.mark.parametrize("size", [1, 3])
def test_forked_rules_give_the_results_of_one_process_in_order(semantic_model, e5_encoder, rulebook, size):
    lines = LINES * 3
    forked = ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY,
                              semantic=make_layer(semantic_model, CountingEncoder(e5_encoder), rulebook))
    single = ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY,
                              semantic=make_layer(semantic_model, CountingEncoder(e5_encoder), rulebook))
    got = _dicts(forked.check_chunks(chunked(lines, size), processes=2))
    expected = _dicts(single.check_chunks(chunked(lines, size)))
    assert got == expected
    assert [r["verdict"] for batch in got for r in batch].count("block") >= 3  # the set holds violations


def test_forked_rules_without_the_meaning_layer(rulebook):
    forked = ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY)
    single = ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY)
    assert _dicts(forked.check_chunks(chunked(LINES, 2), processes=2)) == _dicts(single.check_chunks(chunked(LINES, 2)))


def test_a_failing_chunk_raises_after_the_chunks_before_it(semantic_model, e5_encoder, rulebook):
    failing = FailingEngine(rulebook, products=PRODUCTS, today=TODAY,
                            semantic=make_layer(semantic_model, CountingEncoder(e5_encoder), rulebook))
    chunks = chunked(LINES[:6] + ["坏行"] + LINES[6:], 2)
    delivered = []
    with pytest.raises(RuntimeError, match="rule failed"):
        for batch in failing.check_chunks(chunks, processes=2):
            delivered.append(batch)
    assert [len(batch) for batch in delivered] == [2, 2, 2]
