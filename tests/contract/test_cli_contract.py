"""DESIGN.md §4 (the `rm-copilot` CLI), checked against the contract text alone.

Every command, flag and exit code of the §4 table and the paragraphs below it is driven through
the real Typer app (CliRunner), and a few through a real `python -c "...main()"` subprocess so the
console entry path is covered too. Ids used here are discovered through the CLI itself
(`customers list --json`, `products list --json`, `advisors list --json`), never hard-coded.

Commands that only read use the session-built home (`use_built_services`); commands that write
(`customers import|generate`, `advisors token|bind-wecom`, `index --rebuild`) run on this test's
own fresh home so they never disturb the shared one (a new token invalidates the previous one).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from rm_copilot.cli import app

pytestmark = pytest.mark.slow

SCENARIOS = ["product", "maturity", "birthday", "event", "care"]
CHANNELS = ["tablet", "wecom", "sms"]
PRODUCT_TYPES = ["wealth", "fund", "insurance", "deposit", "loan", "card"]
CHECK_FIELDS = {"verdict", "text", "findings", "rulebook_version"}
FINDING_FIELDS = {"rule_id", "category", "severity", "start", "end", "matched", "message", "suggestion"}
CAMPAIGN_FIELDS = {"customer_id", "product_id", "variant", "channel", "text", "verdict", "findings",
                   "skipped_reason"}
CUSTOMER_FIELDS = {"id", "advisor_id", "name", "age", "risk_level", "tier", "tags", "events"}

# Digits glued to letters, dots or other digits are not PII (uuids, 0.6666666666666666, timestamps).
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\dA-Za-z.])", r"(?![\dA-Za-z.])"
UNMASKED_PII = {
    "mobile": re.compile(_EDGE_BEFORE + r"1[3-9]\d{9}" + _EDGE_AFTER),
    "id number": re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER),
    "card number": re.compile(_EDGE_BEFORE + r"\d{4}(?:[ -]?\d{4}){2}[ -]?\d{4,7}" + _EDGE_AFTER),
}

PASSING_TEXT = "这款理财产品期限一年，欢迎到网点了解。"
VIOLATING_TEXT = "您好，本产品保本保息，稳赚不赔。"
PII_ONLY_TEXT = "客户电话13812345678，请回电。"

# A synthetic person whose numbers carry valid check digits (GB 11643, Luhn) and the §1 mask shapes.
PERSON = {
    "full_name": "张伟",
    "id_number": "110101199003074573",
    "phone": "13812345678",
    "card_number": "6222000000060128",
    "birth_date": "1990-03-07",
}
MASKED = {"name": "张*", "id_number": "110***********4573", "phone": "138****5678",
          "card_number": "6222 **** **** 0128"}

runner = CliRunner()


def cli(*args: str, input: str | bytes | None = None) -> Result:
    """Run the CLI in-process; no output may hold a traceback or unmasked PII."""
    result = runner.invoke(app, list(args), input=input, env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"`rm-copilot {' '.join(args)}` raised {result.exception!r}"
    )
    assert "Traceback" not in result.output
    assert_no_unmasked_pii(result.output)
    return result


def console(home: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """Run the real console entry point in a subprocess on `home`."""
    env = {**os.environ, "RM_COPILOT_HOME": str(home), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    process = subprocess.run(
        [sys.executable, "-c", "from rm_copilot.cli import main; main()", *args],
        input=stdin, capture_output=True, env=env, timeout=300, check=False,
    )
    output = process.stdout.decode("utf-8") + process.stderr.decode("utf-8")
    assert "Traceback" not in output
    assert_no_unmasked_pii(output)
    return process


def assert_no_unmasked_pii(text: str) -> None:
    for kind, pattern in UNMASKED_PII.items():
        found = pattern.search(text)
        assert found is None, f"unmasked {kind} {found.group()!r} in output"


def json_out(result: Result, code: int = 0):
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def jsonl_out(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_check_object(obj: dict, original: str) -> None:
    """The `check --json` object: exact fields, offsets into the original text, verdict consistent."""
    assert set(obj) == CHECK_FIELDS
    assert obj["verdict"] in {"pass", "rewrite", "block"}
    assert isinstance(obj["text"], str) and isinstance(obj["rulebook_version"], str) and obj["rulebook_version"]
    for finding in obj["findings"]:
        assert FINDING_FIELDS <= set(finding)
        assert finding["severity"] in {"block", "rewrite", "warn"}
        assert 0 <= finding["start"] <= finding["end"] <= len(original)
        if finding["category"] != "pii":
            assert original[finding["start"]:finding["end"]] == finding["matched"]
    severities = {finding["severity"] for finding in obj["findings"]}
    expected = "block" if "block" in severities else "rewrite" if "rewrite" in severities else "pass"
    assert obj["verdict"] == expected, "warn findings alone leave the verdict pass"


def assert_compliance(compliance: dict) -> None:
    assert compliance["verdict"] in {"pass", "rewrite", "block"}
    assert isinstance(compliance["findings"], list)


def assert_citations(citations: list) -> None:
    assert isinstance(citations, list)
    for citation in citations:
        assert {"source", "title", "chunk_id"} <= set(citation)
        assert citation["chunk_id"] and citation["title"]


# --- discovery through the CLI ------------------------------------------------------------------

@pytest.fixture
def customers(use_built_services) -> list[dict]:
    rows = json_out(cli("customers", "list", "--json"))
    assert rows, "the built home holds the demo customers"
    return rows


@pytest.fixture
def products(use_built_services) -> list[dict]:
    return json_out(cli("products", "list", "--json"))


@pytest.fixture
def customer(customers) -> dict:
    """An assessed customer under 65 with a maturity and a birthday event, when the data has one."""
    adults = [c for c in customers if c["risk_level"] in {"C3", "C4", "C5"} and c["age"] < 65]
    kinds = lambda c: {e["kind"] for e in c["events"]}  # noqa: E731
    with_events = [c for c in adults if {"maturity", "birthday"} <= kinds(c)]
    return (with_events or adults)[0]


@pytest.fixture
def r1_deposit(products) -> dict:
    return next(p for p in products if p["type"] == "deposit" and p["risk_level"] == "R1")


# --- index ----------------------------------------------------------------------------------------

def test_index_on_a_built_home_exits_0(use_built_services):
    assert cli("index").exit_code == 0


def test_index_rebuild_exits_0_and_leaves_a_usable_index(isolated_home, tmp_path, monkeypatch):
    # A trimmed copy of knowledge_base/ keeps the full re-embedding small.
    from rm_copilot.config import PROJECT_ROOT, get_settings

    kb = tmp_path / "kb"
    shutil.copytree(PROJECT_ROOT / "knowledge_base", kb, ignore=shutil.ignore_patterns("faq", "policies"))
    for document in sorted((kb / "products").rglob("*.md"))[2:]:
        document.unlink()
    monkeypatch.setenv("RM_COPILOT_KNOWLEDGE_BASE", str(kb))
    get_settings.cache_clear()

    assert cli("index").exit_code == 0
    assert cli("index", "--rebuild").exit_code == 0
    product = json_out(cli("products", "list", "--json"))[0]
    answer = json_out(cli("ask", f"{product['name']}的风险等级是多少？", "--json"))
    assert_citations(answer["citations"])
    assert answer["citations"], "after --rebuild the index still answers with citations"


# --- ask / script ---------------------------------------------------------------------------------

def assert_chat_object(answer: dict) -> None:
    assert {"session_id", "answer", "citations", "compliance"} <= set(answer)
    assert isinstance(answer["session_id"], str) and answer["session_id"]
    assert isinstance(answer["answer"], str) and answer["answer"].strip()
    assert_citations(answer["citations"])
    assert_compliance(answer["compliance"])


def test_ask_json_prints_the_chat_object_with_citations(use_built_services):
    answer = json_out(cli("ask", "大额存单可以提前支取吗？", "--json"))
    assert_chat_object(answer)
    assert answer["citations"]


def test_ask_about_a_customer_answers_with_the_chat_object(customer):
    answer = json_out(cli("ask", "这位客户适合什么存款产品？", "--customer", customer["id"], "--json"))
    assert_chat_object(answer)


def test_ask_without_json_exits_0(use_built_services):
    result = cli("ask", "大额存单起购金额是多少？")
    assert result.exit_code == 0 and result.stdout.strip()


def assert_scripts_object(answer: dict) -> list[dict]:
    assert set(answer) >= {"scripts"} and answer["scripts"]
    for item in answer["scripts"]:
        assert {"text", "product_id", "scenario", "reasons", "citations", "compliance"} <= set(item)
        assert isinstance(item["text"], str) and item["text"].strip()
        assert isinstance(item["reasons"], list)
        assert_citations(item["citations"])
        assert_compliance(item["compliance"])
    return answer["scripts"]


def test_script_for_a_customer_alone_prints_the_scripts_object(customer):
    assert_scripts_object(json_out(cli("script", "--customer", customer["id"], "--json")))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_script_accepts_every_scenario(scenario, customer, r1_deposit):
    scripts = assert_scripts_object(json_out(cli(
        "script", "--customer", customer["id"], "--product", r1_deposit["id"], "--scenario", scenario, "--json",
    )))
    assert {item["scenario"] for item in scripts} == {scenario}
    assert {item["product_id"] for item in scripts} == {r1_deposit["id"]}


@pytest.mark.parametrize("channel", CHANNELS)
def test_script_accepts_every_channel(channel, customer, r1_deposit):
    assert_scripts_object(json_out(cli(
        "script", "--customer", customer["id"], "--product", r1_deposit["id"], "--channel", channel, "--json",
    )))


def test_script_without_json_exits_0(customer):
    result = cli("script", "--customer", customer["id"])
    assert result.exit_code == 0 and result.stdout.strip()


# --- check ------------------------------------------------------------------------------------------

def test_check_passing_text_exits_0_with_the_documented_object(use_built_services):
    obj = json_out(cli("check", PASSING_TEXT, "--json"), code=0)
    assert_check_object(obj, PASSING_TEXT)
    assert obj["verdict"] == "pass"


def test_check_violating_text_exits_1_with_offsets_into_the_original(use_built_services):
    obj = json_out(cli("check", VIOLATING_TEXT, "--json"), code=1)
    assert_check_object(obj, VIOLATING_TEXT)
    assert obj["verdict"] == "block"
    guarantee = [f for f in obj["findings"] if f["category"] == "guarantee"]
    assert guarantee and all(VIOLATING_TEXT[f["start"]:f["end"]] == f["matched"] for f in guarantee)


def test_check_finding_objects_carry_the_documented_fields_plus_their_legal_basis(use_built_services):
    # DESIGN.md allows additions ("add to the contract freely, but do not rename"): each finding
    # also names the regulation it comes from (`basis`) and the pattern that hit (`pattern`).
    obj = json_out(cli("check", VIOLATING_TEXT, "--json"), code=1)
    assert obj["findings"]
    for finding in obj["findings"]:
        assert FINDING_FIELDS | {"basis", "pattern"} <= set(finding)
        # Explanations only beyond that: which evasion was read, the meaning layer's score and example.
        assert set(finding) - FINDING_FIELDS - {"basis", "pattern"} <= {"evasion", "score", "explanation"}
        assert finding["basis"].startswith("《")


@pytest.mark.parametrize("text", ["您好，本產品保 本 保 息。", "您好，本产品ＶＩＰ专享，保-本-保-息，稳赚不赔！"])
def test_check_offsets_point_into_the_original_even_when_disguised(text, use_built_services):
    obj = json_out(cli("check", text, "--json"), code=1)
    assert_check_object(obj, text)
    (principal,) = [f for f in obj["findings"] if f["rule_id"] == "guarantee.principal"]
    assert re.sub(r"[\s\-]", "", text[principal["start"]:principal["end"]]) == "保本保息"


def test_check_text_needing_only_masking_is_rewritten_with_masked_text(use_built_services):
    obj = json_out(cli("check", PII_ONLY_TEXT, "--json"), code=1)
    assert_check_object(obj, PII_ONLY_TEXT)
    assert obj["verdict"] == "rewrite"
    assert MASKED["phone"] in obj["text"]
    (finding,) = [f for f in obj["findings"] if f["category"] == "pii"]
    assert PII_ONLY_TEXT[finding["start"]:finding["end"]] == PERSON["phone"]


def test_check_applies_disclosures_only_with_a_product_type(use_built_services):
    plain = json_out(cli("check", PASSING_TEXT, "--json"), code=0)
    typed = json_out(cli("check", PASSING_TEXT, "--product-type", "wealth", "--json"), code=1)
    assert plain["verdict"] == "pass"
    assert "disclosure" in {f["category"] for f in typed["findings"]}
    assert_check_object(typed, PASSING_TEXT)


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_check_accepts_every_product_type(product_type, use_built_services):
    result = cli("check", PASSING_TEXT, "--product-type", product_type, "--json")
    assert result.exit_code in {0, 1}
    assert_check_object(json.loads(result.stdout), PASSING_TEXT)


@pytest.mark.parametrize("channel", CHANNELS)
def test_check_accepts_every_channel(channel, use_built_services):
    result = cli("check", VIOLATING_TEXT, "--channel", channel, "--json")
    assert result.exit_code == 1
    assert_check_object(json.loads(result.stdout), VIOLATING_TEXT)


def test_check_for_a_customer_exits_0_or_1_with_the_object(customer):
    result = cli("check", PASSING_TEXT, "--customer", customer["id"], "--json")
    assert result.exit_code in {0, 1}
    assert_check_object(json.loads(result.stdout), PASSING_TEXT)


def test_check_reads_stdin_for_dash(use_built_services):
    obj = json_out(cli("check", "-", "--json", input=VIOLATING_TEXT.encode()), code=1)
    assert_check_object(obj, VIOLATING_TEXT)


def test_check_without_json_uses_the_same_exit_codes(use_built_services):
    assert cli("check", PASSING_TEXT).exit_code == 0
    assert cli("check", VIOLATING_TEXT).exit_code == 1


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["check", ""], None),
        (["check", "-"], b"\xff\xfe\xfa\xc3("),
        (["check", PASSING_TEXT, "--product-type", "stocks"], None),
    ],
    ids=["empty-text", "non-utf8-stdin", "unknown-product-type"],
)
def test_check_bad_input_exits_2(args, stdin, use_built_services):
    assert cli(*args, input=stdin).exit_code == 2


# --- check --file -----------------------------------------------------------------------------------

def test_check_file_json_prints_one_object_per_non_empty_line_in_order(use_built_services, tmp_path):
    lines = [PASSING_TEXT, VIOLATING_TEXT, PII_ONLY_TEXT]
    source = tmp_path / "scripts.txt"
    source.write_text(f"{lines[0]}\n\n   \n{lines[1]}\n{lines[2]}\n", encoding="utf-8")
    result = cli("check", "--file", str(source), "--json")
    assert result.exit_code == 1
    objects = jsonl_out(result.stdout)
    assert len(objects) == len(lines)
    for obj, line in zip(objects, lines, strict=True):
        assert_check_object(obj, line)
        assert obj == json.loads(cli("check", line, "--json").stdout)


def test_check_file_of_passing_lines_exits_0(use_built_services, tmp_path):
    source = tmp_path / "ok.txt"
    source.write_text(f"{PASSING_TEXT}\n您好，欢迎到网点咨询。\n", encoding="utf-8")
    result = cli("check", "--file", str(source), "--json")
    assert result.exit_code == 0
    assert [obj["verdict"] for obj in jsonl_out(result.stdout)] == ["pass", "pass"]
    assert cli("check", "--file", str(source)).exit_code == 0


def test_check_file_dash_reads_stdin(use_built_services):
    result = cli("check", "--file", "-", "--json", input=f"{VIOLATING_TEXT}\n{PASSING_TEXT}\n".encode())
    assert result.exit_code == 1
    assert [obj["verdict"] for obj in jsonl_out(result.stdout)] == ["block", "pass"]


def test_check_file_bad_input_exits_2(use_built_services, tmp_path):
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("保本".encode("gb18030") + b"\xff\n")
    assert cli("check", "--file", str(tmp_path / "missing.txt")).exit_code == 2
    assert cli("check", "--file", str(binary)).exit_code == 2
    assert cli("check", "--file", "-", input=b"\xff\xfe\n").exit_code == 2


# --- check through the console entry point (real process, real pipes) -------------------------------

def test_console_check_exit_codes_0_1_2(isolated_home):
    assert console(isolated_home, "check", PASSING_TEXT).returncode == 0
    blocked = console(isolated_home, "check", VIOLATING_TEXT, "--json")
    assert blocked.returncode == 1
    assert_check_object(json.loads(blocked.stdout), VIOLATING_TEXT)
    assert console(isolated_home, "check", "-", stdin=b"\xff\xfe\xfa").returncode == 2
    assert console(isolated_home, "check", PASSING_TEXT, "--product-type", "stocks").returncode == 2


def test_console_check_file_stdin_jsonl(isolated_home):
    process = console(isolated_home, "check", "--file", "-", "--json",
                      stdin=f"{PASSING_TEXT}\n\n{PII_ONLY_TEXT}\n".encode())
    assert process.returncode == 1
    objects = jsonl_out(process.stdout.decode("utf-8"))
    assert [obj["verdict"] for obj in objects] == ["pass", "rewrite"]
    assert MASKED["phone"] in objects[1]["text"]


# --- campaign -------------------------------------------------------------------------------------

def campaign_rows(out: Path) -> list[dict]:
    text = out.read_text(encoding="utf-8")
    assert_no_unmasked_pii(text)
    assert text.endswith("\n"), "no torn last line"
    return jsonl_out(text)


def assert_campaign_rows(rows: list[dict], product_id: str, channel: str, variants: int) -> None:
    for row in rows:
        assert set(row) == CAMPAIGN_FIELDS
        assert row["product_id"] == product_id and row["channel"] == channel
        assert (row["skipped_reason"] is None) == (row["text"] is not None), row
        if row["text"] is not None:
            assert row["verdict"] in {"pass", "rewrite", "review"}, "blocked copy never reaches a campaign file"
            # A warning holds the row for an advisor's review: it is never marked sendable.
            assert (row["verdict"] == "review") == any(f["severity"] == "warn" for f in row["findings"])
        assert isinstance(row["findings"], list)
    per_key = Counter((row["customer_id"], row["variant"]) for row in rows)
    assert set(per_key.values()) == {1}, "exactly one line per (customer, variant)"
    per_customer = Counter(row["customer_id"] for row in rows)
    assert set(per_customer.values()) == {variants}


def summary_beside(out: Path) -> Path:
    candidates = [p for p in out.parent.iterdir() if p != out and "summary" in p.name]
    assert candidates, f"a summary is written beside {out.name}"
    return candidates[0]


def test_campaign_segment_all_writes_the_section_7_lines_and_a_summary(use_built_services, r1_deposit, tmp_path):
    out = tmp_path / "run" / "deposit.jsonl"
    out.parent.mkdir()
    result = cli("campaign", "--product", r1_deposit["id"], "--segment", "all", "--out", str(out), "--limit", "5")
    assert result.exit_code == 0
    rows = campaign_rows(out)
    assert len(rows) == 5
    assert_campaign_rows(rows, r1_deposit["id"], channel=rows[0]["channel"], variants=1)
    assert rows[0]["channel"] in CHANNELS
    assert result.stdout.strip(), "a summary is printed at the end"
    summary = summary_beside(out).read_text(encoding="utf-8")
    assert_no_unmasked_pii(summary)
    for reason in {row["skipped_reason"] for row in rows} - {None}:
        assert reason in summary, "the summary counts skip reasons"
    for verdict in {row["verdict"] for row in rows if row["text"] is not None}:
        assert verdict in summary, "the summary counts verdicts"


def test_campaign_segment_all_selects_every_customer(customers, r1_deposit, tmp_path):
    out = tmp_path / "all.jsonl"
    result = cli("campaign", "--product", r1_deposit["id"], "--segment", "all", "--out", str(out))
    assert result.exit_code == 0
    rows = campaign_rows(out)
    assert_campaign_rows(rows, r1_deposit["id"], channel=rows[0]["channel"], variants=1)
    assert sorted(row["customer_id"] for row in rows) == sorted(c["id"] for c in customers)


def test_campaign_resume_after_an_interruption_ends_with_one_line_per_customer_and_variant(
    use_built_services, r1_deposit, tmp_path
):
    out = tmp_path / "ab.jsonl"
    args = ["campaign", "--product", r1_deposit["id"], "--segment", "all", "--out", str(out), "--limit", "5",
            "--variants", "2", "--workers", "2", "--channel", "sms", "--shard", "1/2"]
    assert cli(*args).exit_code == 0
    complete = campaign_rows(out)
    assert_campaign_rows(complete, r1_deposit["id"], channel="sms", variants=2)
    assert len(complete) == 10

    # What a kill mid-write leaves: the first rows, then a torn one.
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:3]) + lines[3][: len(lines[3]) // 2], encoding="utf-8")
    assert cli(*args, "--resume").exit_code == 0
    resumed = campaign_rows(out)
    assert_campaign_rows(resumed, r1_deposit["id"], channel="sms", variants=2)
    assert sorted((r["customer_id"], r["variant"]) for r in resumed) == sorted(
        (r["customer_id"], r["variant"]) for r in complete)


@pytest.mark.parametrize("channel", CHANNELS)
def test_campaign_accepts_every_channel(channel, customers, r1_deposit, tmp_path):
    chosen = [c["id"] for c in customers[:2]]
    listing = tmp_path / "customers.txt"
    listing.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    out = tmp_path / f"{channel}.jsonl"
    result = cli("campaign", "--product", r1_deposit["id"], "--customers", str(listing), "--out", str(out),
                 "--channel", channel)
    assert result.exit_code == 0
    rows = campaign_rows(out)
    assert_campaign_rows(rows, r1_deposit["id"], channel=channel, variants=1)
    assert sorted(r["customer_id"] for r in rows) == sorted(chosen)


# --- customers ------------------------------------------------------------------------------------

def test_customers_list_json_is_an_array_of_masked_customers(customers):
    for row in customers:
        assert CUSTOMER_FIELDS <= set(row)
        assert re.fullmatch(r".\*+", row["name"]) or re.fullmatch(r"..\*+", row["name"]), row["name"]
        assert row["risk_level"] in {None, "C1", "C2", "C3", "C4", "C5"}


def test_customers_list_for_an_advisor_holds_only_their_customers(use_built_services):
    advisors = json_out(cli("advisors", "list", "--json"))
    advisor_id = advisors[0]["id"]
    rows = json_out(cli("customers", "list", "--advisor", advisor_id, "--json"))
    assert rows and {row["advisor_id"] for row in rows} == {advisor_id}


def test_customers_list_and_show_without_json_exit_0(customer):
    assert cli("customers", "list").exit_code == 0
    result = cli("customers", "show", customer["id"])
    assert result.exit_code == 0 and customer["id"] in result.stdout


def test_customers_show_unknown_id_exits_2(use_built_services):
    assert cli("customers", "show", "NO-SUCH-CUSTOMER").exit_code == 2


def _import_row(advisor_id: str, customer_id: str) -> dict:
    return {
        "id": customer_id, "advisor_id": advisor_id, "gender": "男", "city": "北京", "occupation": "工程师",
        "tier": "财富", "risk_level": "C3", "marketing_consent": "是", **PERSON,
    }


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_customers_import_then_show_and_list_are_masked(suffix, isolated_home, tmp_path):
    advisor_id = json_out(cli("advisors", "list", "--json"))[0]["id"]
    row = _import_row(advisor_id, "T-IMPORT-1")
    source = tmp_path / f"customers.{suffix}"
    if suffix == "csv":
        source.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    else:
        source.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")

    assert cli("customers", "import", str(source)).exit_code == 0

    shown = cli("customers", "show", "T-IMPORT-1")
    assert shown.exit_code == 0
    for masked in (MASKED["name"], MASKED["id_number"], MASKED["phone"], MASKED["card_number"]):
        assert masked in shown.stdout
    assert PERSON["full_name"] not in shown.stdout
    listed = json_out(cli("customers", "list", "--advisor", advisor_id, "--json"))
    (imported,) = [c for c in listed if c["id"] == "T-IMPORT-1"]
    assert imported["name"] == MASKED["name"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad-check-digit.jsonl", None),
        ("broken.jsonl", "{not json\n"),
        ("missing.csv", ""),
    ],
)
def test_customers_import_bad_file_exits_2(name, content, isolated_home, tmp_path):
    advisor_id = json_out(cli("advisors", "list", "--json"))[0]["id"]
    source = tmp_path / name
    if name.startswith("bad-check-digit"):
        row = _import_row(advisor_id, "T-BAD-1") | {"id_number": PERSON["id_number"][:-1] + "0"}
        source.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    elif name != "missing.csv":
        source.write_text(content, encoding="utf-8")
    assert cli("customers", "import", str(source)).exit_code == 2


def test_customers_generate_adds_count_customers(isolated_home):
    before = len(json_out(cli("customers", "list", "--json")))
    assert cli("customers", "generate", "--count", "3", "--seed", "7").exit_code == 0
    assert len(json_out(cli("customers", "list", "--json"))) == before + 3


# --- advisors -------------------------------------------------------------------------------------

def test_advisors_list_json(use_built_services):
    advisors = json_out(cli("advisors", "list", "--json"))
    assert advisors
    for advisor in advisors:
        assert {"id", "name", "wecom_userid"} <= set(advisor)
    assert cli("advisors", "list").exit_code == 0


def test_advisors_token_prints_a_token_that_authenticates(isolated_home):
    from rm_copilot.services import get_services

    advisor_id = json_out(cli("advisors", "list", "--json"))[-1]["id"]
    result = cli("advisors", "token", advisor_id)
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token and "\n" not in token
    advisor = get_services().customers.advisor_for_token(token)
    assert advisor is not None and advisor.id == advisor_id


def test_advisors_bind_wecom_maps_the_user_id(isolated_home):
    advisor_id = json_out(cli("advisors", "list", "--json"))[0]["id"]
    assert cli("advisors", "bind-wecom", advisor_id, "audit_wecom_user").exit_code == 0
    advisors = {a["id"]: a for a in json_out(cli("advisors", "list", "--json"))}
    assert advisors[advisor_id]["wecom_userid"] == "audit_wecom_user"


# --- products -------------------------------------------------------------------------------------

def test_products_list_json_has_id_name_type_and_r_level(products):
    assert products
    for product in products:
        assert {"id", "name", "type", "risk_level"} <= set(product)
        assert product["type"] in PRODUCT_TYPES
        assert re.fullmatch(r"R[1-5]", product["risk_level"])


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_products_list_filters_by_every_type(product_type, use_built_services):
    rows = json_out(cli("products", "list", "--type", product_type, "--json"))
    assert rows and {row["type"] for row in rows} == {product_type}


def test_products_list_and_show_without_json_exit_0(products):
    assert cli("products", "list").exit_code == 0
    result = cli("products", "show", products[0]["id"])
    assert result.exit_code == 0 and products[0]["name"] in result.stdout


# --- eval retrieval -----------------------------------------------------------------------------------

@pytest.fixture
def small_dataset(tmp_path, products) -> Path:
    """Three questions: two named by document id (path under knowledge_base/), one by product id."""
    product = products[0]
    questions = [
        {"question": "存款保险的最高偿付限额是多少？", "relevant": ["policies/deposit-insurance"]},
        {"question": "双录是什么，哪些情况要双录？", "relevant": ["policies/dual-recording"]},
        {"question": f"{product['name']}有什么特点？", "relevant": [product["id"]]},
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


@pytest.mark.parametrize(("k_args", "k"), [(["--k", "5"], 5), ([], 5), (["--k", "3"], 3)],
                         ids=["k5", "default-k", "k3"])
def test_eval_retrieval_json_reports_every_mode(k_args, k, use_built_services, small_dataset):
    report = json_out(cli("eval", "retrieval", "--dataset", str(small_dataset), *k_args, "--json"))
    assert set(report) >= {"hybrid", "dense", "bm25"}
    for mode in ("hybrid", "dense", "bm25"):
        metrics = report[mode]
        assert {"recall@1", f"recall@{k}", "mrr", "n"} <= set(metrics)
        assert metrics["n"] == 3
        assert 0 <= metrics["recall@1"] <= metrics[f"recall@{k}"] <= 1
        assert 0 <= metrics["mrr"] <= 1
    # Document ids (paths under knowledge_base/) and product ids are recognised as hits at all.
    assert report["hybrid"][f"recall@{k}"] > 0


def test_eval_retrieval_without_json_exits_0(use_built_services, small_dataset):
    assert cli("eval", "retrieval", "--dataset", str(small_dataset), "--k", "5").exit_code == 0
