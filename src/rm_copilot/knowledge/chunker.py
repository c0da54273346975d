"""Heading-aware chunking with stable ids (`<doc_id>#<n>`) and content hashes.

Every chunk's text starts with what it is about (product name or document title, then the
section heading), so a chunk read alone — by BM25, by the embedding model or in a citation —
still names its subject.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from rm_copilot.knowledge.documents import KnowledgeDoc
from rm_copilot.knowledge.products import risk_rank
from rm_copilot.vocabulary import PRODUCT_TYPE_LABELS, PRODUCT_TYPES

MAX_CHARS = 480
_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")

_FACT_LABELS = (
    ("issuer", "发行/管理机构"),
    ("term", "期限"),
    ("min_amount_text", "起购金额"),
    ("benchmark", "业绩比较基准"),
    ("rate", "利率"),
    ("fees", "费用"),
    ("liquidity", "流动性"),
    ("target_customers", "适合客户"),
    ("tags_match", "关键词"),
    ("aliases", "简称"),
    ("selling_points", "产品特点"),
    ("risks", "主要风险"),
    ("disclosures", "风险提示"),
)


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    product_id: str | None
    kind: str
    title: str
    heading: str
    text: str
    content_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.doc_id


def chunk_document(doc: KnowledgeDoc) -> list[Chunk]:
    subject = _subject(doc)
    pieces: list[tuple[str, str]] = []
    if doc.kind == "product":
        pieces.append(("产品要素", _product_facts(doc)))
    for heading, text in _sections(doc.body):
        for part in _split_long(text):
            pieces.append((heading, part))
    metadata = _base_metadata(doc)
    chunks = []
    for n, (heading, body) in enumerate(p for p in pieces if p[1].strip()):
        label = f"{subject}｜{heading}" if heading and heading != subject else subject
        text = f"{label}\n{body.strip()}"
        meta = {**metadata, "heading": heading, "content_hash": content_hash(text, metadata)}
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}#{n}",
                doc_id=doc.doc_id,
                product_id=doc.product_id,
                kind=doc.kind,
                title=doc.title,
                heading=heading,
                text=text,
                content_hash=meta["content_hash"],
                metadata=meta,
            )
        )
    return chunks


def content_hash(text: str, metadata: dict[str, Any]) -> str:
    payload = json.dumps({"text": text, "meta": metadata}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _subject(doc: KnowledgeDoc) -> str:
    if doc.kind == "product":
        return f"{doc.meta.get('name', doc.title)}（{doc.meta.get('id', '')}）"
    return doc.title


def _base_metadata(doc: KnowledgeDoc) -> dict[str, Any]:
    """Flat, Chroma-storable metadata (no None, no lists) that the filters read."""
    meta: dict[str, Any] = {"doc_id": doc.doc_id, "kind": doc.kind, "title": doc.title, "risk_rank": 0}
    types: list[str] = []
    if doc.kind == "product":
        meta["product_id"] = str(doc.meta.get("id"))
        meta["product_type"] = str(doc.meta.get("type"))
        meta["risk_level"] = str(doc.meta.get("risk_level"))
        meta["risk_rank"] = risk_rank(doc.meta.get("risk_level")) or 5
        types = [meta["product_type"]]
    else:
        types = [str(t) for t in doc.meta.get("product_types") or []]
        if doc.meta.get("product_ids"):
            meta["related_products"] = ",".join(map(str, doc.meta["product_ids"]))
    for product_type in PRODUCT_TYPES:
        if product_type in types:
            meta[f"type_{product_type}"] = True
    return meta


def _product_facts(doc: KnowledgeDoc) -> str:
    meta = doc.meta
    product_type = str(meta.get("type", ""))
    lines = [f"产品类型：{PRODUCT_TYPE_LABELS.get(product_type, product_type)}；风险等级：{meta.get('risk_level', '')}"]
    for key, label in _FACT_LABELS:
        value = meta.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "；".join(map(str, value))
        lines.append(f"{label}：{value}")
    return "\n".join(lines)


def _sections(body: str) -> list[tuple[str, str]]:
    """Split Markdown on headings; the heading path (e.g. `赎回规则 > 到账时间`) labels each section."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    path: list[tuple[int, str]] = []
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            level, title = len(match.group(1)), match.group(2).strip()
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            sections.append((" > ".join(t for lvl, t in path if lvl > 1) or title, []))
        else:
            sections[-1][1].append(line)
    return [(heading, "\n".join(lines).strip()) for heading, lines in sections if "\n".join(lines).strip()]


def _split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for paragraph in re.split(r"\n\s*\n", text):
        for piece in _hard_split(paragraph.strip(), limit):
            if current and len(current) + len(piece) + 2 > limit:
                parts.append(current)
                current = piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
    if current:
        parts.append(current)
    return parts


def _hard_split(paragraph: str, limit: int) -> list[str]:
    """A paragraph longer than the limit is cut at sentence ends."""
    if len(paragraph) <= limit:
        return [paragraph]
    sentences = re.findall(r"[^。！？；\n]+[。！？；]?", paragraph)
    pieces, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces
