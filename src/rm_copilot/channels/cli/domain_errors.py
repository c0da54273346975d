"""A domain error raised by a command becomes `错误：…` on stderr and exit code 2."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from rm_copilot.errors import RmCopilotError


def exits_2_on_domain_error(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except RmCopilotError as error:
            typer.echo(f"错误：{error}", err=True)
            raise typer.Exit(2) from None

    return wrapper
