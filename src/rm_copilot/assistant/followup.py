"""Follow-ups that stay on topic: the conversation's current products, and 它/这款/那…呢 resolved to them.

The topic is replayed from the stored history: each question that names products makes them the
topic; a question that names none keeps it; an answer that cites a single product sets it when the
question had none (so "大额存单的起存金额" → the deposit products, "那它的期限呢？" → the same ones).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rm_copilot.assistant.mentions import ProductMatcher
from rm_copilot.errors import NotFound
from rm_copilot.knowledge.products import Product

_PRONOUN = re.compile(r"它们|它|这款产品|这个产品|该产品|此产品|这款|这只|这支|这个|那款|那只|那个产品|那个|这种|那种")
_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|顺便问一下|请问|再问|然后)[，,、\s]*")
_TRAILING_NE = re.compile(r"呢[？?]?$")
SHORT_QUESTION = 10  # a question this short with no subject of its own continues the topic
_KIND = re.compile(r"理财|基金|保险|存款|存单|贷款|信用卡")  # a kind of product named: a subject of its own
TOPIC_PRODUCTS = 3


@dataclass
class Topic:
    products: list[Product] = field(default_factory=list)
    question: str | None = None  # the last question as resolved (what was searched)


@dataclass(frozen=True)
class Resolved:
    question: str
    products: list[Product]
    followup: bool


def replay_topic(history: Sequence[Any], matcher: ProductMatcher) -> Topic:
    topic = Topic()
    named_in_question = False
    for message in history:
        if message.role == "user":
            resolved = resolve(message.content, topic, matcher)
            named_in_question = bool(resolved.products) and not resolved.followup
            topic = Topic(resolved.products or topic.products, resolved.question)
        elif message.role == "assistant" and not named_in_question and not topic.products:
            cited = _cited_products(message, matcher)
            if len(cited) == 1:
                topic = Topic(cited, topic.question)
    return topic


def resolve(question: str, topic: Topic, matcher: ProductMatcher) -> Resolved:
    """The question as retrieval should see it, and the products it is about."""
    question = question.strip()
    named = matcher.find(question)
    if named and topic.products and _PRONOUN.search(question) and not matcher.catalog.find_mentions(question):
        named = []  # "那它的就医协助…": 它 is the topic; a loose word match (医药 → a fund) is no new subject
    if named:
        return Resolved(question, named[:TOPIC_PRODUCTS], False)
    if not topic.products and not topic.question:
        return Resolved(question, [], False)
    if not _continues(question, explicit_only=not topic.products):
        return Resolved(question, [], False)
    rest = _TRAILING_NE.sub("", _LEAD.sub("", question)).strip("，,。？? ")
    if topic.products:
        subject = "和".join(p.name for p in topic.products[:2])
        if _PRONOUN.search(rest):
            rewritten = _PRONOUN.sub(subject, rest, count=1)
        else:
            rewritten = f"{subject}的{rest}"
        return Resolved(rewritten + "？", topic.products, True)
    return Resolved(f"{_core(topic.question or '')}，{rest}？", [], True)


def _continues(question: str, *, explicit_only: bool = False) -> bool:
    bare = _LEAD.sub("", question)
    explicit = bool(_PRONOUN.search(question)) or bare != question or bool(_TRAILING_NE.search(question))
    short = len(bare.strip("，,。？? ")) <= SHORT_QUESTION and not _KIND.search(bare)
    return explicit or (not explicit_only and short)


def _core(question: str) -> str:
    return question.strip().rstrip("？?。！!")


def _cited_products(message: Any, matcher: ProductMatcher) -> list[Product]:
    ids = list(dict.fromkeys(c.get("product_id") for c in (message.citations or []) if c.get("product_id")))
    products = []
    for product_id in ids:
        try:
            products.append(matcher.catalog.get(product_id))
        except NotFound:
            continue
    return products
