"""The compliance engine: wording rules, suitability, PII and disclosures → one verdict.

Everything (automaton, regexes, disclosure phrases) is built in the constructor; `check` does no
I/O and compiles nothing, and holds no mutable state, so one engine serves every thread.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rm_copilot.compliance import batching
from rm_copilot.compliance.disclosures import DisclosureChecker
from rm_copilot.compliance.matcher import WordingMatcher
from rm_copilot.compliance.models import CheckResult, CustomerContext, Finding, ProductRef, Verdict
from rm_copilot.compliance.names import name_finder
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.pii import apply_spans, find_pii
from rm_copilot.compliance.quotes import inside, mention_cues, mention_spans, recommending
from rm_copilot.compliance.rulebook import Rulebook
from rm_copilot.compliance.suitability import SuitabilityChecker
from rm_copilot.errors import BadInput
from rm_copilot.vocabulary import CHANNELS, PRODUCT_TYPES

if TYPE_CHECKING:
    from rm_copilot.compliance.semantic.layer import SemanticLayer

PII_LABELS = {"id_number": "身份证号", "phone": "手机号", "card": "银行卡号", "name": "全名"}
PII_BASIS = "《个人信息保护法》第二十八条（金融账户等敏感个人信息）、第六条（最小必要，条号待核实）"
SENTENCE_END = "。！？!?.…"


class ComplianceEngine:
    def __init__(self, rulebook: Rulebook, *, products: list[ProductRef] | tuple[ProductRef, ...] = (),
                 elderly_age: int = 65, today: date | None = None, semantic: SemanticLayer | None = None,
                 cache_dir: Path | None = None):
        self.rulebook = rulebook
        self.semantic = semantic  # the meaning layer (compliance/semantic), injected by the composition root
        self.today = today or date.today()
        self.products = tuple(products)
        if cache_dir is not None:  # the part of jieba's dictionary names and homophones consult, saved there
            name_finder().keep_lexicon_in(cache_dir)
        self.matcher = WordingMatcher(rulebook.rules, rulebook.negation, today=self.today, products=self.products,
                                      questions=rulebook.questions, cache_dir=cache_dir,
                                      claims=rulebook.claims, frames=rulebook.frames)
        self.disclosures = DisclosureChecker(rulebook.disclosures)
        self.suitability = SuitabilityChecker(elderly_age=elderly_age)
        self.mention_cues = mention_cues(rulebook.mentions)
        self.recommended = recommending(rulebook.recommended)

    @classmethod
    def from_directory(cls, rulebook_dir: Path | str, *, products: list[ProductRef] | tuple[ProductRef, ...] = (),
                       elderly_age: int = 65, today: date | None = None) -> ComplianceEngine:
        return cls(Rulebook.from_directory(rulebook_dir), products=products, elderly_age=elderly_age, today=today)

    def prime(self, texts: list[str]) -> None:
        """Let the meaning layer judge many texts' sentences in batches before they are checked."""
        self.check_many(texts)

    def check_many(self, texts: list[str], *, product_type: str | None = None, channel: str | None = None,
                   customer: CustomerContext | None = None) -> list[CheckResult]:
        """`check` of each text, with the meaning layer's embeddings computed in batches: every distinct
        text is checked once with the embedding stage deferred, the sentences left to it are embedded
        together, and only the texts that had such a sentence are checked again. Identical texts share
        one result."""
        return batching.check_many(self, texts, product_type=product_type, channel=channel, customer=customer)

    def check_chunks(self, chunks: Iterable[list[str]], *, product_type: str | None = None,
                     channel: str | None = None, customer: CustomerContext | None = None,
                     processes: int = 1) -> Iterator[list[CheckResult]]:
        """`check_many` of each chunk, in order, one chunk's embeddings overlapping the next one's rules;
        the rules of several chunks at once in `processes` forked workers."""
        return batching.check_chunks(self, chunks, product_type=product_type, channel=channel, customer=customer,
                                     processes=processes)

    @property
    def version(self) -> str:
        return self.rulebook.version

    def check(self, text: str, *, product_type: str | None = None, channel: str | None = None,
              customer: CustomerContext | None = None) -> CheckResult:
        _validate(text, product_type, channel)
        normalized = normalize(text)
        findings: list[Finding] = []
        rewrites: list[tuple[int, int, str]] = []
        masks: list[tuple[int, int, str]] = []
        appendix: list[str] = []

        hits, mentions, excused = self.matcher.find_excused(normalized.text, product_type=product_type, channel=channel)
        pii_spans = find_pii(normalized.text, (normalize(customer.full_name).text,)
                             if customer and customer.full_name else ())
        issues = [issue for issue in self.suitability.check(normalized.text, mentions, customer)
                  if not self.matcher.frames.reported(normalized.text, issue.start, issue.end)]
        if not (hits or pii_spans or issues or product_type or customer or self.semantic is not None):
            return CheckResult("pass", text, [], self.version)
        mentioned = mention_spans(text, self.mention_cues, self.matcher.negation, self.recommended) if _may_mention(text) else []
        for hit in hits:
            rule = hit.rule.rule
            start, end = normalized.span(hit.start, hit.end)
            if rule.negatable and mentioned and inside(mentioned, start, end):
                continue
            findings.append(Finding(rule.id, rule.category, hit.rule.severity, start, end, text[start:end],
                                    rule.message, rule.suggestion, rule.basis, hit.pattern,
                                    hit.evasion or _written_around(text[start:end], hit.end - hit.start)))
            if hit.rule.severity == "rewrite":
                if rule.replacement is not None:
                    rewrites.append((start, end, rule.replacement))
                if rule.append:
                    appendix.append(rule.append)

        for issue in issues:
            start, end = normalized.span(issue.start, issue.end)
            findings.append(Finding(issue.rule_id, "suitability", issue.severity, start, end, text[start:end],
                                    issue.message, issue.suggestion, issue.basis, "product"))

        for span in pii_spans:
            start, end = normalized.span(span.start, span.end)
            label = PII_LABELS[span.kind]
            # `matched` carries the mask, never the raw number: findings are shown and logged.
            findings.append(Finding(f"pii.{span.kind}", "pii", "rewrite", start, end, span.mask,
                                    f"文本包含{label}，已脱敏为 {span.mask}。",
                                    f"话术中不要出现客户的{label}；如确需核对，请在系统内查看。",
                                    PII_BASIS, span.kind))
            masks.append((start, end, span.mask))

        if product_type:
            for disclosure, wording in self.disclosures.missing(normalized.text, product_type=product_type,
                                                                channel=channel):
                findings.append(Finding(disclosure.id, "disclosure", "rewrite", len(text), len(text), "",
                                        disclosure.message, disclosure.suggestion, disclosure.basis, "required"))
                appendix.append(wording)

        if self.semantic is not None:  # after the rules: where a rule matched, it stays the explanation
            findings.extend(self.semantic.findings(
                normalized, findings, excused=[(*normalized.span(h.start, h.end), h.rule.rule.category) for h in excused],
                mentioned=mentioned))
        if masks:  # a wording match may run over a number or name: `matched` never echoes it raw
            for finding in findings:
                if finding.category != "pii":
                    finding.matched = _masked_slice(text, finding.start, finding.end, masks)
        if len(findings) > 1:
            findings.sort(key=lambda f: (f.start, f.end))
        verdict = _verdict(findings)
        if verdict == "block":
            output = apply_spans(text, masks)
        else:
            output = _append(apply_spans(text, masks + rewrites), appendix)
        return CheckResult(verdict, output, findings, self.version)


_FULL_WIDTH_LATIN = re.compile("[\uff21-\uff3a\uff41-\uff5a]")
_LOOKALIKE_LETTER = re.compile("[\u0370-\u052f]")  # Greek or Cyrillic letters read as Latin


def _written_around(original: str, normalized_length: int) -> str:
    """Name the evasion a literal match saw through: characters slipped in, or full-width letters."""
    if len(original) > normalized_length:
        return "夹杂分隔符"
    if _FULL_WIDTH_LATIN.search(original):
        return "全角字符"
    if _LOOKALIKE_LETTER.search(original):
        return "形近字"
    return ""


def _masked_slice(text: str, start: int, end: int, masks: list[tuple[int, int, str]]) -> str:
    inside = [(max(s, start) - start, min(e, end) - start, mask) for s, e, mask in masks if s < end and e > start]
    return apply_spans(text[start:end], inside)


def _may_mention(text: str) -> bool:
    """A quotation or a question (a quiz's options) may hold words the text mentions, not says."""
    return "“" in text or '"' in text or "「" in text or "『" in text or "？" in text or "?" in text


def _validate(text: str, product_type: str | None, channel: str | None) -> None:
    if not isinstance(text, str) or not text or text.isspace():
        raise BadInput("待检查的文本为空。")
    if product_type is not None and product_type not in PRODUCT_TYPES:
        raise BadInput(f"未知的产品类型：{product_type}（可选：{'、'.join(PRODUCT_TYPES)}）")
    if channel is not None and channel not in CHANNELS:
        raise BadInput(f"未知的渠道：{channel}（可选：{'、'.join(CHANNELS)}）")


def _verdict(findings: list[Finding]) -> Verdict:
    severities = {finding.severity for finding in findings}
    if "block" in severities:
        return "block"
    return "rewrite" if "rewrite" in severities else "pass"


def _append(text: str, additions: list[str]) -> str:
    unique = list(dict.fromkeys(a.strip() for a in additions if a.strip()))
    if not unique:
        return text
    body = text.rstrip()
    if body and body[-1] not in SENTENCE_END + "。；;，,":
        body += "。"
    return body + "".join(a if a[-1] in SENTENCE_END else a + "。" for a in unique)
