"""The answer without a model, and what a refusal quotes nearby."""

from __future__ import annotations

from zzbot import numbers


def test_a_nearby_figure_of_the_kind_asked_is_offered_as_what_was_meant():
    from bot.answer.extractive import Extract, _in_asked_measure, nearby_text
    from bot.schema import Citation

    figures = numbers.number_figures("新增学位2.7万个")
    citation = Citation(1, "c", "report.md", "民生", "新增学位2.7万个", 0, 9, 1.0)
    asked = Extract("", citation, figures, "新增学位2.7万个", "新增学位2.7万个",
                    in_asked_measure=_in_asked_measure("能多出来多少个上学的位置？", figures))
    assert nearby_text(asked, "zh") == "是不是指：“新增学位2.7万个”[1]？"
    assert nearby_text(asked, "en").startswith(" Did you mean: “新增学位2.7万个” (27,000) [1]")
    # A question that asks for money is not offered a count; one that asks no quantity gets the plain aside.
    assert not _in_asked_measure("上学要花多少钱？", figures)
    aside = Extract("", citation, figures, "新增学位2.7万个", "新增学位2.7万个",
                    in_asked_measure=_in_asked_measure("学校建设怎么样？", figures))
    assert nearby_text(aside, "zh") == "报告中相关的内容是：“新增学位2.7万个”[1]。"


def test_the_clause_naming_the_head_of_what_is_asked_weighs_most():
    from bot.answer.extractive import _term_weight, _terms_in_order

    terms = _terms_in_order("What scale is the electronic information cluster expected to reach?")
    assert terms == ["电子信息", "集群规模"]
    # Of one sentence's clauses, the one with the cluster's scale answers, not the industry's growth rate.
    assert _term_weight(terms, "集群规模达到7000亿元") > _term_weight(terms, "力争电子信息产业产值增长5%以上") > 0
    assert _terms_in_order("电子信息集群规模要达到多少？")[-1] == "集群规模"
    assert _term_weight(terms, "新增学位2.7万个") == 0.0
