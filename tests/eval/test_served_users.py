"""Concurrent users through running servers (eval.latency.served_users, scripts/scale-out.sh): stand-in servers
on loopback stream chat completion chunks as bot.serving.api does; questions go round-robin, a stream with an
error or without a final answer is a lost answer, and each answer's backend is counted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eval.latency import HttpAsker, LostAnswer, round_robin, served_users


def _chunk(extra: dict | None = None, error: str = "") -> bytes:
    data = {"error": {"message": error, "type": "server_error"}} if error else {"choices": [], "zzbot": extra}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@contextmanager
def stand_in(backend: str) -> Iterator[tuple[str, list[str]]]:
    """A server answering every question with ``backend``; "坏" gets an error in the stream, "断" a stream
    without its final answer. Yields its URL and the questions it was asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            question = body["messages"][-1]["content"]
            asked.append(question)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_chunk({"kind": "sources", "citations": []}))
            self.wfile.write(_chunk({"kind": "token", "text": "答"}))
            if question == "坏":
                self.wfile.write(_chunk(error="the answer chain failed"))
            elif question != "断":
                self.wfile.write(_chunk({"kind": "final", "result": {"answer": "答", "backend": backend}}))
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


def test_users_go_round_robin_and_each_answer_is_counted_by_its_backend() -> None:
    with stand_in("openai") as (first, asked_first), stand_in("extractive") as (second, asked_second):
        [row] = served_users([first, second], ["甲", "乙", "丙", "丁"], users=[2])

    assert row.path == "2 users via 2 servers" and row.n == 4 and row.failures == 0
    assert len(asked_first) == len(asked_second) == 2  # one server alone would have taken all four
    assert sorted(asked_first + asked_second) == sorted(["甲", "乙", "丙", "丁"])
    assert row.note == "answered by extractive 2, openai 2"
    assert row.first_token is not None and "sources" in row.moments


def test_an_error_in_the_stream_or_no_final_answer_is_a_lost_answer() -> None:
    with stand_in("openai") as (url, _):
        asker = HttpAsker(url)
        with pytest.raises(LostAnswer, match="the answer chain failed"):
            asker("坏")
        with pytest.raises(LostAnswer, match="without a final answer"):
            asker("断")
        [row] = served_users([url], ["坏", "甲", "断", "乙"], users=[4])

    assert row.path == "4 users via 1 server" and row.n == 2 and row.failures == 2
    assert asker.answered_by == {} and row.note == "answered by openai 2"


def test_an_unreachable_server_loses_every_answer_sent_to_it() -> None:
    with stand_in("openai") as (url, asked):
        pass  # closed: nothing listens on its port any more
    [row] = served_users([url], ["甲", "乙"], users=[2])  # two users, two questions each
    assert row.failures == 4 and row.n == 0 and asked == [] and row.note == "answered by no server"


def test_round_robin_needs_an_asker() -> None:
    with pytest.raises(ValueError, match="at least one"):
        round_robin([])
