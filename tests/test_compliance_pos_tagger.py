"""The part-of-speech tagger over the saved tables cuts and tags every text exactly as jieba.posseg.cut
does; the file is saved once, read back by other instances and processes, rebuilt when damaged or
derived from other inputs, and a folder it cannot be written to still tags."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from rm_copilot.compliance import names, pos_tables
from rm_copilot.compliance.names import NameFinder, jieba_pos_source
from rm_copilot.compliance.normalize import normalize
from rm_copilot.compliance.pos_tagger import PosTagger
from rm_copilot.config import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge_base"
SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
HAND_MADE = [
    "我给王丽华打了电话，她想了解大额存单。", "李刚说他明天来网点。", "昨天见了李明和张伟，还约了欧阳娜娜。",
    "请联系王建国办理，电话13812345678。", "跟刘晓东说一下，周三下午三点半到。", "张伟想买20万的R2理财。",
    "iPhone15 Pro售价7999元，打8.5折！", "QDII基金A类份额、C类份额的费率为0.15%/年。",
    "a+b#c&d._e 1.2.3 ３４５ hello world\r\n再见\t你好", "沪深300ETF联接A（代码：007339）", "",
    " ", "\r\n", "……", "𠀀𠀁字", "ＡＢＣ全角字母和数字１２３", "Hello，World！How are you?", "1+1=2, 3.14159",
    "邬蔻薇给钭鹮甯打电话", "氪氙氡钌铑钯锇铱铂", "嗯嗯嗯哈哈哈呵呵呵", "星河稳享90天持有期理财", "C++和C#都是编程语言",
    "__init__.py", "e-mail: zhang.wei@example.com", "王女士您好，星河稳享90天持有期理财本周开放申购。",
    "龘靐齉爩麤", "我们中出了一个叛徒", "结婚的和尚未结婚的", "他说的确实在理", "南京市长江大桥",
]


def _tsv(path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.fixture(scope="session")
def sample() -> list[str]:
    texts = list(HAND_MADE) + _tsv(PROJECT_ROOT / "tests" / "data" / "compliance_cases.tsv", "sentence")
    for path in sorted((KNOWLEDGE / "eval").glob("compliance-dev*.tsv")):
        texts += _tsv(path, "text")
    for path in sorted((KNOWLEDGE / "products").rglob("*.md")):
        texts += [match.group().strip() for match in SENTENCE.finditer(path.read_text(encoding="utf-8"))]
    return texts


@pytest.fixture(scope="session")
def source() -> pos_tables.Source:
    return jieba_pos_source()


@pytest.fixture(scope="session")
def saved(tmp_path_factory, source):
    folder = tmp_path_factory.mktemp("pos-tables")
    return folder, pos_tables.load_or_build(folder, lambda: source)


def _jieba_cut(text: str) -> list[tuple[str, str]]:
    import jieba.posseg

    return [(pair.word, pair.flag) for pair in jieba.posseg.cut(text)]


def _no_source() -> pos_tables.Source:
    raise AssertionError("the saved tables were rebuilt")


def test_every_text_is_cut_and_tagged_as_jieba_posseg_cuts_it(saved, sample):
    tagger = PosTagger(saved[1])
    different = [(text, tagger.cut(text), _jieba_cut(text)) for text in sample if tagger.cut(text) != _jieba_cut(text)]
    assert len(sample) > 3000
    assert different == []


def test_the_sample_takes_every_path_of_the_cut(saved, sample):
    """The comparison above means something: its texts need the HMM (unknown runs of characters),
    and yield names, Latin words, numbers and punctuation."""
    hmm_runs: list[str] = []

    class Spying(PosTagger):
        def _cut_hmm(self, sentence):
            hmm_runs.append(sentence)
            return super()._cut_hmm(sentence)

    tagger = Spying(saved[1])
    flags = {flag for text in sample for _, flag in tagger.cut(text)}
    assert len(hmm_runs) > 100 and any(len(run) >= 3 for run in hmm_runs)
    assert {"nr", "eng", "m", "x", "n", "v"} <= flags


def test_a_name_that_is_no_word_is_joined_and_tagged_by_the_hmm(saved):
    """李刚 is only a prefix in jieba's dictionary (frequency 0): the HMM makes it one word, a person."""
    tables = saved[1]
    cut = PosTagger(tables).cut("李刚说他明天来网点。")
    assert tables.freq["李刚"] == 0
    assert cut[:2] == [("李刚", "nr"), ("说", "v")] == _jieba_cut("李刚说他明天来网点。")[:2]


def test_only_the_shards_of_the_text_s_characters_are_decoded(saved):
    folder, _ = saved
    tables = pos_tables.load_or_build(folder, _no_source)
    assert tables.freq == {}
    PosTagger(tables).cut("王丽华打了电话")
    assert {word[0] for word in tables.freq} == set("王丽华打了电话")
    assert set(tables.char_states) == set(tables.emit) == set("王丽华打了电话")
    assert "王丽华" in tables.freq and "中国" not in tables.freq


def test_the_file_is_saved_once_and_read_back_by_another_instance(tmp_path, source):
    built = []

    def counted() -> pos_tables.Source:
        built.append(1)
        return source

    first = pos_tables.load_or_build(tmp_path, counted)
    second = pos_tables.load_or_build(tmp_path, counted)
    assert len(built) == 1 and len(list(tmp_path.glob("postags-*.marshal"))) == 1
    text = "我给王丽华打了电话，她想了解大额存单。"
    assert PosTagger(second).cut(text) == PosTagger(first).cut(text) == _jieba_cut(text)


def test_another_process_tags_from_the_file_without_jieba_posseg(saved):
    folder, _ = saved
    finder_home = folder.parent / "finder-home"
    NameFinder().keep_lexicon_in(finder_home)  # a new home: both files saved now
    assert list(finder_home.glob("postags-*.marshal")) and list(finder_home.glob("names-*.marshal"))
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from rm_copilot.compliance.names import NameFinder\n"
        "finder = NameFinder()\n"
        f"finder.keep_lexicon_in(Path({str(finder_home)!r}))\n"
        "text = '我给王丽华打了电话，她想了解大额存单。'\n"
        "found = finder.find(text)\n"
        "import jieba\n"
        "print(json.dumps({'found': found, 'cut': finder.tagger()(text),\n"
        "                  'posseg': 'jieba.posseg' in sys.modules, 'dictionary': jieba.dt.initialized}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    assert answer["found"] == [[2, 5]]
    assert [tuple(pair) for pair in answer["cut"]] == _jieba_cut("我给王丽华打了电话，她想了解大额存单。")
    assert answer["posseg"] is False and answer["dictionary"] is False


def test_a_damaged_file_is_ignored_and_rebuilt(tmp_path, source, caplog):
    pos_tables.load_or_build(tmp_path, lambda: source)
    (path,) = tmp_path.glob("postags-*.marshal")
    path.write_bytes(b"not marshal data")
    rebuilt = pos_tables.load_or_build(tmp_path, lambda: source)
    assert "unreadable" in caplog.text
    assert PosTagger(rebuilt).cut("李刚说他明天来网点。") == _jieba_cut("李刚说他明天来网点。")
    assert pos_tables.load_or_build(tmp_path, _no_source).total == source.total  # the rebuilt file is whole


def test_a_file_of_other_inputs_is_not_read(tmp_path, source, monkeypatch, caplog):
    first = pos_tables.load_or_build(tmp_path, lambda: source)
    (old,) = tmp_path.glob("postags-*.marshal")
    built = []
    monkeypatch.setattr(pos_tables, "FORMAT", "another format")
    pos_tables.load_or_build(tmp_path, lambda: built.append(1) or source)
    assert built == [1] and len(list(tmp_path.glob("postags-*.marshal"))) == 2

    old.rename(pos_tables.saved_path(tmp_path))  # the current name, an older key inside
    again = pos_tables.load_or_build(tmp_path, lambda: built.append(2) or source)
    assert built == [1, 2] and "do not match" in caplog.text
    assert again.total == first.total


def test_a_folder_that_cannot_be_written_still_tags(tmp_path, source, caplog):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    tables = pos_tables.load_or_build(blocked, lambda: source)
    assert "not saved" in caplog.text
    text = "跟刘晓东说一下，周三下午三点半到。"
    assert PosTagger(tables).cut(text) == _jieba_cut(text)


def test_a_finder_with_a_cache_folder_tags_with_the_saved_tables_and_finds_the_same_names(tmp_path, sample):
    saving, plain = NameFinder(), NameFinder()
    saving.keep_lexicon_in(tmp_path)
    assert isinstance(getattr(saving.tagger(), "__self__", None), PosTagger)
    assert plain.tagger() is names._tagger()  # no folder: jieba.posseg.cut itself
    texts = [normalize(text).text for text in sample]
    tagged = [text for text in texts if saving.find(text, tag=False) != saving.find(text)]
    assert tagged  # texts whose names only the tagger finds
    assert [saving.find(text) for text in texts] == [plain.find(text) for text in texts]
