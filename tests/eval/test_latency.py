"""The latency runners with a stand-in for the bot: users really start together, every request is counted
(a failed one as a failure), and the table compares each path with the warm one."""

from __future__ import annotations

import threading
import time

from eval.latency import PathLatency, concurrent, format_paths, sequential


def test_concurrent_users_start_together_and_every_request_is_counted() -> None:
    in_flight, most = 0, 0
    lock = threading.Lock()
    asked: list[str] = []

    def ask(question: str) -> dict[str, float]:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
            asked.append(question)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        if question == "坏":
            raise RuntimeError("the server dropped it")
        return {"sources": 1.0, "first_token": 20.0}

    result = concurrent(ask, ["甲", "乙", "丙", "坏", "丁"], users=5, rounds=2)

    assert most == 5 and len(asked) == 10  # five at once, two rounds each
    assert result.path == "5 concurrent users" and result.n == 8 and result.failures == 2
    assert result.total["p50"] >= 50 and result.first_token == {"p50": 20.0, "p95": 20.0}
    assert result.moments == {"sources": {"p50": 1.0, "p95": 1.0}}


def test_the_table_gives_each_path_as_a_multiple_of_the_warm_one() -> None:
    warm = sequential("warm", lambda q: time.sleep(0.01) or {"first_token": 5.0}, ["问"] * 3)
    cold = PathLatency("cold `bot ask`", 5, {"p50": warm.total["p50"] * 4, "p95": 1e9})
    table = format_paths([warm, cold])
    assert "4.0×" in table.splitlines()[2] and "1.0×" in table.splitlines()[1]
