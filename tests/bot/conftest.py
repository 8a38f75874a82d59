"""Fixtures of the bot's tests that need no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzbot.settings import LLMSettings


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """A file standing for the GGUF (its identity is part of a saved state's key)."""
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF fake weights")
    return path


@pytest.fixture
def llm_settings() -> LLMSettings:
    return LLMSettings(timeout_s=30)
