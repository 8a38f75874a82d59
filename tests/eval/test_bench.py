"""Smoke test of the speed benchmark (``python -m eval.bench``) at a tiny scale, with the real models.

Timings are not checked (the machine may be busy), only that every number is measured."""

from __future__ import annotations

import numpy as np
import pytest

from eval.bench import PathOptions, format_bench, run_bench
from eval.bench_index import (QUESTIONS, embedding_options, open_store, units_of, vector_cache, with_chroma_path,
                              write_cached)
from index.documents import load_documents

pytestmark = pytest.mark.models


def test_bench_reports_every_number_at_1x_and_a_reused_3x(real_settings):
    bench = run_bench(real_settings, scales=[1, 3], answers=1, backend="extractive", embed_limit=1, options=False)

    assert bench.embedder_load_s > 0 and bench.llm_load_s is None and bench.paths[0].path == "warm"
    assert set(bench.load_average) == {"start", "end"}
    one, three = bench.scales
    assert (one.scale, one.embedded, three.scale, three.embedded) == (1, True, 3, False)
    assert three.units == 3 * one.units + 3  # three documents, each with its own first line
    assert three.passages == 3 * one.passages + 3
    assert one.build_with_load_s is not None and one.build_with_load_s > one.build_s
    for result in bench.scales:
        assert min(result.embed_s, result.build_s, result.units_per_s, result.passages_per_s, result.open_s,
                   result.rss_mb, result.peak_rss_mb) > 0
        for stats in (result.query_ms, result.embed_query_ms, result.dense_ms, result.keyword_ms):
            assert 0 <= stats["p50"] <= stats["p95"]
        assert result.query_ms["p50"] > 0
    answers = bench.answers["extractive"]
    assert list(bench.answers) == ["extractive"] and answers["n"] == 1
    assert all(answers[stage]["p50"] > 0 for stage in ("retrieve", "generate", "total"))


def test_reused_vectors_are_written_exactly_as_sync_writes_them(real_settings, embedder, engine, tmp_path):
    documents = load_documents(real_settings.documents)
    include = ["documents", "metadatas", "embeddings"]
    with open_store(real_settings, embedder) as synced:  # indexed by the engine fixture
        expected = synced.collection.get(include=include)
        cache = vector_cache(synced, documents)
    with open_store(with_chroma_path(real_settings, tmp_path), embedder) as reused:
        assert write_cached(reused, documents, cache) == len(expected["ids"])
        got = reused.collection.get(include=include)

    def records(stored: dict) -> tuple[list[tuple], np.ndarray]:
        rows = sorted(zip(stored["ids"], stored["documents"], stored["metadatas"], stored["embeddings"], strict=True),
                      key=lambda row: row[0])
        return [row[:3] for row in rows], np.array([row[3] for row in rows])

    (got_rows, got_vectors), (expected_rows, expected_vectors) = records(got), records(expected)
    assert got_rows == expected_rows
    assert np.allclose(got_vectors, expected_vectors, atol=1e-6)  # Chroma re-normalises: equal up to float32 rounding


def test_embedding_options_measure_speed_and_fidelity_to_fp32(real_settings, embedder):
    texts = units_of(load_documents(real_settings.documents)[0], real_settings)[:8]
    before = embedder.embed_chunks(texts)
    options = embedding_options(real_settings, texts, QUESTIONS[:4], batch_sizes=(8,))

    assert [o["option"] for o in options] == ["fp32, batch 8", "int8 dynamic (Linear), batch 32", "bf16, batch 8",
                                              "bf16, batch 32"]
    assert all(o["units_per_s"] > 0 and -1 <= o["min_cosine"] <= o["mean_cosine"] for o in options)
    assert options[0]["min_cosine"] > 0.999 and options[0]["top5_overlap"] == 1.0 and options[0]["safe"]
    assert np.allclose(embedder.embed_chunks(texts), before, atol=1e-5)  # the configured model is left as it was


def test_every_answer_path_is_timed_beside_the_warm_one(real_settings):
    paths = PathOptions(cold=1, file=True, users=(1, 3), naive=True)
    bench = run_bench(real_settings, scales=[1], answers=3, backend="extractive", embed_limit=1, options=False,
                      paths=paths)

    assert [p.path for p in bench.paths] == ["warm", "cold `bot ask`, first run", "cold `bot ask`",
                                             "`bot ask --file` (per question)", "1 concurrent user",
                                             "3 concurrent users", "naive baseline (warm)"]
    assert all(p.failures == 0 and p.n >= 1 and 0 < p.total["p50"] <= p.total["p95"] for p in bench.paths)
    by_name = {p.path: p for p in bench.paths}
    assert by_name["3 concurrent users"].n == 3 and by_name["1 concurrent user"].n == 4
    assert by_name["3 concurrent users"].moments["sources"]["p50"] > 0  # the sources event, before the answer
    assert by_name["`bot ask --file` (per question)"].n == 3
    # a new process loads what the warm one has loaded: slower, whatever the machine's load
    assert by_name["cold `bot ask`"].total["p50"] > by_name["warm"].total["p50"]
    table = format_bench(bench)
    assert "answer latency along each path" in table and "× warm" in table
