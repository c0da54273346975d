"""Placeholder until this command group is written; registers nothing."""
import typer


def register(app: typer.Typer) -> None:
    return None
