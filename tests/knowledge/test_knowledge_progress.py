"""Embedding progress: plain lines when the output is not a terminal, a rich bar when it is."""
from __future__ import annotations

import io

from rm_copilot.channels.cli.progress import embedding_progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_at_every_tenth_up_to_the_total():
    out = io.StringIO()
    with embedding_progress(out) as progress:
        for done in range(32, 800, 32):
            progress(min(done, 796), 796)
        progress(796, 796)
    lines = out.getvalue().splitlines()
    assert 5 <= len(lines) <= 11
    assert lines[-1].startswith("正在计算知识片段向量：796/796（100%")


def test_nothing_to_embed_prints_nothing():
    out = io.StringIO()
    with embedding_progress(out):
        pass
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_with_the_count():
    out = FakeTerminal()
    with embedding_progress(out) as progress:
        progress(400, 796)
        progress(796, 796)
    assert "796/796" in out.getvalue()
