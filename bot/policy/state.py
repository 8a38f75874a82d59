"""What the answer chain knows about one question as it goes through the stages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.policy.premises import Correction, Premise
from bot.policy.report_scope import ReportScope
from bot.policy.rules import Trace
from bot.retrieval.context import Context
from bot.retrieval.retriever import Passage
from bot.schema import Lang
from bot.understand.parsed import ParsedQuestion
from zzbot import numbers


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
    # The standalone question read once (bot.understand.parsed), by the focus stage; every later stage reads it.
    parsed: ParsedQuestion = field(default=None)  # type: ignore[assignment] - set before any stage reads it
    # Which indexed reports the question is about when several are (None: all of them, or only one indexed).
    scope: ReportScope | None = None
    # The question in the report's words, searched for beside it: a Chinese one with "GDP" written 地区生产总值,
    # or an English one translated when answer.translate_questions is on.
    chinese: str = ""
    passages: list[Passage] = field(default_factory=list)
    context: Context = field(default_factory=list)  # per numbered passage [1], [2]…
    # The figures the question takes for granted, checked; its correction (a figure the report contradicts) is
    # ``premise.correction``, and the whole answer when the corrected question asks nothing more (premise_only).
    premise: Premise | None = None
    premise_only: bool = False
    streamed: str = ""  # the answer text streamed so far
    # The figures of the model's answer that its passages state, once the answer is drafted.
    answered: list[numbers.Figure] = field(default_factory=list)
    # A follow-up no model made standalone: searched for in its own words first, and its context picked by them.
    follow_up: str = ""
    # The names joining a place the question asks about to the documents' own place (郑开 for 郑州和开封).
    joined: list[str] = field(default_factory=list)
    trace: Trace = field(init=False)  # the policy rules applied so far (bot.policy.rules)

    def __post_init__(self) -> None:
        self.trace = Trace(self.lang)

    @property
    def correction(self) -> Correction | None:
        """A figure the question takes for granted that the report contradicts."""
        return self.premise.correction if self.premise else None

    @property
    def sources(self) -> list[str]:
        """The text of each numbered passage."""
        return [group[0].passage.chunk.text for group in self.context]

    @property
    def asked(self) -> str:
        """What the answer must give: a follow-up's own words, else the question's focus."""
        return self.follow_up or self.focus


def previous_answer(history: list[dict[str, str]]) -> str:
    return next((turn["content"] for turn in reversed(history) if turn.get("role") == "assistant"), "")
