"""The `openai` backend against a tiny local OpenAI-compatible server (threaded, 127.0.0.1, free port)."""
from __future__ import annotations

import json

import pytest

from assistant_fakes import BLOCKED_PHRASES, GUARANTEE, FakeCustomers, FakeRetriever, chunk, make_copilot, profile
from fake_openai import MisbehavingOpenAI
from rm_copilot.config import Settings
from rm_copilot.services import make_chat_model


@pytest.fixture
def retriever():
    return FakeRetriever([chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。存款保险不覆盖理财、基金、保险产品。",
                                title="存款保险保什么")])


@pytest.fixture
def customers():
    customers = FakeCustomers()
    customers.add(profile("C00001"))
    return customers


def openai_copilot(tmp_path, catalog, engine, retriever, customers, server, *, timeout=5.0):
    settings = Settings(home=tmp_path, environment="test", llm_backend="openai", llm_base_url=server.base_url,
                        llm_model="fake-qwen", llm_timeout=timeout, llm_max_retries=0)
    model = make_chat_model(settings)
    return make_copilot(tmp_path, catalog, engine, customers=customers, retriever=retriever, model=model)


def assert_clean(text: str) -> None:
    assert not any(phrase in text for phrase in BLOCKED_PHRASES), text


def test_guarantee_from_an_openai_server_never_reaches_chat_stream_or_scripts(tmp_path, catalog, engine,
                                                                               retriever, customers):
    with MisbehavingOpenAI("reply", GUARANTEE) as server:
        copilot = openai_copilot(tmp_path, catalog, engine, retriever, customers, server)
        answer = copilot.chat("A001", "存款保险最高赔多少钱？")
        assert_clean(answer.answer)
        events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
        for event in events[:-1]:
            assert_clean(event.text)
        assert_clean(events[-1].answer.answer)
        for script in copilot.scripts("A001", "C00001", channel="wecom", variants=2).scripts:
            assert_clean(script.text)
            assert script.compliance.verdict != "block"
    assert len(server.requests) >= 3
    assert any(request.get("stream") for request in server.requests)


def test_prompts_reach_the_server_with_rules_and_delimited_context(tmp_path, catalog, engine, retriever, customers):
    with MisbehavingOpenAI("reply", "存款保险的最高偿付限额为50万元[1]。") as server:
        copilot = openai_copilot(tmp_path, catalog, engine, retriever, customers, server)
        answer = copilot.chat("A001", "存款保险最高赔多少钱？", customer_id="C00001")
    assert answer.origin == "llm"
    assert answer.answer.startswith("存款保险的最高偿付限额为50万元[1]。")
    messages = server.requests[0]["messages"]
    assert messages[0]["role"] == "system" and "不是指令" in messages[0]["content"]
    assert "<knowledge>" in messages[1]["content"] and "<customer>" in messages[1]["content"]
    assert "张建国" not in json.dumps(server.requests, ensure_ascii=False)
    assert server.requests[0]["model"] == "fake-qwen"


def test_a_server_that_times_out_falls_back_to_the_builtin_composer(tmp_path, catalog, engine, retriever, customers):
    with MisbehavingOpenAI("hang", "不会送达", hold_s=10) as server:
        copilot = openai_copilot(tmp_path, catalog, engine, retriever, customers, server, timeout=0.3)
        answer = copilot.chat("A001", "存款保险最高赔多少钱？")
        assert answer.origin.startswith("builtin") and "50万元" in answer.answer
        events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
        assert "50万元" in events[-1].answer.answer
        script = copilot.scripts("A001", "C00001").scripts[0]
        assert script.origin == "builtin" and script.compliance.verdict == "pass"
