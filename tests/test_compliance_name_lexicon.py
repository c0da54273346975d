"""The saved part of jieba's dictionary answers every question names and homophones ask as the whole
dictionary does, is read back instead of rebuilt, and a bad or unwritable file changes nothing."""
from __future__ import annotations

import pytest

from compliance_support import PRODUCTS, RULEBOOK_DIR, TODAY
from rm_copilot.compliance import name_lexicon
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.name_lexicon import Lexicon
from rm_copilot.compliance.names import NameFinder, jieba_lexicon, name_finder
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.rulebook import Rulebook
from rm_copilot.config import PROJECT_ROOT

TEXTS = [
    "今天下午周建国先生来网点咨询赎回规则。", "我给王丽华打了电话，她想了解大额存单。", "昨天见了李明和张伟。",
    "投保人：诸葛明远，被保险人：上官雨晴。", "金华分行的高新区支行周末正常营业。", "这张卡的管理费提高了。",
    "陈阿姨，问：保险金能指定给孙辈吗？", "这款理财饱本，您放心买。", "零凤险理财，欢迎选购。",
    "贷款服务风险提示：请按时还款。", "李刚说他明天来网点。", "客户张伟想把定期转成理财。",
]


class Comparing:
    """jieba's whole dictionary, noting every word the saved part would answer differently."""

    def __init__(self, full: Lexicon, part: Lexicon):
        self.full, self.part = full, part
        self.asked: list[str] = []
        self.different: list[str] = []

    def get(self, word: str):
        self.asked.append(word)
        if self.full.get(word) != self.part.get(word):
            self.different.append(word)
        return self.full.get(word)


@pytest.fixture(scope="module")
def full() -> Lexicon:
    return jieba_lexicon()


def _copy() -> list[str]:
    texts = list(TEXTS)
    for path in sorted((PROJECT_ROOT / "knowledge_base" / "products").rglob("*.md"))[:20]:
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_the_part_answers_every_question_of_names_and_homophones_like_the_whole(full, monkeypatch):
    comparing = Comparing(full, name_lexicon.subset(full))
    monkeypatch.setattr(name_finder(), "_lexicon", comparing)  # what the matcher's homophone reader asks too
    finder = NameFinder()
    finder._lexicon = comparing
    engine = ComplianceEngine(Rulebook.from_directory(RULEBOOK_DIR), products=PRODUCTS, today=TODAY)
    for text in _copy():
        finder.find(normalize(text).text)
        engine.check(text)
    assert len(comparing.asked) > 100
    assert comparing.different == []


def test_the_part_is_saved_once_and_read_back(tmp_path, full):
    loads = []

    def whole() -> Lexicon:
        loads.append(1)
        return full

    first = name_lexicon.load_or_build(tmp_path, whole)
    second = name_lexicon.load_or_build(tmp_path, whole)
    assert len(loads) == 1 and len(list(tmp_path.glob("names-*.marshal"))) == 1
    assert second.frequencies == first.frequencies and second.tags == first.tags
    assert len(first.frequencies) < len([w for w, f in full.frequencies.items() if f])


def test_a_damaged_file_is_rebuilt_and_an_unwritable_folder_still_answers(tmp_path, full, caplog):
    name_lexicon.load_or_build(tmp_path, lambda: full)
    saved = next(tmp_path.glob("names-*.marshal"))
    saved.write_bytes(b"not marshal data")
    rebuilt = name_lexicon.load_or_build(tmp_path, lambda: full)
    assert rebuilt.get("黄金") == full.get("黄金") and "unreadable" in caplog.text

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    answered = name_lexicon.load_or_build(blocked, lambda: full)
    assert answered.get("周末") == full.get("周末")


def test_names_found_with_the_saved_part_are_those_found_with_the_whole(tmp_path, full):
    whole, part = NameFinder(), NameFinder()
    whole._lexicon = full
    part.keep_lexicon_in(tmp_path)
    texts = [normalize(text).text for text in _copy()]
    assert [part.find(text) for text in texts] == [whole.find(text) for text in texts]
    assert list(tmp_path.glob("names-*.marshal"))


def test_a_new_cache_folder_gets_the_part_when_it_is_named_not_on_the_first_name(tmp_path):
    finder = NameFinder()
    finder.keep_lexicon_in(tmp_path / "new-home-cache")
    assert list((tmp_path / "new-home-cache").glob("names-*.marshal"))  # before any text was checked
    again = NameFinder()
    again.keep_lexicon_in(tmp_path / "new-home-cache")
    assert again._lexicon is None  # already saved there: read on the first name only
