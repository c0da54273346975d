"""The assistant on the real demo data and knowledge index (built once per session): slow."""
from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from rm_copilot.assistant.brief import date_text
from rm_copilot.cli import app
from rm_copilot.generation.sentences import split_sentences
from rm_copilot.knowledge.products import risk_rank

pytestmark = pytest.mark.slow
runner = CliRunner()
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MARKER = re.compile(r"\[\d+\]")
QUESTIONS = [
    "星河天天利现金管理理财的起购金额是多少？",
    "大额存单可以提前支取吗？",
    "存款保险最高赔多少？",
    "理财产品的业绩比较基准是什么意思？",
    "基金定投怎么设置？",
    "信用卡免息期有多长？",
]


def test_every_demo_customer_gets_a_passing_suitable_cited_script(use_built_services):
    services = use_built_services
    ids = list(services.customers.iter_ids())
    assert len(ids) >= 100
    for customer_id in ids:
        result = runner.invoke(app, ["script", "--customer", customer_id, "--json"])
        assert result.exit_code == 0, result.output
        script = json.loads(result.output)["scripts"][0]
        product = services.catalog.get(script["product_id"])
        context = services.customers.compliance_context(customer_id)
        recheck = services.compliance.check(script["text"], product_type=product.type, channel="tablet",
                                            customer=context)
        assert recheck.verdict == "pass", (customer_id, script["text"], recheck.findings)
        profile = services.customers.profile(customer_id)
        limit = risk_rank(profile.risk_level) if profile.risk_level and not profile.risk_assessment_stale else 1
        assert product.risk_rank <= (min(limit, 3) if profile.age >= 65 else limit)
        events = [e for e in profile.events if e.kind == script["scenario"]]
        if events:
            assert date_text(min(events, key=lambda e: abs(e.days_until)).date) in script["text"]
        cited = {c["product_id"] for c in script["citations"]}
        assert {p.id for p in services.catalog.find_mentions(script["text"])} <= cited
        for citation in script["citations"]:
            services.knowledge_index.get_chunk(citation["chunk_id"])  # raises when missing


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_citations_resolve_and_numbers_come_from_cited_chunks(use_built_services, question):
    services = use_built_services
    answer = services.copilot.chat("A001", question)
    assert answer.compliance.verdict != "block"
    cited = "".join(services.knowledge_index.get_chunk(c["chunk_id"]).text for c in answer.citations)
    if not answer.answer.startswith("知识库中没有找到"):
        assert answer.citations
    for number in NUMBER.findall(MARKER.sub("", answer.answer)):
        assert number in cited, (question, number, answer.answer)
    for sentence in split_sentences(answer.answer):  # each sentence is supported by the chunk it cites
        sources = "".join(services.knowledge_index.get_chunk(answer.citations[int(n) - 1]["chunk_id"]).text
                          for n in re.findall(r"\[(\d+)\]", sentence))
        if sources:
            for number in NUMBER.findall(MARKER.sub("", sentence)):
                assert number in sources, (question, number, sentence)


def test_follow_up_question_uses_the_session(use_built_services):
    copilot = use_built_services.copilot
    first = copilot.chat("A001", "星河天天利现金管理理财的费用有哪些？")
    second = copilot.chat("A001", "那它的起购金额呢？", session_id=first.session_id)
    assert "1元起购" in second.answer
    assert all(c["product_id"] == "WM001" for c in second.citations)


def test_ask_json_is_the_chat_object(use_built_services):
    result = runner.invoke(app, ["ask", "存款保险最高赔多少？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"session_id", "answer", "citations", "compliance", "rewritten_question", "route"}
    assert "50万元" in data["answer"]


def test_script_for_another_customer_id_is_a_clean_error(use_built_services):
    result = runner.invoke(app, ["script", "--customer", "C99999"])
    assert result.exit_code == 2
    assert "没有找到客户" in result.output
