"""Wording that names, forbids, reports or asks about a claim is not the claim; the claim still is.

One pair per mechanism (rulebook 2026.12.02-5): a sentence that must pass and one that must still be
caught. The passing ones are the knowledge base's own FAQ and policy wording, which the chunk route
withheld, and the like.
"""
from __future__ import annotations

import pytest

from compliance_support import engine


def _verdict(text: str) -> str:
    return engine().check(text).verdict


@pytest.mark.parametrize(("passes", "caught"), [
    # a question tag after a clause asks about that clause ...
    ("这款理财保本，对吗？", "这款理财保本，对吧？"),
    # ... but not when the advisor offers to act in it
    ("客户想用家人名义买产品或者拆成几笔买，可以吗？", "我帮您拆成几笔买，可以吗？"),
    # suitability: only a customer's reported question; the advisor asking is steering
    ("客户想把一笔钱拆成几笔买，这样可以吗？", "您测评选高一点，可以吗？"),
    # a rhetorical question asserts; a claim with no question stays one
    ("有客户问：R1的理财是不是就是保本的？", "哪有比这更稳的？"),
    ("客户问能不能拆成几笔买，可以吗？", "这个保本，拆成几笔买也行。"),
])
def test_question_per_clause(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # reported speech of a third party, then asked about or rebutted
    ("稳健型客户说“债券基金就是固定收益，肯定不会亏”，我该怎么解释？", "我跟客户说“这款肯定不会亏”，客户就买了。"),
    ("您提到朋友说这款“从来没亏过”，这只是过去的情况，不能保证未来。", "客户都说“稳赚不赔”，您也试试。"),
    ("客户说“你们银行的理财都保本”，我该怎么回应？", "客户都说“稳赚不赔”，您还不买吗？"),
    # the advisor's own words are never reported speech
    ("有客户认为“买国债稳赚不赔”，这个说法准确吗？", "客户经理说“这款稳赚不赔”，您放心。"),
])
def test_quotation_attributed_to_a_third_party(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # a strong prohibition reaches the rest of its clause, quoted or not
    ("严禁客户经理私下向客户承诺“亏了我补”。", "严禁外传，这款产品保本保息。"),
    ("监管禁止销售人员在任何宣传材料和朋友圈里承诺保本保收益。", "本产品不得提前赎回，但保本保息。"),
    ("不能说“稳赚不赔”“零风险”之类的话。", "不得不承认，这款产品稳赚不赔。"),
    # a negation reaches across a list joined by 或/和
    ("我行不提供任何与购买挂钩的礼品或返现。", "我行提供与购买挂钩的礼品和返现。"),
])
def test_prohibition_context(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # classified as a violation later in its sentence
    ("代客测评或诱导测评的，销售行为可能被认定为违规。", "这款产品保本，不属于违规。"),
    ("向客户承诺稳赚不赔是违规的。", "这款保本，不违规，放心买。"),
    ("违规承诺收益的，一经发现将严肃处理。", "这款理财保本，谁说是违规的？"),
    # defined
    ("刚性兑付是指产品到期时无论盈亏都按约定兑付本金和收益。", "这款产品刚性兑付，到期一定兑付。"),
    # someone else's claim, warned against
    ("客户如听到员工承诺保本，可拨打我行客服热线投诉。", "这款保本保息，别信别人说的有风险。"),
    # a reported request turned down
    ("客户要求我帮他做测评，我拒绝了，并解释了测评必须本人完成。", "客户要求我帮他做测评，我就帮他做了。"),
])
def test_explanatory_context(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # the scale defined, or a customer's question reported, is no bypass
    ("客户风险承受能力分为C1至C5五级，产品风险等级分为R1至R5五级。", "C1到C5的客户都能买R5。"),
    ("一位C2的老人想用儿子的账户买R4产品，问行不行。", "您是C2，买R4也没关系。"),
])
def test_suitability_in_words(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # a run of adjacent quotations is one quotation
    ("“近一周年化”“近一月年化”都不能出现在面向客户的材料中。", "这款理财近一周年化收益率8%，您看看。"),
    # words that open their sentence and are rebutted by it
    ("“首只”只是说明发行顺序，不代表产品更优。", "“稳赚不赔”，这就是我们这款的特点。"),
    # items under a heading that prohibits them
    ("以下行为禁止：赠送礼品、返还佣金、抽奖、搭售。", "本周活动：买理财送好礼、抽奖。"),
    # wording not to be used again, or judged wrong as a sentence
    ("募集规模那句用“本期计划募集规模10亿元”，别再写“额度告急”。", "额度告急，您别再犹豫了。"),
    ("“退保没有损失”这句话是错的，犹豫期后退保通常会有损失。", "退保没有损失，您放心。"),
    # a kind of practice named at the end of a list
    ("返现、抽奖这类促销方式不适用于理财产品。", "买理财有返现、抽奖，快来。"),
    # a customer's words corrected
    ("客户说“听说国家兜底”，我更正了：理财产品没有政府兜底。", "客户说“听说国家兜底”，确实是这样。"),
])
def test_wording_named_as_wording(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) != "pass"


@pytest.mark.parametrize(("passes", "caught"), [
    # condemned without a verb later in the sentence
    ("“预估收益”“预期年化”属于预期收益的变体说法，不得使用。", "这款理财预期收益4%，可以放心使用。"),
    # the old wording set apart from the benchmark
    ("基准和过去说的预期收益率是两回事，别把它们当成一个东西。", "业绩比较基准就是预期收益率，基本能拿到。"),
])
def test_wording_condemned_or_set_apart(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) != "pass"


@pytest.mark.parametrize(("passes", "caught"), [
    # principal kept by a deposit or treasury bond is a fact; a product likened or equated to one still claims
    ("定期存款到期保本保息，最高50万元受存款保险保护。", "这款理财跟存款一样保本保息。"),
    ("储蓄国债到期保本付息，提前兑取要扣手续费。", "天天利其实就是活期存款，随存随取还保本。"),
    ("只有存款和国债是保本的，其他投资都有风险。", "存款利率太低了，这款理财保本，收益还高。"),
    ("这是一款保本型的存款产品，不是理财。", "这款结构性存款的浮动部分也保本。"),
])
def test_principal_said_of_a_deposit_or_bond(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # the options of a quiz that asks which is compliant are mentions; its answer is the author's words
    ("小测验：以下哪句话违规？A.“零风险高收益” B.“本产品不保本，可能损失本金”。答案：A。",
     "问：这款理财保本吗？答：保本，放心买。"),
    ("考题：以下哪项合规？A.购买基金满5万元送礼品 B.统一组织、不针对特定产品交易的节日关怀。答案B。",
     "考题：以下哪项合规？答：购买基金满5万元送礼品。"),
    # a question that offers products is no quiz: its options are claims
    ("复习题：下列哪项可以用于理财宣传？A.预期收益率4% B.业绩比较基准2.50%-3.10%并附测算依据。正确答案B。",
     "以下哪款适合您？A.稳赚不赔的星河理财 B.零风险的天天利"),
])
def test_quiz_options_are_mentions(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # the bad example is a mention; the wording the text recommends is checked like any other
    ("错误示范：“放心，这款理财稳赚的。”正确说法：“这款理财不保本，过往表现不代表未来。”",
     "错误示范：“这款理财不保本。”正确说法：“这款理财稳赚不赔，放心买。”"),
    ("合规改写示例：原文“年化收益4%稳稳到手”，应改写为“业绩比较基准2.80%-4.30%，不代表未来表现”。",
     "合规改写示例：原文“收益看基准”，应改写为“年化收益4%稳稳到手”。"),
    ("把“保本”改成“业绩比较基准”。", "培训材料（可直接转发客户）：“全行销量第一的理财，闭眼入！”"),
    # words as words, a fraud's bait, the customer's own words
    ("年金险前期退保可能拿不回已交保费，所以“保本”二字不能随便讲。", "所以“保本”您就放心吧。"),
    ("反诈提醒：不法分子以“高额返利”“刷单返现”为名诱骗转账。", "本月购买理财即享“高额返利”。"),
    ("客户原话：“别人都买了，我是不是也该买点？”答：别人的选择不一定适合您。", "别人都买了，您也赶紧买点。"),
])
def test_recommended_wording_is_checked_and_mentioned_wording_is_not(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # a negation before a coverb negates the verb its phrase leads to
    ("保险金由保险公司按合同约定给付，代理销售的银行不对保险责任兜底。", "亏了我们给您兜底。"),
    ("客户质疑理财会不会亏，我答复：银行不对理财亏损兜底，盈亏由投资者承担。", "银行对理财亏损兜底。"),
    # a rhetorical 不就 affirms
    ("这款理财不保本。", "这不就是保本吗？"),
    # a practice the sentence says is over, or condemns without a verb; never a negated condemnation
    ("现在理财产品已经全面净值化，刚性兑付早就打破了。", "保本保息，不违反规定。"),
    ("客户说朋友在别的机构买理财拿了200元返现，我解释这种做法不合规。", "买理财就送200元返现。"),
    ("代客测评属严重违规行为。", "我帮您代客测评一下。"),
])
def test_negations_and_condemnations(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # each product level is weighed against the customer level of its own clause, else the one before
    ("C4成长型客户可以购买R1至R4产品，R5产品只适合C5进取型客户。", "您是C2，这款R4我给您操作。"),
    ("C5进取型客户可以买R5，C2稳健型客户只买R2及以下。", "您是稳健型，这款R5的也能买，C5的客户都买了。"),
])
def test_suitability_levels_paired_by_clause(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    ("本网点是县城第一家提供外币现钞兑换预约服务的网点，具体营业时间请见网点公告。",
     "我行是全市第一家推出保本理财的银行。"),
])
def test_first_to_offer_a_service_is_a_fact(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"


@pytest.mark.parametrize(("passes", "caught"), [
    # a universal negation reaches across its clause; a second negation or a comparison after it affirms
    ("据我了解，没有哪家机构能合法承诺理财保本。", "没有哪家银行的理财不保本，放心买。"),
    ("没有哪款理财是保本的。", "没有哪款产品比这个更保本。"),
    # a structured deposit's guaranteed floor is a contract term; a gift unlinked from any purchase
    ("结构性存款的保底收益部分属于存款，浮动部分取决于挂钩标的表现。", "这款理财有保底收益，放心买。"),
    ("本次抽奖活动仅限手机银行签到用户，与购买任何金融产品无关。", "购买理财满5万元即可参加抽奖。"),
    # a short-period figure the sentence dismisses
    ("您看到的近一周年化数据是不完整区间，不具有参考意义。", "这只基金近一周年化收益高达12%，赶紧上车。"),
])
def test_universal_negation_and_facts(passes, caught):
    assert _verdict(passes) == "pass"
    assert _verdict(caught) == "block"
