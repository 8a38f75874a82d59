"""Load through the HTTP API (eval.soak): a stand-in server on loopback answers as bot.serving.api does, busy
(429 with Retry-After) beyond its limit; the burst counts each request as answered, told to retry or lost, and
the soak reports p95 per bucket of time and the RSS of the server's process (this process here)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eval.latency import HttpAsker, LostAnswer, ToldToRetry
from eval.soak import ANSWERED, LOST, Outcome, burst, dev_questions, format_soak, per_bucket, rss_kb, soak


def _final(question: str) -> bytes:
    data = {"choices": [], "zzbot": {"kind": "final", "result": {"answer": question, "backend": "extractive"}}}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\ndata: [DONE]\n\n".encode()


@contextmanager
def stand_in(limit: int = 100, answer_s: float = 0.0, retry_after: str = "0") -> Iterator[str]:
    """Answers after ``answer_s`` (a question "慢" takes 10 s, "断" gets a stream without its final answer);
    beyond ``limit`` requests at once it replies 429 with ``retry_after``."""
    in_flight = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            question = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["messages"][-1]["content"]
            with lock:
                busy = in_flight[0] >= limit
                in_flight[0] += not busy
            if busy:
                body = b'{"error": {"message": "busy", "type": "server_busy"}}'
                self.send_response(429)
                self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            try:
                time.sleep(10 if question == "慢" else answer_s)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b"data: [DONE]\n\n" if question == "断" else _final(question))
            finally:
                with lock:
                    in_flight[0] -= 1

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_beyond_the_limit_users_are_told_to_retry_and_none_is_lost() -> None:
    with stand_in(limit=3, answer_s=0.3) as url:
        result = burst(HttpAsker(url, timeout_s=10), ["甲", "乙"], users=8)
    assert result.users == 8 and result.lost == 0
    assert result.answered + result.told_to_retry == 8
    assert 3 <= result.answered < 8 and result.told_to_retry == result.busy_replies
    assert result.total_ms["p50"] >= 300 and result.total_ms["p95"] >= result.total_ms["p50"]


def test_a_client_that_retries_after_retry_after_is_answered() -> None:
    with stand_in(limit=2, answer_s=0.2, retry_after="0.3") as url:
        asker = HttpAsker(url, timeout_s=10, retries=20, retry_budget_s=30)
        result = burst(asker, ["甲"], users=6)
    assert result.answered == 6 and result.told_to_retry == result.lost == 0
    assert result.busy_replies >= 4 and result.answered_on_retry >= 4


def test_retries_stop_at_the_budget() -> None:
    with stand_in(limit=0, retry_after="5") as url:
        asker = HttpAsker(url, timeout_s=10, retries=3, retry_budget_s=2)
        began = time.perf_counter()
        with pytest.raises(ToldToRetry) as told:
            asker("甲")
    assert time.perf_counter() - began < 2 and told.value.retry_after_s == 5 and asker.busy_replies == 1


def test_an_answer_slower_than_the_timeout_is_lost_not_hung() -> None:
    with stand_in() as url:
        began = time.perf_counter()
        result = burst(HttpAsker(url, timeout_s=1), ["慢", "断", "甲"], users=3)
        with pytest.raises(LostAnswer, match="without a final answer"):
            HttpAsker(url)("断")
    assert time.perf_counter() - began < 5
    assert (result.answered, result.lost) == (1, 2) and sum(result.lost_reasons.values()) == 2


def test_per_bucket_groups_by_end_time_with_late_ones_in_the_last() -> None:
    outcomes = [Outcome(ANSWERED, 0.5, float(ms)) for ms in range(1, 21)]  # bucket 1: 1…20 ms
    outcomes += [Outcome(ANSWERED, 1.5, 1000.0), Outcome(LOST, 1.7, 5.0), Outcome(ANSWERED, 2.9, 3000.0)]
    first, second = per_bucket(outcomes, bucket_s=1, buckets=2)
    assert (first.index, first.answered, first.lost) == (1, 20, 0)
    assert first.total_ms == {"p50": 10.5, "p95": 19.1}
    assert (second.answered, second.lost) == (2, 1)  # the one ending at 2.9 s ran past the end: counted last
    assert second.total_ms["p95"] == pytest.approx(2900.0)


def test_soak_reports_p95_per_bucket_and_the_rss_growth() -> None:
    readings = iter([900, 1000, 1050, 1100, 1150, 1200])  # before the warm-up, start, after each bucket, end

    def rss(pid: int) -> int:
        assert pid == 4242
        return next(readings)

    with stand_in(answer_s=0.05) as url:
        result = soak(HttpAsker(url, timeout_s=5), ["甲", "乙"], users=2, duration_s=1.5, pid=4242, bucket_s=0.5,
                      rss=rss, warmup_s=0.3)
    assert (result.rss_start_kb, result.rss_end_kb, result.rss_growth_pct) == (1000, 1200, 20.0)
    assert result.rss_before_warmup_kb == 900 and result.warmup_s == 0.3
    assert [m.rss_kb for m in result.minutes] == [1050, 1100, 1150]
    assert len(result.minutes) == 3 and all(m.answered >= 2 and m.total_ms["p95"] >= 50 for m in result.minutes)
    assert result.answered == sum(m.answered for m in result.minutes) and result.lost == 0
    text = format_soak(result)
    assert "+20.0%" in text and "warm-up: 0.9 MB" in text and len(text.splitlines()) == 4 + 3


def test_rss_of_a_real_process_and_a_missing_one() -> None:
    assert 1000 < rss_kb(os.getpid()) < 64 * 1024 * 1024
    with pytest.raises(ValueError, match="cannot read the memory of process"):
        rss_kb(2**22 + 17)  # above the kernel's pid_max


def test_the_questions_are_the_dev_parts_single_turn_ones() -> None:
    root = Path(__file__).resolve().parents[2]
    split = json.loads((root / "eval" / "split.json").read_text(encoding="utf-8"))
    cases = [json.loads(line) for line in (root / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    part = {c["question"]: c["id"] for c in cases if not c.get("history")}
    questions = dev_questions(root)
    assert len(questions) > 100
    assert all(part.get(q) in split["dev"] for q in questions)
    assert not {c["question"] for c in cases if c["id"] in split["test"]} & set(questions)
