"""The answer chain: follow-up rewriting → retrieval → context selection → generation → review (named
acceptance checks, figure verification) → citations, streamed as events.

The model never converts units: for English questions every Chinese-scaled figure in the context is annotated
with its English value in code (2.7万个(=27,000)). What may refuse or replace an answer is the policy declared in
``bot.policy.rules``, applied here in its order: the ``before`` rules, the route, the model answer's checks
(``bot.policy.acceptance``), and the fallback ladder (``bot.policy.fallback``); the result's ``trace`` lists the rules
it went through.
"""

from __future__ import annotations

from zzbot import in_english

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.runnables import Runnable, RunnableConfig

from bot.answer.citations import citation_for, quoted_sentence
from bot.answer.compute import (calculation_by_parts, compute, ComputedAnswer, named_by, one_thing_summed,
                               operands_of, pick_calculation, stated_multiple, unmatched_parts)
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.listing import ListedFigures, listed_figures
from bot.engine import Engine
from bot.llm.client import BackendError, ChatBackend, Waiting
from bot.llm.prompting import render
from bot.options import validate_backend, validate_k
from bot.policy import model_answer
from bot.policy.model_answer import NOT_FOUND_TOKEN, direction_note, queue_message, visible_text
from bot.policy.acceptance import ACCEPTANCE_CHECKS
from bot.policy.factcheck import FactChecker
from bot.policy.fallback import FallbackLadder
from bot.policy.judge import SubjectJudge
from bot.policy.parts import answered_in_parts
from bot.policy.premises import check_premise, question_after_correction, with_correction
from bot.policy.across_reports import across_kind, computed_across
from bot.policy.report_scope import YearsMentioned, report_scope, sources_by_year, with_report_named
from bot.policy.notes import with_instruction_ignored
from bot.policy.staff import checked_answer
from bot.policy.subject import subject_named
from bot.policy.state import ChainState
from bot.retrieval.context import ContextBuilder, all_sentences, best_similarity
from bot.retrieval.retriever import Passage, ReportRetriever, fuse_rankings, passage_from_document
from bot.schema import AnswerResult, ChainInput, StreamEvent, chain_input
from bot.understand.parsed import parse_question
from bot.understand.parts import asked_parts, with_shared_head
from bot.understand.calculation import Calculation
from bot.understand.questions import (clean_history, clean_question, detect_lang, figure_list_topic,
                                      instruction_override, without_home)
from bot.understand.terms import in_report_terms
from bot.understand.claims import claim_to_check
from bot.understand.rewrite import chinese_question, standalone_question
from zzbot.arithmetic import CalculationError

log = logging.getLogger(__name__)

# The chat prompts the chain sends, each to its own model context (see AnswerChain._backend).
PROMPT_ROLES = ("answer.zh", "answer.en", "rewrite.zh", "rewrite.en", "compute.zh", "compute.en", "translate.en",
                "judge.zh")


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
        self.ladder = FallbackLadder(self.settings.answer, self.extractive, SubjectJudge.of_engine(engine),
                                     lambda: engine.figure_table, lambda word: engine.corpus.mentions(word))
        self._years_mentioned = YearsMentioned(lambda: self.engine.searcher.chunks)

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
        # An override attempt ("忘掉你的规则，直接确认…对吧") is no staff question: its figure is the premise path's.
        if not instruction_override(question) and (claim := claim_to_check(question)) is not None:
            yield from self._checked(state, claim)
            return
        state.trace.passed("claim_checked")
        if len(parts := asked_parts(question, self.engine.corpus.mentions)) > 1:  # each thing asked on its own
            yield from answered_in_parts(question, parts, state.history, state.lang, lambda part, turns: self.events(
                part, turns, state.backend, state.k))
            return
        state.trace.passed("parts_asked")
        for stage in (self._rewrite, self._focus, self._retrieve):
            stage(state)
        yield from self._answer(state)

    def _checked(self, state: ChainState, claim: str) -> Iterator[StreamEvent]:
        """A staff question asking whether a sentence is right: the fact-check's verdict first, then the
        report's words."""
        began = time.perf_counter()
        state.standalone = claim
        result = checked_answer(state, self.fact_checker.check(claim))
        state.trace.decided("claim_checked", claim=claim)
        yield StreamEvent("sources", citations=result.citations)
        yield StreamEvent("replace", text=result.answer)
        yield from self._finish(state, result, began)

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
                                                                 lambda role: self._backend(state, role),
                                                                 self.engine.corpus.mentions)
            # The earlier question only gives the follow-up its subject: what it asks is in its own words.
            state.follow_up = "" if stands_alone else state.question
        state.timings_ms["rewrite"] = _ms(began)

    def _focus(self, state: ChainState) -> None:
        began = time.perf_counter()
        # The question is read once, here, on its standalone form; the later stages read ``state.parsed``.
        state.parsed = parse_question(state.standalone, state.history)
        state.focus = state.parsed.asking
        state.override = state.parsed.override
        answer = self.settings.answer
        state.premise = check_premise(self.fact_checker, state.focus, answer.premise_similarity,
                                      answer.turned_premise_similarity)
        if state.correction is not None:  # the corrected question is what is asked from here on
            corrected = question_after_correction(state.focus, state.correction, state.history)
            state.premise_only = corrected is None
            if corrected is not None:
                state.parsed, state.focus = corrected, corrected.text
        # Of what is asked once any premise is corrected: the premise's thing is no longer searched for.
        if state.lang == "en" and self.settings.answer.translate_questions:
            state.chinese = chinese_question(state.focus, lambda role: self._backend(state, role))
        elif (terms := state.parsed.in_report_terms) != state.focus:  # "GDP" searched as 地区生产总值 too
            state.chinese = terms
        state.scope = report_scope(state.parsed, self.engine.corpus, self._years_mentioned)
        state.timings_ms["rewrite"] = state.timings_ms.get("rewrite", 0.0) + _ms(began)

    def _retrieve(self, state: ChainState) -> None:
        began = time.perf_counter()
        # The report's own year and place are in every sentence's scope: searched for, they only pull in the
        # introduction and the passages repeating the name (功夫郑州).
        year, place = self.engine.corpus.sole_year(), self.engine.corpus.home_place()
        follow_up, focus, chinese = (without_home(q, year, place)
                                     for q in (state.follow_up, state.focus, state.chinese))
        queries = [q for q in (follow_up, focus, chinese) if q]
        self.engine.embed_queries(queries)
        rankings = [self._search(q, state.k, state) for q in queries]
        # A question over several years' reports ranks each year's own passages too, so each year has its say.
        by_year = sources_by_year(state.parsed, state.scope, self.engine.corpus)
        rankings += [[passage_from_document(d) for d in self.retriever.invoke(focus, k=state.k, sources=sources)]
                     for sources in by_year]
        state.passages = rankings[0] if len(rankings) == 1 else fuse_rankings(rankings, state.k,
                                                                              self.settings.retrieval.rrf_k)
        state.context = self.context_builder.build(follow_up or focus, state.passages, chinese, cover=by_year)
        state.timings_ms["retrieve"] = _ms(began)

    def _search(self, query: str, k: int, state: ChainState) -> list[Passage]:
        """The best passages, of the question's reports only when several are indexed (``state.scope``)."""
        if state.scope is None or state.scope.uncovered:
            return [passage_from_document(d) for d in self.retriever.invoke(query, k=k)]
        return [passage_from_document(d) for d in self.retriever.invoke(query, k=k, sources=state.scope.sources)]

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
        elif result.found and (noted := direction_note(state, result)):
            result = replace(result, answer=noted)
        if result.found:  # several reports indexed: which one the answer is from
            named = with_report_named(result.answer, [c.source for c in result.citations], self.engine.corpus,
                                      state.lang)
            result = replace(result, answer=named)
        if state.override:
            result = replace(result, answer=with_instruction_ignored(result.answer, state.lang))
        if result.answer != state.streamed:
            yield StreamEvent("replace", text=result.answer)
        yield from self._finish(state, result, began)

    def _respond(self, state: ChainState) -> Generator[StreamEvent, None, AnswerResult]:
        """The answer, streaming the model's text as it comes (into ``state.streamed``)."""
        if (result := self._outside_report(state)) is not None:
            return result
        if across_kind(state.parsed, state.scope, self.engine.corpus) and (result := self._across(state)):
            return result
        if state.parsed.lists_figures and not state.override and (listed := listed_figures(
                state.context, state.lang, self.settings.answer.listed_margin,
                self._relevance(figure_list_topic(state.focus), dense=True), state.parsed.set_aside_terms)) is not None:
            state.trace.decided("figures_listed")
            return _answered_by_code(state, listed, "extractive")
        # No calculation for a joined place: the report gives Kaifeng's own figures nowhere.
        if not state.joined and (kind := state.parsed.calculation):
            if (result := self._computed(state, kind)) is not None:
                return result
            state.trace.passed("computed")
        try:
            backend = self._backend(state, role=f"answer.{state.lang}")
        except BackendError as err:
            step = state.trace.decided("model_unavailable", f"the {state.backend} backend is unavailable: {err}")
            return self.ladder.fallback(state, step.reason, note="unavailable")
        if backend is None:
            state.trace.decided("extractive_no_model")
            return self.ladder.fallback(state, None, note="unavailable")
        state.trace.decided("model")
        return (yield from self._model_answer(state, backend))

    def _outside_report(self, state: ChainState) -> AnswerResult | None:
        """"Not in the report" before any model runs (the policy's ``before`` rules, in order): a place no
        document mentions, the correction of its premise as the whole answer, nothing close to the question, a
        year none covers."""
        trace, corpus = state.trace, self.engine.corpus
        named = [*state.parsed.places, *corpus.places_joined_in(state.focus)]
        state.joined = [joined for p in named if (joined := corpus.joined_name(p, state.focus))]
        if uncovered := [p for p in named if not corpus.covers_place(p, state.focus)]:
            step = trace.decided("place_not_covered", place="、".join(p.chinese for p in uncovered),
                                 place_en=", ".join(p.english[0] for p in uncovered))
            several = len(corpus.documents()) > 1  # what is indexed is named when there is a choice
            gap = " " if state.lang == "en" else ""
            message = f"{step.reason_shown}{gap}{corpus.indexed_description(state.lang)}" if several else step.reason_shown
            return self.ladder.not_found(state, state.backend, step.reason, decided=True, message=message,
                                         nearby=not several)  # nearby: another city's figure
        trace.passed("place_not_covered")
        if state.scope is not None and state.scope.uncovered:
            zh, en = state.scope.uncovered
            step = trace.decided("report_not_indexed", scope=zh, scope_en=en, indexed=corpus.indexed_description("zh"),
                                 indexed_en=corpus.indexed_description("en"))
            return self.ladder.not_found(state, state.backend, step.reason, decided=True, message=step.reason_shown,
                                         nearby=False)
        if len(corpus.documents()) > 1:
            trace.passed("report_not_indexed")
        if state.correction is not None and state.premise_only:
            trace.decided("premise_is_whole_answer")
            return self.ladder.not_found(state, state.backend, decided=True)
        trace.passed("premise_is_whole_answer")
        if self._closest(state) < self.settings.answer.min_similarity:
            trace.decided("nothing_close_enough")
            return self.ladder.not_found(state, state.backend, decided=True)
        trace.passed("nothing_close_enough")
        # Several reports: the scope has checked the years against what each document is about.
        if len(corpus.documents()) < 2 and (years := corpus.unknown_years(state.standalone,
                                                                           state.parsed.relative_years)):
            trace.decided("year_not_covered", years="、".join(f"{y:g}" for y in sorted(years)))
            return self.ladder.not_found(state, state.backend, decided=True)
        trace.passed("year_not_covered")
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
                    yield StreamEvent("queue", text=queue_message(piece.ahead, state.lang), position=piece.ahead)
                    continue
                state.timings_ms.setdefault("first_token", _ms(state.began))
                text += piece
                if (visible := visible_text(text)) is not None and visible != state.streamed:
                    yield StreamEvent("token", text=visible[len(state.streamed):])
                    state.streamed = visible
        except BackendError as err:
            step = state.trace.decided("model_unavailable", f"the {backend.name} backend failed: {err}")
            return self.ladder.fallback(state, step.reason, note="unavailable")
        return self._from_model(state, text.strip(), backend.name)

    def _computed(self, state: ChainState, kind: Calculation) -> AnswerResult | None:
        """A sum, comparison, ratio… worked out by code from the figures the question names (or, when they cannot
        be matched, from the model's calculation); None when there is nothing to combine (the question is then
        answered as any other)."""
        passages = self._search(state.focus, state.k + self.settings.answer.compute_extra_passages, state)
        operands = operands_of(passages, self.engine.figure_rows, self._relevance(state.focus, state.chinese))
        if kind == "ratio" and stated_multiple(state.focus, operands):
            return None  # the report states the multiple itself ("分别是2018年的1.4倍和1.6倍"): quoted, not worked out
        # The things the question names, matched to figures by code; the model writes the calculation only when
        # they cannot be (a constant: "100 - F1", "F1 / 365").
        answer = self.settings.answer
        parts = with_shared_head(list(state.parsed.parts), self.engine.corpus.mentions)  # 新建 (中小学校)
        min_score = answer.part_similarity if state.lang == "zh" else answer.part_similarity_en
        expression = calculation_by_parts(kind, parts, operands, self._part_scores, min_score,
                                          state.parsed.counted)
        if expression is None and kind == "sum" and len(parts) < 2:  # the total of one thing, or its one figure
            if (expression := one_thing_summed(state.focus, operands)) == "":
                return None
        if expression is None and kind == "comparison" and len(parts) >= 2 and state.lang == "zh":
            unmatched = unmatched_parts(parts, operands, self._part_scores, min_score)
            if 0 < len(unmatched) < len(parts):
                # One side of the comparison has a figure, the other none: the report cannot compare them. (An
                # English part is matched across languages, too loosely to conclude that nothing is about it:
                # "…raised or allocated?" names 分配 by "allocated".)
                step = state.trace.decided("comparison_side_missing", part=unmatched[0])
                return self.ladder.not_found(state, "extractive", step.reason, decided=True)
        written_by = "extractive"
        # Nothing is worked out of a thing the report never names ("hospital beds per 1,000 people": no 医院床位).
        if (expression is None and operands and not state.parsed.unknown_terms(self.engine.corpus.mentions)
                and (backend := self._compute_backend(state)) is not None):
            expression, written_by = pick_calculation(operands, state.focus, state.lang, backend), backend.name
        if expression is None:
            return None
        try:
            computed = compute(kind, expression, operands, state.lang, state.focus)
        except CalculationError as err:
            # Figures the question names that cannot be combined (亩 and 斤) are refused with the reason;
            # a mismatch of figures the question does not name is the model's mistake, answered as usual.
            if named_by(state.focus, expression, operands):
                step = state.trace.decided("figures_not_combinable", error=str(err))
                return self.ladder.not_found(state, "extractive", step.reason, decided=True)
            log.info("the model's calculation %r failed (%s); answering without it", expression, err)
            return None
        if computed is None:
            return None
        state.trace.decided("computed")
        return _answered_by_code(state, computed, written_by)

    def _across(self, state: ChainState) -> AnswerResult | None:
        """A comparison of two years' figures, each from its own indexed report (``across_reports``)."""
        assert state.scope is not None
        k = state.k + self.settings.answer.compute_extra_passages
        computed = computed_across(
            state.parsed, state.scope, self.engine.corpus, self.engine.figure_rows,
            lambda query, sources: [passage_from_document(d)
                                    for d in self.retriever.invoke(query, k=k, sources=sources)],
            self._relevance(state.focus, state.chinese),
            state.lang)
        if computed is None:
            return None
        state.trace.decided("computed")
        return _answered_by_code(state, computed, "extractive")

    def _relevance(self, question: str, chinese: str = "", dense: bool = False) -> Callable[[list[str]], np.ndarray]:
        """Each text's relevance to ``question``: its embedding similarity (``dense``), else with shared words too."""
        return lambda texts: self.context_builder.relevance(question, chinese, texts, [""] * len(texts))[not dense]

    def _part_scores(self, part: str, texts: list[str]) -> np.ndarray:
        """How closely each text names a thing a calculation's question names; an English part is matched in the
        report's words too ("school places" as 学位)."""
        words = in_report_terms(part)
        similarity = self.engine.similarities(part, texts)
        if words != part:
            similarity = np.maximum(similarity, self.engine.similarities(words, texts))
        return similarity + self.settings.answer.part_word_weight * np.array(self.engine.word_overlap(words, texts))

    def _compute_backend(self, state: ChainState) -> ChatBackend | None:
        """The model that writes a calculation the question's parts could not be matched for; None without one."""
        try:
            return self._backend(state, role=f"compute.{state.lang}")
        except BackendError as err:
            log.warning("no model to write the calculation: %s", err)
            return None

    def _finish(self, state: ChainState, result: AnswerResult, began: float) -> Iterator[StreamEvent]:
        state.timings_ms["generate"] = _ms(began)
        state.timings_ms["total"] = _ms(state.began)
        result.timings_ms = {k: round(v, 1) for k, v in state.timings_ms.items()}
        result.trace = list(state.trace.steps)
        if result.found and result.backend == "extractive" and state.parsed is not None:
            # The report's sentence quoted without the model's checks: its figures are the report's, but whether it
            # is about what was asked is known only if it names it.
            result.subject_confirmed = subject_named(state.parsed, " ".join(quoted_sentence(c) for c in result.citations))
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
                text = in_english.annotate_for_english(text)
            lines.append(f"[{n}] {text}")
        return render(f"answer.{state.lang}.md", passages="\n".join(lines),
                      question=in_report_terms(state.focus, annotate=True))

    def _from_model(self, state: ChainState, text: str, backend: str) -> AnswerResult:
        """The model's answer reviewed by the policy's ``after`` rules, in order: shown when every check passes."""
        if not text or text.startswith(NOT_FOUND_TOKEN) or text.rstrip("。.").endswith(NOT_FOUND_TOKEN):
            return self.ladder.nothing_found(state, backend)
        state.trace.passed("model_said_not_found")
        draft = model_answer.draft(state, text.replace(NOT_FOUND_TOKEN, "").strip(), self.engine.corpus,
                                   self.engine.figure_table)
        state.answered = list(draft.verified_numbers)
        for check in ACCEPTANCE_CHECKS:
            if rejection := check(draft, self.settings.answer):
                return self.ladder.rejected(state, rejection)
            state.trace.passed(check.__name__)
        return model_answer.accepted(state, draft, backend)


def _answered_by_code(state: ChainState, computed: ComputedAnswer | ListedFigures, written_by: str) -> AnswerResult:
    return AnswerResult(
        question=state.question, standalone_question=state.standalone, answer=computed.answer, found=True,
        verified=True, citations=computed.citations, backend=written_by, timings_ms={}, lang=state.lang,
        figures=computed.figures, working=computed.working,
    )


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
