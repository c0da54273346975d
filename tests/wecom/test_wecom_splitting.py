"""Splitting long replies under WeCom's byte limits without losing or adding a character."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rm_copilot.channels.wecom.splitting import split_text


def assert_faithful_split(text: str, chunks: list[str], limit: int) -> None:
    assert "".join(chunks) == text
    assert all(0 < len(chunk.encode()) <= limit for chunk in chunks)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短消息。", 2048, ["短消息。"]),  # fits: one piece
        ("", 2048, []),  # nothing to send
        ("一二三。四五六。七八九。", 24, ["一二三。四五六。", "七八九。"]),  # 12 bytes per sentence
        ("好的！真的吗？是的。", 12, ["好的！", "真的吗？", "是的。"]),  # every end mark counts
        ("他说：“可以。”然后走了。", 24, ["他说：“可以。”", "然后走了。"]),  # closing quote stays
        ("甲，乙，丙，丁", 9, ["甲，", "乙，", "丙，丁"]),  # one long sentence: clauses
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # no boundary at all: characters
        ("中文字符", 5, ["中", "文", "字", "符"]),  # never cuts inside a UTF-8 character
        ("line one\nline two\n", 9, ["line one\n", "line two\n"]),  # newline is a boundary
    ],
)
def test_split_text_table(text: str, limit: int, expected: list[str]):
    chunks = split_text(text, limit)

    assert chunks == expected
    assert_faithful_split(text, chunks, limit)


def test_long_answer_is_cut_at_sentence_ends_under_2048_bytes():
    sentence = "本产品为非保本浮动收益型理财产品，过往业绩不代表未来表现，理财非存款、产品有风险、投资须谨慎。"
    text = sentence * 60  # about 8 KB

    chunks = split_text(text, 2048)

    assert len(chunks) > 1
    assert_faithful_split(text, chunks, 2048)
    assert all(chunk.endswith("。") for chunk in chunks)


@given(text=st.text(min_size=0, max_size=400), limit=st.integers(min_value=4, max_value=64))
def test_any_text_splits_faithfully(text: str, limit: int):
    assert_faithful_split(text, split_text(text, limit), limit)


def test_limit_below_one_character_is_rejected():
    with pytest.raises(ValueError):
        split_text("abc", 3)
