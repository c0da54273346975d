"""Slot-filling augmentation: the same sentence as an advisor would send it to different people.

Openings (honorifics, greetings), closings and channel phrases are added to violations and
compliant sentences alike, so the model learns they carry no meaning either way. Products,
amounts and dates need no slots: folding already turns them into placeholders.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

OPENINGS = (
    "王女士，", "李总，", "张先生您好，", "阿姨，", "刘姐，", "陈老师，", "赵叔，", "您好，", "早上好，",
    "跟您说一下，", "周经理，", "孙大爷，", "微信上跟您汇报一下：", "黄哥，", "林小姐您好！",
)
CLOSINGS = (
    "", "有问题随时联系我。", "祝您生活愉快！", "详情可来网点咨询。", "感谢您的信任。", "您看看。",
    "回头电话细聊。", "稍后我把资料发您微信。",
)


def variants(text: str, rng: random.Random, count: int = 1) -> list[str]:
    out = []
    for _ in range(count):
        opening = rng.choice(OPENINGS) if rng.random() < 0.8 else ""
        closing = rng.choice(CLOSINGS)
        body = text if text[-1:] in "。！？!?…；" or not closing else text + "。"
        out.append(f"{opening}{body}{closing}")
    return out


def augment(texts: Sequence[str], seed: int = 20261201, count: int = 1) -> list[tuple[str, int]]:
    """(text, index of its original) for every original and `count` variants of each."""
    rng = random.Random(seed)
    out = [(text, index) for index, text in enumerate(texts)]
    for index, text in enumerate(texts):
        out.extend((variant, index) for variant in variants(text, rng, count))
    return out


# Everyday advisor talk that says nothing about returns, risk or products: without it the model
# only ever sees compliant sentences that discuss money, and short small talk looks unfamiliar.
_TALK = (
    "好的，我知道了。", "好，好，我记下了。", "收到，谢谢您。", "没问题，我马上帮您查一下。", "您稍等，我确认一下。",
    "明天上午十点您方便来网点吗？", "我下午三点给您回电话。", "资料我已经发到您微信了，您有空看看。",
    "您上次说的事情我已经问过了。", "那份说明我看过了，条理挺清楚的。", "天气转凉了，注意添衣。",
    "元宵节快乐，记得吃汤圆。", "祝您和家人节日快乐。", "生日快乐，祝您身体健康。", "感谢您一直以来的支持。",
    "您的银行卡已经办好了，可以来网点领取。", "网点周六正常营业。", "排队的人比较多，您可以先在手机上取号。",
    "您的地址变更已经登记好了。", "密码重置需要本人带身份证来办理。", "您的转账已经到账了。",
    "这个问题我需要请示一下同事。", "您说的情况我理解。", "有什么需要随时找我。", "麻烦您在这里签个字确认信息。",
    "讲座的时间改到下周三了。", "停车场在网点后面。", "您孩子上学的事情办得顺利吗？", "下次来的时候带上户口本。",
    "我们的客服电话二十四小时都能打通。", "短信验证码请不要告诉任何人。", "您的预约已经取消了。",
)


def conversation() -> list:
    from rm_copilot.compliance.semantic.corpus import Example

    rng = random.Random(7)
    lines = list(_TALK)
    for sentence in _TALK:
        lines.append(rng.choice(OPENINGS) + sentence)
    return [Example(line, "good", "general", "conversation") for line in dict.fromkeys(lines)]
