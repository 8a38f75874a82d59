"""The HTTP API as FastAPI routes: OpenAI-compatible chat completions, and the CLI's JSON for ask and check.

Routes only: answering is the AnswerChain's and checking the FactChecker's; the routes turn requests into calls
and results into JSON. Every error is ``{"error": {"message", "type"}}``: 400 for bad input, 429 (with
Retry-After) when the server is answering as many questions as it takes (bot.serving.admission), 503 when a model
or the index is unavailable, 500 (a short message, the traceback only in the server log) for anything else. The
limits on requests themselves (size, content type, origin) are bot.serving.http's, checked before a route runs.

A streamed chat completion carries only the verified answer as ``delta.content``: the chain reviews the model's
draft once it is complete (figures checked, citations renumbered, a rejected draft replaced by the report's own
sentence), and a standard client cannot take back text it was sent. Of 24 eval questions answered by the local
model, 6 drafts were changed by that review ("1.7 billion tourist visits" became "170 million", an invented age
"The report does not say"); streamed as they came, they would have stayed on the client's screen. What happens
meanwhile (the retrieved sources at once, the queue position, the draft token by token) travels in each chunk's
extra ``zzbot`` field, which standard clients ignore.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from bot.options import validate_backend, validate_k
from zzbot.settings import UISettings
from bot.serving.admission import Admission, Place, ServerBusy
from bot.schema import AnswerResult, BotInputError, BotUnavailable, CheckResult, StreamEvent

log = logging.getLogger(__name__)

MODEL_ID = "zzbot"
EXTRA_FIELD = "zzbot"  # the top-level field of a completion (or chunk) with what standard clients ignore
# Roles whose messages are neither the question nor the history: the bot answers from the report with its own
# instructions, so a client's system prompt is not followed.
_IGNORED_ROLES = ("system", "developer", "tool", "function")
# The routes whose body is a JSON object (sent as application/json).
JSON_ROUTES = frozenset({"/v1/chat/completions", "/api/ask", "/api/check"})


class Answerer(Protocol):
    """What the routes need of bot.policy.chain.AnswerChain."""

    def events(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
               k: int | None = None) -> Iterator[StreamEvent]: ...

    def ask(self, question: str, history: list[dict[str, str]] | None = None, backend: str | None = None,
            k: int | None = None) -> AnswerResult: ...


class Checker(Protocol):
    """What the routes need of bot.policy.factcheck.FactChecker."""

    def check(self, claim: str) -> CheckResult: ...


def api_router(chain: Answerer, checker: Checker, model_id: str = MODEL_ID,
               admission: Admission | None = None) -> APIRouter:
    """The routes, answering with ``chain`` and checking with ``checker`` (the app's own, or fakes in tests);
    questions beyond what ``admission`` takes are refused with 429 (its own Admission when none is given)."""
    router = APIRouter()
    admitting = admission if admission is not None else Admission(UISettings().max_answers_in_flight)

    @router.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model_id, "object": "model", "created": 0, "owned_by": "zzbot"}]}

    @router.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        try:
            body = await _json_object(request)
            question, history = conversation(body.get("messages"))
            model = _model(body.get("model", model_id))
            backend, k = options(body)
            stream = _stream(body.get("stream"))
            place = admitting.enter()
            if stream:
                return await _streamed_completion(chain, question, history, backend, k, model, place)
            with _leaving(place):
                result = await run_in_threadpool(chain.ask, question, history, backend, k)
        except Exception as err:  # noqa: BLE001 - every failure becomes a JSON error
            return error_response(err)
        return JSONResponse(completion(result, model))

    @router.post("/api/ask")
    async def ask(request: Request) -> Response:
        try:
            body = await _json_object(request)
            question = _required(body, "question")
            backend, k = options(body)
            with _leaving(admitting.enter()):
                result = await run_in_threadpool(chain.ask, question, body.get("history"), backend, k)
        except Exception as err:  # noqa: BLE001
            return error_response(err)
        return JSONResponse(result.to_dict())

    @router.post("/api/check")
    async def check(request: Request) -> Response:
        try:
            claim = _required(await _json_object(request), "claim")
            result = await run_in_threadpool(checker.check, claim)
        except Exception as err:  # noqa: BLE001
            return error_response(err)
        return JSONResponse(result.to_dict())

    return router


@contextmanager
def _leaving(place: Place) -> Iterator[None]:
    try:
        yield
    finally:
        place.leave()


# -- requests ---------------------------------------------------------------------------------------


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body())
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BotInputError("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BotInputError("the request body must be a JSON object")
    return data


def _required(body: dict[str, Any], name: str) -> str:
    if body.get(name) is None:
        raise BotInputError(f"missing {name!r}: send a JSON object with a {name!r} text")
    if not isinstance(body[name], str):
        raise BotInputError(f"{name!r} must be text, got {type(body[name]).__name__}")
    return body[name]


def _stream(stream: object) -> bool:
    if stream is None:
        return False
    if not isinstance(stream, bool):
        raise BotInputError(f"stream must be true or false, got {stream!r}")
    return stream


def _model(model: object) -> str:
    if not isinstance(model, str):
        raise BotInputError(f"model must be text, got {model!r}")
    return model


def options(body: dict[str, Any]) -> tuple[str | None, int | None]:
    """The optional ``backend`` and ``k`` of a request, validated like the CLI's."""
    backend = validate_backend(body["backend"]) if body.get("backend") is not None else None
    k = validate_k(body["k"]) if body.get("k") is not None else None
    return backend, k


def conversation(messages: object) -> tuple[str, list[dict[str, str]]]:
    """The question (the last user message) and the history (the user and assistant messages before it)."""
    if not isinstance(messages, list) or not messages:
        raise BotInputError('messages must be a non-empty list of {"role", "content"} objects')
    turns: list[dict[str, str]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BotInputError(f'message {i} must be an object with "role" and "content"')
        role = message.get("role")
        if role in _IGNORED_ROLES:
            continue
        if role not in ("user", "assistant"):
            raise BotInputError(f"message {i} has role {role!r}; use \"user\" or \"assistant\"")
        turns.append({"role": role, "content": _content_text(message.get("content"), i)})
    last = max((i for i, turn in enumerate(turns) if turn["role"] == "user"), default=None)
    if last is None:
        raise BotInputError("missing question: no message has the role \"user\"")
    return turns[last]["content"], turns[:last]


def _content_text(content: object, i: int) -> str:
    """A message's text: a string, or the text parts of a list of content parts (an assistant's may be null)."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        if any(part.get("type") != "text" or not isinstance(part.get("text"), str) for part in content):
            raise BotInputError(f"message {i} has a content part that is not text; only text is understood")
        return "".join(part["text"] for part in content)
    raise BotInputError(f"message {i} content must be text or a list of text parts")


# -- responses --------------------------------------------------------------------------------------


def error_response(err: BaseException) -> JSONResponse:
    """The JSON error for an exception: 400 bad input, 429 busy (with Retry-After), 503 unavailable, 500
    otherwise (logged, not shown)."""
    status, kind, message = error_parts(err)
    headers = {"Retry-After": str(err.retry_after_s)} if isinstance(err, ServerBusy) else None
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status, headers=headers)


def error_parts(err: BaseException) -> tuple[int, str, str]:
    if isinstance(err, BotInputError):
        return 400, "invalid_request_error", str(err)
    if isinstance(err, ServerBusy):
        return 429, "server_busy", str(err)
    if isinstance(err, BotUnavailable):
        return 503, "service_unavailable", str(err)
    log.error("the API request failed", exc_info=err)
    return 500, "internal_error", f"the server failed to answer ({type(err).__name__}); see the server log"


def completion(result: AnswerResult, model: str) -> dict[str, Any]:
    """A chat.completion object with the answer (its [n] markers kept) and the whole result in ``zzbot``."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.answer},
                     "finish_reason": "stop", "logprobs": None}],
        EXTRA_FIELD: result.to_dict(),
    }


class _Chunks:
    """The SSE lines of one streamed completion."""

    def __init__(self, model: str) -> None:
        self.id, self.created, self.model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), model

    def line(self, delta: dict[str, str], extra: dict[str, Any] | None = None, finish: str | None = None) -> str:
        data: dict[str, Any] = {
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if extra is not None:
            data[EXTRA_FIELD] = extra
        return sse(data)


def sse(data: object) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _streamed_completion(chain: Answerer, question: str, history: list[dict[str, str]], backend: str | None,
                               k: int | None, model: str, place: Place) -> Response:
    """The chain's events as chat.completion chunks. The first event is awaited before the response starts, so
    that a bad question or a missing index still gets its HTTP status rather than an error inside the stream.
    ``place`` (the question's admission) is left when the stream ends, or here when it never starts."""
    events = events_in_thread(chain, question, history, backend, k)
    try:
        first = await anext(events)
    except StopAsyncIteration:
        place.leave()
        raise RuntimeError("the answer chain ended without an event") from None
    except BaseException:
        place.leave()
        raise
    # The place is left when the chunks end; the background task, should the response never iterate them.
    return StreamingResponse(_completion_chunks(first, events, _Chunks(model), place), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
                             background=BackgroundTask(place.leave))


async def _completion_chunks(first: StreamEvent, events: AsyncIterator[StreamEvent], chunks: _Chunks,
                             place: Place) -> AsyncIterator[str]:
    try:
        yield chunks.line({"role": "assistant", "content": ""}, first.to_dict())
        async for event in events:
            if event.kind == "final" and event.result is not None:
                yield chunks.line({"content": event.result.answer})
                yield chunks.line({}, event.to_dict(), finish="stop")
            else:
                yield chunks.line({}, event.to_dict())
    except Exception as err:  # noqa: BLE001 - the status is sent already: the error goes into the stream
        _, kind, message = error_parts(err)
        yield sse({"error": {"message": message, "type": kind}})
    finally:
        place.leave()
    yield "data: [DONE]\n\n"


_END = object()


async def events_in_thread(chain: Answerer, question: str, history: list[dict[str, str]], backend: str | None,
                           k: int | None) -> AsyncIterator[StreamEvent]:
    """``chain.events`` run to its end in one thread of its own (the model's lock is taken and released by the
    same thread, and a request waiting for the model holds no worker of the server's pool); its events, or its
    exception, are handed to the event loop. When the client goes away, the chain is stopped at its next event."""
    loop = asyncio.get_running_loop()
    handoff: asyncio.Queue[Any] = asyncio.Queue()
    gone = threading.Event()

    def put(item: object) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(handoff.put_nowait, item)

    def produce() -> None:
        events = chain.events(question, history, backend=backend, k=k)
        try:
            for event in events:
                put(event)
                if gone.is_set():
                    break
        except Exception as err:  # noqa: BLE001 - raised again on the event loop's side
            put(err)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            put(_END)

    threading.Thread(target=produce, name="api-answer", daemon=True).start()
    try:
        while (item := await handoff.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        gone.set()
