"""The `rm-copilot` command line: the root app; command groups live in channels/cli/."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import typer  # noqa: E402

from rm_copilot.channels.cli import assistant, campaign, check, customers, knowledge, marketing, serve  # noqa: E402
from rm_copilot.channels.cli.domain_errors import exits_2_on_domain_error  # noqa: E402
from rm_copilot.channels.cli.usage_errors import ChineseUsageGroup  # noqa: E402
from rm_copilot.channels.wecom import cli as wecom_cli  # noqa: E402
from rm_copilot.errors import RmCopilotError  # noqa: E402

app = typer.Typer(
    name="rm-copilot",
    cls=ChineseUsageGroup,
    help="客户经理智能助手：客户标签 + 产品知识库 → 合规的营销话术与问答。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for group in (knowledge, customers, check, assistant, campaign, marketing, serve, wecom_cli):
    group.register(app)


def _translate_domain_errors(typer_app: typer.Typer) -> None:
    """Every command, in every group, turns a domain error into a message and exit code 2."""
    for command in typer_app.registered_commands:
        if command.callback is not None:
            command.callback = exits_2_on_domain_error(command.callback)
    for group_info in typer_app.registered_groups:
        if group_info.typer_instance is not None:
            _translate_domain_errors(group_info.typer_instance)


_translate_domain_errors(app)


def main() -> None:
    """Console entry point: domain errors become a message on stderr and exit code 2."""
    from rm_copilot.logging_setup import configure_logging

    configure_logging(os.environ.get("RM_COPILOT_LOG_LEVEL"))
    try:
        app()
    except RmCopilotError as error:
        typer.echo(f"错误：{error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        sys.exit(130)
