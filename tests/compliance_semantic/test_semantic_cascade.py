"""The cascade's speed mechanisms keep their meaning: cue skip, stage-1 settling, folded cache, batching."""
from __future__ import annotations

import pytest

from compliance_support import PRODUCTS
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.semantic import LazyEncoder, SemanticModel
from rm_copilot.compliance.semantic.text import Folder, sentence_spans
from semantic_support import ARTIFACT, CountingEncoder, make_layer


@pytest.mark.parametrize(("first", "second"), [
    ("王女士，您的3万元理财将于12月3日到期。", "李先生，您的50万元理财将于1月28日到期。"),
    ("张先生您好，星河稳享90天持有期理财年化2.8%。", "刘女士您好，星河全球精选QDII基金年化4.15%。"),
    ("陈老师，这款 保 本 的。", "赵老师，这款 保 本 的。"),
])
def test_copies_differing_in_names_dates_amounts_and_products_fold_alike(first, second):
    folder = Folder([p.name for p in PRODUCTS])
    assert folder.fold(normalize(first).text) == folder.fold(normalize(second).text)


def test_different_claims_do_not_fold_alike():
    folder = Folder()
    assert folder.fold("到期一定能拿回本金。") != folder.fold("到期可能拿不回本金。")


def test_sentence_spans_cover_each_sentence_once():
    text = normalize("第一句。第二句!第三句?最后一句").text
    assert [text[s:e] for s, e in sentence_spans(text)] == ["第一句。", "第二句!", "第三句?", "最后一句"]


@pytest.mark.slow
def test_campaign_copies_are_embedded_once(semantic_model, e5_encoder, rulebook):
    encoder = CountingEncoder(e5_encoder)
    layer = make_layer(semantic_model, encoder, rulebook)
    copies = [f"{name}，您这笔钱投进去，到期{n}万一分不差地回到卡里。" for name, n in
              [("王女士", 3), ("李总", 50), ("张先生", 8), ("刘阿姨", 12)]]
    results = [layer.findings(normalize(text), ()) for text in copies]
    assert len(encoder.sentences) == 1
    assert layer.stats["cached"] == 3
    assert all(r and r[0].category == results[0][0].category for r in results)


@pytest.mark.slow
def test_prime_embeds_a_file_in_batches_then_checks_hit_the_cache(semantic_model, e5_encoder, rulebook):
    calls = []

    class Recording(CountingEncoder):
        def encode(self, texts):
            calls.append(len(texts))
            return super().encode(texts)

    layer = make_layer(semantic_model, Recording(e5_encoder), rulebook)
    lines = ["您尽管买，出了岔子由我一个人担着。", "这种产品属于躺着收钱的那种。", "风险测评那个您不用管，我直接帮您点完。"]
    layer.prime(lines)
    primed = len(calls)
    for line in lines:
        layer.findings(normalize(line), ())
    assert primed <= 1 and len(calls) == primed


def test_loading_the_artifact_does_not_load_the_model_and_plain_copy_never_does(rulebook):
    encoder = LazyEncoder(lambda: pytest.fail("the e5 model must not load for these sentences"))
    layer = make_layer(SemanticModel.load(ARTIFACT), encoder, rulebook)
    for text in ["您好。", "祝您生活愉快！", "网点营业时间为工作日九点到五点。"]:
        assert layer.findings(normalize(text), ()) == []
    assert not encoder.loaded



@pytest.mark.parametrize(("first", "second"), [
    ("王女士您好，这笔钱到期一分不少地回到卡里。", "这笔钱到期一分不少地回到卡里。"),
    ("早上好！这笔钱到期一分不少地回到卡里。", "李总，跟您汇报一下：这笔钱到期一分不少地回到卡里。"),
])
def test_an_opening_that_only_greets_folds_away(first, second):
    folder = Folder()
    assert folder.fold(normalize(first).text) == folder.fold(normalize(second).text)


@pytest.mark.parametrize("text", ["客户经理会联系您。", "您好"])
def test_a_sentence_that_is_not_an_opening_keeps_its_words(text):
    assert Folder().fold(normalize(text).text) == normalize(text).text


def test_latin_text_counts_as_a_cue_by_its_words_not_its_letters(semantic_model):
    if semantic_model.cue_words is None:
        pytest.skip("artifact older than cue words")
    assert not any(c.isascii() and c.isalpha() for c in semantic_model.cue_chars)
    assert semantic_model.has_cue("capital guaranteed, you never lose")
    assert not semantic_model.has_cue("needs: [housing, education]")


@pytest.mark.slow
def test_check_many_gives_each_text_the_verdict_check_gives_it(semantic_model, e5_encoder, rulebook):
    from compliance_support import PRODUCTS, TODAY
    from rm_copilot.compliance.engine import ComplianceEngine

    def engine():
        return ComplianceEngine(rulebook, products=PRODUCTS, today=TODAY,
                                semantic=make_layer(semantic_model, CountingEncoder(e5_encoder), rulebook))

    lines = ["您尽管买，出了岔子由我一个人担着。", "网点周六正常营业。", "这款保本保息。",
             "这种产品属于躺着收钱的那种。", "您尽管买，出了岔子由我一个人担着。", "风险测评那个您不用管，我直接帮您点完。"]
    batched, single = engine(), engine()
    many = batched.check_many(lines)
    assert [r.to_dict() for r in many] == [single.check(line).to_dict() for line in lines]
    assert many[0] is many[4]  # identical texts are checked once
    assert len(batched.semantic.encoder.sentences) <= len(single.semantic.encoder.sentences)


def test_a_reply_whose_cue_characters_form_no_cue_pair_skips_the_models(semantic_model):
    if semantic_model.cue_pairs is None:
        pytest.skip("artifact older than cue pairs")
    assert not semantic_model.cue_chars.isdisjoint("祝您生日快乐！")
    assert not semantic_model.has_cue("祝您生日快乐！")
    assert semantic_model.has_cue("这款产品保本保息，您放心买。")
