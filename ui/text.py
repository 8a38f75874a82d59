"""Text as the page shows it: escaped for the Chatbot's Markdown, backquoted commands as code, notices."""

from __future__ import annotations

import html
import re
from typing import Any

# The Chatbot renders Markdown (and autolinks) before its HTML: in text shown there each of these characters is
# written as an entity, so a question, a passage or an answer shows as typed and nothing in it becomes markup, a
# link or an image (``![x](http://…)`` would otherwise be fetched by the reader's browser).
_CHAT_ENTITIES = ({ord(c): html.escape(c) for c in "&<>\"'"}
                  | {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:@=%"})


def chat_text(text: str) -> str:
    """``text`` for the Chatbot: HTML-escaped and with every Markdown character as an entity (in one pass, so
    that no entity is escaped twice)."""
    return text.translate(_CHAT_ENTITIES)


def code_html(text: str, escape: Any = html.escape) -> str:
    """A message with its backquoted commands as <code>, everything ``escape``d."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts))


def notice(text: str) -> str:
    """A message to the user (an error, a refusal of bad input) in the page's warning style."""
    return f'<div class="zz-reason">{code_html(text)}</div>'


def rewrite_html(standalone_question: str) -> str:
    return f'<div class="zz-rewrite">↳ 理解为 · understood as: {chat_text(standalone_question)}</div>'


def queue_note(position: int | None) -> str:
    """The waiting line's message, for ``position`` questions ahead of this one; "" when none are."""
    if not position or position <= 0:
        return ""
    plural = "s" if position != 1 else ""
    return f"前面还有{position}个问题 · {position} question{plural} ahead of you"


def busy_note(retry_after_s: int, lang: str) -> str:
    """The message for a question refused because too many are waiting, in the asker's language."""
    if lang == "zh":
        return f"服务器繁忙，请约{retry_after_s}秒后再问。"
    return f"The server is busy; please ask again in about {retry_after_s} s."
