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

from rm_copilot.assistant.mentions import ProductMatcher, fold
from rm_copilot.errors import NotFound
from rm_copilot.knowledge.products import Product

_PRONOUN = re.compile(r"它们|它|这款产品|这个产品|该产品|此产品|这款|这只|这支|这个|那款|那只|那个产品|那个|这种|那种")
_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|顺便问一下|请问|再问|然后)[，,、\s]*")
_TRAILING_NE = re.compile(r"呢[？?]?$")
SHORT_QUESTION = 10  # a question this short with no subject of its own continues the topic
_KIND = re.compile(r"理财|基金|保险|存款|存单|贷款|信用卡")  # a kind of product named: a subject of its own
TOPIC_PRODUCTS = 3
NEW_SUBJECT = 4.0  # a name matched this well beside 那个 is a new subject ("云帆那个180天的"), not a loose word
BARE_VERB = 3  # "怎么免", "能退吗": a pronoun with only a verb left refers to what was asked last
_ASKING = re.compile(r"[的呢吗？?，,。个款只\s]|那个|这个|那款|这款|那只|那")


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
    if named and topic.products and _PRONOUN.search(question) and not matcher.catalog.find_mentions(question) \
            and not any(m.product not in topic.products and m.score >= NEW_SUBJECT
                        for m in matcher.scores(question, tags=False)):
        named = []  # "那它的就医协助…": 它 is the topic; a loose word match (医药 → a fund) is no new subject
    rest = _TRAILING_NE.sub("", _LEAD.sub("", question)).strip("，,。？? ")
    if not named and topic.products and (variant := _variant(rest, topic.products[0], matcher)) is not None:
        named = [variant]  # "1年期的呢？" after the 3-year certificate: the same product line, the other term
    if named:
        if topic.question and not _own_words(rest, named, matcher):  # "那300指增的呢？": the last aspect, asked of it
            aspect = _aspect(topic.question, topic.products, matcher)
            if aspect:
                return Resolved(f"{named[0].name}的{aspect}？", named[:TOPIC_PRODUCTS], True)
        return Resolved(question, named[:TOPIC_PRODUCTS], False)
    if not topic.products and not topic.question:
        return Resolved(question, [], False)
    if not _continues(question, explicit_only=not topic.products):
        return Resolved(question, [], False)
    if topic.products:
        subject = "和".join(p.name for p in topic.products[:2])
        if _PRONOUN.search(rest):
            rewritten = _PRONOUN.sub(subject, rest, count=1)
            bare = _PRONOUN.sub("", rest)
            if len(bare) <= BARE_VERB and topic.question and (aspect := _aspect(topic.question, topic.products, matcher)):
                rewritten = f"{subject}的{_core(aspect)}，{bare}"  # "这个怎么免" after 年费: the 年费 is what is waived
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


def _segments_of(text: str, names: list[str]) -> list[tuple[int, int]]:
    """Spans of `text` (folded) of two or more characters that occur in one of the names."""
    spans, i = [], 0
    while i < len(text) - 1:
        length = 0
        while i + length < len(text) and any(text[i:i + length + 1] in name for name in names):
            length += 1
        if length >= 2:
            spans.append((i, i + length))
            i += length
        else:
            i += 1
    return spans


def _names(products: Sequence[Product], matcher: ProductMatcher) -> list[str]:
    return [fold(n) for p in products for n in matcher.catalog.names.of(p.id, branded=False)]


def _aspect(question: str, products: Sequence[Product], matcher: ProductMatcher) -> str:
    """The question without the words that name its products: what was asked about them ("定投最低多少钱")."""
    text = fold(question)
    spans = _segments_of(text, _names(products, matcher))
    kept, at = [], 0
    for start, end in spans:
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    return _core("".join(kept)).lstrip("的和与跟及那呢")


def _own_words(rest: str, products: Sequence[Product], matcher: ProductMatcher) -> bool:
    """Whether the question asks something beyond naming the products ("那300指增的呢" asks nothing)."""
    text = fold(rest)
    spans = _segments_of(text, _names(products, matcher))
    left = "".join(ch for i, ch in enumerate(text) if not any(a <= i < b for a, b in spans))
    return bool(_ASKING.sub("", left))


def _variant(rest: str, product: Product, matcher: ProductMatcher) -> Product | None:
    """Another product of the same line that the short question's words name ("1年期" → the 1-year one)."""
    spec = _ASKING.sub("", fold(rest))
    if not spec or len(spec) > 6 or not re.search(r"\d", spec):
        return None
    own = {pair for name in _names([product], matcher) for pair in _pairs(name)}
    best, share = None, 0.5
    for other in matcher.catalog.all():
        if other.id == product.id or other.type != product.type:
            continue
        names = _names([other], matcher)
        if not any(spec in name for name in names):
            continue
        common = max(len(own & _pairs(name)) / max(1, len(own)) for name in names)
        if common > share:
            best, share = other, common
    return best


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}
