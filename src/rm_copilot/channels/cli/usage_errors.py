"""Command-line usage errors in Chinese: Typer's (vendored Click) parser raises them in English.

`ChineseUsageGroup` is the root Typer group; a usage error anywhere below it (a missing option,
an unknown command, a value of the wrong type) is printed as a Chinese message with the command's
usage line, and the process exits 2 as Click's own errors do.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from typer import _click as click
from typer._click import exceptions as errors
from typer.core import TyperGroup
from typer.exceptions import Abort

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.+?)'")
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)")

_EXPECTATIONS = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "enum": "可选值为 {expected}",
    "literal_error": "可选值为 {expected}",
    "path_not_file": "应为已存在的文件",
    "path_not_directory": "应为已存在的目录",
    "path_exists": "路径不存在",
}


def _param_hint(error: errors.UsageError) -> str:
    hint = getattr(error, "param_hint", None)
    param = getattr(error, "param", None)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    if not hint and param is not None:
        hint = param.get_error_hint()
    return str(hint or "").replace("'", "")


def _expectation(error: errors.BadParameter) -> str:
    """Typer validates values with pydantic: its error type says what the value should have been."""
    cause = error.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return ""
    detail = cause.errors()[0]
    template = _EXPECTATIONS.get(detail["type"], "")
    try:
        return template.format(**detail.get("ctx", {}))
    except (KeyError, IndexError):
        return ""


def _bad_value(error: errors.BadParameter) -> str:
    hint = _param_hint(error)
    if _CJK.search(error.message):
        return f"{hint} 的值无效：{error.message}" if hint else error.message
    expectation = _expectation(error)
    return f"{hint} 的值无效" + (f"：{expectation}。" if expectation else "。")


def chinese_message(error: errors.UsageError) -> str:
    """The Chinese sentence for a usage error (the original wording kept only when unknown)."""
    if isinstance(error, errors.MissingParameter):
        kind = "参数" if error.param_type == "argument" else "选项"
        return f"缺少{kind} {_param_hint(error)}。"
    if isinstance(error, errors.NoSuchOption):
        suggestion = f"您是不是想用 {'、'.join(error.possibilities)}？" if error.possibilities else ""
        return f"没有选项 {error.option_name}。{suggestion}"
    if isinstance(error, errors.BadOptionUsage):
        return f"选项 {error.option_name} 的用法有误（例如缺少它的值）。"
    if isinstance(error, errors.BadParameter):
        return _bad_value(error)
    if _CJK.search(error.message):
        return error.message
    if match := _NO_SUCH_COMMAND.search(error.message):
        return f"没有命令 {match['name']}。"
    if match := _EXTRA_ARGUMENTS.search(error.message):
        return f"多余的参数：{match['args']}。"
    return f"命令行用法有误：{error.message}"


def report(error: errors.UsageError) -> None:
    ctx = error.ctx
    if ctx is not None:
        click.echo(f"用法：{ctx.get_usage().removeprefix('Usage: ')}", err=True)
        click.echo(f"查看帮助：{ctx.command_path} --help", err=True)
    click.echo(f"错误：{chinese_message(error)}", err=True)


class ChineseUsageGroup(TyperGroup):
    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False,
                                windows_expand_args=windows_expand_args, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  windows_expand_args=windows_expand_args, **extra)
        except errors.NoArgsIsHelpError as error:
            sys.exit(error.exit_code)  # the help text was printed when the error was raised
        except errors.UsageError as error:
            report(error)
            sys.exit(error.exit_code)
        except Abort:
            click.echo("已中断。", err=True)
            sys.exit(130)
        except errors.ClickException as error:
            click.echo(f"错误：{error.format_message()}", err=True)
            sys.exit(error.exit_code)
        sys.exit(result if isinstance(result, int) else 0)
