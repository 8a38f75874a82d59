"""The chat's turns and the Chatbot's messages: finished answers, errors, and the answer being written."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.schema import AnswerResult, Citation, StreamEvent
from ui.render import answer_html
from ui.text import chat_text, code_html, queue_note, rewrite_html


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
            shown = f'<span class="zz-error">⚠️ {code_html(turn.error, chat_text)}</span>'
        else:
            shown = partial or '<span class="zz-pending">检索中… searching…</span>'
        messages += [{"role": "user", "content": chat_text(turn.question)}, {"role": "assistant", "content": shown}]
    return messages


def chat_history(turns: list[Turn]) -> list[dict[str, str]]:
    """The answered turns as the chain's history: each question and its answer."""
    return [m for t in turns if t.result for m in (
        {"role": "user", "content": t.result.question}, {"role": "assistant", "content": t.result.answer})]
