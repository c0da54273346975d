"""Frames that report or correct a claim instead of making it.

Two readings, configured in the rulebook's `frames:` section (rulebook.yaml):

- A record (a complaint, audit, inspection or disciplinary record) reports a violation, it does not
  make one: a `reporters` cue before the hit in its sentence ("投诉处理：", "客户投诉称", "检查发现：")
  and a `dispositions` cue after it in the same sentence ("经核查属实", "投诉不成立", "已要求整改",
  "通报批评"). Both are needed: "经核查，本产品保本" still claims, and so does "客户反映收益低，
  我保证下期8%" (nothing disposes of it).
- A misconception named, then corrected: a third party (`believers`: 很多客户, 有人) holds a belief
  (`beliefs`: 理解为, 误以为) about the hit in its clause, and a `corrections` cue later in the
  sentence sets it right ("很多客户把…理解为保本，其实保障指的是…"). The advisor's own framing
  ("您可以理解为保本") is no one else's belief.
- In `unlinked_categories` (gifts), a later clause of the sentence that disclaims any link to buying a
  product (`unlinked`: "与理财、基金、保险产品购买无关") clears a draw or gift.
Decided on normalised text.
"""
from __future__ import annotations

import re

from rm_copilot.compliance.normalize import normalize_pattern, phrases_pattern
from rm_copilot.compliance.rulebook import Frames

_SENTENCE_END = re.compile(r"[。!?！？…\n]")
_CLAUSE_BREAK = re.compile(r"[,，;；:：。!?！？…\n]")
# A disposition that only confirms ("属实", "经核查") disposes of a reported act (someone promised,
# said or sold it), never of a property the sentence states itself.
_CONFIRMING = re.compile("属实|经核查|经调查|核查|经查")
_ACT = re.compile("承诺|(?<!小)说(?!明)|(?<![名简昵])称(?![号呼谓])|宣传|表示|推销|推荐|介绍|告知|保证|夸大|误导|要求|发布|"
                  "写着|印着|使用|招揽|以为|展示|放大|标注|宣称|号称|声称|打出|张贴")
_CLAIMS = frozenset({"guarantee", "absolute", "deposit_confusion", "expected_return", "performance", "misleading",
                     "insurance"})
# A disposition word negated or turned into a feature disposes of nothing ("无需整改", "可以随时撤回").
_VOID_DISPOSITION = re.compile("(?:不|无|没|未|无需|不需|不用|没有任何|没有|随时|可以)[^,，;；。]{0,2}$")
_PURCHASE = re.compile("买|购|认购|申购|投保|存入|存款|存满|存够|办理")


class FrameContext:
    def __init__(self, frames: Frames):
        self.reporters = phrases_pattern(frames.reporters)
        self.dispositions = phrases_pattern(frames.dispositions)
        self.believers = phrases_pattern(frames.believers)
        self.beliefs = phrases_pattern(frames.beliefs)
        self.corrections = phrases_pattern(frames.corrections)
        self.unlinked_categories = frozenset(frames.unlinked_categories)
        sources = [normalize_pattern(p) for p in frames.unlinked]
        self.unlinked = re.compile("|".join(f"(?:{p})" for p in sources)) if sources else None

    def excused(self, text: str, start: int, end: int, category: str | None = None) -> bool:
        return self.reported(text, start, end, category) or self.corrected(text, start, end) or (
            category in self.unlinked_categories and self.unlinked_later(text, start, end))

    def unlinked_later(self, text: str, start: int, end: int) -> bool:
        """A gift or draw its sentence says has no link to buying anything ("抽奖活动仅限信用卡消费达标客户参与，
        与理财、基金、保险产品购买无关")."""
        if self.unlinked is None or not self.unlinked.search(text, end):
            return False
        sentence_start, sentence_end = _sentence(text, start, end)
        if _PURCHASE.search(text, sentence_start, end):
            return False  # the gift itself is tied to buying ("存款满5万元即送…，与理财产品购买无关")
        return bool(self.unlinked.search(text, end, sentence_end))

    def reported(self, text: str, start: int, end: int, category: str | None = None) -> bool:
        """The hit is what a record reports, and the record disposes of it later in the sentence. A claim
        (not a practice such as 代客测评 or a gift) must be someone's reported act: "客户反映员工承诺保本，
        经核查属实" reports one, "自查发现：我行这款理财保本保息，无需整改" states the claim itself."""
        if self.reporters is None or self.dispositions is None or not self.reporters.search(text, 0, start):
            return False
        sentence_start, sentence_end = _sentence(text, start, end)
        reporters = list(self.reporters.finditer(text, sentence_start, start))
        dispositions = [d for d in self.dispositions.finditer(text, end, sentence_end)
                        if not _VOID_DISPOSITION.search(text, max(0, d.start() - 4), d.start())]
        if not reporters or not dispositions:
            return False  # "…，无需整改", "…，没有任何违规" dispose of nothing
        needs_act = category in _CLAIMS or all(_CONFIRMING.fullmatch(d.group()) for d in dispositions)
        # the act may be the hit's own ("承诺收益") or follow it ("把最高收益率单独放大展示"); without one,
        # "经查，这款产品从未亏损，保本属实" confirms a property and reports no one's act
        return not needs_act or bool(_ACT.search(text, reporters[0].end(), dispositions[0].start()))

    def corrected(self, text: str, start: int, end: int) -> bool:
        """The hit is a third party's belief, named in its clause and corrected later in the sentence."""
        if self.believers is None or self.beliefs is None or self.corrections is None:
            return False
        if not self.beliefs.search(text, 0, start) or not self.corrections.search(text, end):
            return False
        clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
        beliefs = list(self.beliefs.finditer(text, clause_start, start))
        if not beliefs or not self.believers.search(text, clause_start, beliefs[-1].start()):
            return False
        _, sentence_end = _sentence(text, start, end)
        return bool(self.corrections.search(text, end, sentence_end))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    closing = _SENTENCE_END.search(text, end)
    return sentence_start, closing.start() if closing else len(text)
