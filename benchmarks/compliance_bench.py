"""Compliance engine throughput against a naive per-rule `re.search` loop, same rulebook, same run.

The naive baseline is what the engine replaces: for each sentence, for each rule, for each literal
term and each regex of the rule, `re.search` (patterns precompiled, so the baseline is not slowed
down by the `re` cache). It does less than the engine (no normalisation, no context exceptions,
no evasion readings, no questions, no PII or names, no disclosures) and is still far slower.

The homophone pass is also measured against its naive form: pypinyin over the sentence and over
every eligible term on every call, then a window comparison — what precomputed term keys and one
`str.translate` per sentence replace.

Sentences: the regression corpus with greetings and closings, and varied marketing copy (product
documents, FAQ and corpus lines with names, amounts and dates; see check_file_bench.py).

Usage: .venv/bin/python benchmarks/compliance_bench.py [--sentences 5000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rm_copilot.compliance.engine import ComplianceEngine  # noqa: E402
from rm_copilot.compliance.rulebook import Rulebook  # noqa: E402

RULEBOOK_DIR = ROOT / "knowledge_base" / "compliance"
CORPUS = ROOT / "tests" / "data" / "compliance_cases.tsv"
OPENINGS = ["", "王女士您好，", "张先生，", "您好！", "李总，跟您汇报一下：", "早上好，"]
CLOSINGS = ["", "有问题随时联系我。", "祝您生活愉快！", "详情可来网点咨询。", "感谢您的信任。"]


def product_refs():
    try:
        from rm_copilot.knowledge.products import ProductCatalog

        return ProductCatalog.from_directory(ROOT / "knowledge_base").compliance_refs()
    except Exception:  # noqa: BLE001 - the bench still runs without the catalogue
        return []


def load_sentences(count: int, seed: int = 7) -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        base = [row["sentence"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rng = random.Random(seed)
    return [f"{rng.choice(OPENINGS)}{rng.choice(base)}{rng.choice(CLOSINGS)}" for _ in range(count)]


def naive_homophones(engine: ComplianceEngine):
    from pypinyin import Style, lazy_pinyin

    from rm_copilot.compliance.evasion import eligible
    from rm_copilot.compliance.normalize import normalize_term

    terms = sorted({normalize_term(t) for r in engine.rulebook.rules for t in r.terms
                    if eligible(normalize_term(t), r.category)})

    def check(sentence: str) -> list[str]:
        syllables = lazy_pinyin(sentence, style=Style.NORMAL)
        if len(syllables) != len(sentence):
            syllables = [lazy_pinyin(char, style=Style.NORMAL)[0] for char in sentence]
        hits = []
        for term in terms:
            key = lazy_pinyin(term, style=Style.NORMAL)
            for start in range(len(sentence) - len(term) + 1):
                if syllables[start:start + len(term)] == key and sentence[start:start + len(term)] != term:
                    hits.append(term)
        return hits

    return check


def naive_checker(rulebook: Rulebook):
    compiled = [
        (rule.id, [re.compile(re.escape(term)) for term in rule.terms] + [re.compile(p) for p in rule.patterns])
        for rule in rulebook.rules
    ]

    def check(sentence: str) -> list[str]:
        hits = []
        for rule_id, patterns in compiled:
            for pattern in patterns:
                if re.search(pattern, sentence):
                    hits.append(rule_id)
                    break
        return hits

    return check, sum(len(patterns) for _, patterns in compiled)


def measure(functions: dict, sentences: list[str], repeat: int) -> dict[str, float]:
    """Best-of-`repeat` sentences per CPU-second of this (single) thread, runs interleaved.

    CPU time rather than wall time: the machine is shared, and a one-thread loop's CPU time is
    what one core gives it.
    """
    best = {name: float("inf") for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.thread_time()
            for sentence in sentences:
                function(sentence)
            best[name] = min(best[name], time.thread_time() - started)
    return {name: len(sentences) / seconds for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = ComplianceEngine.from_directory(RULEBOOK_DIR, products=product_refs())
    build_seconds = time.perf_counter() - started
    sentences = load_sentences(args.sentences)
    from check_file_bench import generate

    copy = generate(args.sentences, seed=5)
    naive, naive_patterns = naive_checker(engine.rulebook)
    naive_phonetic = naive_homophones(engine)

    for sentence in sentences[:200] + copy[:1000]:  # warm the per-character caches and the CPU
        engine.check(sentence)
        naive(sentence)

    rates = measure({
        "engine": lambda s: engine.check(s),
        "naive": naive,
        "engine_wealth": lambda s: engine.check(s, product_type="wealth"),
    }, sentences, args.repeat)
    engine_rate, naive_rate, with_type_rate = rates["engine"], rates["naive"], rates["engine_wealth"]
    copy_rates = measure({"engine": lambda s: engine.check(s), "naive": naive}, copy, args.repeat)
    sample = copy[:500]
    phonetic = measure({"homophones": engine.matcher.evasion.homophones, "naive": naive_phonetic}, sample, 1)
    flagged = sum(engine.check(s).verdict != "pass" for s in sentences)

    print(f"rulebook {engine.version}: {len(engine.rulebook.rules)} rules, {naive_patterns} terms/regexes, "
          f"{len(engine.products)} products; engine built in {build_seconds:.2f} s")
    print(f"sentences: {len(sentences)} (flagged by the engine: {flagged}), best of {args.repeat}, "
          "one thread, sentences per CPU-second")
    print(f"engine (wording + PII)           : {engine_rate:10,.0f} sentences/s")
    print(f"engine (+ disclosures, wealth)   : {with_type_rate:10,.0f} sentences/s")
    print(f"naive per-rule re.search loop    : {naive_rate:10,.0f} sentences/s")
    print(f"ratio engine / naive             : {engine_rate / naive_rate:10.1f}x")
    print(f"marketing copy ({len(copy)} lines): engine {copy_rates['engine']:,.0f}/s, naive {copy_rates['naive']:,.0f}/s, "
          f"ratio {copy_rates['engine'] / copy_rates['naive']:.1f}x")
    print(f"homophone pass: precomputed {phonetic['homophones']:,.0f}/s, pypinyin per call {phonetic['naive']:,.0f}/s, "
          f"ratio {phonetic['homophones'] / phonetic['naive']:.0f}x")


if __name__ == "__main__":
    main()
