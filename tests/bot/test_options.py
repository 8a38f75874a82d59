"""Options passed with a question: refused when out of range or unknown, never clamped or replaced."""

from __future__ import annotations

import pytest

from bot.options import K_MAX, K_MIN, validate_backend, validate_k
from bot.schema import BotInputError
from zzbot.settings import BACKENDS, RetrievalSettings, field_bounds


def test_k_bounds_are_the_settings_bounds() -> None:
    assert (K_MIN, K_MAX) == field_bounds(RetrievalSettings, "k") == (1, 50)


@pytest.mark.parametrize("k", [1, 4, 50, 7.0])
def test_k_in_range(k: object) -> None:
    assert validate_k(k) == int(k)  # type: ignore[call-overload]


@pytest.mark.parametrize("k", [-1, 0, 51, 1_000_000])
def test_k_out_of_range(k: int) -> None:
    with pytest.raises(BotInputError, match=rf"^--k must be between 1 and 50, got {k}$"):
        validate_k(k, "--k")


@pytest.mark.parametrize("k", [2.5, float("nan"), float("inf"), "4", None, True])
def test_k_that_is_not_a_whole_number(k: object) -> None:
    with pytest.raises(BotInputError, match="k must be a whole number between 1 and 50"):
        validate_k(k)


def test_backends() -> None:
    assert BACKENDS == ("local", "openai", "extractive")
    for name in BACKENDS:
        assert validate_backend(name) == name
    for bad in ("gpt5", "", "Local", None, 3):
        with pytest.raises(BotInputError, match="is not one of local, openai, extractive"):
            validate_backend(bad)
