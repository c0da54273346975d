"""Demo data shipped in knowledge_base/demo/: the advisors the synthetic customers are spread over."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from rm_copilot.customers.views import AdvisorView
from rm_copilot.errors import BadInput

ADVISORS_FILE = "advisors.yaml"


def load_demo_advisors(demo_dir: Path) -> list[AdvisorView]:
    path = demo_dir / ADVISORS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [AdvisorView.model_validate(item) for item in data.get("advisors", [])]
    except OSError:
        raise BadInput(f"找不到演示客户经理文件 {path}") from None
    except (yaml.YAMLError, ValidationError, AttributeError) as error:
        raise BadInput(f"演示客户经理文件 {path} 格式有误：{error}") from None
