"""The composition root (`rm_copilot.services`) is the only place that reads settings and wires objects.

Below it — every module except the channels, the CLI, the root itself and the settings module —
nothing imports the root or the settings (not even for type checking), calls `get_settings()`, or
reads the environment. `lint-imports` checks the imports too; this scan also catches the
environment and dynamic imports, which an import graph does not show.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rm_copilot"
ROOT_MODULES = {"rm_copilot.services", "rm_copilot.config"}
ALLOWED = ("channels/", "cli.py", "services.py", "config.py")
ENVIRONMENT = {"environ", "getenv", "putenv", "unsetenv", "environb", "getenvb"}


def violations(source: str) -> list[str]:
    """What in this module's source reaches for the root, the settings or the environment."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: import {a.name}" for a in node.names if _is_root(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if _is_root(module) or any(_is_root(f"{module}.{a.name}") for a in node.names):
                found.append(f"{line}: from {module} import …")
            if module == "os" and any(a.name in ENVIRONMENT for a in node.names):
                found.append(f"{line}: from os import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"{line}: os.{node.attr}")
        elif isinstance(node, ast.Name) and node.id == "get_settings":
            found.append(f"{line}: get_settings")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_root(node.value):
            found.append(f"{line}: '{node.value}' (a dynamic import)")
    return found


def _is_root(name: str) -> bool:
    return any(name == module or name.startswith(module + ".") for module in ROOT_MODULES)


def _below_the_root() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if not p.relative_to(SRC).as_posix().startswith(ALLOWED))


def test_the_scan_covers_the_domain_packages():
    scanned = {p.relative_to(SRC).parts[0] for p in _below_the_root()}
    assert {"assistant", "campaigns", "compliance", "customers", "generation", "knowledge", "marketing"} <= scanned
    assert not any(p.relative_to(SRC).parts[0] == "channels" for p in _below_the_root())


def test_nothing_below_the_root_imports_it_or_reads_settings_or_the_environment():
    report = {str(p.relative_to(SRC)): found for p in _below_the_root()
              if (found := violations(p.read_text(encoding="utf-8")))}
    assert report == {}


@pytest.mark.parametrize("source", [
    "from rm_copilot.services import Services\n",
    "import rm_copilot.services\n",
    "from rm_copilot import services\n",
    "from rm_copilot import config as c\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rm_copilot.config import Settings\n",
    "def f():\n    from rm_copilot.config import get_settings\n    return get_settings().home\n",
    "import os\nLEVEL = os.environ.get('RM_COPILOT_LOG_LEVEL')\n",
    "import os\nLEVEL = os.getenv('X')\n",
    "from os import environ\n",
    "import importlib\nroot = importlib.import_module('rm_copilot.services')\n",
])
def test_the_scan_flags_each_way_of_reaching_the_root(source):
    assert violations(source)


@pytest.mark.parametrize("source", [
    "import os\nPATH = os.path.join('a', 'b')\n",
    "from rm_copilot.errors import BadInput\n",
    "from rm_copilot.knowledge.products import ProductCatalog\n",
    "settings = {'elderly_age': 65}\n",
])
def test_the_scan_accepts_plain_domain_code(source):
    assert violations(source) == []


def test_the_compliance_contract_forbids_every_other_part_of_the_project():
    """`lint-imports` lists what compliance may not import; a new top-level module must be added there."""
    import tomllib

    config = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["source_modules"] == ["rm_copilot.compliance"])
    parts = {p.stem for p in SRC.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
    allowed = {"__init__", "compliance", "errors", "db", "clock", "vocabulary", "cache_files"}
    assert {f"rm_copilot.{name}" for name in parts - allowed} == set(contract["forbidden_modules"])


def test_retrieval_and_the_builtin_composer_tokenise_with_the_configured_lexicon(tmp_path):
    """A knowledge base with its own lexicon/: the retriever gets it from the root, not a global default."""
    import shutil

    from rm_copilot.config import Settings
    from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR
    from rm_copilot.services import Services, make_builtin_model

    knowledge_base = tmp_path / "kb"
    shutil.copytree(DEFAULT_LEXICON_DIR, knowledge_base / "lexicon")
    settings = Settings(home=tmp_path / "home", environment="test", knowledge_base=knowledge_base)
    services = Services(settings)

    configured = (knowledge_base / "lexicon").resolve()
    assert services.retriever.lexicon.directory.resolve() == configured
    assert services.retriever.lexicon is services.lexicon
    assert make_builtin_model(settings).lexicon_dir == str(knowledge_base / "lexicon")
