"""Thompson sampling over the composer's phrasing variants, per scenario × segment.

Each variant under test (one with recorded contacts in this scenario × segment, plus the default
A) has a Beta posterior of its conversion rate; one draw per variant, the highest draw writes the
script. New phrasings enter the test through campaigns with several variants. The policy only picks wording: the product was already chosen
under the suitability rule and the text still passes the compliance gate.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

from rm_copilot.marketing.segments import segment_of, variant_label
from rm_copilot.marketing.settings import ReportConfig
from rm_copilot.vocabulary import SCENARIO_LABELS

CountSource = Callable[..., dict[int, tuple[int, int]]]  # OutcomeStore.variant_counts


class ThompsonVariantPolicy:
    def __init__(self, counts: CountSource, config: ReportConfig, rng: random.Random | None = None):
        self._counts = counts
        self._config = config
        self._rng = rng or random.Random()
        self._lock = threading.Lock()  # random.Random is not safe to share between API threads

    def stats(self, scenario: str, segment: str) -> list[tuple[int, int]]:
        """(contacts, conversions) per variant for this scenario and segment."""
        counts = self._counts(scenario=scenario, segment=segment, conversion_kinds=self._config.conversion_kinds)
        return [counts.get(v, (0, 0)) for v in range(self._config.bandit.variants)]

    def choose(self, scenario: str, brief: dict[str, Any]) -> tuple[int, str]:
        segment = segment_of(brief)
        stats = self.stats(scenario, segment)
        total = sum(n for n, _ in stats)
        where = f"{segment}客户的{SCENARIO_LABELS.get(scenario, scenario)}话术"
        if total < self._config.bandit.min_contacts:
            return 0, f"话术版本A（默认）：{where}反馈尚少（{total}次触达），暂按默认版本"
        alpha, beta = self._config.bandit.prior
        # Arms are the phrasings under test here (with contacts); A, the default wording, always is.
        arms = [v for v, (n, _) in enumerate(stats) if n > 0 or v == 0]
        with self._lock:
            draws = {v: self._rng.betavariate(alpha + stats[v][1], beta + stats[v][0] - stats[v][1]) for v in arms}
        best = max(arms, key=draws.__getitem__)
        evidence = "，".join(f"{variant_label(v)} {stats[v][1]}/{stats[v][0]}" for v in arms)
        return best, f"话术版本{variant_label(best)}：按{where}的转化反馈抽样选择（转化/触达：{evidence}）"
