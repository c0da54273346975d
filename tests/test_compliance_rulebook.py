"""Rulebook loading: the real rulebook is valid; a malformed one fails naming file, rule and field."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from compliance_support import RULEBOOK_DIR
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.rulebook import Rulebook
from rm_copilot.errors import RulebookError

VALID_RULE = {
    "id": "guarantee.sample",
    "category": "guarantee",
    "severity": "block",
    "terms": ["保本"],
    "message": "示例",
    "suggestion": "示例",
    "basis": "《广告法》第二十五条",
}


def write_rulebook(directory: Path, rule: dict, file_name: str = "sample.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rulebook.yaml").write_text(
        yaml.safe_dump({"version": "test-1", "negation": {"cues": ["不"]}}, allow_unicode=True), encoding="utf-8")
    (directory / file_name).write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    return directory


def test_real_rulebook_loads_with_version_and_every_category():
    rulebook = Rulebook.from_directory(RULEBOOK_DIR)
    assert rulebook.version
    categories = {rule.category for rule in rulebook.rules}
    assert categories >= {"guarantee", "absolute", "deposit_confusion", "expected_return", "performance",
                          "pressure", "inducing", "gift", "misleading", "insurance", "loan", "suitability", "pii"}
    assert {d.product_types[0] for d in rulebook.disclosures} >= {"wealth", "fund", "insurance", "deposit", "loan"}


def test_every_rule_names_its_legal_basis_and_unverified_articles_say_so():
    rulebook = Rulebook.from_directory(RULEBOOK_DIR)
    for rule in [*rulebook.rules, *rulebook.disclosures]:
        assert "《" in rule.basis or "公告" in rule.basis or "准则" in rule.basis, rule.id
    by_id = {rule.id: rule for rule in rulebook.rules}
    assert "条号待核实" in by_id["deposit_confusion.deposit_insurance"].basis  # 《存款保险条例》第五条 [S]
    assert "条号待核实" in by_id["insurance.misrepresentation"].basis  # 《保险销售行为管理办法》 [S?]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "lottery"}, "category"),  # unknown category
        ({"severity": "fatal"}, "severity"),  # unknown severity
        ({"patterns": ["保本("]}, "patterns"),  # regex that does not compile
        ({"terms": [], "patterns": []}, "-"),  # nothing to match
        ({"severity": "rewrite"}, "-"),  # rewrite without replacement or append
        ({"message": ""}, "message"),  # empty advisor-facing text
        ({"product_types": ["crypto"]}, "product_types"),  # unknown product type
        ({"colour": "red"}, "colour"),  # unknown field
    ],
)
def test_malformed_rule_is_refused_naming_file_rule_and_field(tmp_path, change, field):
    rule = {**VALID_RULE, **change}
    directory = write_rulebook(tmp_path / "rules", rule, "broken.yaml")
    with pytest.raises(RulebookError) as raised:
        Rulebook.from_directory(directory)
    message = str(raised.value)
    assert "broken.yaml" in message
    assert "guarantee.sample" in message
    assert f"字段 {field}" in message


def test_duplicate_rule_id_across_files_is_refused(tmp_path):
    directory = write_rulebook(tmp_path / "rules", VALID_RULE, "a.yaml")
    (directory / "b.yaml").write_text(yaml.safe_dump({"rules": [VALID_RULE]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError, match="重复"):
        Rulebook.from_directory(directory)


def test_missing_meta_file_and_unparsable_yaml_are_refused(tmp_path):
    with pytest.raises(RulebookError, match="rulebook.yaml"):
        Rulebook.from_directory(tmp_path)
    directory = write_rulebook(tmp_path / "rules", VALID_RULE)
    (directory / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="bad.yaml"):
        Rulebook.from_directory(directory)


def test_a_broken_copy_of_the_real_rulebook_fails_at_engine_construction(tmp_path):
    copy = Path(shutil.copytree(RULEBOOK_DIR, tmp_path / "compliance"))
    path = copy / "marketing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: rewrite", "severity: sometimes", 1),
                    encoding="utf-8")
    with pytest.raises(RulebookError, match="marketing.yaml.*absolute.superlative.*severity"):
        ComplianceEngine.from_directory(copy)


@pytest.mark.parametrize(
    "today, verdict",
    [
        (date(2026, 9, 29), "pass"),  # 《金融产品网络营销管理办法》 not yet in force: warn only
        (date(2026, 9, 30), "block"),  # in force from 2026-09-30
        (date(2026, 11, 23), "block"),
    ],
)
def test_inducing_words_block_only_once_the_online_marketing_rules_apply(today, verdict):
    engine = ComplianceEngine.from_directory(RULEBOOK_DIR, today=today)
    result = engine.check("这是一款低门槛的产品。")
    assert result.verdict == verdict
    assert [f.rule_id for f in result.findings] == ["inducing.online_marketing"]
