"""Wording matcher: one Aho-Corasick automaton over every literal, plus one compiled regex per rule.

Everything is built in the constructor; `find` only reads, so one matcher serves many threads.
Terms of the guarantee and absolute families are also read through evasions (`evasion.py`):
look-alike variants and pinyin initials join the automaton, homophones get their own pass.
A hit is dropped when a negation cue stands shortly before it in the same clause ("不保本",
"严禁向客户承诺保本") or when one of its rule's lawful phrases overlaps it ("第一次", "最低起购金额").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ahocorasick

from rm_copilot.compliance import word_data
from rm_copilot.compliance.evasion import HOMOPHONE, INITIALS, LOOKALIKE, EvasionReader, eligible
from rm_copilot.compliance.models import SEVERITY_RANK, ProductRef, Severity
from rm_copilot.compliance.normalize import normalize_pattern, normalize_term, phrases_pattern
from rm_copilot.compliance.rulebook import Claims, Frames, Negation, Questions, Rule

EXCEPTION_WINDOW = 16
COVERB_REACH = 8  # characters of a coverb's phrase between the negation and the hit ("不对理财亏损")
_LIST_SEPARATOR = re.compile("、|或者|或|以及|及|和|与")
_LIST_TAIL = re.compile("^(?:(?:、|或者|或|以及|及|和|与)[^、,，;；。!?:：]{1,8}?)*(?=这类|此类|之类|这几类|这几种|这些|等)")  # "、抽奖这类"
_ITEM_BREAK = re.compile("[,，;；。!?！？\n]")
# Wording talked about and then approved for use is used, not mentioned ("“保本”的说法没问题，放心用").
APPROVAL = re.compile(r"没问题|没毛病|放心用|放心说|尽管用|照用|(?<![不没])(?:可以|能)(?:用|说|写)|(?<![不没])是真的|"
                      r"(?<![不没])是对的|没错|有据可查|贴切|放心买|放心投|放心存|您放心|请放心|完全可以|可以保证")
# A warning about missing out is pressure ("小心名额被抢光", "当心错过"); the bank's own staff or
# platform is no third party ("我们平台这款理财保本保息").
_MISSING_OUT = re.compile("[^,，;；。!?！？]{0,3}?(?:错过|抢|名额|额度|晚了|卖完|售罄|没了|涨)")
_OWN_SIDE = re.compile("(?:我们|咱们|我行|本行|我)的?$")
# A checklist item asks whether wording occurs: "文案中是否出现承诺保本、兜底的表述" — the question before the
# hit in its clause, a word for wording after it in the same clause.
_CHECK_QUESTION = re.compile("(?:是否|有没有|有无)(?:出现|含有|包含|使用|写有|提到)[^,，;；。!?！？:：]*\\Z")
_WORDING_NOUN = re.compile("[^,，;；。!?！？]*?(?:的)?(?:表述|说法|字样|用语|用词|措辞|词语|字眼|写法|话术|宣传语)")


def _checklist_item(text: str, start: int, end: int) -> bool:
    return bool(_CHECK_QUESTION.search(text[max(0, start - 30):start]) and _WORDING_NOUN.match(text, end))


VERDICT_OPENING = 2  # characters a later clause's verdict may follow its start by: "这是违规", "均属违规"
_REFERRING = re.compile("(?:行为|做法|操作|情形|情况|现象|方式)$")  # "…，销售行为可能被认定为违规"
_UNNEGATED = "(?<![不非没未无])(?<![不非没未无].)(?<![不非没未无]..)"


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    severity: Severity
    regex: re.Pattern | None
    patterns: tuple[re.Pattern, ...]
    exceptions: tuple[re.Pattern, ...]
    unless: re.Pattern | None

    def applies(self, product_type: str | None, channel: str | None) -> bool:
        rule = self.rule
        if rule.product_types and product_type and product_type not in rule.product_types:
            return False
        return not (rule.channels and channel and channel not in rule.channels)


@dataclass(slots=True)
class RuleHit:
    rule: CompiledRule
    start: int  # in normalised text
    end: int
    pattern: str
    evasion: str = ""


@dataclass(slots=True)
class ProductMention:
    product: ProductRef
    start: int
    end: int


class NegationDetector:
    def __init__(self, negation: Negation):
        self.max_gap = negation.max_gap
        self.cues = phrases_pattern(negation.cues)
        self.tight = frozenset(normalize_term(c) for c in negation.tight_cues)
        self.tight_lengths = sorted({len(c) for c in self.tight}, reverse=True)
        self.not_negations = phrases_pattern(negation.not_negations)
        self.reversers = phrases_pattern(negation.reversers)
        breaks = negation.clause_breaks + normalize_pattern(negation.clause_breaks)
        self.clause_tail = re.compile("[^" + re.escape(breaks) + r"]*\Z")
        self.prohibitions = phrases_pattern(negation.prohibitions)
        self.universals = phrases_pattern(negation.universals)
        # Every way to negate needs one of these phrases (a coverb's negator is a tight cue).
        self.any_negation = phrases_pattern(negation.cues + negation.tight_cues + negation.prohibitions
                                            + negation.universals)
        coverbs = phrases_pattern(negation.coverbs)
        negators = phrases_pattern([cue for cue in negation.tight_cues if len(cue) == 1])
        self.coverb_phrase = re.compile(
            f"(?:{negators.pattern})(?:{coverbs.pattern})[^{re.escape(breaks)}]{{1,{COVERB_REACH}}}\\Z") \
            if coverbs is not None and negators is not None else None
        self.scope_ends = phrases_pattern(negation.scope_ends)
        self.definitions = phrases_pattern(negation.definitions)
        verbs, verdicts = phrases_pattern(negation.verdict_verbs), phrases_pattern(negation.verdicts)
        self.verdict_words = verdicts
        # "被认定为违规", "属于违规行为"; never "不属于违规", "不算违规", "不会被认定为违规" (a verdict negated
        # up to three characters before its verb or its verdict clears nothing: "是正规产品不是骗局")
        forms = [f"{_UNNEGATED}(?:{verbs.pattern})[^{re.escape(breaks)}]{{0,12}}?{_UNNEGATED}(?:{verdicts.pattern})"] \
            if verbs is not None and verdicts is not None else []
        condemnations = phrases_pattern(negation.condemnations)
        if condemnations is not None:  # not negated: "保本保息，不违反规定" still claims
            forms.append(f"(?<![不非没未无])(?:{condemnations.pattern})")
        self.verdict = re.compile("|".join(f"(?:{form})" for form in forms)) if forms else None
        self.claimants = phrases_pattern(negation.claimants)
        self.warnings = phrases_pattern(negation.warnings)
        self.clause_break = re.compile("[" + re.escape(breaks) + "]")
        self.sentence_end = re.compile("[" + re.escape("。!?！？\n") + "]")
        longest = max((len(c) for c in negation.cues), default=1)
        self.lookback = 4 * self.max_gap + longest  # room for enumerations

    def _negation_after(self, segment: str, start: int) -> bool:
        rest = segment[start:]
        if any(rest.endswith(cue) for cue in self.tight):
            return True
        return self.cues is not None and self.cues.search(rest) is not None

    def _reaches(self, between: str) -> bool:
        """A cue reaches the hit across a short gap, or across an enumeration ("不承诺保本、保收益、稳赚",
        "不提供任何与购买挂钩的礼品或返现")."""
        if len(between) <= self.max_gap:
            return True
        parts = _LIST_SEPARATOR.split(between)
        return len(parts) > 1 and all(len(part) <= self.max_gap for part in parts)

    def explained(self, text: str, start: int, end: int) -> bool:
        """True when the hit is being defined ("刚性兑付是指…"), is someone else's claim its sentence warns
        against ("一些平台宣传零门槛高收益，往往隐藏着风险"), or its sentence goes on to classify it as a
        violation ("代客测评或诱导测评的，会被认定为违规"), without a reverser ("谁说…是违规的")."""
        following = text[end:end + 40]
        closing = self.sentence_end.search(text, end)
        sentence_end = closing.start() if closing else len(text)
        if self.definitions is not None and self.definitions.search(following) \
                and self.definitions.match(_LIST_TAIL.sub("", following, count=1)) \
                and not APPROVAL.search(text, end, sentence_end):
            return True
        if self._listed_under_heading(text, start) or _checklist_item(text, start, end):
            return True
        warnings = list(self.warnings.finditer(text, end, sentence_end)) if self.warnings is not None else []
        if self.claimants is not None and warnings and any(not _MISSING_OUT.match(text, w.end()) for w in warnings) \
                and not self._taken_back(text, warnings[-1].end(), sentence_end):
            clause_start = max((m.end() for m in self.clause_break.finditer(text, 0, start)), default=0)
            if any(not _OWN_SIDE.search(text, max(0, c.start() - 3), c.start())
                   for c in self.claimants.finditer(text, clause_start, start)):
                return True
        verdict = self._verdict_on(text, end, sentence_end)
        if verdict is None:
            return False
        return self.reversers is None or not self.reversers.search(text, end, verdict.end())

    def _taken_back(self, text: str, after: int, sentence_end: int) -> bool:
        """A contrast or an endorsement after the warning takes it back ("…，这个无法核实，但我可以保证是真的")."""
        return bool((self.scope_ends is not None and self.scope_ends.search(text, after, sentence_end))
                    or APPROVAL.search(text, after, sentence_end))

    def _verdict_on(self, text: str, end: int, sentence_end: int) -> re.Match | None:
        """A verdict in the hit's own clause, or one that opens a later clause ("…，会被认定为违规",
        "…，这种做法属于违规", "…，销售行为可能被认定为违规"); a later clause with its own subject judges
        that ("这款理财保本，说它会亏损的是误导")."""
        if self.verdict is None:
            return None
        for verdict in self.verdict.finditer(text, end, sentence_end):
            breaks = list(self.clause_break.finditer(text, end, verdict.start()))
            opening = text[breaks[-1].end():verdict.start()] if breaks else ""
            if len(opening) <= VERDICT_OPENING or (len(opening) <= 6 and _REFERRING.search(opening)):
                return verdict
        return None

    def _listed_under_heading(self, text: str, start: int) -> bool:
        """An item of a list after a colon whose heading prohibits or condemns ("以下行为禁止：赠送礼品、
        返还佣金、抽奖、搭售")."""
        colon = max(text.rfind(":", 0, start), text.rfind("：", 0, start))
        if colon < 0 or _ITEM_BREAK.search(text, colon + 1, start):
            return False
        opening = max((m.end() for m in self.clause_break.finditer(text, 0, colon)), default=0)
        heading = text[opening:colon]
        if self.not_negations is not None:  # "不得不说：…" prohibits nothing
            heading = self.not_negations.sub("，", heading)
        return any(p is not None and p.search(heading) for p in (self.prohibitions, self.verdict_words))

    def _prohibited(self, segment: str) -> bool:
        """A strong prohibition earlier in the clause reaches the hit, unless a contrast ends its scope."""
        if self.prohibitions is None:
            return False
        last = next(reversed(list(self.prohibitions.finditer(segment))), None)
        if last is None:
            return False
        if self.not_negations is not None and any(m.start() <= last.start() < m.end()
                                                   for m in self.not_negations.finditer(segment)):
            return False  # "不得不承认"
        return self.scope_ends is None or not self.scope_ends.search(segment, last.end())

    def negated(self, text: str, start: int) -> bool:
        if start == 0:
            return False
        window = text[max(0, start - self.lookback):start]
        tail = self.clause_tail.search(window)  # matches at least the empty tail
        segment = tail.group() if tail else ""
        if not segment or (self.any_negation is not None and not self.any_negation.search(segment)):
            return False
        universal = self.universals.search(segment) if self.universals is not None else None
        if universal is not None:  # "没有哪家机构能承诺保本" negates; "…的理财不保本", "…比这个更保本" affirm
            rest = segment[universal.end():]
            return "比" not in rest and not self._negation_after(segment, universal.end())
        if self._prohibited(segment):
            return True
        length = len(segment)
        candidates = [(length - size, length) for size in self.tight_lengths if segment[-size:] in self.tight]
        if self.cues is not None:
            candidates += [m.span() for m in self.cues.finditer(segment) if self._reaches(segment[m.end():])
                           and (self.scope_ends is None or not self.scope_ends.search(segment, m.end()))]
        coverb = self.coverb_phrase.search(segment) if self.coverb_phrase is not None else None
        if coverb is not None:
            candidates.append((coverb.start(), coverb.start() + 1))
        if not candidates:
            return False
        blocked = [m.span() for m in self.not_negations.finditer(segment)] if self.not_negations else []
        # "谁说不保本", "不用担心这款不保本": a negation after a rhetorical or dismissive opener affirms.
        reversed_from = min((m.end() for m in self.reversers.finditer(segment)), default=length + 1) \
            if self.reversers else length + 1
        return any(
            c_start < reversed_from
            and not any(b_start <= c_start and c_end <= b_end for b_start, b_end in blocked)
            for c_start, c_end in candidates
        )


class WordingMatcher:
    """`cache_dir`: where the data derived from the terms and patterns (readings, look-alikes, regex
    anchors) is saved and read back, keyed by a hash of them (`word_data.py`); None builds it."""

    def __init__(self, rules: list[Rule], negation: Negation, *, today: date,
                 products: list[ProductRef] | tuple[ProductRef, ...] = (), questions: Questions | None = None,
                 cache_dir: Path | None = None, claims: Claims | None = None, frames: Frames | None = None):
        from rm_copilot.compliance.claims import ClaimContext
        from rm_copilot.compliance.frames import FrameContext
        from rm_copilot.compliance.questions import QuestionDetector

        self.rules = [self._compile(rule, today) for rule in rules]
        self.negation = NegationDetector(negation)
        self.questions = QuestionDetector(questions or Questions(), negation)
        self.claims = ClaimContext(claims or Claims())
        self.frames = FrameContext(frames or Frames())
        self.regex_rules = [compiled for compiled in self.rules if compiled.regex is not None]
        payloads: dict[str, list[tuple]] = {}
        for compiled in self.rules:
            for term in compiled.rule.terms:
                payloads.setdefault(normalize_term(term), []).append(("rule", compiled, term))
        readable = [(normalize_term(term), compiled) for compiled in self.rules for term in compiled.rule.terms
                    if eligible(normalize_term(term), compiled.rule.category)]
        data = word_data.load_or_build(sorted({term for term, _ in readable}),
                                       [p.pattern for compiled in self.regex_rules for p in compiled.patterns],
                                       cache_dir)
        self.evasion = EvasionReader(readable, reading=data.readings.__getitem__, sounds=data.sounds)
        literals = set(payloads)
        for term, compiled in readable:
            for variant in data.variants[term]:
                if variant not in literals:
                    payloads.setdefault(variant, []).append(("lookalike", compiled, term))
        for compiled in self.rules:
            for abbreviation in compiled.rule.abbreviations:
                payloads.setdefault(abbreviation.lower(), []).append(("initials", compiled, abbreviation))
        self.regex_always: list[int] = []
        for index, compiled in enumerate(self.regex_rules):
            found = [_frozen(data.anchors[pattern.pattern]) for pattern in compiled.patterns]
            anchor_sets = [anchor_set for anchor_set in found if anchor_set is not None]
            if len(anchor_sets) < len(found):
                self.regex_always.append(index)
                continue
            for position, anchor_set in enumerate(anchor_sets):
                for anchor in anchor_set:
                    payloads.setdefault(anchor, []).append(("regex", (index, position), anchor))
        self._subsets: dict[tuple[int, frozenset[int]], re.Pattern[str]] = {}
        for product in products:
            for key in {product.id, product.name, *product.aliases}:
                if key and len(normalize_term(key)) >= 2:
                    payloads.setdefault(normalize_term(key), []).append(("product", product, key))
        self.automaton = ahocorasick.Automaton()
        for key, values in payloads.items():
            self.automaton.add_word(key, (len(key), tuple(values)))
        self.empty = not payloads
        if not self.empty:
            self.automaton.make_automaton()

    @staticmethod
    def _compile(rule: Rule, today: date) -> CompiledRule:
        sources = [normalize_pattern(p) for p in rule.patterns]
        patterns = tuple(re.compile(p) for p in sources)
        combined = re.compile("|".join(f"(?:{p})" for p in sources)) if sources else None
        return CompiledRule(
            rule=rule,
            severity=rule.severity_on(today),
            regex=combined,
            patterns=patterns,
            exceptions=tuple(re.compile(normalize_pattern(e)) for e in rule.exceptions),
            unless=re.compile(normalize_pattern(rule.unless_text)) if rule.unless_text else None,
        )

    def scan(self, text: str) -> tuple[list[RuleHit], list[ProductMention]]:
        """Raw hits before context rules: every literal and regex occurrence."""
        hits: list[RuleHit] = []
        mentions: list[ProductMention] = []
        selected: dict[int, set[int] | None] = dict.fromkeys(self.regex_always)  # None: every pattern
        if not self.empty:
            for end_index, (length, values) in self.automaton.iter(text):
                start, end = end_index + 1 - length, end_index + 1
                for kind, target, key in values:
                    if kind == "rule":
                        if _latin_bounded(text, start, end):
                            hits.append(RuleHit(target, start, end, key))
                    elif kind == "regex":
                        index, position = target
                        if index not in selected:
                            selected[index] = {position}
                        elif (chosen := selected[index]) is not None:
                            chosen.add(position)
                    elif kind == "product":
                        mentions.append(ProductMention(target, start, end))
                    elif kind == "lookalike":
                        if self.evasion.plausible(key, text[start:end]):
                            hits.append(RuleHit(target, start, end, key, LOOKALIKE))
                    elif _bounded(text, start, end):
                        hits.append(RuleHit(target, start, end, key, INITIALS))
        for start, end, term, compiled in self.evasion.homophones(text):
            hits.append(RuleHit(compiled, start, end, term, HOMOPHONE))
        for index, positions in selected.items():
            compiled = self.regex_rules[index]
            for match in self._regex(index, positions).finditer(text):
                if match.end() > match.start():
                    hits.append(RuleHit(compiled, match.start(), match.end(), _which(compiled, match.group())))
        return hits, mentions

    def _regex(self, index: int, positions: set[int] | None) -> re.Pattern[str]:
        """The rule's patterns whose anchors the text holds, as one alternation in the rule's order. A
        pattern left out cannot match (an anchor is a literal every match contains), so this finds
        exactly what the rule's whole alternation finds, at a fraction of the cost."""
        compiled = self.regex_rules[index]
        assert compiled.regex is not None  # regex_rules holds the rules that have one
        if positions is None or len(positions) == len(compiled.patterns):
            return compiled.regex
        if len(positions) == 1:  # one pattern alone is its own alternation: nothing to compile
            return compiled.patterns[next(iter(positions))]
        key = (index, frozenset(positions))
        regex = self._subsets.get(key)
        if regex is None:
            chosen = [compiled.patterns[p].pattern for p in sorted(positions)]
            regex = self._subsets[key] = re.compile("|".join(f"(?:{p})" for p in chosen))
        return regex

    def find(self, text: str, *, product_type: str | None = None, channel: str | None = None
             ) -> tuple[list[RuleHit], list[ProductMention]]:
        accepted, mentions, _ = self.find_excused(text, product_type=product_type, channel=channel)
        return accepted, mentions

    def find_excused(self, text: str, *, product_type: str | None = None, channel: str | None = None
                     ) -> tuple[list[RuleHit], list[ProductMention], list[RuleHit]]:
        """`find`, plus the hits their context excused (negated, asked, named, a fact): the meaning layer
        does not overrule that reading with a block of the same category."""
        raw, mentions = self.scan(text)
        if not raw:
            return raw, mentions, []
        accepted: list[RuleHit] = []
        excused: list[RuleHit] = []
        for hit in raw:
            if hit.rule.applies(product_type, channel):
                (excused if self._excused(text, hit) else accepted).append(hit)
        return _resolve_overlaps(accepted), mentions, excused

    def _excused(self, text: str, hit: RuleHit) -> bool:
        compiled = hit.rule
        if compiled.unless is not None and compiled.unless.search(text):
            return True
        low, high = max(0, hit.start - EXCEPTION_WINDOW), min(len(text), hit.end + EXCEPTION_WINDOW)
        for exception in compiled.exceptions:
            for match in exception.finditer(text, low, high):
                if match.start() < hit.end and match.end() > hit.start:
                    return True
        if not compiled.rule.negatable:
            return False
        if self.negation.negated(text, hit.start) or self.negation.explained(text, hit.start, hit.end):
            return True
        category = compiled.rule.category
        if category in self.questions.covered and self.questions.asked(text, hit.start, hit.end, category):
            return True
        if self.claims.excused(compiled.rule.id, category, text, hit.start, hit.end):
            return True
        if self.frames.excused(text, hit.start, hit.end, category):
            return True
        return self.questions.refused(text, hit.start, hit.end)


def _frozen(anchor_list: list[str] | None) -> frozenset[str] | None:
    return None if anchor_list is None else frozenset(anchor_list)


def _bounded(text: str, start: int, end: int) -> bool:
    """Pinyin initials count only as a whole token ("bbbx", not inside "abbbxy" or "bbbx2")."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _latin_bounded(text: str, start: int, end: int) -> bool:
    """A term that begins or ends with a Latin letter or digit is no part of a longer token there
    ("top1" is not in "top10", "no1" not in "no18")."""
    if start and text[start].isascii() and text[start].isalnum() and text[start - 1].isascii() \
            and text[start - 1].isalnum():
        return False
    last = text[end - 1]
    return not (end < len(text) and last.isascii() and last.isalnum()
                and text[end].isascii() and text[end].isalnum())


def _which(compiled: CompiledRule, matched: str) -> str:
    for pattern in compiled.patterns:
        if pattern.fullmatch(matched):
            return pattern.pattern
    return compiled.patterns[0].pattern


def _resolve_overlaps(hits: list[RuleHit]) -> list[RuleHit]:
    """Where hits overlap keep the most severe, then the longest."""
    if len(hits) < 2:
        return hits
    ranked = sorted(hits, key=lambda h: (-SEVERITY_RANK[h.rule.severity], -(h.end - h.start), h.start))
    kept: list[RuleHit] = []
    for hit in ranked:
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)
