"""`rm-copilot check --file F --json` end to end on a large file of marketing copy, audit included.

The file is generated from varied copy: sentences of the product documents and FAQ (selling
points, risks, disclosures and terms from the front matter — not its identifiers and tag lists —
and the documents' prose, answers), the regression corpus, greetings and closings with names,
amounts and dates. Start-up (imports, engine and services) is measured in the same run by checking
a one-line file, and subtracted: the figure is sentences per second once the command is running.
Both wall time and the command's CPU time (user + system, from the kernel) are reported: on a
shared machine the wall time mostly measures the other processes; on a quiet one they agree.

Usage: .venv/bin/python benchmarks/check_file_bench.py [--lines 21000] [--keep FILE]
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge_base"
CORPUS = ROOT / "tests" / "data" / "compliance_cases.tsv"
OPENINGS = ["", "王女士您好，", "张先生，", "您好！", "李总，跟您汇报一下：", "早上好，", "陈阿姨，", "刘经理好，"]
CLOSINGS = ["", "有问题随时联系我。", "祝您生活愉快！", "详情可来网点咨询。", "感谢您的信任。", "本周五前都可以办理。"]
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
COPY_FIELDS = ("selling_points", "risks", "disclosures", "term", "fees", "liquidity", "min_amount_text")


def _front_matter_copy(header: str) -> list[str]:
    """What copy would say from a document's front matter: selling points, risks, disclosures and the
    product's terms in words — not its identifiers and tag lists (needs, scenes, aliases…)."""
    meta = yaml.safe_load(header) or {}
    out: list[str] = []
    for key in COPY_FIELDS:
        value = meta.get(key)
        out.extend(str(item) for item in value) if isinstance(value, list) else out.append(str(value or ""))
    return out


def copy_sentences() -> list[str]:
    sentences: list[str] = []
    for folder in ("products", "faq", "marketing"):
        for path in sorted((KNOWLEDGE / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            parts = text.split("---", 2) if text.startswith("---") else ["", "", text]
            for chunk in [*_front_matter_copy(parts[1]), parts[2]]:
                for match in _SENTENCE.finditer(chunk):
                    sentence = match.group().strip().lstrip("-#*>：: ")
                    if 8 <= len(sentence) <= 120:
                        sentences.append(sentence)
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        sentences += [row["sentence"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return sentences


def generate(lines: int, seed: int = 11) -> list[str]:
    base = copy_sentences()
    rng = random.Random(seed)
    out = []
    for _ in range(lines):
        sentence = rng.choice(base)
        if rng.random() < 0.3:  # campaign copy: the same sentence with other amounts and dates
            sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 99)), sentence)
        out.append(f"{rng.choice(OPENINGS)}{sentence}{rng.choice(CLOSINGS)}".replace("\t", " "))
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_check(path: Path, home: Path) -> tuple[float, float, int]:
    env = dict(os.environ, RM_COPILOT_HOME=str(home), HF_HUB_OFFLINE="1")
    cpu = _children_cpu()
    started = time.perf_counter()
    completed = subprocess.run([str(ROOT / ".venv" / "bin" / "rm-copilot"), "check", "--file", str(path), "--json"],
                               env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"check failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu, len(completed.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=21000)
    parser.add_argument("--keep", type=Path, help="also write the generated file here")
    args = parser.parse_args()

    lines = generate(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        big, small, home = Path(tmp) / "copy.txt", Path(tmp) / "one.txt", Path(tmp) / "home"
        big.write_text("\n".join(lines) + "\n", encoding="utf-8")
        small.write_text(lines[0] + "\n", encoding="utf-8")
        if args.keep:
            args.keep.write_text(big.read_text(encoding="utf-8"), encoding="utf-8")
        run_check(small, home)  # first run creates the store; not measured
        startup, startup_cpu, _ = run_check(small, home)
        total, total_cpu, printed = run_check(big, home)
        from sqlalchemy import create_engine, text

        store = next(home.rglob("*.db"), None) or next(home.rglob("*.sqlite*"), None)
        audited = None
        if store is not None:
            with create_engine(f"sqlite:///{store}").connect() as connection:
                audited = connection.execute(text("select count(*) from compliance_audit")).scalar()
    print(f"lines: {len(lines)} (JSON objects printed: {printed}; audit rows in the store: {audited})")
    print("                                     wall        CPU")
    print(f"start-up (one-line file)         : {startup:8.2f} s {startup_cpu:8.2f} s")
    print(f"whole file                       : {total:8.2f} s {total_cpu:8.2f} s")
    print(f"after start-up, sentences/s      : {len(lines) / (total - startup):8,.0f}   {len(lines) / (total_cpu - startup_cpu):8,.0f}")
    print(f"including start-up, sentences/s  : {len(lines) / total:8,.0f}   {len(lines) / total_cpu:8,.0f}")


if __name__ == "__main__":
    sys.exit(main())
