"""Judgements of knowledge-base sentences are made once, saved in the home, and reused by new processes."""
from __future__ import annotations

import pytest

from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.semantic import judgements
from rm_copilot.compliance.semantic.model import Assessment
from rm_copilot.compliance.semantic.text import Folder
from semantic_support import ARTIFACT, CountingEncoder, make_layer


@pytest.mark.parametrize(("answer", "chunk"), [
    ("利息会逐月累积，负担会越来越重[1]。", "利息会逐月累积，负担会越来越重。"),
    ("③ 目标止盈：事先设定一个目标收益率，到了就赎回[2]。", "目标止盈：事先设定一个目标收益率，到了就赎回。"),
    ("2. 到期后本金和收益自动转入活期[1,3]。", "到期后本金和收益自动转入活期。"),
])
def test_an_answer_sentence_folds_like_its_chunk_sentence(answer, chunk):
    folder = Folder()
    assert folder.fold(normalize(answer).text) == folder.fold(normalize(chunk).text)


def test_amounts_opening_a_sentence_are_no_list_numbers():
    folder = Folder()
    assert folder.fold("3.5%的年化不是承诺。") == "#%的年化不是承诺。"
    assert folder.fold("12.8万元起购。") == "#万元起购。"


def test_saved_judgements_read_back_alike(tmp_path):
    path = judgements.judgements_path(tmp_path, ARTIFACT, "encoder")
    judged = {"这款产品到期一分不少地还给您。": Assessment(2, 0.91, "guarantee", "到期本金一分不少", 0.87),
              "欢迎来网点咨询。": Assessment(1, 0.02)}
    judgements.save(path, judged)
    assert judgements.load(path) == judged


def test_another_model_or_encoder_reads_none_of_them(tmp_path):
    other = tmp_path / "other.npz"
    other.write_bytes(b"another artifact")
    paths = {judgements.judgements_path(tmp_path, ARTIFACT, "encoder"),
             judgements.judgements_path(tmp_path, ARTIFACT, "encoder v2"),
             judgements.judgements_path(tmp_path, other, "encoder")}
    assert len(paths) == 3


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 99, "judgements": {}}',
                                     b'{"format": 1, "judgements": {"x": [1]}}'])
def test_an_unreadable_file_is_no_error(tmp_path, content):
    path = tmp_path / "semantic-x.json"
    path.write_bytes(content)
    assert judgements.load(path) == {}
    assert judgements.load(tmp_path / "missing.json") == {}


@pytest.mark.slow
def test_a_layer_given_the_judgements_embeds_none_of_those_sentences(semantic_model, e5_encoder, rulebook):
    texts = ["这笔钱放进去，到期一分不少地回到您卡里。", "业绩比较基准写多少，到时候基本就是多少。"]
    first = make_layer(semantic_model, CountingEncoder(e5_encoder), rulebook)
    judged = first.judge(texts)
    assert judged and all(a.stage for a in judged.values())
    encoder = CountingEncoder(e5_encoder)
    second = make_layer(semantic_model, encoder, rulebook)
    second.remember(judged)
    findings = [second.findings(normalize(text), ()) for text in texts]
    assert encoder.sentences == []
    again = make_layer(semantic_model, e5_encoder, rulebook)
    assert [[(f.rule_id, f.severity, f.score) for f in found] for found in findings] == \
        [[(f.rule_id, f.severity, f.score) for f in again.findings(normalize(text), ())] for text in texts]


@pytest.mark.slow
def test_an_indexed_home_answers_from_knowledge_without_the_sentence_model(built_services):
    from rm_copilot.services import Services

    questions = ["最低还款要收利息吗", "目标止盈和分批止盈怎么跟客户解释", "企业微信朋友圈能发私募产品吗"]
    assert any(a.stage == 2 for a in judgements.load(built_services.semantic_judgements_path).values())
    fresh = Services(built_services.settings)
    for question in questions:
        fresh.copilot.chat("A001", question)
    assert not fresh.sentence_encoder.loaded
    forgetful = Services(built_services.settings)  # the same answers, judged afresh, need the model
    forgetful.compliance.semantic._cache.clear()
    for question in questions:
        forgetful.copilot.chat("A001", question)
    assert forgetful.sentence_encoder.loaded
