"""Chinese personal names: surname detection (for 张先生/欧阳女士) and the generator's name pools."""
from __future__ import annotations

COMPOUND_SURNAMES: frozenset[str] = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "轩辕", "钟离",
})

# Frequent surnames, most common first (weights roughly follow their share of the population).
SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "欧阳", "司马", "上官", "诸葛",
)

GIVEN_MALE: tuple[str, ...] = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "建国", "建华", "国强", "志强", "志明", "俊杰", "浩然", "子轩", "宇航", "文博", "海涛",
    "永刚", "振华", "德明", "立新", "晓东", "家豪", "天宇", "一鸣", "博文", "明轩", "思远",
)
GIVEN_FEMALE: tuple[str, ...] = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "燕", "婷", "雪", "慧", "琳", "颖",
    "秀英", "桂兰", "淑珍", "玉兰", "丽华", "晓燕", "雅琴", "欣怡", "梓涵", "诗涵", "雨桐",
    "佳怡", "梦瑶", "思琪", "晓雯", "婉婷", "静怡", "子涵", "海燕", "春梅", "美玲", "凤英",
)


def surname_of(full_name: str) -> str:
    name = full_name.strip()
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def honorific(full_name: str, gender: str | None) -> str:
    """张三 + 男 → 张先生; 欧阳娜娜 + 女 → 欧阳女士; unknown gender → 张客户."""
    title = {"男": "先生", "女": "女士"}.get(gender or "", "客户")
    return surname_of(full_name) + title
