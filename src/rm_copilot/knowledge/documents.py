"""Knowledge-base documents: Markdown files with YAML front matter under knowledge_base/."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rm_copilot.errors import BadInput

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster

SKIPPED_DIRS = frozenset({"compliance", "eval", "demo", "lexicon"})
_FENCE = "---"
_KIND_BY_DIR = {"products": "product", "faq": "faq", "policies": "policy"}


@dataclass(frozen=True)
class KnowledgeDoc:
    doc_id: str
    kind: str
    title: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""

    @property
    def product_id(self) -> str | None:
        return self.meta.get("id") if self.kind == "product" else None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body); a file without a leading `---` block has empty front matter."""
    text = text.lstrip("\ufeff")
    if not text.startswith(_FENCE):
        return {}, text
    lines = text.splitlines(keepends=True)
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == _FENCE:
            meta = yaml.load("".join(lines[1:end]), Loader=_YAML_LOADER) or {}
            if not isinstance(meta, dict):
                raise ValueError("front matter is not a mapping")
            return meta, "".join(lines[end + 1 :])
    raise ValueError("front matter has no closing ---")


def doc_id_for(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def parse_document(text: str, doc_id: str) -> KnowledgeDoc:
    meta, body = split_front_matter(text)
    kind = str(meta.get("kind") or _KIND_BY_DIR.get(doc_id.split("/", 1)[0], "doc"))
    title = str(meta.get("title") or meta.get("name") or _first_heading(body) or doc_id)
    return KnowledgeDoc(doc_id=doc_id, kind=kind, title=title, meta=meta, body=body.strip())


def load_documents(root: Path) -> list[KnowledgeDoc]:
    """Every Markdown document under root except rulebook, eval, demo and lexicon folders."""
    root = Path(root)
    if not root.is_dir():
        raise BadInput(f"知识库目录不存在：{root}")
    docs = []
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root)
        if relative.parts[0] in SKIPPED_DIRS or len(relative.parts) < 2:
            continue
        doc_id = doc_id_for(path, root)
        try:
            docs.append(parse_document(path.read_text(encoding="utf-8"), doc_id))
        except (ValueError, yaml.YAMLError) as error:
            raise BadInput(f"知识库文件格式错误：{relative}（{error}）") from error
    return docs


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip() or None
    return None
