"""The answer chain: follow-up rewriting → retrieval → context selection → generation →
citations → figure verification, composed with LangChain's LCEL and streamed as events.

The model never converts units: for English questions every Chinese-scaled figure in the
context is annotated with its English value in code (2.7万个(=27,000)). Every figure of a
model answer is checked against the cited passages; an answer that does not verify is
replaced by the extractive answer, and the result says so.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
from langchain_core.runnables import RunnableGenerator, RunnableLambda

from bot import numbers
from bot.engine import Engine
from bot.llm import BackendError, ChatBackend, complete
from bot.questions import (
    asks_list,
    asks_money,
    asks_quantity,
    clean_history,
    clean_question,
    counted_subject,
    detect_lang,
    instruction_override,
    in_report_terms,
    question_focus,
    quoted_phrases,
)
from bot.retrieval import Passage
from bot.schema import AnswerResult, Citation, FigureCheck, Lang, StreamEvent
from index.chunking import clause_spans, long_sentence_clauses, split_sentences
from index.keyword import tokenize
from settings import PROJECT_ROOT

log = logging.getLogger(__name__)

PROMPTS_DIR = PROJECT_ROOT / "prompts"
NOT_FOUND_TOKEN = "NOT_FOUND"
# The chat prompts the chain sends, each to its own model context (see AnswerChain._backend).
PROMPT_ROLES = ("answer.zh", "answer.en", "rewrite.zh", "rewrite.en", "translate.en")
_MARKER = re.compile(r"\s?[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"[（(“\"「][^）)”\"」]*[）)”\"」]")
# How an answer states an amount of money.
_MONEY_AMOUNT = re.compile(r"元|yuan|rmb|cny|¥|￥", re.IGNORECASE)


@cache
def load_prompt(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8").strip()


@cache
def load_chat_prompt(name: str) -> tuple[dict[str, str], ...]:
    """A prompt file: the system text, then example turns, separated by lines of ``---``, each turn
    starting with ``user:`` or ``assistant:``. Examples as real turns steer a small model best."""
    blocks = [b.strip() for b in re.split(r"^---$", load_prompt(name), flags=re.MULTILINE)]
    messages = [{"role": "system", "content": blocks[0]}]
    for block in blocks[1:]:
        role, _, content = block.partition(":\n")
        if role not in ("user", "assistant"):
            raise ValueError(f"prompt {name}: a turn must start with 'user:' or 'assistant:', not {role!r}")
        messages.append({"role": role, "content": content.strip()})
    return tuple(messages)


def not_found_message(lang: Lang) -> str:
    return load_prompt(f"not_found.{lang}.txt")


@dataclass
class Sentence:
    passage: Passage
    start: int  # absolute offsets in the source document
    end: int
    text: str
    score: float = 0.0  # for ranking: embedding similarity, shared words, passage rank
    similarity: float = 0.0  # for thresholds: embedding similarity (best clause) and passage rank
    # What the model reads: the sentence, or for a long one its first clause and the clauses close to
    # the question, gaps marked "…". Citations and quotes use ``text``, the exact source.
    shown: str = ""


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
    context: list[list[Sentence]] = field(default_factory=list)  # per numbered passage [1], [2]…


class AnswerChain:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.runnable = (
            RunnableLambda(self._rewrite).with_config(run_name="rewrite")
            | RunnableLambda(self._focus).with_config(run_name="focus")
            | RunnableLambda(self._retrieve).with_config(run_name="retrieve")
            | RunnableGenerator(self._generate).with_config(run_name="generate")
        )

    # -- public API -------------------------------------------------------------------------------

    def stream(
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
            backend=backend or self.settings.llm.backend,
            k=k or self.settings.retrieval.k,
        )
        self.engine.searcher  # noqa: B018 - fail fast with a clear message if the index is missing
        yield from self.runnable.stream(state)

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            backend: str | None = None, k: int | None = None) -> AnswerResult:
        for event in self.stream(question, history, backend, k):
            if event.kind == "final" and event.result is not None:
                return event.result
        raise RuntimeError("the answer chain ended without a result")

    # -- stages -----------------------------------------------------------------------------------

    def _rewrite(self, state: ChainState) -> ChainState:
        began = time.perf_counter()
        state.standalone = state.question
        turns = state.history[-2 * self.settings.answer.history_turns:] if self.settings.answer.history_turns else []
        if turns:
            state.standalone = self._standalone_question(state, turns)
        state.timings_ms["rewrite"] = _ms(began)
        return state

    def _standalone_question(self, state: ChainState, turns: list[dict[str, str]]) -> str:
        previous = [t["content"] for t in turns if t["role"] == "user"]
        try:
            backend = self._backend(state, role=f"rewrite.{state.lang}")
        except BackendError as err:
            log.warning("no model to rewrite the follow-up: %s", err)
            backend = None
        if backend is not None:
            conversation = "\n".join(f"{t['role']}: {t['content'][:300]}" for t in turns)
            label = ("最后的问题",) if state.lang == "zh" else ("Last question",)
            messages = [
                *load_chat_prompt(f"rewrite.{state.lang}.md"),
                {"role": "user", "content": f"{'对话' if state.lang == 'zh' else 'Conversation'}:\n{conversation}\n"
                                            f"{label[0]}: {state.question}"},
            ]
            try:
                rewritten = complete(backend, messages, max_tokens=80).strip().splitlines()
                candidate = rewritten[0].split(":", 1)[-1].split("：", 1)[-1].strip() if rewritten else ""
                if 2 <= len(candidate) <= 3 * len(state.question) + 80:
                    return candidate
            except BackendError as err:
                log.warning("follow-up rewrite failed, using the question with its context: %s", err)
        # Without a model: the previous question gives the follow-up its subject.
        return f"{previous[-1]} {state.question}" if previous else state.question

    def _focus(self, state: ChainState) -> ChainState:
        began = time.perf_counter()
        state.focus = question_focus(state.standalone)
        state.override = instruction_override(state.standalone)
        if state.lang == "en" and self.settings.answer.translate_questions:
            state.chinese = self._chinese_question(state)
        elif (terms := in_report_terms(state.focus)) != state.focus:  # "GDP" searched as 地区生产总值 too
            state.chinese = terms
        state.timings_ms["rewrite"] = state.timings_ms.get("rewrite", 0.0) + _ms(began)
        return state

    def _chinese_question(self, state: ChainState) -> str:
        try:
            backend = self._backend(state, role="translate.en")
        except BackendError as err:
            log.warning("no model to translate the question: %s", err)
            return ""
        if backend is None:
            return ""
        try:
            lines = complete(backend, [*load_chat_prompt("translate.en.md"), {"role": "user", "content": state.focus}],
                             max_tokens=60).strip().splitlines()
        except BackendError as err:
            log.warning("translating the question failed, searching in English only: %s", err)
            return ""
        candidate = in_report_terms(lines[0].strip()) if lines else ""
        return candidate if _CJK.search(candidate) and len(candidate) <= 2 * len(state.focus) + 20 else ""

    def _retrieve(self, state: ChainState) -> ChainState:
        began = time.perf_counter()
        state.passages = self.engine.search(state.focus, k=state.k)
        if state.chinese:
            state.passages = _fuse([state.passages, self.engine.search(state.chinese, k=state.k)], state.k,
                                   self.settings.retrieval.rrf_k)
        state.context = self._select_context(state.focus, state.passages, state.chinese)
        state.timings_ms["retrieve"] = _ms(began)
        return state

    def _relevance(self, question: str, chinese: str, texts: list[str],
                   sections: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's similarity to the question (or to its report wording, ``chinese``, if closer), and that
        plus the words they share: the embedder puts "今年政府工作总体要求" above "地区生产总值增长7%左右" for a
        question about this year's GDP growth target."""
        dense = self.engine.similarities(question, texts, sections)
        if chinese:
            dense = np.maximum(dense, self.engine.similarities(chinese, texts, sections))
        return dense, dense + self.settings.answer.word_weight * np.array(
            self.engine.searcher.word_overlap(chinese or question, texts))

    def _select_context(self, question: str, passages: list[Passage], chinese: str = "") -> list[list[Sentence]]:
        """The sentences of the retrieved passages closest to the question (or to its Chinese version),
        within the context budget, grouped by passage in rank order."""
        sentences = [
            Sentence(p, s, e, p.chunk.text[s - p.chunk.start: e - p.chunk.start])
            for p in passages
            for s, e in split_sentences(p.chunk.text, 0, None)
            for s, e in [(s + p.chunk.start, e + p.chunk.start)]
        ]
        if not sentences:
            return []
        # Each sentence scores as its best clause: a long list of targets is diluted as a whole. The clause
        # units are those the index embeds, so their vectors come from the index.
        clauses = [long_sentence_clauses(s.text, 0, len(s.text)) for s in sentences]
        texts = [s.text for s in sentences] + [s.text[a:b] for s, spans in zip(sentences, clauses) for a, b in spans]
        sections = [s.passage.chunk.section for s in sentences] + [
            s.passage.chunk.section for s, spans in zip(sentences, clauses) for _ in spans]
        dense, ranking = self._relevance(question, chinese, texts, sections)
        # A phrase the question quotes (郑州要打造什么“之城”？) is the report's own wording: the text holding it
        # gets the full word weight once more.
        if quoted := quoted_phrases(question):
            ranking += self.settings.answer.word_weight * np.array([any(q in t for q in quoted) for t in texts])
        # Sentence i's clauses are at texts[bounds[i]:bounds[i + 1]].
        bounds = np.cumsum([len(sentences), *(len(spans) for spans in clauses)])
        clause_scores = [ranking[bounds[i]:bounds[i + 1]] for i in range(len(sentences))]
        # A small prior for the passage's fused rank, so keyword evidence counts too.
        priors = [0.03 / (passages.index(s.passage) + 1) for s in sentences]
        for i, sentence in enumerate(sentences):
            sentence.score = float(max([ranking[i], *clause_scores[i]])) + priors[i]
            sentence.similarity = float(max([dense[i], *dense[bounds[i]:bounds[i + 1]]])) + priors[i]
        # Only sentences nearly as close as the best one: distractors are what make a small model pick
        # the neighbouring figure.
        ranked = sorted(sentences, key=lambda s: -s.score)
        floor = ranked[0].score - self.settings.answer.context_margin
        budget = self.settings.answer.context_chars
        listing = asks_list(question)
        chosen: list[Sentence] = []
        for sentence in ranked:
            if sentence.score < floor:
                break
            index = sentences.index(sentence)
            # "What are the main targets?" matches the sentence listing them better than any one clause.
            whole = listing and ranking[index] >= max(clause_scores[index], default=np.inf)
            sentence.shown = sentence.text if whole else _shown(
                sentence.text, clauses[index], list(clause_scores[index]), floor - priors[index])
            if chosen and sum(len(s.shown) for s in chosen) + len(sentence.shown) > budget:
                continue
            chosen.append(sentence)
        groups: list[list[Sentence]] = []
        for passage in passages:
            group = sorted((s for s in chosen if s.passage is passage), key=lambda s: s.start)
            if group:
                groups.append(group)
        return groups

    def _generate(self, states: Iterator[ChainState]) -> Iterator[StreamEvent]:
        for state in states:
            yield from self._answer(state)

    # -- answering --------------------------------------------------------------------------------

    def _answer(self, state: ChainState) -> Iterator[StreamEvent]:
        if state.history:
            yield StreamEvent("rewrite", text=state.standalone)
        began = time.perf_counter()
        if _best_score(state) < self.settings.answer.min_similarity or self._asks_unknown_year(state):
            result = self._not_found(state, state.backend)
            state.timings_ms["generate"] = _ms(began)
            yield from self._finish(state, result)
            return
        try:
            backend = self._backend(state, role=f"answer.{state.lang}")
        except BackendError as err:
            backend, reason = None, f"the {state.backend} backend is unavailable: {err}"
        else:
            reason = None
        if backend is None:
            result = self._fallback(state, reason)
            state.timings_ms["generate"] = _ms(began)
            yield StreamEvent("token", text=result.answer)
            yield from self._finish(state, result)
            return

        streamed = ""
        text = ""
        try:
            for piece in backend.stream(self._messages(state), self.settings.llm.max_tokens):
                if "first_token" not in state.timings_ms:
                    state.timings_ms["first_token"] = _ms(state.began)
                text += piece
                # Hold back the start until it cannot be the NOT_FOUND signal.
                visible = text.lstrip()
                if len(visible) >= len(NOT_FOUND_TOKEN) or not NOT_FOUND_TOKEN.startswith(visible):
                    if not visible.startswith(NOT_FOUND_TOKEN[:3]):
                        yield StreamEvent("token", text=visible[len(streamed):])
                        streamed = visible
        except BackendError as err:
            result = self._fallback(state, f"the {backend.name} backend failed: {err}")
        else:
            result = self._from_model(state, text.strip(), backend.name)
        state.timings_ms["generate"] = _ms(began)
        if result.answer != streamed:
            yield StreamEvent("replace", text=result.answer)
        yield from self._finish(state, result)

    def _finish(self, state: ChainState, result: AnswerResult) -> Iterator[StreamEvent]:
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

    def warm_up(self, backend: str | None = None) -> None:
        """Load the model for every prompt and evaluate each prompt's fixed prefix, so that the first
        questions are as fast as the later ones. Raises BackendError when the backend is unavailable."""
        self.engine.searcher  # noqa: B018 - the embedder and the index too
        name = backend or self.settings.llm.backend
        if name == "extractive":
            return
        for role in PROMPT_ROLES:
            if role == "translate.en" and not self.settings.answer.translate_questions:
                continue
            llm = self.engine.backend(name, role)
            if name == "local":  # a remote server keeps its own cache
                complete(llm, list(load_chat_prompt(f"{role}.md")), max_tokens=1)

    def _messages(self, state: ChainState) -> list[dict[str, str]]:
        lines = []
        for n, group in enumerate(state.context, start=1):
            text = "".join(s.shown or s.text for s in group)
            if state.lang == "en":
                text = numbers.annotate_for_english(text)
            lines.append(f"[{n}] {text}")
        passages = "\n".join(lines)
        question = in_report_terms(state.focus, annotate=True)
        if state.lang == "zh":
            user = f"段落：\n{passages}\n问题：{question}"
        else:
            user = f"Passages:\n{passages}\nQuestion: {question}"
        return [*load_chat_prompt(f"answer.{state.lang}.md"), {"role": "user", "content": user}]

    def _from_model(self, state: ChainState, text: str, backend: str) -> AnswerResult:
        answer = self.settings.answer
        if not text or text.startswith(NOT_FOUND_TOKEN) or text.rstrip("。.").endswith(NOT_FOUND_TOKEN):
            # A small model misses answers in long sentences; a passage this close to the question is shown.
            if _best_score(state) >= answer.sure_similarity:
                return self._extractive(state, "the model found no answer, but a passage matches the question "
                                               "closely")
            if state.override:
                return self._fallback(state, "the model found no answer to a question that tries to override "
                                             "the report", answer.min_claim_similarity)
            return self._not_found(state, backend)
        text = text.replace(NOT_FOUND_TOKEN, "").strip()
        sources = [_group_source(g) for g in state.context]
        if state.lang == "en" and _mostly_chinese(text):
            # The model found something; its figures, when they verify, point at the sentence to quote.
            found = [c.figure for c in numbers.match_figures(_MARKER.sub("", text), sources)
                     if c.found and c.figure.kind == "number"]
            return self._fallback(state, "the model answered an English question in Chinese",
                                  answer.min_similarity if found else answer.rejected_similarity, anchor=found)
        # A rejected answer is replaced by the report's sentence only when that clearly matches; an answer to
        # an override attempt is judged as the claim it carries would be.
        rejected = answer.min_claim_similarity if state.override else answer.rejected_similarity
        if not _adds_to(text, state.focus):
            return self._fallback(state, "the model's answer only repeats the question", rejected)
        if state.lang == "zh" and not _worded_from(text, state.focus, sources):
            return self._fallback(state, "the model's answer is not worded from the report", rejected)
        if asks_quantity(state.focus) and not _number_figures(_MARKER.sub("", text)):
            return self._fallback(state, "the model gave no figure for a question that asks for one", rejected)
        if asks_money(state.focus) and not _MONEY_AMOUNT.search(text):
            return self._fallback(state, "the model gave no amount of money for a question that asks for one",
                                  rejected)
        if state.override and (parroted := _parroted_names(text, state, sources)):
            return self._fallback(state, f"the model repeated {', '.join(parroted)} from the question, "
                                         "not from the report", answer.min_claim_similarity)
        if state.lang == "en":
            text = _repair_scale(_english_figures(text), sources)
            if not asks_quantity(state.focus) and not _CJK.search(_QUOTED.sub("", text)):
                # A name or programme in English only may be a wrong romanisation ("Shaoxing" for 嵩山):
                # the report's own words go with it.
                text = f"{text} {_source_quote(state, _MARKER.sub('', text))}"
        text = _repoint_markers(text, sources)
        cited = [int(n) for group in _MARKER.findall(text) for n in re.findall(r"\d+", group)]
        cited = [n for n in dict.fromkeys(cited) if 1 <= n <= len(state.context)]
        plain = _MARKER.sub("", text)
        checks = numbers.match_figures(plain, sources)
        # Years and dates are checked against the whole report: the question's year need not be in the passage.
        known = self.engine.corpus_dates()
        checks = [c if c.figure.kind == "number" else replace(c, found=(c.figure.kind, c.figure.value) in known)
                  for c in checks if c.figure.kind != "ordinal" and not _per_capita_base(plain, c.figure, sources)]
        unverified = [c.figure for c in checks if not c.found]
        verified_numbers = [c.figure for c in checks if c.found and c.figure.kind == "number"]
        if unverified:
            reason = f"the model's figure(s) {', '.join(f.text for f in unverified)} are not in the report's passages"
            # Figures taken from the question (an injected or false premise) say nothing about whether the
            # report answers it: the question is then judged as a claim would be.
            asked = numbers.extract_figures(state.standalone)
            parroted = all(any(numbers.same_value(f.value, g.value) for g in asked) for f in unverified)
            threshold = answer.min_claim_similarity if parroted else answer.rejected_similarity
            return self._fallback(state, reason, threshold, anchor=verified_numbers)
        subject = counted_subject(state.focus) if state.lang == "zh" else ""
        named_elsewhere = _subject_elsewhere(state.context, subject, verified_numbers) if subject else None
        if named_elsewhere is not None:
            reason = f"the report's figure is not about {subject}"
            if named_elsewhere:
                return self._fallback(state, reason, answer.rejected_similarity)
            # No passage names what was asked about: the report does not say ("幼儿园" answered with schools).
            return self._not_found_because(state, reason)
        # A figure's own passage is cited even if the model forgot its marker.
        for check in checks:
            if check.source_index is not None and check.source_index + 1 not in cited:
                cited.append(check.source_index + 1)
        if not cited and state.context:
            cited = [1]
        renumber = {old: new for new, old in enumerate(cited, start=1)}
        answer = _MARKER.sub(lambda m: _renumber(m, renumber), text).strip()
        citations = [
            self._citation(new, state.context[old - 1], [c.figure for c in checks if c.source_index == old - 1])
            for old, new in renumber.items()
        ]
        figures = [
            FigureCheck(c.figure.text, c.found, renumber.get(c.source_index + 1) if c.source_index is not None else None)
            for c in checks
        ]
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=answer, found=True,
            verified=True, citations=citations, backend=backend, timings_ms={}, lang=state.lang, figures=figures,
        )

    def _citation(self, n: int, group: list[Sentence], answer_figures: list[numbers.Figure]) -> Citation:
        passage = group[0].passage
        chunk = passage.chunk
        # Highlight the sentences holding the answer's figures (all context sentences when it has none).
        holding = [s for s in group if _states_any(s.text, answer_figures)] or group
        highlights = [(s.start, s.end) for s in holding]
        for s in holding:
            for f in _number_figures(s.text):
                if _same_as_any(f, answer_figures):
                    highlights.append((s.start + f.start, s.start + f.end))
        return Citation(
            n=n, chunk_id=chunk.chunk_id, source=chunk.source, section=chunk.section, text=chunk.text,
            start=chunk.start, end=chunk.end, score=round(passage.score, 6), highlights=highlights,
        )

    def _asks_unknown_year(self, state: ChainState) -> bool:
        """A question about a year the report never mentions (2025 targets of a 2024 report) is not answered."""
        years = {f.value for f in numbers.extract_figures(state.standalone) if f.kind == "year"}
        return bool(years - {value for kind, value in self.engine.corpus_dates() if kind == "year"})

    def _fallback(self, state: ChainState, reason: str | None, threshold: float | None = None,
                  anchor: list[numbers.Figure] | None = None) -> AnswerResult:
        """Without a usable model answer: the report's own sentence when it matches the question at least
        ``threshold`` (default ``answer.extractive_similarity``, for no model answer at all), otherwise "not in
        the report" (an invented figure usually means the report has no answer). ``anchor``: verified figures of the
        model's answer, whose sentence is the one quoted."""
        if threshold is None:
            threshold = self.settings.answer.extractive_similarity
        if _best_score(state) >= threshold:
            return self._extractive(state, fallback_reason=reason, anchor=anchor)
        return self._not_found_because(state, reason)

    def _not_found_because(self, state: ChainState, reason: str | None) -> AnswerResult:
        result = self._not_found(state, "extractive")
        result.fallback_reason = reason
        return result

    def _not_found(self, state: ChainState, backend: str) -> AnswerResult:
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=not_found_message(state.lang),
            found=False, verified=True, citations=[], backend=backend, timings_ms={}, lang=state.lang,
        )

    def _extractive(self, state: ChainState, fallback_reason: str | None = None,
                    anchor: list[numbers.Figure] | None = None) -> AnswerResult:
        """No model: the clause that best answers the question, its figure first, and the whole sentence quoted.
        With ``anchor`` figures, the sentence and clause that hold them are preferred."""
        sentences = [s for group in state.context for s in group]
        if not sentences:
            return self._not_found(state, "extractive")

        def holds_anchor(text: str) -> bool:
            return _states_any(text, anchor or [])

        best = max(sentences, key=lambda s: (holds_anchor(s.text), s.score))
        clauses = _clauses(best)
        # A clause stating a figure is preferred by a little: most questions ask for one.
        texts = [c.text for c in clauses]
        _, relevance = self._relevance(state.focus, state.chinese, texts, [c.passage.chunk.section for c in clauses])
        scores = relevance + np.array(
            [(1.0 if holds_anchor(c.text) else 0.0) + (0.05 if _number_figures(c.text) else 0.0) for c in clauses])
        clause = clauses[int(np.argmax(scores))]
        figures = _number_figures(clause.text)
        n = 1
        quote = best.text.rstrip("。；;")
        if state.lang == "en":
            lead = ", ".join(f"{numbers.format_english(f)}" + (f" {u}" if (u := numbers.english_unit(f.unit)) else "")
                             for f in figures)
            answer = (f"{lead} — " if lead else "") + f"the report says: “{quote}” [{n}]"
        else:
            lead = "、".join(f.text for f in figures)
            answer = (f"{lead}。" if lead else "") + f"报告原文：“{quote}。”[{n}]"
        if fallback_reason:
            note = ("（模型答案未通过核对，以下为报告原文）" if state.lang == "zh"
                    else "(The model's answer could not be used; this is the report's own text.)")
            answer = f"{note}\n{answer}"
        citation = self._citation(n, [best], figures)
        citation.highlights = [(best.start, best.end)] + [
            (clause.start + f.start, clause.start + f.end) for f in figures
        ]
        return AnswerResult(
            question=state.question, standalone_question=state.standalone, answer=answer, found=True,
            verified=True, citations=[citation], backend="extractive", timings_ms={}, lang=state.lang,
            fallback_reason=fallback_reason,
            figures=[FigureCheck(f.text, True, n) for f in figures],
        )


# A long sentence is shown whole to the model when it is no longer than this.
_SHOWN_WHOLE = 80


def _shown(text: str, clauses: list[tuple[int, int]], scores: list[float], floor: float) -> str:
    """A long sentence cut to its first clause (its subject, often "the main targets are:") and the clauses
    scoring at least ``floor``, each with the punctuation after it; "…" marks what is left out."""
    if len(text) <= _SHOWN_WHOLE or not clauses:
        return text
    keep = [i for i, score in enumerate(scores) if i == 0 or score >= floor]
    pieces, previous = [], -1
    for i in keep:
        start, end = clauses[i]
        end = end + 1 if end < len(text) and not text[end].isalnum() else end
        if previous >= 0 and i != previous + 1:
            pieces.append("…")
        pieces.append(text[start:end])
        previous = i
    if keep[-1] != len(clauses) - 1:
        pieces.append("…")
    return "".join(pieces)


def _source_quote(state: ChainState, answer: str) -> str:
    """The context sentence (as the model saw it) holding the answer's figures, else the closest one,
    quoted with its marker."""
    stated = numbers.extract_figures(answer)
    number, best = max(((n, s) for n, group in enumerate(state.context, start=1) for s in group),
                       key=lambda item: (_states_any(item[1].text, stated), item[1].score))
    return f"(report: “{(best.shown or best.text).rstrip('。；;')}” [{number}])"


def _fuse(rankings: list[list[Passage]], k: int, rrf_k: int) -> list[Passage]:
    """Reciprocal rank fusion of passage rankings (by chunk id), best ``k``."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, passage in enumerate(ranking):
            key = passage.chunk.chunk_id
            scores[key] = scores.get(key, 0.0) + 1.0 / (rrf_k + rank + 1)
            first.setdefault(key, passage)
    best = sorted(scores, key=lambda key: -scores[key])[:k]
    return [replace(first[key], score=round(scores[key], 6)) for key in best]


def _number_figures(text: str) -> list[numbers.Figure]:
    return [f for f in numbers.extract_figures(text) if f.kind == "number"]


def _subject_elsewhere(context: list[list[Sentence]], subject: str, figures: list[numbers.Figure]) -> bool | None:
    """What was counted, ``subject``, against the answer's figures: None when a sentence stating one of them
    shares a word with it (or no sentence states one), else whether another context sentence does."""
    sentences = [s for group in context for s in group]
    words = set(tokenize(subject))
    naming = {id(s) for s in sentences if words & set(tokenize(s.text))}
    holding = [s for s in sentences if _states_any(s.text, figures)]
    if not holding or any(id(s) in naming for s in holding):
        return None
    return bool(naming)


_PER_BASE = {100: "每百", 1000: "每千", 10_000: "每万"}
_PER = re.compile(r"\bper\s*$", re.IGNORECASE)


def _per_capita_base(answer: str, figure: numbers.Figure, sources: list[str]) -> bool:
    """Whether ``figure`` is the base of a per-capita figure ("4.8 places per 1,000 people" for the report's
    每千人口…4.8个), which is no figure of its own."""
    base = _PER_BASE.get(int(figure.value)) if figure.value == int(figure.value) else None
    return bool(base and _PER.search(answer[:figure.start]) and any(base in source for source in sources))


def _states_any(text: str, figures: list[numbers.Figure]) -> bool:
    """Whether ``text`` states the value of one of ``figures``: numbers and dates, as a year or an ordinal does
    not tell which sentence an answer comes from."""
    return any(_same_as_any(f, figures) for f in numbers.extract_figures(text) if f.kind in ("number", "date"))


def _same_as_any(figure: numbers.Figure, figures: list[numbers.Figure]) -> bool:
    return any(g.kind == figure.kind and numbers.same_value(figure.value, g.value) for g in figures)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _group_source(group: list[Sentence]) -> str:
    return group[0].passage.chunk.text


def _best_score(state: ChainState) -> float:
    """How well the report's closest sentence matches the question, on the scale of the thresholds."""
    return max((s.similarity for group in state.context for s in group), default=-1.0)


def _renumber(match: re.Match[str], renumber: dict[int, int]) -> str:
    kept = [renumber[n] for n in map(int, re.findall(r"\d+", match.group(1))) if n in renumber]
    space = match.group()[: len(match.group()) - len(match.group().lstrip())]
    return space + "".join(f"[{n}]" for n in dict.fromkeys(kept)) if kept else ""


_QUALIFIER_EN = {"about": "about ", "over": "over ", "at_least": "at least ", "at_most": "at most "}


def _english_figures(answer: str) -> str:
    """Chinese figures the model left in an English answer ("30个 parks") are rendered in English by code;
    those inside brackets or quotes are quotations of the source and stay."""
    pieces, last = [], 0
    for figure in numbers.extract_figures(answer):
        if figure.kind != "number" or not _CJK.search(figure.text) or _quoted_at(answer, figure.start):
            continue
        unit = numbers.english_unit(figure.unit)
        english = _QUALIFIER_EN.get(figure.qualifier or "", "") + numbers.format_english(figure)
        pieces += [answer[last:figure.start], english + (f" {unit}" if unit else "")]
        last = figure.end
    return "".join(pieces) + answer[last:]


_WRITTEN_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:thousand|million|billion|trillion|bn|k)\b)?", re.IGNORECASE)


def _repair_scale(answer: str, sources: list[str]) -> str:
    """Fix the small model's typical error, right digits at the wrong scale ("2.7 million" for 2.7万,
    "140,000" for 140万):
    an answer figure that matches no source figure, but whose digits are those of exactly one source
    figure (or of one in the same unit), is rewritten from that source figure by code (27,000)."""
    source_figures = [f for text in sources for f in numbers.extract_figures(text) if f.kind == "number"]
    checks = numbers.match_figures(answer, sources)
    for check in sorted(checks, key=lambda c: -c.figure.start):
        figure = check.figure
        if check.found or figure.kind != "number":
            continue
        digits = numbers.significant_digits(figure.text)
        candidates = [f for f in source_figures
                      if numbers.significant_digits(f.text) == digits and f.percent == figure.percent]
        same_digits = {(f.value, f.percent) for f in candidates}
        if len(same_digits) > 1:  # "300 million square metres": 300万平方米, not 30个
            same_digits = {(f.value, f.percent) for f in candidates if numbers.same_unit(f, figure)}
        if len(same_digits) != 1:
            continue
        value, percent = same_digits.pop()
        source = next(f for f in source_figures if (f.value, f.percent) == (value, percent))
        written = _WRITTEN_NUMBER.search(answer, figure.start, figure.end)
        if written:
            answer = answer[:written.start()] + numbers.format_english(source) + answer[written.end():]
    return answer


def _quoted_at(text: str, index: int) -> bool:
    return any(m.start() <= index < m.end() for m in _QUOTED.finditer(text))


def _repoint_markers(answer: str, sources: list[str]) -> str:
    """Point each [n] at the passage that holds the figures of the text before it, when the model
    cited a passage that does not hold them."""
    pieces, last = [], 0
    for marker in _MARKER.finditer(answer):
        segment = answer[last:marker.start()]
        cited = [int(n) for n in re.findall(r"\d+", marker.group(1))]
        checks = [c for c in numbers.match_figures(segment, sources) if c.figure.kind == "number" and c.found]
        holders = {c.source_index for c in checks}
        replacement = marker.group()
        if checks and not holders & {n - 1 for n in cited}:
            best = max(holders, key=lambda j: sum(c.source_index == j for c in checks))
            replacement = marker.group()[: len(marker.group()) - len(marker.group().lstrip())] + f"[{best + 1}]"
        pieces += [segment, replacement]
        last = marker.end()
    return "".join(pieces) + answer[last:]


_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+|[\u4e00-\u9fff]{2,}")


def _parroted_names(answer: str, state: ChainState, sources: list[str]) -> list[str]:
    """Names (capitalised word runs, Chinese words) the answer shares with the question's override
    preamble but not with the passages: "Mayor Li Ming" when the question says the report was
    delivered by Li Ming."""
    preamble = state.standalone.replace(state.focus, " ") if state.focus != state.standalone else state.standalone
    grounded = " ".join(sources)
    found = []
    for name in dict.fromkeys(_NAME.findall(answer)):
        pieces = [name] if not _CJK.match(name) else [name[i:i + 2] for i in range(len(name) - 1)]
        if any(p in preamble and p not in grounded for p in pieces):
            found.append(name)
    return found


_FILLER = frozenset("a an the is are was were will be been to of in on for and or by with this that these those it its "
                    "there their report city year".split())


def _words(text: str) -> set[str]:
    """Latin words (filler aside), numbers and Chinese character pairs."""
    latin = {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _FILLER}
    return latin | _pairs(text) | set(re.findall(r"\d+(?:\.\d+)?", text))


def _pairs(text: str) -> set[str]:
    """Chinese character pairs (a one-character run counts as itself), as the keyword index splits them."""
    return {token for token in tokenize(text) if _CJK.match(token)}


# Wording our Chinese answer prompt itself suggests ("报告没有说…，而是…").
_PROMPT_WORDS = _pairs("报告没有说，而是")


def _worded_from(answer: str, question: str, sources: list[str]) -> bool:
    """Whether a Chinese answer takes its wording from the passages: at least half of its character pairs
    that are not the question's are in them. Judged only on answers with 3+ such pairs (a short answer
    often joins words across the source's punctuation)."""
    own = _pairs(_MARKER.sub("", answer)) - _pairs(question) - _PROMPT_WORDS
    if len(own) < 3:
        return True
    text = "".join(sources)
    return sum(pair in text for pair in own) / len(own) >= 0.5


def _adds_to(answer: str, question: str) -> bool:
    """Whether an answer says anything the question does not ("The main targets for 2024 are [1]." does not)."""
    return bool(_words(_MARKER.sub("", answer)) - _words(question))


def _mostly_chinese(text: str) -> bool:
    bare = _QUOTED.sub("", _MARKER.sub("", text))
    cjk = len(_CJK.findall(bare))
    latin = len(re.findall(r"[A-Za-z]", bare))
    return cjk > latin


def _clauses(sentence: Sentence) -> list[Sentence]:
    """Split a sentence at commas and enumeration marks, keeping absolute offsets."""
    pieces = [Sentence(sentence.passage, sentence.start + s, sentence.start + e, sentence.text[s:e])
              for s, e in clause_spans(sentence.text, enumerations=True)]
    return pieces or [sentence]

