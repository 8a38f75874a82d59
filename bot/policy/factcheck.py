"""Fact-checking a claim against the report.

The claim is matched to the report's clauses by retrieval and embedding similarity;
the verdict on every figure is decided in code (value, unit and qualifier compared
after number normalisation), never by a language model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from zzbot import numbers
from bot.engine import Engine
from bot.answer.citations import citation_for
from bot.retrieval.context import Sentence, clauses_of, sentences_of
from bot.understand.questions import clean_question, detect_lang, in_report_terms, relative_years, report_terms
from bot.retrieval.retriever import Passage
from bot.schema import CheckResult, Citation, Lang, Verdict
from zzbot.text import clause_around

# Similarities this close count as a tie, broken in favour of the same figure.
_TIE = 0.02
# A report figure counting the same thing as the claim's (元 and 元) is the likelier counterpart.
_SAME_UNIT = 0.1
_SAME_VALUE = 0.1
# Report figures of the claim's magnitude get up to this much, nothing from this many powers of ten apart.
_MAGNITUDE = 0.05
_MAGNITUDE_DECADES = 3


class _Outcome(NamedTuple):
    """How the report figure a claim's figure speaks of compares with it."""

    rank: float
    comparison: str
    figure: numbers.Figure
    report_figure: numbers.Figure
    clause: "Clause"
    similarity: float  # of the clause to the claim's words around its figure
    named: bool  # the report's term for what an English claim measures labels the figure


@dataclass
class Clause(Sentence):
    """A clause of a retrieved passage (absolute offsets), with the span of the sentence it belongs to."""

    sentence: tuple[int, int] = (0, 0)


class FactChecker:
    def __init__(self, engine: Engine, k: int = 4) -> None:
        self.engine = engine
        self.k = k

    def check(self, claim: str) -> CheckResult:
        began = time.perf_counter()
        claim = clean_question(claim, self.engine.settings.question_max_chars)
        lang = detect_lang(claim)
        # "R&D intensity" is matched as 研发投入强度, the report's words; figures are read from the claim as written.
        matched = in_report_terms(claim)
        clauses = [c for p in self.engine.search(matched, k=self.k) for c in _clauses(p)]
        claim_figures = numbers.number_figures(claim)
        # A claim about a year the report never mentions (a 2025 target in a 2024 report) is not in it,
        # whatever figures the report gives for its own year.
        if (not clauses or self.engine.corpus.unknown_years(claim, relative_years(claim))
                # Most of its words nowhere in the report: the claim is about something the report does not cover.
                or self.engine.searcher.word_coverage(claim) < self.engine.settings.answer.min_claim_coverage):
            return self._result(claim, lang, "not_in_report", [], [], began)
        if not claim_figures:
            scores = self.engine.similarities(matched, [c.text for c in clauses], [c.section for c in clauses])
            best = int(scores.argmax())
            if scores[best] < self.engine.settings.answer.min_claim_similarity:
                return self._result(claim, lang, "not_in_report", [], [], began)
            return self._result(claim, lang, "supported", [], [clauses[best]], began)
        outcomes = [o for f in claim_figures if (o := self._outcome(claim, lang, f, clauses)) is not None]
        if not outcomes:
            return self._result(claim, lang, "not_in_report", [], [], began)
        # The verdict rests on the claim's best-matched figure; a side figure ("per 1,000 residents")
        # that only loosely matches some other clause must not decide it.
        best = max(o.rank for o in outcomes)
        chosen = max(outcomes, key=lambda o: (o.rank >= best - _TIE, o.comparison == "same", o.rank))
        verdict: Verdict = "supported" if chosen.comparison == "same" else "contradicted"
        result = self._result(claim, lang, verdict,
                              [(chosen.comparison, chosen.figure, chosen.report_figure, chosen.clause)],
                              [chosen.clause], began)
        result.similarity = round(chosen.similarity, 4)
        result.named = chosen.named
        return result

    def _outcome(self, claim: str, lang: Lang, figure: numbers.Figure, clauses: list[Clause]) -> _Outcome | None:
        """The report figure that the claim's ``figure`` speaks of, how they compare, and its clause's similarity
        to what the figure measures; None when no clause is close enough to it."""
        context = in_report_terms(_claim_context(claim, figure))
        candidates = [
            (c, f) for c in clauses for f in numbers.number_figures(c.text)
            if f.percent == figure.percent
            # A figure of another unit and value (20万名 against 1500亿元) says nothing about this one;
            # the same value in another unit is a contradiction and stays.
            and not (numbers.units_conflict(f, figure) and not numbers.same_value(f.value, figure.value))
        ]
        candidates, named = _naming_most(candidates, report_terms(_claim_context(claim, figure)))
        if not candidates:
            return None
        scores = self.engine.similarities(context, [c.text for c, _ in candidates], [c.section for c, _ in candidates])
        # The report speaks of what the claim measures when some clause is close enough to it, or when the report's
        # own term for it labels the figure (the similarity of "500 new 院士" to 累计引进院士25名以上 is 0.38).
        if float(max(scores)) < self.engine.settings.answer.min_claim_similarity and not named:
            return None
        # Ranked with the words the claim shares with the clause's sentence: "完成1300亿元" is the industrial
        # investment of "工业投资完成1500亿元" only by its sentence's subject.
        ranking = scores + self.engine.settings.answer.word_weight * np.array(
            self.engine.word_overlap(context, [_sentence_text(c) for c, _ in candidates])) + np.array(
            [_SAME_UNIT * numbers.same_unit(f, figure) + _magnitude_hint(f, figure)
             + (_figure_hint(f, figure) if lang == "en" else 0.0) for _, f in candidates])
        # Among near-equal matches (figures of one clause score alike) the same value wins.
        top = float(max(ranking))
        rank, (clause, report_figure) = max(
            zip(ranking, candidates, strict=True),
            key=lambda item: (item[0] >= top - _TIE, numbers.same_value(item[1][1].value, figure.value), item[0]),
        )
        return _Outcome(float(rank), numbers.compare_qualified(figure, report_figure), figure, report_figure, clause,
                        float(scores[candidates.index((clause, report_figure))]), named)

    def _result(self, claim: str, lang: Lang, verdict: Verdict, outcomes: list, clauses: list[Clause],
                began: float) -> CheckResult:
        citations: list[Citation] = []
        for clause in clauses:
            existing = next((c for c in citations if c.chunk_id == clause.passage.chunk.chunk_id), None)
            if existing is None:
                existing = citation_for(len(citations) + 1, clause.passage, [clause.sentence])
                citations.append(existing)
            existing.highlights.append((clause.start, clause.end))
        report_figures = [o[2].text for o in outcomes]
        return CheckResult(
            claim=claim, verdict=verdict, explanation=_explain(lang, verdict, outcomes, clauses),
            report_figures=report_figures, citations=citations, lang=lang,
            timings_ms={"total": round((time.perf_counter() - began) * 1000, 1)},
            difference=outcomes[0][0] if verdict == "contradicted" else None,
        )


def _clauses(passage: Passage) -> list[Clause]:
    return [Clause(c.passage, c.start, c.end, c.text, sentence=(sentence.start, sentence.end))
            for sentence in sentences_of([passage]) for c in clauses_of(sentence)]


def _naming_most(candidates: list[tuple[Clause, numbers.Figure]],
                 terms: list[str]) -> tuple[list[tuple[Clause, numbers.Figure]], bool]:
    """The candidates naming the most of the report's terms for what an English claim names, in the figure's own
    words first, then its clause's, then its sentence's: "GDP growth of 10%" speaks of 地区生产总值增长7%左右, not
    of 建筑业总产值增长10%以上 in the same sentence, however alike the figures."""
    if not terms or not candidates:
        return candidates, False

    def held(candidate: tuple[Clause, numbers.Figure]) -> tuple[int, int, int]:
        clause, figure = candidate
        return tuple(sum(term in text for term in terms)  # type: ignore[return-value]
                     for text in (numbers.own_words(clause.text, figure), clause.text, _sentence_text(clause)))

    counts = [held(c) for c in candidates]
    most = max(counts)
    if not any(most):
        return candidates, False
    return [c for c, n in zip(candidates, counts, strict=True) if n == most], most[0] > 0


def _figure_hint(report: numbers.Figure, claim: numbers.Figure) -> float:
    """For an English claim, whose similarity to Chinese clauses tells 新增学位2.7万个 from 新建中小学校10所
    poorly for "27,000 school places": a report figure of the same value, or of the same digits at another
    scale (the usual misquote: 2.7 million for 2.7万), is the likelier counterpart."""
    if numbers.same_value(report.value, claim.value):
        return _SAME_VALUE
    if numbers.significant_digits(report.text) == numbers.significant_digits(claim.text):
        return _SAME_VALUE / 2
    return 0.0


def _magnitude_hint(report: numbers.Figure, claim: numbers.Figure) -> float:
    """A misquoted figure is rarely off by more than an order of magnitude or two: the closer the report figure's
    magnitude to the claim's (50,000 school places: 2.7万 rather than 15所), the likelier its counterpart."""
    if report.value <= 0 or claim.value <= 0:
        return 0.0
    return _MAGNITUDE * max(0.0, 1.0 - abs(math.log10(report.value / claim.value)) / _MAGNITUDE_DECADES)


def _sentence_text(clause: Clause) -> str:
    chunk = clause.passage.chunk
    return chunk.text[clause.sentence[0] - chunk.start: clause.sentence[1] - chunk.start]


def _claim_context(claim: str, figure: numbers.Figure) -> str:
    """The claim's clause around one figure, so each figure is matched by what it measures."""
    context = clause_around(claim, figure.start, figure.end)
    # A bare figure ("7%") says nothing of what it measures: fall back to the whole claim.
    return context if len(context) > len(figure.text) + 4 else claim


def _explain(lang: Lang, verdict: Verdict, outcomes: list, clauses: list[Clause]) -> str:
    quote = clauses[0].text.strip() if clauses else ""
    if verdict == "not_in_report":
        return "报告中没有找到与这一说法对应的内容。" if lang == "zh" else "The report has nothing that matches this claim."
    if verdict == "supported":
        if lang == "zh":
            return f"报告原文“{quote}”支持这一说法。"
        return f"The report says “{quote}”, which supports the claim."
    kind, claim_figure, report_figure, _ = outcomes[0]
    english = numbers.format_english(report_figure)
    if lang == "zh":
        reason = {"different_qualifier": "限定词不同", "different_unit": "单位不同"}.get(kind, "数字不同")
        return f"报告原文是“{quote}”（{report_figure.text}），与说法中的“{claim_figure.text}”{reason}。"
    reason = {"different_qualifier": "a different qualifier", "different_unit": "a different unit"}.get(
        kind, "a different figure")
    return (f"The report says “{quote}” ({report_figure.text} = {english}); the claim's "
            f"“{claim_figure.text}” has {reason}.")
