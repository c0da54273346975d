"""Jinja2 rendering of the versioned templates under prompts/ (StrictUndefined: a missing variable fails)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_VERSION = re.compile(r"\{#-?\s*version:\s*(\S+)")


class PromptRenderer:
    def __init__(self, prompts_dir: Path):
        self.prompts_dir = Path(prompts_dir)
        self.env = Environment(
            loader=FileSystemLoader(str(self.prompts_dir)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            autoescape=False,
        )

    def render(self, name: str, **context: object) -> str:
        return self.env.get_template(name).render(**context).strip()

    def version(self, name: str) -> str:
        """The `{# version: … #}` header of a template (prompts are versioned like code)."""
        source = (self.prompts_dir / name).read_text(encoding="utf-8")
        match = _VERSION.search(source)
        return match.group(1) if match else "unversioned"


@lru_cache(maxsize=8)
def get_renderer(prompts_dir: Path) -> PromptRenderer:
    return PromptRenderer(Path(prompts_dir).resolve())
