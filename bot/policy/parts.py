"""A message asking several things (``bot.understand.parts.asked_parts``) answered part by part, in order, each
part a question of its own through the whole chain; later parts get the earlier ones as their conversation, so that
"物价涨幅呢？" after "失业率控制在多少？" is the follow-up it reads as. The answers are joined, their citations
numbered on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from bot.answer.citations import renumber
from bot.policy.rules import RULE_BY_NAME, Trace
from bot.schema import AnswerResult, Lang, StreamEvent

# Between two parts' answers: a paragraph break (Markdown joins single lines).
_BETWEEN = "\n\n"
# One part through the chain: (question, conversation so far) → its events.
AnswerOne = Callable[[str, list[dict[str, str]]], Iterator[StreamEvent]]


def answered_in_parts(question: str, parts: list[str], history: list[dict[str, str]], lang: Lang,
                      answer_one: AnswerOne) -> Iterator[StreamEvent]:
    """Each part's answer streamed as it comes, then the joined answer (``replace``) and the joined result."""
    began = time.perf_counter()
    results: list[AnswerResult] = []
    turns = list(history)
    for n, part in enumerate(parts, start=1):
        streamed = False
        for event in answer_one(part, turns):
            if event.kind == "token":
                # A part's tokens after the earlier parts' answers, on a line of its own.
                yield StreamEvent("token", text=("" if streamed or not results else _BETWEEN) + event.text)
                streamed = True
            elif event.kind in ("status", "queue"):
                yield event
            elif event.kind == "final" and event.result is not None:
                results.append(event.result)
        if len(results) < n:
            raise RuntimeError(f"the answer chain ended without a result for the part {part!r}")
        turns = turns + [{"role": "user", "content": part}, {"role": "assistant", "content": results[-1].answer}]
    result = joined(question, results, lang)
    result.timings_ms = {"total": round((time.perf_counter() - began) * 1000, 1)}
    yield StreamEvent("sources", citations=result.citations)
    yield StreamEvent("replace", text=result.answer)
    yield StreamEvent("final", result=result)


def joined(question: str, results: list[AnswerResult], lang: Lang) -> AnswerResult:
    """The parts' answers a paragraph each, their markers and citations numbered on from the earlier parts'; found
    when any part is, verified when every part is; the trace is the route's step, naming what decided each part."""
    answers, citations = [], []
    for result in results:
        moved = {c.n: len(citations) + i for i, c in enumerate(result.citations, start=1)}
        answers.append(renumber(result.answer, moved))
        citations += [replace(c, n=moved[c.n]) for c in result.citations]
    # The route decides; what decided each part, and why, is its reason (each part's own trace is the chain's).
    trace = Trace(lang)
    trace.passed("claim_checked")
    table = RULE_BY_NAME["parts_asked"].reason.format(parts=len(results))
    each = "; ".join(f"part {n}: {_decided_by(r)}" for n, r in enumerate(results, start=1))
    step = trace.decided("parts_asked", f"{table} ({each})")
    return AnswerResult(
        question=question, standalone_question=" ".join(r.standalone_question for r in results),
        answer=_BETWEEN.join(answers), found=any(r.found for r in results), verified=all(r.verified for r in results),
        citations=citations, backend="+".join(dict.fromkeys(r.backend for r in results)), timings_ms={},
        lang=lang, fallback_reason=step.reason if any(r.fallback_reason for r in results) else None,
        figures=[f for r in results for f in r.figures],
        working="; ".join(r.working for r in results if r.working) or None,
        trace=list(trace.steps), subject_confirmed=all(r.subject_confirmed for r in results),
    )


def _decided_by(result: AnswerResult) -> str:
    """The rule that chose a part's answer, with its reason when it was not the model's own."""
    last = next((step for step in reversed(result.trace) if step.outcome == "decided"), None)
    if last is None:
        return "?"
    return f"{last.rule} ({last.reason})" if result.fallback_reason else last.rule
