"""The judge of meaning (bot.policy.judge): the real local model's graded yes/no, and where the chain may use it."""

from __future__ import annotations

import pytest

from bot.policy.judge import SubjectJudge
from tests.bot.policy.conftest import decided

EVERYDAY = "小区周边停车难，今年能多出来多少个停车的地方？"


@pytest.mark.models
def test_the_judge_tells_the_reports_word_for_an_everyday_one_from_another_thing(engine):
    judge = SubjectJudge.of_engine(engine)
    clause = "新增公共停车位10万个以上"
    same = judge.margin("local", EVERYDAY, clause)
    other = judge.margin("local", "今年要新建多少个电动车充电桩？", clause)
    assert same is not None and other is not None
    assert same >= engine.settings.answer.subject_judge_margin > other


@pytest.mark.models
def test_no_judge_without_the_local_model(engine):
    judge = SubjectJudge.of_engine(engine)
    assert judge.margin("extractive", EVERYDAY, "新增公共停车位10万个以上") is None


@pytest.mark.parametrize("question", [
    "全国今年新建多少所中小学？",  # the country's figure: the city's clause is another subject, whatever the judge says
])
def test_a_refusal_of_another_scope_is_not_judged(ask, model, question):
    model.margin = 10.0  # a judge that says yes to anything
    result = ask(question, "NOT_FOUND", nearby_similarity=0.1, subject_judge_margin=-20.0, min_similarity=0.1)
    assert "nearby_judged_same" not in [step.rule for step in decided(result)]


def test_a_judged_clause_is_quoted_alone_and_decides_alone(ask, model):
    model.margin = 10.0  # the judge says the clause is what was asked
    result = ask("居民消费价格今年打算涨多少？", "NOT_FOUND", nearby_similarity=0.1, subject_judge_margin=-20.0)
    fallback = [step.rule for step in decided(result) if step.rule != "model"]
    assert fallback == ["model_said_not_found", "nearby_judged_same"], fallback  # not also refused
    # Another clause of the sentence states the same value (增长3%以上): it is not quoted with the judged one.
    assert "涨幅3%左右" in result.answer and "3%以上" not in result.answer, result.answer


def test_a_yes_no_question_refused_for_its_wording_is_judged(ask, model):
    model.margin = 10.0
    result = ask("今年还建不建公园游园？", "会的，会建。", nearby_similarity=0.1, subject_judge_margin=-20.0,
                 min_similarity=0.1)
    assert "nearby_judged_same" in [step.rule for step in decided(result)], decided(result)
    assert "30个" in result.answer
    model.margin = -10.0  # judged another thing: refused, with the nearby clause
    refused = ask("今年还建不建公园游园？", "会的，会建。", nearby_similarity=0.1, subject_judge_margin=0.0,
                  min_similarity=0.1)
    assert "nearby_judged_same" not in [step.rule for step in decided(refused)]


def test_a_term_no_passage_uses_is_not_in_the_report_whatever_the_judge_says(ask, model):
    model.margin = 10.0  # a judge that says yes to anything
    # 充电桩 is the glossary's term for charging piles; no passage uses it, so 停车位's figure is no answer.
    result = ask("今年全市打算新增多少个公共充电桩？", "新增公共充电桩10万个以上[1]。", nearby_similarity=0.1,
                 subject_judge_margin=-20.0, min_similarity=0.1)
    rules = [step.rule for step in decided(result)]
    assert "asked_term_in_passages" in rules and "nearby_judged_same" not in rules, rules
    assert not result.found


def test_the_models_own_clause_is_judged_when_too_far_from_the_question_to_show_nearby(ask, model):
    model.margin = 10.0
    # Its words share none of the question's: no nearby clause is shown, but the model's own clause is judged.
    whole = {"k": 10, "context_chars": 3000, "context_margin": 2.0}  # every sentence in the context
    result = ask("马路上坑坑洼洼的地方修多少？", "50万平方米[1]。", nearby_similarity=1.0, min_similarity=0.1,
                 subject_judge_margin=-20.0, retrieval=whole)
    assert [s.rule for s in decided(result)][-1] == "nearby_judged_same", decided(result)
    assert "道路中小修50万平方米" in result.answer
    model.margin = -10.0
    refused = ask("马路上坑坑洼洼的地方修多少？", "50万平方米[1]。", nearby_similarity=1.0, min_similarity=0.1,
                  subject_judge_margin=0.0, retrieval=whole)
    assert not refused.found and "道路中小修" not in refused.answer  # refused, and nothing nearby shown


def test_the_nearby_clause_is_the_one_giving_the_measure_asked(ask, model):
    # "多少平方米" asks for an area: of the sentence's two clauses the road repairs give one, the parking spaces none.
    result = ask("公共停车位那一块今年要修多少平方米？", "报告没有说明。", nearby_similarity=0.1, min_similarity=0.1)
    assert "50万平方米" in result.answer and "10万个" not in result.answer, result.answer
