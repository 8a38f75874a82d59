"""Fact-checking a claim against the report.

The claim is matched to the report's clauses by retrieval and embedding similarity;
the verdict on every figure is decided in code (value, unit and qualifier compared
after number normalisation), never by a language model.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np

from zzbot import figure_words
from zzbot import numbers
from zzbot import figure_check
from zzbot import in_english
from bot.engine import Engine
from bot.answer.citations import citation_for
from bot.understand.claims import (Claim, ClaimFigure, Direction, claimed_direction, direction_of, head_of, opposite,
                                   parse_claim, period_of, states_subject, subject_share, subject_words, without_rate_bases)
from bot.understand.questions import PART_SEPARATOR, clean_question, detect_lang, without_home
from bot.understand.terms import (glossary_spans, in_report_terms, most_specific, named_terms,
                                  report_terms)
from bot.understand.scope import asked_scope, level_words, other_extent, other_level, states_scope
from bot.policy.evidence import of_the_term_named
from bot.policy.report_clauses import Clause, names_kind, passage_clauses, reported_direction, sentence_text
from bot.schema import CheckResult, Citation, Lang, Verdict
from zzbot.text import CJK_RUN, CLAUSE_END, chinese_pairs, clause_around, up_to_clause_end

# Similarities this close count as a tie, broken in favour of the same figure.
_TIE = 0.02
# A report figure counting the same thing as the claim's (元 and 元) is the likelier counterpart.
_SAME_UNIT = 0.1
_SAME_VALUE = 0.1
# Report figures of the claim's magnitude get up to this much, nothing from this many powers of ten apart.
_MAGNITUDE = 0.05
_MAGNITUDE_DECADES = 3
# A report sentence naming more of what the claim's figure counts is the likelier counterpart: 工业投资要完成1500亿元
# is the industrial investment's 完成1300亿元, not the projects' 完成投资5200亿元 (ranks 0.51 and 0.52 without it).
_SUBJECT = 0.1


# A comparison of a claim's figure decided by more than the figures: the claim denies what the report states, or
# moves it the other way.
_NEGATED = "negated"
_DIRECTION = "direction"
_FLIPPED = {"same": _NEGATED, "different_value": "same", "different_qualifier": "same", "different_unit": "same"}


class _Outcome(NamedTuple):
    """How the report figure a claim's figure speaks of compares with it."""

    rank: float
    comparison: str
    figure: numbers.Figure
    report_figure: numbers.Figure
    clause: "Clause"
    similarity: float  # of the clause to the claim's words around its figure
    named: bool  # the report's term for what an English claim measures labels the figure


class FactChecker:
    def __init__(self, engine: Engine, k: int = 4) -> None:
        self.engine = engine
        self.k = k
        self._subject_share = engine.settings.answer.claim_subject_share

    def check(self, claim: str) -> CheckResult:
        began = time.perf_counter()
        claim = clean_question(claim, self.engine.settings.question_max_chars)
        lang = detect_lang(claim)
        if lang == "en":  # "thirty new parks" is checked as 30 against 新建公园游园30个
            claim = in_english.with_digits(claim)
        parsed = parse_claim(claim)
        # "R&D intensity" is matched as 研发投入强度, the report's words; figures are read from the claim as written.
        # A denial is looked up as what it denies: the report states things, it does not deny them.
        matched = in_report_terms(parsed.affirmed)
        # Searched also with the claim's own words beside the report's terms: "grain output" alone as 总产量 finds
        # the car output's passage, the report's 总产量 of grain standing after 粮食播种面积.
        # Without the report's own year and place, as a question is searched: "郑州今年要把失业率…" otherwise finds
        # the passages repeating the city's name before the targets' one.
        year, home = self.engine.corpus.sole_year(), self.engine.corpus.home_place()
        queries = dict.fromkeys(without_home(q, year, home) for q in (matched, in_report_terms(parsed.affirmed, True)))
        passages = {p.chunk.chunk_id: p for query in queries for p in self.engine.search(query, k=self.k)}
        clauses = self._about_places(parsed, [c for p in passages.values() for c in passage_clauses(p)])
        # The country's or the province's figure is stated only by a clause speaking of that scope.
        scope = asked_scope(parsed.affirmed)
        clauses = [c for c in clauses if states_scope(c.text, scope, parsed.affirmed)]
        # A claim about a year the report never mentions (a 2025 target in a 2024 report) is not in it,
        # whatever figures the report gives for its own year.
        coverage = self.engine.searcher.word_coverage(matched)  # "GDP" counts as the report's 地区生产总值
        if (not clauses or self.engine.corpus.unknown_years(claim, parsed.relative_years)
                # Most of its words nowhere in the report: the claim is about something the report does not cover,
                # unless the report states one of its figures with words of its own ("要让20万大学生留下来").
                or (coverage < self.engine.settings.answer.min_claim_coverage and not _stated_alike(parsed, clauses))):
            return self._result(claim, lang, "not_in_report", [], [], began)
        # A ranking decides alone, or with figures when it does not hold ("12.65万人，比…转移就业少").
        ranked = self._check_ranking(parsed, lang, clauses, began) if parsed.ranking else None
        if ranked and (not parsed.figures or ranked.verdict == "contradicted"):
            return ranked
        if not parsed.figures:
            # A ranking the report's figures cannot decide is not confirmed by a sentence naming one of its things.
            if parsed.ranking:
                return self._result(claim, lang, "not_in_report", [], [], began)
            return self._check_statement(parsed, matched, lang, clauses, began)
        outcomes = [self._judged(parsed, figure, self._outcome(claim, lang, figure, clauses))
                    for figure in parsed.figures]
        result = self._verdict(claim, lang, parsed, outcomes, began)
        if result.verdict == "supported":
            # Its clauses without a figure hold too ("…交付4.2万套以上，剩余专项借款项目交付一半").
            for stated in _clauses_without_figures(claim):
                checked = self._check_statement(stated, in_report_terms(stated.affirmed), lang, clauses, began)
                if checked.verdict == "contradicted":
                    return checked
        return result

    def _about_places(self, claim: Claim, clauses: list[Clause]) -> list[Clause]:
        """The clauses that may speak of the places the claim names: none for a place the report does not cover
        (Kaifeng's own targets), for another place only those whose sentence names it (or its join, 郑开) in or
        before the clause: a place named after a clause is not that clause's (25个郑港融城项目, then 郑开同城项目)."""
        corpus = self.engine.corpus
        home = corpus.home_place()
        for place in [*claim.places, *corpus.places_joined_in(claim.text)]:
            if place is home:
                continue
            if not corpus.covers_place(place, claim.text):
                return []
            name = corpus.joined_name(place, claim.text) or place.chinese
            clauses = [c for c in clauses if name in up_to_clause_end(sentence_text(c), c.end - c.sentence[0])]
        return clauses

    def _check_statement(self, claim: Claim, matched: str, lang: Lang, clauses: list[Clause],
                         began: float) -> CheckResult:
        """A claim without a figure ("郑州今年没有新增学位"): judged by the closest sentence that names its
        thing; a denial of what that sentence states, or its thing moved the other way, is contradicted."""
        terms = report_terms(claim.affirmed)
        clauses = _naming_subject(clauses, claim.subject, terms, self._subject_share,
                                  self.engine.settings.answer.claim_statement_share)
        if not clauses:
            return self._result(claim.text, lang, "not_in_report", [], [], began)
        scores = self.engine.similarities(matched, [c.text for c in clauses], [c.section for c in clauses])
        best = int(scores.argmax())
        clause = clauses[best]
        # As for a figure, the report's own term for what the claim names, in the clause, says as much as a close
        # clause ("not add any school places" against 新增学位2.7万个 scores 0.38; 进出口总值 in the long targets'
        # sentence).
        named = any(term in clause.text for term in {*terms, *named_terms(claim.affirmed)})
        if scores[best] < self.engine.settings.answer.min_claim_similarity and not named:
            return self._result(claim.text, lang, "not_in_report", [], [], began)
        claimed, claimed_word = claimed_direction(claim.direction, claim.direction_word, claim.text, clause.text)
        turned = opposite(claimed, direction_of(clause.text)[0])
        # Another level or side of the thing (省级 for 国家级, 农村 for 城市), or another share of it done (全部交付).
        leveled = other_level(claim.text, clause.text) or other_extent(claim.text, clause.text)
        verdict: Verdict = "contradicted" if claim.negated or turned or leveled else "supported"
        explanation = None
        if leveled and not (claim.negated or turned):
            quote, (words, reported) = clause.text.strip(), leveled
            explanation = (f"报告原文是“{quote}”：报告是{reported}，不是{words}。" if lang == "zh" else
                           f"The report says “{quote}”: {reported}, not {words}.")
        elif verdict == "contradicted":
            explanation = _explain_statement(lang, claim, clause.text.strip(), turned, claimed=claimed_word)
        result = self._result(claim.text, lang, verdict, [], [clause], began, explanation=explanation)
        if verdict == "contradicted":
            result.difference = _NEGATED if claim.negated else _DIRECTION if turned else "different_level"
        result.similarity = round(float(scores[best]), 4)
        return result

    def _check_ranking(self, claim: Claim, lang: Lang, clauses: list[Clause], began: float) -> CheckResult | None:
        """A claim ranking two things ("供水管网比燃气管网还长"): judged by the figures the report gives each, of one
        measure (85公里 against 102公里); None when the report gives either no figure of its own."""
        ranking = claim.ranking
        assert ranking is not None
        every = [(c, f) for c in clauses for f in numbers.number_figures(c.text)]
        larger = of_the_term_named(every, in_report_terms(ranking.larger))
        smaller = of_the_term_named(every, in_report_terms(ranking.smaller))
        pair = next(((a, b) for a in larger for b in smaller if a[1] is not b[1] and a[1].percent == b[1].percent
                     and not figure_check.units_conflict(a[1], b[1])), None)
        if pair is None:
            return None
        (big_clause, big), (small_clause, small) = pair
        holds = big.value > small.value or (ranking.or_equal and figure_check.same_value(big.value, small.value))
        verdict: Verdict = "supported" if holds else "contradicted"
        quotes = [big_clause] if big_clause == small_clause else [big_clause, small_clause]
        quoted = "；".join(f"“{c.text.strip()}”" for c in quotes)
        order = (0 if figure_check.same_value(big.value, small.value) else 1 if big.value > small.value else 2)
        if lang == "zh":
            explanation = (f"报告原文{quoted}：{big.text}{('等于', '多于', '少于')[order]}{small.text}，"
                           f"{'与说法相符' if holds else '与说法不符'}。")
        else:
            explanation = (f"The report says {quoted}: {big.text} ({in_english.format_english(big)}) is "
                           f"{('the same as', 'more than', 'less than')[order]} {small.text} "
                           f"({in_english.format_english(small)}), which {'supports' if holds else 'contradicts'} "
                           "the claim.")
        result = self._result(claim.text, lang, verdict, [], quotes, began, explanation=explanation)
        result.report_figures = [big.text, small.text]
        return result

    def _judged(self, claim: Claim, figure: ClaimFigure, outcome: _Outcome | None) -> _Outcome | None:
        """``outcome`` with the claim's words beyond the figure weighed in: None when the report's clause does not
        name what the figure counts (充电桩 for 停车位), contradicted when the claim moves it the other way or denies
        what the report states, supported when it denies a figure the report does not give."""
        if outcome is None:
            return None
        # The claim's everyday words in the report's (投用 → 投入使用) name what it counts as the report does.
        if not outcome.named and not states_subject(in_report_terms(figure.subject), sentence_text(outcome.clause),
                                                    self._subject_share):
            return None
        if not names_kind(figure.clause, outcome.clause, outcome.report_figure):
            return None
        report_words = figure_words.own_words(outcome.clause.text, outcome.report_figure)
        if other_level(figure.clause, report_words):  # 国家级 where the report has 省级, 城市 where it has 农村
            return outcome._replace(comparison="different_level")
        if other_extent(figure.clause, outcome.clause.text):
            return outcome._replace(comparison="different_qualifier")  # 交付一半 for 全部交付
        if {period_of(figure.clause), period_of(report_words)} == {"one_year", "cumulative"}:
            return outcome._replace(comparison="different_qualifier")  # 一年引进25名 for 累计引进院士25名以上
        report_direction = reported_direction(outcome.clause, outcome.report_figure)[0]
        if opposite(claimed_direction(figure.direction, None, figure.clause, outcome.clause.text)[0], report_direction):
            return outcome._replace(comparison=_DIRECTION)
        if figure.denied:
            return outcome._replace(comparison=_FLIPPED.get(outcome.comparison, outcome.comparison))
        if claim.denies_event:
            return outcome._replace(comparison=_NEGATED)
        return outcome

    def _verdict(self, claim: str, lang: Lang, parsed: Claim, outcomes: list[_Outcome | None],
                 began: float) -> CheckResult:
        """Every figure of the claim must hold: contradicted when the report contradicts any, not in the report when
        one that names its own thing ("新增城镇就业100万人") matches nothing, else supported."""
        found = [o for o in outcomes if o is not None]
        missing = [f for f, o in zip(parsed.figures, outcomes, strict=True) if o is None and f.subject]
        if not found or (missing and all(o.comparison == "same" for o in found)):
            return self._result(claim, lang, "not_in_report", [], [], began)
        wrong = [o for o in found if o.comparison != "same"]
        # The verdict's figure is the best-matched one of its kind: a side figure loosely matched does not speak.
        chosen = max(wrong or found, key=lambda o: o.rank)
        verdict: Verdict = "contradicted" if wrong else "supported"
        result = self._result(claim, lang, verdict,
                              [(chosen.comparison, chosen.figure, chosen.report_figure, chosen.clause)],
                              [chosen.clause], began, parsed)
        result.similarity = round(chosen.similarity, 4)
        result.named = chosen.named
        return result

    def _outcome(self, claim: str, lang: Lang, claimed: ClaimFigure, clauses: list[Clause]) -> _Outcome | None:
        """The report figure that the claim's ``figure`` speaks of, how they compare, and its clause's similarity
        to what the figure measures; None when no clause is close enough to it."""
        figure = claimed.figure
        own_context = _claim_context(claim, figure)
        context = in_report_terms(own_context)
        every = [(c, f) for c in clauses for f in numbers.number_figures(c.text) if f.percent == figure.percent]
        # A figure of another unit and value (20万名 against 1500亿元) says nothing about this one;
        # the same value in another unit is a contradiction and stays.
        candidates = [(c, f) for c, f in every
                      if not (figure_check.units_conflict(f, figure) and not figure_check.same_value(f.value, figure.value))]
        candidates, named = _naming_most(candidates, report_terms(own_context))
        # A Chinese claim's own terms tell siblings apart by their sentences: "汽车产业集群规模7000亿" is the cars'
        # 集群规模达到4000亿元, not the electronics' 7000亿元 of the same words. (Only a glossary term, matched
        # across languages, says the report labels the figure.)
        candidates = _naming_most(candidates, sorted(most_specific(named_terms(own_context))))[0]
        # The thing the claim names keeps its own figure, whatever its unit: "燃气管网…400万平方米" speaks of the gas
        # mains' 102公里, not of the heating area's 400万平方米 in the same sentence.
        termed = of_the_term_named(candidates, own_context)
        candidates = termed or of_the_term_named(every, own_context) or candidates
        # Of figures of kinds of one thing, the kind the claim names (投入使用中小学校 is the 15所, not 新建's 10所).
        # With its verbs: 新建 or 投入使用 tells the schools apart.
        candidates = [(c, f) for c, f in candidates if names_kind(claimed.clause, c, f)] or candidates
        # A figure of the claim's unit whose own words use the report's term for what the claim's figure counts is
        # labelled by it, as an English claim's glossary term labels one ("工业投资完成1500亿元" against
        # …工业投资…完成1300亿元; not "工业投资占总投资5200亿元": that amount is the whole's).
        named = named or bool(of_the_term_named(termed, claimed.subject))
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
            self.engine.word_overlap(context, [sentence_text(c) for c, _ in candidates])) + np.array(
            [_SAME_UNIT * figure_check.same_unit(f, figure) + _magnitude_hint(f, figure)
             + _SUBJECT * subject_share(claimed.subject, sentence_text(c))
             # and with the figure's own words: 免证 of "免证就能办的事项…30项" is the 100个's “免证可办”事项, not
             # 新增“一件事”30项 in the same sentence
             + _SUBJECT * subject_share(claimed.subject, c.own_words(f))
             + (_figure_hint(f, figure) if lang == "en" else 0.0) for c, f in candidates])
        # Among near-equal matches (figures of one clause score alike) the same value wins.
        top = float(max(ranking))
        rank, (clause, report_figure) = max(
            zip(ranking, candidates, strict=True),
            key=lambda item: (item[0] >= top - _TIE, figure_check.same_value(item[1][1].value, figure.value), item[0]),
        )
        return _Outcome(float(rank), figure_check.compare_qualified(figure, report_figure), figure, report_figure, clause,
                        float(scores[candidates.index((clause, report_figure))]), named)

    def _result(self, claim: str, lang: Lang, verdict: Verdict, outcomes: list, clauses: list[Clause],
                began: float, parsed: Claim | None = None, explanation: str | None = None) -> CheckResult:
        citations: list[Citation] = []
        for clause in clauses:
            existing = next((c for c in citations if c.chunk_id == clause.passage.chunk.chunk_id), None)
            if existing is None:
                existing = citation_for(len(citations) + 1, clause.passage, [clause.sentence])
                citations.append(existing)
            existing.highlights.append((clause.start, clause.end))
        report_figures = [o[2].text for o in outcomes]
        return CheckResult(
            claim=claim, verdict=verdict, explanation=explanation or _explain(lang, verdict, outcomes, clauses, parsed),
            report_figures=report_figures, citations=citations, lang=lang,
            timings_ms={"total": round((time.perf_counter() - began) * 1000, 1)},
            difference=outcomes[0][0] if verdict == "contradicted" and outcomes else None,
        )


def _stated_alike(claim: Claim, clauses: list[Clause]) -> bool:
    """Whether a clause states a figure of the kind of one of the claim's, with a word of that figure's own words in
    the claim (without place, filler and direction words): 20万 of "要让20万大学生留下来" in 力争20万名大学生来郑留郑."""
    for claimed in claim.figures:
        own = chinese_pairs(subject_words(figure_words.own_words(claim.text, claimed.figure), claim.places))
        for clause in clauses:
            for figure in numbers.number_figures(clause.text):
                if (figure.percent == claimed.figure.percent and not figure_check.units_conflict(figure, claimed.figure)
                        and own & chinese_pairs(subject_words(clause.own_words(figure)))):
                    return True
    return False


def _naming_subject(clauses: list[Clause], subject: str, terms: list[str], min_share: float,
                    statement_share: float) -> list[Clause]:
    """The clauses of sentences naming what a claim without a figure is about: the head of its Chinese words
    (学位 of "没有新增学位"), else one of the report's terms for what an English claim names. The report's title
    and byline share the claim's year and place, never its thing."""
    if head_of(subject):
        # Some of its other words too (settings.answer.claim_statement_share), not its head alone.
        named = [c for c in clauses if states_subject(subject, sentence_text(c), min_share)
                 and subject_share(subject, sentence_text(c)) >= statement_share]
        # The clause naming it itself, when one does (旅游总收入突破2000亿元, not the visitors' clause beside it).
        return [c for c in named if states_subject(subject, c.text, min_share)] or named
    if terms:
        return [c for c in clauses if any(term in sentence_text(c) for term in terms)]
    return clauses


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
                     for text in (clause.own_words(figure), clause.text, sentence_text(clause)))

    counts = [held(c) for c in candidates]
    most = max(counts)
    if not any(most):
        return candidates, False
    return [c for c, n in zip(candidates, counts, strict=True) if n == most], most[0] > 0


def _figure_hint(report: numbers.Figure, claim: numbers.Figure) -> float:
    """For an English claim, whose similarity to Chinese clauses tells 新增学位2.7万个 from 新建中小学校10所
    poorly for "27,000 school places": a report figure of the same value, or of the same digits at another
    scale (the usual misquote: 2.7 million for 2.7万), is the likelier counterpart."""
    if figure_check.same_value(report.value, claim.value):
        return _SAME_VALUE
    if figure_check.significant_digits(report.text) == figure_check.significant_digits(claim.text):
        return _SAME_VALUE / 2
    return 0.0


def _magnitude_hint(report: numbers.Figure, claim: numbers.Figure) -> float:
    """A misquoted figure is rarely off by more than an order of magnitude or two: the closer the report figure's
    magnitude to the claim's (50,000 school places: 2.7万 rather than 15所), the likelier its counterpart."""
    if report.value <= 0 or claim.value <= 0:
        return 0.0
    return _MAGNITUDE * max(0.0, 1.0 - abs(math.log10(report.value / claim.value)) / _MAGNITUDE_DECADES)


def _claim_context(claim: str, figure: numbers.Figure) -> str:
    """The claim's clause around one figure, so each figure is matched by what it measures; of a clause joining two
    figures ("train 10,000 digital talents and bring in 1,000 PhD talents"), the figure's own part; the base of a
    rate ("per 1,000 residents") left out."""
    claim = without_rate_bases(claim)
    context = clause_around(claim, figure.start, figure.end)
    if len(figures := numbers.number_figures(context)) >= 2:
        phrases = glossary_spans(claim)
        bounds = [0, *(b for m in PART_SEPARATOR.finditer(claim) for b in m.span()
                       if not any(a <= m.start() < z for a, z in phrases)), len(claim)]
        # A Chinese figure's thing is named before it, an English one's after it: "工业投资1300亿元占全部重点项目投资
        # 5200亿元" gives the 5200亿 "全部重点项目投资", not the industrial investment before 1300亿.
        offset, named_before = claim.find(context), detect_lang(claim) == "zh"
        other = [offset + (f.end if named_before else f.start) for f in figures
                 if offset >= 0 and f.start + offset != figure.start]
        bounds += other
        part = claim[max(b for b in bounds if b <= figure.start):min(b for b in bounds if b >= figure.end)].strip()
        context = part if _names_something(part, figure) else context
    # A bare figure ("7%") says nothing of what it measures: fall back to the whole claim.
    return context if _names_something(context, figure) else claim


def _clauses_without_figures(claim: str) -> list[Claim]:
    """The clauses of a claim holding figures elsewhere that state a thing of their own without one, parsed."""
    parts = [p.strip() for p in CLAUSE_END.split(claim)]
    if len(parts) < 2:
        return []
    parsed = [parse_claim(p) for p in parts if not numbers.number_figures(p)]
    return [c for c in parsed if c.subject]


def _names_something(words: str, figure: numbers.Figure) -> bool:
    """Whether words around a figure may name what it measures: two Chinese characters ("供水管网102公里"), or
    a few more characters than the figure's own."""
    rest = words.replace(figure.text, " ")
    return len(words) > len(figure.text) + 4 or any(len(run) >= 2 for run in CJK_RUN.findall(rest))


def _explain(lang: Lang, verdict: Verdict, outcomes: list, clauses: list[Clause], claim: Claim | None) -> str:
    quote = clauses[0].text.strip() if clauses else ""
    if verdict == "not_in_report":
        return "报告中没有找到与这一说法对应的内容。" if lang == "zh" else "The report has nothing that matches this claim."
    if verdict == "supported":
        if lang == "zh":
            return f"报告原文“{quote}”支持这一说法。"
        return f"The report says “{quote}”, which supports the claim."
    kind, claim_figure, report_figure, clause = outcomes[0]
    if kind in (_NEGATED, _DIRECTION) and claim is not None:
        return _explain_statement(lang, claim, quote, kind == _DIRECTION, reported_direction(clause, report_figure),
                                  claimed_direction(None, None, claim.text, clause.text)[1])
    english = in_english.format_english(report_figure)
    leveled = other_level(claim.text, figure_words.own_words(clause.text, report_figure)) if claim else None
    reported_level = leveled[1] if leveled else level_words(clause.text)
    if lang == "zh":
        reason = {"different_qualifier": "限定词不同", "different_unit": "单位不同",
                  "different_level": f"级别或范围不同（报告是“{reported_level}”）"}.get(kind, "数字不同")
        return f"报告原文是“{quote}”（{report_figure.text}），与说法中的“{claim_figure.text}”{reason}。"
    reason = {"different_qualifier": "a different qualifier", "different_unit": "a different unit",
              "different_level": f"another level or area (the report's is {reported_level})"}.get(
        kind, "a different figure")
    return (f"The report says “{quote}” ({report_figure.text} = {english}); the claim's "
            f"“{claim_figure.text}” has {reason}.")


def _explain_statement(lang: Lang, claim: Claim, quote: str, turned: bool,
                       reported: tuple[Direction | None, str | None] = (None, None), claimed: str | None = None) -> str:
    """Why a claim is contradicted by a clause stating the thing positively: it moves it the other way ("报告是新增，
    不是减少") or denies it."""
    if turned:
        reported, word = reported if reported[0] else direction_of(quote)
        claimed = next((f.direction_word for f in claim.figures if f.direction_word), None) or claimed or claim.direction_word
        if lang == "zh":
            return f"报告原文是“{quote}”：报告是{word}，不是{claimed}。"
        went = {"up": "it goes up, not down", "down": "it goes down, not up", "steady": "it holds steady, not down"}
        return f"The report says “{quote}”: {went.get(reported, 'it says otherwise')}."
    if lang == "zh":
        return f"报告原文是“{quote}”，与说法中的“{claim.negation_word}”相反。"
    return f"The report says “{quote}”; the claim denies it (“{claim.negation_word}”)."
