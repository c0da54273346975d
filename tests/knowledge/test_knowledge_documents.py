from pathlib import Path

import pytest

from rm_copilot.errors import BadInput
from rm_copilot.knowledge.documents import load_documents, parse_document, split_front_matter


def test_doc_ids_are_paths_without_extension_and_rulebook_and_eval_are_skipped(kb_dir: Path):
    ids = {doc.doc_id for doc in load_documents(kb_dir)}
    assert ids == {
        "products/wealth/WM901", "products/deposit/DP901", "products/fund/FD901",
        "faq/deposit/deposit-insurance", "faq/insurance/cooling-off", "policies/suitability",
    }


def test_front_matter_is_parsed_and_kind_title_taken_from_it(kb_dir: Path):
    docs = {doc.doc_id: doc for doc in load_documents(kb_dir)}
    faq = docs["faq/insurance/cooling-off"]
    assert faq.kind == "faq"
    assert faq.title.startswith("保险的犹豫期")
    assert faq.meta["product_types"] == ["insurance"]
    product = docs["products/wealth/WM901"]
    assert (product.kind, product.product_id, product.title) == ("product", "WM901", "星河测试稳健90天持有期理财")
    assert not product.body.startswith("---")


@pytest.mark.parametrize(
    "text, meta, body",
    [
        ("---\ntitle: 甲\n---\n正文", {"title": "甲"}, "正文"),  # ordinary front matter
        ("\ufeff---\ntitle: 甲\n---\n正文", {"title": "甲"}, "正文"),  # BOM before the fence
        ("# 只有正文", {}, "# 只有正文"),  # no front matter at all
    ],
)
def test_split_front_matter(text, meta, body):
    assert split_front_matter(text) == (meta, body)


def test_document_without_front_matter_takes_title_from_first_heading():
    doc = parse_document("# 双录要求\n正文", "policies/dual-recording")
    assert (doc.kind, doc.title) == ("policy", "双录要求")


def test_unclosed_front_matter_is_a_clear_error(kb_dir: Path):
    (kb_dir / "faq" / "deposit" / "broken.md").write_text("---\ntitle: 坏文件\n正文", encoding="utf-8")
    with pytest.raises(BadInput, match="faq/deposit/broken.md"):
        load_documents(kb_dir)
