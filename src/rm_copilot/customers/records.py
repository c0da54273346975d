"""The validated shape of one customer as written to the store (an import row, a generated row).

Validation messages are in Chinese and never repeat the input: a bad ID or phone number must not
end up in an error message, a log or a terminal.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from stdnum import luhn
from stdnum.cn import ric

from rm_copilot.customers.tags import NEED_LABELS, age_band, age_on
from rm_copilot.vocabulary import CustomerRiskLevel, EventKind, TagLayer, Tier

_ID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
_PHONE = re.compile(r"1[3-9]\d{9}")
_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_CARD = re.compile(r"\d{16,19}")
_COMPACT_TAG = re.compile(r"^\s*(?P<layer>\w+)\s*:\s*(?P<key>[\w.-]+)\s*=\s*(?P<value>.+?)\s*$")
_GENDERS = {"男": "男", "女": "女", "m": "男", "f": "女", "male": "男", "female": "女"}
_TRUE = {"true", "1", "yes", "y", "是", "同意"}
_FALSE = {"false", "0", "no", "n", "否", "不同意"}
IMPORT_SOURCE = "导入"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _json_list(value: Any, what: str) -> Any:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"{what}应为 JSON 数组") from None
    return value


class TagRecord(_Record):
    layer: TagLayer
    key: str = Field(min_length=1, max_length=64)
    value: str = Field(min_length=1, max_length=128)
    source: str = Field(default=IMPORT_SOURCE, min_length=1, max_length=64)
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _known_need(self) -> TagRecord:
        if self.layer == "need" and self.key not in NEED_LABELS:
            raise ValueError(f"未知的需求标签“{self.key}”，可用：{'、'.join(NEED_LABELS)}")
        return self


class HoldingRecord(_Record):
    product_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    product_name: str = Field(default="", max_length=128)
    amount_band: str = Field(min_length=1, max_length=32)
    start_date: date | None = None
    maturity_date: date | None = None

    @model_validator(mode="after")
    def _maturity_after_start(self) -> HoldingRecord:
        if self.start_date and self.maturity_date and self.maturity_date < self.start_date:
            raise ValueError("到期日早于起始日")
        return self


class EventRecord(_Record):
    kind: EventKind
    date: date
    detail: str = Field(default="", max_length=256)

    @model_validator(mode="before")
    @classmethod
    def _accept_event_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and "event_date" in data and "date" not in data:
            data = {**data, "date": data["event_date"]}
            del data["event_date"]
        return data


def parse_tags(value: Any) -> Any:
    """Tags as a JSON array of objects, or compactly `layer:key=value;layer:key=value`."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return _json_list(text, "标签")
        tags = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            match = _COMPACT_TAG.match(part)
            if match is None:
                raise ValueError("标签应写成 layer:key=value，多个用分号分隔，或 JSON 数组")
            tags.append(match.groupdict())
        return tags
    return value


class CustomerRecord(_Record):
    id: str = Field(pattern=_ID_PATTERN)
    advisor_id: str = Field(pattern=_ID_PATTERN)
    full_name: str = Field(min_length=2, max_length=32)
    id_number: str
    phone: str
    card_number: str | None = None
    gender: str
    birth_date: date
    city: str = Field(min_length=1, max_length=32)
    occupation: str = Field(min_length=1, max_length=64)
    tier: Tier
    risk_level: CustomerRiskLevel | None = None
    risk_assessed_at: date | None = None
    marketing_consent: bool = False
    external_userid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    note: str | None = Field(default=None, max_length=2000)
    tags: list[TagRecord] = Field(default_factory=list)
    holdings: list[HoldingRecord] = Field(default_factory=list)
    events: list[EventRecord] = Field(default_factory=list)

    @field_validator("full_name")
    @classmethod
    def _name_is_a_name(cls, value: str) -> str:
        if any(ch.isdigit() for ch in value):
            raise ValueError("姓名不应包含数字")
        return value

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number_check_digit(cls, value: Any) -> str:
        number = str(value or "").strip().upper()
        if not _ID_NUMBER.fullmatch(number):
            raise ValueError("身份证号应为 18 位（末位可为 X）")
        if ric.calc_check_digit(number) != number[-1]:
            raise ValueError("身份证号校验位不正确")
        return number

    @field_validator("phone", mode="before")
    @classmethod
    def _phone_format(cls, value: Any) -> str:
        phone = re.sub(r"[\s-]", "", str(value or ""))
        phone = phone.removeprefix("+86")
        if not _PHONE.fullmatch(phone):
            raise ValueError("手机号应为 11 位、以 1 开头的号码")
        return phone

    @field_validator("card_number", mode="before")
    @classmethod
    def _card_luhn(cls, value: Any) -> str | None:
        if value is None or str(value).strip() == "":
            return None
        card = re.sub(r"[\s-]", "", str(value))
        if not _CARD.fullmatch(card):
            raise ValueError("银行卡号应为 16–19 位数字")
        if not luhn.is_valid(card):
            raise ValueError("银行卡号校验位（Luhn）不正确")
        return card

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, value: Any) -> str:
        gender = _GENDERS.get(str(value or "").strip().lower())
        if gender is None:
            raise ValueError("性别应为 男 或 女")
        return gender

    @field_validator("risk_level", "risk_assessed_at", "note", "card_number", "external_userid", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("risk_level", mode="before")
    @classmethod
    def _risk_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("marketing_consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE or text == "":
                return False
            raise ValueError("营销授权应为 是/否（true/false）")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return parse_tags(value)

    @field_validator("holdings", mode="before")
    @classmethod
    def _holdings(cls, value: Any) -> Any:
        return _json_list(value, "持有产品")

    @field_validator("events", mode="before")
    @classmethod
    def _events(cls, value: Any) -> Any:
        return _json_list(value, "客户事件")

    @model_validator(mode="after")
    def _coherent(self) -> CustomerRecord:
        if self.birth_date > date.today():
            raise ValueError("出生日期晚于今天")
        if ric.get_birth_date(self.id_number) != self.birth_date:
            raise ValueError("身份证号中的出生日期与 birth_date 不一致")
        if self.risk_assessed_at and self.risk_assessed_at > date.today():
            raise ValueError("风险测评日期晚于今天")
        return self

    def customer_columns(self, now: datetime) -> dict[str, Any]:
        columns = self.model_dump(exclude={"tags", "holdings", "events"})
        columns["updated_at"] = now
        return columns

    def all_tags(self, now: datetime, today: date) -> list[dict[str, Any]]:
        """The row's tags (last one wins on duplicates) plus basic tags derived from the columns."""
        tags: dict[tuple[str, str, str], dict[str, Any]] = {}
        for tag in self.tags:
            tags[(tag.layer, tag.key, tag.value)] = {
                "layer": tag.layer, "key": tag.key, "value": tag.value,
                "source": tag.source, "updated_at": tag.updated_at or now,
            }
        given_basic = {key for layer, key, _ in tags if layer == "basic"}
        derived = {
            "age_band": (age_band(age_on(self.birth_date, today)), "客户信息", now),
            "city": (self.city, "客户信息", now),
            "occupation": (self.occupation, "客户信息", now),
            "tier": (self.tier, "客户分层", now),
        }
        if self.risk_level:
            assessed = datetime.combine(self.risk_assessed_at, time()) if self.risk_assessed_at else now
            derived["risk_level"] = (self.risk_level, "风险测评", assessed)
        for key, (value, source, updated_at) in derived.items():
            if key not in given_basic:
                tags[("basic", key, value)] = {
                    "layer": "basic", "key": key, "value": value, "source": source, "updated_at": updated_at,
                }
        return list(tags.values())
