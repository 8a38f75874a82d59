"""Fact-checking claims with the real embedder on the real report (no LLM involved)."""

from __future__ import annotations

import pytest

from bot.policy.factcheck import FactChecker
from bot.schema import BotInputError

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def checker(engine):
    return FactChecker(engine)


@pytest.mark.parametrize(
    ("claim", "verdict", "report_figure"),
    [
        ("郑州今年新增学位2.7万个", "supported", "2.7万个"),
        ("今年完成营造林达到5万亩", "contradicted", "3.28万亩"),
        ("Zhengzhou targets about 7% GDP growth in 2024", "supported", "7%左右"),
        ("郑州地区生产总值增长7%以上", "contradicted", "7%左右"),  # the qualifier differs
        ("工业投资今年的目标额是1600亿元", "contradicted", "1300亿元"),  # money against money, not a count
        ("R&D spending intensity in Zhengzhou will hit 3.8%", "contradicted", "2.8%"),
        ("The urban area is to gain 27,000 school places", "supported", "2.7万个"),
        ("Zhengzhou plans 2.7 million new school places", "contradicted", "2.7万个"),  # right digits, wrong scale
        # The figure named GDP's, not construction's 10%以上 in the same sentence.
        ("does the report target 10% GDP growth", "contradicted", "7%左右"),
        ("85 km of gas pipes will be built", "contradicted", "102公里"),  # gas, not the water mains' 85公里
        ("500 new academicians", "contradicted", "25名以上"),  # named 院士 although the similarity is low
        ("the 3,800 planned projects", "supported", "3800个"),  # counted projects, not the 5200亿元 invested
        # Each figure by the words before it: the whole's 5200亿元, not the industrial investment's 1300亿元.
        ("工业投资1300亿元占全部重点项目投资6000亿元", "contradicted", "5200亿元"),
        ("城镇养老服务设施覆盖率提升至60%", "contradicted", "60%"),  # the report's 60% is the villages'
        ("The city will remove 100,000 public parking spaces", "contradicted", "10万个"),
        ("新能源汽车产量要高于汽车总产量", "contradicted", "140万辆"),  # a ranking by verb, decided by both figures
        # Siblings told apart by their sentences' terms: the cars' cluster is 4000亿元, the 7000亿元 the electronics'.
        ("新能源汽车和汽车产业的集群规模要到7000亿元", "contradicted", "4000亿元"),
        ("今年物价要下跌3%左右", "contradicted", "3%左右"),  # the size of a rise (涨幅) is a rise
    ],
)
def test_claims_get_the_verdict_and_the_report_figure(checker, claim, verdict, report_figure):
    result = checker.check(claim)
    assert result.verdict == verdict, result
    assert any(report_figure in figure for figure in result.report_figures)
    assert result.citations and report_figure in result.citations[0].text
    assert result.explanation


def test_a_claims_clause_without_a_figure_is_checked_too(checker):
    result = checker.check("非专项借款项目交付4.2万套以上，剩余专项借款项目只交付一部分")
    assert result.verdict == "contradicted", result
    assert "全部交付" in result.citations[0].text


@pytest.mark.parametrize("claim", ["郑州今年要打造国际会展名城",  # 城 is in 城市 sentences; the thing is nowhere
                                   "郑州有12家三甲医院", "今年郑州地铁要新开3条线", "In 2025 Zhengzhou aims for 6% GDP growth"])
def test_claims_the_report_does_not_speak_to(checker, claim):
    result = checker.check(claim)
    assert result.verdict == "not_in_report", result
    assert result.report_figures == []


def test_an_empty_claim_is_refused(checker):
    with pytest.raises(BotInputError):
        checker.check("   ")
