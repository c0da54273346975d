"""Usage errors reach the advisor in Chinese, with the usage line and exit code 2."""
import pytest
from typer.testing import CliRunner

from rm_copilot.cli import app


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["campaign", "--segment", "all"], "缺少选项 --product。"),
        (["nosuch"], "没有命令 nosuch。"),
        (["customers", "list", "--limit", "abc"], "--limit 的值无效：应为整数。"),
        (["customers", "list", "--limit", "-5"], "--limit 的值无效：应不小于 1。"),
        (["check", "--bogus"], "没有选项 --bogus。"),
        (["customers", "list", "surplus"], "多余的参数：surplus。"),
        (["check", "--file"], "选项 --file 的用法有误"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(runner, args, message):
    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert "Usage:" not in result.stderr and "Missing" not in result.stderr and "No such" not in result.stderr


def test_usage_line_and_help_hint_name_the_command(runner):
    result = runner.invoke(app, ["customers", "list", "--limit", "abc"])

    assert "用法：rm-copilot customers list [OPTIONS]" in result.stderr
    assert "查看帮助：rm-copilot customers list --help" in result.stderr


def test_a_group_without_a_command_shows_its_help(runner):
    result = runner.invoke(app, ["customers"])

    assert result.exit_code == 2
    assert "list" in result.output and "错误" not in result.stderr


def test_help_still_exits_0(runner):
    result = runner.invoke(app, ["check", "--help"])

    assert result.exit_code == 0
    assert "--file" in result.output
