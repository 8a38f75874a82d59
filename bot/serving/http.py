"""The HTTP server around the API and the UI: security headers on every response, limits on every request
(body size, JSON content type, no cross-origin writes), and the assembly of both into one FastAPI app.

It knows the UI only as something that builds Gradio Blocks (``Servable``): app.py passes itself in, with the
page's CSS and head, so this module imports neither app nor ui.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.serving.admission import Admission
from bot.serving.api import JSON_ROUTES, Answerer, Checker, api_router
from bot.understand.questions import MAX_HISTORY_TURNS

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI

    from zzbot.settings import Settings

# A Host header that is a name or an address, with an optional port (anything else is left out of the policy).
_HOST = re.compile(r"[\w.\-]+(:\d+)?|\[[0-9a-fA-F:.]+\](:\d+)?")
# A character of a JSON body at its longest: a six-character \u escape ("\u4e2d").
ESCAPED_CHAR_BYTES = 6
# Room for a request's fields other than its texts (model, stream, backend, k, roles, punctuation).
FIELDS_BYTES = 16 * 1024
# Methods that change something: refused when a page of another site sends them.
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def content_security_policy(host: str | None = None) -> str:
    """The page may load scripts, styles, images, fonts and connections from this server only (Gradio's own
    inline scripts and styles, data: and blob: images, its event stream): nothing a question, a document or an
    answer names elsewhere is fetched, framed or run. ``host``: the request's, for web sockets to this server."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.fullmatch(host) else ""
    return ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
            f"connect-src 'self'{sockets}; worker-src 'self' blob:; frame-src 'none'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


class SecurityHeaders:
    """ASGI middleware: every response (the UI's, the API's) gets the Content-Security-Policy and nosniff."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = content_security_policy(host)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- request limits --------------------------------------------------------------------------------


def text_bytes_limit(max_chars: int) -> int:
    """Bytes of a request with one text (a question, a claim) at its longest, every character escaped."""
    return max_chars * ESCAPED_CHAR_BYTES + FIELDS_BYTES


def history_bytes_limit(max_chars: int) -> int:
    """Bytes of a request with a chat history: the CLI's limit for a --history file (the last MAX_HISTORY_TURNS
    messages, each at most twice the question limit, every character escaped) plus the question's own."""
    return max_chars * 2 * MAX_HISTORY_TURNS * ESCAPED_CHAR_BYTES + text_bytes_limit(max_chars)


def route_limits(max_chars: int) -> dict[str, int]:
    """The body limit of each route with a smaller one than the default (a history's)."""
    return {"/api/check": text_bytes_limit(max_chars)}


class RequestTooLarge(Exception):
    pass


class RequestLimits:
    """ASGI middleware, checked before a route runs:

    - a write (POST…) from a page of another site (an Origin header naming another host, or "null") is 403: a
      form or a simple text/plain fetch needs no CORS preflight, so without this any site could make its visitors'
      browsers ask questions and leave feedback here;
    - a route of ``json_paths`` is 415 unless its body is sent as application/json;
    - a body over its route's limit (``limits``, else ``default_bytes``) is 413, by its Content-Length or,
      without one, once that much has arrived (the body is read before the route runs, never past the limit).
    """

    def __init__(self, app: ASGIApp, default_bytes: int, limits: dict[str, int] | None = None,
                 json_paths: frozenset[str] = JSON_ROUTES) -> None:
        self.app, self.default_bytes, self.limits, self.json_paths = app, default_bytes, limits or {}, json_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers, path, method = Headers(scope=scope), scope["path"], scope["method"]
        limit = self.limits.get(path, self.default_bytes)
        refusal = self._refusal(headers, path, method, limit)
        if refusal is None:
            try:
                receive = await _buffered(receive, limit)
            except RequestTooLarge:
                refusal = _too_large(path, limit)
        if refusal is not None:
            status, kind, message = refusal
            await _send_error(send, status, kind, message)
            return
        await self.app(scope, receive, send)

    def _refusal(self, headers: Headers, path: str, method: str, limit: int) -> tuple[int, str, str] | None:
        origin = headers.get("origin")
        if method in _WRITES and origin is not None and not _same_origin(origin, headers.get("host", "")):
            return 403, "forbidden", f"cross-origin requests are refused: {origin!r} is not this server"
        if method == "POST" and path in self.json_paths:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                return (415, "unsupported_media_type",
                        f"send the body as JSON with the header Content-Type: application/json (got {media or 'none'!r})")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return _too_large(path, limit) if length.isdigit() else (400, "invalid_request_error",
                                                                     f"Content-Length {length!r} is not a number")
        return None


def _same_origin(origin: str, host: str) -> bool:
    """Whether an Origin header names this server (the host and port the request was sent to)."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc.lower() == host.lower()


def _too_large(path: str, limit: int) -> tuple[int, str, str]:
    return 413, "request_too_large", f"the request body is over the limit of {limit:,} bytes for {path}"


async def _buffered(receive: Receive, limit: int) -> Receive:
    """The request's body read in full (RequestTooLarge past ``limit`` bytes), and a ``receive`` that hands it
    to the route and then passes on what comes after it (a disconnect)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first: Message = message  # a disconnect before the body ended: the route hears it
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            raise RequestTooLarge
        if not message.get("more_body", False):
            first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            break
    handed = False

    async def replay() -> Message:
        nonlocal handed
        if not handed:
            handed = True
            return first
        return await receive()

    return replay


async def _send_error(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps({"error": {"message": message, "type": kind}}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# -- the server ------------------------------------------------------------------------------------


class Servable(Protocol):
    """What the server needs of the app (app.App): its settings, chain, checker, admission, and its page."""

    settings: Settings
    chain: Answerer
    checker: Checker
    admission: Admission

    def build(self) -> gr.Blocks: ...


def api_server(chain: Answerer, checker: Checker, max_chars: int, admission: Admission | None = None) -> FastAPI:
    """A FastAPI app with the HTTP API's routes, every request checked by RequestLimits (the body limits for
    questions of ``max_chars``) and every response given the SecurityHeaders."""
    from fastapi import FastAPI

    server = FastAPI(title="zzbot", docs_url=None, redoc_url=None)  # the docs pages load scripts from a CDN
    # Each middleware added wraps the ones before: SecurityHeaders, outermost, also heads RequestLimits' refusals.
    server.add_middleware(RequestLimits, default_bytes=history_bytes_limit(max_chars), limits=route_limits(max_chars))
    server.add_middleware(SecurityHeaders)
    server.include_router(api_router(chain, checker, admission=admission))
    return server


def create_server(app: Servable, css: str = "", head: str = "") -> FastAPI:
    """One FastAPI app: the HTTP API (bot.serving.api) and the Gradio UI at "/" (with ``css`` and ``head``), both
    answered by ``app``'s chain and limited by its admission, every request checked by RequestLimits."""
    import gradio as gr

    settings = app.settings
    server = api_server(app.chain, app.checker, settings.question_max_chars, app.admission)
    theme = gr.themes.Soft(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])
    blocks = app.build().queue(default_concurrency_limit=settings.ui.concurrency)
    return gr.mount_gradio_app(server, blocks, path="/", server_name=settings.ui.host, server_port=settings.ui.port,
                               footer_links=[], allowed_paths=[str(settings.var_dir / "eval")], ssr_mode=False,
                               theme=theme, css=css, head=head)
