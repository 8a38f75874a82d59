"""What the bot returns: the contract shared by the CLI, the UI and the eval."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Lang = Literal["zh", "en"]


class BotInputError(ValueError):
    """A question or history the bot cannot take; the message is meant for the user."""


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


class BotUnavailable(RuntimeError):
    """A model or the index is missing; the message names the command that fixes it."""


@dataclass
class Citation:
    n: int
    chunk_id: str
    source: str
    section: str
    text: str  # the whole passage
    start: int  # offsets of the passage in the source document
    end: int
    score: float
    # Spans of the source document to highlight (the quoted sentence, then each figure), absolute offsets.
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"highlights": [list(h) for h in self.highlights]}


@dataclass
class FigureCheck:
    text: str  # as written in the answer
    verified: bool
    citation: int | None  # the [n] whose passage holds the same figure


RuleStage = Literal["before", "route", "after", "fallback"]


@dataclass(frozen=True)
class RuleStep:
    """One rule of the answer policy (bot.policy.rules) as it applied to one question: ``decided`` for the rule that
    chose the shown answer (or refused), ``passed`` for those it got through before that. ``reason`` is for staff,
    in English; ``reason_shown`` is for the asker, in the question's language (empty when nothing is said)."""

    rule: str
    stage: RuleStage
    outcome: Literal["passed", "decided"]
    reason: str = ""
    reason_shown: str = ""


@dataclass
class AnswerResult:
    question: str
    standalone_question: str
    answer: str
    found: bool
    verified: bool
    citations: list[Citation]
    backend: str  # the backend that produced the shown answer ("extractive" after a fallback)
    timings_ms: dict[str, float]
    lang: Lang = "zh"
    # Why the shown answer is not the LLM's own, when it is not: unreachable, timed out, unverified figure…
    fallback_reason: str | None = None
    figures: list[FigureCheck] = field(default_factory=list)
    # For a computed answer (a sum, comparison, ratio…): the calculation with the report's figures.
    working: str | None = None
    # The rules of the answer policy this answer went through, in order; the last ``decided`` one chose it.
    trace: list[RuleStep] = field(default_factory=list)
    # Whether the answer's subject, not only its figures, was confirmed against the cited sentence (the claim
    # check): the UI's "figures verified" badge needs both.
    subject_confirmed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"citations": [c.to_dict() for c in self.citations]}


@dataclass
class StreamEvent:
    """One step of a streamed answer.

    kind: "status" (text: what the bot is doing), "rewrite" (text: the standalone question),
    "sources" (citations: the passages retrieved for the question, numbered as the model sees them; shown while
    the answer is written), "queue" (position: questions ahead of this one for the model, text: a message),
    "token" (text: the next piece of the answer), "replace" (text: the whole answer, replacing what was
    streamed, e.g. after a fallback), "final" (result: the finished AnswerResult).
    """

    kind: Literal["status", "rewrite", "sources", "queue", "token", "replace", "final"]
    text: str = ""
    result: AnswerResult | None = None
    citations: list[Citation] = field(default_factory=list)
    position: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.text:
            data["text"] = self.text
        if self.kind == "sources":
            data["citations"] = [c.to_dict() for c in self.citations]
        if self.position is not None:
            data["position"] = self.position
        if self.result is not None:
            data["result"] = self.result.to_dict()
        return data


Verdict = Literal["supported", "contradicted", "not_in_report"]


@dataclass
class CheckResult:
    """The fact-check of one claim against the report."""

    claim: str
    verdict: Verdict
    explanation: str  # one sentence, in the claim's language
    report_figures: list[str]  # the report's own figure(s) the verdict rests on, as written in the report
    citations: list[Citation]
    lang: Lang = "zh"
    timings_ms: dict[str, float] = field(default_factory=dict)
    # How the claim's figure differs from the report's: "different_value", "different_unit",
    # "different_qualifier"; None unless contradicted.
    difference: str | None = None
    # The embedding similarity of the claim's words around its figure and the report clause it was judged by.
    similarity: float | None = None
    # The report's own term for what an English claim measures (data/glossary.tsv) labels the figure judged.
    named: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"citations": [c.to_dict() for c in self.citations]}
