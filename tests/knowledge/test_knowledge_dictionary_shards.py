"""The lexicon's segmenter dictionary, saved in shards, cuts exactly as the whole dictionary does and
is never read for a lexicon it was not built from."""
from __future__ import annotations

import shutil

import pytest

from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, Lexicon

TEXTS = ("大额存单的起存金额是多少？", "大額存單利率", "冷静期多久", "WM003的benchmark", "稳享90天和大存哪个好",
         "客户有50万定期下个月到期，想找个稳一点但收益比定期高的", "今天天气怎么样", "挂钩黄金的那款结构性存款")


def test_second_lexicon_reads_the_shards_and_cuts_the_same(tmp_path):
    built = Lexicon(DEFAULT_LEXICON_DIR, cache_dir=tmp_path)
    first = [built.tokens(text) for text in TEXTS]
    assert built._shards is None and len(list(tmp_path.glob("jieba-*.shards"))) == 1

    read = Lexicon(DEFAULT_LEXICON_DIR, cache_dir=tmp_path)
    assert [read.tokens(text) for text in TEXTS] == first
    assert read._shards is not None  # the whole dictionary was never loaded
    assert len(read._jieba.FREQ) < len(built._jieba.FREQ) / 10
    for word in ("天气", "大额存单", "起存", "想放点"):
        assert read.frequency(word) == built.frequency(word)


def test_changed_lexicon_never_reads_the_older_shards(tmp_path):
    lexicon_dir = tmp_path / "lexicon"
    shutil.copytree(DEFAULT_LEXICON_DIR, lexicon_dir)
    cache = tmp_path / "cache"
    text = "星河金穗宝的起购金额"
    before = Lexicon(lexicon_dir, cache_dir=cache)
    assert "星河金穗宝" not in before.words(text)

    with (lexicon_dir / "user_dict.txt").open("a", encoding="utf-8") as out:
        out.write("\n星河金穗宝 50000 n\n")
    after = Lexicon(lexicon_dir, cache_dir=cache)
    assert "星河金穗宝" in after.words(text)
    assert after._shards is None and len(list(cache.glob("jieba-*.shards"))) == 2
    assert "星河金穗宝" in Lexicon(lexicon_dir, cache_dir=cache).words(text)  # now from its own shards


@pytest.mark.parametrize("damage", [b"", b"RMJIEBA1\x00", b"not shards at all"])
def test_unreadable_shards_are_rebuilt(tmp_path, damage):
    expected = [Lexicon(DEFAULT_LEXICON_DIR, cache_dir=tmp_path).tokens(text) for text in TEXTS]
    (saved,) = tmp_path.glob("jieba-*.shards")
    saved.write_bytes(damage)
    again = Lexicon(DEFAULT_LEXICON_DIR, cache_dir=tmp_path)
    assert [again.tokens(text) for text in TEXTS] == expected
    assert again._shards is None and saved.stat().st_size > 1_000_000  # rewritten whole
