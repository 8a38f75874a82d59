"""A figure in English, by code, never by a model: 2.7万 → 27,000, 7%左右 → about 7%, 公里 → km."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
import re

from zzbot.numbers import Figure, extract_figures

_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December"]


_ONES = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
         "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_DIGITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# A count written in words before what it counts ("three years", "thirty parks", "twenty-five thousand places");
# "one" alone is too often no count ("one of the…", "one thing").
_NUMBER_WORD = re.compile(rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<digit>{'|'.join(_DIGITS)}))?|"
                          rf"(?P<ones>{'|'.join(_ONES)}))\b(?=[ \t]+[A-Za-z])", re.IGNORECASE)


def with_digits(text: str) -> str:
    """Counts an English text writes as words ("three years", "thirty new parks") in digits, so they are checked
    like any figure (against 三年 or 30个 in the report)."""
    def value(match: re.Match[str]) -> str:
        if match["ones"]:
            return str(_ONES.index(match["ones"].lower()) + 2)
        digit = _DIGITS.index(match["digit"].lower()) + 1 if match["digit"] else 0
        return str((_TENS.index(match["tens"].lower()) + 2) * 10 + digit)
    return _NUMBER_WORD.sub(value, text)


_EN_UNIT_OF = {
    "元": "yuan", "美元": "US dollars", "亩": "mu", "斤": "jin", "公斤": "kg", "吨": "tonnes",
    "辆": "vehicles", "人次": "person-times", "人": "people", "名": "people", "户": "households",
    "公里": "km", "米": "metres", "平方米": "square metres", "平方公里": "square kilometres",
    "公顷": "hectares", "套": "units", "年": "years", "岁": "years old", "天": "days",
    "小时": "hours", "分钟": "minutes", "倍": "times", "百分点": "percentage points",
}


def english_unit(unit: str | None) -> str | None:
    """English noun for a Chinese unit; None for generic measure words (个, 家, 所, 张, 项…)."""
    return _EN_UNIT_OF.get(unit) if unit else None


def _plain(d: Decimal) -> str:
    s = f"{d.normalize():,f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def format_english(figure: Figure) -> str:
    """Deterministic English rendering of the value: 27,000 / 170 million / 7% / 2024 / February 3."""
    v = figure.value
    if figure.kind == "year":
        return str(int(v))
    if figure.kind == "date":
        month, day = divmod(int(v), 100)
        return " ".join(p for p in (_MONTH_NAMES[month - 1] if month else "", str(day) if day else "") if p)
    if figure.kind == "ordinal":
        n = int(v)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    d = Decimal(repr(abs(v)))
    sign = "-" if v < 0 else ""
    if figure.percent:
        return f"{sign}{_plain(d)}%"
    for word, size in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
        if d >= size:
            scaled = (d / size).quantize(Decimal("0.001"), ROUND_HALF_UP)
            return f"{sign}{_plain(scaled)} {word}"
    return sign + _plain(d)


# How a qualifier reads in English, before the value.
_ANNOTATION = re.compile(r"\(=[^)]*\)")  # an English reading already given: "(=27,000)"
_QUALIFIER_EN = {"about": "about ", "over": "over ", "at_least": "at least ", "at_most": "at most "}


def english_qualifier(figure: Figure) -> str:
    """The English words the figure's qualifier reads as, before its value ("about " for 左右, "at least " for 以上,
    "over " for 超/突破, "at most " for 以内/以下); "" for none, or for "reach" (达到 only states the figure)."""
    return _QUALIFIER_EN.get(figure.qualifier or "", "")


def english_amount(figure: Figure, qualified: bool = False) -> str:
    """A figure in English with its unit, and with ``qualified`` its qualifier: "27,000", "85 km", "about 7%"."""
    unit = english_unit(figure.unit)
    value = (english_qualifier(figure) if qualified else "") + format_english(figure)
    return value + (f" {unit}" if unit else "")


def annotate_for_english(text: str) -> str:
    """Follow each Chinese-scaled or qualified figure with its English reading: "2.7万个" -> "2.7万个(=27,000)",
    "增长8%以上" -> "增长8%以上(=at least 8%)", "400万平方米" -> "400万平方米(=4 million square metres)". A small
    model otherwise misreads 万 as thousand, 以上 as a range and guesses the unit."""
    out: list[str] = []
    last = 0
    notes = [m.span() for m in _ANNOTATION.finditer(text)]
    for f in extract_figures(text):
        scaled = bool(f.scale) and f.scale[0] in "万亿千百"
        if f.kind != "number" or not (scaled or f.qualifier in _QUALIFIER_EN):
            continue
        if text.startswith("(=", f.end) or any(a <= f.start < b for a, b in notes):  # already annotated
            continue
        out += [text[last:f.end], f"(={english_amount(f, qualified=True)})"]
        last = f.end
    out.append(text[last:])
    return "".join(out)
