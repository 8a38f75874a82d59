"""The chat UI in Debian's Chromium: streamed answers, clickable citations, highlights, refusals, feedback."""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.models]

ROOT = Path(__file__).resolve().parents[2]
ANSWER_S = 180


@pytest.fixture(scope="module")
def page(running_app) -> Iterator[object]:
    with open_page(running_app) as page:
        yield page


def ask(page, question: str) -> str:
    """Type a question, wait for the streamed answer to finish, return the answer bubble's text."""
    from playwright.sync_api import expect

    answers = page.locator("#zz-chat .zz-meta")
    done = answers.count()
    page.fill("#zz-question textarea", question)
    page.keyboard.press("Enter")
    expect(answers).to_have_count(done + 1, timeout=ANSWER_S * 1000)
    return page.locator("#zz-chat [data-testid=bot]").last.inner_text()


def test_chat_sources_refusal_and_feedback(page, running_app, tmp_path: Path) -> None:
    """The page's mechanics are checked as it goes; what the chain answered is collected and checked at the end,
    so one wrong answer does not hide the rest of the run."""
    from playwright.sync_api import expect

    wrong: list[str] = []
    chinese = ask(page, "今年新增学位多少个？")
    if "2.7万" not in chinese:
        wrong.append(f"Chinese answer lacks 2.7万: {chinese!r}")
    english = ask(page, "how many new school seats in 2024?")
    if "27,000" not in english:
        wrong.append(f"English answer lacks 27,000: {english!r}")

    # The first answer's [n] opens its passage in the whole report, highlighted and scrolled into view.
    page.locator("#zz-chat a.zz-cite").first.click()
    target = page.locator("#zz-chat-report mark.zz-target")
    expect(target).to_be_visible(timeout=20_000)
    expect(target).to_be_in_viewport(timeout=5_000)
    focused = page.locator("#zz-sources .zz-card.zz-focus")
    expect(focused).to_have_count(1)
    page.evaluate("document.querySelector('#zz-chat-report .zz-report').scrollTop = 0")
    focused.locator("a.zz-open").click()  # "show in report" in the sources panel does the same
    expect(target).to_be_in_viewport(timeout=5_000)
    time.sleep(1)  # let the smooth scroll settle for the screenshot
    _screenshot(page, tmp_path, "chat.png")
    marked = page.locator("#zz-chat-report mark", has_text="新增学位2.7万个")
    if not marked.count() or not marked.first.is_visible():
        wrong.append(f"the report's highlight is {target.inner_text()!r}, not 新增学位2.7万个")
    # The report is rendered: its headings are headings, no Markdown marks are left in the text.
    expect(page.locator("#zz-chat-report .zz-report h4", has_text="持续改善民生福祉")).to_have_count(1)
    assert "####" not in page.inner_text("#zz-chat-report .zz-report")

    refusal = ask(page, "郑州2024年的平均房价是多少？")
    if "报告未提及" not in refusal:
        wrong.append(f"the unanswerable question was answered: {refusal!r}")
    else:
        expect(page.locator("#zz-sources .zz-badge", has_text="Not in the report")).to_be_visible()

    page.locator("#zz-chat button[aria-label='Like']").first.click()
    expect(page.locator("#zz-feedback-note")).to_contain_text("feedback saved", timeout=10_000)
    lines = running_app.feedback_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["rating"] == "up" and record["question"] == "今年新增学位多少个?"
    assert record["answer"] and record["timestamp"]
    _screenshot(page, tmp_path, "after.png", full_page=True)
    assert not wrong, "\n".join(wrong)


def test_figure_table_filter_row_and_csv(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="数字表 · Figures").click()
    count = page.locator("#zz-figure-count")
    expect(count).to_contain_text("/", timeout=20_000)
    everything = count.inner_text()
    page.fill("#zz-figure-filter textarea", "新增学位")
    expect(count).not_to_have_text(everything, timeout=20_000)
    shown, total = (int(n) for n in count.inner_text().split("/"))
    assert 1 <= shown < total and f"{total}" in everything
    page.locator("#zz-figure-table [role=gridcell]", has_text="2.7万个").first.click()
    target = page.locator("#zz-figure-report mark.zz-target")
    expect(target).to_be_in_viewport(timeout=20_000)
    expect(target.locator("mark.zz-fig")).to_have_text("2.7万个")
    page.click("#zz-figure-export")
    with page.expect_download(timeout=20_000) as download:
        page.locator("#zz-figure-csv a").first.click()
    rows = list(csv.DictReader(Path(download.value.path()).open(encoding="utf-8-sig")))
    assert len(rows) == shown and any(r["figure"] == "2.7万个" and r["subject"].endswith("新增学位") for r in rows)
    _screenshot(page, tmp_path, "figures.png")


# 120 characters: wraps over several lines of its bubble.
LONG_QUESTION = ("请问郑州市2024年政府工作报告中关于新建中小学校、新增学位、改造老旧小区、新建燃气管网和供水管网的目标分别是多少，"
                 "这些工作计划在哪些区域开展，由哪些部门负责推进，资金又从哪里来，完成之后会给郑州市民的日常生活和出行带来哪些具体的新变化呢？")
# The user bubble's text, and every button of the chat (its own share/clear/copy and each message's) on screen,
# as boxes; the bubble is scrolled to the top of the chat first, where the chat's own buttons are.
_BOXES_JS = """(text) => {
  text.scrollIntoView({block: "start"});
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const buttons = [...document.querySelectorAll("#zz-chat button")].filter((b) => b.offsetParent !== null);
  return {text: box(text), buttons: buttons.map((b) => [b.getAttribute("aria-label") || b.title, box(b)])};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_long_question_wraps_clear_of_the_icons(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    assert len(LONG_QUESTION) == 120
    page.get_by_role("tab", name="对话 · Chat").click()
    ask(page, LONG_QUESTION)
    text = page.locator("#zz-chat [data-testid=user] .message-content", has_text=LONG_QUESTION[:20]).last
    expect(text).to_be_visible()
    boxes = text.evaluate(_BOXES_JS)
    time.sleep(0.5)  # the scroll settles before the screenshot
    _screenshot(page, tmp_path, "long-question.png")
    left, top, right, bottom = boxes["text"]
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#zz-chat .message-content')).lineHeight)"
                         ) or 20
    assert bottom - top > 1.5 * line, f"the question did not wrap: its box is {boxes['text']}"
    chat = page.locator("#zz-chat").bounding_box()
    assert right <= chat["x"] + chat["width"], f"the question runs out of the chat: {boxes['text']} in {chat}"
    assert boxes["buttons"], "no icons found in the chat"
    covered = [(name, box) for name, box in boxes["buttons"] if _overlap(boxes["text"], box)]
    assert not covered, f"icons over the question's text {boxes['text']}: {covered}"


# Not in the report (it names no sports venue): a refusal, whose reason the asker reads in Chinese.
UNANSWERED_ZH = "郑州今年新建几个体育馆？"


def _chinese_reasons() -> list[re.Pattern[str]]:
    """Each rule's Chinese reason for the asker (bot.policy.rules), its placeholders matching anything."""
    from bot.policy.rules import RULES

    return [re.compile(".*".join(map(re.escape, re.split(r"\{\w+\}", rule.shown_zh))))
            for rule in RULES if rule.shown_zh]


def test_a_refusal_shows_its_reason_in_chinese(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from bot.policy.rules import RULES

    page.get_by_role("tab", name="对话 · Chat").click()
    ask(page, UNANSWERED_ZH)
    bubble = page.locator("#zz-chat [data-testid=bot]").last
    expect(bubble.locator(".zz-badge.none", has_text="报告未提及")).to_be_visible()
    reason = bubble.locator(".zz-reason")
    expect(reason).to_be_visible()
    reason.scroll_into_view_if_needed()
    time.sleep(0.5)  # the scroll settles before the screenshot
    _screenshot(page, tmp_path, "refusal-reason.png")
    text = reason.inner_text().strip()
    assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{3,}", text), \
        f"the refusal's reason is not in Chinese: {text!r}"
    assert any(pattern.match(text) for pattern in _chinese_reasons()), f"no rule gives the reason {text!r}"
    assert not any(rule.reason in text for rule in RULES), f"the staff's reason is shown: {text!r}"
    assert (tmp_path / "refusal-reason.png").stat().st_size > 10_000


def _screenshot(page, tmp_path: Path, name: str, full_page: bool = False) -> None:
    """Into the test's folder, and into var/screenshots/ for people to look at."""
    page.screenshot(path=str(tmp_path / name), full_page=full_page)
    (ROOT / "var" / "screenshots").mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / name, ROOT / "var" / "screenshots" / name)
