"""The running app for the browser, API and load tests: built once per session on its own index and port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningApp:
    url: str
    feedback_path: Path
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ui_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled report indexed into a temporary folder with ``python -m index build``."""
    return build_index(tmp_path_factory.mktemp("ui-chroma"))


def build_index(path: Path, *documents: Path) -> Path:
    """The bundled report (and ``documents``) indexed into ``path`` with ``python -m index build``."""
    env = {**os.environ, "ZZBOT_CHROMA__PATH": str(path)}
    subprocess.run([sys.executable, "-m", "index", "build", "--quiet", *map(str, documents)], cwd=ROOT, env=env,
                   check=True, timeout=900)
    return path


@contextlib.contextmanager
def start_app(index: Path, folder: Path, *args: str, **env: str) -> Iterator[RunningApp]:
    """``app.py *args`` in a subprocess on a free loopback port over ``index``, with a temporary feedback file;
    stopped on exit."""
    port = _free_port()
    app = RunningApp(f"http://127.0.0.1:{port}", folder / "feedback" / "feedback.jsonl", folder / "app.log")
    env = {
        **os.environ,
        "ZZBOT_UI__HOST": "127.0.0.1",
        "ZZBOT_UI__PORT": str(port),
        "ZZBOT_UI__FEEDBACK_PATH": str(app.feedback_path),
        "ZZBOT_CHROMA__PATH": str(index),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **env,
    }
    with app.log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "app.py", *args], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_until_served(app, process)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_served(app: RunningApp, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            pytest.fail(f"app.py exited with {process.returncode}:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(app.url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"app.py did not answer on {app.url} within 180 s:\n{app.log_tail()}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def running_app(ui_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """``app.py`` with the settings' default backend over the bundled report."""
    with start_app(ui_index, tmp_path_factory.mktemp("ui-app")) as app:
        yield app


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
READY_S = 300  # loading the embedder, the index and the local model


@contextlib.contextmanager
def open_page(app: RunningApp) -> Iterator[object]:
    """Debian's Chromium on the app's page once the app says it is ready; dialogs are recorded in ``page.dialogs``
    and dismissed, the first response is ``page.response``."""
    if not CHROMIUM.exists():
        # ./test.sh installs it (scripts/system-packages.sh); a missing browser is a failure, never a silent skip.
        pytest.fail("Debian's Chromium is missing: run ./test.sh, or as root: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.response = page.goto(app.url)
        try:
            page.wait_for_selector("#zz-status[data-state=ready]", timeout=READY_S * 1000)
        except Exception:  # noqa: BLE001 - any failure to become ready is reported with the app's log
            status = page.inner_text("#zz-status")
            pytest.fail(f"the app never became ready; status: {status}\n{app.log_tail()}")
        yield page
        browser.close()
