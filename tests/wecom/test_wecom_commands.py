"""Reading the bot's text commands."""
from __future__ import annotations

import pytest

from rm_copilot.channels.wecom.commands import Ask, DraftScript, Help, Malformed, ResetSession, parse_command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("帮助", Help()),
        (" help ", Help()),
        ("新对话", ResetSession()),
        ("话术 C00012 到期", DraftScript("C00012", "maturity")),
        ("话术C00012到期", DraftScript("C00012", "maturity")),  # typed without spaces on a phone
        ("话术 c00012 生日 wm001", DraftScript("C00012", "birthday", "WM001")),
        ("话术 C00012 FD003 活动", DraftScript("C00012", "event", "FD003")),  # any order
        ("话术 C00012 care", DraftScript("C00012", "care")),  # English scenario names too
        ("话术 C00012", DraftScript("C00012")),
        ("C00012 适合什么产品", Ask("适合什么产品", "C00012")),
        ("C00012：到期怎么沟通", Ask("到期怎么沟通", "C00012")),
        ("大额存单和定期存款有什么不同", Ask("大额存单和定期存款有什么不同")),
        ("话术怎么写更自然", Ask("话术怎么写更自然")),  # a question about scripts, not a command
    ],
)
def test_parse_command(text: str, command):
    assert parse_command(text) == command


@pytest.mark.parametrize("text", ["话术", "话术 到期", "话术 C00012 随便", "话术 C00012 到期 生日"])
def test_unreadable_script_command_is_malformed(text: str):
    assert isinstance(parse_command(text), Malformed)
