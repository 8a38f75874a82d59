"""Ten users at once through the app's API (gradio_client): every answer right, none mixed up, latency printed."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.models

# (question, acceptable spellings of the report's figure): questions both backends answer right when
# asked alone, so a wrong answer here means load broke something. Ten users ask them in turn.
QUESTIONS = [
    ("郑州今年打算新建多少公里供水管网？", ["85公里"]),
    ("全社会研发投入强度今年要达到多少？", ["2.8%"]),
    ("养老托老床位数目标是多少张？", ["6.6万"]),
    ("配售型保障性住房要建多少套？", ["3700"]),
    ("What is Zhengzhou's GDP growth target for 2024?", ["7%", "7 percent"]),
    ("How many companies will be newly certified as high-tech enterprises in 2024?", ["1,000", "1000"]),
]
USERS = [QUESTIONS[i % len(QUESTIONS)] for i in range(10)]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


@pytest.mark.parametrize("backend", ["extractive", "local"])
def test_ten_concurrent_users(running_app, backend: str) -> None:
    from gradio_client import Client

    def ask(question: str) -> tuple[str, float, float]:
        """The answer, the client's wall time and the chain's own total (s); one session per user."""
        client = Client(running_app.url, verbose=False)
        began = time.perf_counter()
        result = client.predict(question, backend, 0, None, api_name="/ask")
        return result["answer"], time.perf_counter() - began, result["timings_ms"]["total"] / 1000

    # Alone first: warms the models and, for the deterministic backend, gives the answers load must not change.
    alone = {q: ask(q)[0] for q, _ in (QUESTIONS if backend == "extractive" else QUESTIONS[:1])}
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(USERS)) as pool:
        outcomes = list(pool.map(ask, [q for q, _ in USERS]))
    wall = time.perf_counter() - began

    latencies = [seconds for _, seconds, _ in outcomes]
    chain_s = [seconds for _, _, seconds in outcomes]
    print(f"\n{backend}: {len(USERS)} concurrent questions in {wall:.1f} s; latency p50 "
          f"{statistics.median(latencies):.2f} s, p95 {_p95(latencies):.2f} s (in the chain: p50 "
          f"{statistics.median(chain_s):.2f} s, p95 {_p95(chain_s):.2f} s)")
    if backend == "extractive":
        assert [answer for answer, _, _ in outcomes] == [alone[q] for q, _ in USERS], "answers changed under load"
    wrong = [(q, answer) for (q, figures), (answer, _, _) in zip(USERS, outcomes, strict=True)
             if not any(f in answer for f in figures)]
    assert not wrong, "answers without the report's figure:\n" + "\n".join(f"{q} -> {a}" for q, a in wrong)
