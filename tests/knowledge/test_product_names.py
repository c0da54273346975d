"""One product-name matcher: the names every layer recognises a product by, built from the catalogue."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pytest

from rm_copilot.assistant.mentions import ProductMatcher, fold
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.compliance.models import CustomerContext
from rm_copilot.config import PROJECT_ROOT
from rm_copilot.knowledge.product_names import ProductNames
from rm_copilot.knowledge.products import ProductCatalog

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"


@dataclass(frozen=True)
class Named:
    id: str
    name: str
    aliases: tuple[str, ...] = field(default=())


NAMES = ProductNames([
    Named("WM012", "星河私享尊盈固收增强理财（私行专属）", ("尊盈私行理财",)),
    Named("IN004", "星河颐年养老年金保险(分红型)"),
    Named("FD101", "星河成长混合(A类)"),  # A and C share "成长混合": that name names neither
    Named("FD102", "星河成长混合(C类)"),
    Named("DP005", "星河智汇结构性存款（挂钩黄金）91天", ("金存", "黄金结构性存款")),
])


@pytest.mark.parametrize("product_id, expected", [
    # full name, without the brand, without the trailing qualifier, and both; then the aliases
    ("WM012", ("星河私享尊盈固收增强理财（私行专属）", "星河私享尊盈固收增强理财", "私享尊盈固收增强理财（私行专属）",
               "私享尊盈固收增强理财", "尊盈私行理财")),
    ("IN004", ("星河颐年养老年金保险(分红型)", "星河颐年养老年金保险", "颐年养老年金保险(分红型)", "颐年养老年金保险")),
    # a name two products share is dropped; a bracket inside the name is not a trailing qualifier
    ("FD101", ("星河成长混合(A类)", "成长混合(A类)")),
    # aliases shorter than three characters are too loose to name a product
    ("DP005", ("星河智汇结构性存款（挂钩黄金）91天", "智汇结构性存款（挂钩黄金）91天", "黄金结构性存款")),
])
def test_names_of_a_product(product_id, expected):
    assert NAMES.of(product_id) == expected
    assert NAMES.aliases(product_id) == expected[1:]


def test_brandless_names_leave_the_brand_out():
    assert NAMES.of("IN004", branded=False) == ("颐年养老年金保险(分红型)", "颐年养老年金保险")


def test_mentions_are_exact_longest_case_insensitive_and_in_text_order():
    text = "客户问颐年养老年金保险(分红型)和wm012，还有星河成长混合"
    assert NAMES.mentioned(text) == ["IN004", "WM012"]
    (first, _) = NAMES.mentions(text)
    assert (first.name, text[first.start:first.end]) == ("颐年养老年金保险(分红型)", "颐年养老年金保险(分红型)")
    assert NAMES.mentioned("随便聊聊") == [] and ProductNames([]).mentioned("WM012") == []


@lru_cache(maxsize=1)
def _catalog() -> ProductCatalog:
    return ProductCatalog.from_directory(KNOWLEDGE_BASE)


def test_every_layer_gets_the_catalogues_names():
    catalog = _catalog()
    refs = {ref.id: ref for ref in catalog.compliance_refs()}
    matcher = ProductMatcher(catalog)
    for product in catalog:
        assert (refs[product.id].name, *refs[product.id].aliases) == catalog.names.of(product.id)
        assert set(matcher._names[product.id]) <= set(map(fold, catalog.names.of(product.id, branded=False)))


def test_a_name_without_its_qualifier_is_found_by_the_catalogue_the_assistant_and_compliance():
    catalog = _catalog()
    text = "私享尊盈固收增强理财很适合您"
    assert [p.id for p in catalog.find_mentions(text)] == ["WM012"]
    assert [p.id for p in ProductMatcher(catalog).find(text)][:1] == ["WM012"]
    engine = ComplianceEngine.from_directory(KNOWLEDGE_BASE / "compliance", products=catalog.compliance_refs())
    result = engine.check(text, customer=CustomerContext("C00042", full_name="王建国", age=40, risk_level="C2"))
    assert "suitability.above_risk_level" in [f.rule_id for f in result.findings]


def test_the_lexical_index_recognises_the_same_names_in_a_query():
    from rm_copilot.knowledge.chunker import Chunk
    from rm_copilot.knowledge.lexical import LexicalIndex
    from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, Lexicon

    chunks = [Chunk(f"products/x/{pid}#0", f"products/x/{pid}", pid, "product", title, "概览", f"{title}的产品要素。", pid)
              for pid, title in (("WM012", "星河私享尊盈固收增强理财（私行专属）"), ("IN004", "星河颐年养老年金保险(分红型)"))]
    index = LexicalIndex(chunks, Lexicon(DEFAULT_LEXICON_DIR))
    assert index.mentioned_products("私享尊盈固收增强理财的起购金额") == {"WM012"}
    assert index.mentioned_products("颐年养老年金保险和wm012") == {"IN004", "WM012"}
