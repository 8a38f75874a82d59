"""Checking the options a caller passes with a question (CLI, UI, API): the backend name and k.

Out-of-range or unknown values are refused with a user-readable BotInputError, never clamped or
replaced; the allowed values come from the settings' own definitions, so every entry point agrees.
"""

from __future__ import annotations

from bot.schema import BotInputError
from zzbot.settings import BACKENDS, RetrievalSettings, field_bounds

_K_BOUNDS = field_bounds(RetrievalSettings, "k")
K_MIN, K_MAX = int(_K_BOUNDS[0] or 1), int(_K_BOUNDS[1] or 1)


def validate_backend(name: object, option: str = "backend") -> str:
    """``name`` when it is one of the LLM backends (local, openai, extractive); else BotInputError."""
    if not isinstance(name, str) or name not in BACKENDS:
        raise BotInputError(f"{option} {name!r} is not one of {', '.join(BACKENDS)}")
    return name


def validate_k(k: object, option: str = "k") -> int:
    """``k`` (passages to retrieve) as an int when it is a whole number within the settings' bounds."""
    whole = isinstance(k, int) or (isinstance(k, float) and k.is_integer())
    if isinstance(k, bool) or not whole:
        raise BotInputError(f"{option} must be a whole number between {K_MIN} and {K_MAX}, got {k!r}")
    if not K_MIN <= k <= K_MAX:  # type: ignore[operator]
        raise BotInputError(f"{option} must be between {K_MIN} and {K_MAX}, got {k}")
    return int(k)  # type: ignore[arg-type]
