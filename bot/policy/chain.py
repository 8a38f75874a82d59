"""The answer chain: follow-up rewriting → retrieval → context selection → generation → review (named
acceptance checks, figure verification) → citations, streamed as events.

The model never converts units: for English questions every Chinese-scaled figure in the context is annotated
with its English value in code (2.7万个(=27,000)). An answer that fails a check (``bot.policy.acceptance``) is replaced
by the extractive answer or by "not in the report", and the result says why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any
from dataclasses import dataclass, field, replace

import numpy as np
from langchain_core.runnables import Runnable, RunnableConfig

from zzbot import numbers
from bot.policy.acceptance import Draft, Rejection, first_rejection, per_capita_base, unmet_requirement
from bot.answer.citations import citation_for, figure_highlights, renumber, repoint
from bot.answer.compute import calculation_by_parts, compute, named_by, operands_of, pick_calculation, unmatched_parts
from bot.retrieval.context import Context, ContextBuilder, Sentence, all_sentences, best_similarity
from bot.engine import Engine
from bot.answer.english import (
    english_figures,
    repair_scale,
    source_quote,
    unquoted,
    with_digits,
    without_own_conversions,
)
from bot.answer.extractive import ExtractiveAnswerer, Note, nearby_text
from bot.policy.factcheck import FactChecker
from bot.llm.client import BackendError, ChatBackend, Waiting
from bot.llm.prompting import not_found_message, render
from bot.understand.questions import (
    Calculation,
    asks_calculation,
    asks_part_of_previous,
    question_parts,
    asks_quantity,
    clean_history,
    clean_question,
    detect_lang,
    in_report_terms,
    instruction_override,
    question_focus,
    relative_years,
    report_terms,
    without_place,
    without_year,
)
from bot.policy.premises import Correction, Premise, check_premise, corrected_question, direction_noted, with_correction
from bot.options import validate_backend, validate_k
from bot.retrieval.retriever import Passage, ReportRetriever, passage_from_document, reciprocal_rank_fusion
from bot.understand.rewrite import chinese_question, standalone_question
from bot.schema import AnswerResult, BotInputError, FigureCheck, Lang, StreamEvent
from zzbot.places import places_named
from zzbot.arithmetic import CalculationError
from zzbot.text import CJK, CLAUSE_MARKS, cited_numbers, clause_around, names_outside_per, without_markers

log = logging.getLogger(__name__)

NOT_FOUND_TOKEN = "NOT_FOUND"
# A calculation searches this many passages more than a lookup: its operands may stand in several sections.
COMPUTE_EXTRA_PASSAGES = 2
# Weight of shared words beside embedding similarity when a thing a question names is matched to a figure.
PART_WORD_WEIGHT = 0.5
# The chat prompts the chain sends, each to its own model context (see AnswerChain._backend).
PROMPT_ROLES = ("answer.zh", "answer.en", "rewrite.zh", "rewrite.en", "compute.zh", "compute.en", "translate.en")


# What the runnable takes: {"question": str, "history": [...], "backend": str, "k": int}, or a bare question.
ChainInput = dict[str, Any] | str
_INPUT_KEYS = ("question", "history", "backend", "k")


def chain_input(data: ChainInput) -> dict[str, Any]:
    """The runnable's input as ``events``' keyword arguments; a bad input raises BotInputError."""
    if isinstance(data, str):
        return {"question": data}
    if not isinstance(data, dict) or "question" not in data:
        raise BotInputError('the input must be a question or a dict with "question" (and "history", "backend", "k")')
    if unknown := sorted(set(data) - set(_INPUT_KEYS)):
        raise BotInputError(f"unknown input key(s) {', '.join(unknown)}; use {', '.join(_INPUT_KEYS)}")
    return {key: data[key] for key in _INPUT_KEYS if key in data}


@dataclass
class ChainState:
    question: str
    history: list[dict[str, str]]
    lang: Lang
    backend: str
    k: int
    began: float = field(default_factory=time.perf_counter)
    timings_ms: dict[str, float] = field(default_factory=dict)
    standalone: str = ""
    # What is searched for and put to the model: the standalone question without an override preamble.
    focus: str = ""
    override: bool = False  # the question tries to override instructions or to supply its own facts
    # The question in the report's words, searched for beside it: a Chinese one with "GDP" written 地区生产总值,
    # or an English one translated when answer.translate_questions is on.
    chinese: str = ""
    passages: list[Passage] = field(default_factory=list)
    context: Context = field(default_factory=list)  # per numbered passage [1], [2]…
    # A figure the question takes for granted that the report contradicts; premise_only: the correction is the
    # whole answer (the question asks nothing more).
    premise: Premise | None = None  # the figures the question takes for granted, checked
    correction: Correction | None = None
    premise_only: bool = False
    streamed: str = ""  # the answer text streamed so far
    # A follow-up no model made standalone: searched for in its own words first, and its context picked by them.
    follow_up: str = ""
    # The names joining a place the question asks about to the documents' own place (郑开 for 郑州和开封).
    joined: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        """The text of each numbered passage."""
        return [group[0].passage.chunk.text for group in self.context]


class AnswerChain(Runnable[ChainInput, dict[str, Any]]):
    """The bot as a LangChain ``Runnable``: ``invoke({"question": …, "history": [...]})`` returns the answer as a
    dict (``AnswerResult.to_dict()``); ``stream`` yields the events as dicts, the last one with the result;
    ``batch`` and ``astream`` work as for any runnable. ``events`` and ``ask`` are the typed forms the CLI, UI
    and eval use. Input keys: question (required), history, backend, k."""

    def __init__(self, engine: Engine, retriever: ReportRetriever | None = None) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.retriever = retriever or engine.retriever()
        self.context_builder = ContextBuilder(engine, self.settings.answer)
        self.extractive = ExtractiveAnswerer(self.context_builder)
        self.fact_checker = FactChecker(engine)

    # -- the Runnable interface ---------------------------------------------------------------------

    @property
    def InputType(self) -> type:  # noqa: N802 - LangChain's name
        return dict

    @property
    def OutputType(self) -> type:  # noqa: N802
        return dict

    def invoke(self, input: ChainInput, config: RunnableConfig | None = None, **kwargs: Any) -> dict[str, Any]:  # noqa: A002
        return self._call_with_config(lambda data: self.ask(**chain_input(data)).to_dict(), input, config,
                                      run_type="chain")

    def stream(self, input: ChainInput, config: RunnableConfig | None = None,  # noqa: A002
               **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield from self._transform_stream_with_config(iter([input]), self._event_dicts, config, run_type="chain")

    async def astream(self, input: ChainInput, config: RunnableConfig | None = None,  # noqa: A002
                      **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """The events as they come, computed in a worker thread so the event loop is never blocked."""
        events = self.stream(input, config, **kwargs)
        done = object()
        while (event := await asyncio.to_thread(next, events, done)) is not done:
            yield event  # type: ignore[misc]

    def _event_dicts(self, inputs: Iterator[ChainInput]) -> Iterator[dict[str, Any]]:
        for data in inputs:
            for event in self.events(**chain_input(data)):
                yield event.to_dict()

    # -- the typed interface ------------------------------------------------------------------------

    def events(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        backend: str | None = None,
        k: int | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield the answer as it is generated, then a final event with the full result.
        Raises BotInputError for bad input and BotUnavailable when a model or the index is missing."""
        limit = self.settings.question_max_chars
        question = clean_question(question, limit)
        state = ChainState(
            question=question,
            history=clean_history(history, limit),
            lang=detect_lang(question),
            backend=validate_backend(backend) if backend is not None else self.settings.llm.backend,
            k=validate_k(k) if k is not None else self.settings.retrieval.k,
        )
        self.engine.searcher  # noqa: B018 - fail fast with a clear message if the index is missing
        for stage in (self._rewrite, self._focus, self._retrieve):
            stage(state)
        yield from self._answer(state)

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            backend: str | None = None, k: int | None = None) -> AnswerResult:
        for event in self.events(question, history, backend, k):
            if event.kind == "final" and event.result is not None:
                return event.result
        raise RuntimeError("the answer chain ended without a result")

    def warm_up(self, backend: str | None = None) -> None:
        """Load the embedder, the index and the model, and prime every prompt the chain uses (each prefix is
        restored from the prompt cache or evaluated once), so that the first questions are as fast as the later
        ones. Raises BackendError when the backend is unavailable."""
        self.engine.searcher  # noqa: B018 - the embedder and the index too
        name = backend or self.settings.llm.backend
        if name == "extractive":
            return
        for role in PROMPT_ROLES:
            if role != "translate.en" or self.settings.answer.translate_questions:
                self.engine.prime(name, role)

    # -- stages -----------------------------------------------------------------------------------

    def _rewrite(self, state: ChainState) -> None:
        began = time.perf_counter()
        state.standalone = state.question
        turns = state.history[-2 * self.settings.answer.history_turns:] if self.settings.answer.history_turns else []
        if turns:
            state.standalone, stands_alone = standalone_question(state.question, turns, state.lang,
                                                                 lambda role: self._backend(state, role))
            # The earlier question only gives the follow-up its subject: what it asks is in its own words.
            state.follow_up = "" if stands_alone else state.question
        state.timings_ms["rewrite"] = _ms(began)

    def _focus(self, state: ChainState) -> None:
        began = time.perf_counter()
        state.focus = question_focus(state.standalone)
        state.override = instruction_override(state.standalone)
        if state.lang == "en" and self.settings.answer.translate_questions:
            state.chinese = chinese_question(state.focus, lambda role: self._backend(state, role))
        elif (terms := in_report_terms(state.focus)) != state.focus:  # "GDP" searched as 地区生产总值 too
            state.chinese = terms
        answer = self.settings.answer
        state.premise = check_premise(self.fact_checker, state.focus, answer.premise_similarity,
                                      answer.turned_premise_similarity)
        state.correction = state.premise.correction if state.premise else None
        if state.correction is not None:
            corrected = corrected_question(state.focus, state.correction)
            state.premise_only = corrected is None
            state.focus = corrected or state.focus
        state.timings_ms["rewrite"] = state.timings_ms.get("rewrite", 0.0) + _ms(began)

    def _retrieve(self, state: ChainState) -> None:
        began = time.perf_counter()
        # The report's own year and place are in every sentence's scope: searched for, they only pull in the
        # introduction and the passages repeating the name (功夫郑州).
        year, place = self.engine.corpus.sole_year(), self.engine.corpus.home_place()
        follow_up, focus, chinese = (without_place(without_year(q, year), place)
                                     for q in (state.follow_up, state.focus, state.chinese))
        queries = [q for q in (follow_up, focus, chinese) if q]
        self.engine.embed_queries(queries)
        rankings = [self._search(q, state.k) for q in queries]
        state.passages = rankings[0] if len(rankings) == 1 else _fuse(rankings, state.k, self.settings.retrieval.rrf_k)
        state.context = self.context_builder.build(follow_up or focus, state.passages, chinese)
        state.timings_ms["retrieve"] = _ms(began)

    def _search(self, query: str, k: int) -> list[Passage]:
        return [passage_from_document(d) for d in self.retriever.invoke(query, k=k)]

    # -- answering --------------------------------------------------------------------------------

    def _answer(self, state: ChainState) -> Iterator[StreamEvent]:
        if state.history:
            yield StreamEvent("rewrite", text=state.standalone)
        yield StreamEvent("sources", citations=[citation_for(n, group[0].passage, [(s.start, s.end) for s in group])
                                                for n, group in enumerate(state.context, start=1)])
        began = time.perf_counter()
        result = yield from self._respond(state)
        if state.correction is not None:
            answer, citations = with_correction(state.correction, result.answer, result.citations, state.lang,
                                                result.found)
            result = replace(result, answer=answer, citations=citations, found=True)
        elif result.found and (noted := _direction_noted(state, result)):
            result = replace(result, answer=noted)
        if result.answer != state.streamed:
            yield StreamEvent("replace", text=result.answer)
        yield from self._finish(state, result, began)

    def _respond(self, state: ChainState) -> Generator[StreamEvent, None, AnswerResult]:
        """The answer, streaming the model's text as it comes (into ``state.streamed``)."""
        if (result := self._outside_report(state)) is not None:
            return result
        # No calculation for a joined place: the report gives Kaifeng's own figures nowhere.
        if (not state.joined and (kind := asks_calculation(state.focus))
                and (result := self._computed(state, kind)) is not None):
            return result
        try:
            backend = self._backend(state, role=f"answer.{state.lang}")
        except BackendError as err:
            return self._fallback(state, f"the {state.backend} backend is unavailable: {err}", note="unavailable")
        if backend is None:
            return self._fallback(state, None, note="unavailable")
        return (yield from self._model_answer(state, backend))

    def _outside_report(self, state: ChainState) -> AnswerResult | None:
        """"Not in the report" before any model runs: a place no document mentions, a year none covers, nothing
        close to the question; or the correction of its premise is the whole answer."""
        named = places_named(state.focus)
        state.joined = [joined for p in named if (joined := self.engine.corpus.joined_name(p, state.focus))]
        if uncovered := [p for p in named if not self.engine.corpus.covers_place(p, state.focus)]:
            chinese, english = "、".join(p.chinese for p in uncovered), ", ".join(p.english[0] for p in uncovered)
            return self._not_found(state, state.backend, f"the report does not cover {chinese}", explanation={
                "zh": f"报告没有涉及{chinese}。", "en": f"The report does not cover {english}."})
        if (state.correction is not None and state.premise_only
                or self._closest(state) < self.settings.answer.min_similarity
                or self.engine.corpus.unknown_years(state.standalone, relative_years(state.standalone))):
            return self._not_found(state, state.backend)
        return None

    def _closest(self, state: ChainState) -> float:
        """How close the report's closest sentence is to the question. The search left out the documents' own
        place, which a short question leans on: "郑州市长是谁" searched as "市长是谁" is 0.23 from 市长何雄…, under
        the floor; asked as written, 0.62. The question as written is tried only when the context falls short."""
        best = best_similarity(state.context)
        place = self.engine.corpus.home_place()
        if best >= self.settings.answer.min_similarity or place is None or not place.named_in(state.focus):
            return best
        sentences = all_sentences(state.context)
        as_written = self.engine.similarities(state.focus, [s.text for s in sentences], [s.section for s in sentences])
        return max(best, float(np.max(as_written, initial=-1.0)))

    def _model_answer(self, state: ChainState, backend: ChatBackend) -> Generator[StreamEvent, None, AnswerResult]:
        text = ""
        try:
            for piece in backend.stream(self._messages(state), self.settings.llm.max_tokens):
                if isinstance(piece, Waiting):  # others are before this question in the model's line
                    yield StreamEvent("queue", text=_queue_message(piece.ahead, state.lang), position=piece.ahead)
                    continue
                state.timings_ms.setdefault("first_token", _ms(state.began))
                text += piece
                if (visible := _visible(text)) is not None and visible != state.streamed:
                    yield StreamEvent("token", text=visible[len(state.streamed):])
                    state.streamed = visible
        except BackendError as err:
            return self._fallback(state, f"the {backend.name} backend failed: {err}", note="unavailable")
        return self._from_model(state, text.strip(), backend.name)

    def _computed(self, state: ChainState, kind: Calculation) -> AnswerResult | None:
        """A sum, comparison, ratio… worked out by code from the figures the question names (or, when they cannot
        be matched, from the model's calculation); None when there is nothing to combine (the question is then
        answered as any other)."""
        passages = self._search(state.focus, state.k + COMPUTE_EXTRA_PASSAGES)

        def relevance(texts: list[str]) -> np.ndarray:
            return self.context_builder.relevance(state.focus, state.chinese, texts, [""] * len(texts))[1]

        def part_scores(part: str, texts: list[str]) -> np.ndarray:
            # An English part is matched in the report's words too ("school places" as 学位).
            words = in_report_terms(part)
            similarity = self.engine.similarities(part, texts)
            if words != part:
                similarity = np.maximum(similarity, self.engine.similarities(words, texts))
            return similarity + PART_WORD_WEIGHT * np.array(self.engine.word_overlap(words, texts))

        operands = operands_of(passages, self.engine.figure_rows, relevance)
        # The things the question names, matched to figures by code; the model writes the calculation only when
        # they cannot be (a constant: "100 - F1", "F1 / 365").
        answer = self.settings.answer
        parts = question_parts(state.focus, kind)
        min_score = answer.part_similarity if state.lang == "zh" else answer.part_similarity_en
        expression = calculation_by_parts(kind, parts, operands, part_scores, min_score)
        if expression is None and kind == "comparison" and len(parts) >= 2 and state.lang == "zh":
            unmatched = unmatched_parts(parts, operands, part_scores, min_score)
            if 0 < len(unmatched) < len(parts):
                # One side of the comparison has a figure, the other none: the report cannot compare them. (An
                # English part is matched across languages, too loosely to conclude that nothing is about it:
                # "…raised or allocated?" names 分配 by "allocated".)
                return self._not_found_because(state, f"the report gives no figure for {unmatched[0]}")
        written_by = "extractive"
        if expression is None and operands:
            try:
                backend = self._backend(state, role=f"compute.{state.lang}")
            except BackendError as err:
                log.warning("no model to write the calculation: %s", err)
                return None
            if backend is None:
                return None
            expression, written_by = pick_calculation(operands, state.focus, state.lang, backend), backend.name
        if expression is None:
            return None
        try:
            computed = compute(kind, expression, operands, state.lang, state.focus)
        except CalculationError as err:
            # Figures the question names that cannot be combined (亩 and 斤) are refused with the reason;
            # a mismatch of figures the question does not name is the model's mistake, answered as usual.
            if named_by(state.focus, expression, operands):
                return self._not_found_because(state, f"the figures cannot be combined: {err}")
            log.info("the model's calculation %r failed (%s); answering without it", expression, err)
            return None
        if computed is None:
            return None
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=computed.answer, found=True,
            verified=True, citations=computed.citations, backend=written_by, timings_ms={}, lang=state.lang,
            figures=computed.figures, working=computed.working,
        )

    def _finish(self, state: ChainState, result: AnswerResult, began: float) -> Iterator[StreamEvent]:
        state.timings_ms["generate"] = _ms(began)
        state.timings_ms["total"] = _ms(state.began)
        result.timings_ms = {k: round(v, 1) for k, v in state.timings_ms.items()}
        yield StreamEvent("final", result=result)

    def _backend(self, state: ChainState, role: str) -> ChatBackend | None:
        """The backend for one prompt (``answer.zh``…): each prompt gets its own llama.cpp context, so its
        long few-shot prefix stays evaluated whichever language the previous question was in (switching
        prompts in one context cost 5-8 s before the first token)."""
        if state.backend == "extractive":
            return None
        return self.engine.backend(state.backend, role)

    def _messages(self, state: ChainState) -> list[dict[str, str]]:
        lines = []
        for n, group in enumerate(state.context, start=1):
            text = "".join(s.shown or s.text for s in group)
            if state.lang == "en":
                text = numbers.annotate_for_english(text)
            lines.append(f"[{n}] {text}")
        return render(f"answer.{state.lang}.md", passages="\n".join(lines),
                      question=in_report_terms(state.focus, annotate=True))

    def _from_model(self, state: ChainState, text: str, backend: str) -> AnswerResult:
        if not text or text.startswith(NOT_FOUND_TOKEN) or text.rstrip("。.").endswith(NOT_FOUND_TOKEN):
            return self._nothing_found(state, backend)
        draft = self._draft(state, text.replace(NOT_FOUND_TOKEN, "").strip())
        if rejection := first_rejection(draft, self.settings.answer):
            return self._rejected(state, rejection)
        return self._accepted(state, draft, backend)

    def _nothing_found(self, state: ChainState, backend: str) -> AnswerResult:
        """The model found no answer. A small model misses answers in long sentences: a passage this close to
        the question is shown; an override attempt is judged as the claim it carries would be."""
        answer = self.settings.answer
        if best_similarity(state.context) >= answer.sure_similarity:
            return self._extractive(state, "the model found no answer, but a passage matches the question closely",
                                    note="closest")
        if (named := _naming_sentence(state)) is not None:
            return self._extractive(state, "the model found no answer, but one passage names what the question asks "
                                    "about", numbers.number_figures(named.text), note="closest")
        if state.override:
            return self._fallback(state, "the model found no answer to a question that tries to override the report",
                                  answer.override_similarity)
        return self._not_found(state, backend)

    def _draft(self, state: ChainState, raw: str) -> Draft:
        """The model's answer made ready for review: English figures rendered by code, markers pointed at the
        passages holding the figures, every figure matched against the passages."""
        sources = state.sources
        text = raw
        if state.lang == "en":
            if asks_quantity(state.focus):  # "How long…?" answered "three years": a figure to check
                text = with_digits(text)
            text = without_own_conversions(repair_scale(english_figures(text), sources), sources)
            if not asks_quantity(state.focus) and not CJK.search(unquoted(text)):
                # A name or programme in English only may be a wrong romanisation ("Shaoxing" for 嵩山):
                # the report's own words go with it.
                text = f"{text} {source_quote(state.context, without_markers(text))}"
        text = repoint(text, sources)
        plain = without_markers(text)
        checks = numbers.match_figures(plain, sources)
        # Years and dates are checked against the whole report: the question's year need not be in the passage.
        known = self.engine.corpus.corpus_dates()
        checks = [c if c.figure.kind == "number" else replace(c, found=(c.figure.kind, c.figure.value) in known)
                  for c in checks if c.figure.kind != "ordinal" and not per_capita_base(plain, c.figure, sources)]
        unconfirmed = state.premise.figures if state.premise and not state.premise.confirmed else []
        return Draft(raw=raw, text=text, lang=state.lang, question=state.focus, standalone=state.standalone,
                     override=state.override, context=state.context, sources=sources, figure_checks=checks,
                     unconfirmed=unconfirmed, home_words=self.engine.corpus.home_words(), joined=state.joined,
                     whole=_previous_answer(state.history) if asks_part_of_previous(state.question) else "")

    def _rejected(self, state: ChainState, rejection: Rejection) -> AnswerResult:
        if rejection.threshold is None:
            return self._not_found_because(state, rejection.reason)
        return self._fallback(state, rejection.reason, rejection.threshold, list(rejection.anchor))

    def _accepted(self, state: ChainState, draft: Draft, backend: str) -> AnswerResult:
        checks = draft.figure_checks
        cited = [n for n in cited_numbers(draft.text) if 1 <= n <= len(state.context)]
        # A figure's own passage is cited even if the model forgot its marker.
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

    # -- answers without the model's ----------------------------------------------------------------

    def _fallback(self, state: ChainState, reason: str | None, threshold: float | None = None,
                  anchor: list[numbers.Figure] | None = None, note: Note = "rejected") -> AnswerResult:
        """Without a usable model answer: the report's own sentence when it matches the question at least
        ``threshold`` (default ``answer.extractive_similarity``, for no model answer at all), otherwise "not in
        the report" (an invented figure usually means the report has no answer). ``anchor``: verified figures of the
        model's answer, whose sentence is the one quoted."""
        if threshold is None:
            threshold = self.settings.answer.extractive_similarity
        if best_similarity(state.context) >= threshold:
            return self._extractive(state, reason, anchor, note)
        return self._not_found_because(state, reason)

    def _not_found_because(self, state: ChainState, reason: str | None) -> AnswerResult:
        return self._not_found(state, "extractive", reason)

    def _not_found(self, state: ChainState, backend: str, reason: str | None = None,
                   explanation: dict[str, str] | None = None) -> AnswerResult:
        """Not in the report: the fixed message (or ``explanation``), then what the report says nearby when a
        passage is close enough to the question to be worth reading."""
        answer = (explanation or {}).get(state.lang) or not_found_message(state.lang)
        citations = []
        if best_similarity(state.context) >= self.settings.answer.nearby_similarity and (
                extract := self.extractive.answer(state.context, state.follow_up or state.focus, state.chinese,
                                                  state.lang)):
            answer += nearby_text(extract, state.lang)
            citations = [extract.citation]
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=answer, found=False,
            verified=True, citations=citations, backend=backend, timings_ms={}, lang=state.lang,
            fallback_reason=reason,
        )

    def _extractive(self, state: ChainState, fallback_reason: str | None = None,
                    anchor: list[numbers.Figure] | None = None, note: Note = "rejected") -> AnswerResult:
        """The report's own sentence, when it gives what the question asks for (a figure, an amount of money,
        a person…); otherwise the report does not answer the question."""
        question = state.follow_up or state.focus
        extract = self.extractive.answer(
            state.context, question, state.chinese, state.lang, anchor, note=note if fallback_reason else None,
            gives=lambda text: unmet_requirement(question, text, text, state.context) is None)
        if extract is None:
            return self._not_found(state, "extractive", fallback_reason)
        if unmet := unmet_requirement(state.focus, extract.clause, extract.sentence, state.context):
            return self._not_found(state, "extractive", f"{fallback_reason}; {unmet}" if fallback_reason else unmet)
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=extract.answer, found=True,
            verified=True, citations=[extract.citation], backend="extractive", timings_ms={}, lang=state.lang,
            fallback_reason=fallback_reason, figures=[FigureCheck(f.text, True, 1) for f in extract.figures],
        )


def _naming_sentence(state: ChainState) -> Sentence | None:
    """The one context sentence holding the report's own terms for everything an English question names that the
    glossary knows ("street lights" is 主干道亮灯率): the report speaks of it there, though a small model did not see
    the paraphrase. None when a term is in no sentence ("hospitals", 医院) or the terms are in several."""
    terms = report_terms(state.follow_up or state.focus)
    holding = [s for s in all_sentences(state.context)
               if terms and all(names_outside_per(s.text, term) for term in terms)]
    return holding[0] if len(holding) == 1 else None


def _previous_answer(history: list[dict[str, str]]) -> str:
    return next((turn["content"] for turn in reversed(history) if turn.get("role") == "assistant"), "")


def _direction_noted(state: ChainState, result: AnswerResult) -> str | None:
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


def _queue_message(ahead: int, lang: Lang) -> str:
    return f"前面还有{ahead}个问题" if lang == "zh" else f"{ahead} question{'' if ahead == 1 else 's'} ahead of you"


def _visible(text: str) -> str | None:
    """What of the model's text so far may be shown: the start is held back until it cannot be the NOT_FOUND
    signal; None while it still may be."""
    visible = text.lstrip()
    if len(visible) < len(NOT_FOUND_TOKEN) and NOT_FOUND_TOKEN.startswith(visible):
        return None
    return None if visible.startswith(NOT_FOUND_TOKEN[:3]) else visible


def _fuse(rankings: list[list[Passage]], k: int, rrf_k: int) -> list[Passage]:
    """Reciprocal rank fusion of passage rankings (by chunk id), best ``k``."""
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for passage in ranking:
            first.setdefault(passage.chunk.chunk_id, passage)
    scores = reciprocal_rank_fusion([[p.chunk.chunk_id for p in ranking] for ranking in rankings], rrf_k)
    best = sorted(scores, key=lambda key: -scores[key])[:k]
    return [replace(first[key], score=round(scores[key], 6)) for key in best]


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
