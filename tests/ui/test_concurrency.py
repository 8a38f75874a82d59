"""Ten users at once through the HTTP API (streamed chat completions): every answer right and to its own question,
the retrieved sources at once for everyone, latency printed."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.models

# (question, acceptable spellings of the report's figure): questions both backends answer right when
# asked alone, so a wrong answer here means load broke something. Ten users ask them in turn.
QUESTIONS = [
    ("郑州今年打算新建多少公里供水管网？", ["85公里"]),
    ("今年全社会研发投入强度目标是多少？", ["2.8%"]),
    ("养老托老床位数目标是多少张？", ["6.6万"]),
    ("配售型保障性住房要建多少套？", ["3700"]),
    ("How much should the regional GDP grow this year?", ["7%", "7 percent"]),
    ("How many companies will be newly certified as high-tech enterprises in 2024?", ["1,000", "1000"]),
]
USERS = [QUESTIONS[i % len(QUESTIONS)] for i in range(10)]
TIMEOUT_S = 900


@dataclass
class Outcome:
    question: str  # as the server understood it
    answer: str  # the streamed content
    result: dict  # the final AnswerResult
    sources_s: float  # until the "sources" event
    total_s: float  # until the end of the stream
    queue_positions: list[int]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def _ask(url: str, question: str, backend: str) -> Outcome:
    """One user's streamed question; each user on a connection of their own."""
    import httpx

    body = {"model": "zzbot", "stream": True, "backend": backend, "messages": [{"role": "user", "content": question}]}
    began = time.perf_counter()
    sources_s, answer, result, positions = None, "", None, []
    with httpx.Client(timeout=TIMEOUT_S) as client, client.stream("POST", f"{url}/v1/chat/completions",
                                                                  json=body) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line.removeprefix("data: "))
            assert "error" not in chunk, chunk
            answer += chunk["choices"][0]["delta"].get("content") or ""
            extra = chunk.get("zzbot") or {}
            if extra.get("kind") == "sources" and sources_s is None:
                sources_s = time.perf_counter() - began
            elif extra.get("kind") == "queue":
                positions.append(extra["position"])
            elif extra.get("kind") == "final":
                result = extra["result"]
    assert result is not None and sources_s is not None, f"no final result or no sources for {question}"
    return Outcome(result["question"], answer, result, sources_s, time.perf_counter() - began, positions)


@pytest.mark.parametrize("backend", ["extractive", "local"])
def test_ten_concurrent_users(running_app, backend: str) -> None:
    # Alone first: warms the models and, for the deterministic backend, gives the answers load must not change.
    alone = {q: _ask(running_app.url, q, backend).answer for q, _ in (QUESTIONS if backend == "extractive"
                                                                     else QUESTIONS[:1])}
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(USERS)) as pool:
        outcomes = list(pool.map(lambda q: _ask(running_app.url, q, backend), [q for q, _ in USERS]))
    wall = time.perf_counter() - began

    totals = [o.total_s for o in outcomes]
    sources = [o.sources_s for o in outcomes]
    chain_s = [o.result["timings_ms"]["total"] / 1000 for o in outcomes]
    def spread(values: list[float]) -> str:
        return f"p50 {statistics.median(values):.2f} s, p95 {_p95(values):.2f} s"

    print(f"\n{backend}: {len(USERS)} concurrent questions in {wall:.1f} s; latency {spread(totals)} (in the chain: "
          f"{spread(chain_s)}); first 'sources' event {spread(sources)}")
    for i, outcome in enumerate(outcomes):
        ahead = f", queue positions {outcome.queue_positions}" if outcome.queue_positions else ""
        print(f"  user {i}: sources after {outcome.sources_s:.2f} s, answer after {outcome.total_s:.2f} s{ahead}")

    # Nothing mixed up: each user got the answer to their own question, and the text streamed is the result's.
    assert [o.question.rstrip("?？") for o in outcomes] == [q.rstrip("?？") for q, _ in USERS]
    assert all(o.answer == o.result["answer"] for o in outcomes)
    if backend == "extractive":
        assert [o.answer for o in outcomes] == [alone[q] for q, _ in USERS], "answers changed under load"
    wrong = [(q, o.answer) for (q, figures), o in zip(USERS, outcomes, strict=True)
             if not any(f in o.answer for f in figures)]
    assert not wrong, "answers without the report's figure:\n" + "\n".join(f"{q} -> {a}" for q, a in wrong)
