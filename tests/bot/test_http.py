"""The limits every request meets before a route runs (bot.serving.http.RequestLimits): a body over its route's
limit is 413, a JSON route's body must be sent as JSON (415), a write from another site's page is 403, and the chat
history a completion may carry is the CLI's. Fake chain and checker, no models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.__main__ import _history_limit
from bot.serving.http import api_server, history_bytes_limit, text_bytes_limit
from bot.understand.questions import MAX_HISTORY_TURNS
from tests.bot.test_api import FakeChain, FakeChecker

MAX_CHARS = 2000
JSON_ROUTES = [("/v1/chat/completions", {"messages": [{"role": "user", "content": "学位？"}]}),
               ("/api/ask", {"question": "学位？"}), ("/api/check", {"claim": "新增学位3万个"})]


def _client(chain: FakeChain | None = None) -> TestClient:
    return TestClient(api_server(chain or FakeChain(), FakeChecker(), MAX_CHARS), raise_server_exceptions=False)


def _error(response: Any, status: int, kind: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == kind
    assert "default-src 'self'" in response.headers["content-security-policy"]  # refusals get the headers too
    return error["message"]


def test_the_chat_history_limit_is_the_clis() -> None:
    """A completion may carry what the CLI takes from a --history file (1.2 MB for 2,000-character questions)
    and a question; a history the CLI would refuse is refused here too."""
    assert history_bytes_limit(MAX_CHARS) == _history_limit(MAX_CHARS) + text_bytes_limit(MAX_CHARS)
    # A history message is kept up to twice the question limit; the file's own punctuation needs some room.
    longest = "学" * (2 * MAX_CHARS - 10)
    history = [{"role": ("user", "assistant")[i % 2], "content": longest} for i in range(MAX_HISTORY_TURNS)]
    history_file = json.dumps(history).encode()  # ASCII escapes: 6 bytes a character, as the CLI's limit counts
    assert len(history_file) <= _history_limit(MAX_CHARS)
    chain = FakeChain()
    body = json.dumps({"messages": [*history, {"role": "user", "content": "学" * MAX_CHARS}]}).encode()
    response = _client(chain).post("/v1/chat/completions", content=body,
                                   headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text[:300]
    assert len(chain.calls[0]["history"]) == MAX_HISTORY_TURNS
    too_long = json.dumps({"messages": [*history, *history[:2], {"role": "user", "content": "学位？"}]}).encode()
    assert len(too_long) > history_bytes_limit(MAX_CHARS)
    message = _error(_client().post("/v1/chat/completions", content=too_long,
                                    headers={"content-type": "application/json"}), 413, "request_too_large")
    assert f"{history_bytes_limit(MAX_CHARS):,} bytes" in message and "/v1/chat/completions" in message


@pytest.mark.parametrize(("path", "limit"), [("/api/check", text_bytes_limit(MAX_CHARS)),
                                             ("/api/ask", history_bytes_limit(MAX_CHARS))])
def test_a_body_over_the_limit_is_413_naming_it_with_or_without_a_length(path: str, limit: int) -> None:
    chain = FakeChain()
    client = _client(chain)
    padding = {"question": "学位？", "claim": "学位？", "padding": "x" * limit}
    message = _error(client.post(path, json=padding), 413, "request_too_large")
    assert f"{limit:,} bytes" in message

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as the body arrives
        yield b'{"question": "x", "claim": "x", "padding": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = client.post(path, content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert f"{limit:,} bytes" in _error(response, 413, "request_too_large")
    assert chain.calls == []  # nothing ran
    assert client.post(path, json={"question": "学位？", "claim": "学位？"}).status_code == 200


def test_every_route_has_a_limit_even_one_that_takes_no_body() -> None:
    response = _client().request("GET", "/v1/models", content=b"x" * (history_bytes_limit(MAX_CHARS) + 1))
    assert "bytes" in _error(response, 413, "request_too_large")
    response = _client().post("/no/such/route", content=b"x" * (history_bytes_limit(MAX_CHARS) + 1))
    assert response.status_code == 413
    bad_length = _client().post("/api/ask", content=b"{}", headers={"content-type": "application/json",
                                                                    "content-length": "lots"})
    assert bad_length.status_code == 400


@pytest.mark.parametrize(("path", "body"), JSON_ROUTES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          None])
def test_json_routes_refuse_other_content_types_with_415(path: str, body: dict, content_type: str | None) -> None:
    chain = FakeChain()
    headers = {"content-type": content_type} if content_type else {}
    response = _client(chain).post(path, content=json.dumps(body).encode(), headers=headers)
    message = _error(response, 415, "unsupported_media_type")
    assert "application/json" in message and repr(content_type or "none") in message
    assert chain.calls == []
    ok = _client().post(path, content=json.dumps(body).encode(),
                        headers={"content-type": "Application/JSON; charset=utf-8"})
    assert ok.status_code == 200


@pytest.mark.parametrize(("path", "body"), JSON_ROUTES)
@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:9999", "null", "not a url"])
def test_a_write_from_another_sites_page_is_403_before_it_runs(path: str, body: dict, origin: str) -> None:
    chain = FakeChain()
    client = _client(chain)
    # A simple request (text/plain, no preflight) as another site's form or fetch would send it.
    response = client.post(path, content=json.dumps(body).encode(),
                           headers={"content-type": "text/plain", "origin": origin, "host": "127.0.0.1:7860"})
    message = _error(response, 403, "forbidden")
    assert "cross-origin" in message and origin in message
    response = client.post(path, json=body, headers={"origin": origin, "host": "127.0.0.1:7860"})
    assert response.status_code == 403 and chain.calls == []
    same_site = client.post(path, json=body, headers={"origin": "http://127.0.0.1:7860", "host": "127.0.0.1:7860"})
    assert same_site.status_code == 200
    assert client.post(path, json=body).status_code == 200  # a client that is no browser sends no Origin
    assert client.get("/v1/models", headers={"origin": origin}).status_code == 200  # reading is not refused
