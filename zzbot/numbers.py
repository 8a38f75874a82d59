"""Figure extraction and normalisation for Chinese and English text.

A wrong figure is the worst thing the product can do, so values are computed
with ``Decimal`` (no float noise in 12.65万 -> 126500) and matching is strict:
an answer's figure must agree with a source figure in value, percent-ness and
the precision the answer states (see ``_agree``).

Chinese numerals (十, 两万, 三千…) are figures only when they carry a scale
(两万, 三千, 一点七亿) or are followed by a measure word (十项, 三年, 两级).
Fixed names without a measure word (十大战略, 三标, 四高地, 一枢纽, 三合一) and a
bare 一 ("一个", "一件事", "一张网" read as "a/one") are skipped: they are not
figures an answer would restate. Ordinals (第十六届, 二十大, 二十届二中全会,
16th, 1号, list markers "1.") get ``kind="ordinal"`` so verification can treat
them apart. Digits inside citation brackets ([1], [2][3], 【1】) are never
figures. English number words ("seven") and negatives spelled as words
("下降2%") are not interpreted; a leading "-"/"−" sign is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from zzbot.units import _CN_UNIT_NORM, _CN_UNITS
from zzbot.text import CITATION_MARKER, markup_spans

__all__ = [
    "Figure",
    "extract_figures",
    "number_figures",
    "qualifier_words",
]

Kind = Literal["number", "year", "date", "ordinal"]


@dataclass(frozen=True)
class Figure:
    text: str  # exact input text, including qualifiers and unit ("超70万辆", "7%以上")
    start: int
    end: int
    value: float  # after scale: "2.7万" -> 27000.0; "7%" -> 7.0; dates -> month*100+day
    percent: bool = False
    unit: str | None = None
    qualifier: str | None = None  # about / over / at_least / at_most / reach
    kind: Kind = "number"
    scale: str | None = None  # scale word as written ("万", "亿", "million", "k"), None if unscaled


# --- lexicon ---------------------------------------------------------------

# One-to-one, so offsets in the normalised text are offsets in the input.
_WIDTH = str.maketrans("０１２３４５６７８９．％－～￥", "0123456789.%-~¥")

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_DIGITS = "".join(_CN_DIGIT)
_CN_NUM = f"[{_CN_DIGITS}十百千万亿]+(?:点[{_CN_DIGITS}]+[万亿]*)?"

_SCALE = {"万": 10**4, "亿": 10**8, "千": 10**3, "百": 10**2, "hundred": 10**2,
          "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6,
          "billion": 10**9, "bn": 10**9, "trillion": 10**12, "tn": 10**12}

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
             r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")


# Words after a number that are not its unit ("in 2024 the…", "7 or more").
_EN_STOP = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "from",
            "with", "than", "that", "this", "is", "are", "was", "were", "be", "been", "will",
            "would", "as", "per", "over", "under", "about", "more", "less", "which", "who", "it",
            "its", "into", "while", "but", "compared", "respectively", "if", "so", "up", "down",
            "new", "newly", "key", "major", "main", "additional", "more", "other", "total"}

_PRE_ZH = {
    "大约": "about", "大概": "about", "差不多": "about", "约": "about", "将近": "about", "接近": "about", "近": "about",
    "不超过": "at_most", "不高于": "at_most", "不多于": "at_most", "不到": "at_most",
    "低于": "at_most", "少于": "at_most", "不足": "at_most", "跌破": "at_most",
    "不低于": "at_least", "不少于": "at_least", "至少": "at_least", "最少": "at_least", "起码": "at_least",
    "最多": "at_most", "至多": "at_most", "顶多": "at_most",
    "超过": "over", "超出": "over", "超": "over", "突破": "over", "逾": "over", "高于": "over",
    "多于": "over",
    "达到": "reach", "达": "reach", "到": "reach", "至": "reach",
}
# Words hedging a figure though a verb stands between ("固投大约涨8%"): what a claim says is about so much.
HEDGES_ZH = tuple(word for word, qualifier in _PRE_ZH.items() if qualifier == "about" and len(word) > 1)
_PRE_EN = {
    "about": "about", "around": "about", "approximately": "about", "approx.": "about",
    "roughly": "about", "nearly": "about", "almost": "about", "some": "about", "close to": "about",
    "more than": "over", "over": "over", "above": "over", "exceeding": "over", "exceed": "over",
    "exceeds": "over", "exceeded": "over", "surpassing": "over", "surpassed": "over",
    "in excess of": "over", "beyond": "over",
    "at least": "at_least", "no less than": "at_least", "not less than": "at_least",
    "no fewer than": "at_least", "not fewer than": "at_least", "a minimum of": "at_least",
    "at most": "at_most", "up to": "at_most", "no more than": "at_most",
    "not more than": "at_most", "below": "at_most", "under": "at_most", "less than": "at_most",
    "fewer than": "at_most", "within": "at_most", "a maximum of": "at_most",
    "reach": "reach", "reaches": "reach", "reached": "reach", "reaching": "reach", "hit": "reach",
    "rise to": "reach", "rose to": "reach", "increase to": "reach", "increased to": "reach",
    "grow to": "reach", "grew to": "reach",
}
_POST = {
    "以上": "at_least", "及以上": "at_least", "或以上": "at_least", "左右": "about",
    "上下": "about", "以下": "at_most", "及以下": "at_most", "以内": "at_most", "之内": "at_most",
    "出头": "over", "or more": "at_least", "or above": "at_least", "or higher": "at_least",
    "and above": "at_least", "or so": "about", "or less": "at_most", "or fewer": "at_most",
    "or below": "at_most", "and below": "at_most", "or under": "at_most",
}


def qualifier_words(text: str) -> tuple[str, str]:
    """The Chinese qualifier words a figure as written opens and ends with, from the lexicons it is read with
    ("超70万辆" → ("超", ""), "达到6.6万张" → ("达到", ""), "7%左右" → ("", "左右")); "" where there is none."""
    opening = next((w for w in sorted(_PRE_ZH, key=len, reverse=True) if text.startswith(w)), "")
    ending = next((w for w in sorted(_POST, key=len, reverse=True) if not w.isascii() and text.endswith(w)), "")
    return opening, ending


def reaches(word: str) -> bool:
    """Whether a qualifier word only says a figure is reached (达到, 至), qualifying nothing of its value."""
    return _PRE_ZH.get(word) == "reach"


def _alt(words: Iterable[str]) -> str:
    # Longest first so "不超过" is never read as "超过".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_A = re.ASCII  # \b, \s, \d stay ASCII; Chinese characters count as non-word boundaries
_CORE = re.compile(
    rf"(?<![A-Za-z])(?P<edate>(?P<emon>{_MONTH_RE})\.?[ \t]+(?P<eday>[0-9]{{1,2}})(?:st|nd|rd|th)?\b(?![,，][0-9]{{3}}))"
    rf"|(?<![A-Za-z0-9.])(?P<edate2>(?P<eday2>[0-9]{{1,2}})(?:st|nd|rd|th)?[ \t]+(?P<emon2>{_MONTH_RE})\b)"
    r"|(?<![0-9.])(?P<cdate>(?P<cmon>[0-9]{1,2})月(?:(?P<cday>[0-9]{1,2})[日号])?|(?P<cday2>[0-9]{1,2})日)"
    rf"|百分之(?P<pct>[0-9]+(?:\.[0-9]+)?|{_CN_NUM})"
    r"|(?<![A-Za-z0-9])(?<![A-Za-z]-)(?P<num>[0-9]{1,3}(?:[,，][0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<cn>{_CN_NUM})",
    _A,
)

_T_APPROX = re.compile(r"[多余]")
_T_CN_SCALE = re.compile(r"万亿|千亿|百亿|千万|百万|万|亿|千(?![米克瓦])|百(?!分)")
_T_EN_SCALE = re.compile(r"[ \t]*(thousand|million|billion|trillion|hundred)\b|(k)\b|[ \t]?(bn|mn|tn)\b", re.I | _A)
_T_MILLION_M = re.compile(r"(m)\b", _A)  # "¥5m": only after a currency sign, else "m" is metres
_T_PCT = re.compile(r"[ \t]*(?:%|percent\b|per[ \t]?cent\b)", re.I | _A)
_T_EN_ORD = re.compile(r"(?:st|nd|rd|th)\b", _A)
_T_ATT_UNIT = re.compile(r"(km[2²]?|m[2²]?|sqm|kg|ha|mu|t)(?![A-Za-z0-9])", _A)
_T_CN_ORD = re.compile(r"届|次全会|中全会|号")
_T_CN_UNIT = re.compile(rf"[ ]?({_alt(_CN_UNITS)})")
_T_EN_UNIT = re.compile(
    r"[ \t]+(percentage points?|(?:square|cubic|sq\.?)[ \t]+[a-z]+|RMB|CNY|USD|[a-z][a-z-]*)(?![A-Za-z])", _A)
_T_POST = re.compile(rf"[ \t]*({_alt(_POST)})(?![A-Za-z])", re.I | _A)

_P_ZH = re.compile(rf"({_alt(_PRE_ZH)})[ \t]*$")
_P_EN = re.compile(rf"(?<![A-Za-z])({_alt(_PRE_EN)})[ \t]*$", re.I | _A)
_P_CURRENCY = re.compile(r"(US\$|\$|¥|RMB|CNY|USD)[ \t]*$", _A)
_P_NO = re.compile(r"(?<![A-Za-z])No\.?[ \t]*$", _A)
_P_YEAR = re.compile(r"(?<![A-Za-z])(?:in|by|since|until|till|through|from|during|before|after"
                     r"|year|end of|early|mid|late)[ \t]*-?[ \t]*$", re.I | _A)
_P_DETERMINER = re.compile(r"(?:(?<![A-Za-z])(?:the|its|their|this|that|our)|'s|’s)[ \t]+$", re.I | _A)
_P_LIST = re.compile(r"[ \t>*+-]*")
_P_HEADING = re.compile(r"[ \t]*#+[ \t]*")
_RANGE_GAP = re.compile(r"[ \t]*(?:-|–|—|~|至|到|to)[ \t]*")


# --- parsing ---------------------------------------------------------------

def _cn_int(s: str) -> int | None:
    """Value of a Chinese numeral with place words (十二万, 三千, 一亿二千万); None if malformed."""
    total = section = 0
    digit: int | None = None
    for c in s:
        if c in _CN_DIGIT:
            if digit:  # two digits in a row ("三五年" = 3-5 years) is not one number
                return None
            digit = _CN_DIGIT[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        else:
            section += digit or 0
            digit = None
            if c == "亿":
                total, section = (total + section) * 10**8, 0
            else:
                total, section = total + section * 10**4, 0
    return total + section + (digit or 0)


def _cn_value(s: str) -> Decimal | None:
    whole, dot, rest = s.partition("点")
    if not dot:
        n = _cn_int(s)
        return None if n is None else Decimal(n)
    m = re.fullmatch(f"([{_CN_DIGITS}]+)([万亿]*)", rest)
    n = _cn_int(whole)
    if not m or n is None:
        return None
    frac = Decimal("0." + "".join(str(_CN_DIGIT[c]) for c in m[1]))
    return (n + frac) * _mult(m[2])


def _mult(scale: str) -> Decimal:
    s = scale.lower()
    if s in _SCALE:
        return Decimal(_SCALE[s])
    return Decimal(math.prod(_SCALE[c] for c in s))  # 万亿, 千万, 百万…


@dataclass
class _Raw:
    start: int
    core: int  # first character of the number itself
    end: int
    num: Decimal
    kind: Kind = "number"
    mult: Decimal = Decimal(1)
    scale: str | None = None
    percent: bool = False
    unit: str | None = None
    pre: str | None = None
    post: str | None = None
    guessed_year: bool = False  # a bare 2024 taken as a year; a range may turn it into a number


def _prefix(t: str, floor: int, r: _Raw, *, english: bool) -> None:
    """Attach what precedes the number: 第 / No. ordinals, sign, currency, qualifier."""
    s = r.core
    if s > floor and t[s - 1] == "第":
        r.kind, r.start = "ordinal", s - 1
        return
    if english and (m := _P_NO.search(t, floor, s)):
        r.kind, r.start = "ordinal", m.start()
        return
    # A minus sign, unless it is the dash of a range ("3 -5%" after a figure).
    if (english and s > floor and t[s - 1] in "-−" and (s - 1 == 0 or t[s - 2] in " \t\n(（=:：")
            and (floor == 0 or t[floor:s - 1].strip())):
        r.num, s = -r.num, s - 1
    if english and (m := _P_CURRENCY.search(t, floor, s)):
        r.unit = "usd" if "$" in m[1] or m[1] == "USD" else "yuan"
        s = m.start()
    if m := (_P_ZH.search(t, floor, s) or _P_EN.search(t, floor, s)):
        r.pre = _PRE_ZH.get(m[1]) or _PRE_EN[m[1].lower()]
        s = m.start()
    r.start = s


def _unit_and_post(t: str, i: int, r: _Raw) -> int:
    for _ in range(2):  # "2,500 or more talents": qualifier before the unit, or after it
        if r.unit is None and not r.percent:
            if m := _T_CN_UNIT.match(t, i):
                r.unit, i = _CN_UNIT_NORM.get(m[1], m[1]), m.end()
            elif (m := _T_EN_UNIT.match(t, i)) and m[1].lower() not in _EN_STOP:
                r.unit, i = m[1].lower(), m.end()
        if m := _T_POST.match(t, i):
            r.post, i = _POST[m[1].lower()], m.end()
    return i


def _build_number(t: str, m: re.Match[str], floor: int) -> _Raw | None:
    digits = m["num"]
    r = _Raw(start=m.start("num"), core=m.start("num"), end=m.end(),
             num=Decimal(re.sub("[,，]", "", digits)))
    _prefix(t, floor, r, english=True)
    whole = digits.isdigit()
    i = m.end()
    if mm := _T_APPROX.match(t, i):
        r.post, i = "over", mm.end()
    sm = _T_CN_SCALE.match(t, i) or _T_EN_SCALE.match(t, i)
    if not sm and r.unit in ("yuan", "usd"):
        sm = _T_MILLION_M.match(t, i)
    if sm:
        r.scale = next((g for g in sm.groups() if g), sm[0]).lower()
        r.mult, i = _mult(r.scale), sm.end()
        if mm := _T_APPROX.match(t, i):
            r.post, i = "over", mm.end()
    if mm := _T_PCT.match(t, i):
        r.percent, i = True, mm.end()
    elif t.startswith("+", i):
        r.post, i = "over", i + 1
    elif t[i:i + 1].isascii() and t[i:i + 1].isalpha():
        if (mm := _T_EN_ORD.match(t, i)) and whole and not r.scale:
            r.kind, i = "ordinal", mm.end()
        elif mm := _T_ATT_UNIT.match(t, i):
            r.unit, i = mm[1], mm.end()
        else:
            return None  # an identifier such as 5G, 3D, H1N1
    plain = r.kind == "number" and whole and not r.scale and not r.percent and r.post is None
    if plain and t.startswith("年", i) and 1900 <= r.num <= 2100:
        r.kind, i = "year", i + 1
    elif plain and (mm := _T_CN_ORD.match(t, i)):
        r.kind, i = "ordinal", mm.end()
    elif plain and len(digits) <= 2 and _is_list_marker(t, r, i):
        r.kind = "ordinal"
    if r.kind == "number":
        i = _unit_and_post(t, i, r)
        plain = whole and not r.scale and not r.percent and r.post is None
        if plain and 1900 <= r.num <= 2100 and (
            _P_YEAR.search(t, floor, r.start)
            or (r.unit is None and r.pre in (None, "reach"))
            or _attributive_year(t, floor, r)
        ):
            r.kind, r.guessed_year = "year", True
    r.end = i
    return r


def _attributive_year(t: str, floor: int, r: _Raw) -> bool:
    """A year that qualifies the word after it: "the 2025 target", "Zhengzhou's 2023 GDP". A count after a
    determiner takes a plural word ("the 2000 projects"), a year a singular one."""
    return (r.unit is not None and not r.unit.endswith("s") and r.pre is None
            and bool(_P_DETERMINER.search(t, floor, r.start)))


def _is_list_marker(t: str, r: _Raw, i: int) -> bool:
    line = t[t.rfind("\n", 0, r.start) + 1:r.start]
    if _P_HEADING.fullmatch(line):  # "#### 1 突出创新核心地位"
        return True
    if t[r.start - 1:r.start] in ("(", "（") and t[i:i + 1] in (")", "）"):
        return True
    return bool(_P_LIST.fullmatch(line) and t[i:i + 1] in (".", "、", ")", "）")
                and not t[i + 1:i + 2].isdigit())


def _build_chinese(t: str, m: re.Match[str], floor: int) -> _Raw | None:
    s, i = m["cn"], m.end()
    if len(s) > 1 and all(c in _CN_DIGIT for c in s):  # digit by digit: only a year (二〇二四年)
        y = int("".join(str(_CN_DIGIT[c]) for c in s))
        if len(s) == 4 and t.startswith("年", i) and 1900 <= y <= 2100:
            return _Raw(m.start(), m.start(), i + 1, Decimal(y), "year")
        return None
    value = _cn_value(s)
    r = _Raw(start=m.start(), core=m.start(), end=i, num=value or Decimal(0))
    _prefix(t, floor, r, english=False)
    if r.kind == "ordinal":  # 第十六届, 第二次
        r.end = i + (1 if t[i:i + 1] and t[i] in "届次号批期" else 0)
        return r if value is not None else None
    if value is None:
        return None
    if mm := _T_CN_ORD.match(t, i):  # 二十届, 二中全会, 六次全会
        r.kind, r.start, r.end = "ordinal", r.core, mm.end()
        return r
    if t.startswith("大", i) and 10 < value < 100:  # 二十大 (十大战略 is "ten major")
        r.kind, r.start, r.end = "ordinal", r.core, i + 1
        return r
    if t[r.core - 1:r.core] in ("数", "几") or t.startswith("分之", i):
        return None  # 数十万 is vague; 三分之一 is a fraction
    big = next((c for c in "亿万千百" if c in s), None)
    leading_digit = s[0] in _CN_DIGIT or (s[0] == "十" and big in ("万", "亿"))
    if big and leading_digit:
        r.scale = big
    elif big or value == 1 or not _T_CN_UNIT.match(t, i):
        return None  # 千家万户, 一个, 三标, 十大战略
    if mm := _T_APPROX.match(t, i):
        r.post, i = "over", mm.end()
    r.end = _unit_and_post(t, i, r)
    return r


def _build(t: str, m: re.Match[str], floor: int) -> _Raw | None:
    if m["edate"] or m["edate2"]:
        mon, day = (m["emon"], m["eday"]) if m["edate"] else (m["emon2"], m["eday2"])
        month, d = _MONTHS.index(mon[:3].lower()) + 1, int(day)
        return _Raw(m.start(), m.start(), m.end(), Decimal(month * 100 + d), "date") if 1 <= d <= 31 else None
    if m["cdate"]:
        month = int(m["cmon"] or 0)
        d = int(m["cday"] or m["cday2"] or 0)
        if month > 12 or d > 31 or not (month or d):
            return None
        return _Raw(m.start(), m.start(), m.end(), Decimal(month * 100 + d), "date")
    if m["pct"]:
        p = m["pct"]
        value = Decimal(p) if p[0].isdigit() else _cn_value(p)
        if value is None:
            return None
        r = _Raw(m.start(), m.start(), m.end(), value, percent=True)
        _prefix(t, floor, r, english=False)
        r.end = _unit_and_post(t, m.end(), r)
        return r
    if m["num"]:
        return _build_number(t, m, floor)
    return _build_chinese(t, m, floor)


def _link_ranges(t: str, raws: list[_Raw]) -> None:
    """'3-5%' and '3至5万': the first bound takes the second's scale, percent and unit."""
    for a, b in zip(raws, raws[1:]):
        if not _RANGE_GAP.fullmatch(t, a.end, b.core):
            continue
        b.pre, b.start = None, b.core  # the 至/到 is a range sign, not "reach"
        if a.guessed_year and b.kind == "number":
            a.kind = "number"
        if a.kind == "number" and b.kind == "number":
            if a.scale is None and b.scale is not None:
                a.mult, a.scale = b.mult, b.scale
            a.percent = a.percent or b.percent
            a.unit = a.unit or b.unit


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text`` (Chinese or English), in order of appearance."""
    t = text.translate(_WIDTH)
    # Citation markers ([1]) and markup (onerror="x=1", a URL's port) hold no figures.
    cited = [c.span() for c in CITATION_MARKER.finditer(t)] + markup_spans(t)
    raws: list[_Raw] = []
    pos = 0
    while m := _CORE.search(t, pos):
        pos = m.end()
        if any(a <= m.start() < b for a, b in cited):
            continue
        if r := _build(t, m, raws[-1].end if raws else 0):
            raws.append(r)
            pos = max(pos, r.end)
    _link_ranges(t, raws)
    return [
        Figure(
            text=text[r.start:r.end], start=r.start, end=r.end, value=float(r.num * r.mult),
            percent=r.percent, unit=r.unit if r.kind == "number" else None,
            qualifier=(r.post or r.pre) if r.kind == "number" else None, kind=r.kind, scale=r.scale,
        )
        for r in raws
    ]



def number_figures(text: str) -> list[Figure]:
    """The quantities of a text (no years, dates or ordinals)."""
    return [f for f in extract_figures(text) if f.kind == "number"]
