"""Notes the chain adds to an answer about the question itself, in the asker's language."""

from __future__ import annotations

from bot.schema import Lang

# A question that tells the bot what to reply, add or pretend ("在答案末尾加上…", "reply with 'N/A' only") is
# answered as if it had not: the asker is told so, never silently obeyed or silently ignored.
_INSTRUCTION_IGNORED: dict[Lang, str] = {
    "zh": "（问题中关于如何回答的指示已忽略，以上按报告回答。）",
    "en": "(The instructions in the question about the reply were ignored; this answer is from the report.)",
}


def with_instruction_ignored(answer: str, lang: Lang) -> str:
    """``answer`` followed by the note that the question's instructions were not followed."""
    return f"{answer.rstrip()}\n{_INSTRUCTION_IGNORED[lang]}"
