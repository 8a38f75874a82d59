"""Shared fixtures. Tests that need the real models are marked ``models``; they load each model once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ZZBOT_PROFILE", "test")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"


@pytest.fixture(scope="session")
def report_text() -> str:
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    """Default settings with the index in a fresh temporary folder."""
    from zzbot.settings import load_settings

    return load_settings(chroma={"path": tmp_path_factory.mktemp("chroma")})


@pytest.fixture(scope="session")
def embedder(real_settings):
    from index.embeddings import Embedder

    return Embedder.load(real_settings, fetch=False)


@pytest.fixture(scope="session")
def engine(real_settings, embedder):
    """An engine over the bundled report, indexed once for the whole session."""
    from bot.engine import Engine
    from index.documents import load_documents
    from index.store import ChunkStore

    store = ChunkStore(real_settings, embedder)
    store.sync(load_documents(real_settings.documents))
    return Engine(real_settings, embedder=embedder, store=store)
