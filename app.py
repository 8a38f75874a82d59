"""The web UI and the HTTP API in one server: chat with cited and highlighted sources, fact-checking, the figure
table and the evaluation, and the API of ``bot.serving.api``, all answered by one engine.

It only renders and calls ``bot``; run ``python app.py [--host H] [--port P] [--backend B]``.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.serving.api import api_router
from bot.policy.chain import AnswerChain
from bot.engine import Engine
from bot.serving.feedback import Rating, record_feedback
from bot.llm.client import BackendError
from bot.options import validate_backend, validate_k
from bot.schema import AnswerResult, BotInputError, BotUnavailable, CheckResult, Citation, StreamEvent
from index.chunking import SECTION_SEPARATOR
from index.chunking import blocks as document_blocks
from zzbot.settings import BACKENDS, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from index.figures import FigureRow

log = logging.getLogger("app")

TIMING_STAGES = ["rewrite", "retrieve", "first_token", "generate", "total"]
CHAT_EXAMPLES = [
    "2024年郑州市区新增多少个学位？",
    "how many new school seats in 2024?",
    "Who delivered the government work report?",
    "今年地区生产总值的预期增长目标是多少？",
    "郑州2024年的平均房价是多少？",
    "What is the average house price in Zhengzhou?",
]
CLAIM_EXAMPLES = [
    "2024年郑州市区新增学位2.7万个。",
    "Zhengzhou plans to add 30,000 new school seats in 2024.",
    "郑州今年地区生产总值目标增长7%左右。",
    "郑州2024年将举办世界园艺博览会。",
]
NOT_IN_REPORT = "报告未提及 · Not in the report"
VERDICTS = {
    "supported": ("ok", "相符 · Supported"),
    "contradicted": ("bad", "不符 · Contradicted"),
    "not_in_report": ("none", NOT_IN_REPORT),
}
_MARKER = re.compile(r"\[(\d+)\]")

# Links to sources look like href="#zz-chat-<turn>-<n>" or "#zz-check-<n>": a click stores the target and
# presses the matching hidden button, whose event reads it back (see ``js=`` below).
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#zz-"]');
  const match = link && link.getAttribute("href").match(/^#zz-(chat|check)-(.+)$/);
  if (!match) return;
  event.preventDefault();
  event.stopPropagation();
  window.zzTarget = match[2];
  document.getElementById(`zz-${match[1]}-go`).click();
}, true);
window.zzReveal = (panel, tries = 40) => {
  const mark = document.querySelector(`#${panel} mark.zz-target`);
  if (mark) mark.scrollIntoView({block: "center", behavior: "smooth"});
  else if (tries > 0) requestAnimationFrame(() => window.zzReveal(panel, tries - 1));
};
</script>
"""

CSS = """
.zz-status {display: inline-flex; gap: .4em; align-items: center; font-size: .9em; padding: .2em .7em;
  border-radius: 999px; background: var(--background-fill-secondary);}
.zz-status::before {content: ""; width: .6em; height: .6em; border-radius: 50%; flex: none; background: #10b981;}
.zz-status.loading::before {background: #f59e0b; animation: zz-pulse 1s infinite alternate;}
.zz-status.degraded::before {background: #f59e0b;} .zz-status.error::before {background: #ef4444;}
@keyframes zz-pulse {to {opacity: .3;}}
#zz-status-box {text-align: right; align-self: center;}
.zz-status code {font-size: .95em;}
a.zz-cite {text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 .1em; cursor: pointer;}
a.zz-cite:hover {text-decoration: underline;}
.zz-rewrite, .zz-meta, .zz-pending {font-size: .8em; color: var(--body-text-color-subdued); margin-top: .4em;}
.zz-badge {display: inline-block; font-size: .8em; font-weight: 600; padding: .1em .6em; border-radius: 999px;
  margin: 0 .4em .3em 0; border: 1px solid;}
.zz-badge.none {color: #6b7280; border-color: #9ca3af; background: #f3f4f6;}
.zz-badge.warn {color: #92400e; border-color: #f59e0b; background: #fef3c7;}
.zz-badge.bad {color: #991b1b; border-color: #ef4444; background: #fee2e2;}
.zz-badge.ok {color: #065f46; border-color: #10b981; background: #d1fae5;}
.zz-reason {font-size: .85em; color: #92400e; margin: .2em 0 .5em;}
.zz-panel-title {font-weight: 600; margin: .2em 0 .5em;}
.zz-empty {color: var(--body-text-color-subdued); font-size: .9em;}
.zz-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6em .8em; margin-bottom: .6em;}
.zz-card.zz-focus {border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent);}
.zz-path {font-size: .8em; color: var(--body-text-color-subdued); margin-bottom: .3em;}
.zz-n {font-weight: 700; color: var(--color-accent); margin-right: .3em;}
.zz-passage {line-height: 1.75;}
.zz-passage p {margin: 0;} .zz-passage :is(h1, h2, h3, h4, h5, h6) {font-size: 1em; margin: 0 0 .2em;}
.zz-open {font-size: .85em; display: inline-block; margin-top: .3em;}
mark.zz-hl {background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 2px;}
mark.zz-fig {background: #f59e0b; color: #111; font-weight: 700;}
.zz-report {line-height: 1.8; max-height: 460px; overflow-y: auto; padding: .2em .9em;
  border: 1px solid var(--border-color-primary); border-radius: 8px; font-size: .92em;}
.zz-report p {margin: .5em 0; white-space: pre-line;}
.zz-report h1, .zz-report h2, .zz-report h3, .zz-report h4, .zz-report h5, .zz-report h6 {margin: .9em 0 .4em;
  line-height: 1.4;}
.zz-report h1 {font-size: 1.3em;} .zz-report h2 {font-size: 1.2em;} .zz-report h3 {font-size: 1.1em;}
.zz-report h4, .zz-report h5, .zz-report h6 {font-size: 1em;}
.zz-report .zz-in-passage {background: rgba(59, 130, 246, .08);}
.zz-working {font-size: .85em; margin-top: .4em; padding: .3em .6em; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary);}
.zz-queue {font-size: .85em; color: #92400e; margin-top: .3em;}
#zz-timings {border-collapse: collapse; font-size: .85em; width: 100%; border: none;}
#zz-timings td {padding: .2em .5em; border: none; border-bottom: 1px solid var(--border-color-primary);}
#zz-timings td:last-child {text-align: right; font-variant-numeric: tabular-nums;}
.zz-figures span {display: inline-block; margin: 0 .4em .3em 0; padding: .05em .5em; border-radius: 4px;
  background: #fde68a; font-weight: 600;}
#zz-title h1 {font-size: 1.35em; margin: 0;}
"""


# -- the background warm-up ------------------------------------------------------------------------


class Warmup:
    """Loads the embedder, the index and the default backend (with its prompts evaluated) in a thread, so the
    first question is fast."""

    def __init__(self, chain: AnswerChain, backend: str) -> None:
        self.chain, self.engine, self.backend = chain, chain.engine, backend
        self.state, self.message = "loading", "正在加载模型 · loading models…"

    def start(self) -> None:
        threading.Thread(target=self._run, name="warmup", daemon=True).start()

    def _run(self) -> None:
        try:
            self.message = "正在加载模型 · loading the embedding model…"
            self.engine.embedder  # noqa: B018 - loads on first access
            self.message = "正在打开索引 · opening the index…"
            self.engine.searcher  # noqa: B018
            if self.backend != "extractive":
                self.message = f"正在加载模型 · loading the {self.backend} model…"
                self.chain.warm_up(self.backend)
        except BotUnavailable as err:
            self.state, self.message = "error", str(err)
        except BackendError as err:
            self.state = "degraded"
            self.message = f"就绪 · ready; the {self.backend} backend is unavailable ({err}), answers are extractive"
        except Exception as err:  # noqa: BLE001 - shown to the user; the chat reports errors per question too
            log.exception("warm-up failed")
            self.state, self.message = "error", f"loading failed: {err}"
        else:
            self.state, self.message = "ready", f"就绪 · ready ({self.backend})"

    def html(self) -> str:
        text = _code(self.message)
        return f'<span class="zz-status {self.state}" id="zz-status" data-state="{self.state}">{text}</span>'


def _code(text: str, escape: Any = html.escape) -> str:
    """A message with its backquoted commands as <code>, everything ``escape``d."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts))


# -- rendering -------------------------------------------------------------------------------------

# The Chatbot renders Markdown (and autolinks) before its HTML: in text shown there each of these characters is
# written as an entity, so a question, a passage or an answer shows as typed and nothing in it becomes markup, a
# link or an image (``![x](http://…)`` would otherwise be fetched by the reader's browser).
_CHAT_ENTITIES = ({ord(c): html.escape(c) for c in "&<>\"'"}
                  | {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:@=%"})


def chat_text(text: str) -> str:
    """``text`` for the Chatbot: HTML-escaped and with every Markdown character as an entity (in one pass, so
    that no entity is escaped twice)."""
    return text.translate(_CHAT_ENTITIES)


def _clipped(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans cut to [0, length], empty ones dropped, outer spans before the ones they hold."""
    return sorted({(max(s, 0), min(e, length)) for s, e in spans if min(e, length) > max(s, 0)},
                  key=lambda span: (span[0], -span[1]))


def highlight(text: str, spans: list[tuple[int, int]], mark_id: str, first: int = 0) -> str:
    """``text`` escaped, with each span in a <mark>; spans inside another span become nested marks. Marks are
    numbered from ``first``; mark 0 gets the class ``zz-target`` (what the page scrolls to)."""
    out: list[str] = []
    stack: list[int] = []  # ends of the open marks
    pos = 0
    for i, (start, end) in enumerate(_clipped(spans, len(text)), start=first):
        while stack and stack[-1] <= start:
            out.append(html.escape(text[pos:stack[-1]]) + "</mark>")
            pos = stack.pop()
        end = min(end, stack[-1]) if stack else end
        out.append(html.escape(text[pos:start]))
        kind = "zz-fig" if stack else "zz-hl"
        target = " zz-target" if i == 0 else ""
        out.append(f'<mark class="{kind}{target}" id="{mark_id}-{i}">')
        stack.append(end)
        pos = start
    while stack:
        out.append(html.escape(text[pos:stack[-1]]) + "</mark>")
        pos = stack.pop()
    return "".join(out) + html.escape(text[pos:])


def _relative(citation: Citation) -> list[tuple[int, int]]:
    return [(s - citation.start, e - citation.start) for s, e in citation.highlights]


def _badges(result: AnswerResult) -> str:
    badges = []
    if not result.found:
        badges.append(f'<span class="zz-badge none">{NOT_IN_REPORT}</span>')
    if result.fallback_reason:
        badges.append('<span class="zz-badge warn">备用答案 · Fallback answer</span>')
    if not result.verified:
        badges.append('<span class="zz-badge bad">数字未核实 · Figures not verified</span>')
    reason = (f'<div class="zz-reason">{chat_text(result.fallback_reason)}</div>'
              if result.fallback_reason else "")
    return "".join(badges) + reason


def answer_html(result: AnswerResult, turn: int) -> str:
    """The answer as shown in the chat: badges, text with [n] linked to its sources, the calculation of a computed
    answer, the rewritten question."""
    sections = {c.n: c.section for c in result.citations}
    pieces = _MARKER.split(result.answer)  # text, marker number, text, …
    body = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            body.append(chat_text(piece))
        elif int(piece) in sections:
            title = html.escape(sections[int(piece)].replace(SECTION_SEPARATOR, " › "), quote=True)
            body.append(f'<a class="zz-cite" href="#zz-chat-{turn}-{piece}" title="{title}">&#91;{piece}&#93;</a>')
        else:
            body.append(chat_text(f"[{piece}]"))
    parts = [_badges(result), "".join(body)]
    if result.working:
        parts.append(f'<div class="zz-working">计算 · Working: {chat_text(result.working)}</div>')
    if result.standalone_question != result.question:
        parts.append(rewrite_html(result.standalone_question))
    total = result.timings_ms.get("total")
    figures = "figures verified" if result.verified else "figures NOT verified"
    meta = f"{result.backend}" + (f" · {figures}" if result.found and result.figures else "")
    meta += f" · {total / 1000:.1f} s" if total is not None else ""
    parts.append(f'<div class="zz-meta">{html.escape(meta)}</div>')  # the app's own words
    return "\n".join(p for p in parts if p)


def rewrite_html(standalone_question: str) -> str:
    return f'<div class="zz-rewrite">↳ 理解为 · understood as: {chat_text(standalone_question)}</div>'


def queue_note(position: int | None) -> str:
    """The waiting line's message, for ``position`` questions ahead of this one; "" when none are."""
    if not position or position <= 0:
        return ""
    plural = "s" if position != 1 else ""
    return f"前面还有{position}个问题 · {position} question{plural} ahead of you"


def citation_card(citation: Citation, href: str, mark_id: str, focus: bool = False) -> str:
    path = " › ".join(p for p in [citation.source, *citation.section.split(SECTION_SEPARATOR)] if p)
    text = citation.text
    passage = render_document(text, markdown_blocks(text), (0, len(text)), _relative(citation), mark_id)
    return (f'<div class="zz-card{" zz-focus" if focus else ""}" id="{mark_id}-card">'
            f'<div class="zz-path"><span class="zz-n">[{citation.n}]</span>{html.escape(path)}</div>'
            f'<div class="zz-passage">{passage}</div>'
            f'<a class="zz-open" href="{href}">📄 在报告中查看 · Show in report</a></div>')


def _cards(citations: list[Citation], turn: int, focus: int | None) -> str:
    return "".join(citation_card(c, f"#zz-chat-{turn}-{c.n}", f"src-{turn}-{c.n}", c.n == focus) for c in citations)


def sources_html(result: AnswerResult | None, turn: int, focus: int | None = None) -> str:
    if result is None:
        return ('<div class="zz-empty">答案的来源会显示在这里。点击答案中的 [n] 可在报告全文中定位。<br>'
                "The sources of each answer appear here; click an [n] in an answer to see it in the report.</div>")
    title = f'<div class="zz-panel-title">来源 · Sources — {html.escape(result.question)}</div>'
    if not result.citations:
        return (title + _badges(result)
                + '<div class="zz-empty">报告中没有与此问题相关的内容。 The report does not cover this.</div>')
    return title + _badges(result) + _cards(result.citations, turn, focus)


def retrieved_html(question: str, citations: list[Citation], turn: int, focus: int | None = None) -> str:
    """The passages retrieved for a question whose answer is still being written."""
    title = (f'<div class="zz-panel-title" id="zz-retrieved">检索到的段落 · Retrieved passages — '
             f"{html.escape(question)}</div>")
    if not citations:
        return title + '<div class="zz-empty">没有找到相关段落 · No passage found.</div>'
    return title + _cards(citations, turn, focus)


def timings_html(result: AnswerResult | None) -> str:
    if result is None:
        return '<div class="zz-empty">各阶段耗时会在回答后显示 · Per-stage timings appear after an answer.</div>'
    rows = "".join(
        f"<tr><td>{stage.replace('_', ' ')}</td><td>{result.timings_ms[stage]:,.0f} ms</td></tr>"
        if stage in result.timings_ms else f"<tr><td>{stage.replace('_', ' ')}</td><td>—</td></tr>"
        for stage in TIMING_STAGES
    )
    backend = f"<tr><td>backend</td><td>{html.escape(result.backend)}</td></tr>"
    return f'<table class="zz-timings" id="zz-timings">{backend}{rows}</table>'


def check_html(result: CheckResult) -> str:
    style, label = VERDICTS[result.verdict]
    figures = "".join(f"<span>{html.escape(f)}</span>" for f in result.report_figures)
    cards = "".join(citation_card(c, f"#zz-check-{c.n}", f"chk-{c.n}") for c in result.citations)
    return (f'<div id="zz-verdict" data-verdict="{result.verdict}"><span class="zz-badge {style}">{label}</span></div>'
            f"<p>{html.escape(result.explanation)}</p>"
            + (f'<div class="zz-figures">报告数字 · Report figures: {figures}</div>' if figures else "")
            + cards)


def notice(text: str) -> str:
    return f'<div class="zz-reason">{_code(text)}</div>'


# -- the report, rendered --------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of a Markdown document: its tag and the offsets of its text."""

    tag: str  # "h1"…"h6" or "p"
    start: int
    end: int


def markdown_blocks(text: str) -> list[Block]:
    """The headings and paragraphs of ``text`` as the indexer splits them, a heading's text without its #s.
    Nothing else of Markdown is interpreted: every other character is shown as written."""
    blocks: list[Block] = []
    for kind, start, end, level, heading in document_blocks(text):
        if kind == "paragraph":
            blocks.append(Block("p", start, end))
        elif heading:
            at = text.index(heading, start, end)
            blocks.append(Block(f"h{level}", at, at + len(heading)))
    return blocks


def render_document(text: str, blocks: list[Block], passage: tuple[int, int], spans: list[tuple[int, int]],
                    mark_id: str) -> str:
    """The document as escaped <h1>…<h6> and <p>, the ``passage`` in a <span class="zz-in-passage">, the
    ``spans`` (absolute offsets, inside the passage) in <mark>s, the first of them the page's scroll target."""
    out: list[str] = []
    marks = 0
    for block in blocks:
        lo, hi = max(passage[0], block.start), min(passage[1], block.end)
        if lo >= hi:
            out.append(f"<{block.tag}>{html.escape(text[block.start:block.end])}</{block.tag}>")
            continue
        inside = [(s - lo, e - lo) for s, e in spans]
        marked = highlight(text[lo:hi], inside, mark_id, first=marks)
        marks += len(_clipped(inside, hi - lo))
        out.append(f'<{block.tag}>{html.escape(text[block.start:lo])}<span class="zz-in-passage">{marked}</span>'
                   f"{html.escape(text[hi:block.end])}</{block.tag}>")
    return "".join(out)


# -- the figure table ------------------------------------------------------------------------------

FIGURE_HEADERS = ["#", "主体 · Subject", "数字 · Figure", "English", "限定 · Qualifier", "类别 · Kind", "章节 · Section"]


def figure_table(rows: list[FigureRow], query: str) -> list[list[Any]]:
    """The rows matching ``query`` (index.figures.matching), each numbered by its place in the whole table."""
    from index.figures import matching

    wanted = {row.row_id for row in matching(rows, query)}
    return [[number, row.subject, row.figure, row.english, row.qualifier, row.kind,
             row.section.split(SECTION_SEPARATOR)[-1]]
            for number, row in enumerate(rows, start=1) if row.row_id in wanted]


# -- the chat --------------------------------------------------------------------------------------


@dataclass
class Turn:
    question: str
    result: AnswerResult | None = None
    error: str | None = None
    retrieved: list[Citation] = field(default_factory=list)  # the passages found, shown until the answer is done


@dataclass
class Pending:
    """What the chat shows while an answer is on its way: the bot's status, the queue, the text so far."""

    question: str
    text: str = ""
    status: str = "检索中… searching…"
    rewrite: str = ""
    ahead: int = 0

    def update(self, event: StreamEvent) -> None:
        if event.kind == "token":
            self.text, self.ahead = self.text + event.text, 0
        elif event.kind == "replace":
            self.text = event.text
        elif event.kind == "rewrite" and event.text != self.question.strip():
            self.rewrite = rewrite_html(event.text)
        elif event.kind == "status":
            self.status = event.text
        elif event.kind == "queue":
            self.ahead = event.position or 0

    def html(self) -> str:
        queue = queue_note(self.ahead)
        queue_html = f'<div class="zz-queue" id="zz-queue">{chat_text(queue)}</div>' if queue else ""
        shown = chat_text(self.text) if self.text else f'<span class="zz-pending">{chat_text(self.status)}</span>'
        return shown + queue_html + self.rewrite


def chat_messages(turns: list[Turn], partial: str | None = None) -> list[dict[str, str]]:
    """The Chatbot's value: two messages per turn, the last one possibly still streaming."""
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns):
        if turn.result is not None:
            shown = answer_html(turn.result, i)
        elif turn.error is not None:
            shown = f'<span class="zz-error">⚠️ {_code(turn.error, chat_text)}</span>'
        else:
            shown = partial or '<span class="zz-pending">检索中… searching…</span>'
        messages += [{"role": "user", "content": chat_text(turn.question)}, {"role": "assistant", "content": shown}]
    return messages


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = Engine(settings)
        self.chain = AnswerChain(self.engine)
        self.checker = self.chain.fact_checker
        self.warmup = Warmup(self.chain, settings.llm.backend)
        self._documents: dict[str, tuple[str, list[Block]]] = {}

    # -- chat ---------------------------------------------------------------------------------------

    def respond(self, message: str, turns: list[Turn], backend: str, k: float) -> Iterator[tuple[Any, ...]]:
        """Stream one answer; yields (textbox, chatbot, turns, sources, report, timings). The retrieved passages
        are shown as soon as they are found, the queue position while the model answers others."""
        if not message.strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [m for t in turns if t.result for m in (
            {"role": "user", "content": t.result.question}, {"role": "assistant", "content": t.result.answer})]
        turn = Turn(message)
        turns = [*turns, turn]
        index = len(turns) - 1
        yield "", chat_messages(turns), turns, gr.skip(), gr.skip(), gr.skip()
        pending = Pending(message)
        try:
            for event in self.chain.events(message, history, backend=validate_backend(backend), k=validate_k(k)):
                if event.kind == "final" and event.result is not None:
                    turn.result = event.result
                    break
                if event.kind == "sources":
                    turn.retrieved = event.citations
                    yield gr.skip(), gr.skip(), turns, retrieved_html(message, event.citations, index), "", gr.skip()
                    continue
                pending.update(event)
                yield gr.skip(), chat_messages(turns, pending.html()), turns, gr.skip(), gr.skip(), gr.skip()
        except (BotInputError, BotUnavailable) as err:
            turn.error = str(err)
        except Exception as err:  # noqa: BLE001 - the user sees a message, never a traceback
            log.exception("answering %r failed", message)
            turn.error = f"出错了 · Something went wrong: {err}"
        if turn.result is None and turn.error is None:
            turn.error = "the answer chain ended without a result"
        # The report panel showed an earlier answer's citation: cleared with the new answer's sources.
        yield gr.skip(), chat_messages(turns), turns, sources_html(turn.result, index), "", timings_html(turn.result)

    def show_chat_source(self, target: str, turns: list[Turn]) -> tuple[Any, Any]:
        """A click on [n] or "show in report": that answer's sources (or, while it is written, the retrieved
        passages), and the report at the citation."""
        turn, n = (int(x) for x in target.split("-"))
        shown = turns[turn]
        citations = shown.result.citations if shown.result else shown.retrieved
        citation = next((c for c in citations if c.n == n), None)
        if citation is None:
            return gr.skip(), gr.skip()
        panel = (sources_html(shown.result, turn, focus=n) if shown.result
                 else retrieved_html(shown.question, citations, turn, focus=n))
        return panel, self.report_html(citation, f"hl-{turn}-{n}")

    def rate(self, turns: list[Turn], comment: str, data: gr.LikeData) -> tuple[Any, str]:
        if data.liked not in (True, False):
            return gr.skip(), gr.skip()
        turn = turns[data.index // 2] if isinstance(data.index, int) else None
        if turn is None or turn.result is None:
            return gr.skip(), "没有可评价的答案 · There is no answer to rate here."
        rating: Rating = "up" if data.liked else "down"
        try:
            record_feedback(self.settings.feedback_path, turn.result, rating, comment)
        except OSError as err:
            return gr.skip(), f"⚠️ 反馈未保存 · Feedback not saved: {err}"
        return "", f"谢谢！已记录 {'👍' if data.liked else '👎'} · Thanks, feedback saved."

    # -- the report ---------------------------------------------------------------------------------

    def document(self, source: str) -> tuple[str, list[Block]]:
        """The full text of an indexed document and its blocks: its file when that still matches the index,
        else rebuilt from the indexed passages (offsets kept, gaps as spaces)."""
        if source not in self._documents:
            text = self._read_document(source)
            self._documents[source] = text, markdown_blocks(text)
        return self._documents[source]

    def _read_document(self, source: str) -> str:
        chunks = [c for c in self.engine.searcher.chunks if c.source == source]
        path = next((p for p in self.settings.documents if p.name == source), None)
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8")
            if all(text[c.start:c.end] == c.text for c in chunks):
                return text
        chars = [" "] * max((c.end for c in chunks), default=0)
        for c in chunks:
            chars[c.start:c.end] = c.text
        return "".join(chars)

    def report_view(self, source: str, passage: tuple[int, int], spans: list[tuple[int, int]], mark_id: str,
                    label: str) -> str:
        """The rendered document ``source``, ``passage`` shaded, ``spans`` marked, under a title with ``label``."""
        text, blocks = self.document(source)
        body = render_document(text, blocks, passage, spans or [passage], mark_id)
        return (f'<div class="zz-panel-title">📄 {html.escape(source)} — {html.escape(label)}</div>'
                f'<div class="zz-report">{body}</div>')

    def report_html(self, citation: Citation, mark_id: str) -> str:
        return self.report_view(citation.source, (citation.start, citation.end), citation.highlights, mark_id,
                                f"[{citation.n}]")

    # -- fact check ---------------------------------------------------------------------------------

    def check(self, claim: str) -> tuple[str, CheckResult | None, str]:
        try:
            result = self.checker.check(claim)
        except (BotInputError, BotUnavailable) as err:
            return notice(str(err)), None, ""
        except Exception as err:  # noqa: BLE001
            log.exception("checking %r failed", claim)
            return notice(f"出错了 · Something went wrong: {err}"), None, ""
        return check_html(result), result, ""

    def show_check_source(self, target: str, result: CheckResult | None) -> Any:
        citation = next((c for c in result.citations if c.n == int(target)), None) if result else None
        return self.report_html(citation, f"hl-check-{citation.n}") if citation else gr.skip()

    # -- figures ------------------------------------------------------------------------------------

    def figures(self, query: str) -> tuple[Any, str]:
        """The figure table filtered by ``query``, and how many rows it shows."""
        try:
            rows = self.engine.figure_rows
        except BotUnavailable as err:
            return [], notice(str(err))
        table = figure_table(rows, query)
        return table, f'<div class="zz-meta" id="zz-figure-count">{len(table)} / {len(rows)}</div>'

    def export_figures(self, query: str) -> str:
        """The filtered figure table as a CSV file to download (with a BOM, so spreadsheets read the Chinese)."""
        from index.figures import matching, write_csv

        try:
            rows = matching(self.engine.figure_rows, query)
        except BotUnavailable as err:
            raise gr.Error(str(err)) from None
        path = Path(tempfile.mkdtemp(prefix="zz-figures-")) / "figures.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            write_csv(rows, file)
        return str(path)

    def show_figure(self, data: gr.SelectData) -> Any:
        """A click on a row of the figure table: its sentence highlighted in the report, the figure inside."""
        number = int(data.row_value[0]) if data.row_value else 0
        rows = self.engine.figure_rows
        if not 1 <= number <= len(rows):
            return gr.skip()
        row = rows[number - 1]
        sentence = (row.sentence_start, row.sentence_end)
        return self.report_view(row.source, sentence, [sentence, (row.start, row.end)], f"fig-{number}", row.figure)

    # -- eval ---------------------------------------------------------------------------------------

    def run_eval(self, backend: str, limit: float, compare: bool,
                 progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 - gradio's idiom
                 ) -> tuple[str, list[str] | None, str | None]:
        """Run the evaluation dataset (``python -m eval run``) and show its summary and plots."""
        try:
            from eval.dataset import DEFAULT_DATASET
            from eval.dataset import DatasetError, load_dataset
            from eval.report import headline_table
            from eval.runner import run, select_cases
        except ImportError as err:
            return notice(f"评测模块不可用 · The evaluation is not available in this build ({err})."), None, None
        progress(0, desc="loading models…")
        out = self.settings.var_dir / "eval" / datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            cases = select_cases(load_dataset(DEFAULT_DATASET), None, int(limit) or None)
            summary, report = run(cases, self.engine, out, compare_naive=compare, overrides={"llm.backend": backend},
                                  dataset=DEFAULT_DATASET, backend=validate_backend(backend), chain=self.chain)
        except (BotInputError, BotUnavailable, DatasetError) as err:
            return notice(str(err)), None, None
        except Exception as err:  # noqa: BLE001
            log.exception("the evaluation failed")
            return notice(f"评测失败 · The evaluation failed: {err}"), None, None
        header, rows = headline_table(summary)
        table = "\n".join("| " + " | ".join(row) + " |" for row in [header, ["---"] * len(header), *rows])
        run_info = summary["run"]
        text = (f"**{run_info['cases']} cases, {run_info['backend']} backend, {run_info['duration_s']} s** — "
                f"results in `{out}`\n\n{table}")
        return text, sorted(str(p) for p in out.glob("*.png")), str(report)

    # -- layout -------------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        # Gradio copies served files (the figures CSV) into one cache folder, /tmp/gradio by default: on a machine
        # where another user ran Gradio first, that folder is theirs and every download fails. Ours is ours.
        os.environ.setdefault("GRADIO_TEMP_DIR", str((self.settings.var_dir / "gradio").resolve()))
        with gr.Blocks(title="郑州政府工作报告问答 · Zhengzhou Report Q&A", analytics_enabled=False) as demo:
            with gr.Row():
                gr.Markdown("# 郑州市2024年政府工作报告问答 · Zhengzhou 2024 Government Work Report Q&A",
                            elem_id="zz-title")
                status = gr.HTML(self.warmup.html(), elem_id="zz-status-box")
            timer = gr.Timer(1.0)
            timer.tick(lambda: (self.warmup.html(), gr.Timer(active=self.warmup.state == "loading")),
                       outputs=[status, timer], show_progress="hidden", api_visibility="private")
            with gr.Tab("对话 · Chat"):
                self._chat_tab()
            with gr.Tab("事实核查 · Fact check"):
                self._check_tab()
            with gr.Tab("数字表 · Figures", elem_id="zz-figures-tab") as figures_tab:
                self._figures_tab(figures_tab)
            with gr.Tab("评测 · Eval"):
                self._eval_tab()
        return demo

    def _chat_tab(self) -> None:
        s = self.settings
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(height=520, show_label=False, elem_id="zz-chat",
                                     placeholder="问一个关于报告的问题 · Ask about the report")
                with gr.Row():
                    question = gr.Textbox(placeholder="输入问题，回车发送 · Type a question, press Enter",
                                          show_label=False, scale=5, elem_id="zz-question", autofocus=True)
                    send = gr.Button("发送 · Ask", variant="primary", scale=1, elem_id="zz-send")
                examples = gr.Dataset(components=[question], samples=[[q] for q in CHAT_EXAMPLES],
                                      label="试试这些问题 · Try these", elem_id="zz-examples")
                comment = gr.Textbox(placeholder="可选评论，然后点答案下的 👍/👎 · Optional comment, "
                                                 "then click 👍/👎 under an answer", show_label=False,
                                     elem_id="zz-comment")
                feedback_note = gr.Markdown(elem_id="zz-feedback-note")
            with gr.Column(scale=4):
                sources = gr.HTML(sources_html(None, 0), elem_id="zz-sources")
                report = gr.HTML(elem_id="zz-chat-report")
                with gr.Accordion("设置 · Settings", open=False, elem_id="zz-settings"):
                    backend = gr.Radio(list(BACKENDS), value=s.llm.backend, label="回答模型 · Backend")
                    k = gr.Slider(1, 12, value=s.retrieval.k, step=1, label="检索段落数 · Passages (top-k)")
                    timings = gr.HTML(timings_html(None))
        chat_target = gr.Textbox(visible="hidden")
        chat_go = gr.Button(visible="hidden", elem_id="zz-chat-go")
        # No limit of Gradio's own: a question waits in the chain's queue for the model, where the user sees the
        # passages found and the questions ahead, not in Gradio's queue, where they would see nothing.
        chat_io: dict[str, Any] = {"inputs": [question, turns, backend, k], "concurrency_limit": None,
                                   "outputs": [question, chatbot, turns, sources, report, timings], **_PRIVATE}
        gr.on([question.submit, send.click], self.respond, **chat_io)
        examples.click(lambda sample: sample[0], examples, question, **_PRIVATE).then(self.respond, **chat_io)
        chat_go.click(self.show_chat_source, [chat_target, turns], [sources, report],
                      js="(target, turns) => [window.zzTarget, turns]", **_PRIVATE
                      ).then(None, js="() => window.zzReveal('zz-chat-report')", **_PRIVATE)
        chatbot.like(self.rate, [turns, comment], [comment, feedback_note], **_PRIVATE)

    def _check_tab(self) -> None:
        checked = gr.State(None)
        with gr.Row():
            with gr.Column(scale=5):
                claim = gr.Textbox(label="要核查的说法 · A claim to check", lines=2, elem_id="zz-claim")
                check = gr.Button("核查 · Check", variant="primary", elem_id="zz-check")
                claim_examples = gr.Dataset(components=[claim], samples=[[c] for c in CLAIM_EXAMPLES],
                                            label="示例 · Examples")
                verdict = gr.HTML(elem_id="zz-check-result")
            with gr.Column(scale=4):
                check_report = gr.HTML(elem_id="zz-check-report")
        check_target = gr.Textbox(visible="hidden")
        check_go = gr.Button(visible="hidden", elem_id="zz-check-go")
        check_io: dict[str, Any] = {"inputs": claim, "outputs": [verdict, checked, check_report], **_PRIVATE}
        gr.on([claim.submit, check.click], self.check, **check_io)
        claim_examples.click(lambda sample: sample[0], claim_examples, claim, **_PRIVATE).then(self.check, **check_io)
        check_go.click(self.show_check_source, [check_target, checked], check_report,
                       js="(target, result) => [window.zzTarget, result]", **_PRIVATE
                       ).then(None, js="() => window.zzReveal('zz-check-report')", **_PRIVATE)

    def _figures_tab(self, tab: gr.Tab) -> None:
        gr.Markdown("报告中的每个数字：说的是什么、数值、单位和限定词。点击一行可在报告中查看。· Every figure in the "
                    "report: what it counts, its value and qualifier. Click a row to see it in the report.")
        with gr.Row():
            with gr.Column(scale=5):
                with gr.Row():
                    query = gr.Textbox(placeholder="筛选，如 学位 或 GDP · Filter, e.g. 学位 or school", show_label=False,
                                       scale=4, elem_id="zz-figure-filter")
                    export = gr.Button("导出 CSV · Export CSV", scale=1, elem_id="zz-figure-export")
                count = gr.HTML(elem_id="zz-figure-count-box")
                table = gr.Dataframe(headers=FIGURE_HEADERS, datatype="str", type="array", interactive=False,
                                     wrap=True, max_height=560, elem_id="zz-figure-table",
                                     column_widths=["7%", "25%", "13%", "17%", "10%", "8%", "20%"])
                download = gr.File(label="CSV", visible=True, elem_id="zz-figure-csv")
            with gr.Column(scale=4):
                figure_report = gr.HTML(elem_id="zz-figure-report")
        gr.on([tab.select, query.change], self.figures, query, [table, count], trigger_mode="always_last",
              **_PRIVATE)
        export.click(self.export_figures, query, download, **_PRIVATE)
        table.select(self.show_figure, None, figure_report, **_PRIVATE
                     ).then(None, js="() => window.zzReveal('zz-figure-report')", **_PRIVATE)

    def _eval_tab(self) -> None:
        gr.Markdown("在评测集上运行问答并打分（同 `python -m eval run`）· Answer and score the evaluation "
                    "dataset, like `python -m eval run`.")
        with gr.Row():
            eval_backend = gr.Radio(list(BACKENDS), value="extractive", label="回答模型 · Backend")
            limit = gr.Slider(0, 300, value=30, step=10, label="题数（0 = 全部）· Cases (0 = all)")
            compare = gr.Checkbox(label="对比基线 · Compare with the naive baseline")
        run_eval = gr.Button("运行评测 · Run the evaluation", variant="primary", elem_id="zz-eval-run")
        eval_summary = gr.Markdown(elem_id="zz-eval-summary")
        plots = gr.Gallery(label="图表 · Plots", columns=3, height=400, object_fit="contain")
        eval_report = gr.File(label="报告 · Report (HTML)")
        run_eval.click(self.run_eval, [eval_backend, limit, compare], [eval_summary, plots, eval_report],
                       concurrency_limit=1, **_PRIVATE)


# Events of the page only: not part of any API (the HTTP API is bot.serving.api's).
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


# -- the server ------------------------------------------------------------------------------------

# A Host header that is a name or an address, with an optional port (anything else is left out of the policy).
_HOST = re.compile(r"[\w.\-]+(:\d+)?|\[[0-9a-fA-F:.]+\](:\d+)?")


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


def create_server(app: App) -> FastAPI:
    """One FastAPI app: the HTTP API (bot.serving.api) and the Gradio UI at "/", both answered by ``app``'s chain."""
    settings = app.settings
    server = FastAPI(title="zzbot", docs_url=None, redoc_url=None)  # the docs pages load scripts from a CDN
    server.add_middleware(SecurityHeaders)
    server.include_router(api_router(app.chain, app.checker))
    theme = gr.themes.Soft(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])
    blocks = app.build().queue(default_concurrency_limit=settings.ui.concurrency)
    return gr.mount_gradio_app(server, blocks, path="/", server_name=settings.ui.host, server_port=settings.ui.port,
                               footer_links=[], allowed_paths=[str(settings.var_dir / "eval")], ssr_mode=False,
                               theme=theme, css=CSS, head=HEAD)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the Zhengzhou 2024 government work report (web UI and "
                                                 "HTTP API).")
    parser.add_argument("--host", help="address to listen on (default: settings ui.host)")
    parser.add_argument("--port", type=int, help="port (default: settings ui.port)")
    parser.add_argument("--backend", choices=BACKENDS, help="default answer backend (default: settings llm.backend)")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.host or args.port:
        overrides["ui"] = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    if args.backend:
        overrides["llm"] = {"backend": args.backend}
    try:
        settings = load_settings(**overrides)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = App(settings)
    app.warmup.start()
    server = create_server(app)
    log.info("serving the UI on http://%s:%d/ and the API under /v1 and /api", settings.ui.host, settings.ui.port)
    uvicorn.run(server, host=settings.ui.host, port=settings.ui.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
