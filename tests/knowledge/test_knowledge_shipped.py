"""The shipped knowledge base against the real embedding model (built once per session)."""
import json

import pytest
from typer.testing import CliRunner

from rm_copilot.cli import app
from rm_copilot.config import PROJECT_ROOT
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.evaluation import evaluate, load_dataset
from rm_copilot.knowledge.products import ProductCatalog

KNOWLEDGE_BASE = PROJECT_ROOT / "knowledge_base"
runner = CliRunner()


@pytest.mark.parametrize("dataset", ["questions.jsonl", "holdout.jsonl"])
def test_every_eval_target_exists_in_the_knowledge_base(dataset):
    docs = load_documents(KNOWLEDGE_BASE)
    known = {d.doc_id for d in docs} | {p.id for p in ProductCatalog.from_documents(docs).all()}
    questions = load_dataset(KNOWLEDGE_BASE / "eval" / dataset)
    missing = sorted({r for q in questions for r in q.relevant} - known)
    assert missing == []


def test_shipped_catalogue_has_every_type_and_valid_risk_levels():
    catalog = ProductCatalog.from_directory(KNOWLEDGE_BASE)
    assert len(catalog) >= 40
    assert {p.type for p in catalog.all()} == {"wealth", "fund", "insurance", "deposit", "loan", "card"}


@pytest.mark.slow
def test_retrieval_meets_the_acceptance_thresholds_on_the_holdout(built_services):
    questions = load_dataset(KNOWLEDGE_BASE / "eval" / "holdout.jsonl")
    result = evaluate(built_services.retriever, questions, k=5, modes=("hybrid", "dense"))
    assert result["dense"]["recall@5"] >= 0.90
    assert result["hybrid"]["recall@1"] >= 0.90


@pytest.mark.slow
def test_hybrid_retrieval_on_the_tuned_set_stays_above_dense_alone(built_services):
    questions = load_dataset(KNOWLEDGE_BASE / "eval" / "questions.jsonl")
    result = evaluate(built_services.retriever, questions, k=5, modes=("hybrid", "dense"))
    assert result["hybrid"]["recall@5"] >= 0.98
    assert result["hybrid"]["recall@1"] > result["dense"]["recall@1"]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "product_id"), [("一年期大额存单能提前支取吗", "DP003"), ("七天持有期的理财业绩基准多少", "WM002")])
def test_a_product_described_by_term_and_kind_comes_first(built_services, question, product_id):
    hits = built_services.retriever.search(question, k=3)
    assert hits[0].chunk.product_id == product_id
    assert "described" in hits[0].ranks


@pytest.mark.slow
@pytest.mark.parametrize("query", ["今天天气怎么样", "我头疼吃什么药", "周末去哪里玩", "给我讲个笑话"])
def test_off_topic_questions_retrieve_nothing(built_services, query):
    assert built_services.retriever.search(query) == []


@pytest.mark.slow
@pytest.mark.parametrize("query", ["你好", "谢谢", "请问", "好的谢谢"])
def test_greetings_retrieve_nothing_from_the_shipped_base(built_services, query):
    assert built_services.retriever.search(query) == []


@pytest.mark.slow
def test_filters_hold_on_the_shipped_base(built_services):
    hits = built_services.retriever.search("适合稳健客户的理财和基金", k=10, product_types=["wealth", "fund"], max_risk="C2")
    assert hits
    for hit in hits:
        assert hit.chunk.metadata.get("type_wealth") or hit.chunk.metadata.get("type_fund")
        assert hit.chunk.metadata["risk_rank"] <= 2


@pytest.mark.slow
def test_eval_retrieval_cli_prints_the_design_json(use_built_services):
    result = runner.invoke(app, ["eval", "retrieval", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"hybrid", "dense", "bm25"}
    assert set(payload["hybrid"]) == {"recall@1", "recall@5", "mrr", "n"}
