"""Checking what a user sends before it reaches the chain: question text, language, chat history."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from bot.schema import BotInputError, Lang

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
MAX_HISTORY_TURNS = 50


def clean_question(text: object, max_chars: int) -> str:
    """Normalise a question (NFKC, control characters removed) or raise a user-readable error."""
    if not isinstance(text, str):
        raise BotInputError("the question must be text")
    # Control characters (but not line breaks or tabs) are removed; they carry no meaning and confuse models.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    if not text:
        raise BotInputError("the question is empty; type a question about the report")
    if len(text) > max_chars:
        raise BotInputError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}. Ask a shorter question"
        )
    return text


def detect_lang(text: str) -> Lang:
    """Chinese when the text has Chinese characters and they are not swamped by Latin letters."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def clean_history(history: object, max_chars: int) -> list[dict[str, str]]:
    """Validate a chat history: a list of {"role": "user"|"assistant", "content": str}."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise BotInputError("the history must be a list of {\"role\", \"content\"} messages")
    cleaned: list[dict[str, str]] = []
    for i, message in enumerate(history[-MAX_HISTORY_TURNS:]):
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            raise BotInputError(f"history message {i} must be an object with \"role\" and \"content\"")
        role = message["role"]
        if role not in ("user", "assistant"):
            raise BotInputError(f"history message {i} has role {role!r}; use \"user\" or \"assistant\"")
        content = message["content"]
        if not isinstance(content, str):
            raise BotInputError(f"history message {i} content must be text")
        content = "".join(ch for ch in content if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
        if content:
            cleaned.append({"role": role, "content": content[: max_chars * 2]})
    return cleaned


def load_history_file(path: Path, max_chars: int) -> list[dict[str, str]]:
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BotInputError(f"history file {path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BotInputError(f"history file {path} is not valid JSON: {err}") from None
    return clean_history(data, max_chars)
