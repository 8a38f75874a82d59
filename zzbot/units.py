"""What a figure's unit measures: one family name for all the spellings of a unit (亩 and mu: "mu"), and
whether two units or Chinese measure words count different things (亿元 and 名; 家 and 名)."""

from __future__ import annotations

_CN_UNITS = [
    "平方公里", "平方千米", "平方米", "立方米", "千瓦时", "千瓦", "兆瓦", "千米", "公里", "公顷",
    "公斤", "千克", "吨", "亩", "斤", "美元", "元", "人次", "台次", "架次", "标准箱", "户", "人",
    "名", "位", "个百分点", "百分点", "个月", "个", "家", "所", "张", "套（间）", "套(间)", "套",
    "间", "辆", "项", "条", "座", "处", "件", "台", "架", "艘", "列", "趟", "批", "场", "级", "类",
    "种", "次", "篇", "岁", "年", "天", "小时", "分钟", "倍", "层", "栋", "米", "只", "头", "株",
    "棵", "片",
]


_CN_UNIT_SET = frozenset(_CN_UNITS)


_CN_UNIT_NORM = {"套（间）": "套", "套(间)": "套", "个百分点": "百分点", "千米": "公里",
                 "平方千米": "平方公里", "千克": "公斤"}


_FAMILY = {
    "元": "yuan", "yuan": "yuan", "rmb": "yuan", "cny": "yuan",
    "美元": "usd", "usd": "usd", "dollars": "usd",
    "亩": "mu", "mu": "mu", "斤": "jin", "jin": "jin",
    "公顷": "ha", "ha": "ha", "hectares": "ha", "hectare": "ha",
    "吨": "t", "t": "t", "tons": "t", "tonnes": "t", "公斤": "kg", "kg": "kg",
    "公里": "km", "km": "km", "kilometres": "km", "kilometers": "km",
    "米": "m", "m": "m", "metres": "m", "meters": "m",
    "平方米": "m2", "m2": "m2", "m²": "m2", "sqm": "m2", "square metres": "m2", "square meters": "m2",
    "sq m": "m2", "sq. m": "m2",
    "平方公里": "km2", "km2": "km2", "km²": "km2", "square kilometres": "km2", "square kilometers": "km2",
    "辆": "vehicles", "vehicles": "vehicles", "cars": "vehicles",
    "人次": "visits", "person-times": "visits", "visits": "visits", "visitors": "visits",
    "tourists": "visits", "tourist": "visits", "trips": "visits", "arrivals": "visits",
    "人": "people", "名": "people", "people": "people", "persons": "people",
    "家": "firms", "enterprises": "firms", "companies": "firms", "firms": "firms",
    "户": "households", "households": "households",
    "套": "homes", "units": "homes", "homes": "homes", "apartments": "homes", "flats": "homes",
    "年": "years", "years": "years", "year": "years", "岁": "years", "百分点": "pp", "percentage points": "pp", "percentage point": "pp",
}


def is_measure_word(word: str) -> bool:
    """Whether ``word`` is a Chinese unit or measure word (公里, 套, 个)."""
    return word in _CN_UNIT_SET


def unit_family(unit: str | None) -> str | None:
    """What a unit measures, in one name for all its spellings (亩 and mu: "mu"); None for a measure word
    that says nothing of it (个, 家, 项)."""
    unit = unit or ""
    return _FAMILY.get(_CN_UNIT_NORM.get(unit, unit).lower())


# Units that measure (money, length, area, weight, time and age) rather than count: a figure in one of these is never the
# same figure as one counted in a measure word (27,000 yuan is not 2.7万个 places).
MEASURED_FAMILIES = frozenset({"yuan", "usd", "mu", "jin", "ha", "t", "kg", "km", "m", "m2", "km2", "pp", "years"})


def measure_words_differ(a: str | None, b: str | None) -> bool:
    """Two Chinese measure words that count different kinds of thing: 3座 is not 三场 (攻坚战) nor 三年, 10家 firms
    and 20万名 people add up to nothing. 个 counts anything, and words of one family (名 and 人) count the same."""
    a, b = _CN_UNIT_NORM.get(a or "", a), _CN_UNIT_NORM.get(b or "", b)
    if a == b or not (a in _CN_UNIT_SET and b in _CN_UNIT_SET) or "个" in (a, b):
        return False
    family = unit_family(a)
    return not (family and family == unit_family(b))


