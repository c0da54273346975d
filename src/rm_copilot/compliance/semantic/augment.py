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
