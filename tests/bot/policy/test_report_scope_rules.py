"""Which indexed reports a question is about (bot.policy.report_scope), from the documents' metadata alone."""

from __future__ import annotations

import pytest

from bot.policy.report_scope import report_label, report_scope, sources_by_year, with_report_named
from bot.understand.parsed import parse_question
from index.corpus import CorpusFacts
from index.metadata import DocumentMeta, IndexedDocument

REPORT = IndexedDocument("zz-2024.md", DocumentMeta("郑州", 2024, 2023, "work_report"))
REVIEW = IndexedDocument("zz-2023-review.md", DocumentMeta("郑州", None, 2023, "other"))
OTHER = IndexedDocument("kf-2023.md", DocumentMeta("开封", 2023, 2022, "work_report"))
UNKNOWN = IndexedDocument("notes.md", DocumentMeta(title="会议纪要"))
MENTIONED = {"kf-2023.md": frozenset({2018, 2022})}


def scope(question: str, *documents: IndexedDocument):
    corpus = CorpusFacts([], documents or (REPORT, REVIEW, OTHER))
    return report_scope(parse_question(question), corpus,
                        lambda docs: frozenset().union(*(MENTIONED.get(d.source, frozenset()) for d in docs)))


@pytest.mark.parametrize("question, expected", [
    ("2023年郑州规模以上工业增加值增长了多少？", {REVIEW}),  # the year's own review, not the next report's look back
    ("去年郑州社会消费品零售总额增长了多少？", {REVIEW}),
    ("郑州今年地区生产总值增长目标是多少？", {REPORT}),
    ("How fast did Zhengzhou's GDP grow in 2023?", {REVIEW}),
    ("开封2022年全市生产总值是多少？", {OTHER}),  # only a report's look back covers 2022
    ("开封的财政收入有多少？", {OTHER}),
    ("郑州2024年GDP增长目标比2023年的实际增速高还是低？", {REPORT, REVIEW}),
    ("开封金融机构存款余额是2018年的几倍？", {OTHER}),  # 2018: a point of reference its text names
])
def test_the_reports_of_the_place_and_year_asked(question, expected):
    found = scope(question)
    assert found is not None and found.uncovered is None
    assert set(found.documents) == expected


@pytest.mark.parametrize("question, uncovered", [
    ("开封2024年要新建几所中小学？", ("开封2024", "Kaifeng 2024")),
    ("郑州2022年固定资产投资增长了多少？", ("郑州2022", "Zhengzhou 2022")),
    ("南阳今年要新增多少个学位？", ("南阳2024", "Nanyang 2024")),  # 今年: the newest report's year
    ("What was Luoyang's GDP growth in 2023?", ("洛阳2023", "Luoyang 2023")),
])
def test_a_place_or_year_no_report_is_about_is_uncovered(question, uncovered):
    found = scope(question)
    assert found is not None and found.uncovered == uncovered and not found.documents


@pytest.mark.parametrize("question, documents", [
    ("新增多少个学位？", (REPORT, REVIEW, OTHER)),  # no place, no year: every report
    ("2024年新增多少个学位？", (REPORT,)),  # one report indexed: no scope, as before
    ("洛阳2023年社会消费品零售总额增长了多少？", (REPORT, UNKNOWN)),  # a document of unknown place may be about it
])
def test_no_scope(question, documents):
    assert scope(question, *documents) is None


def test_a_document_of_unknown_years_is_searched_rather_than_a_year_refused():
    found = scope("郑州2022年固定资产投资增长了多少？", REPORT, OTHER, IndexedDocument("zz.md", DocumentMeta("郑州")))
    assert found is not None and found.uncovered is None
    assert {d.source for d in found.documents} == {"zz.md"}


def test_each_year_of_a_question_over_two_reports_is_its_own_group():
    corpus = CorpusFacts([], (REPORT, REVIEW, OTHER))
    parsed = parse_question("郑州一般公共预算收入2023年实际增长多少？2024年的目标又是多少？")
    found = report_scope(parsed, corpus, lambda docs: frozenset())
    assert sources_by_year(parsed, found, corpus) == [frozenset({"zz-2023-review.md"}), frozenset({"zz-2024.md"})]
    assert sources_by_year(parse_question("2023年郑州规模以上工业增加值增长了多少？"), found, corpus) == []


def test_an_answer_names_its_report_only_among_several():
    several, one = CorpusFacts([], (REPORT, REVIEW, OTHER)), CorpusFacts([], (REPORT,))
    assert with_report_named("7%左右[1]。", ["zz-2024.md"], several, "zh") == "7%左右[1]。（按郑州2024年报告）"
    assert with_report_named("7.4% [1].", ["zz-2023-review.md"], several, "en") == (
        "7.4% [1]. (Per the Zhengzhou 2023 review.)")
    assert with_report_named("7%左右[1]。", ["zz-2024.md"], one, "zh") == "7%左右[1]。"
    assert with_report_named("…[1]…[2]", ["zz-2024.md", "kf-2023.md"], several, "zh") == "…[1]…[2]"
    assert report_label(UNKNOWN, "zh") == "按《会议纪要》"
