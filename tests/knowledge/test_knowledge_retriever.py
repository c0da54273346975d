from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain_core.documents import Document

from rm_copilot.errors import BadInput
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.retriever import Filters, reciprocal_rank_fusion


def _top_doc(retriever, query, **kwargs):
    hits = retriever.search(query, k=3, **kwargs)
    assert hits, f"no hits for {query!r}"
    return hits[0].chunk.doc_id


@pytest.mark.parametrize(
    "query, expected_doc",
    [
        ("大存能提前取出来吗", "products/deposit/DP901"),  # abbreviation + colloquial synonym
        ("大額存單可以轉讓嗎", "products/deposit/DP901"),  # traditional characters
        ("保险冷静期多少天", "faq/insurance/cooling-off"),  # synonym of 犹豫期
        ("存款保险最多陪多少", "faq/deposit/deposit-insurance"),  # typo 陪 for 赔
        ("WM901的benchmark", "products/wealth/WM901"),  # product id and English
        ("老年客户能买R4产品吗", "policies/suitability"),
        ("科技成长混合基金能不能定投", "products/fund/FD901"),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_lexical_modes_find_the_right_document(retriever, query, expected_doc, mode):
    assert _top_doc(retriever, query, mode=mode) == expected_doc


@pytest.mark.parametrize("query", ["你好", "谢谢", "请问", "好的，谢谢您", "您好在吗", "   ", "银行"])
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_greetings_and_non_informative_queries_return_nothing(retriever, query, mode):
    assert retriever.search(query, mode=mode) == []


def test_unrelated_question_clears_no_floor(retriever):
    assert retriever.search("今天天气怎么样", mode="bm25") == []


def test_hits_carry_ranks_of_each_list(retriever):
    hit = retriever.search("大额存单提前支取", k=1)[0]
    assert hit.score > 0
    assert {"words", "bigrams", "dense"} <= set(hit.ranks)


def test_product_type_filter_keeps_products_and_tagged_documents_of_that_type(retriever):
    hits = retriever.search("存款保险 大额存单 理财 基金", k=20, product_types=["deposit"])
    assert hits
    assert {h.chunk.doc_id for h in hits} <= {"products/deposit/DP901", "faq/deposit/deposit-insurance"}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_max_risk_excludes_riskier_products_but_keeps_non_product_documents(retriever, mode):
    hits = retriever.search("基金定投 风险测评 适当性", k=20, mode=mode, max_risk="C3")
    assert hits
    assert all(h.chunk.product_id != "FD901" for h in hits)


def test_product_ids_filter(retriever):
    hits = retriever.search("提前支取 赎回 到账", k=20, product_ids=["wm901"])
    assert hits and {h.chunk.product_id for h in hits} == {"WM901"}


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "semantic"}, {"product_types": ["stocks"]}, {"max_risk": "high"}],
)
def test_bad_search_arguments_are_bad_input(retriever, kwargs):
    with pytest.raises(BadInput):
        retriever.search("大额存单", **kwargs)


def test_filters_where_clause_matches_python_predicate():
    filters = Filters.build(product_types=["fund", "wealth"], max_risk="R3")
    assert filters.where() == {"$and": [{"$or": [{"type_fund": True}, {"type_wealth": True}]}, {"risk_rank": {"$lte": 3}}]}
    assert filters.allows({"type_fund": True, "risk_rank": 3})
    assert not filters.allows({"type_fund": True, "risk_rank": 4})
    assert not filters.allows({"type_deposit": True, "risk_rank": 1})


def test_rrf_rewards_agreement_between_lists():
    fused = [item for item, _ in reciprocal_rank_fusion({"a": [1, 2, 3], "b": [3, 2, 9]}, {"a": 1.0, "b": 1.0}, k=10)]
    assert set(fused[:2]) == {2, 3}  # in both lists
    assert fused.index(1) > 1  # first in one list only


def test_retriever_sees_index_changes(retriever, synced_index, kb_dir):
    path = kb_dir / "faq" / "deposit" / "gold.md"
    path.write_text("---\nid: faq/deposit/gold\nkind: faq\ntitle: 积存金怎么买\n---\n积存金按克购买，可定期积存。", encoding="utf-8")
    assert all(h.chunk.doc_id != "faq/deposit/gold" for h in retriever.search("积存金怎么买"))
    synced_index.sync(load_documents(kb_dir))
    assert _top_doc(retriever, "积存金怎么买") == "faq/deposit/gold"


def test_dense_search_sees_index_changes(retriever, synced_index, kb_dir):
    """The vectors' norms and the chunks' positions kept between queries follow the index."""
    retriever.search("积存金怎么买", mode="dense")  # norms and positions of the index before the change
    path = kb_dir / "faq" / "deposit" / "gold.md"
    path.write_text("---\nid: faq/deposit/gold\nkind: faq\ntitle: 积存金怎么买\n---\n积存金按克购买，可定期积存。", encoding="utf-8")
    synced_index.sync(load_documents(kb_dir))
    hits = retriever.search("积存金怎么买", mode="dense", k=3)
    assert hits[0].chunk.doc_id == "faq/deposit/gold" and hits[0].ranks == {"dense": 1}


def test_concurrent_searches_agree_with_sequential_ones(retriever):
    queries = ["大存提前支取", "犹豫期", "定投", "存款保险赔多少", "老年客户双录"] * 4
    expected = [[h.chunk.chunk_id for h in retriever.search(q)] for q in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda q: [h.chunk.chunk_id for h in retriever.search(q)], queries))
    assert results == expected


def test_langchain_adapter_returns_documents_with_chunk_metadata(retriever):
    docs = retriever.as_langchain(k=2, product_types=["deposit"]).invoke("大额存单转让")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["chunk_id"].startswith("products/deposit/DP901#")
    assert "score" in docs[0].metadata
