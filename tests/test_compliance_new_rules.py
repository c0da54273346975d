"""Rules added for compliant-wording generalisation (rulebook 2026.12.02-7): each with a violation it
must catch and a compliant look-alike it must pass."""
from __future__ import annotations

import pytest

from compliance_support import engine

CASES = [
    # (rule, must catch, must pass)
    ("loan.approval_promise", "您这个收入水平，铁定能获批，放心申请。",
     "能否获批以审批结果为准，我先帮您预审一下材料。"),
    ("loan.fabrication", "收入证明不够的话我替您弄一份，照样能贷。",
     "银行流水可以在手机银行导出，打印后带来网点即可。"),
    ("loan.fabrication", "把卡里额度套现出来凑首付，很多人这么干。",
     "信用卡有疑似套现交易的，银行可能降低额度。"),
    ("performance.promise", "这只基金历年都跑赢沪深300，明年肯定也跑赢。",
     "这只基金历年业绩见定期报告，过往业绩不预示其未来表现。"),
    ("performance.promise", "收益曲线一直向上，未来一定会更高。",
     "退休以后医疗开支只会更多，所以要早做准备。"),
    ("guarantee.no_risk", "这款产品违约从来没发生过，今后也不可能发生。",
     "这款产品过去没有发生过违约，但不代表未来不会发生。"),
    ("expected_return.benchmark_as_return", "比较基准等于您到手的收益，4%稳稳的。",
     "业绩比较基准不等于您实际能拿到的收益。"),
    ("deposit_confusion.called_deposit", "这款理财其实算一种存款型产品，放心买。",
     "三年期大额存单是一种存款类产品，受存款保险保障。"),
    ("suitability.mismatch_wording", "您测评是谨慎型，不妨买点偏股基金试试。",
     "您测评是谨慎型，偏股基金不适合您，我们看看R2以内的产品。"),
    ("suitability.skip_disclosure", "风险揭示书就是走个形式，甭细看，签这里。",
     "风险揭示书请您逐条看完再签字，条款多，别看漏了。"),
    ("gift.purchase_reward", "介绍亲友购买这款理财，每人可得100元红包。",
     "介绍亲友来了解产品，我们不提供任何红包或礼品。"),
    ("pressure.scarcity", "今晚十点前务必认购，过了就没了。",
     "交易日15点前必须提交申购才能按当日净值确认。"),
]


@pytest.mark.parametrize(("rule", "bad", "good"), CASES, ids=[f"{rule}:{bad}" for rule, bad, _ in CASES])
def test_rule_catches_the_violation_and_passes_the_look_alike(rule, bad, good):
    caught = engine().check(bad)
    assert rule in {f.rule_id for f in caught.findings}, caught.findings
    assert caught.verdict != "pass"
    passed = engine().check(good)
    assert passed.verdict == "pass", passed.findings


def test_a_word_ending_in_bie_is_no_negation():
    # "特别" ends with 别 but forbids nothing: the unread risk warning is still caught
    result = engine().check("特别风险揭示书签个字就行，里面的条款不用细看。")
    assert "suitability.skip_disclosure" in {f.rule_id for f in result.findings}


@pytest.mark.parametrize(("rule", "bad", "good"), [
    ("pressure.english", "Act now, this fund is selling fast!", "There is no rush: the offer period runs to 30 June."),
    ("expected_return.english", "Projected return of 5% on this note.", "The benchmark is not an expected return."),
    ("pressure.scarcity", "下周之后这只基金马上停售，先买为敬。", "该基金已于去年停售，存量份额可正常赎回。"),
])
def test_english_pressure_and_forecast_and_withdrawal_after_a_deadline(rule, bad, good):
    caught = engine().check(bad)
    assert rule in {f.rule_id for f in caught.findings}, caught.findings
    assert engine().check(good).verdict == "pass"
