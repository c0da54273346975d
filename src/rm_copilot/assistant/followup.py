"""Follow-up questions rewritten with the conversation before retrieval ("那它的起购金额呢？")."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rm_copilot.knowledge.products import Product, ProductCatalog

_PRONOUN = re.compile(r"它们|它|这款产品|这个产品|该产品|此产品|这款|这只|这支|那款|那只|那个产品")
_LEAD = re.compile(r"^(?:那么|那|还有|另外|再问一下|顺便问一下)[，,、\s]*")
_TRAILING_NE = re.compile(r"呢[？?]?$")


def last_product(history: Sequence[Any], catalog: ProductCatalog) -> Product | None:
    """The product discussed last: the advisor's own words first, then the assistant's answers."""
    for role in ("user", "assistant"):
        for message in reversed(history):
            if message.role == role and (mentioned := catalog.find_mentions(message.content)):
                return mentioned[0]
    return None


def resolve_followup(question: str, history: Sequence[Any], catalog: ProductCatalog) -> tuple[str, Product | None]:
    """The question as retrieval should see it, and the product it is about (if any)."""
    mentioned = catalog.find_mentions(question)
    if mentioned:
        return question, mentioned[0]
    previous = last_product(history, catalog) if history else None
    if previous is None:
        return question, None
    if _PRONOUN.search(question):
        return _LEAD.sub("", _PRONOUN.sub(previous.name, question, count=1)), previous
    if _LEAD.match(question) or _TRAILING_NE.search(question):
        return f"{previous.name}的{_LEAD.sub('', question)}", previous
    return question, None
