"""What a campaign's rows were made with: rulebook, prompt templates, generation backend and model.

Recorded in the output's meta file when a run begins; a `--resume` made with anything else is
refused, so one file never mixes rows checked by two rulebooks or written by two models.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from rm_copilot.errors import CampaignConflict

LABELS = {
    "rulebook_version": "规则库版本",
    "rulebook_digest": "规则库内容",
    "prompts_digest": "话术模板",
    "backend": "生成后端",
    "model": "模型",
}


def run_fingerprint(*, rulebook_dir: Path, prompts_dir: Path, backend: str, model: str | None) -> dict[str, str]:
    return {
        "rulebook_version": _rulebook_version(rulebook_dir),
        "rulebook_digest": _digest(rulebook_dir, ("*.yaml", "semantic/model.npz")),
        "prompts_digest": _digest(prompts_dir, ("**/*.j2",)),
        "backend": backend,
        # The builtin composer has no model; its behaviour is the templates and the code.
        "model": model if backend != "builtin" and model else "builtin",
    }


def check_same(recorded: dict[str, Any] | None, current: dict[str, str]) -> None:
    """Raise `CampaignConflict` naming what changed since the run began."""
    if recorded is None:
        raise CampaignConflict("--resume 被拒绝：上次运行没有记录规则库、话术模板与模型的指纹，无法确认续跑的行与已写的行"
                               "用的是同一套规则和模型；请换一个输出文件重新运行")
    changed = [key for key in LABELS if recorded.get(key) != current.get(key)]
    if changed:
        what = "、".join(LABELS[key] for key in changed)
        versions = ""
        if "rulebook_version" in changed:
            versions = f"（规则库版本 {recorded.get('rulebook_version')} → {current.get('rulebook_version')}）"
        elif "model" in changed or "backend" in changed:
            versions = f"（{recorded.get('backend')}/{recorded.get('model')} → {current.get('backend')}/{current.get('model')}）"
        raise CampaignConflict(f"--resume 被拒绝：自本次任务开始以来{what}已变化{versions}，续跑会让同一文件混用两套规则或话术；"
                               "请换一个输出文件重新运行")


def _rulebook_version(directory: Path) -> str:
    path = directory / "rulebook.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return "unknown"
    return str(data.get("version", "unknown")) if isinstance(data, dict) else "unknown"


def _digest(directory: Path, patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in directory.glob(pattern) if path.is_file()})
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
