"""Full names in free text are masked everywhere; honorifics, products and places are not."""
from __future__ import annotations

import re

import pytest

from compliance_support import engine
from rm_copilot.assistant.sessions import SessionStore
from rm_copilot.compliance.names import find_names
from rm_copilot.compliance.pii import redact_pii
from rm_copilot.config import PROJECT_ROOT
from rm_copilot.db import create_schema, make_engine, make_session_factory


@pytest.mark.parametrize(("text", "names"), [
    ("今天下午周建国先生来网点咨询赎回规则。", ["周建国"]),
    ("我昨天给司马文静打了电话。", ["司马文静"]),
    ("欧阳娜娜下周有一笔存款到期。", ["欧阳娜娜"]),
    ("户名：刘德明，开户行星河银行。", ["刘德明"]),
    ("客户张伟想把定期转成理财。", ["张伟"]),
    ("我给王丽华打了电话，她想了解大额存单。", ["王丽华"]),
    ("请联系王建国办理。", ["王建国"]),
    ("昨天见了李明和张伟。", ["李明", "张伟"]),
    ("李刚说他明天来网点。", ["李刚"]),
    ("投保人：诸葛明远，被保险人：上官雨晴。", ["诸葛明远", "上官雨晴"]),
    ("陈晓东经理下午在网点。", ["陈晓东"]),
])
def test_full_names_are_found(text, names):
    assert [text[start:end] for start, end in find_names(text)] == names


@pytest.mark.parametrize("text", [
    "王女士您好，星河稳享90天持有期理财本周开放申购。",
    "李总，您上次问的那只基金净值回撤了3%。",
    "张经理和李总经理都在。",
    "陈阿姨，祝您生日快乐！",
    "星河天天利支持7×24小时申购赎回。",
    "云帆添益180天持有期理财由云帆理财发行。",
    "金华分行的高新区支行周末正常营业。",
    "杭州、黄山、江苏的网点都可以办理。",
    "黄金周期间网点正常营业。",
    "这张卡年费100元，马上就能办。",
    "不收取申购费和赎回费。",
    "谢谢您的信任。",
    "客户都能买吗？客户常问会不会亏。",
    "西门子和李宁都是知名品牌。",
])
def test_honorifics_products_places_and_words_are_not_masked(text):
    assert find_names(text) == [], [text[s:e] for s, e in find_names(text)]


def test_check_masks_a_free_text_name_and_keeps_the_honorific():
    result = engine().check("周建国先生您好，王女士让我转告您：卡已寄出。")
    assert result.text == "周**先生您好，王女士让我转告您：卡已寄出。"
    (finding,) = [f for f in result.findings if f.category == "pii"]
    assert (finding.rule_id, finding.matched) == ("pii.name", "周**")


@pytest.mark.parametrize(("text", "expected"), [
    ("电话86-138-1234-5678", "电话86-138****5678"),
    ("86 13812345678 是他的手机", "86 138****5678 是他的手机"),
    ("手机8613812345678", "手机86138****5678"),
    ("司马文静的手机是13912345678", "司***的手机是139****5678"),
])
def test_redact_pii_masks_names_and_phones_with_a_bare_country_code(text, expected):
    assert redact_pii(text) == expected


def test_chat_history_and_session_title_are_stored_masked(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'sessions.db'}")
    create_schema(db)
    store = SessionStore(make_session_factory(db))
    store.record_turn("s1", advisor_id="A001", question="周建国先生的电话13812345678，帮他看看理财",
                      answer="可以为周建国先生介绍星河稳享。")
    session = store.create("A001", title="给司马文静的话术")
    store.append(session.id, "user", "户名：刘德明", advisor_id="A001")
    stored = [m.content for m in store.history("s1", advisor_id="A001")]
    stored += [m.content for m in store.history(session.id, advisor_id="A001")]
    titles = [s.title for s in store.list_for_advisor("A001")]
    for text in stored + titles:
        assert not re.search("周建国|司马文静|刘德明|13812345678", text), text
    assert "周**先生" in stored[0] and "司***" in "".join(titles)


def _document_sentences() -> list[str]:
    sentences = []
    for path in sorted((PROJECT_ROOT / "knowledge_base" / "products").rglob("*.md")):
        for piece in re.split(r"(?<=[。！？\n])", path.read_text(encoding="utf-8")):
            piece = piece.strip().lstrip("-#*> ")
            if len(piece) >= 6:
                sentences.append(piece)
    return sentences


def test_false_mask_rate_on_product_documents_stays_below_half_a_percent():
    sentences = _document_sentences()
    masked = [s for s in sentences if find_names(s)]
    assert len(sentences) > 1000
    assert len(masked) / len(sentences) < 0.005, masked[:10]
