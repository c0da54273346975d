"""Declared dependencies are the imported ones: deptry reads pyproject.toml and every import in src/."""
from __future__ import annotations

import subprocess
import sys
import tomllib

from rm_copilot.config import PROJECT_ROOT


def test_every_import_in_src_is_declared_and_every_declared_dependency_is_imported():
    result = subprocess.run([sys.executable, "-m", "deptry", "src"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_wechatpy_is_only_the_tests_oracle():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {spec.split("==")[0].split(">=")[0].strip().lower() for spec in project["dependencies"]}
    assert "wechatpy" not in names
    assert any(spec.startswith("wechatpy") for spec in project["optional-dependencies"]["dev"])
