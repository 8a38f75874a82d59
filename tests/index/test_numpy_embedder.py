"""The NumPy forward pass of EmbeddingGemma gives sentence-transformers' vectors, so the bot's queries find what
the index's vectors were built for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.numpy_embedder import GemmaEncoder, supports

REPORT = Path(__file__).resolve().parents[2] / "data" / "zhengzhou-2024-government-work-report.md"
# Similarities closer than this are a tie between the two runtimes (float noise, not a different ranking).
TIE = 1e-3


def _folder(settings) -> Path:
    from index.models import resolve_model

    return Path(resolve_model(settings.embedding.model, settings.model_cache, fetch=False))


def test_only_the_supported_layout_is_claimed(tmp_path: Path) -> None:
    assert not supports(tmp_path)  # nothing there
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (tmp_path / "modules.json").write_text("[]")
    assert not supports(tmp_path)


@pytest.mark.models
def test_the_bundled_model_is_supported(real_settings) -> None:
    assert supports(_folder(real_settings))


@pytest.mark.models
def test_vectors_equal_sentence_transformers_in_float32(real_settings) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from index.embeddings import Embedder

    folder = _folder(real_settings)
    report = REPORT.read_text(encoding="utf-8")
    texts = ["今年新增学位多少个？", "How many new school seats?", report[2621:2864],
             report[:4000]]  # the last one: 512 tokens (cut by both), longer than the sliding layers' window
    model = SentenceTransformer(str(folder), device="cpu")
    model.max_seq_length = 512
    with torch.inference_mode():
        reference = Embedder(model, "reference", 8, "float32")
        ours = Embedder(GemmaEncoder(folder, 512), "ours", 8, "float32")
        pairs = [(reference.embed_queries(texts), ours.embed_queries(texts)),
                 (reference.embed_texts(texts), ours.embed_texts(texts))]
    for expected, got in pairs:
        assert got.shape == expected.shape == (4, 768)
        assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
        assert (expected * got).sum(axis=1).min() > 0.99999


@pytest.mark.models
def test_the_engine_finds_the_same_passages_as_with_the_session_embedder(engine) -> None:
    from bot.engine import Engine
    from eval.bench_index import QUESTIONS

    settings = engine.settings.model_copy(update={
        "embedding": engine.settings.embedding.model_copy(update={"query_runtime": "numpy"})})
    numpy_engine = Engine(settings, store=None)
    assert isinstance(numpy_engine.embedder.model, GemmaEncoder)
    for question in QUESTIONS:
        ours = [p.chunk.chunk_id for p in numpy_engine.search(question)]
        theirs = engine.search(question)
        assert set(ours) == {p.chunk.chunk_id for p in theirs}, question
        # Two passages may change places only when their similarities tie to within float noise: the two runtimes'
        # query vectors agree to a cosine of 0.99993, so 0.4777 against 0.4774 can swap on another CPU.
        similarity = {p.chunk.chunk_id: p.similarity for p in theirs}
        order = [p.chunk.chunk_id for p in theirs]
        swapped = [(a, b) for i, a in enumerate(order) for b in order[i + 1:] if ours.index(a) > ours.index(b)]
        assert all(abs(similarity[a] - similarity[b]) < TIE for a, b in swapped), (question, swapped)
    numpy_engine.store.client.close()
