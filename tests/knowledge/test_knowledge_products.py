from pathlib import Path

import pytest

from rm_copilot.errors import BadInput, NotFound
from rm_copilot.knowledge.products import ProductCatalog


@pytest.fixture
def catalog(kb_dir: Path) -> ProductCatalog:
    return ProductCatalog.from_directory(kb_dir)


def test_catalog_reads_every_product_and_only_products(catalog: ProductCatalog):
    assert sorted(p.id for p in catalog.all()) == ["DP901", "FD901", "WM901"]
    assert catalog.get("wm901").doc_id == "products/wealth/WM901"
    assert catalog.get("DP901").min_amount == 200000


def test_unknown_product_is_not_found(catalog: ProductCatalog):
    with pytest.raises(NotFound, match="XX999"):
        catalog.get("XX999")


def test_by_type(catalog: ProductCatalog):
    assert [p.id for p in catalog.by_type("fund")] == ["FD901"]


@pytest.mark.parametrize(
    "risk_level, age, expected",
    [
        ("C2", 40, {"DP901", "WM901"}),  # R4 fund above a C2 customer
        ("C5", 40, {"DP901", "WM901", "FD901"}),  # aggressive customer sees everything
        ("C5", 70, {"DP901", "WM901"}),  # elderly: never R4/R5
        (None, 40, {"DP901"}),  # never assessed: R1 only
    ],
)
def test_suitable_for(catalog: ProductCatalog, risk_level, age, expected):
    assert {p.id for p in catalog.suitable_for(risk_level, age)} == expected


def test_find_mentions_by_id_full_and_brandless_name(catalog: ProductCatalog):
    text = "客户持有测试大额存单三年期，想换成wm901或者星河测试科技成长混合基金"
    assert [p.id for p in catalog.find_mentions(text)] == ["DP901", "WM901", "FD901"]
    assert catalog.find_mentions("随便聊聊") == []


def test_compliance_refs_carry_brandless_aliases(catalog: ProductCatalog):
    refs = {ref.id: ref for ref in catalog.compliance_refs()}
    assert refs["WM901"].risk_level == "R2"
    assert refs["WM901"].type == "wealth"
    assert "测试稳健90天持有期理财" in refs["WM901"].aliases


def test_bad_risk_level_names_the_file(kb_dir: Path):
    path = kb_dir / "products" / "fund" / "FD901.md"
    path.write_text(path.read_text(encoding="utf-8").replace("risk_level: R4", "risk_level: high"), encoding="utf-8")
    with pytest.raises(BadInput, match="products/fund/FD901.*risk_level"):
        ProductCatalog.from_directory(kb_dir)
