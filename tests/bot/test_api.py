"""The HTTP API's routes with a fake chain and fact-checker: the OpenAI-compatible completions (streamed and not),
the CLI's JSON, and one JSON error with the right status for every kind of failure. No models needed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.serving.admission import Admission
from bot.serving.api import api_router
from bot.understand.questions import clean_history, clean_question
from bot.schema import AnswerResult, BotInputError, BotUnavailable, CheckResult, Citation, StreamEvent

CITATION = Citation(n=1, chunk_id="c1", source="report.md", section="十项工作 > 民生", text="新增学位2.7万个。",
                    start=100, end=109, score=0.5, highlights=[(100, 109), (104, 108)])


def _result(question: str, answer: str = "新增学位2.7万个[1]。") -> AnswerResult:
    return AnswerResult(question=question, standalone_question=question, answer=answer, found=True, verified=True,
                        citations=[CITATION], backend="local", timings_ms={"total": 12.0})


@dataclass
class FakeChain:
    """Streams sources, a queue position, a draft that is then replaced, and the final result; or fails as told.
    Validates the question and history like the real chain and records what it was asked."""

    fail: BaseException | None = None
    fail_after_sources: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)

    def events(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
               k: int | None = None) -> Iterator[StreamEvent]:
        question = clean_question(question, 2000)
        history = clean_history(history, 2000)
        self.calls.append({"question": question, "history": history, "backend": backend, "k": k})
        if self.fail is not None and not self.fail_after_sources:
            raise self.fail
        yield StreamEvent("sources", citations=[CITATION])
        if self.fail is not None:
            raise self.fail
        yield StreamEvent("queue", text="1 question ahead", position=1)
        yield StreamEvent("token", text="新增学位3万")
        yield StreamEvent("token", text="个[2]。")
        yield StreamEvent("replace", text="新增学位2.7万个[1]。")
        yield StreamEvent("final", result=_result(question))

    def ask(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
            k: int | None = None) -> AnswerResult:
        for event in self.events(question, history, backend, k):
            if event.kind == "final" and event.result is not None:
                return event.result
        raise AssertionError("no final event")


@dataclass
class FakeChecker:
    fail: BaseException | None = None

    def check(self, claim: str) -> CheckResult:
        claim = clean_question(claim, 2000)
        if self.fail is not None:
            raise self.fail
        return CheckResult(claim=claim, verdict="contradicted", explanation="报告原文是2.7万个。",
                           report_figures=["2.7万个"], citations=[CITATION])


def _client(chain: FakeChain | None = None, checker: FakeChecker | None = None) -> TestClient:
    app = FastAPI()
    app.include_router(api_router(chain or FakeChain(), checker or FakeChecker()))
    return TestClient(app, raise_server_exceptions=False)


def _chat(question: str = "新增多少学位？", **extra: Any) -> dict[str, Any]:
    return {"model": "anything", "messages": [{"role": "user", "content": question}], **extra}


def _events(response: Any) -> list[Any]:
    """The data of each SSE line; "[DONE]" as a string."""
    lines = [line.removeprefix("data: ") for line in response.text.split("\n\n") if line.strip()]
    return [line if line == "[DONE]" else json.loads(line) for line in lines]


def test_models_lists_one_model() -> None:
    data = _client().get("/v1/models").json()
    assert data["object"] == "list" and [m["id"] for m in data["data"]] == ["zzbot"]


def test_completion_carries_the_verified_answer_and_the_result() -> None:
    chain = FakeChain()
    body = {"model": "gpt-4o", "backend": "extractive", "k": 3, "temperature": 0.2, "messages": [
        {"role": "system", "content": "You are a pirate."},
        {"role": "user", "content": "学位？"},
        {"role": "assistant", "content": "新增学位2.7万个[1]。"},
        {"role": "user", "content": [{"type": "text", "text": "那"}, {"type": "text", "text": "学校呢？"}]},
    ]}
    response = _client(chain).post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion" and data["model"] == "gpt-4o"
    assert data["choices"][0]["message"] == {"role": "assistant", "content": "新增学位2.7万个[1]。"}
    assert data["choices"][0]["finish_reason"] == "stop"
    assert data["zzbot"] == _result("那学校呢?").to_dict()
    citation = data["zzbot"]["citations"][0]
    assert {k: citation[k] for k in ("n", "source", "start", "end")} == {"n": 1, "source": "report.md", "start": 100,
                                                                          "end": 109}
    assert citation["highlights"] == [[100, 109], [104, 108]]
    assert chain.calls == [{"question": "那学校呢?", "backend": "extractive", "k": 3, "history": [
        {"role": "user", "content": "学位？"}, {"role": "assistant", "content": "新增学位2.7万个[1]。"}]}]


def test_stream_sends_sources_first_and_only_the_final_answer_as_content() -> None:
    response = _client().post("/v1/chat/completions", json=_chat(stream=True))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    kinds = [c.get("zzbot", {}).get("kind") for c in chunks]
    assert kinds[0] == "sources" and chunks[0]["zzbot"]["citations"][0]["text"] == CITATION.text
    assert "queue" in kinds and chunks[kinds.index("queue")]["zzbot"]["position"] == 1
    # The draft (3万, [2]) was replaced: a standard client, joining the deltas, gets only the verified answer.
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert content == "新增学位2.7万个[1]。"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["zzbot"]["result"]["answer"] == content


def test_the_openai_client_reads_both_forms() -> None:
    from openai import OpenAI

    client = OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=_client())
    completion = client.chat.completions.create(model="zzbot", messages=[{"role": "user", "content": "学位？"}])
    assert completion.choices[0].message.content == "新增学位2.7万个[1]。"
    assert completion.model_extra["zzbot"]["citations"][0]["n"] == 1
    stream = client.chat.completions.create(model="zzbot", messages=[{"role": "user", "content": "学位？"}],
                                            stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == "新增学位2.7万个[1]。"


def test_ask_and_check_return_the_cli_json() -> None:
    client = _client()
    answer = client.post("/api/ask", json={"question": "学位？", "history": [{"role": "user", "content": "你好"}]})
    assert answer.status_code == 200 and answer.json() == _result("学位?").to_dict()
    check = client.post("/api/check", json={"claim": "新增学位3万个"})
    assert check.status_code == 200 and check.json()["verdict"] == "contradicted"
    assert check.json()["citations"][0]["highlights"] == [[100, 109], [104, 108]]


BAD_CHATS = [
    ({"messages": []}, "messages"),
    ({"messages": "hi"}, "messages"),
    ({}, "messages"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, "user"),
    ({"messages": [{"role": "wizard", "content": "hi"}]}, "wizard"),
    ({"messages": ["hi"]}, "message 0"),
    ({"messages": [{"role": "user", "content": 42}]}, "content"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, "not text"),
    ({"messages": [{"role": "user", "content": "  "}]}, "empty"),
    (_chat(backend="gpt5"), "gpt5"),
    (_chat(k=0), "between"),
    (_chat(k=99), "between"),
    (_chat(k="3"), "whole number"),
    (_chat(k=2.5), "whole number"),
    (_chat(k=True), "whole number"),
    (_chat(stream="yes"), "stream"),
    (_chat(model=7), "model"),
]


@pytest.mark.parametrize(("body", "says"), BAD_CHATS)
def test_bad_chat_requests_are_400(body: dict[str, Any], says: str) -> None:
    for stream in (False, True):
        response = _client().post("/v1/chat/completions", json=({"stream": True} if stream else {}) | body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and says in error["message"]


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/api/ask", "/api/check"])
@pytest.mark.parametrize(("content", "says"), [(b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"),
                                               (b"\xff\xfe", "not valid JSON"), (b"[" * 100_000, "not valid JSON")])
def test_bodies_that_are_not_json_objects_are_400(path: str, content: bytes, says: str) -> None:
    response = _client().post(path, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400 and says in response.json()["error"]["message"]


@pytest.mark.parametrize(("body", "says"), [({}, "question"), ({"question": None}, "question"),
                                            ({"question": 3}, "text"), ({"question": "x", "k": 0}, "between"),
                                            ({"question": "x", "backend": ""}, "backend"),
                                            ({"question": "x", "history": "hi"}, "history"),
                                            ({"question": "x", "history": [{"role": "bot", "content": "a"}]}, "role")])
def test_bad_ask_requests_are_400(body: dict[str, Any], says: str) -> None:
    response = _client().post("/api/ask", json=body)
    assert response.status_code == 400 and says in response.json()["error"]["message"]


def test_a_missing_claim_is_400() -> None:
    response = _client().post("/api/check", json={"text": "x"})
    assert response.status_code == 400 and "claim" in response.json()["error"]["message"]


FAILURES = [
    (BotInputError("the question is too long"), 400, "invalid_request_error", "too long"),
    (BotUnavailable("the index is empty (fix: `python -m index build`)"), 503, "service_unavailable", "index build"),
    (RuntimeError("secret internals /home/x"), 500, "internal_error", "RuntimeError"),
]


@pytest.mark.parametrize(("error", "status", "kind", "says"), FAILURES)
def test_failures_have_their_status_and_no_traceback(error: BaseException, status: int, kind: str, says: str) -> None:
    requests = [("/v1/chat/completions", _chat()), ("/v1/chat/completions", _chat(stream=True)),
                ("/api/ask", {"question": "学位？"})]
    client = _client(FakeChain(fail=error), FakeChecker(fail=error))
    for path, body in [*requests, ("/api/check", {"claim": "学位3万个"})]:
        response = client.post(path, json=body)
        assert response.status_code == status, (path, response.text)
        assert response.json() == {"error": {"message": response.json()["error"]["message"], "type": kind}}
        message = response.json()["error"]["message"]
        assert says in message and "Traceback" not in message and ("secret" not in message or status != 500)


def test_a_failure_after_the_stream_began_ends_it_with_an_error() -> None:
    chain = FakeChain(fail=BotUnavailable("the local model crashed"), fail_after_sources=True)
    response = _client(chain).post("/v1/chat/completions", json=_chat(stream=True))
    events = _events(response)
    assert response.status_code == 200 and events[0]["zzbot"]["kind"] == "sources"
    assert events[-2] == {"error": {"message": "the local model crashed", "type": "service_unavailable"}}
    assert events[-1] == "[DONE]"


@dataclass
class SlowChain(FakeChain):
    """A FakeChain that answers only once ``release`` is set (a model busy with the first question)."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def events(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
               k: int | None = None) -> Iterator[StreamEvent]:
        self.started.set()
        assert self.release.wait(30), "the test never let the chain answer"
        yield from super().events(question, history, backend, k)


@pytest.mark.parametrize("stream", [False, True])
def test_questions_beyond_the_limit_are_429_with_retry_after(stream: bool) -> None:
    chain = SlowChain()
    app = FastAPI()
    app.include_router(api_router(chain, FakeChecker(), admission=Admission(limit=1, typical_s=30.0)))
    client = TestClient(app, raise_server_exceptions=False)
    pool = ThreadPoolExecutor(max_workers=1)
    first = pool.submit(client.post, "/v1/chat/completions", json=_chat(stream=stream))
    try:
        assert chain.started.wait(10)
        for path, body in [("/v1/chat/completions", _chat()), ("/v1/chat/completions", _chat(stream=True)),
                           ("/api/ask", {"question": "学位？"})]:
            busy = client.post(path, json=body)
            assert busy.status_code == 429, (path, busy.text)
            error = busy.json()["error"]
            assert error["type"] == "server_busy" and "ask again in about" in error["message"]
            assert 1 <= int(busy.headers["retry-after"]) <= 30
        assert client.post("/api/check", json={"claim": "新增学位3万个"}).status_code == 200  # no model's line
        assert client.post("/api/ask", json={"question": 3}).status_code == 400  # bad input is told first
    finally:
        chain.release.set()
        pool.shutdown()
    assert first.result(timeout=30).status_code == 200
    assert client.post("/api/ask", json={"question": "学位？"}).status_code == 200  # the place was given back
    assert client.post("/v1/chat/completions", json=_chat(stream=True)).status_code == 200


def test_failed_questions_give_their_place_back() -> None:
    admission = Admission(limit=1)
    client = _client_with(FakeChain(fail=BotUnavailable("no index")), admission)
    for body in (_chat(), _chat(stream=True)):
        assert client.post("/v1/chat/completions", json=body).status_code == 503
    chain = FakeChain(fail=BotUnavailable("the model crashed"), fail_after_sources=True)
    assert _client_with(chain, admission).post("/v1/chat/completions", json=_chat(stream=True)).status_code == 200
    assert len(admission) == 0


def _client_with(chain: FakeChain, admission: Admission) -> TestClient:
    app = FastAPI()
    app.include_router(api_router(chain, FakeChecker(), admission=admission))
    return TestClient(app, raise_server_exceptions=False)
