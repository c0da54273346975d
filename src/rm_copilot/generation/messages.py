"""Turn a ComposeRequest into chat messages: system rules, then the task with its delimited data."""
from __future__ import annotations

import json

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rm_copilot.generation.prompts import PromptRenderer
from rm_copilot.generation.request import REQUEST_KEY, ComposeRequest


def build_messages(request: ComposeRequest, renderer: PromptRenderer) -> list[BaseMessage]:
    system = renderer.render("llm/system.j2", task=request.task, channel=request.channel)
    template = "llm/script.j2" if request.task == "script" else "llm/answer.j2"
    user = renderer.render(template, r=request, as_json=_as_json)
    return [
        SystemMessage(content=system),
        HumanMessage(content=user, additional_kwargs={REQUEST_KEY: request.model_dump()}),
    ]


def _as_json(value: object) -> str:
    """JSON with '<' escaped, so data can never close the tag that delimits it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).replace("<", "\\u003c")
