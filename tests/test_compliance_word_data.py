"""The matcher's derived word data is saved once and read back, and only for the very same inputs:
a changed rulebook never reads the older file."""
from __future__ import annotations

import json
import shutil

import pytest

from compliance_support import PRODUCTS, RULEBOOK_DIR, TODAY
from rm_copilot.compliance import word_data
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.evasion import HOMOPHONE
from rm_copilot.compliance.rulebook import Rulebook

TEXTS = ("这款理财饱本，您放心买。", "零凤险理财，欢迎选购。", "这款bbbx，放心买", "日息万分之五，稳赚不陪",
         "本产品不保本，可能损失本金。", "星河稳享90天持有期理财业绩比较基准2.8%。")


def _engine(rulebook_dir, cache_dir) -> ComplianceEngine:
    return ComplianceEngine(Rulebook.from_directory(rulebook_dir), products=PRODUCTS, today=TODAY,
                            cache_dir=cache_dir)


def _outcomes(engine: ComplianceEngine) -> list[tuple]:
    return [(r.verdict, r.text, [(f.rule_id, f.start, f.end, f.evasion) for f in r.findings])
            for r in map(engine.check, TEXTS)]


@pytest.fixture()
def builds(monkeypatch):
    """Counts how often the word data is computed instead of read."""
    calls = []
    real = word_data.build

    def counting(terms, patterns):
        calls.append(len(terms))
        return real(terms, patterns)

    monkeypatch.setattr(word_data, "build", counting)
    return calls


def test_saved_word_data_is_read_back_and_checks_the_same(tmp_path, builds):
    cache = tmp_path / "cache"
    first = _engine(RULEBOOK_DIR, cache)
    assert len(builds) == 1 and len(list(cache.glob("words-*.json"))) == 1
    second = _engine(RULEBOOK_DIR, cache)
    assert len(builds) == 1  # read, not rebuilt
    assert _outcomes(second) == _outcomes(first) == _outcomes(_engine(RULEBOOK_DIR, None))


def test_changed_rulebook_never_uses_the_older_file(tmp_path, builds):
    rulebook = tmp_path / "compliance"
    shutil.copytree(RULEBOOK_DIR, rulebook)
    cache = tmp_path / "cache"
    before = _engine(rulebook, cache)
    text = "这款产品稳当当营，放心。"  # a homophone of the term added below
    assert not [f for f in before.check(text).findings if f.rule_id == "guarantee.principal"]

    path = rulebook / "guarantee.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("terms: [保本保息,", "terms: [稳当当赢, 保本保息,", 1),
                    encoding="utf-8")
    after = _engine(rulebook, cache)
    assert len(builds) == 2 and len(list(cache.glob("words-*.json"))) == 2
    found = [f for f in after.check(text).findings if f.rule_id == "guarantee.principal"]
    assert found and found[0].matched == "稳当当营" and found[0].evasion == HOMOPHONE


def test_file_for_other_inputs_or_unreadable_is_rebuilt(tmp_path, builds):
    cache = tmp_path / "cache"
    expected = _outcomes(_engine(RULEBOOK_DIR, cache))
    (saved,) = cache.glob("words-*.json")
    content = json.loads(saved.read_text(encoding="utf-8"))
    saved.write_text(json.dumps({**content, "key": "0" * 64, "variants": {}}), encoding="utf-8")  # another rulebook's
    assert _outcomes(_engine(RULEBOOK_DIR, cache)) == expected
    saved.write_text("{not json", encoding="utf-8")
    assert _outcomes(_engine(RULEBOOK_DIR, cache)) == expected
    assert len(builds) == 3
    assert json.loads(saved.read_text(encoding="utf-8"))["key"] == content["key"]  # rewritten whole
