"""Answers, their sources, the reasons behind them and fact-checks, as the page's HTML.

Everything taken from a question, a document or an answer is escaped (``chat_text`` inside the Chatbot, whose
Markdown would otherwise turn it into markup); only the page's own words and tags are HTML.
"""

from __future__ import annotations

import html
import re

from bot.schema import AnswerResult, CheckResult, Citation, RuleStep
from index.chunking import SECTION_SEPARATOR
from ui.document import markdown_blocks, render_document
from ui.text import chat_text, rewrite_html

TIMING_STAGES = ["rewrite", "retrieve", "first_token", "generate", "total"]
NOT_IN_REPORT = "报告未提及 · Not in the report"
SUBJECT_NOT_CONFIRMED = "数字已找到，主体未确认 · figure found, subject not confirmed"
WHY_THIS_ANSWER = "为什么是这个回答 · Why this answer"
VERDICTS = {
    "supported": ("ok", "相符 · Supported"),
    "contradicted": ("bad", "不符 · Contradicted"),
    "not_in_report": ("none", NOT_IN_REPORT),
}
_MARKER = re.compile(r"\[(\d+)\]")


def shown_reason(result: AnswerResult) -> str | None:
    """The reason the asker reads under the badges: the deciding rule's own words in the question's language
    when it has them, otherwise why the answer is a fallback (English, for lack of anything better)."""
    decided = [step for step in result.trace if step.outcome == "decided" and step.reason_shown.strip()]
    return decided[-1].reason_shown if decided else result.fallback_reason


def figures_checked(result: AnswerResult) -> bool:
    """Whether the answer states figures that the report's passages were checked for."""
    return result.found and bool(result.figures)


def badges_html(result: AnswerResult) -> str:
    badges = []
    if not result.found:
        badges.append(f'<span class="zz-badge none">{NOT_IN_REPORT}</span>')
    if result.fallback_reason:
        badges.append('<span class="zz-badge warn">备用答案 · Fallback answer</span>')
    if not result.verified:
        badges.append('<span class="zz-badge bad">数字未核实 · Figures not verified</span>')
    elif figures_checked(result) and not result.subject_confirmed:
        badges.append(f'<span class="zz-badge warn" data-check="subject">{SUBJECT_NOT_CONFIRMED}</span>')
    reason = shown_reason(result)
    return "".join(badges) + (f'<div class="zz-reason">{chat_text(reason)}</div>' if reason else "")


def trace_html(trace: list[RuleStep]) -> str:
    """The rules the answer went through, for staff, folded away: each one's name, stage, outcome and reason.
    Nothing when there is no trace."""
    if not trace:
        return ""
    items = "".join(
        f'<li class="zz-step {"zz-decided" if step.outcome == "decided" else "zz-passed"}">'
        f'<span class="zz-rule">{chat_text(step.rule)}</span> · {chat_text(step.stage)} · '
        f'<span class="zz-outcome">{chat_text(step.outcome)}</span>'
        + (f" — {chat_text(step.reason)}" if step.reason else "") + "</li>"
        for step in trace)
    return f'<details class="zz-why"><summary>{WHY_THIS_ANSWER}</summary><ol>{items}</ol></details>'


def _figures_meta(result: AnswerResult) -> str:
    if not figures_checked(result):
        return ""
    if not result.verified:
        return " · figures NOT verified"
    return " · figures verified" if result.subject_confirmed else " · figure found, subject not confirmed"


def answer_html(result: AnswerResult, turn: int) -> str:
    """The answer as shown in the chat: badges, text with [n] linked to its sources, the calculation of a computed
    answer, the rewritten question, why this answer (folded)."""
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
    parts = [badges_html(result), "".join(body)]
    if result.working:
        parts.append(f'<div class="zz-working">计算 · Working: {chat_text(result.working)}</div>')
    if result.standalone_question != result.question:
        parts.append(rewrite_html(result.standalone_question))
    parts.append(trace_html(result.trace))
    total = result.timings_ms.get("total")
    meta = f"{result.backend}{_figures_meta(result)}"
    meta += f" · {total / 1000:.1f} s" if total is not None else ""
    parts.append(f'<div class="zz-meta">{html.escape(meta)}</div>')  # the app's own words
    return "\n".join(p for p in parts if p)


def citation_card(citation: Citation, href: str, mark_id: str, focus: bool = False) -> str:
    path = " › ".join(p for p in [citation.source, *citation.section.split(SECTION_SEPARATOR)] if p)
    text = citation.text
    relative = [(s - citation.start, e - citation.start) for s, e in citation.highlights]
    passage = render_document(text, markdown_blocks(text), (0, len(text)), relative, mark_id)
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
        return (title + badges_html(result)
                + '<div class="zz-empty">报告中没有与此问题相关的内容。 The report does not cover this.</div>')
    return title + badges_html(result) + _cards(result.citations, turn, focus)


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
