"""Customer personas for the synthetic generator: who they are, what they use, what they need.

A persona fixes the coherent parts of a customer (age range, occupations, channels, spending,
needs, which product types they hold, what life events happen to them); the generator draws the
rest. Weights are the persona's share of a branch's book.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Persona:
    key: str
    weight: float
    ages: tuple[int, int]
    occupations: tuple[str, ...]
    channels: tuple[str, ...]
    spending: tuple[str, ...]
    needs: tuple[str, ...]
    holding_types: tuple[str, ...]
    aum_bands: tuple[int, int]  # index range into tags.AUM_BANDS
    risk_weights: tuple[float, float, float, float, float]  # C1..C5 before the age adjustment
    life_events: tuple[tuple[str, int, int], ...] = ()  # (detail, days from, days to)
    inflows: tuple[str, ...] = ()
    inflow_chance: float = 0.0
    maturity_chance: float = 0.3


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "young_traveller", 12, (22, 33),
        ("互联网产品经理", "软件工程师", "设计师", "咨询顾问", "外企销售", "航空公司职员"),
        ("手机银行", "微信银行"), ("差旅", "境外消费", "餐饮娱乐"),
        ("travel", "consumption", "wealth_growth"), ("card", "fund", "wealth"),
        (0, 2), (0.05, 0.3, 0.4, 0.2, 0.05),
        life_events=(("计划春节出境旅行", 20, 75), ("刚换工作，工资卡待迁入", -5, 10)),
        inflows=("年终奖入账约 6 万元", "工资卡入账季度奖金约 3 万元"), inflow_chance=0.25,
        maturity_chance=0.15,
    ),
    Persona(
        "education_parent", 16, (32, 46),
        ("中学教师", "公务员", "医生", "企业中层管理", "工程师", "会计师"),
        ("手机银行", "网点"), ("教育支出", "日常消费"),
        ("education", "wealth_growth", "protection"), ("wealth", "insurance", "fund", "deposit"),
        (1, 4), (0.05, 0.35, 0.4, 0.17, 0.03),
        life_events=(("孩子明年参加中考", 30, 240), ("子女计划出国留学", 60, 300), ("孩子九月升入小学", 20, 200)),
        inflows=("年终奖入账约 10 万元",), inflow_chance=0.1,
    ),
    Persona(
        "retiree", 16, (62, 82),
        ("退休教师", "退休职工", "退休干部", "退休医生"),
        ("网点", "电话银行"), ("医疗支出", "日常消费"),
        ("retirement", "medical", "liquidity"), ("deposit", "wealth"),
        (2, 4), (0.25, 0.45, 0.25, 0.05, 0.0),
        life_events=(("老伴住院，近期医疗支出较多", -20, 5), ("子女准备为其办理养老社区入住", 30, 180)),
        inflows=("养老金账户转入约 5 万元",), inflow_chance=0.1, maturity_chance=0.55,
    ),
    Persona(
        "business_owner", 12, (35, 60),
        ("个体工商户", "餐饮店老板", "外贸公司负责人", "制造企业主", "建材店老板"),
        ("手机银行", "网点", "企业网银"), ("经营采购", "差旅"),
        ("business_cashflow", "liquidity", "wealth_growth"), ("loan", "deposit", "wealth", "card"),
        (2, 6), (0.02, 0.15, 0.38, 0.3, 0.15),
        life_events=(("计划扩租新门店", 15, 120), ("年底集中支付货款", 10, 60)),
        inflows=("经营回款入账约 80 万元", "他行转入约 50 万元", "货款入账约 120 万元"),
        inflow_chance=0.45,
    ),
    Persona(
        "new_parents", 9, (26, 37),
        ("护士", "公司职员", "程序员", "银行职员", "市场专员"),
        ("手机银行", "微信银行"), ("母婴消费", "日常消费"),
        ("child_birth", "protection", "education"), ("insurance", "deposit", "wealth"),
        (0, 3), (0.08, 0.42, 0.35, 0.13, 0.02),
        life_events=(("宝宝预计近期出生", 5, 90), ("家中刚添宝宝", -30, -1)),
        maturity_chance=0.2,
    ),
    Persona(
        "homebuyer", 8, (26, 42),
        ("公司职员", "工程师", "律师", "销售主管", "公务员"),
        ("手机银行", "网点"), ("装修支出", "日常消费"),
        ("housing", "liquidity", "protection"), ("deposit", "loan", "wealth"),
        (1, 3), (0.1, 0.45, 0.3, 0.13, 0.02),
        life_events=(("计划购房，正在看房", 10, 120), ("新房交付，准备装修", 15, 90)),
        inflows=("公积金提取入账约 20 万元",), inflow_chance=0.2,
    ),
    Persona(
        "medical_care", 7, (45, 72),
        ("企业职工", "个体经营者", "会计", "教师"),
        ("网点", "手机银行"), ("医疗支出",),
        ("medical", "protection", "liquidity"), ("insurance", "deposit", "wealth"),
        (1, 4), (0.2, 0.45, 0.28, 0.07, 0.0),
        life_events=(("家人近期住院治疗", -25, 3), ("计划安排年度体检", 10, 60)),
    ),
    Persona(
        "affluent", 10, (38, 62),
        ("企业高管", "私营企业主", "医院科室主任", "律所合伙人", "投资人"),
        ("手机银行", "网点", "专属客户经理"), ("差旅", "高端消费"),
        ("wealth_growth", "inheritance", "education"), ("wealth", "fund", "insurance", "deposit"),
        (4, 6), (0.02, 0.13, 0.35, 0.32, 0.18),
        life_events=(("计划设立家族信托", 30, 180), ("子女计划海外求学", 60, 300)),
        inflows=("股权分红入账约 200 万元", "理财赎回资金约 150 万元待配置"), inflow_chance=0.35,
    ),
    Persona(
        "mass_saver", 10, (22, 64),
        ("超市店员", "快递员", "工厂工人", "公司职员", "司机", "自由职业者"),
        ("手机银行", "网点", "微信银行"), ("日常消费",),
        ("consumption", "liquidity"), ("deposit", "card", "wealth"),
        (0, 1), (0.2, 0.45, 0.25, 0.09, 0.01),
        inflows=("工资入账",), inflow_chance=0.05, maturity_chance=0.25,
    ),
)

NEED_PHRASES: dict[str, tuple[str, ...]] = {
    "education": ("子女教育金储备", "关注留学费用规划", "孩子课外培训支出较大"),
    "retirement": ("关注养老金补充", "希望稳健打理养老钱", "考虑个人养老金账户"),
    "travel": ("出行频繁，关注境外用卡", "常有差旅，关注机场贵宾权益"),
    "medical": ("关注医疗保障", "家人有慢病，医疗支出稳定"),
    "housing": ("有购房计划", "关注房贷与首付安排"),
    "child_birth": ("新生儿家庭，关注育儿开支", "关注少儿保障"),
    "business_cashflow": ("经营资金周转需求", "季节性进货资金需求"),
    "wealth_growth": ("希望资产稳健增值", "关注中长期资产配置"),
    "liquidity": ("需要随用随取的资金安排", "短期资金闲置"),
    "protection": ("关注家庭保障缺口", "家庭主要收入来源，关注寿险保障"),
    "consumption": ("日常消费为主", "关注信用卡优惠"),
    "inheritance": ("关注财富传承安排", "考虑保险金信托"),
}
BEHAVIOR_SOURCES = ("交易流水", "渠道日志", "资产统计")
# Entered need tags only (inferred ones live in their own table); three entries keep each seed's draws.
NEED_SOURCES = ("客户经理录入", "需求问卷", "客户经理录入")
NOTES = (
    "偏好上午电话联系", "习惯到网点办理业务", "不喜欢频繁推销，沟通需简洁", "对收益波动较敏感",
    "希望通过企业微信沟通", None, None, None, None, None,
)
MARITAL = ("已婚", "已婚", "已婚", "未婚", "离异")


@dataclass(frozen=True)
class City:
    name: str
    area_codes: tuple[str, ...] = field(default=())


CITIES: tuple[City, ...] = (
    City("北京", ("110105", "110108", "110102")), City("上海", ("310115", "310104", "310110")),
    City("广州", ("440106", "440104")), City("深圳", ("440305", "440304")),
    City("杭州", ("330106", "330108")), City("南京", ("320106", "320104")),
    City("成都", ("510107", "510104")), City("武汉", ("420106", "420102")),
    City("西安", ("610113", "610103")), City("苏州", ("320505", "320506")),
    City("天津", ("120101", "120104")), City("重庆", ("500103", "500106")),
    City("长沙", ("430104", "430102")), City("青岛", ("370202", "370212")),
    City("厦门", ("350203", "350206")),
)
