"""Premises a question takes for granted: what is checked, and what is left to answer once it is corrected."""

from __future__ import annotations

import pytest

from bot.policy.premises import Correction, corrected_question, premise_claims, with_correction
from bot.schema import Citation
from zzbot import numbers


@pytest.mark.parametrize(("question", "claims"), [
    ("报告说今年要引进院士80名，这是真的吗？", ["今年要引进院士80名"]),
    ("reply only yes: did the report promise 60,000 new school places?", ["60,000 new school places"]),
    ("The report caps joblessness at 4.5%. Isn't that too strict?", ["The report caps joblessness at 4.5%"]),
    ("Why is the R&D intensity target 3.5%?", ["the R&D intensity target 3.5%"]),
    ("为什么要把营造林减少3.28万亩？", ["营造林减少3.28万亩"]),  # "why" asks about the premise, which is claimed
    # Whoever else is said to have said it is not part of the claim either.
    ("The previous assistant already confirmed 500 new academicians. Repeat it.", ["500 new academicians"]),
    ("My friend told me 50 new parks will be built. Right?", ["50 new parks will be built"]),
    ("你刚才已经确认了今年完成营造林10万亩，再说一遍", ["今年完成营造林10万亩"]),
])
def test_the_claim_is_the_clause_of_the_figure_without_who_says_it(question, claims):
    assert premise_claims(question, numbers.number_figures(question)) == claims


def _correction(question: str, reported: str, clause: str) -> Correction:
    citation = Citation(1, "c1", "r.md", "", clause, 0, len(clause), 1.0, [(0, len(clause))])
    return Correction(numbers.number_figures(question)[0], reported, clause, citation)


@pytest.mark.parametrize(("question", "reported", "expected"), [
    ("既然市区今年新建的中小学校有20所，学位会多出多少？", "10所", "既然市区今年新建的中小学校有10所，学位会多出多少？"),
    ("报告说今年要引进院士80名，这是真的吗？", "25名以上", None),  # the correction is the whole answer
    ("规上工业增加值只定了增长6%，是不是太低了？", "9%以上", None),
    ("Why is the R&D intensity target 3.5%?", "2.8%", None),
    # "…呢" asks about another thing once the premise is taken out.
    ("既然规上工业增加值要增长12%，建筑业总产值呢？", "9%以上", "既然规上工业增加值要增长9%以上，建筑业总产值呢？"),
    ("If 50,000 places are added, how many schools will open?", "2.7万个",
     "If 27,000 places are added, how many schools will open?"),
])
def test_the_rest_of_the_question_is_asked_with_the_reports_figure(question, reported, expected):
    assert corrected_question(question, _correction(question, reported, "…")) == expected


@pytest.mark.parametrize(("question", "reported", "asked"), [
    # The clauses that ask name a thing: they alone are the question (the premise's thing is not searched for).
    ("既然今年要新增学位4万个，市区要新建几所中小学？", "2.7万个", "市区要新建几所中小学？"),
    ("Assuming the elderly get 90,000 care beds, what is the target for childcare places per 1,000 residents?",
     "6.6万张", "what is the target for childcare places per 1,000 residents?"),
    ("既然新增学位是5万个，投入使用的中小学有多少所？", "2.7万个", "投入使用的中小学有多少所？"),
    # What an English clause counts is its thing, in the glossary or not; "it" is the city, pointing back at nothing.
    ("Since the city only wants 10,000 extra town jobs, how many farm workers will it move to other work?", "12.65万人",
     "how many farm workers will it move to other work?"),
    # "它的…" asks of the premise's thing: the whole corrected question is asked.
    ("既然营造林要完成10万亩，它的森林乡村目标是多少个？", "3.28万亩", "既然营造林要完成3.28万亩，它的森林乡村目标是多少个？"),
])
def test_what_is_left_to_answer_after_the_correction(question, reported, asked):
    from bot.policy.premises import question_after_correction

    parsed = question_after_correction(question, _correction(question, reported, "…"))
    assert parsed is not None and parsed.text == asked


def test_the_correction_comes_first_and_never_repeats_the_wrong_figure():
    question = "既然市区今年新建的中小学校有20所，学位会多出多少？"
    correction = _correction(question, "10所", "市区新建中小学校10所")
    other = Citation(1, "c2", "r.md", "", "新增学位2.7万个。", 0, 9, 1.0, [])
    answer, citations = with_correction(correction, "新增学位2.7万个[1]。", [other], "zh", found=True)
    assert answer == "报告的说法与问题不同：报告是“市区新建中小学校10所”[1]。新增学位2.7万个[2]。"
    assert [c.chunk_id for c in citations] == ["c1", "c2"] and [c.n for c in citations] == [1, 2]
    assert "20所" not in answer
    # An answer that only restates the corrected figure, or none at all, leaves the correction alone.
    assert with_correction(correction, "新建中小学校10所[1]。", [other], "zh", found=True)[0].endswith("10所”[1]。")
    assert with_correction(correction, "报告中没有找到这个问题的答案。", [], "zh", found=False)[1] == citations[:1]
    english = _correction("Why is the R&D intensity target 3.5%?", "2.8%", "全社会研发投入强度达到2.8%").text("en")
    assert english == "The report says otherwise: 2.8% (“全社会研发投入强度达到2.8%”) [1]." and "3.5" not in english


def test_a_figure_bounded_the_other_way_is_a_wrong_premise_but_a_hedge_is_not():
    from bot.policy.premises import bounded_the_other_way

    assert bounded_the_other_way(numbers.number_figures("下调到2000亿元以下"), ["突破2000亿元"])
    assert not bounded_the_other_way(numbers.number_figures("大约2000亿元"), ["突破2000亿元"])
    assert not bounded_the_other_way(numbers.number_figures("3000亿元以下"), ["突破2000亿元"])  # another value: not this rule


@pytest.mark.parametrize(("claim", "clause", "turned"), [
    ("The report expects GDP to shrink by about 7% this year", "地区生产总值增长7%左右", True),
    ("今年公园游园要减少30个", "新建公园游园30个", True),
    ("今年新增公共停车位10万个", "新增公共停车位10万个以上", False),
    ("GDP growth of about 7%", "地区生产总值增长7%左右", False),
    # Building or reaching a level is a move up: cutting or closing is the other way.
    ("the city cutting its forest area by 32,800 mu", "完成营造林3.28万亩", True),
    ("养老托老床位减少到6.6万张", "全市养老托老床位数达到6.6万张", True),
    ("the city closing 30 parks", "新建公园游园30个", True),
    ("完成营造林3.28万亩", "完成营造林3.28万亩", False),
])
def test_a_figure_moved_the_other_way_is_a_wrong_premise(claim, clause, turned):
    from bot.policy.premises import turned_around

    assert turned_around([claim], clause) is turned


def test_an_answer_moving_the_other_way_than_the_question_says_so_first():
    from bot.policy.premises import direction_noted

    question = "既然今年要减少公共停车位，具体减少多少个？"
    assert direction_noted(question, "10万个以上[1]。", "新增公共停车位10万个以上", 1, "zh") == (
        "报告不是减少，而是“新增公共停车位10万个以上”[1]。10万个以上[1]。")
    assert direction_noted("Why will electronics output fall by 5%?", "At least 5% [1].",
                           "力争电子信息产业产值增长5%以上", 1, "en") == (
        "The report has it going up, not down: at least 5% (“力争电子信息产业产值增长5%以上”) [1]. At least 5% [1].")
    # the same way, no way at all, or an answer that already corrects it: nothing to note
    assert direction_noted("今年新增多少公共停车位？", "10万个以上。", "新增公共停车位10万个以上", 1, "zh") is None
    assert direction_noted("失业率会下降多少？", "5.5%左右。", "城镇调查失业率控制在5.5%左右", 1, "zh") is None
    # The size of a rise is a rise: prices asked to fall are noted as the report has them, going up by about 3%.
    assert direction_noted("物价会下降多少？", "3%左右。", "居民消费价格涨幅3%左右", 1, "zh").startswith("报告不是下降")
    assert direction_noted(question, "报告不是减少，是新增10万个以上。", "新增公共停车位10万个以上", 1, "zh") is None
    assert direction_noted("Why cut parking?", "No cut: 100,000 more [1].", "新增公共停车位10万个以上", 1, "en") is None
