from pathlib import Path

from rm_copilot.knowledge.chunker import MAX_CHARS, chunk_document
from rm_copilot.knowledge.documents import load_documents, parse_document


def _docs(kb_dir: Path):
    return {doc.doc_id: doc for doc in load_documents(kb_dir)}


def test_product_chunks_start_with_facts_then_follow_headings(kb_dir: Path):
    chunks = chunk_document(_docs(kb_dir)["products/wealth/WM901"])
    assert [c.chunk_id for c in chunks] == [f"products/wealth/WM901#{n}" for n in range(5)]
    assert [c.heading for c in chunks] == ["产品要素", "产品概要", "申购赎回", "申购赎回 > 到账时间", "费用"]


def test_product_chunk_names_its_product_and_carries_filter_metadata(kb_dir: Path):
    chunk = chunk_document(_docs(kb_dir)["products/fund/FD901"])[2]
    assert chunk.text.startswith("星河测试科技成长混合基金（FD901）｜定投\n")
    assert chunk.product_id == "FD901"
    assert chunk.metadata["product_type"] == "fund"
    assert chunk.metadata["risk_rank"] == 4
    assert chunk.metadata["type_fund"] is True
    assert all(value is not None for value in chunk.metadata.values())


def test_facts_chunk_renders_front_matter(kb_dir: Path):
    facts = chunk_document(_docs(kb_dir)["products/deposit/DP901"])[0].text
    assert "风险等级：R1" in facts and "起购金额：20万元起存" in facts and "利率：年化利率（单利）2.15%" in facts


def test_faq_chunks_carry_title_and_related_product_types(kb_dir: Path):
    (chunk,) = [c for c in chunk_document(_docs(kb_dir)["faq/insurance/cooling-off"])]
    assert chunk.text.startswith("保险的犹豫期是多久？犹豫期内退保有损失吗？｜解答\n")
    assert chunk.product_id is None
    assert chunk.metadata["type_insurance"] is True
    assert chunk.metadata["risk_rank"] == 0


def test_chunk_ids_and_hashes_are_stable_across_runs(kb_dir: Path):
    first = chunk_document(_docs(kb_dir)["policies/suitability"])
    second = chunk_document(_docs(kb_dir)["policies/suitability"])
    assert [(c.chunk_id, c.content_hash) for c in first] == [(c.chunk_id, c.content_hash) for c in second]


def test_editing_one_section_changes_only_that_chunks_hash():
    before = chunk_document(parse_document("## 甲\n第一段。\n## 乙\n第二段。", "faq/x"))
    after = chunk_document(parse_document("## 甲\n第一段。\n## 乙\n第二段已修改。", "faq/x"))
    assert before[0].content_hash == after[0].content_hash
    assert before[1].content_hash != after[1].content_hash


def test_long_section_is_split_under_the_limit_at_sentence_ends():
    body = "## 很长的小节\n" + "这是一句关于赎回规则的说明文字。" * 80
    chunks = chunk_document(parse_document(body, "faq/long"))
    assert len(chunks) > 1
    assert all(len(c.text.split("\n", 1)[1]) <= MAX_CHARS for c in chunks)
    assert all(c.text.split("\n", 1)[1].endswith("。") for c in chunks)
