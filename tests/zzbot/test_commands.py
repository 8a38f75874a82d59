"""Every command line stops quietly when the reader of its output goes away (`zzbot figures | head -1`): exit 0
or 141, no traceback, no "Exception ignored … BrokenPipeError", no "error: [Errno 32]". The reader here is gone
before the command writes anything, so every write meets the closed pipe: with Python's buffered stdout (as in
a shell) and unbuffered (PYTHONUNBUFFERED, as under some runners)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.index.fakes import SMALL, build_and_close, fake_env, fake_settings, write

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    ("cli", "--help"), ("cli", "figures"), ("cli", "index", "status"), ("cli", "eval", "--help"),
    ("bot", "--help"), ("bot", "ask", "--help"), ("bot", "figures"), ("bot", "figures", "--csv"),
    ("bot", "figures", "--json"),
    ("index", "--help"), ("index", "status"), ("index", "verify"), ("index", "fetch-models", "--help"),
    ("eval", "--help"), ("eval.bench", "--help"),
]
# Unbuffered, a write fails where it is made, not at exit (argparse's --help ignores its own failed writes).
UNBUFFERED = [command for command in COMMANDS if "--help" not in command]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a small index built with the fake embedder (`figures` and `verify` read it)."""
    folder = tmp_path_factory.mktemp("closed-pipe")
    settings = fake_settings(folder / "chroma")
    build_and_close(settings, write(folder, "small.md", SMALL))
    return fake_env(settings.chroma_path)


def _into_closed_pipe(command: tuple[str, ...], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first write
    try:
        return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(("command", "buffered"), [(c, True) for c in COMMANDS] + [(c, False) for c in UNBUFFERED],
                         ids=lambda value: " ".join(value) if isinstance(value, tuple) else
                         "buffered" if value else "unbuffered")
def test_a_closed_pipe_ends_the_command_quietly(indexed, command, buffered):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env.update(indexed, **({} if buffered else {"PYTHONUNBUFFERED": "1"}))
    result = _into_closed_pipe(command, env)
    assert result.returncode in (0, 141), result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert "Errno 32" not in result.stderr, result.stderr


def test_zzbot_figures_into_head(indexed):
    """The shell's own way: head takes one line and exits while the table is still being written."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"} | indexed
    result = subprocess.run(f"{sys.executable} -m cli figures | head -1; echo \"exit ${{PIPESTATUS[0]}}\"",
                            shell=True, executable="/bin/bash", cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    first, status = result.stdout.splitlines()
    assert "small.md" in first and status in ("exit 0", "exit 141")
    assert "Traceback" not in result.stderr and "Errno 32" not in result.stderr, result.stderr
