"""Product facts as composers and prompts see them, and chunks as request dicts."""
from __future__ import annotations

from typing import Any

from rm_copilot.knowledge.products import Product

FACT_FIELDS = ("id", "name", "type", "issuer", "risk_level", "term", "min_amount_text", "benchmark", "rate",
               "fees", "liquidity", "needs", "scenes", "selling_points", "disclosures")


def product_facts(product: Product, **extra: Any) -> dict[str, Any]:
    facts = {name: getattr(product, name) for name in FACT_FIELDS}
    return {**facts, "type_label": product.type_label, "doc_id": product.doc_id, **extra}


def facts_chunk_id(product: Product) -> str:
    """The chunker puts a product's front-matter facts (产品要素) first: `<doc_id>#0`."""
    return f"{product.doc_id}#0"


def product_citation(product: Product) -> dict[str, Any]:
    return {"source": product.doc_id, "title": product.name, "product_id": product.id,
            "chunk_id": facts_chunk_id(product)}


def chunk_dict(n: int, chunk: Any, product_name: str | None) -> dict[str, Any]:
    return {
        "n": n,
        "chunk_id": chunk.chunk_id,
        "source": chunk.doc_id,
        "title": chunk.title,
        "heading": chunk.heading,
        "product_id": chunk.product_id,
        "product_name": product_name,
        "text": chunk.text,
    }
