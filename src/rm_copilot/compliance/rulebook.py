"""The rulebook: YAML files under knowledge_base/compliance/, validated completely at load time.

`rulebook.yaml` holds the version and the negation cues; `disclosures.yaml` the required wording
per product type; every other `*.yaml` file holds `rules:`. A malformed file raises
`RulebookError` naming the file, the rule and the field.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rm_copilot.errors import RulebookError
from rm_copilot.vocabulary import Channel, ProductType

Category = Literal[
    "guarantee", "absolute", "deposit_confusion", "expected_return", "performance", "pressure",
    "inducing", "gift", "misleading", "insurance", "loan", "suitability", "disclosure", "pii",
]
SeverityName = Literal["block", "rewrite", "warn"]

META_FILE = "rulebook.yaml"
DISCLOSURE_FILE = "disclosures.yaml"

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same documents, ~6× faster


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"正则表达式无效（{error}）: {value!r}") from error
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_.]+$")
    category: Category
    severity: SeverityName
    terms: list[str] = []
    abbreviations: list[str] = []  # pinyin initials of terms ("bbbx"), matched as whole tokens
    patterns: list[str] = []
    exceptions: list[str] = []
    negatable: bool = True
    unless_text: str | None = None
    message: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    product_types: list[ProductType] = []
    channels: list[Channel] = []
    replacement: str | None = None
    append: str | None = None
    effective_from: date | None = None
    severity_before_effective: SeverityName | None = None

    @field_validator("terms")
    @classmethod
    def _terms_not_blank(cls, terms: list[str]) -> list[str]:
        if any(not term.strip() for term in terms):
            raise ValueError("词条不能为空字符串")
        return terms

    @field_validator("abbreviations")
    @classmethod
    def _abbreviations_are_initials(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[a-z]{3,8}", value):
                raise ValueError(f"拼音首字母缩写须为 3–8 个小写字母: {value!r}")
        return values

    @field_validator("patterns", "exceptions")
    @classmethod
    def _regexes_compile(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value:
                raise ValueError("正则表达式不能为空")
            _check_regex(value)
        return values

    @field_validator("unless_text")
    @classmethod
    def _unless_compiles(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if not self.terms and not self.patterns:
            raise ValueError("terms 和 patterns 不能同时为空")
        if self.severity == "rewrite" and self.replacement is None and self.append is None:
            raise ValueError("severity 为 rewrite 的规则必须给出 replacement 或 append")
        if self.severity_before_effective and not self.effective_from:
            raise ValueError("severity_before_effective 需要 effective_from")
        return self

    def severity_on(self, today: date) -> SeverityName:
        if self.effective_from and today < self.effective_from:
            return self.severity_before_effective or "warn"
        return self.severity


class DisclosureForm(_Strict):
    required: list[list[str]] = Field(min_length=1)
    append: str = Field(min_length=1)


class Disclosure(_Strict):
    id: str = Field(pattern=r"^disclosure\.[a-z0-9_.]+$")
    product_types: list[ProductType] = Field(min_length=1)
    when: str | None = None
    required: list[list[str]] = Field(min_length=1)
    append: str = Field(min_length=1)
    sms: DisclosureForm | None = None
    message: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    basis: str = Field(min_length=1)

    @field_validator("when")
    @classmethod
    def _when_compiles(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    def form_for(self, channel: str | None) -> tuple[list[list[str]], str]:
        if channel == "sms" and self.sms is not None:
            return self.sms.required, self.sms.append
        return self.required, self.append


class Negation(_Strict):
    cues: list[str] = Field(min_length=1)
    tight_cues: list[str] = []
    # A tight cue before a coverb negates the verb its phrase leads to ("银行不对理财亏损兜底",
    # "不为任何产品承诺收益", "从不向客户保证收益").
    coverbs: list[str] = []
    # "没有哪家…": reaches the hit like a prohibition, and a second negation after it affirms
    # ("没有哪家银行的理财不保本").
    universals: list[str] = []
    not_negations: list[str] = []
    reversers: list[str] = []
    max_gap: int = Field(default=8, ge=0, le=30)
    clause_breaks: str = "，。；！？,;!?\n：:"
    # Strong prohibitions govern the rest of their clause, however long ("严禁客户经理私下向客户承诺…").
    prohibitions: list[str] = []
    # A contrast or a new predicate ends a prohibition's reach ("不得提前赎回，但保本").
    scope_ends: list[str] = []
    # A hit later classified as a violation in its sentence is named, not claimed ("代客测评的，会被认定为
    # 违规"): one of `verdict_verbs` followed in the same clause by one of `verdicts`.
    verdict_verbs: list[str] = []
    verdicts: list[str] = []
    condemnations: list[str] = []  # a verdict that needs no verb ("不得使用")
    # Right after the hit: the term is being defined ("刚性兑付是指…").
    definitions: list[str] = []
    # Someone else's claim warned against: a claimant before the hit in its clause and a warning later in
    # the sentence ("客户如听到员工承诺保本，可拨打客服热线投诉", "一些平台宣传零门槛高收益，往往隐藏着风险").
    claimants: list[str] = []
    warnings: list[str] = []


class Questions(_Strict):
    """How a question about a claim is told from a claim (see questions.py)."""

    categories: list[Category] = []
    particles: list[str] = ["吗", "么", "呢"]
    reporting: list[str] = []
    offers: list[str] = []
    rhetorical: list[str] = []
    affirmations: list[str] = []
    # A final clause that only asks about what came before ("拆成几笔买，可以吗？") makes the whole
    # sentence the question, unless the advisor offers to act in it (`acting`: "我帮您…，可以吗？").
    tags: list[str] = []
    acting: list[str] = []
    # Categories where only a reported question of the customer's is not the act itself: the
    # advisor asking "您测评选高一点，可以吗？" is steering; "客户想拆成几笔买，可以吗？" is not.
    reported_only: list[Category] = []
    # A later clause turning a reported request down: "客户要求我帮他做测评，我拒绝了".
    refusals: list[str] = []
    # Reports of what a customer said or asked for, that only a refusal or correction excuses
    # ("他说听说这款有国家兜底，我纠正了这个误解").
    speech: list[str] = []


class Claims(_Strict):
    """What a claim must be about (see claims.py)."""
    ranking_rules: list[str] = []
    targets: list[str] = []  # what a ranking claim ranks: a product, a return or rate, safety, the bank
    unranked: list[str] = []  # things ranked in no offer: a document, a topic, a year
    advice: list[str] = []  # superlatives read "had better" before a verb ("最好当面聊")
    unique: list[str] = []  # uniqueness words that state a service fact of what they modify (唯一)
    services: list[str] = []  # a service fact's head: 热线, 网点, 官网
    offered: list[str] = []  # what makes the stretch before that head a claim after all: 产品, 收益, 安全
    advice_tags: list[str] = []  # jieba tags of a following two-character word that make it advice
    backed_rules: list[str] = []
    backed: list[str] = []  # instruments that do have state backing (国债, 存款保险)
    instruments: list[str] = []  # the others a sentence may name
    need_categories: list[Category] = []
    needs: list[str] = []  # the customer's need framed ("您要找", "是您最看重的")
    answers: list[str] = []  # a deposit or bond, or a denial, answering it


class Frames(_Strict):
    """Frames that report or correct a claim instead of making it (see frames.py)."""
    reporters: list[str] = []  # a record's heading or report ("投诉处理：", "客户投诉称", "检查发现")
    dispositions: list[str] = []  # the record disposing of it ("经核查属实", "不成立", "整改")
    believers: list[str] = []  # a third party holding a belief ("很多客户", "有人")
    beliefs: list[str] = []  # the belief ("理解为", "误以为")
    corrections: list[str] = []  # set right later in the sentence ("其实", "实际上")
    unlinked_categories: list[Category] = []  # where a later disclaimer of any link to a purchase clears
    unlinked: list[str] = []  # regexes of that disclaimer ("与…产品购买无关")


class RulebookMeta(_Strict):
    version: str = Field(min_length=1)
    negation: Negation
    questions: Questions = Questions()
    mentions: list[str] = []  # cues that a sentence talks about wording (see quotes.py)
    recommended: list[str] = []  # cues that a quotation after them is the wording the text recommends
    claims: Claims = Claims()
    frames: Frames = Frames()


class Rulebook(_Strict):
    version: str
    negation: Negation
    rules: list[Rule]
    questions: Questions = Questions()
    mentions: list[str] = []
    recommended: list[str] = []
    claims: Claims = Claims()
    frames: Frames = Frames()
    disclosures: list[Disclosure]

    @classmethod
    def from_directory(cls, directory: Path | str) -> Rulebook:
        directory = Path(directory)
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise RulebookError(f"规则库缺少 {meta_path}")
        meta = _parse(meta_path, RulebookMeta, _read(meta_path), "-")
        rules: list[Rule] = []
        seen: dict[str, Path] = {}
        for path in sorted(directory.glob("*.yaml")):
            if path.name in (META_FILE, DISCLOSURE_FILE):
                continue
            data = _read(path)
            if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
                raise RulebookError(f"{path.name}: 缺少 rules 列表")
            for raw in data["rules"]:
                rule_id = raw.get("id", "?") if isinstance(raw, dict) else "?"
                rule = _parse(path, Rule, raw, rule_id)
                if rule.id in seen:
                    raise RulebookError(f"{path.name}: 规则 {rule.id}: 字段 id: 与 {seen[rule.id].name} 重复")
                seen[rule.id] = path
                rules.append(rule)
        disclosures: list[Disclosure] = []
        disclosure_path = directory / DISCLOSURE_FILE
        if disclosure_path.is_file():
            data = _read(disclosure_path) or {}
            if not isinstance(data, dict) or not isinstance(data.get("disclosures", []), list):
                raise RulebookError(f"{disclosure_path.name}: 缺少 disclosures 列表")
            for raw in data.get("disclosures", []):
                rule_id = raw.get("id", "?") if isinstance(raw, dict) else "?"
                disclosures.append(_parse(disclosure_path, Disclosure, raw, rule_id))
        if not rules:
            raise RulebookError(f"{directory}: 规则库中没有任何规则")
        return cls(version=meta.version, negation=meta.negation, rules=rules, disclosures=disclosures,
                   questions=meta.questions, mentions=meta.mentions, recommended=meta.recommended,
                   claims=meta.claims,
                   frames=meta.frames)


def _read(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise RulebookError(f"{path.name}: YAML 无法解析：{error}") from error


def _parse(path: Path, model: type[BaseModel], raw: object, rule_id: str):
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "-"
        raise RulebookError(f"{path.name}: 规则 {rule_id}: 字段 {field}: {first['msg']}") from error
