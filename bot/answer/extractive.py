"""The answer without a model: the clause that best answers the question, its figure first, and the whole
sentence quoted with its citation. Users get it when the LLM is down, slow or its answer failed the checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from zzbot import figure_check, numbers
from zzbot import in_english
from bot.answer.citations import citation_for
from bot.retrieval.context import SHOWN_WHOLE, Context, ContextBuilder, Sentence, all_sentences, clauses_of
from bot.understand.questions import asks_list, asks_quantity
from bot.understand.terms import named_terms, report_terms
from bot.understand.scope import asked_measure, in_measure
from bot.schema import Citation, Lang

# A clause stating a figure is preferred by this much: most questions ask for one.
FIGURE_BONUS = 0.05
# Why the report's own text is shown instead of the model's answer, said before it.
Note = Literal["rejected", "unavailable", "closest", "judged"]
NOTES: dict[Note, dict[str, str]] = {
    "rejected": {"zh": "（模型答案未通过核对，以下为报告原文）",
                 "en": "(The model's answer could not be used; this is the report's own text.)"},
    "unavailable": {"zh": "（语言模型暂时无法回答，以下为报告原文）",
                    "en": "(The language model could not answer just now; this is the report's own text.)"},
    "closest": {"zh": "（以下为报告中与问题最接近的原文）", "en": "(This is the report's text closest to the question.)"},
    "judged": {"zh": "（报告的说法与问题不同，以下原文经模型判断说的就是所问的事物）",
               "en": "(The report words it differently; the model judged this passage to be about what you asked.)"},
}


@dataclass
class Extract:
    answer: str
    citation: Citation
    figures: list[numbers.Figure]  # the figures of the clause, led with
    clause: str  # the clause that best answers the question
    sentence: str  # the sentence quoted
    # The clause gives a figure in the measure a quantity question asks for: shown after a refusal, it is offered
    # as what the asker may have meant, not as an aside.
    in_asked_measure: bool = False


class ExtractiveAnswerer:
    def __init__(self, context_builder: ContextBuilder) -> None:
        self.context_builder = context_builder

    def answer(self, context: Context, question: str, chinese: str, lang: Lang,
               anchor: list[numbers.Figure] | None = None, note: Note | None = None,
               gives: Callable[[str], bool] | None = None, sentence: str | None = None) -> Extract | None:
        """None when the context is empty. With ``anchor`` figures, the sentence and clause that hold them are
        preferred, and ``sentence`` (one already chosen) before any; so is a clause that ``gives`` what the
        question asks for (a figure in the asked measure…);
        ``note`` puts a line before the answer saying why it is the report's text."""
        sentences = all_sentences(context)
        if not sentences:
            return None
        anchor = anchor or []
        best = max(sentences, key=lambda s: (s.text == sentence, figure_check.states_any(s.text, anchor), s.score))
        # A question for several things ("what are the targets") is answered by the whole list, not one item.
        clause = best if asks_list(question) else (
            _anchored_span(best, anchor) or self._best_clause(best, question, chinese, anchor, gives))
        figures = numbers.number_figures(clause.text)
        # A sentence that is long (a list of targets) or holds other figures is quoted by its answering clause: the
        # rest holds figures not asked for.
        whole = len(best.text) <= SHOWN_WHOLE and len(numbers.number_figures(best.text)) <= len(figures)
        quote = best.text.rstrip("。；;") if whole else f"…{clause.text}…"
        if lang == "en":
            lead = ", ".join(in_english.english_amount(f, qualified=True) for f in figures)
            text = (f"{lead} — " if lead else "") + f"the report says: “{quote}” [1]"
        else:
            lead = "、".join(f.text for f in figures)
            text = (f"{lead}。" if lead else "") + f"报告原文：“{quote}{'' if quote.endswith('…') else '。'}”[1]"
        if note:
            text = f"{NOTES[note][lang]}\n{text}"
        highlights = [(best.start, best.end)] + [(clause.start + f.start, clause.start + f.end) for f in figures]
        return Extract(text, citation_for(1, best.passage, highlights), figures, clause.text, best.text,
                       in_asked_measure=_in_asked_measure(question, figures))

    def _best_clause(self, sentence: Sentence, question: str, chinese: str, anchor: list[numbers.Figure],
                     gives: Callable[[str], bool] | None) -> Sentence:
        clauses = clauses_of(sentence)
        _, relevance = self.context_builder.relevance(question, chinese, [c.text for c in clauses],
                                                      [c.section for c in clauses])
        bonus = [(1.0 if figure_check.states_any(c.text, anchor) else 0.0)
                 + _term_weight(_terms_in_order(question), c.text)
                 + (FIGURE_BONUS if numbers.number_figures(c.text) else 0.0) for c in clauses]
        # A clause that gives what is asked comes first: any other would be refused once quoted (旅游总收入突破2000亿元
        # for "how much will tourists spend", not the visits the question's word names).
        given = [bool(gives and gives(c.text)) for c in clauses]
        return max(zip(clauses, given, relevance + np.array(bonus)), key=lambda item: (item[1], item[2]))[0]


def _terms_in_order(question: str) -> list[str]:
    """The report's terms for what a question names, in the order it names them (English phrases translated)."""
    written = sorted((term for term in named_terms(question) if term in question), key=question.find)
    return list(dict.fromkeys(report_terms(question) + written))


def _term_weight(terms: list[str], clause: str) -> float:
    """How well a clause holds the report's terms for what is asked, in the question's order: the last one named
    is the head of the phrase ("the electronic information cluster" → 集群规模 over 电子信息) and weighs most."""
    return max(((i + 1) / len(terms) for i, term in enumerate(terms) if term in clause), default=0.0)


def _anchored_span(sentence: Sentence, anchor: list[numbers.Figure]) -> Sentence | None:
    """The run of clauses from the first to the last holding an anchor figure, when several do ("燃气管网102公里、
    供热管网31.5公里" for the two asked about); None otherwise."""
    held = [c for c in clauses_of(sentence) if figure_check.states_any(c.text, anchor)]
    if len(held) < 2:
        return None
    start, end = held[0].start - sentence.start, held[-1].end - sentence.start
    return Sentence(sentence.passage, held[0].start, held[-1].end, sentence.text[start:end])


def nearby_text(extract: Extract, lang: Lang) -> str:
    """What the report says close to a question it does not answer, quoted after the refusal: as what the asker
    may have meant when it gives a figure of the kind asked for, else as what the report says nearby."""
    clause = extract.clause.strip().rstrip("。；;，,")
    if lang == "zh":
        return f"是不是指：“{clause}”[1]？" if extract.in_asked_measure else f"报告中相关的内容是：“{clause}”[1]。"
    english = ", ".join(in_english.english_amount(f, qualified=True) for f in extract.figures)
    quoted = f"“{clause}”{f' ({english})' if english else ''} [1]"
    return f" Did you mean: {quoted}?" if extract.in_asked_measure else f" Nearby, the report says: {quoted}."


def _in_asked_measure(question: str, figures: list[numbers.Figure]) -> bool:
    """Whether a quantity question gets, in ``figures``, a figure of the measure it asks for (any, if it names none)."""
    if not figures or not asks_quantity(question):
        return False
    measure = asked_measure(question)
    return measure is None or any(in_measure(f.unit, f.percent, measure) for f in figures)
