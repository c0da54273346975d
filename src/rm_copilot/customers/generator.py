"""Deterministic synthetic customers with coherent tags, holdings and events.

`generate_customers(count, seed, catalog, advisors)` returns dicts of the JSONL import shape; the
same seed, catalogue, advisors and reference date give identical output. IDs, phones and cards
have valid formats and checksums but are made up.
"""
from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from stdnum import luhn
from stdnum.cn import ric

from rm_copilot.customers.behaviour import behaviour_tags, behaviour_traces, hidden_needs
from rm_copilot.customers.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from rm_copilot.customers.personas import (
    BEHAVIOR_SOURCES,
    CITIES,
    MARITAL,
    NEED_PHRASES,
    NEED_SOURCES,
    NOTES,
    PERSONAS,
    Persona,
)
from rm_copilot.customers.tags import AUM_BANDS, age_on
from rm_copilot.vocabulary import CUSTOMER_RISK_LEVELS, PRODUCT_TYPE_LABELS

ELDERLY_AGE = 65
RETIREMENT_AGE = 63
CONSENT_RATE = 0.85
UNASSESSED_RATE = 0.02
HOLDING_BANDS = ("1万-5万", "5万-20万", "20万-50万", "50万-100万", "100万-300万", "300万以上")
_PHONE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "158", "186", "187", "188", "177", "199")
_CARD_PREFIXES = (("622202", 16), ("621700", 19), ("622208", 19), ("621799", 19))
_OPEN_ENDED = ("无固定", "不约定", "开放式")
_SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]


def generate_customers(
    count: int,
    seed: int,
    catalog: Any,
    advisors: Sequence[Any],
    *,
    today: date | None = None,
    start: int = 1,
) -> list[dict[str, Any]]:
    """`count` customers C{start:05d}…, spread round-robin over `advisors` (ids or views)."""
    return [row for row, _ in generate_with_needs(count, seed, catalog, advisors, today=today, start=start)]


def generate_with_needs(
    count: int,
    seed: int,
    catalog: Any,
    advisors: Sequence[Any],
    *,
    today: date | None = None,
    start: int = 1,
) -> list[tuple[dict[str, Any], list[str]]]:
    """Rows with each customer's hidden needs (the truth need inference is measured against)."""
    advisor_ids = [getattr(a, "id", a) for a in advisors]
    if not advisor_ids:
        raise ValueError("generate_customers needs at least one advisor")
    products = _products_by_type(catalog)
    rng = random.Random(seed)
    today = today or date.today()
    found = []
    for i in range(count):
        customer = _Customer(rng, today, products)
        row = customer.build(f"C{start + i:05d}", advisor_ids[i % len(advisor_ids)])
        # Behaviour has its own stream, so adding it left every earlier field of a seed unchanged.
        behaviour = random.Random(f"{seed}:{row['id']}")
        needs = hidden_needs(customer.typed_needs, customer.persona.needs, behaviour)
        row["tags"] += behaviour_tags(behaviour_traces(needs, behaviour), customer.now, behaviour)
        found.append((row, needs))
    return found


def _products_by_type(catalog: Any) -> dict[str, list[Any]]:
    by_type: dict[str, list[Any]] = {}
    products = sorted(catalog.all() if catalog is not None else [], key=lambda p: p.id)
    for product in products:
        if getattr(product, "status", "on_sale") == "on_sale":
            by_type.setdefault(product.type, []).append(product)
    return by_type


def _external_userid(customer_id: str) -> str:
    """A WeCom-looking external contact id, derived without drawing from the rng (keeps seeds stable)."""
    return "wm" + hashlib.sha256(f"external:{customer_id}".encode()).hexdigest()[:30]


def _rank(level: str | None) -> int:
    return int(level[1]) if level else 1


class _Customer:
    """One customer's draw; methods share the rng so the order of draws fixes the output."""

    def __init__(self, rng: random.Random, today: date, products: dict[str, list[Any]]):
        self.rng, self.today, self.products = rng, today, products
        self.now = datetime.combine(today, time(9, 0))

    def build(self, customer_id: str, advisor_id: str) -> dict[str, Any]:
        rng = self.rng
        persona = self.persona = rng.choices(PERSONAS, weights=[p.weight for p in PERSONAS])[0]
        gender = rng.choice(("男", "女"))
        birth = self._birth_date(persona)
        age = age_on(birth, self.today)
        city = rng.choice(CITIES)
        aum_index = rng.randint(*persona.aum_bands)
        risk = self._risk_level(persona, age)
        holdings, maturity_events = self._holdings(persona, risk, age, aum_index)
        tags = self._tags(persona, aum_index, holdings)
        for holding in holdings:
            del holding["type"]
        row: dict[str, Any] = {
            "id": customer_id,
            "advisor_id": advisor_id,
            "full_name": self._name(gender),
            "id_number": self._id_number(city.area_codes, birth, gender),
            "phone": rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            "card_number": self._card_number(),
            "gender": gender,
            "birth_date": birth.isoformat(),
            "city": city.name,
            "occupation": self._occupation(persona, age),
            "tier": "私行" if aum_index >= 6 else "财富" if aum_index >= 3 else "大众",
            "risk_level": risk,
            "risk_assessed_at": self._assessed_at(risk),
            "marketing_consent": rng.random() < CONSENT_RATE,
            "external_userid": _external_userid(customer_id),
            "note": rng.choice(NOTES),
            "tags": tags,
            "holdings": holdings,
            "events": self._events(persona, birth, age) + maturity_events,
        }
        row["events"].sort(key=lambda e: (e["date"], e["kind"]))
        return row

    def _birth_date(self, persona: Persona) -> date:
        age = self.rng.randint(*persona.ages)
        try:
            anniversary = self.today.replace(year=self.today.year - age)
        except ValueError:  # today is 29 February
            anniversary = date(self.today.year - age, 2, 28)
        return anniversary - timedelta(days=self.rng.randrange(365))

    def _occupation(self, persona: Persona, age: int) -> str:
        occupation = self.rng.choice(persona.occupations)
        if age >= RETIREMENT_AGE and not occupation.startswith("退休"):
            return "退休职工"
        return occupation

    def _name(self, gender: str) -> str:
        surname = self.rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
        return surname + self.rng.choice(GIVEN_MALE if gender == "男" else GIVEN_FEMALE)

    def _id_number(self, area_codes: tuple[str, ...], birth: date, gender: str) -> str:
        if self.rng.random() < 0.2:  # born elsewhere, moved to this city
            area_codes = self.rng.choice(CITIES).area_codes
        order = self.rng.randrange(50) * 2 + (1 if gender == "男" else 0) + 100 * self.rng.randrange(1, 10)
        body = f"{self.rng.choice(area_codes)}{birth:%Y%m%d}{order:03d}"
        return body + ric.calc_check_digit(body + "0")

    def _card_number(self) -> str:
        prefix, length = self.rng.choice(_CARD_PREFIXES)
        body = prefix + "".join(str(self.rng.randrange(10)) for _ in range(length - len(prefix) - 1))
        return body + luhn.calc_check_digit(body)

    def _risk_level(self, persona: Persona, age: int) -> str | None:
        if self.rng.random() < UNASSESSED_RATE:
            return None
        weights = list(persona.risk_weights)
        if age >= ELDERLY_AGE:  # the elderly mostly assess conservative: C4/C5 become rare
            weights = [weights[0] + 0.1, weights[1] + 0.1, weights[2], weights[3] * 0.2, weights[4] * 0.1]
        return self.rng.choices(CUSTOMER_RISK_LEVELS, weights=weights)[0]

    def _assessed_at(self, risk: str | None) -> str | None:
        if risk is None:
            return None
        days = self.rng.randint(20, 330) if self.rng.random() < 0.85 else self.rng.randint(370, 900)
        return (self.today - timedelta(days=days)).isoformat()

    def _suitable(self, product_type: str, risk: str | None, age: int, needs: tuple[str, ...]) -> Any:
        limit = _rank(risk) if age < ELDERLY_AGE else min(_rank(risk), 3)
        candidates = [p for p in self.products.get(product_type, []) if _rank(p.risk_level) <= limit]
        if not candidates:
            return None
        matching = [p for p in candidates if set(getattr(p, "needs", ())) & set(needs)]
        return self.rng.choice(matching or candidates)

    def _holdings(
        self, persona: Persona, risk: str | None, age: int, aum_index: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        holdings, events, seen = [], [], set()
        count = self.rng.randint(1, min(3, len(persona.holding_types)))
        types = list(persona.holding_types[:1]) + self.rng.sample(persona.holding_types[1:], count - 1)
        for index, product_type in enumerate(types):
            product = self._suitable(product_type, risk, age, persona.needs)
            if product is None or product.id in seen:
                continue
            seen.add(product.id)
            holding = self._holding(product, aum_index)
            term = self._term_days(product) if product_type in ("deposit", "wealth") else None
            if term is not None and term > 60:
                maturing = index == 0 and self.rng.random() < persona.maturity_chance
                days = self.rng.randint(1, 60) if maturing else self.rng.randint(61, term)
                maturity = self.today + timedelta(days=days)
                holding["start_date"] = (maturity - timedelta(days=term)).isoformat()
                holding["maturity_date"] = maturity.isoformat()
                if maturing:
                    events.append({"kind": "maturity", "date": holding["maturity_date"],
                                   "detail": f"{product.name}到期"})
            holdings.append(holding)
        return holdings, events

    def _term_days(self, product: Any) -> int | None:
        """Days of a fixed term or holding period read from the product's `term`; None if open-ended."""
        term = getattr(product, "term", None) or ""
        if not term or any(word in term for word in _OPEN_ENDED):
            return None
        days = [int(n) for n in re.findall(r"(\d+)\s*天", term)]
        days += [int(n) * 30 for n in re.findall(r"(\d+)\s*个月", term)]
        days += [int(n) * 365 for n in re.findall(r"(\d+)\s*年", term)]
        return self.rng.choice(days) if days else None

    def _holding(self, product: Any, aum_index: int) -> dict[str, Any]:
        if product.type == "loan":
            band = f"授信{self.rng.choice((10, 30, 50, 100, 200))}万"
        elif product.type == "card":
            band = f"额度{self.rng.choice((2, 5, 8, 10, 20, 50))}万"
        else:
            band = HOLDING_BANDS[min(len(HOLDING_BANDS) - 1, self.rng.randint(0, max(0, aum_index - 1)))]
        start = self.today - timedelta(days=self.rng.randint(30, 1500))
        return {"product_id": product.id, "product_name": product.name, "amount_band": band,
                "start_date": start.isoformat(), "maturity_date": None, "type": product.type}

    def _tag(self, layer: str, key: str, value: str, sources: tuple[str, ...]) -> dict[str, Any]:
        # Mostly fresh; about one in eight behaviour/need tags was last confirmed over 180 days ago.
        days = self.rng.randint(1, 150) if self.rng.random() < 0.88 else self.rng.randint(181, 500)
        updated = self.now - timedelta(days=days)
        return {"layer": layer, "key": key, "value": value, "source": self.rng.choice(sources),
                "updated_at": updated.isoformat()}

    def _tags(self, persona: Persona, aum_index: int, holdings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        tags = [self._tag("basic", "marital_status", rng.choice(MARITAL), ("客户信息",))]
        channels = rng.sample(persona.channels, rng.randint(1, len(persona.channels)))
        tags += [self._tag("behavior", "channel", channel, BEHAVIOR_SOURCES) for channel in channels]
        spending = rng.sample(persona.spending, rng.randint(1, len(persona.spending)))
        tags += [self._tag("behavior", "spending", item, BEHAVIOR_SOURCES) for item in spending]
        tags.append(self._tag("behavior", "aum_band", AUM_BANDS[aum_index], ("资产统计",)))
        held = sorted({PRODUCT_TYPE_LABELS[h["type"]] for h in holdings}, key=list(PRODUCT_TYPE_LABELS.values()).index)
        tags += [self._tag("behavior", "products_held", label, ("资产统计",)) for label in held]
        needs = [persona.needs[0]] + rng.sample(persona.needs[1:], rng.randint(0, len(persona.needs) - 1))
        self.typed_needs = needs
        tags += [self._tag("need", need, rng.choice(NEED_PHRASES[need]), NEED_SOURCES) for need in needs]
        return tags

    def _events(self, persona: Persona, birth: date, age: int) -> list[dict[str, Any]]:
        rng, events = self.rng, []
        birthday = _next_birthday(birth, self.today)
        if (birthday - self.today).days <= 60:
            turning = age + (0 if birthday == self.today else 1)
            events.append({"kind": "birthday", "date": birthday.isoformat(), "detail": f"{turning}岁生日"})
        if persona.inflows and rng.random() < persona.inflow_chance:
            when = self.today - timedelta(days=rng.randint(1, 10))
            events.append({"kind": "large_inflow", "date": when.isoformat(), "detail": rng.choice(persona.inflows)})
        if persona.life_events and rng.random() < 0.45:
            detail, low, high = rng.choice(persona.life_events)
            when = self.today + timedelta(days=rng.randint(low, high))
            events.append({"kind": "life_event", "date": when.isoformat(), "detail": detail})
        return events


def _next_birthday(birth: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            candidate = birth.replace(year=year)
        except ValueError:  # 29 February in a common year
            candidate = date(year, 3, 1)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable")
