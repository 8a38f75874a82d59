"""Whether a figure of an answer or a claim is the report's: the same value (2.7万 and 27,000), unit and qualifier,
found in which passage."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from zzbot.numbers import Figure, extract_figures
from zzbot.units import _CN_UNITS, MEASURED_FAMILIES, measure_words_differ, unit_family

Comparison = Literal["same", "different_value", "different_qualifier", "different_unit"]


@dataclass(frozen=True)
class FigureMatch:
    figure: Figure
    found: bool
    source_index: int | None


def same_value(a: float, b: float) -> bool:
    """Equal within 0.5% (so "126.5 thousand" and "0.1265 million" both equal 12.65万)."""
    return math.isclose(a, b, rel_tol=0.005, abs_tol=1e-9)


def _agree(claim: float, source: float) -> bool:
    """Same value, and the source rounds to the claim at the claim's own precision.

    0.5% alone would accept 445万 for 446万 or 2.69万 for 2.68万; requiring
    round(source, claim's last significant digit) == claim rejects those
    while keeping honest roundings (1,265,800 -> "1.27 million").
    """
    if not same_value(claim, source):
        return False
    c = Decimal(repr(claim))
    if c == 0:
        return True
    exponent = c.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(repr(source)).quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP) == c


def _year_like(f: Figure) -> bool:
    return not f.percent and f.scale is None and f.value.is_integer() and 1900 <= f.value <= 2100


def _matches(claim: Figure, source: Figure) -> bool:
    if claim.kind == "number":
        if source.kind == "number":
            return (claim.percent == source.percent and _agree(claim.value, source.value)
                    and not measures_conflict(claim, source) and not measure_words_differ(claim.unit, source.unit))
        # "2024 targets" reads as a count in English but is the report's 2024年.
        return source.kind == "year" and _year_like(claim) and claim.value == source.value
    return claim.kind == source.kind and claim.value == source.value


def match_figures(answer: str, sources: list[str]) -> list[FigureMatch]:
    """Check every figure of ``answer`` against the figures of ``sources`` (first match wins)."""
    pools = [extract_figures(s) for s in sources]
    checks = []
    for f in extract_figures(answer):
        index = next((i for i, pool in enumerate(pools) if any(_matches(f, g) for g in pool)), None)
        checks.append(FigureMatch(f, index is not None, index))
    return checks


def _qualifiers_compatible(claim: str | None, report: str | None) -> bool:
    # "reach" only states a target, like no qualifier; over/at_least are interchangeable.
    claim = None if claim == "reach" else claim
    report = None if report == "reach" else report
    if claim is None:
        return True
    if claim == "about":  # a hedge never contradicts an exact figure
        return report in (None, "about")
    if claim in ("over", "at_least"):
        return report in ("over", "at_least")
    return claim == report


def significant_digits(text: str) -> str:
    """Significant digits as written: 2.7万, 27,000 and 2.7 million all give "27"."""
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return match.group().replace(",", "").replace(".", "").strip("0") if match else ""


def compare_qualified(claim: Figure, report: Figure) -> Comparison:
    """Fact-check a claimed figure against the report's: value, then unit, then qualifier."""
    if claim.percent != report.percent or not _agree(claim.value, report.value):
        return "different_value"
    if units_conflict(claim, report):
        return "different_unit"
    return "same" if _qualifiers_compatible(claim.qualifier, report.qualifier) else "different_qualifier"


def same_as_any(figure: Figure, figures: list[Figure]) -> bool:
    return any(g.kind == figure.kind and same_value(figure.value, g.value) for g in figures)


def states_any(text: str, figures: list[Figure]) -> bool:
    """Whether ``text`` states the value of one of ``figures``: numbers and dates, as a year or an ordinal does
    not tell which sentence an answer comes from."""
    return any(same_as_any(f, figures) for f in extract_figures(text) if f.kind in ("number", "date"))


def same_unit(a: Figure, b: Figure) -> bool:
    """Whether two figures count the same known thing (亿元 and 元, 万辆 and vehicles)."""
    fa = unit_family(a.unit)
    return bool(fa and fa == unit_family(b.unit))


def measures_conflict(a: Figure, b: Figure) -> bool:
    """A claim's figure is not the source's when either is money, length, area or weight and the units conflict;
    two counts are let through ("170 million people" for 1.7亿人次 is a loose but not a wrong reading)."""
    measured = unit_family(a.unit) in MEASURED_FAMILIES or unit_family(b.unit) in MEASURED_FAMILIES
    return measured and units_conflict(a, b)


def units_conflict(a: Figure, b: Figure) -> bool:
    """Whether two figures count different things: two known families that differ (亿元 and 名), or an
    amount measured (元, 公里, yuan) against one counted in a Chinese measure word (个, 项)."""
    fa, fb = unit_family(a.unit), unit_family(b.unit)
    if fa and fb:
        return fa != fb
    # Only a Chinese measure word is known to count something; an English noun after a number
    # ("4.46 million projects") says too little to judge.
    return bool((fa in MEASURED_FAMILIES and b.unit in _CN_UNITS) or (fb in MEASURED_FAMILIES and a.unit in _CN_UNITS))
