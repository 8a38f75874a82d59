"""The server's assembly without models: the API and the UI in one app, the security headers on every response,
and a clear one-line error for bad settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from app import App
from bot.serving.http import SecurityHeaders, content_security_policy, create_server
from zzbot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_the_policy_allows_nothing_from_elsewhere() -> None:
    policy = _directives(content_security_policy("127.0.0.1:7860"))
    for name in ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "media-src"):
        remote = [v for v in policy[name] if v not in ("'self'", "'unsafe-inline'", "'unsafe-eval'", "data:", "blob:")
                  and not re.fullmatch(r"wss?://127\.0\.0\.1:7860", v)]
        assert not remote, f"{name} allows {remote}"
    assert policy["frame-src"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]


@pytest.mark.parametrize("host", ["evil.example; script-src *", "a b", "x'y", ""])
def test_a_strange_host_header_adds_nothing_to_the_policy(host: str) -> None:
    policy = content_security_policy(host)
    assert policy == content_security_policy(None) and "ws:" not in policy and "*" not in policy


def test_every_response_gets_the_headers_streams_too() -> None:
    inner = FastAPI()
    inner.get("/json")(lambda: {"ok": True})
    inner.get("/stream")(lambda: StreamingResponse(iter(["a", "b"]), media_type="text/event-stream"))
    inner.add_middleware(SecurityHeaders)
    client = TestClient(inner)
    for path in ("/json", "/stream", "/missing"):
        response = client.get(path, headers={"host": "example.org:8000"})
        assert response.headers["content-security-policy"] == content_security_policy("example.org:8000")
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/stream").text == "ab"


def test_one_server_answers_the_api_and_the_ui(tmp_path: Path) -> None:
    """Nothing is loaded: the index is missing, so the API says so with a 503, beside the UI's page."""
    app = App(load_settings(chroma={"path": tmp_path / "no-index"}, var_dir=tmp_path))
    with TestClient(create_server(app)) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/v1/models").json()["data"][0]["id"] == "zzbot"
        missing = client.post("/api/ask", json={"question": "学位？"})
        assert missing.status_code == 503 and "index" in missing.json()["error"]["message"]
        assert client.post("/api/ask", json={"question": "学位？", "k": 0}).status_code == 400
        assert "swagger" not in client.get("/docs").text.lower()  # its page loads scripts from a CDN


def _app_py(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


def test_bad_settings_are_one_error_line_and_exit_2() -> None:
    done = _app_py(ZZBOT_LLM__BACKEND="gpt5")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "gpt5" in lines[0] and "llm.backend" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_backend_choices_are_the_settings_backends() -> None:
    done = _app_py("--backend", "gpt5")
    assert done.returncode == 2 and "local" in done.stderr and "extractive" in done.stderr and "openai" in done.stderr
