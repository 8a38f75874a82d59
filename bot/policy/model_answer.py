"""The model's answer between generation and the asker: made ready for review (``draft``), built into a result
once every check passed (``accepted``), and noted when its figure moves the other way than the question has it."""

from __future__ import annotations

from dataclasses import replace

from zzbot import figure_check
from zzbot.in_english import with_digits
from bot.answer.citations import citation_for, figure_highlights, renumber, repoint
from bot.answer.english import (
    english_figures,
    quoted_in_english,
    repair_scale,
    source_quote,
    spaced_names,
    mostly_chinese,
    without_own_conversions,
)
from bot.policy.acceptance import Draft
from bot.policy.evidence import counts_own_list, per_capita_base
from bot.policy.premises import direction_noted
from bot.policy.state import ChainState, previous_answer
from bot.retrieval.figure_table import FigureTable
from bot.schema import AnswerResult, FigureCheck, Lang
from bot.understand.questions import asks_part_of_previous
from index.corpus import CorpusFacts
from zzbot.text import CLAUSE_MARKS, cited_numbers, clause_around, without_markers


def draft(state: ChainState, raw: str, corpus: CorpusFacts, table: FigureTable | None = None) -> Draft:
    """The model's answer made ready for review: English figures rendered by code, markers pointed at the
    passages holding the figures, every figure matched against the passages; ``table`` is the figure table."""
    sources = state.sources
    text = raw
    if state.lang == "en" and (quoted := quoted_in_english(text, sources)) is not None:
        text = quoted  # the report's clause copied as the answer: its figures in English first
    elif state.lang == "en":
        if state.parsed.quantity:  # "How long…?" answered "three years": a figure to check
            text = with_digits(text)
        text = spaced_names(without_own_conversions(repair_scale(english_figures(text), sources), sources))
        if not state.parsed.quantity and not mostly_chinese(text):
            # A name or programme in English only may be a wrong romanisation ("Shaoxing" for 嵩山), or half
            # translated ("diesel 货车", "autumn winter pollution" for 重污染天气): the report's own words go with it.
            text = f"{text} {source_quote(state.context, without_markers(text))}"
    text = repoint(text, sources)
    plain = without_markers(text)
    checks = figure_check.match_figures(plain, sources)
    # Years and dates are checked against the whole report: the question's year need not be in the passage.
    known = corpus.corpus_dates()
    checks = [c if c.figure.kind == "number" else replace(c, found=(c.figure.kind, c.figure.value) in known)
              for c in checks if c.figure.kind != "ordinal" and not per_capita_base(plain, c.figure, sources)
              and not counts_own_list(plain, c.figure)]
    # A corrected figure has left the question (the report's replaced it): the same value stated of another thing
    # came from the report ("GDP目标是增长8%" corrected to 7%, then 固定资产投资增长8%以上).
    unconfirmed = [f for f in state.premise.figures if state.correction is None or f != state.correction.asked
                   ] if state.premise and not state.premise.confirmed else []
    return Draft(raw=raw, text=text, lang=state.lang, question=state.focus, standalone=state.standalone,
                 override=state.override, context=state.context, sources=sources, figure_checks=checks,
                 unconfirmed=unconfirmed, home_words=corpus.home_words(), joined=state.joined,
                 whole=previous_answer(state.history) if asks_part_of_previous(state.question) else "",
                 parsed=state.parsed, table=table or FigureTable(()), mentions=corpus.mentions)


def accepted(state: ChainState, draft: Draft, backend: str) -> AnswerResult:
    """The result of a model answer every check passed: its cited passages renumbered [1], [2]… in the order
    cited, each figure's own passage cited even if the model forgot its marker."""
    checks = draft.figure_checks
    cited = [n for n in cited_numbers(draft.text) if 1 <= n <= len(state.context)]
    for check in checks:
        if check.source_index is not None and check.source_index + 1 not in cited:
            cited.append(check.source_index + 1)
    if not cited and state.context:
        cited = [1]
    new_number = {old: new for new, old in enumerate(cited, start=1)}
    citations = []
    for old, new in new_number.items():
        group = state.context[old - 1]
        figures = [c.figure for c in checks if c.source_index == old - 1]
        citations.append(citation_for(new, group[0].passage, figure_highlights(group, figures)))
    figures = [FigureCheck(c.figure.text, c.found,
                           new_number.get(c.source_index + 1) if c.source_index is not None else None)
               for c in checks]
    return AnswerResult(
        question=state.question, standalone_question=state.standalone, answer=renumber(draft.text, new_number),
        found=True, verified=True, citations=citations, backend=backend, timings_ms={}, lang=state.lang,
        figures=figures,
    )


def direction_note(state: ChainState, result: AnswerResult) -> str | None:
    """The answer noting that its first verified figure moves the other way than the question has it (see
    ``premises.direction_noted``), read from that figure's clause in its cited passage; None when it does not."""
    check = next((f for f in result.figures if f.verified and f.citation is not None), None)
    citation = next((c for c in result.citations if check and c.n == check.citation), None)
    # The quoted sentences come first, then each figure inside one of them.
    figures = [h for h in citation.highlights[1:] if any(o != h and o[0] <= h[0] and h[1] <= o[1]
                                                         for o in citation.highlights)] if citation else []
    if citation is None or not figures:
        return None
    start, end = figures[0]
    clause = clause_around(citation.text, start - citation.start, end - citation.start).rstrip(CLAUSE_MARKS)
    return direction_noted(state.focus, result.answer, clause, citation.n, state.lang)


# What the answer prompt asks the model to write when the passages do not answer the question.
NOT_FOUND_TOKEN = "NOT_FOUND"


def queue_message(ahead: int, lang: Lang) -> str:
    """What a user waiting for the model is told."""
    return f"前面还有{ahead}个问题" if lang == "zh" else f"{ahead} question{'' if ahead == 1 else 's'} ahead of you"


def visible_text(text: str) -> str | None:
    """What of the model's text so far may be shown: the start is held back until it cannot be the NOT_FOUND
    signal; None while it still may be."""
    visible = text.lstrip()
    if len(visible) < len(NOT_FOUND_TOKEN) and NOT_FOUND_TOKEN.startswith(visible):
        return None
    return None if visible.startswith(NOT_FOUND_TOKEN[:3]) else visible
