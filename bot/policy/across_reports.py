"""A comparison across two indexed reports ("2024年的GDP目标比2023年实际增长高还是低？"): one figure from the
report about each year the question names, of one measure, the first year's minus the second's, each operand
cited to its own report.

The single-report calculation (``bot.answer.compute``) matches the question's parts to the figures of the passages
retrieved for the whole question; across reports each side is searched in its own year's report, so that the
2023 review's 7.4% is never paired with a 2024 report's figure about another thing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bot.answer.compute import ComputedAnswer, Operand, compute, measure_of, operands_of
from bot.policy.report_scope import ReportScope, asked_years, primary_documents
from bot.retrieval.retriever import Passage
from bot.schema import Lang
from bot.understand.claims import COMPARATIVE
from bot.understand.parsed import ParsedQuestion
from bot.understand.calculation import Calculation
from bot.understand.questions import without_year
from index.corpus import CorpusFacts
from index.figures import FigureRow
from zzbot.arithmetic import CalculationError
from zzbot.text import chinese_pairs

CANDIDATES = 5  # of each report's figures, the most relevant considered for a pair of one measure

Search = Callable[[str, frozenset[str]], list[Passage]]
Relevance = Callable[[list[str]], np.ndarray]


def across_kind(parsed: ParsedQuestion, scope: ReportScope | None, corpus: CorpusFacts) -> Calculation | None:
    """"comparison" when a question compares two years, each of its own indexed report; None otherwise."""
    if scope is None or scope.uncovered or len(scope.documents) < 2:
        return None
    if len(asked_years(parsed, corpus)) < 2:
        return None
    if parsed.calculation == "comparison" or (parsed.calculation is None and COMPARATIVE.search(parsed.asking)):
        return "comparison"
    return None


def computed_across(parsed: ParsedQuestion, scope: ReportScope, corpus: CorpusFacts, rows: list[FigureRow],
                    search: Search, relevance: Relevance, lang: Lang) -> ComputedAnswer | None:
    """The comparison of the two years' figures, or None when a year's report has no figure of the other's
    measure (the question is then answered as any other)."""
    years = asked_years(parsed, corpus)[:2]
    sides: list[list[Operand]] = []
    for year in years:
        documents = primary_documents([d for d in scope.documents if year in d.meta.years()], year)
        if not documents:
            return None
        query = parsed.asking
        for other in years:
            query = without_year(query, other) if other != year else query
        passages = search(query, frozenset(d.source for d in documents))
        # A question asking for a rate ("增速", "增长目标") compares rates only.
        found = [o for o in operands_of(passages, rows, relevance) if parsed.wanted != "percent" or o.row.percent]
        sides.append(found[:CANDIDATES])
    pair = _pair(*sides, parsed.in_report_terms)
    if pair is None:
        return None
    operands = [Operand("F1", pair[0].row, pair[0].passage), Operand("F2", pair[1].row, pair[1].passage)]
    try:
        return compute("comparison", "F1 - F2", operands, lang, parsed.asking)
    except CalculationError:
        return None


def _pair(first: list[Operand], second: list[Operand], question: str) -> tuple[Operand, Operand] | None:
    """The pair of one measure, one figure from each side, whose subjects are most alike (the same thing in two
    years: 地区生产总值增长 and 全市地区生产总值增长) and most named by the question in the report's words; then the
    most relevant (ranks summed)."""
    def closeness(a: Operand, b: Operand) -> float:
        subject_a, subject_b = a.row.subject, b.row.subject
        return _alike(subject_a, subject_b) + _named(question, subject_a) + _named(question, subject_b)

    pairs = [((-closeness(a, b), i + j), a, b) for i, a in enumerate(first)
             for j, b in enumerate(second) if a.row.row_id != b.row.row_id and _measure(a) == _measure(b)]
    if not pairs:
        return None
    _, a, b = min(pairs, key=lambda p: p[0])
    return a, b


def _named(question: str, subject: str) -> float:
    """The share of a subject's character pairs the question has."""
    pairs = chinese_pairs(subject)
    return len(pairs & chinese_pairs(question)) / len(pairs) if pairs else 0.0


def _alike(one: str, other: str) -> float:
    """The share of character pairs two subjects have in common (Jaccard)."""
    a, b = chinese_pairs(one), chinese_pairs(other)
    return len(a & b) / len(a | b) if a | b else 0.0


def _measure(operand: Operand) -> tuple[str, bool]:
    return measure_of(operand.row.unit), operand.row.percent
