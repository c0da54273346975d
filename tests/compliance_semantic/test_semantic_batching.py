"""`check_chunks` (check --file): one chunk's embeddings overlap the next chunk's rules; results,
their order and what is embedded are those of checking the chunks one after another."""
from __future__ import annotations

import threading

import pytest

from compliance_support import PRODUCTS, TODAY
from rm_copilot.compliance.engine import ComplianceEngine
from semantic_support import CountingEncoder, make_layer

# Sentences the rules leave to the meaning layer (embedded), plain copy, rule hits and repeats:
# a later chunk repeats a sentence an earlier chunk is still embedding.
LINES = ["您尽管买，出了岔子由我一个人担着。", "网点周六正常营业。", "这款保本保息。",
         "这种产品属于躺着收钱的那种。", "风险测评那个您不用管，我直接帮您点完。", "您尽管买，出了岔子由我一个人担着。",
         "王女士您好，这种产品属于躺着收钱的那种。", "周建国先生您好，祝您生活愉快。", "预期收益率4%，稳稳的。",
         "这笔钱放进去就跟存定期一样，到期一分不少。"]


def chunked(lines: list[str], size: int) -> list[list[str]]:
    return [lines[offset:offset + size] for offset in range(0, len(lines), size)]


class ThreadRecordingEncoder(CountingEncoder):
    """Also records which threads asked for embeddings."""

    def __init__(self, inner):
        super().__init__(inner)
        self.threads: set[str] = set()

    def encode(self, texts):
        self.threads.add(threading.current_thread().name)
        return super().encode(texts)


class FailingEncoder(CountingEncoder):
    def __init__(self, inner, fail_on: str):
        super().__init__(inner)
        self.fail_on = fail_on

    def encode(self, texts):
        if any(self.fail_on in text for text in texts):
            raise RuntimeError("embedding failed")
        return super().encode(texts)


def engine(semantic_model, encoder, rulebook) -> ComplianceEngine:
    return ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY,
                            semantic=make_layer(semantic_model, encoder, rulebook))


@pytest.mark.slow
@pytest.mark.parametrize("size", [1, 3, 10])
def test_overlapped_chunks_give_the_results_of_sequential_chunks_in_order(semantic_model, e5_encoder, rulebook, size):
    overlapped_encoder, sequential_encoder = ThreadRecordingEncoder(e5_encoder), CountingEncoder(e5_encoder)
    overlapped = engine(semantic_model, overlapped_encoder, rulebook)
    sequential = engine(semantic_model, sequential_encoder, rulebook)
    single = engine(semantic_model, CountingEncoder(e5_encoder), rulebook)

    got = [r.to_dict() for chunk in overlapped.check_chunks(iter(chunked(LINES, size))) for r in chunk]
    want = [r.to_dict() for chunk in chunked(LINES, size) for r in sequential.check_many(chunk)]
    assert got == want == [single.check(line).to_dict() for line in LINES]
    assert sorted(overlapped_encoder.sentences) == sorted(sequential_encoder.sentences)  # nothing embedded twice
    assert overlapped_encoder.threads and threading.current_thread().name not in overlapped_encoder.threads


@pytest.mark.slow
def test_a_failing_embedding_surfaces_for_its_chunk_after_the_earlier_chunks(semantic_model, e5_encoder, rulebook):
    checker = engine(semantic_model, FailingEncoder(e5_encoder, "点完"), rulebook)
    chunks = checker.check_chunks(iter(chunked(LINES, 2)))
    delivered = [next(chunks), next(chunks)]  # lines 0-3: their sentences embed fine
    assert [len(chunk) for chunk in delivered] == [2, 2]
    with pytest.raises(RuntimeError, match="embedding failed"):
        next(chunks)  # line 4 ("…直接帮您点完。") cannot be embedded


def test_without_the_meaning_layer_chunks_are_checked_in_order(rulebook):
    plain = ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY)
    got = [r.to_dict() for chunk in plain.check_chunks(iter(chunked(LINES, 4))) for r in chunk]
    assert got == [plain.check(line).to_dict() for line in LINES]
