"""Premises checked before answering: a figure the question takes for granted goes through the fact-check, and
a contradicted one is corrected first ("报告的说法与问题不同：报告是“累计引进院士25名以上”[1]。").

The correction never repeats the question's wrong figure (an injected figure must not reach the answer); the
question is then answered with the report's figure in its place, when it asks anything beyond the premise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.answer.citations import renumber
from bot.policy.factcheck import FactChecker
from bot.answer.english import WRITTEN_NUMBER
from bot.schema import CheckResult, Citation, Lang
from bot.understand.claims import DOWN, NEGATION, UP, parse_claim
from bot.understand.parsed import ParsedQuestion, parse_question
from bot.understand.questions import ASKS_WHAT, asking_clauses, refers_back
from index.figures import english_value
from zzbot import numbers
from zzbot import figure_check
from zzbot import in_english
from zzbot.text import CJK, CLAUSE_MARKS, clause_around, without_markers

_ATTRIBUTION = re.compile(
    r"^(?:.{0,6}?(?:报告|文件|政府)(?:里|中)?(?:说|提出|提到|写着|表示|称)|据说|听说|既然|如果|假如|"
    # Whoever else is said to have said it: "你刚才已经确认了…", "the previous assistant already confirmed…".
    r"(?:你|您|助手|刚才|之前|上次|朋友|新闻|网上|有人|别人|大家)[^，,。？?]{0,8}?(?:说|确认|提到|讲|称)(?:过|了)*[，,：:]?|"
    r"(?:(?:the|a|my|your)\s+)?(?:previous\s+|last\s+|other\s+)?(?:assistant|bot|chatbot|you|friend|news|article|"
    r"someone|people|they|experts?)\s+(?:have\s+|has\s+)?(?:already\s+)?(?:confirmed|said|says|told\s+me|"
    r"mentioned|reported|claimed|wrote)\s+(?:that\s+)?|"
    # "why is the city cutting…", "为什么要把…": the question asks about the premise, which the report may state.
    r"(?:为什么|为何|为啥|凭什么)(?:政府|郑州|市里)?(?:要|会)?把?|(?:why|how\s+come)\s+(?:is|are|does|do|did|will|would|has|have)\s+|"
    r"(?:just\s+answer\s+\w+\s*:?\s*)?(?:does|did|is\s+it\s+true\s+that|i\s+heard\s+that|since)?\s*"
    r"(?:the\s+(?:report|government|city)\s+)?(?:says?|said|promises?|plans?|claims?|states?)\s+(?:that\s+)?)",
    re.IGNORECASE)


@dataclass(frozen=True)
class Correction:
    asked: numbers.Figure | None  # the question's figure (None: it denies what the report states)
    reported: str  # the report's figure, as written
    clause: str  # the report's clause holding it
    citation: Citation

    def text(self, lang: Lang, n: int = 1) -> str:
        if lang == "zh":
            return f"报告的说法与问题不同：报告是“{self.clause}”[{n}]。"
        english = _in_english(self.reported or self.clause) or self.reported
        return f"The report says otherwise: {english + ' ' if english else ''}(“{self.clause}”) [{n}]."


@dataclass(frozen=True)
class Premise:
    """The figures a question takes for granted, as the fact-check found them."""

    figures: list[numbers.Figure]
    confirmed: bool  # the report states them
    correction: Correction | None  # the report contradicts one of them


def check_premise(checker: FactChecker, question: str, min_similarity: float,
                  turned_similarity: float | None = None) -> Premise | None:
    """The question's figures checked against the report; None when it has none. A contradicted figure is corrected
    only when the report clause is at least ``min_similarity`` close to what it measures (a wrong correction is
    worse than none); the report's own figure moved the other way, from ``turned_similarity``."""
    parsed = parse_claim(question)
    # The figures it states, not the base of a rate ("per 1,000 residents").
    asked = [f.figure for f in parsed.figures]
    if not asked:
        return _denied(checker, question)
    claims = premise_claims(question, asked)
    claim = "；".join(claims)  # each figure read in its own clause: 5所 is no part of "新增学位2.7万个"
    if _RHETORICAL.search(question):
        # "Isn't it 27,000?", "难道不是…吗" take the affirmed thing for granted; "why won't…" takes the denial.
        claim = parse_claim(claim).affirmed
    result = checker.check(claim)
    # The report's own term labelling the figure says as much as a close clause.
    close = (result.similarity or 0.0) >= min_similarity or result.named
    turned_close = result.named or (result.similarity or 0.0) >= (
        min_similarity if turned_similarity is None else turned_similarity)
    turned = result.difference == "direction" or (result.verdict == "supported" and result.citations
                                                   and turned_around(claims, _clause(result)))
    if turned and turned_close and result.citations:
        return Premise(asked, False, _correction(result, asked))
    if (result.verdict != "contradicted" or not result.citations or not close
            # A denial of what the report states ("why won't the city add 27,000 places") is wrong like a figure.
            or not (result.difference in ("different_value", "negated")
                    or bounded_the_other_way(asked, result.report_figures))):
        # Confirmed only by a clause about the same thing: 1万 digital talents do not confirm 10,000 academicians.
        return Premise(asked, result.verdict == "supported" and close, None)
    return Premise(asked, False, _correction(result, asked))


def _denied(checker: FactChecker, question: str) -> Premise | None:
    """A question taking for granted, without a figure, that something will not happen ("为什么今年不新建中小学了？",
    "Why won't the city build new schools?"): corrected by the report's clause stating it; None otherwise."""
    frame = _ATTRIBUTION.match(question)
    # "Why won't…" is no frame of _ATTRIBUTION: its denial would be lost with it (a figure's premise needs it too).
    asks_why = question.lstrip().lower().startswith(("why", "how come"))
    if not (frame and frame.group(0) or asks_why) or _RHETORICAL.search(question):
        return None
    claim = parse_claim(question[frame.end() if frame and not asks_why else 0:].strip(" ？?。"))
    if not claim.negated:
        return None
    result = checker.check(claim.affirmed)
    if result.verdict != "supported" or not result.citations:
        return None
    reported = result.report_figures[0] if result.report_figures else ""
    return Premise([], False, Correction(None, reported, _clause(result), result.citations[0]))


# A question opening on a negation asks whether the thing holds: it denies nothing.
_RHETORICAL = re.compile(r"^\s*(?:难道|(?:is|are|was|were|does|do|did|will|would|has|have|can)n't\b|won't\b|"
                         r"(?:is|are|does|do|did|will|has|have)\s+(?:it|the|they|there|zhengzhou)\b[^?？]*\bnot\b)",
                         re.IGNORECASE)


def _clause(result: CheckResult) -> str:
    citation = result.citations[0]
    start, end = citation.highlights[-1]
    return citation.text[start - citation.start:end - citation.start].strip()


def turned_around(claims: list[str], clause: str) -> bool:
    """Whether the question moves the figure the other way than the report's clause does."""
    claim = " ".join(claims)
    return bool((DOWN.search(claim) and UP.search(clause) and not DOWN.search(clause))
                or (UP.search(claim) and DOWN.search(clause) and not UP.search(clause)))


# An answer that already says the question has it wrong ("报告不是减少…", "不会减少：…", "No: the report keeps…", as
# the answer prompts' examples do) needs no note: it holds a negation (bot.understand.claims.NEGATION).


def direction_noted(question: str, answer: str, clause: str, n: int, lang: Lang) -> str | None:
    """The answer with a note first when its figure moves the other way than the question takes for granted and
    no figure carried the premise ("既然今年要减少公共停车位，具体减少多少个" for 新增公共停车位10万个以上). None when
    the question and the report agree, or the answer already says the question has it wrong."""
    plain = without_markers(answer)
    if not turned_around([question], clause) or NEGATION.search(plain):
        return None
    up = bool(UP.search(clause))
    if lang == "zh":
        taken = (DOWN if up else UP).search(question)
        note = f"报告不是{taken.group(0) if taken else '这样说的'}，而是“{clause}”[{n}]。"
    else:  # the figure in English too, as a correction gives it
        english = _in_english(clause)
        note = (f"The report has it going {'up' if up else 'down'}, not {'down' if up else 'up'}: "
                f"{english + ' ' if english else ''}(“{clause}”) [{n}].")
    return _after(note, answer, lang)


def _in_english(text: str) -> str | None:
    """The first figure of ``text`` in English ("at least 5%"), None when it holds none."""
    figures = numbers.number_figures(text)
    return english_value(figures[0]) if figures else None


def _after(head: str, answer: str, lang: Lang) -> str:
    """``answer`` after ``head`` (a correction or a note), spaced as the language writes."""
    return f"{head}{'' if lang == 'zh' else ' '}{answer}"


def _correction(result: CheckResult, asked: list[numbers.Figure]) -> Correction:
    citation = result.citations[0]
    clause = _clause(result)
    reported = result.report_figures[0] if result.report_figures else ""
    wrong = next((f for f in asked if not figure_check.states_any(clause, [f])), asked[0])
    return Correction(wrong, reported, clause, citation)


_OPPOSITE = {("at_most", "over"), ("at_most", "at_least"), ("over", "at_most"), ("at_least", "at_most")}


def bounded_the_other_way(asked: list[numbers.Figure], reported: list[str]) -> bool:
    """A figure of the report's value bounded the other way ("2000亿元以下" for 突破2000亿元): also a wrong premise,
    unlike a hedge ("about") or a bound the report leaves out."""
    report = [f for text in reported for f in numbers.number_figures(text)]
    return any((a.qualifier, r.qualifier) in _OPPOSITE and figure_check.same_value(a.value, r.value)
               for a in asked for r in report)


def premise_claims(question: str, figures: list[numbers.Figure]) -> list[str]:
    """What the question takes for granted: each clause holding one of its figures, without the words that
    attribute it ("报告说", "does the report promise"), which are nowhere in the report."""
    claims = []
    for figure in figures:
        clause = clause_around(question, figure.start, figure.end).rstrip(CLAUSE_MARKS)
        claims.append(_ATTRIBUTION.sub("", clause) or clause)
    return list(dict.fromkeys(claims))


def corrected_question(question: str, correction: Correction) -> str | None:
    """The question with the report's figure in place of the wrong one, when what is left of it asks something
    more than whether the premise holds; None when the correction is the whole answer."""
    asked = correction.asked
    if asked is None:  # a denial corrected: the report's clause answers the why
        return None
    remainder = question.replace(clause_around(question, asked.start, asked.end), "", 1)
    if not (ASKS_WHAT.search(remainder) or "呢" in remainder):  # "…，那固定资产投资呢？" asks of another thing
        return None
    written = WRITTEN_NUMBER.search(question, asked.start, asked.end)
    reported = numbers.number_figures(correction.reported)
    if CJK.search(question) or written is None or not reported:
        return question[:asked.start] + correction.reported + question[asked.end:]
    # An English figure keeps its words ("50,000 places" becomes "27,000 places").
    return question[:written.start()] + in_english.format_english(reported[0]) + question[written.end():]


def question_after_correction(question: str, correction: Correction,
                              history: list[dict[str, str]] | None = None) -> ParsedQuestion | None:
    """What is left to answer once the premise is corrected (``corrected_question``), parsed; of it only the clauses
    that ask, when they name a thing: searched with it, the premise's thing fills the context ("Given the
    elderly-care bed target of 66,000, how many childcare places…" found only the beds' sentence). None when the
    correction is the whole answer."""
    if (corrected := corrected_question(question, correction)) is None:
        return None
    parsed = parse_question(corrected, history)
    rest = parse_question(asking_clauses(parsed.asking).strip(), history)
    # "它的产值增速目标是多少", "what is its growth target": the premise's thing is the one asked about.
    return (rest if rest.text != parsed.asking.strip() and (rest.things or rest.terms) and not refers_back(rest.text)
            else parsed)


def with_correction(correction: Correction, answer: str, citations: list[Citation], lang: Lang,
                    found: bool) -> tuple[str, list[Citation]]:
    """The correction first as [1], then the answer to the corrected question (its markers renumbered), unless
    that answer only restates the corrected figure or the report does not answer the rest."""
    head = correction.text(lang)
    merged = [replace(correction.citation, n=1)]
    if not found:
        return head, merged
    stated = numbers.number_figures(without_markers(answer))
    if stated and all(figure_check.states_any(correction.clause, [f]) for f in stated):
        return head, merged
    new_number: dict[int, int] = {}
    for citation in citations:
        if citation.chunk_id == correction.citation.chunk_id:
            new_number[citation.n] = 1
            continue
        new_number[citation.n] = len(merged) + 1
        merged.append(replace(citation, n=len(merged) + 1))

    return _after(head, renumber(answer, new_number), lang), merged
