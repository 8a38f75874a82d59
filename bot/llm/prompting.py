"""The prompts in ``prompts/``, one file per purpose and language, as LangChain ``ChatPromptTemplate``s.

A chat prompt file holds the system text, then example turns, then the template of the user's turn, separated
by lines of ``---``; each turn starts with ``user:`` or ``assistant:``. Examples as real turns steer a small model
best, and keeping them fixed at the start of every call lets llama.cpp reuse their evaluated prefix.
"""

from __future__ import annotations

import re
from functools import cache

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from bot.schema import Lang
from zzbot.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
Messages = list[dict[str, str]]
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class PromptError(ValueError):
    """A prompt file that does not follow the format above."""


@cache
def prompt_text(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8").strip()


def not_found_message(lang: Lang) -> str:
    return prompt_text(f"not_found.{lang}.txt")


@cache
def chat_prompt(name: str) -> ChatPromptTemplate:
    """The prompt file ``name`` (e.g. ``answer.zh.md``) as a chat prompt template; its last turn is the user's,
    with the variables the caller fills in."""
    blocks = [b.strip() for b in re.split(r"^---$", prompt_text(name), flags=re.MULTILINE)]
    turns: list[tuple[str, str]] = [("system", _literal(blocks[0]))]
    for i, block in enumerate(blocks[1:], start=1):
        role, _, content = block.partition(":\n")
        if role not in ("user", "assistant"):
            raise PromptError(f"prompt {name}: a turn must start with 'user:' or 'assistant:', not {role!r}")
        last = i == len(blocks) - 1
        turns.append(("human" if role == "user" else "ai", content.strip() if last else _literal(content.strip())))
    if turns[-1][0] != "human":
        raise PromptError(f"prompt {name}: the last turn must be the user's, with the question's variables")
    return ChatPromptTemplate.from_messages(turns)


def _literal(text: str) -> str:
    """Fixed text inside a template: braces are not variables."""
    return text.replace("{", "{{").replace("}", "}}")


def as_messages(messages: list[BaseMessage]) -> Messages:
    """LangChain messages as the OpenAI-style dicts the chat backends take."""
    return [{"role": _ROLES[m.type], "content": str(m.content)} for m in messages]


def render(name: str, **variables: str) -> Messages:
    """The prompt ``name`` with its user turn filled in."""
    return as_messages(chat_prompt(name).format_messages(**variables))


def primer(name: str) -> Messages:
    """The prompt as evaluated once at warm-up: its fixed part (system text and examples) and the user's turn
    with a space for every variable. A call then reuses everything before its first variable, the turn's opening
    ("段落：\n") included: 5 tokens fewer to evaluate per call than the examples alone (~80 ms on 2 cores). A space
    keeps the opening's last piece ("：\n") tokenized as before real text, where nothing would merge it with the
    next line."""
    return render(name, **dict.fromkeys(chat_prompt(name).input_variables, " "))
