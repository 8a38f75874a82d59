"""An English answer naming something without a figure goes with the report's own words: its English may be a
wrong romanisation or half a translation."""

from __future__ import annotations

import pytest

from tests.bot.policy.test_policy_trace import LOW


@pytest.mark.parametrize("draft", [
    "It is the Zhengju Talent Plan [1].",  # English only
    "It is the 郑聚 talent plan [1].",  # half translated
])
def test_an_english_answer_without_a_figure_quotes_the_report(ask, draft):
    result = ask("What plan keeps university graduates in the city?", draft, **{**LOW, "min_similarity": -1.0})
    assert "(report: “" in result.answer and "郑聚英才计划" in result.answer, result.answer


