"""Loads the marketing YAML files (knowledge_base/marketing/): report and bandit settings, triggers."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rm_copilot.vocabulary import OUTCOME_KINDS


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BanditConfig(_Config):
    variants: int = Field(default=3, ge=1, le=5)
    min_contacts: int = Field(default=30, ge=0)
    prior: tuple[float, float] = (1.0, 1.0)


class ReportConfig(_Config):
    version: str
    conversion_kinds: tuple[str, ...]
    suppress_below_customers: int = Field(default=5, ge=1)
    min_contacts_per_variant: int = Field(default=100, ge=1)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    bandit: BanditConfig = BanditConfig()

    def model_post_init(self, _context: Any) -> None:
        unknown = set(self.conversion_kinds) - set(OUTCOME_KINDS)
        if unknown or "complaint" in self.conversion_kinds:
            raise ValueError(f"report.yaml: conversion_kinds must be outcome kinds other than complaint: {unknown}")


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping")
    return data


def load_report_config(directory: Path) -> ReportConfig:
    return ReportConfig.model_validate(load_yaml(directory / "report.yaml"))
