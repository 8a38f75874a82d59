"""Fact-checking what a claim means beyond its figure, with the real embedder on the real report (no LLM): every
figure, a denial, the way it moves things, another place or year, and the thing it counts."""

from __future__ import annotations

import pytest

from bot.policy.factcheck import FactChecker
from bot.policy.premises import check_premise, corrected_question

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def checker(engine):
    return FactChecker(engine)


@pytest.mark.parametrize(("claim", "report_words"), [
    # The report's figure moved the other way: the explanation names both words.
    ("郑州今年将减少公共停车位10万个以上", ("新增", "减少")),
    ("报告预计郑州今年规模以上工业增加值将下降9%以上", ("增长", "下降")),
    ("全市养老托老床位数将减少到6.6万张", ("达到", "减少")),
    ("Public parking spaces are to be reduced by more than 100,000", ("up", "down")),
    # Without a figure: how much it moves (大幅) names no thing; 进出口总值 is the report's term in a long sentence.
    ("今年郑州的进出口总值会大幅缩减", ("增长", "缩减")),
    ("研发投入强度今年会回落到2.8%", ("达到", "回落")),
])
def test_a_figure_moved_the_other_way_is_contradicted(checker, claim, report_words):
    result = checker.check(claim)
    assert result.verdict == "contradicted", result
    assert result.difference == "direction"
    assert all(word in result.explanation for word in report_words), result.explanation


@pytest.mark.parametrize(("claim", "report_figure"), [
    ("郑州今年没有新增学位", None),  # no figure: denied all the same
    ("今年新增绿地不是300万平方米", "300万平方米"),
    ("郑州今年不会新增2.7万个学位", "2.7万个"),
    ("Zhengzhou will not add any school places", None),
    ("新建公园游园不是30个", "30个"),
])
def test_a_denial_of_what_the_report_states_is_contradicted(checker, claim, report_figure):
    result = checker.check(claim)
    assert result.verdict == "contradicted", result
    assert result.difference == "negated"
    if report_figure:
        assert report_figure in result.report_figures
    # Cited by the sentence stating the thing, never the byline that shares the claim's year and place.
    assert result.citations
    cited = result.citations[0].text
    assert ("新增学位" in cited or "公园游园" in cited) and "擘画蓝图" not in cited


def test_a_denied_goal_is_contradicted_by_the_clause_naming_it(checker):
    # "提出" and "目标" are the claim's framing, not the report's words; of the sentence naming 收入, its own clause.
    result = checker.check("郑州没有提出旅游收入目标")
    assert result.verdict == "contradicted", result
    assert "旅游总收入突破2000亿元" in result.explanation and "接待游客" not in result.explanation, result.explanation


def test_a_denial_of_a_figure_the_report_does_not_give_is_supported(checker):
    result = checker.check("郑州今年的新增学位并非4万个")
    assert result.verdict == "supported", result
    assert "2.7万个" in result.report_figures


@pytest.mark.parametrize("claim", [
    "开封市今年计划新增公共停车位10万个以上",  # another place: the report gives Kaifeng's own targets nowhere
    "2024年洛阳完成营造林3.28万亩",
    "Kaifeng's target is 27,000 new school places",
    # Its sentence names 郑开 only after the clause of the 25 projects (郑港融城).
    "The city will push 25 Zhengzhou-Kaifeng integration projects",
    "郑开同城今年要推进25个项目建设",  # the join written out in Chinese: the same clause rule
    "2025年郑州完成营造林3.28万亩",  # another year
    "新增公共充电桩10万个以上",  # the report's 10万个以上 counts parking spaces, not chargers
    "郑州常住人口今年要突破1300万",  # 人口 is named only as the base of the childcare rate (每千人口)
    "今年新建的公园游园比地铁站多",  # a ranking the report's figures cannot decide
    "新增学位2.7万个，新增公共充电桩10万个以上",  # one figure right, the other of a thing the report never names
])
def test_another_place_year_or_thing_is_not_in_the_report(checker, claim):
    result = checker.check(claim)
    assert result.verdict == "not_in_report", result
    assert result.report_figures == [] and result.citations == []


@pytest.mark.parametrize(("claim", "verdict", "report_figure"), [
    # The second figure is checked too: 新增城镇就业 is 12.65万人.
    ("新增学位2.7万个，新增城镇就业100万人", "contradicted", "12.65万人"),
    ("新增学位2.7万个，新增公共停车位10万个以上", "supported", None),
    ("郑州地区生产总值增长7%左右，固定资产投资增长10%以上", "contradicted", "8%以上"),
    ("新增学位27万个", "contradicted", "2.7万个"),  # the right digits at another scale
    ("郑州今年粮食总产量目标降到20亿斤", "contradicted", "29亿斤"),  # held steady, not cut
    ("工业投资的完成额定为1600亿元", "contradicted", "1300亿元"),  # 工业投资 labels …，完成1300亿元
    # "grain output" searched as 总产量 alone finds the cars' passage: the claim's own words are searched too.
    ("The city plans to lower its grain output to 2.2 billion jin", "contradicted", "29亿斤"),
    ("郑州今年新增公共停车位10万个以上", "supported", "10万个以上"),
    ("郑州全社会研发投入强度目标为2.8%", "supported", "2.8%"),
    # Searched without the city's name and year, as a question is: they pull in the passages repeating the name.
    ("郑州今年要把失业率压到4%以内", "contradicted", "5.5%"),
    # "primary and secondary schools" is one thing: its "and" separates no parts. 15 new ones are not the 15 opened.
    ("Zhengzhou plans 15 new primary and secondary schools and 27,000 more school places", "contradicted", "10所"),
    ("Zhengzhou will open 15 primary and secondary schools and add 27,000 school places", "supported", None),
    ("规上工业增加值的增速目标比GDP的低", "contradicted", "9%以上"),  # 规上: the report's 规模以上
    # An everyday word names the thing as the report's word does (投用: 投入使用), and "有" closes the phrase.
    ("市区今年投用的中小学有20所", "contradicted", "15所"),
    # Two figures of one value: each is read with its own words (供水管网 names the second one).
    ("郑州新建改造燃气管网102公里，供水管网102公里", "contradicted", "85公里"),
    # A bound the other way is no support: "at most" against 超 (over).
    ("新能源汽车产量今年至多70万辆", "contradicted", "超70万辆"),
])
def test_every_figure_of_a_claim_is_checked(checker, claim, verdict, report_figure):
    result = checker.check(claim)
    assert result.verdict == verdict, result
    if report_figure:
        assert any(report_figure in figure for figure in result.report_figures), result


def test_the_base_of_a_rate_is_not_checked_as_a_figure(checker):
    result = checker.check("The city aims for 4.8 childcare places for under-threes per 1,000 residents")
    assert result.verdict == "supported", result


def test_a_premise_moved_the_other_way_is_corrected_not_refused(checker, real_settings):
    answer = real_settings.answer
    premise = check_premise(checker, "为什么郑州今年要减少公共停车位10万个以上？", answer.premise_similarity,
                            answer.turned_premise_similarity)
    assert premise is not None and premise.correction is not None
    assert "新增公共停车位10万个以上" in premise.correction.clause


def test_a_denied_premise_is_corrected_but_a_rhetorical_one_is_confirmed(checker, real_settings):
    answer = real_settings.answer
    denied = check_premise(checker, "Why won't Zhengzhou add 27,000 school places this year?",
                           answer.premise_similarity, answer.turned_premise_similarity)
    assert denied is not None and denied.correction is not None and "2.7万个" in denied.correction.clause
    rhetorical = check_premise(checker, "Isn't the city adding 27,000 school places this year?",
                               answer.premise_similarity, answer.turned_premise_similarity)
    assert rhetorical is not None and rhetorical.correction is None


@pytest.mark.parametrize("question", [
    "为什么郑州今年不新增绿地了？", "Why won't the city add any green space this year?", "听说今年不建公园游园了？",
])
def test_a_denial_taken_for_granted_without_a_figure_is_corrected_by_the_clause_stating_it(checker, real_settings,
                                                                                          question):
    answer = real_settings.answer
    premise = check_premise(checker, question, answer.premise_similarity, answer.turned_premise_similarity)
    assert premise is not None and premise.correction is not None and premise.correction.asked is None
    assert "300万平方米" in premise.correction.clause or "公园游园30个" in premise.correction.clause
    assert corrected_question(question, premise.correction) is None  # the correction answers the why


def test_a_question_without_a_figure_or_a_denial_takes_nothing_for_granted(checker, real_settings):
    answer = real_settings.answer
    assert check_premise(checker, "为什么郑州今年要新增绿地？", answer.premise_similarity) is None


@pytest.mark.parametrize(("claim", "verdict", "report_figure"), [
    # A figure of a kind of the thing (新能源汽车 of 汽车) does not confirm one about the whole thing.
    ("力争带动汽车产量超过70万辆", "contradicted", "突破140万辆"),
    ("Car output of every kind is set to pass 700,000", "contradicted", "突破140万辆"),
    ("新能源汽车的产量力争超过70万辆", "supported", "超70万辆"),
    # A claim in everyday words the report does not use is still checked by its figure's own thing.
    ("郑州今年要让20万大学生留下来", "supported", "20万名"),
    ("郑州今年要让30万大学生留下来", "contradicted", "20万名"),
    # The thing named keeps its own figure, whatever the unit: the heating area's 400万平方米 is not the gas mains'.
    ("燃气管网今年新建改造400万平方米", "contradicted", "102公里"),
    # A glossary phrase hyphened ("forest-village") is the phrase; a count written in words is a figure.
    ("Just 1 forest-village title will be created this year", "contradicted", "50个"),
    ("Ten parks and pocket parks are planned for the city", "contradicted", "30个"),
    ("Thirty parks and pocket parks are planned for the city", "supported", "30个"),
])
def test_a_claim_is_checked_against_the_figure_of_the_thing_it_names(checker, claim, verdict, report_figure):
    result = checker.check(claim)
    assert (result.verdict, result.report_figures[:1]) == (verdict, [report_figure]), result


@pytest.mark.parametrize(("claim", "verdict"), [
    # 85公里 are the water mains' of three kinds of 管网 listed: a claim naming none of 供水 is about another kind.
    ("今年石油管道要新建改造85公里", "not_in_report"),
    ("今年城里的供水管网要新建改造85公里", "supported"),
    # Two kinds of the same value: either kind named holds.
    ("今年“跨省通办”事项要新增100个", "supported"),
    # Kinds in clauses of their own: 10所 are the new schools, the schools put into use are 15所.
    ("今年城区投入使用的中小学校是10所", "contradicted"),
    ("今年市区新建的中小学校为10所", "supported"),
    # The kind the claim names most: 市区 is shared with 市区新建, 投入使用 is the other kind's whole word.
    ("郑州市区今年投入使用的中小学校共10所", "contradicted"),
    # Kinds named apart, in units of their own: a word of the claim's figure's own (免证) tells whose figure it is.
    ("不用证件就能办的事项今年新增30项", "contradicted"),
])
def test_a_figure_of_kinds_listed_holds_only_for_its_own_kind(checker, claim, verdict):
    assert checker.check(claim).verdict == verdict


@pytest.mark.parametrize("claim", [
    "全国居民消费价格涨幅控制在3%左右",
    "河南全省城镇调查失业率控制在5.5%左右",
])
def test_the_countrys_or_provinces_figure_is_not_the_citys(checker, claim):
    # The city's clauses speak of no national or provincial target, though their sentence ends "完成国家和省定目标".
    assert checker.check(claim).verdict == "not_in_report"


@pytest.mark.parametrize(("claim", "verdict", "figures"), [
    # Two things ranked: judged by the figure the report gives each, of one measure.
    ("郑州燃气管网的新建改造长度比供热管网还短", "contradicted", ["102公里", "31.5公里"]),
    ("供热管网不比供水管网长", "supported", ["85公里", "31.5公里"]),
    ("Zhengzhou plans more new talent apartments than affordable rental homes", "supported", ["2万套", "1.5万套"]),
])
def test_a_ranking_of_two_things_is_judged_by_their_figures(checker, claim, verdict, figures):
    result = checker.check(claim)
    assert result.verdict == verdict, result
    assert sorted(result.report_figures) == sorted(figures) or all(
        any(f in shown for shown in result.report_figures) for f in figures), result.report_figures


def test_a_paraphrased_verb_keeps_the_claim_in_the_report(checker):
    assert checker.check("全市蔬菜播种面积要保在80万亩以上").verdict == "supported"


@pytest.mark.parametrize(("claim", "verdict"), [
    # The 4.2万 are the non-special-loan projects' homes; the special-loan ones are the remaining 1.9万.
    ("专项借款项目今年要交付4.2万套以上", "contradicted"),
    ("Projects without special loans are to hand over more than 42,000 homes", "supported"),
    ("Special-loan projects will hand over 42,000 homes", "contradicted"),
])
def test_the_other_projects_are_not_the_named_ones(checker, claim, verdict):
    assert checker.check(claim).verdict == verdict


@pytest.mark.parametrize(("claim", "verdict", "difference"), [
    # Another level of the thing: 省级 where the claim says 国家级, and the reverse.
    ("今年郑州要创建国家级森林城市一个", "contradicted", "different_level"),
    ("郑州市今年创建国家森林城市1个", "contradicted", "different_level"),  # 国家 before the name is its level
    # Half of the remaining units is not all of them (全部交付).
    ("剩余1.9万套专项借款项目今年交付一半", "contradicted", "different_qualifier"),
    # An item listed shares the list's verb: 新增城镇就业12.65万人、农村劳动力转移就业2.68万人 adds both.
    ("农村劳动力转移就业今年要压减2.68万人", "contradicted", "direction"),
    # 新增 of the report's 新增学位 names the thing; the claim moves it down.
    ("郑州今年新增学位会减少", "contradicted", "direction"),
    ("Zhengzhou will add at least 5 provincial-level smart manufacturing projects", "contradicted", "different_level"),
    # Two figures joined by "and": each matched by its own part (the comma of 10,000 cuts no clause).
    ("The city will train 10,000 digital talents and attract 1,000 doctoral-level young talents", "supported", None),
    # Two terms of the claim writing one report term together: 优秀青年人才 + 项目, not the 3800个 projects.
    ("The report sets a target of supporting 60 projects for outstanding young talents.", "supported", None),
    # A figure and a ranking: the ranking that does not hold decides.
    ("农村劳动力转移就业2.68万人，比新增城镇就业还多", "contradicted", None),
])
def test_levels_joined_figures_and_rankings_with_figures(checker, claim, verdict, difference):
    result = checker.check(claim)
    assert result.verdict == verdict, result
    assert difference is None or result.difference == difference


def test_a_cumulative_figure_is_no_figure_of_one_year(checker):
    # 累计引进院士25名以上 counts since the start: 25 in a single year is another claim.
    assert checker.check("郑州一年内就引进院士25名以上").verdict == "contradicted"
    assert checker.check("Bringing in twenty-five academicians in 2024 alone is the plan").verdict == "contradicted"
    assert checker.check("郑州力争累计引进院士25名以上").verdict == "supported"
