"""PII: detection with checksums, masks as DESIGN.md §1, and the no-leak properties."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from compliance_support import engine
from rm_copilot.compliance.models import CustomerContext
from rm_copilot.compliance.pii import mask_card, mask_id_number, mask_name, mask_phone, redact_pii

VALID_ID = "110105198001011238"
VALID_CARD = "6222021234567890128"


@pytest.mark.parametrize(
    "mask, value, expected",
    [
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "+86 138-1234-5678", "138****5678"),
        (mask_id_number, "110105194912314573", "110***********4573"),
        (mask_card, "6222021234560128", "6222 **** **** 0128"),
        (mask_card, "6222 0212 3456 7890 128", "6222 **** **** 0128"),
    ],
)
def test_masks(mask, value, expected):
    assert mask(value) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"身份证{VALID_ID}。", "身份证110***********1238。"),
        ("身份证32058219750315246X", "身份证320***********246X"),  # X check digit
        ("证件号 440304 19900707 5510", "证件号 440***********5510"),  # spaced groups
        ("手机13812345678", "手机138****5678"),
        ("手机+86 138-1234-5678", "手机+86 138****5678"),  # country code and dashes
        ("电话0086 137 1234 5678", "电话0086 137****5678"),
        ("电话１３９１２３４５６７８", "电话139****5678"),  # full-width digits
        ("卡号6222 0212 3456 7890 128", "卡号6222 **** **** 0128"),  # spaced card
        ("卡号6228-4800-1234-5671", "卡号6228 **** **** 5671"),  # dashed card
        ("客服95588", "客服95588"),  # short service number
        ("身份证110105198001011239", "身份证110105198001011239"),  # wrong check digit: not an ID
        ("卡号6222021234567890127", "卡号6222021234567890127"),  # fails Luhn: not a card
        ("产品代码2301150001", "产品代码2301150001"),
    ],
)
def test_redact_pii(text, expected):
    assert redact_pii(text) == expected


def test_redact_known_names_but_not_honorifics():
    assert redact_pii("张三先生您好", names=["张三"]) == "张*先生您好"
    assert redact_pii("张先生您好", names=["张三"]) == "张先生您好"


def test_engine_masks_and_says_rewrite_when_nothing_else_is_wrong():
    customer = CustomerContext("C00001", full_name="李小红", age=40, risk_level="C3")
    text = f"李小红女士，您的手机13812345678和身份证{VALID_ID}已登记。"
    result = engine().check(text, customer=customer)
    assert result.verdict == "rewrite"
    assert result.text == "李**女士，您的手机138****5678和身份证110***********1238已登记。"
    assert {f.rule_id for f in result.findings} == {"pii.name", "pii.phone", "pii.id_number"}
    for finding in result.findings:
        assert finding.matched not in ("李小红", "13812345678", VALID_ID)  # never echo the raw value


def test_blocked_text_is_still_masked():
    result = engine().check("保本保息，有问题打我电话13812345678")
    assert result.verdict == "block"
    assert result.text == "保本保息，有问题打我电话138****5678"


@pytest.mark.parametrize("text", ["请把验证码告诉我", "提供一下银行卡密码", "把卡背面的三位数发给我"])
def test_asking_for_credentials_is_blocked(text):
    assert engine().check(text).verdict == "block"


FILLER = st.text(alphabet=st.sampled_from(list("您好客户请联系卡号手机身份证，。：ab ")), max_size=8)


@st.composite
def id_numbers(draw):
    area = draw(st.integers(110000, 659999))
    born = draw(st.dates(min_value=__import__("datetime").date(1920, 1, 1),
                         max_value=__import__("datetime").date(2020, 12, 31)))
    serial = draw(st.integers(0, 999))
    body = f"{area}{born:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


@st.composite
def card_numbers(draw):
    body = draw(st.sampled_from(["62", "4", "5", "60"])) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=11, max_size=16)))
    number = body + luhn.calc_check_digit(body)
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return draw(st.sampled_from(["", " ", "-"])).join(groups)


@st.composite
def mobiles(draw):
    number = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    style = draw(st.sampled_from(["plain", "spaced", "dashed", "+86"]))
    if style == "spaced":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == "dashed":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return f"+86 {number}" if style == "+86" else number


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FILLER, id_numbers(), card_numbers(), mobiles()), min_size=1, max_size=6))
def test_masking_never_leaves_a_valid_id_card_or_mobile(parts):
    text = "，".join(parts)
    if not text.strip():
        return
    masked = engine().check(text).text
    assert masked == redact_pii(text)
    compact = re.sub(r"[ \-]", "", masked.replace("+86", "+"))
    for start in range(len(compact) - 17):
        candidate = compact[start:start + 18].upper()
        if candidate[:17].isdigit():
            assert ric.calc_check_digit(candidate) != candidate[17], masked
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", compact), masked
    for run in re.findall(r"\d{13,19}", compact):
        assert not luhn.is_valid(run), masked
    assert not re.search(r"\d{5,}", compact), masked  # every number the generators made is masked
