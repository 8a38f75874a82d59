"""The prompt files as chat prompts, and what is evaluated once at warm-up."""

import pytest

from bot.llm.prompting import PROMPTS_DIR, chat_prompt, primer, render

CHAT_PROMPTS = sorted(p.name for p in PROMPTS_DIR.glob("*.md") if "\n---\n" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CHAT_PROMPTS)
def test_the_primer_is_what_every_call_starts_with_up_to_its_first_variable(name):
    variables = chat_prompt(name).input_variables
    real = render(name, **{v: f"[1] 真实内容{i}" for i, v in enumerate(variables)})
    primed = primer(name)
    assert primed[:-1] == real[:-1]  # system text and examples
    opening = primed[-1]["content"].split(" ", 1)[0] if primed[-1]["content"].strip() else ""
    assert real[-1]["content"].startswith(opening) and real[-1]["role"] == primed[-1]["role"] == "user"
    assert "{" not in primed[-1]["content"]  # no variable left unfilled


def test_the_answer_primer_holds_the_turn_opening():
    assert primer("answer.zh.md")[-1]["content"].startswith("段落：\n")
    assert primer("answer.en.md")[-1]["content"].startswith("Passages:\n")
