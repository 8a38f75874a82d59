"""Turning what the user typed into what is searched: a follow-up made standalone, an English question also
put in the report's Chinese words (by the LLM, when ``answer.translate_questions`` is on)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.llm import BackendError, ChatBackend, complete
from bot.prompting import render
from bot.questions import in_report_terms
from bot.schema import Lang
from zzbot.text import CJK

log = logging.getLogger(__name__)

# The backend for one prompt role ("rewrite.zh"…), None for the extractive (no-LLM) backend.
BackendFor = Callable[[str], ChatBackend | None]
# Characters of each earlier turn the rewriter sees.
TURN_CHARS = 300


def standalone_question(question: str, turns: list[dict[str, str]], lang: Lang, backend_for: BackendFor) -> str:
    """The last question rewritten to stand alone, from the conversation ``turns``. Without a model (or when its
    rewrite is unusable), the previous question gives the follow-up its subject."""
    previous = [t["content"] for t in turns if t["role"] == "user"]
    try:
        backend = backend_for(f"rewrite.{lang}")
    except BackendError as err:
        log.warning("no model to rewrite the follow-up: %s", err)
        backend = None
    if backend is not None:
        conversation = "\n".join(f"{t['role']}: {t['content'][:TURN_CHARS]}" for t in turns)
        messages = render(f"rewrite.{lang}.md", conversation=conversation, question=question)
        try:
            rewritten = complete(backend, messages, max_tokens=80).strip().splitlines()
            candidate = rewritten[0].split(":", 1)[-1].split("：", 1)[-1].strip() if rewritten else ""
            if 2 <= len(candidate) <= 3 * len(question) + 80:
                return candidate
        except BackendError as err:
            log.warning("follow-up rewrite failed, using the question with its context: %s", err)
    return f"{previous[-1]} {question}" if previous else question


def chinese_question(focus: str, backend_for: BackendFor) -> str:
    """An English question in the report's Chinese words, or "" when no model can translate it."""
    try:
        backend = backend_for("translate.en")
    except BackendError as err:
        log.warning("no model to translate the question: %s", err)
        return ""
    if backend is None:
        return ""
    try:
        lines = complete(backend, render("translate.en.md", question=focus), max_tokens=60).strip().splitlines()
    except BackendError as err:
        log.warning("translating the question failed, searching in English only: %s", err)
        return ""
    candidate = in_report_terms(lines[0].strip()) if lines else ""
    return candidate if CJK.search(candidate) and len(candidate) <= 2 * len(focus) + 20 else ""
