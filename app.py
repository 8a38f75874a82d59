"""The web UI: chat with cited and highlighted sources, fact-checking and the evaluation.

It only renders and calls ``bot``; run ``python app.py [--host H] [--port P] [--backend B]``.
"""

from __future__ import annotations

import argparse
import html
import importlib
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import gradio as gr

from bot.chain import AnswerChain
from bot.engine import Engine
from bot.feedback import Rating, record_feedback
from bot.llm import BackendError
from bot.schema import AnswerResult, BotInputError, BotUnavailable, CheckResult, Citation
from index.chunking import SECTION_SEPARATOR
from settings import Settings, load_settings

log = logging.getLogger("app")

BACKENDS = ["local", "openai", "extractive"]
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
.zz-open {font-size: .85em; display: inline-block; margin-top: .3em;}
mark.zz-hl {background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 2px;}
mark.zz-fig {background: #f59e0b; color: #111; font-weight: 700;}
.zz-report {white-space: pre-wrap; line-height: 1.8; max-height: 460px; overflow-y: auto; padding: .6em .8em;
  border: 1px solid var(--border-color-primary); border-radius: 8px; font-size: .92em;}
.zz-report .zz-in-passage {background: rgba(59, 130, 246, .08);}
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
        text = _code(html.escape(self.message))
        return f'<span class="zz-status {self.state}" id="zz-status" data-state="{self.state}">{text}</span>'


def _code(escaped: str) -> str:
    """Backquoted commands in a message, as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


# -- rendering -------------------------------------------------------------------------------------


def highlight(text: str, spans: list[tuple[int, int]], mark_id: str) -> str:
    """``text`` escaped, with each span in a <mark>; spans inside another span become nested marks.
    The first mark gets the class ``zz-target`` (what the page scrolls to)."""
    out: list[str] = []
    stack: list[int] = []  # ends of the open marks
    pos = 0
    clipped = sorted({(max(s, 0), min(e, len(text))) for s, e in spans if min(e, len(text)) > max(s, 0)},
                     key=lambda span: (span[0], -span[1]))
    for i, (start, end) in enumerate(clipped):
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
    reason = (f'<div class="zz-reason">{html.escape(result.fallback_reason)}</div>'
              if result.fallback_reason else "")
    return "".join(badges) + reason


def answer_html(result: AnswerResult, turn: int) -> str:
    """The answer as shown in the chat: badges, text with [n] linked to its sources, the rewritten question."""
    sections = {c.n: c.section for c in result.citations}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in sections:
            return match.group(0)
        title = html.escape(sections[n].replace(SECTION_SEPARATOR, " › "), quote=True)
        return f'<a class="zz-cite" href="#zz-chat-{turn}-{n}" title="{title}">[{n}]</a>'

    body = _MARKER.sub(link, html.escape(result.answer, quote=False))
    parts = [_badges(result), body]
    if result.standalone_question != result.question:
        parts.append(rewrite_html(result.standalone_question))
    total = result.timings_ms.get("total")
    figures = "figures verified" if result.verified else "figures NOT verified"
    meta = f"{result.backend}" + (f" · {figures}" if result.found and result.figures else "")
    meta += f" · {total / 1000:.1f} s" if total is not None else ""
    parts.append(f'<div class="zz-meta">{html.escape(meta)}</div>')
    return "\n".join(p for p in parts if p)


def rewrite_html(standalone_question: str) -> str:
    return f'<div class="zz-rewrite">↳ 理解为 · understood as: {html.escape(standalone_question)}</div>'


def citation_card(citation: Citation, href: str, mark_id: str, focus: bool = False) -> str:
    path = " › ".join(p for p in [citation.source, *citation.section.split(SECTION_SEPARATOR)] if p)
    passage = highlight(citation.text, _relative(citation), mark_id)
    return (f'<div class="zz-card{" zz-focus" if focus else ""}" id="{mark_id}-card">'
            f'<div class="zz-path"><span class="zz-n">[{citation.n}]</span>{html.escape(path)}</div>'
            f'<div class="zz-passage">{passage}</div>'
            f'<a class="zz-open" href="{href}">📄 在报告中查看 · Show in report</a></div>')


def sources_html(result: AnswerResult | None, turn: int, focus: int | None = None) -> str:
    if result is None:
        return ('<div class="zz-empty">答案的来源会显示在这里。点击答案中的 [n] 可在报告全文中定位。<br>'
                "The sources of each answer appear here; click an [n] in an answer to see it in the report.</div>")
    title = f'<div class="zz-panel-title">来源 · Sources — {html.escape(result.question)}</div>'
    if not result.citations:
        return (title + _badges(result)
                + '<div class="zz-empty">报告中没有与此问题相关的内容。 The report does not cover this.</div>')
    cards = [citation_card(c, f"#zz-chat-{turn}-{c.n}", f"src-{turn}-{c.n}", c.n == focus) for c in result.citations]
    return title + _badges(result) + "".join(cards)


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
    return f'<div class="zz-reason">{_code(html.escape(text))}</div>'


# -- the app ---------------------------------------------------------------------------------------


@dataclass
class Turn:
    question: str
    result: AnswerResult | None = None
    error: str | None = None


def chat_messages(turns: list[Turn], partial: str | None = None) -> list[dict[str, str]]:
    """The Chatbot's value: two messages per turn, the last one possibly still streaming."""
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns):
        if turn.result is not None:
            shown = answer_html(turn.result, i)
        elif turn.error is not None:
            shown = f'<span class="zz-error">⚠️ {_code(html.escape(turn.error))}</span>'
        else:
            shown = partial or '<span class="zz-pending">检索中… searching…</span>'
        messages += [{"role": "user", "content": html.escape(turn.question)}, {"role": "assistant", "content": shown}]
    return messages


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = Engine(settings)
        self.chain = AnswerChain(self.engine)
        self.warmup = Warmup(self.chain, settings.llm.backend)
        self._documents: dict[str, str] = {}

    # -- chat ---------------------------------------------------------------------------------------

    def respond(self, message: str, turns: list[Turn], backend: str, k: float) -> Iterator[tuple[Any, ...]]:
        """Stream one answer; yields (textbox, chatbot, turns, sources, report, timings)."""
        if not message.strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [m for t in turns if t.result for m in (
            {"role": "user", "content": t.result.question}, {"role": "assistant", "content": t.result.answer})]
        turn = Turn(message)
        turns = [*turns, turn]
        index = len(turns) - 1
        yield "", chat_messages(turns), turns, gr.skip(), gr.skip(), gr.skip()
        text, rewrite, status = "", "", "检索中… searching…"
        try:
            for event in self.chain.events(message, history, backend=backend, k=int(k)):
                if event.kind == "final" and event.result is not None:
                    turn.result = event.result
                    break
                if event.kind == "token":
                    text += event.text
                elif event.kind == "replace":
                    text = event.text
                elif event.kind == "rewrite" and event.text != message.strip():
                    rewrite = rewrite_html(event.text)
                elif event.kind == "status":
                    status = event.text
                shown = html.escape(text) if text else f'<span class="zz-pending">{html.escape(status)}</span>'
                yield gr.skip(), chat_messages(turns, shown + rewrite), turns, gr.skip(), gr.skip(), gr.skip()
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
        """A click on [n] or "show in report": that answer's sources, and the report at the citation."""
        turn, n = (int(x) for x in target.split("-"))
        result = turns[turn].result
        citation = next((c for c in result.citations if c.n == n), None) if result else None
        if citation is None:
            return gr.skip(), gr.skip()
        return sources_html(result, turn, focus=n), self.report_html(citation, f"hl-{turn}-{n}")

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

    def ask_api(self, question: str, backend: str = "", k: int = 0, history: list | None = None) -> dict:
        """API for scripts (gradio_client): the whole AnswerResult as JSON."""
        try:
            return self.chain.ask(question, history, backend=backend or None, k=k or None).to_dict()
        except (BotInputError, BotUnavailable) as err:
            raise gr.Error(str(err)) from None

    # -- the report ---------------------------------------------------------------------------------

    def document(self, source: str) -> str:
        """The full text of an indexed document: its file when that still matches the index, else rebuilt
        from the indexed passages (offsets kept, gaps as spaces)."""
        if source not in self._documents:
            self._documents[source] = self._read_document(source)
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

    def report_html(self, citation: Citation, mark_id: str) -> str:
        text = self.document(citation.source)
        spans = _relative(citation) or [(0, citation.end - citation.start)]
        passage = highlight(text[citation.start:citation.end], spans, mark_id)
        body = (html.escape(text[:citation.start]) + f'<span class="zz-in-passage">{passage}</span>'
                + html.escape(text[citation.end:]))
        return (f'<div class="zz-panel-title">📄 {html.escape(citation.source)} — [{citation.n}]</div>'
                f'<div class="zz-report">{body}</div>')

    # -- fact check ---------------------------------------------------------------------------------

    def check(self, claim: str) -> tuple[str, CheckResult | None, str]:
        try:
            factcheck = importlib.import_module("bot.factcheck")
        except ImportError as err:
            return notice(f"事实核查模块不可用 · Fact-checking is not available in this build ({err})."), None, ""
        try:
            result: CheckResult = factcheck.FactChecker(self.engine).check(claim)
        except (BotInputError, BotUnavailable) as err:
            return notice(str(err)), None, ""
        except Exception as err:  # noqa: BLE001
            log.exception("checking %r failed", claim)
            return notice(f"出错了 · Something went wrong: {err}"), None, ""
        return check_html(result), result, ""

    def show_check_source(self, target: str, result: CheckResult | None) -> Any:
        citation = next((c for c in result.citations if c.n == int(target)), None) if result else None
        return self.report_html(citation, f"hl-check-{citation.n}") if citation else gr.skip()

    # -- eval ---------------------------------------------------------------------------------------

    def run_eval(self, backend: str, limit: float, compare: bool,
                 progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 - gradio's idiom
                 ) -> tuple[str, list[str] | None, str | None]:
        """Run the evaluation dataset (``python -m eval run``) and show its summary and plots."""
        try:
            from eval.__main__ import DEFAULT_DATASET
            from eval.dataset import DatasetError, load_dataset
            from eval.report import headline_table
            from eval.runner import run, select_cases
        except ImportError as err:
            return notice(f"评测模块不可用 · The evaluation is not available in this build ({err})."), None, None
        progress(0, desc="loading models…")
        settings = self.settings.model_copy(update={"llm": self.settings.llm.model_copy(update={"backend": backend})})
        out = settings.var_dir / "eval" / datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            cases = select_cases(load_dataset(DEFAULT_DATASET), None, int(limit) or None)
            summary, report = run(cases, Engine(settings), out, compare_naive=compare,
                                  overrides={"llm.backend": backend}, dataset=DEFAULT_DATASET)
        except (BotUnavailable, DatasetError) as err:
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
        s = self.settings
        with gr.Blocks(title="郑州政府工作报告问答 · Zhengzhou Report Q&A", analytics_enabled=False) as demo:
            with gr.Row():
                gr.Markdown("# 郑州市2024年政府工作报告问答 · Zhengzhou 2024 Government Work Report Q&A",
                            elem_id="zz-title")
                status = gr.HTML(self.warmup.html(), elem_id="zz-status-box")
            timer = gr.Timer(1.0)
            with gr.Tab("对话 · Chat"):
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
                            backend = gr.Radio(BACKENDS, value=s.llm.backend, label="回答模型 · Backend")
                            k = gr.Slider(1, 12, value=s.retrieval.k, step=1, label="检索段落数 · Passages (top-k)")
                            timings = gr.HTML(timings_html(None))
                chat_target = gr.Textbox(visible="hidden")
                chat_go = gr.Button(visible="hidden", elem_id="zz-chat-go")

            with gr.Tab("事实核查 · Fact check"):
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

            with gr.Tab("评测 · Eval"):
                gr.Markdown("在评测集上运行问答并打分（同 `python -m eval run`）· Answer and score the evaluation "
                            "dataset, like `python -m eval run`.")
                with gr.Row():
                    eval_backend = gr.Radio(BACKENDS, value="extractive", label="回答模型 · Backend")
                    limit = gr.Slider(0, 300, value=30, step=10, label="题数（0 = 全部）· Cases (0 = all)")
                    compare = gr.Checkbox(label="对比基线 · Compare with the naive baseline")
                run_eval = gr.Button("运行评测 · Run the evaluation", variant="primary", elem_id="zz-eval-run")
                eval_summary = gr.Markdown(elem_id="zz-eval-summary")
                plots = gr.Gallery(label="图表 · Plots", columns=3, height=400, object_fit="contain")
                eval_report = gr.File(label="报告 · Report (HTML)")

            ui: dict[str, Any] = {"api_visibility": "private"}
            timer.tick(lambda: (self.warmup.html(), gr.Timer(active=self.warmup.state == "loading")),
                       outputs=[status, timer], show_progress="hidden", **ui)
            chat_io: dict[str, Any] = {"inputs": [question, turns, backend, k],
                       "outputs": [question, chatbot, turns, sources, report, timings], **ui}
            gr.on([question.submit, send.click], self.respond, **chat_io)
            examples.click(lambda sample: sample[0], examples, question, **ui).then(self.respond, **chat_io)
            chat_go.click(self.show_chat_source, [chat_target, turns], [sources, report],
                          js="(target, turns) => [window.zzTarget, turns]", **ui
                          ).then(None, js="() => window.zzReveal('zz-chat-report')", **ui)
            chatbot.like(self.rate, [turns, comment], [comment, feedback_note], **ui)

            check_io: dict[str, Any] = {"inputs": claim, "outputs": [verdict, checked, check_report], **ui}
            gr.on([claim.submit, check.click], self.check, **check_io)
            claim_examples.click(lambda sample: sample[0], claim_examples, claim, **ui).then(self.check, **check_io)
            check_go.click(self.show_check_source, [check_target, checked], check_report,
                           js="(target, result) => [window.zzTarget, result]", **ui
                           ).then(None, js="() => window.zzReveal('zz-check-report')", **ui)

            run_eval.click(self.run_eval, [eval_backend, limit, compare], [eval_summary, plots, eval_report],
                           concurrency_limit=1, **ui)
            gr.api(self.ask_api, api_name="ask")
        return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Chat with the Zhengzhou 2024 government work report.")
    parser.add_argument("--host", help="address to listen on (default: settings ui.host)")
    parser.add_argument("--port", type=int, help="port (default: settings ui.port)")
    parser.add_argument("--backend", choices=BACKENDS, help="default answer backend (default: settings llm.backend)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, Any] = {}
    if args.host or args.port:
        overrides["ui"] = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    if args.backend:
        overrides["llm"] = {"backend": args.backend}
    settings = load_settings(**overrides)
    app = App(settings)
    app.warmup.start()
    theme = gr.themes.Soft(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])
    app.build().queue(default_concurrency_limit=settings.ui.concurrency).launch(
        server_name=settings.ui.host, server_port=settings.ui.port, theme=theme, css=CSS, head=HEAD,
        footer_links=["api"], allowed_paths=[str(settings.var_dir / "eval")],
    )


if __name__ == "__main__":
    main()
