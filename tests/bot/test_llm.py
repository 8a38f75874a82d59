"""The OpenAI-compatible backend against a tiny local server that misbehaves in each way a real one can:
every failure must become a BackendError with a specific message and kind, never another exception."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.llm.client import BackendError, OpenAICompatible, complete, load_backend
from bot.schema import BotInputError
from zzbot.settings import LLMSettings, load_settings

MESSAGES = [{"role": "user", "content": "今年新增学位多少个？"}]


def _chunk(text: str) -> bytes:
    piece = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
             "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(piece, ensure_ascii=False)}\n\n".encode()


def _send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.end_headers()
    handler.wfile.write(body)


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    """Each piece comes well within the read timeout, but the whole answer takes longer than timeout_s."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()
    for i in range(12):
        handler.wfile.write(_chunk(f"片{i}"))
        handler.wfile.flush()
        time.sleep(0.15)


# What the server at /<scenario>/v1/chat/completions does.
SCENARIOS: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
    "ok": lambda h: _send(h, 200, "text/event-stream",
                          _chunk("新增学位") + _chunk("2.7万个") + b"data: [DONE]\n\n"),
    "html": lambda h: _send(h, 200, "text/html; charset=utf-8", b"<html><body><h1>Welcome to nginx!</h1></body></html>"),
    "garbled": lambda h: _send(h, 200, "text/event-stream", _chunk("新增") + b"data: {\"choices\": [{\"delta\n\n"),
    "wrong_shape": lambda h: _send(h, 200, "text/event-stream", b'data: {"choices": [{"delta": {"content": 5}}]}\n\n'),
    "empty": lambda h: _send(h, 200, "text/event-stream", b""),
    "error_event": lambda h: _send(h, 200, "text/event-stream",
                                   b'data: {"error": {"message": "model is still loading"}}\n\n'),
    "http500": lambda h: _send(h, 502, "text/html", b"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"),
    "http401": lambda h: _send(h, 401, "application/json", b'{"error": {"message": "invalid api key"}}'),
    "slow": lambda h: (time.sleep(3), _send(h, 200, "text/event-stream", _chunk("迟到"))),
    "trickle": _trickle,
}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        scenario = self.path.strip("/").split("/")[0]
        try:
            SCENARIOS[scenario](self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should on a timeout

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _backend(base_url: str, timeout_s: float = 1.0) -> OpenAICompatible:
    return OpenAICompatible(LLMSettings(openai_base_url=base_url, openai_model="m", timeout_s=timeout_s))


def _failure(base_url: str, timeout_s: float = 1.0) -> BackendError:
    with pytest.raises(BackendError) as caught:
        complete(_backend(base_url, timeout_s), MESSAGES, max_tokens=32)
    return caught.value


def test_a_well_formed_stream_is_joined(server: str) -> None:
    assert complete(_backend(f"{server}/ok/v1"), MESSAGES, max_tokens=32) == "新增学位2.7万个"


def test_a_web_page_answered_with_200_is_not_taken_for_an_empty_answer(server: str) -> None:
    url = f"{server}/html/v1"
    err = _failure(url)
    assert str(err) == f"the server at {url} answered with text/html, not an OpenAI-compatible stream"
    assert err.kind == "bad_response"


@pytest.mark.parametrize("scenario", ["garbled", "wrong_shape"])
def test_malformed_stream_data(server: str, scenario: str) -> None:
    err = _failure(f"{server}/{scenario}/v1")
    assert err.kind == "bad_response"
    assert "sent malformed stream data" in str(err) and f"/{scenario}/v1" in str(err)


def test_a_stream_without_any_data(server: str) -> None:
    err = _failure(f"{server}/empty/v1")
    assert err.kind == "bad_response" and "without any stream data" in str(err)


def test_an_error_sent_inside_the_stream(server: str) -> None:
    err = _failure(f"{server}/error_event/v1")
    assert err.kind == "failed" and "model is still loading" in str(err)


def test_http_errors_give_the_status_and_a_short_body(server: str) -> None:
    err = _failure(f"{server}/http500/v1")
    assert err.kind == "http_error"
    assert "HTTP 502" in str(err) and "502 Bad Gateway nginx" in str(err) and "<h1>" not in str(err)
    err = _failure(f"{server}/http401/v1")
    assert err.kind == "http_error" and "HTTP 401" in str(err) and "invalid api key" in str(err)


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a port that nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    err = _failure(url)
    assert err.kind == "unreachable" and str(err).startswith(f"cannot reach the server at {url}")


def test_a_server_that_does_not_answer_in_time(server: str) -> None:
    err = _failure(f"{server}/slow/v1", timeout_s=0.5)
    assert err.kind == "timeout" and "did not answer within" in str(err)


def test_a_trickling_answer_is_cut_at_the_deadline(server: str) -> None:
    began = time.monotonic()
    err = _failure(f"{server}/trickle/v1", timeout_s=0.6)
    assert err.kind == "timeout" and "took longer than" in str(err)
    assert time.monotonic() - began < 1.5  # not the whole 1.8 s answer


def test_an_unknown_backend_name_is_refused_not_replaced() -> None:
    settings = load_settings(llm={"backend": "extractive"})
    # model_copy(update=…) is how the engine switches backends; it skips the settings' validation.
    renamed = settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": "gpt5"})})
    with pytest.raises(BotInputError, match="'gpt5' is not one of local, openai, extractive"):
        load_backend(renamed)
    assert load_backend(settings) is None  # extractive: no LLM


def test_backend_error_keeps_a_default_kind() -> None:
    assert BackendError("boom").kind == "failed"


@pytest.mark.models
def test_the_answer_falls_back_and_says_why(server: str, engine) -> None:
    from bot.policy.chain import AnswerChain
    from bot.engine import Engine

    url = f"{server}/html/v1"
    settings = engine.settings.model_copy(update={"llm": engine.settings.llm.model_copy(
        update={"backend": "openai", "openai_base_url": url, "timeout_s": 5.0})})
    other = Engine(settings, embedder=engine.embedder)
    result = AnswerChain(other).ask("今年新增学位多少个？")
    assert result.backend == "extractive" and "2.7万" in result.answer
    assert f"the server at {url} answered with text/html" in (result.fallback_reason or "")
