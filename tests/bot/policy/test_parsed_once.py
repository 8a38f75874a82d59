"""The chain reads a question once: the focus stage parses the standalone question and every later stage reads
that parse (bot.understand.parsed), whichever route answers it."""

from __future__ import annotations

import pytest

import bot.policy.chain as chain_module
from bot.understand.parsed import parse_question
from tests.bot.policy.test_policy_trace import LOW


@pytest.mark.parametrize("question, draft, backend", [
    ("新增多少个学位？", "新增学位2.7万个[1]。", "local"),  # the model's answer, reviewed
    ("新增多少个学位？", "", "extractive"),  # the report's sentence
    ("供水管网和燃气管网一共建成多少公里？", "", "extractive"),  # a calculation
    ("How many new school places?", "27,000 [1].", "local"),
])
def test_the_question_is_parsed_once(ask, monkeypatch, question, draft, backend):
    texts: list[str] = []

    def counted(text, history=None):
        texts.append(text)
        return parse_question(text, history)

    monkeypatch.setattr(chain_module, "parse_question", counted)
    result = ask(question, draft, backend=backend, **LOW)
    assert texts == [result.standalone_question]


def test_a_follow_up_is_parsed_as_the_standalone_question(ask, monkeypatch):
    texts: list[str] = []
    monkeypatch.setattr(chain_module, "parse_question", lambda text, history=None: texts.append(text) or
                        parse_question(text, history))
    history = [{"role": "user", "content": "新增多少个学位？"}, {"role": "assistant", "content": "2.7万个[1]。"}]
    result = ask("那公园呢？", "新建公园游园30个[1]。", history=history, **LOW)
    assert texts == [result.standalone_question]
