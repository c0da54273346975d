"""A misbehaving OpenAI-compatible server: one overall deadline, and empty replies fall back like failures."""
from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from assistant_fakes import FakeCustomers, FakeRetriever, chunk, make_copilot, profile
from fake_openai import DRIP_LIMIT, MisbehavingOpenAI
from rm_copilot.config import Settings
from rm_copilot.generation.deadline import DeadlineExceeded
from rm_copilot.services import make_chat_model


def _settings(tmp_path, server, *, timeout: float, retries: int) -> Settings:
    return Settings(home=tmp_path, environment="test", llm_backend="openai", llm_base_url=server.base_url,
                    llm_model="fake", llm_timeout=timeout, llm_max_retries=retries)


@pytest.fixture
def copilot_for(tmp_path, catalog, engine):
    retriever = FakeRetriever([chunk("faq/deposit-insurance#1", "存款保险的最高偿付限额为50万元。", title="存款保险保什么")])
    customers = FakeCustomers()
    customers.add(profile("C00001"))

    def build(server, *, timeout: float = 5.0, retries: int = 0):
        model = make_chat_model(_settings(tmp_path, server, timeout=timeout, retries=retries))
        return make_copilot(tmp_path, catalog, engine, customers=customers, retriever=retriever, model=model)

    return build


def test_a_drip_feeding_server_cannot_hold_a_stream_past_the_deadline(tmp_path):
    with MisbehavingOpenAI("drip") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=1.0, retries=0))
        with pytest.raises(DeadlineExceeded):
            for _ in model.stream([HumanMessage(content="你好")]):
                pass
        server.release.set()
    assert server.dripped < DRIP_LIMIT


def test_a_drip_feeding_server_cannot_hold_a_plain_call_past_the_deadline(tmp_path):
    with MisbehavingOpenAI("drip") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=1.0, retries=2))
        with pytest.raises(DeadlineExceeded):
            model.invoke([HumanMessage(content="你好")])
        server.release.set()
    assert server.dripped < DRIP_LIMIT
    assert len(server.requests) == 1  # the deadline was spent: no retry starts after it


def test_a_slow_server_costs_one_deadline_not_one_timeout_per_attempt(tmp_path):
    with MisbehavingOpenAI("hang") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=0.5, retries=2))
        with pytest.raises(DeadlineExceeded):
            model.invoke([HumanMessage(content="你好")])
    assert len(server.requests) == 1


def test_a_prompt_reply_within_the_deadline_is_delivered_once(tmp_path):
    with MisbehavingOpenAI("reply", reply="存款保险的最高偿付限额为50万元。") as server:
        model = make_chat_model(_settings(tmp_path, server, timeout=5.0, retries=2))
        assert "50万元" in str(model.invoke([HumanMessage(content="存款保险赔多少？")]).content)
    assert len(server.requests) == 1


@pytest.mark.parametrize("reply", ["", "   \n  ", "😀🙏……！"])
def test_an_empty_reply_falls_back_to_the_builtin_composer_everywhere(copilot_for, reply):
    with MisbehavingOpenAI("reply", reply=reply) as server:
        copilot = copilot_for(server)
        answer = copilot.chat("A001", "存款保险最高赔多少钱？")
        events = list(copilot.chat_stream("A001", "存款保险最高赔多少钱？"))
        scripts = copilot.scripts("A001", "C00001", channel="wecom", variants=2).scripts
    assert answer.origin.startswith("builtin") and "50万元" in answer.answer
    assert "50万元" in events[-1].answer.answer
    assert all(script.text.strip() and script.origin.startswith("builtin") for script in scripts)
    assert len(server.requests) >= 3
