"""The answers without the model's, as the policy's fallback ladder (``bot.policy.rules``) orders them: the
report's own sentence when it is close enough to the question and gives what it asks for, else "not in the
report" with what the report says nearby. Every path records the rule that decided it in the state's trace, and
the result's ``fallback_reason`` is that rule's reason (None where the answer gives none: a plain refusal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from zzbot import figure_check, numbers
from bot.answer.extractive import Extract, ExtractiveAnswerer, Note, nearby_text
from bot.llm.prompting import not_found_message
from bot.policy.acceptance import Rejection
from bot.policy.judge import SubjectJudge
from bot.policy.state import ChainState
from bot.policy.evidence import counted_elsewhere
from bot.policy.subject import qualifier_apart, scope_unstated, stated_without_figure
from bot.retrieval.context import Context, Sentence, all_sentences, best_similarity, sentences_naming
from bot.retrieval.figure_table import FigureTable
from bot.policy.rules import RULE_BY_NAME
from bot.schema import AnswerResult, FigureCheck
from bot.understand.parsed import ParsedQuestion, parsed_text
from bot.understand.scope import person_names, states_measure
from bot.understand.terms import most_specific, report_terms
from zzbot.settings import AnswerSettings
from zzbot.text import clause_around


# The refusals a judge of meaning may turn into the nearby clause: those that only found no word of the question in
# the answer's sentence, or a model that found nothing. Not those of place, year, scope, invented figures.
JUDGED_REFUSALS = frozenset({"model_said_not_found", "not_a_bare_refusal", "counts_asked_subject", "subject_stated",
                             "about_asked_words", "about_asked_terms", "states_asked_measure", "worded_from_passages",
                             "takes_from_passages"})


# The rejections saying the answer's figure is not the report's figure of the thing asked: it counts another thing,
# or it is in none of the report's passages (a small model's slip: "6 childcare places" for 4.8个).
_NOT_THE_ASKED_FIGURE = frozenset({"counts_asked_subject", "subject_stated", "about_asked_terms",
                                   "figures_verified"})


class FallbackLadder:
    def __init__(self, settings: AnswerSettings, extractive: ExtractiveAnswerer,
                 judge: SubjectJudge | None = None, table: Callable[[], FigureTable] | None = None,
                 mentions: Callable[[str], bool] | None = None) -> None:
        self.settings = settings
        # The report's figures (loaded when first asked for), to tell whose figure a quoted clause gives.
        self.table = table
        # Whether the indexed documents use a word anywhere: a question naming a term they never use is not quoted
        # an answer ("hospital beds per 1,000 residents": not the childcare places per 1,000 people).
        self.mentions = mentions
        self.extractive = extractive
        self.judge = judge

    def nothing_found(self, state: ChainState, backend: str) -> AnswerResult:
        """The model found no answer. A small model misses answers in long sentences: a passage this close to
        the question is shown; an override attempt is judged as the claim it carries would be."""
        state.trace.decided("model_said_not_found")
        if self._names_unknown(state) or self._figureless(state):
            return self.not_found(state, backend)
        if best_similarity(state.context) >= self.settings.sure_similarity:
            return self.extractive_answer(state, "closest_passage", RULE_BY_NAME["closest_passage"].reason,
                                          note="closest")
        if (named := naming_sentence(state)) is not None:
            return self.extractive_answer(state, "naming_sentence", RULE_BY_NAME["naming_sentence"].reason,
                                          numbers.number_figures(named.sentence.text), note="closest")
        if state.override:
            step = state.trace.decided("override_judged_as_claim")
            return self.fallback(state, step.reason, self.settings.override_similarity)
        return self.not_found(state, backend)

    def rejected(self, state: ChainState, rejection: Rejection) -> AnswerResult:
        """A model answer a check rejected (the check is recorded as deciding it is not shown)."""
        state.trace.decided(rejection.check, rejection.reason, found=rejection.found)
        # The model's figure is not the report's figure of what is asked: the one sentence using every report term
        # for it is what the report says of it ("Since new urban jobs are set to fall…" answered with the
        # unemployment rate → 新增城镇就业12.65万人). Only of the city's own figures: the report's sentence is the
        # city's, not the province's or a joined place's.
        if (rejection.check in _NOT_THE_ASKED_FIGURE and state.parsed is not None and state.parsed.scope == "city"
                and not state.joined and (named := naming_sentence(state)) is not None and named.figures):
            return self.extractive_answer(state, "naming_sentence", rejection.reason, named.figures, note="closest")
        if rejection.threshold is None or self._names_unknown(state):
            return self.not_found(state, "extractive", rejection.reason)
        return self.fallback(state, rejection.reason, rejection.threshold, list(rejection.anchor))

    def _figureless(self, state: ChainState) -> Extract | None:
        """The clause stating what a quantity question asks about without a figure (进出口总值平稳增长, 居民人均可
        支配收入与经济增长同步) where no clause gives it one: no other clause's figure (GDP's 7%左右) is its answer."""
        terms = most_specific(set(state.parsed.terms)) if state.parsed and state.parsed.quantity else set()
        stated = stated_without_figure(state.context, terms) if terms else None
        if stated is None or any(all(term in clause_around(s.text, f.start, f.end) for term in terms)
                                 for s in all_sentences(state.context) for f in numbers.number_figures(s.text)):
            return None
        return self.extractive.answer(state.context, state.asked, state.chinese, state.lang,
                                      gives=lambda clause: clause == stated[0], sentence=stated[1])

    def _names_unknown(self, state: ChainState) -> bool:
        """Whether the question names a report term the indexed documents use nowhere (医院床位, 幼儿园)."""
        return bool(self.mentions and state.parsed and state.parsed.unknown_terms(self.mentions))

    def fallback(self, state: ChainState, reason: str | None, threshold: float | None = None,
                 anchor: list[numbers.Figure] | None = None, note: Note = "rejected") -> AnswerResult:
        """Without a usable model answer: the report's own sentence when it matches the question at least
        ``threshold`` (default ``answer.extractive_similarity``, for no model answer at all), otherwise "not in
        the report" (an invented figure usually means the report has no answer). ``anchor``: verified figures of
        the model's answer, whose sentence is the one quoted."""
        if threshold is None:
            threshold = self.settings.extractive_similarity
        if best_similarity(state.context) >= threshold:
            # What the report states without a figure is the clause quoted, to be found giving none.
            return self.extractive_answer(state, "extractive_fallback", reason, anchor, note, self._figureless(state))
        return self.not_found(state, "extractive", reason)

    def not_found(self, state: ChainState, backend: str, reason: str | None = None, *, decided: bool = False,
                  message: str | None = None, nearby: bool = True) -> AnswerResult:
        """Not in the report: the fixed message (or ``message``), then what the report says nearby when a passage
        is close enough to the question to be worth reading (``nearby``: a refusal of a place or year no indexed
        report is about shows no other report's sentence). ``decided``: the rule deciding it is already in the
        trace; else the ladder's last rung decides, for ``reason``."""
        refused_by = "" if decided else _last_decided(state)
        # The nearby clause is, where the sentence has one, the one giving what was asked (旅游总收入突破2000亿元 for
        # "how much will tourists spend", not the visits beside it): the one a judge of meaning may accept.
        extract = self._figureless(state) if nearby else None
        extract = extract or (self.extractive.answer(state.context, state.asked, state.chinese, state.lang,
                                                     gives=_gives(state))
                              if nearby and best_similarity(state.context) >= self.settings.nearby_similarity else None)
        if refused_by in JUDGED_REFUSALS and not self._names_unknown(state):
            # Too far from the question to show as nearby, the model's own clause is still judged: its words may be
            # none of the question's (坑坑洼洼的马路 for 道路中小修).
            own = extract or (self.extractive.answer(state.context, state.asked, state.chinese, state.lang,
                                                     state.answered, gives=_gives(state)) if state.answered else None)
            if own and (own is extract or figure_check.states_any(own.clause, state.answered)) and (
                    judged := self._judged_same(state, own)) is not None:
                return judged  # decided by nearby_judged_same, not refused
        if not decided:
            state.trace.decided("not_found_with_nearby", reason)
        answer = message or not_found_message(state.lang)
        citations = []
        if extract:
            answer += nearby_text(extract, state.lang)
            citations = [extract.citation]
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=answer, found=False,
            verified=True, citations=citations, backend=backend, timings_ms={}, lang=state.lang,
            fallback_reason=reason,
        )

    def _judged_same(self, state: ChainState, extract: Extract) -> AnswerResult | None:
        """The nearby clause as the answer, when it gives a figure of the kind asked (any, for a yes-no question) and
        the judge of meaning says it states the very thing asked, in the report's words (停车的地方 →
        新增公共停车位10万个以上; "人才公寓还分吗" → 分配人才公寓2万套（间）)."""
        if self.judge is None or state.override or state.parsed is None or state.parsed.scope != "city":
            return None
        # A figure of the kind asked, or for a yes-no question any figure: the report says it happens, and how much.
        if not (extract.in_asked_measure or (state.parsed.wanted == "yes_no" and extract.figures)):
            return None
        # An English question is judged as searched: with the report's terms written in (its translation, when
        # answer.translate_questions is on), as the clause is Chinese (dev pairs: AUC 0.86 against 0.73).
        asked = state.chinese if state.lang == "en" and state.chinese else state.asked
        margin = self.judge.margin(state.backend, asked, extract.clause)
        if margin is None or margin < self.settings.subject_judge_margin:
            return None
        reason = RULE_BY_NAME["nearby_judged_same"].reason.format(found=f"{margin:.2f}")
        # The judged clause itself is quoted: anchoring at its figures would also take every other clause stating
        # the same value (增长3%以上 beside 涨幅3%左右).
        return self.extractive_answer(state, "nearby_judged_same", reason, note="judged", judged=extract)

    def extractive_answer(self, state: ChainState, rule: str, reason: str | None = None,
                          anchor: list[numbers.Figure] | None = None, note: Note = "rejected",
                          judged: Extract | None = None) -> AnswerResult:
        """The report's own sentence (``rule`` deciding), when it gives what the question asks for (a figure, an
        amount of money, a person…); otherwise the report does not answer the question. ``judged``: the clause
        to quote, when one is already chosen, with its sentence."""
        extract = self.extractive.answer(
            state.context, state.asked, state.chinese, state.lang, anchor, note=note if reason else None,
            gives=(lambda text: text == judged.clause) if judged else _gives(state),
            sentence=judged.sentence if judged else None)
        if extract is None:
            return self.not_found(state, "extractive", reason)
        if unmet := unmet_requirement(state.parsed or parsed_text(state.focus), extract.clause, extract.sentence,
                                      state.context, self.table() if self.table else None):
            because = f"{reason}; {unmet.reason}" if reason else unmet.reason
            state.trace.decided(unmet.check, because, found=unmet.found)
            return self.not_found(state, "extractive", because, decided=True)
        state.trace.decided(rule, reason)
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=extract.answer, found=True,
            verified=True, citations=[extract.citation], backend="extractive", timings_ms={}, lang=state.lang,
            fallback_reason=reason, figures=[FigureCheck(f.text, True, 1) for f in extract.figures],
        )


def unmet_requirement(asked: ParsedQuestion, clause: str, sentence: str, context: Context,
                      table: FigureTable | None = None) -> Rejection | None:
    """What a quoted report clause fails to give that the question asks for (a figure, a figure in the asked
    measure, a person), as a rejection named as in the policy table (``bot.policy.rules``); None when it gives
    it. The extractive answer is held to what the question asks, as the model's is."""
    if asked.quantity and not numbers.number_figures(clause):
        return Rejection("quote_gives_figure", "the report's closest sentence gives no figure for it", None)
    if asked.quantity and asked.measure and not states_measure(clause, asked.measure):
        return Rejection("quote_in_asked_measure",
                         f"the report's closest sentence gives no figure in the measure asked for ({asked.measure})",
                         None, found=asked.measure)
    if reason := scope_unstated(asked, context, [], [clause]):  # the country's or province's figure, as for a model
        return Rejection("scope_stated", reason, None, found=asked.scope)
    if (subject := asked.counted_thing) and counted_elsewhere(sentence, subject, numbers.number_figures(clause)):
        return Rejection("counts_asked_subject", f"the report's figure is not about {subject}", None, found=subject)
    if table is not None and (apart := qualifier_apart(asked, context, numbers.number_figures(clause), table)):
        return Rejection("qualifier_stated", apart.reason, None, found=apart.asked)
    if asked.wanted == "person" and not any(name in sentence for name in
                                            person_names(" ".join(s.text for s in all_sentences(context)))):
        return Rejection("quote_names_person", "the report names no person for it", None)
    return None


def _gives(state: ChainState) -> Callable[[str], bool]:
    """Whether a clause gives what the question asks for (a figure in the asked measure, a person…). A follow-up no
    model made standalone is held to its own words; otherwise to the parsed question."""
    asked = state.parsed if state.asked == state.focus and state.parsed else parsed_text(state.asked)
    return lambda text: unmet_requirement(asked, text, text, state.context) is None


def _last_decided(state: ChainState) -> str:
    return next((step.rule for step in reversed(state.trace.steps) if step.outcome == "decided"), "")


class NamingSentence(NamedTuple):
    sentence: Sentence
    # Its figures whose own clause uses the report's term for what is asked (新增城镇就业12.65万人, not the
    # 农村劳动力转移就业2.68万人 beside it): none when it names the thing but gives it no figure (组建产业投资集团).
    figures: list[numbers.Figure]


def naming_sentence(state: ChainState) -> NamingSentence | None:
    """The one context sentence holding the report's own terms for everything an English question names that the
    glossary knows ("street lights" is 主干道亮灯率): the report speaks of it there, though a small model did not see
    the paraphrase. None when a term is in no sentence ("hospitals", 医院) or the terms are in several."""
    terms = _asked_terms(state)
    holding = sentences_naming(state.context, terms)
    if len(holding) != 1:
        return None
    text = holding[0].text
    return NamingSentence(holding[0], [f for f in numbers.number_figures(text)
                                       if any(term in clause_around(text, f.start, f.end) for term in terms)])


def _asked_terms(state: ChainState) -> list[str]:
    """The glossary's report terms for what is asked, read from the clauses that ask when the question is parsed: a
    premise's thing is not asked ("Given the elderly-care bed target of 66,000, how many childcare places…" asks of
    托位, not of 养老托老床位)."""
    parsed = state.parsed
    return report_terms(parsed.naming if parsed is not None and parsed.text == state.asked else state.asked)
