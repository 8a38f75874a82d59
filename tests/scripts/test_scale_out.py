"""scripts/scale-out.sh: its arguments, its refusal of ports in use, its health wait against stand-in parts (one
that dies, one that answers its health check) and the stopping of what it started; then, with the real models,
a reduced run whose every question must be answered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "scale-out.sh"


def _free_port_block(size: int = 12) -> int:
    """A first port whose next ``size`` ports are all free on loopback."""
    for first in range(23000, 60000, 97):
        taken = False
        for port in range(first, first + size):
            with socket.socket() as probe:
                taken = probe.connect_ex(("127.0.0.1", port)) == 0
            if taken:
                break
        if not taken:
            return first
    raise RuntimeError("no free block of ports")


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _fake(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(("args", "message"), [
    (["--workers", "0"], "--workers wants a whole number of at least 1, got '0'"),
    (["--users", "10,x"], "--users wants numbers like 10 or 4,10, got '10,x'"),
    (["--port", "80"], "--port wants a whole number of at least 1024, got '80'"),
    (["--port", "65500"], "--port wants 1024 to 65000, got '65500'"),
    (["--time-limit"], "--time-limit needs a value"),
    (["--host", "0.0.0.0"], "unknown argument '--host'"),
])
def test_bad_arguments_are_refused_with_status_2_before_anything_starts(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr and "started" not in result.stdout


def test_a_port_in_use_is_named_and_nothing_is_started() -> None:
    first = _free_port_block()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first + 1))  # where the LLM server would listen
        busy.listen()
        result = _run("--port", str(first))
    assert result.returncode == 1
    assert f"error: port {first + 1} on 127.0.0.1 is in use" in result.stderr and "started" not in result.stdout


def test_a_part_that_dies_before_it_is_healthy_fails_the_run_with_its_log(tmp_path: Path) -> None:
    chroma = _fake(tmp_path / "chroma", 'echo "cannot open the store at $3" >&2; exit 3')
    result = _run("--port", str(_free_port_block()), env={"SCALE_OUT_CHROMA": str(chroma)})
    assert result.returncode == 1
    assert "cannot open the store at" in result.stderr  # the part's own log, shown
    assert "error: chroma ended before it was healthy" in result.stderr


STAND_IN_SERVER = """
import http.server, os, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(2)  # not healthy at once: the script must wait


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Ok).serve_forever()
"""


def test_a_healthy_part_is_waited_for_then_stopped_when_a_later_step_fails(tmp_path: Path) -> None:
    """The stand-in Chroma answers its heartbeat after a delay; the stand-in Python then finds no model, so the
    run stops, and the trap must stop the stand-in server it started."""
    pid_file = tmp_path / "chroma.pid"
    (tmp_path / "server.py").write_text(STAND_IN_SERVER, encoding="utf-8")
    # Called as: chroma run --path P --host H --port N
    chroma = _fake(tmp_path / "chroma", f'exec {sys.executable} {tmp_path / "server.py"} {pid_file} "$7"')
    python = _fake(tmp_path / "python", "echo /nowhere/model.gguf")
    try:
        result = _run("--port", str(_free_port_block()), env={"SCALE_OUT_CHROMA": str(chroma),
                                                               "SCALE_OUT_PYTHON": str(python)})
        assert result.returncode == 1, result.stderr
        assert "chroma healthy after" in result.stdout
        assert "error: no GGUF model at /nowhere/model.gguf" in result.stderr
        pid = int(pid_file.read_text())
        for _ in range(20):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.25)
        assert not Path(f"/proc/{pid}").exists(), "the stand-in Chroma server was left running"
    finally:  # should the script itself have failed to stop it
        if pid_file.exists() and Path(f"/proc/{pid_file.read_text()}").exists():
            os.kill(int(pid_file.read_text()), 9)


@pytest.mark.models
def test_two_workers_answer_every_question_of_two_users() -> None:
    """The real topology, reduced: Chroma server, llama-cpp-python's server, 2 workers; 2 users ask 2 questions
    each through the workers and 2 through one process."""
    result = _run("--workers", "2", "--users", "2", "--answers", "1", "--port", str(_free_port_block()),
                  timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "2 users: single process p50/p95" in result.stdout
    assert "4 answered, none lost" in result.stdout
