"""What kind of question this is, from cue features of its form and the evidence the knowledge base has.

Routes: `compare` (two or more products side by side), `recommend` (products for a customer or for a
need the question describes), `profile` (about the selected customer), `list` (哪些/几种 → enumerate),
`yesno` (a plain first sentence), `fact` (the default) and `refuse` (out of scope: the question's
subject is not something the knowledge base speaks about, so no cited sentence may pretend it is).

Out of scope is decided by evidence, not by a list of topics: a question that names no product and
whose words are made of character pairs no chunk uses (天气, 世界杯, 降压药), or partly so while
retrieval covers the rest poorly, is about something the bank's documents do not speak about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rm_copilot.generation.request import QuestionForm

ROUTES = ("compare", "recommend", "profile", "list", "yesno", "fact", "refuse")

_COMPARE = re.compile(r"区别|不同|不一样|比[，,]|差别|差异|对比|比较|比一比|分别|各是|各多少|各自|哪个(?:好|高|低|更|划算|合适)|差多少|相比|vs|VS")
_JOIN = re.compile(r"(?:和|与|跟|及|以及|还是|、|，|,|vs|VS)")
_RECOMMEND = re.compile(r"推荐|适合|买什么|选什么|买点什么|配置什么|该买|有什么(?:可以|合适|适合|产品)|有哪些(?:可以|合适|适合|产品)"
                        r"|什么(?:产品)?(?:合适|比较好)|可以介绍|可以选|怎么(?:配置|打理|安排)")
_LIST = re.compile(r"哪些|哪几|几种|几类|几个品种|分哪|分为哪|包括什么|有(?:什么|哪些)(?:方式|品种|类型|选择|要求|条件)|都有什么")
_YESNO = re.compile(r"吗[？?！!。]*$|吗[，,]|能不能|可不可以|是不是|会不会|有没有|要不要|算不算|是否|需不需要|用不用"
                    r"|([\u4e00-\u9fff])不\1|可以吗|行吗|(?:可以|能|会|是|要|行)[\u4e00-\u9fff]{0,6}不[？?！!。]*$")
_ABOUT_CUSTOMER = re.compile(r"(这位|该|此)客户|客户(的)?(情况|画像|标签|需求)|什么时候到期|哪天生日|持有(哪些|什么)")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Route:
    kind: str
    form: str  # the answer form inside fact routes: list | yesno | fact

    def __str__(self) -> str:
        return self.kind


def question_form(question: str) -> QuestionForm:
    if _LIST.search(question):
        return "list"
    if _YESNO.search(question):
        return "yesno"
    return "fact"


def asks_to_compare(question: str) -> bool:
    return bool(_COMPARE.search(question))


def asks_for_products(question: str) -> bool:
    return bool(_RECOMMEND.search(question))


# A customer described in words ("C2客户，10万，一年内不用", "想贷款", "需要什么保险"): a request for products
# even without 推荐/适合. Profile features: risk level, age, amount, horizon, who the customer is.
_PROFILE_FEATURES = (
    re.compile(r"[Cc][1-5]|(?:保守|谨慎|稳健|平衡|成长|进取|激进)型"),
    re.compile(r"\d{2,3}\s*(?:岁|周岁)|\d{4}年出生|老太太|老爷子|老人|退休"),
    re.compile(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(?:万|[wW](?![a-zA-Z]))"),
    re.compile(r"(?:\d+|[一二两三四五六七八九十半])\s*(?:个)?(?:天|周|星期|月|年)(?:内|以上|左右|后)|闲钱|闲置|不用的钱|到期"),
    re.compile(r"企业主|个体户|个体工商户|爸妈|家庭|顶梁柱|私行客户|财富客户"),
)
_WANTS_KIND = re.compile(r"(?:想|要|需要|打算|准备|配|办)(?:个|张|份|点|些)?(?:什么|啥|点啥)?"
                         r"(?:贷款|信用卡|保险|保障|理财|基金|存款|定投|东西|产品|续接|贷)")
_UNKNOWN_WHEN = re.compile(r"(?:哪天|哪一天|哪个月|什么时候|多少)(?:还)?(?:不确定|不知道|没定|未定|说不准)")  # a statement
_FACT_CUE = re.compile(r"多少|几[天年个月次种成]|怎么|如何|吗|哪|是否|能不能|可不可以|会不会|什么时候|为什么|区别")


def describes_need(question: str) -> bool:
    """A customer described in words with something wanted, asked without 推荐 ("C1，有50万，半年内要用")."""
    features = sum(bool(f.search(question)) for f in _PROFILE_FEATURES)
    stated = _UNKNOWN_WHEN.sub("", re.sub(r"(?:什么|啥)(?:贷款|信用卡|保险|保障|理财|基金|产品)", "", question))
    if _FACT_CUE.search(stated):
        return False
    return features >= 2 or bool(_WANTS_KIND.search(question))


def asks_about_customer(question: str) -> bool:
    return bool(_ABOUT_CUSTOMER.search(question))


def split_sides(question: str) -> list[str]:
    """The parts a comparison joins ("A和B的利率" → ["A", "B的利率"])."""
    return [part for part in _JOIN.split(question) if part.strip()]


class DomainVocabulary:
    """Character pairs and Latin words the knowledge base uses (built once from the chunk texts)."""

    def __init__(self, texts: list[str]):
        pairs: set[str] = set()
        words: set[str] = set()
        for text in texts:
            for run in _CJK.findall(text):
                pairs.update(run[i:i + 2] for i in range(len(run) - 1))
            words.update(w.lower() for w in _ASCII_WORD.findall(text))
        self._pairs = frozenset(pairs)
        self._words = frozenset(words)
        self._corpus = "\n".join(texts)

    def uses(self, word: str) -> bool:
        """Whether any document uses this word as written ("星河银行" yes, "某某银行" no)."""
        return word in self._corpus

    def unknown_share(self, words: list[str]) -> float:
        """The share of the words' character pairs (and Latin words) the knowledge base never uses."""
        pairs, unknown = 0, 0
        for word in words:
            if _ASCII_WORD.fullmatch(word):
                pairs += 1
                unknown += word.lower() not in self._words
                continue
            for run in _CJK.findall(word):
                for i in range(len(run) - 1):
                    pairs += 1
                    unknown += run[i:i + 2] not in self._pairs
        return unknown / pairs if pairs else 0.0


UNKNOWN_SHARE = 0.33  # a third of the question's word pairs unknown to every document: another subject
REQUEST_SHARE = 0.5  # a request for products may describe a need in everyday words: ask for more
_BUY_HERE = re.compile(r"(?:在|到|从)?(?:我们|咱们|你们|贵|本)行(?:能|可以)?(?:买|购买|办|投资)(?P<what>[^，,。？?吗]{2,})")

# "想买宠物医疗险，我们有吗？": the thing asked about comes first, then whether the bank has it
_HAVE_HERE = re.compile(r"(?:买|办|投|配)(?:个|份|张|点)?(?P<what>[^，,。？?吗]{2,12})[，,]?(?:我们|咱们|你们|本行|行里)"
                        r"(?:有|卖|能买|可以买|能办)(?:吗|没有|不)")


def is_out_of_scope(unknown_share: float, *, asks_for_products: bool) -> bool:
    return unknown_share >= (REQUEST_SHARE if asks_for_products else UNKNOWN_SHARE)


def asks_to_buy_here(question: str) -> str | None:
    """"能在咱们行买X吗": the X asked about (the caller checks the catalog sells it)."""
    match = _BUY_HERE.search(question) or _HAVE_HERE.search(question)
    return match.group("what") if match else None


# A price forecast ("明天会涨的股票", "下个月美元会涨到多少"): no document can answer it honestly.
_FORECAST = re.compile(r"(?:明天|明日|后天|下周|下个?月|下半年|明年|年底|未来[一二三四五六七八九十\d]*[天周月年]?|接下来|近期|短期内?)"
                       r"[^，,。？?；]{0,10}?(?:会|能|要|可能)?(?:涨|跌|升值|贬值|反弹|翻倍)"
                       r"|(?:哪只|哪支|哪个|哪些)[^，,。？?]{0,8}(?:会|能|要)(?:涨|跌|翻倍)")
# "推荐一只…的股票": the thing asked for, by its head noun (the words after the last 的)
_WANTED = re.compile(r"(?:推荐|买|介绍|配置|选)(?:一|几|两|三)?(?:只|支|个|款|种|份|些|点)(?P<what>[^，,。？?！!]{1,16})")
_TRAILING = re.compile(r"(?:给客户|给我|吧|呢|吗|好|呀|啊)+$")


_LISTED = re.compile(r"哪(?:些|几款|几种|几个|几只)(?:是)?(?P<what>[^，,。？?]{0,14})")
RISK_LEVEL = re.compile(r"[Rr]([1-5])")


def listed_kind(question: str) -> tuple[str, str] | None:
    """"有哪些结构性存款在卖" → ("", "结构性存款在卖"): the words before 哪些 (without 有) and after it."""
    match = _LISTED.search(question)
    if match is None:
        return None
    before = re.sub(r"(?:现在|目前|一共|都|还)?有$", "", question[:match.start()].strip())
    return before, match.group("what").strip()


def sells_now(text: str) -> bool:
    """"在卖", "在售", "能买": the question asks which products are on offer."""
    return bool(re.search(r"在卖|在售|可以买|能买|可买|有卖|发行", text))


def forecasts_prices(question: str) -> bool:
    return bool(_FORECAST.search(question))


def wanted_head(question: str) -> str | None:
    """The head noun of what a request for products asks for ("推荐一只明天会涨的股票" → 股票)."""
    match = _WANTED.search(question)
    if match is None:
        return None
    head = _TRAILING.sub("", match.group("what").split("的")[-1].strip())
    return head or None


def is_content(word: str) -> bool:
    return bool(_CJK.search(word) or _ASCII_WORD.fullmatch(word))


def joins_two(question: str, named: list[Any]) -> bool:
    """Two products named by name and joined by 和/与/跟/及 ("天天利和货币基金A的赎回到账时间") are compared."""
    return len(named) >= 2 and bool(re.search(r"[和与跟及]|以及", question))


def subject_text(question: str) -> str:
    """The question without its question-form words (推荐什么, 哪几种, 吗, 这位客户): what it is about."""
    for cue in (_RECOMMEND, _LIST, _YESNO, _ABOUT_CUSTOMER, _COMPARE):
        question = cue.sub(" ", question)
    return question
