"""What a question asks about, against what the report covers: places it names, the people it asks for, the
measure it wants (an amount of money, a percentage, kilometres…).

These decide refusals by evidence: a question about a city the documents never mention is not answered with
Zhengzhou's figure; "who will head the group?" needs a name in a sentence about the group; "how many 亿元 of
revenue?" is not answered with a growth rate.
"""

from __future__ import annotations

import re
from typing import Literal

from zzbot import numbers
from zzbot import units
from bot.understand.questions import unit_asked


# Titles before a person's name in a report or a byline ("市长何雄", "本报记者 董艳竹 王红").
_TITLE = r"(?:副?市长|副?省长|书记|见习记者|记者|主任|主席|县长|区长|局长|院长|校长|董事长|总经理|代表|委员)"
_TITLE_WORD = re.compile(_TITLE)
_AFTER_TITLE = re.compile(r"[ \u3000]*([\u4e00-\u9fff]+(?:[ \u3000]+[\u4e00-\u9fff]+)*)")
_NOT_NAMES = frozenset({"摘编", "报道", "采写", "通讯"})
# "Who…?" asks for a person; "whose employment…" asks about groups of people, answered by their names.
_PERSON = re.compile(r"谁|哪位|哪一位|\bwho\b", re.IGNORECASE)

# The measure a question asks for, first match wins. A growth question is about a percentage even when it
# names revenue; money is asked for by its unit or by spending words.
_UNIT = "unit"
_MEASURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("percent", re.compile(r"百分之几|百分比|(?:多少|几)个?(?:百分)?点(?![位子])|增长多少|增长(?:的)?(?:预期)?目标|增幅|增速|涨幅|\bwhat\s+(?:percentage|percent|rate)\b|"
                           r"\bhow\s+many\s+percent|\bby\s+what\s+percent|\bgrowth\b|\bincrease\b|\brise\b|"
                           # "grow" of growth, not of farming ("farmland will grow vegetables"; "grow teams").
                           r"\bgrow\b(?=\s*(?:$|[?？.,!]|(?:by|to|at|this|next|in|over|faster|more|much|each)\b))",
                           re.IGNORECASE)),
    ("yuan", re.compile(r"多少(?:亿|万|千)?元|多少钱|多少资金|多少经费|花多少|投资多少|\b(?:how\s+many|in)\s+(?:yuan|rmb)\b|"
                        r"\bhow\s+much\b[^?？]*\b(?:spend|spent|spending|cost|costs|invest|invested|investment|budget|"
                        r"fund|funding|money|yuan|rmb|revenue|income)\b", re.IGNORECASE)),
    # A unit asked for by name: its family (``zzbot.units``: 千米 and kilometres are km).
    (_UNIT, re.compile(r"多少(?:亿|万|千)?(平方米|公里|千米|亩|斤|辆)|"
                       r"\bhow\s+many\s+(km|kilomet(?:re|er)s|square\s+met(?:re|er)s|mu|vehicles|cars)\b", re.IGNORECASE)),
    # An area asked by its noun ("暖气的面积要扩大多少"), in whatever unit: 平方米 or 亩.
    # Not "the urban area", a place.
    ("area", re.compile(r"面积|\b(?:what|how\s+much)\s+area\b|\barea\s+of\b|\bfloor\s+space\b", re.IGNORECASE)),
    # A Chinese count by its measure word ("会多几个公园"): not an area, an amount of money or a percentage.
    ("count", re.compile(r"(?:几|多少)(?:个|所|座|家|条|项|张|名|套|间|处|支|户)(?!百分点)")),
)


AREA_FAMILIES = frozenset({"m2", "km2", "mu", "ha"})
_COUNT_ASKED = re.compile(r"\bhow\s+many\b(?!\s+(?:percent|percentage))", re.IGNORECASE)


def person_names(text: str) -> set[str]:
    """People a text names after a title ("市长何雄" → 何雄): each name as its first two and three characters,
    since a name runs straight into the next word (何雄向大会作…)."""
    found: set[str] = set()
    for title in _TITLE_WORD.finditer(text):
        if not (match := _AFTER_TITLE.match(text, title.end())):
            continue
        first, *rest = match.group(1).split()
        found |= {first[:2], first[:3]}
        for word in rest:  # a byline: "本报记者 董艳竹 王红 见习记者 田莎"
            if _TITLE_WORD.search(word) or not 2 <= len(word) <= 3:
                break
            found.add(word)
    return found - _NOT_NAMES


def asks_person(question: str) -> bool:
    return bool(_PERSON.search(question))


def asked_measure(question: str) -> str | None:
    """What a question measures its answer in: a unit family of ``zzbot.numbers`` ("yuan", "km"…) or "percent";
    None when it does not say."""
    for measure, pattern in _MEASURES:
        # "How many teams…grow?" counts: a percentage is asked for only as one ("how many percentage points").
        if (match := pattern.search(question)) and not (measure == "percent" and _COUNT_ASKED.search(question)):
            return units.unit_family(next(g for g in match.groups() if g)) if measure == _UNIT else measure
    return None


def counted_family(question: str) -> str | None:
    """The unit family a count question counts in, by the word after its question word ("how many homes", "多少套":
    homes); None when that word is no unit of a known family ("how many projects", "多少个")."""
    if match := _COUNT_ASKED.search(question):
        words = [word.strip("?？,.") for word in question[match.end():].lower().split()[:3]]
        # Two words before one: "square metres" is an area, not the metres of a length.
        return next((family for n in range(len(words)) for size in (2, 1)
                     if (family := units.unit_family(" ".join(words[n:n + size])))), None)
    return units.unit_family(unit_asked(question))


def states_measure(text: str, measure: str) -> bool:
    """Whether a text states a figure in the asked measure."""
    return any(in_measure(f.unit, f.percent, measure) for f in numbers.number_figures(text))


def in_measure(unit: str | None, percent: bool, measure: str) -> bool:
    """Whether a figure in ``unit`` is in the asked measure. A count is anything but a percentage or a measured
    amount (money, length, area, weight): 300万平方米 of green space answers no "几个公园"."""
    if measure == "percent":
        return percent
    family = units.unit_family(unit)
    if measure == "area":
        return family in AREA_FAMILIES
    if measure == "count":
        return not percent and family not in units.MEASURED_FAMILIES
    return family == measure


Scope = Literal["city", "province", "nation"]
# A question about the country's or the province's own figure, not the city's. The report's names for national
# or provincial things the city itself counts (国家级智能制造项目, 国家科技型中小企业, "national-level", "national
# database", 省级森林城市, "cross-province services", 河南省会) are no such scope.
_SCOPES: tuple[tuple[Scope, re.Pattern[str]], ...] = (
    ("nation", re.compile(
        r"全国|我国|国家(?!级|中心|队|首批|科技|高新|重点|森林|示范)|(?<!郑州)中国(?!式|欧)|"
        r"\bnationally\b|\bnationwide\b|\bcountrywide\b|"
        # "national" asks the country's figure when what it qualifies is a figure ("the national urban unemployment
        # target"), not when it names a thing the city counts ("national database", "national-level projects").
        r"\bnational\s+(?:[\w&-]+\s+){0,3}?(?:gdp|economy|economic|target|growth|average|figure|total|rate|"
        r"level\s+of)\b|(?<!outside\s)(?<!mainland\s)\bChina(?:['’]s)?\b(?!\s*[–—-])|\b(?:the|whole)\s+country(?:['’]s)?\b|"
        # The country's government sets the country's targets ("中央经济工作会议" is a meeting the city follows).
        r"中央政府|国务院|\bcentral\s+government\b|\bstate\s+council\b",
        re.IGNORECASE)),
    ("province", re.compile(
        r"全省|本省|省定|河南(?!省会)|(?<!cross-)\bprovince-?wide\b|(?<!cross-)\bthe\s+province(?:['’]s)?\b|"
        r"\bHenan\b(?!['’]s\s+capital|\s+capital)|\bprovincial\s+(?:gdp|economy|target|growth|average|total)\b",
        re.IGNORECASE)),
)


# The level of a thing the city counts (国家级智能制造项目, 省级森林城市): a 省级 one is no 国家级 one. 国家 before
# the thing's name is a level too (国家森林城市, 国家科技型中小企业), but not in 国家和省定目标 or 国家队.
_LEVEL = re.compile(r"(国家|省|市|县)级|(国家)(?![和与及队])|\b(national|provincial|municipal|county)(?:[- ]level)?\b|"
                    r"\b(city)[- ]level\b", re.IGNORECASE)
_LEVEL_NAME = {"国家": "nation", "national": "nation", "省": "province", "provincial": "province", "市": "city",
               "municipal": "city", "city": "city", "县": "county", "county": "county"}


def level_of(text: str) -> str | None:
    """The level a text names for the thing it counts ("创建省级森林城市1个" → province), None when it names none."""
    match = _LEVEL.search(text)
    return _LEVEL_NAME[next(g for g in match.groups() if g).lower()] if match else None


def level_words(text: str) -> str:
    """The words naming that level ("省级"), "" when none."""
    match = _LEVEL.search(text)
    return match.group(0) if match else ""


# The side of the city a thing counted is on: 农村养老服务设施 are no 城市 ones, 城镇就业 no 农村 jobs.
_AREA = re.compile(r"(城市|城镇|城区|市区|城里)|(农村|乡村|乡镇|村里)|\b(urban)\b|\b(rural|countryside|villages?)\b",
                   re.IGNORECASE)


def _area_of(text: str) -> tuple[str, str] | None:
    """The side a text names ("urban", "rural") and its word; None when it names none, or both (城乡)."""
    found = {("urban" if m.group(1) or m.group(3) else "rural"): m.group(0) for m in _AREA.finditer(text)}
    return next(iter(found.items())) if len(found) == 1 else None


def other_level(claim_words: str, report_words: str) -> tuple[str, str] | None:
    """The words of a claim and of the report naming another level or side of the thing (国家级 against 省级, 城市
    against 农村), None when they name the same or either names none."""
    claimed, reported = level_of(claim_words), level_of(report_words)
    if claimed and reported and claimed != reported:
        return level_words(claim_words), level_words(report_words)
    claimed_area, reported_area = _area_of(claim_words), _area_of(report_words)
    if claimed_area and reported_area and claimed_area[0] != reported_area[0]:
        return claimed_area[1], reported_area[1]
    return None


# How much of a thing a text says is done (剩余1.9万套…全部交付): half of it is not all of it. One table of the words
# and what they say; the pattern is built from it (longer words first: 大部分 before 部分).
_EXTENT_WORDS = {"全部": "all", "所有": "all", "全都": "all", "一半": "half", "半数": "half", "大部分": "most",
                 "大多数": "most", "多数": "most", "一部分": "part", "部分": "part", "少部分": "part", "少数": "part",
                 "all": "all", "every": "all", "each": "all", "half": "half", "most": "most", "some": "part",
                 "part": "part"}
_EXTENT = re.compile("({})|\\b({})\\s+of\\b|\\b(all|half)\\b".format(
    "|".join(sorted((w for w in _EXTENT_WORDS if not w.isascii()), key=len, reverse=True)),
    "|".join(w for w in _EXTENT_WORDS if w.isascii())), re.IGNORECASE)


def extent_of(text: str) -> str | None:
    """How much of its thing a text says is done ("全部交付" → all, "交付一半" → half), None when it says not."""
    match = _EXTENT.search(text)
    return _EXTENT_WORDS[next(g for g in match.groups() if g).lower()] if match else None


def other_extent(claim_words: str, report_words: str) -> tuple[str, str] | None:
    """The words of a claim and of the report saying how much of the thing is done, when they differ ("交付一半"
    against "全部交付"); None when they agree or either says not."""
    claimed, reported = _EXTENT.search(claim_words), _EXTENT.search(report_words)
    if claimed and reported and extent_of(claimed.group(0)) != extent_of(reported.group(0)):
        return claimed.group(0), reported.group(0)
    return None


def asked_scope(question: str) -> Scope:
    """Whose figure a question asks for: the country's ("What GDP growth target has China set nationally?",
    "全国的GDP目标"), the province's ("河南省…", "Henan province's…"), else the city's the report is about."""
    return next((scope for scope, pattern in _SCOPES if pattern.search(question)), "city")


def states_scope(sentence: str, scope: Scope, question: str = "") -> bool:
    """Whether a report sentence speaks of ``scope`` itself, in the words a question asks of it ("完成国家和省定目标",
    "居全省前列"); the city's scope is every sentence's. A sentence writing the very word the ``question`` reads as
    its scope names a thing of the city's with it: "进国家库的企业" is 入库国家科技型中小企业's 国家."""
    if scope == "city":
        return True
    pattern = dict(_SCOPES)[scope]
    return bool(pattern.search(sentence)) or any(m.group(0) in sentence for m in pattern.finditer(question))
