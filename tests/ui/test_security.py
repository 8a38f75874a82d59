"""A hostile document and hostile questions in Debian's Chromium: nothing in them runs, and nothing they name is
fetched. The document (scripts, event handlers, javascript: links, remote images pointing at a local listener) is
indexed beside the report; questions that cite it are answered (extractive backend), its passages, the rendered
report, the figure table and a fact-check show it; the listener must receive no request at all."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.ui.conftest import build_index, open_page, start_app
from tests.ui.test_browser import ANSWER_S, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.models]

# {p}: the listener's port. Every hostile piece sits inside a sentence that a question below cites.
HOSTILE = """# 青蛙市2024年工作安排

## 文化设施

青蛙市2024年将新建蓝色图书馆42座<script>window.zzPwned = "script"</script>![x](http://127.0.0.1:{p}/md.png)。

青蛙市今年计划种植紫色梧桐树8800棵<img src="http://127.0.0.1:{p}/img.png" onerror="window.zzPwned = 'onerror'">[点这里](javascript:window.zzPwned='link')。

## 交通

青蛙市将修建彩虹步行桥17座<iframe src="http://127.0.0.1:{p}/frame"></iframe><svg onload="window.zzPwned = 'svg'"></svg><a href="http://127.0.0.1:{p}/a">详情</a><style>@import url(http://127.0.0.1:{p}/css);</style>。
"""
QUESTIONS = [
    "青蛙市2024年将新建多少座蓝色图书馆？",
    "![q](http://127.0.0.1:{p}/q.png) <img src=http://127.0.0.1:{p}/q2.png onerror=\"window.zzPwned='q'\"> "
    "青蛙市今年计划种植多少棵紫色梧桐树？",
    "青蛙市将修建多少座彩虹步行桥？",
]


class Listener:
    """An HTTP server on a free loopback port that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                listener.requests.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.server.shutdown()


@pytest.fixture(scope="module")
def hostile_app(listener: Listener, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile")
    document = folder / "hostile.md"
    document.write_text(HOSTILE.format(p=listener.port), encoding="utf-8")
    index = build_index(folder / "chroma", document)
    with start_app(index, folder, "--backend", "extractive") as app:
        yield app


@pytest.fixture(scope="module")
def page(hostile_app) -> Iterator[object]:
    with open_page(hostile_app) as page:
        yield page


def test_hostile_documents_and_questions_run_and_fetch_nothing(page, hostile_app, listener, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    assert "default-src 'self'" in page.response.headers["content-security-policy"]
    answers = page.locator("#zz-chat .zz-meta")
    for i, question in enumerate(QUESTIONS):
        page.fill("#zz-question textarea", question.format(p=listener.port))
        page.keyboard.press("Enter")
        expect(answers).to_have_count(i + 1, timeout=ANSWER_S * 1000)
        # The cited passage is the hostile document's, shown as text in the sources panel and in the report.
        expect(page.locator("#zz-sources .zz-path").first).to_contain_text("hostile.md")
        page.locator("#zz-chat a.zz-cite").last.click()
        expect(page.locator("#zz-chat-report mark.zz-target")).to_be_visible(timeout=20_000)
    report = page.inner_text("#zz-chat-report")
    assert "<script>" in report and "onerror=" in report and "javascript:" in report
    assert "](http://127.0.0.1" in page.locator("#zz-chat [data-testid=user]").nth(1).inner_text()
    _screenshot(page, tmp_path, "hostile-chat.png")

    page.get_by_role("tab", name="事实核查 · Fact check").click()
    page.fill("#zz-claim textarea", "青蛙市2024年将新建蓝色图书馆50座。")
    page.click("#zz-check")
    expect(page.locator("#zz-verdict")).to_be_visible(timeout=ANSWER_S * 1000)
    page.get_by_role("tab", name="数字表 · Figures").click()
    count = page.locator("#zz-figure-count")
    expect(count).to_contain_text("/", timeout=20_000)
    everything = count.inner_text()
    page.fill("#zz-figure-filter textarea", "青蛙市")
    expect(count).not_to_have_text(everything, timeout=20_000)
    page.locator("#zz-figure-table [data-testid=cell-0-1]").click()
    expect(page.locator("#zz-figure-report mark.zz-target")).to_be_visible(timeout=20_000)
    _screenshot(page, tmp_path, "hostile-figures.png")

    time.sleep(2)  # time for any stray request to arrive
    assert page.evaluate("window.zzPwned") is None, "a script from the document or a question ran"
    assert page.dialogs == []
    assert listener.requests == [], f"the page fetched {listener.requests}"


def test_the_policy_blocks_remote_loads_even_if_markup_got_through(page, listener) -> None:
    """The second line of defence: an image or a fetch aimed elsewhere, made by the page itself, is refused."""
    before = list(listener.requests)
    fetched = page.evaluate("""async (port) => {
        const img = new Image(); img.src = `http://127.0.0.1:${port}/csp-img.png`; document.body.appendChild(img);
        try { await fetch(`http://127.0.0.1:${port}/csp-fetch`, {mode: "no-cors"}); return true; }
        catch { return false; }
    }""", listener.port)
    time.sleep(2)
    assert fetched is False and listener.requests == before
