"""The structured task every backend receives: what to write, for whom, from which facts.

The builtin composer reads it directly (attached to the last message); an LLM reads the same data
rendered into the prompt templates.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

REQUEST_KEY = "rm_request"
QuestionForm = Literal["fact", "list", "yesno"]


class ComposeRequest(BaseModel):
    task: Literal["script", "answer"]
    intent: Literal["question", "recommend", "profile", "compare", "refuse"] = "question"
    form: QuestionForm = "fact"
    subjects: list[str] = Field(default_factory=list)  # the products asked about, by catalog name
    scenario: str = "product"
    channel: str = "tablet"
    variant: int = 0
    question: str = ""
    profile: dict[str, Any] | None = None
    product: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    need: str | None = None
    reasons: list[str] = Field(default_factory=list)
    chunks: list[dict[str, Any]] = Field(default_factory=list)
    recommendations: list[dict[str, Any]] = Field(default_factory=list)
    history: list[dict[str, str]] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(default_factory=list)
    extra_disclosures: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    safe: bool = False
