"""Whether a report clause states the very thing a question asks about, judged by meaning: the local model is
asked (prompts/judge.zh.md) and its graded yes/no read from its first-token logits. Word checks cannot see that
停车的地方 is 公共停车位 or 上学的名额 学位; embeddings rank such pairs well but no absolute threshold separates "the
same thing" from "a neighbouring thing" (公共充电桩 ~ 公共停车位 scores above 上学的名额 ~ 学位)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from bot.engine import Engine
from bot.llm.client import BackendError, Messages
from bot.llm.prompting import render

log = logging.getLogger(__name__)


@runtime_checkable
class MarginModel(Protocol):
    def next_token_margin(self, messages: Messages, yes: str, no: str) -> float: ...


class SubjectJudge:
    """``margin(question, clause)``: how strongly the model says the clause is about what the question asks
    (> 0 leans yes); None when no model that exposes logits is at hand or it failed. ``model`` is looked up per
    call (the chain's backend for the question), so a process without the local model never loads it here."""

    def __init__(self, model: Callable[[str], MarginModel | None]) -> None:
        self.model = model

    @classmethod
    def of_engine(cls, engine: Engine) -> SubjectJudge:
        """Judging with the engine's local model (a server's API gives no logits: no judge there)."""

        def local_model(backend: str) -> MarginModel | None:
            if backend != "local":
                return None
            try:
                model = engine.backend(backend, "judge.zh")  # its examples primed once, as every prompt's
            except BackendError:
                return None
            return model if isinstance(model, MarginModel) else None

        return cls(local_model)

    def margin(self, backend: str, question: str, clause: str) -> float | None:
        model = self.model(backend)
        if model is None:
            return None
        try:
            margin = model.next_token_margin(render("judge.zh.md", question=question, clause=clause), "是", "否")
        except BackendError as err:
            log.warning("the subject judge failed (%s); the refusal stands", err)
            return None
        log.debug("judge margin %.2f for %r ~ %r", margin, question, clause)
        return margin
