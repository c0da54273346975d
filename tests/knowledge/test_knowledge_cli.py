import json

from typer.testing import CliRunner

from rm_copilot.cli import app

runner = CliRunner()


def test_products_list_json_filters_by_type():
    result = runner.invoke(app, ["products", "list", "--type", "loan", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(set(row) == {"id", "name", "type", "risk_level"} for row in rows)
    assert {row["type"] for row in rows} == {"loan"}


def test_products_list_unknown_type_exits_2():
    result = runner.invoke(app, ["products", "list", "--type", "stocks"])
    assert result.exit_code == 2
    assert "未知的产品类型" in result.stderr


def test_products_show_prints_the_product():
    result = runner.invoke(app, ["products", "show", "wm003"])
    assert result.exit_code == 0, result.output
    assert "WM003" in result.stdout and "业绩比较基准" in result.stdout


def test_products_show_unknown_id_exits_2_with_message():
    result = runner.invoke(app, ["products", "show", "XX999"])
    assert result.exit_code == 2
    assert "没有找到产品 XX999" in result.stderr


def test_eval_retrieval_with_missing_dataset_exits_2(tmp_path):
    result = runner.invoke(app, ["eval", "retrieval", "--dataset", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert "评测集文件不存在" in result.stderr
