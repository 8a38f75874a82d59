"""CorpusFacts over the indexed documents: with the bundled report alone it answers as before; with the samples
beside it, it lists the documents, says which year "this year" is, names what is indexed for a refusal, and
the figure rows say which document's place and years they belong to."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.corpus import CorpusFacts
from index.documents import load_document
from index.figures import CSV_FIELDS, figure_rows
from index.metadata import DocumentMeta, IndexedDocument
from zzbot.places import places

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"
SAMPLES = ROOT / "tests" / "fixtures" / "reports"
KAIFENG = SAMPLES / "kaifeng-2023-report-sample.md"
ZHENGZHOU_2023 = SAMPLES / "zhengzhou-2023-review-sample.md"


def _chunks(*paths: Path) -> list:
    return [chunk for path in paths for chunk in chunk_document(load_document(path))]


@pytest.fixture(scope="module")
def report_only() -> list:
    return _chunks(REPORT)


@pytest.fixture(scope="module")
def all_three() -> CorpusFacts:
    return CorpusFacts.from_chunks(_chunks(REPORT, KAIFENG, ZHENGZHOU_2023))


def _place(chinese: str):
    return next(p for p in places() if p.chinese == chinese)


def test_the_bundled_report_alone_answers_every_old_question_as_before(report_only):
    old, new = CorpusFacts([c.text for c in report_only]), CorpusFacts.from_chunks(report_only)
    assert new.home_place() == old.home_place() and new.home_place() is not None
    assert new.home_words() == old.home_words()
    assert new.years == old.years and new.dates == old.dates and new.sole_year() == old.sole_year()
    for question in ("2025年的目标是多少？", "去年增长多少？", "开封的学位有多少？"):
        assert new.unknown_years(question, [-1]) == old.unknown_years(question, [-1])
        kaifeng = _place("开封")
        assert new.covers_place(kaifeng, question) == old.covers_place(kaifeng, question)


def test_the_bundled_report_alone_is_zhengzhou_2024(report_only):
    facts = CorpusFacts.from_chunks(report_only)
    assert facts.documents() == (IndexedDocument(REPORT.name, DocumentMeta("郑州", 2024, 2023, "work_report",
                                                                             "政府工作报告摘编")),)
    assert facts.this_year() == 2024
    assert facts.indexed_description() == "已收录：郑州2024"
    assert facts.indexed_description("en") == "Indexed: Zhengzhou 2024"


def test_facts_without_metadata_know_no_documents():
    facts = CorpusFacts(["新增学位3000个。"])
    assert facts.documents() == () and facts.this_year() is None and facts.indexed_description() == ""


def test_several_documents_are_listed_place_by_place_newest_first(all_three):
    assert [d.source for d in all_three.documents()] == [REPORT.name, ZHENGZHOU_2023.name, KAIFENG.name]
    assert all_three.indexed_description() == "已收录：郑州2024、郑州2023回顾、开封2023"
    assert all_three.indexed_description("en") == "Indexed: Zhengzhou 2024, Zhengzhou 2023 (review), Kaifeng 2023"


def test_this_year_is_the_newest_reports_target_year(all_three):
    assert all_three.this_year() == 2024 and all_three.newest_report().source == REPORT.name
    # A review of a later year sets no targets: "this year" stays the newest report's.
    later = CorpusFacts([], [*all_three.documents(), IndexedDocument("r.md", DocumentMeta("郑州", None, 2025))])
    assert later.this_year() == 2024
    newer = CorpusFacts([], [*all_three.documents(), IndexedDocument("k.md", DocumentMeta("开封", 2025, 2024))])
    assert newer.this_year() == 2025 and newer.newest_report().source == "k.md"


def test_documents_about_a_place_or_year_and_what_nobody_indexed(all_three):
    assert [d.source for d in all_three.documents_about(place="开封")] == [KAIFENG.name]
    assert [d.source for d in all_three.documents_about(year=2023)] == [REPORT.name, ZHENGZHOU_2023.name,
                                                                        KAIFENG.name]
    assert [d.source for d in all_three.documents_about("郑州", 2024)] == [REPORT.name]
    assert all_three.documents_about("开封", 2024) == [] and all_three.documents_about("洛阳") == []
    assert all_three.documents_about(year=2025) == []
    assert all_three.indexed_places() == {"郑州", "开封"}
    assert all_three.indexed_years() == {2022, 2023, 2024}


def test_figure_rows_carry_their_documents_place_years_and_kind():
    rows = figure_rows(_chunks(REPORT, KAIFENG, ZHENGZHOU_2023))
    by_source = {row.source: (row.place, row.target_year, row.review_year, row.document_kind) for row in rows}
    assert by_source == {REPORT.name: ("郑州", 2024, 2023, "work_report"),
                         KAIFENG.name: ("开封", 2023, 2022, "work_report"),
                         ZHENGZHOU_2023.name: ("郑州", None, 2023, "other")}
    growth = next(row for row in rows if row.source == ZHENGZHOU_2023.name and row.figure == "7.4%")
    assert growth.to_dict() | {"place": "郑州", "review_year": 2023} == growth.to_dict()
    assert {"place", "target_year", "review_year", "document_kind"} <= set(CSV_FIELDS)


def test_figures_of_a_review_are_results_and_the_bundled_reports_targets_stay_targets():
    review = figure_rows(_chunks(ZHENGZHOU_2023))
    assert {row.kind for row in review if "增长" in row.subject} == {"result"}
    kaifeng = figure_rows(_chunks(KAIFENG))
    assert next(row for row in kaifeng if row.figure == "300万吨以上").kind == "result"  # under 过去五年工作回顾
    bundled = figure_rows(_chunks(REPORT))
    assert next(row for row in bundled if row.figure == "7%左右").kind == "target"


def test_a_place_written_only_by_its_join_to_the_reports_own_is_named_by_it(report_only):
    facts = CorpusFacts.from_chunks(report_only)
    assert facts.places_joined_in("郑开同城要推进25个项目建设") == [_place("开封")]
    assert facts.joined_name(_place("开封"), "郑开同城要推进25个项目建设") == "郑开"
    assert facts.places_joined_in("郑州和开封之间的路") == []  # named outright: the question's places have it
    assert facts.places_joined_in("郑洛两地要推进多少个项目") == []  # the report writes no 郑洛
    assert facts.places_joined_in("新增学位2.7万个") == []
