"""Segment expressions: a small, safe grammar for choosing campaign customers.

    expr    := term ("or" term)*
    term    := factor ("and" factor)*
    factor  := "not" factor | "(" expr ")" | atom
    atom    := "all" | "consent"
             | FIELD ":" VALUE                 need:education  tier:财富  holds:DP003  event:maturity
             | FIELD OP VALUE                  age>=65  risk<=C3  event:maturity<=30
             | "age:" N "-" M                  age:30-45

Fields: need, behavior, tag (any layer), tier, city, occupation, advisor, holds (product id or
type), event (kind, optionally `<=N` days ahead), age, risk. Nothing is evaluated as code: the
parser builds predicates over a customer view. Errors name the character position.

The atoms on a customer's own columns (all, consent, tier, city, occupation, advisor, age, risk)
also become a `criteria` tree the store applies in SQL, so only customers that can match are
loaded at all. When the whole expression is made of such atoms the SQL decides alone (`exact`);
otherwise the SQL narrows to a superset and the predicate decides on the loaded view.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rm_copilot.customers import criteria
from rm_copilot.customers.criteria import Criterion
from rm_copilot.errors import CampaignError
from rm_copilot.vocabulary import EVENT_KINDS, PRODUCT_ID_PREFIXES

Predicate = Callable[[Any], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<lparen>\()|(?P<rparen>\))|(?P<word>[^\s()]+))",
)
_COMPARISON = re.compile(r"^(?P<field>[a-z_]+)(?P<op>>=|<=|=|>|<|:)(?P<value>.+)$")
_EVENT_WINDOW = re.compile(r"^(?P<kind>[a-z_]+)(?:(?P<op><=|<)(?P<days>\d+))?$")
_AGE_RANGE = re.compile(r"^(?P<low>\d{1,3})-(?P<high>\d{1,3})$")
_RISK = re.compile(r"^C[1-5]$")
DEFAULT_EVENT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class _Part:
    """A parsed sub-expression: its predicate, the SQL condition it implies (None: cannot narrow),
    and whether that condition is equivalent to the predicate rather than only implied by it."""

    predicate: Predicate
    criterion: Criterion | None = None
    exact: bool = False


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


class Segment:
    """A parsed segment expression; call `matches(customer_view)`."""

    def __init__(self, expression: str, predicate: Predicate, criterion: Criterion | None = None,
                 exact: bool = False):
        self.expression = expression
        self._predicate = predicate
        self.criterion = criterion  # what the store can filter in SQL (a superset), None if nothing
        self.exact = exact  # the criterion alone decides: no view needs to be checked

    def matches(self, customer: Any) -> bool:
        return self._predicate(customer)

    def __repr__(self) -> str:
        return f"Segment({self.expression!r})"


def parse_segment(expression: str) -> Segment:
    tokens = _tokenize(expression)
    if not tokens:
        raise CampaignError("分群表达式为空，请写 all 或如 need:education and age:30-45")
    parser = _Parser(expression, tokens)
    part = parser.expression()
    token = parser.peek()
    if token is not None:
        raise _error(token.position, f"多余的内容“{token.text}”")
    return Segment(expression, part.predicate, part.criterion, part.exact)


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            if expression[position:].strip() == "":
                break
            raise _error(position, "无法识别的字符")
        for kind in ("lparen", "rparen", "word"):
            if match.group(kind) is not None:
                tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def _error(position: int, problem: str) -> CampaignError:
    return CampaignError(f"分群表达式第 {position + 1} 个字符处{problem}")


class _Parser:
    def __init__(self, source: str, tokens: list[_Token]):
        self.source = source
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _error(len(self.source), "表达式不完整")
        self.index += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.index += 1
            return True
        return False

    def expression(self) -> _Part:
        parts = [self.term()]
        while self._keyword("or"):
            parts.append(self.term())
        if len(parts) == 1:
            return parts[0]
        predicates = tuple(p.predicate for p in parts)
        # A disjunction narrows only if every branch does: one unknown branch could match anyone.
        branches = tuple(p.criterion for p in parts if p.criterion is not None)
        narrows = len(branches) == len(parts)
        return _Part(
            lambda c: any(p(c) for p in predicates),
            criteria.AnyOf(branches) if narrows else None,
            narrows and all(p.exact for p in parts),
        )

    def term(self) -> _Part:
        parts = [self.factor()]
        while self._keyword("and"):
            parts.append(self.factor())
        if len(parts) == 1:
            return parts[0]
        predicates = tuple(p.predicate for p in parts)
        known = tuple(p.criterion for p in parts if p.criterion is not None)
        return _Part(
            lambda c: all(p(c) for p in predicates),
            criteria.AllOf(known) if known else None,
            all(p.exact for p in parts),
        )

    def factor(self) -> _Part:
        if self._keyword("not"):
            inner = self.factor()
            # The negation of a mere superset is no superset: only an exact condition can be negated.
            return _Part(lambda c: not inner.predicate(c),
                         criteria.Not(inner.criterion) if inner.exact and inner.criterion is not None else None,
                         inner.exact)
        token = self.take()
        if token.kind == "lparen":
            inner = self.expression()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise _error(closing.position if closing else len(self.source), "缺少右括号")
            self.index += 1
            return inner
        if token.kind == "rparen":
            raise _error(token.position, "多余的右括号")
        return _atom(token)


def _atom(token: _Token) -> _Part:
    word = token.text
    lowered = word.lower()
    if lowered == "all":
        return _Part(lambda c: True, criteria.EVERYONE, True)
    if lowered == "consent":
        return _Part(lambda c: bool(c.marketing_consent), criteria.Consent(), True)
    match = _COMPARISON.match(word)
    if match is None:
        raise _error(token.position, f"“{word}”不是合法条件（例：need:education、age>=65、risk<=C3）")
    field, op, value = match["field"], match["op"], match["value"]
    builder = _FIELDS.get(field)
    if builder is None:
        raise _error(token.position, f"未知字段“{field}”，可用：{'、'.join(sorted(_FIELDS))}")
    return builder(op, value, token.position + len(field) + len(op))


def _compare(op: str, left: float, right: float) -> bool:
    return {
        ">=": left >= right, "<=": left <= right, ">": left > right,
        "<": left < right, "=": left == right, ":": left == right,
    }[op]


def _age_between(low: int, high: int) -> Criterion:
    return criteria.AllOf((criteria.AgeAtLeast(low), criteria.Not(criteria.AgeAtLeast(high + 1))))


_AGE_CRITERIA: dict[str, Callable[[int], Criterion]] = {
    ">=": criteria.AgeAtLeast,
    ">": lambda n: criteria.AgeAtLeast(n + 1),
    "<=": lambda n: criteria.Not(criteria.AgeAtLeast(n + 1)),
    "<": lambda n: criteria.Not(criteria.AgeAtLeast(n)),
    "=": lambda n: _age_between(n, n),
    ":": lambda n: _age_between(n, n),
}


def _age(op: str, value: str, position: int) -> _Part:
    span = _AGE_RANGE.match(value)
    if op == ":" and span:
        low, high = int(span["low"]), int(span["high"])
        if low > high:
            raise _error(position, f"年龄区间 {value} 下限大于上限")
        return _Part(lambda c: c.age is not None and low <= c.age <= high, _age_between(low, high), True)
    if not value.isdigit():
        raise _error(position, f"年龄“{value}”应为数字或区间（如 30-45）")
    bound = int(value)
    return _Part(lambda c: c.age is not None and _compare(op, c.age, bound), _AGE_CRITERIA[op](bound), True)


def _risk(op: str, value: str, position: int) -> _Part:
    level = value.upper()
    if not _RISK.match(level):
        raise _error(position, f"风险等级“{value}”应为 C1–C5")
    bound = int(level[1])
    levels = frozenset(f"C{n}" for n in range(1, 6) if _compare(op, n, bound))
    return _Part(lambda c: c.risk_level is not None and _compare(op, int(c.risk_level[1]), bound),
                 criteria.RiskIn(levels), True)


def _equality(attribute: criteria.Column) -> Callable[[str, str, int], _Part]:
    def build(op: str, value: str, position: int) -> _Part:
        if op not in (":", "="):
            raise _error(position - len(op), f"字段 {attribute} 只支持 “:”")
        return _Part(lambda c: str(getattr(c, attribute, "") or "") == value, criteria.Equals(attribute, value), True)

    return build


def _tag(layer: str | None) -> Callable[[str, str, int], _Part]:
    def build(op: str, value: str, position: int) -> _Part:
        if op not in (":", "="):
            raise _error(position - len(op), "标签条件只支持 “:”")

        def has_tag(c: Any) -> bool:
            layers = [layer] if layer else list(c.tags)
            return any(
                value in (tag.key, tag.value) for name in layers for tag in c.tags.get(name, [])
            )

        return _Part(has_tag)

    return build


def _holds(op: str, value: str, position: int) -> _Part:
    if op not in (":", "="):
        raise _error(position - len(op), "holds 只支持 “:”")
    if value in PRODUCT_ID_PREFIXES:
        prefix = PRODUCT_ID_PREFIXES[value]
        return _Part(lambda c: any(h.product_id.startswith(prefix) for h in c.holdings))
    return _Part(lambda c: any(h.product_id == value for h in c.holdings))


def _event(op: str, value: str, position: int) -> _Part:
    if op not in (":", "="):
        raise _error(position - len(op), "event 写法如 event:maturity 或 event:maturity<=30")
    match = _EVENT_WINDOW.match(value)
    if match is None or match["kind"] not in EVENT_KINDS:
        raise _error(position, f"事件“{value}”应为 {'/'.join(sorted(EVENT_KINDS))}，可加 <=天数")
    kind = match["kind"]
    days = int(match["days"]) if match["days"] else DEFAULT_EVENT_WINDOW_DAYS
    if match["op"] == "<":
        days -= 1
    return _Part(lambda c: any(
        e.kind == kind and e.days_until is not None and 0 <= e.days_until <= days for e in c.events
    ))


_FIELDS: dict[str, Callable[[str, str, int], _Part]] = {
    "age": _age,
    "risk": _risk,
    "tier": _equality("tier"),
    "city": _equality("city"),
    "occupation": _equality("occupation"),
    "advisor": _equality("advisor_id"),
    "need": _tag("need"),
    "behavior": _tag("behavior"),
    "basic": _tag("basic"),
    "tag": _tag(None),
    "holds": _holds,
    "event": _event,
}
