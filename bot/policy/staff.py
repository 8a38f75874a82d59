"""Staff questions in the chat: "这句话对不对：…", "稿子里写的是…帮看下", "Is it true that…" ask for a verdict on a
sentence, so the fact-checker answers them, and the reply gives the verdict first, then the report's own words
with their citation."""

from __future__ import annotations

from zzbot import in_english

from bot.policy.state import ChainState
from bot.schema import AnswerResult, CheckResult, FigureCheck, Lang

_VERDICT_FIRST: dict[Lang, dict[str, str]] = {
    "zh": {"supported": "对，与报告一致。", "contradicted": "不对，与报告不符。",
           "not_in_report": "无法确认。"},
    "en": {"supported": "Correct: the report agrees.", "contradicted": "Not correct: the report says otherwise.",
           "not_in_report": "Cannot be confirmed."},
}


def checked_answer(state: ChainState, check: CheckResult) -> AnswerResult:
    """The chat's answer to a staff question from the fact-check of its sentence."""
    explanation = check.explanation.strip()
    if state.lang == "en":  # the report's words quoted in an English explanation get their English values
        explanation = in_english.annotate_for_english(explanation)
    marker = " [1]" if state.lang == "en" else "[1]"
    space = " " if state.lang == "en" else ""
    answer = f"{_VERDICT_FIRST[state.lang][check.verdict]}{space}{explanation}".strip()
    if check.citations:
        answer += marker
    figures = [FigureCheck(text, True, 1) for text in check.report_figures] if check.citations else []
    return AnswerResult(
        question=state.question, standalone_question=state.standalone or state.question, answer=answer,
        found=check.verdict != "not_in_report", verified=True, citations=check.citations[:1],
        backend="fact-check", timings_ms={}, lang=state.lang, figures=figures,
    )
