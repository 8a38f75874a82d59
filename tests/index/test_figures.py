"""The figure table of the bundled report: what each figure counts, its value, qualifier and kind."""

from __future__ import annotations

import pytest

from index.chunking import chunk_document
from index.documents import load_document
from index.figures import figure_rows
from tests.conftest import REPORT


@pytest.fixture(scope="module")
def rows():
    document = load_document(REPORT)
    return figure_rows(chunk_document(document)), document.text


def _row(rows, figure: str):
    return next(r for r in rows[0] if r.figure == figure)


@pytest.mark.parametrize(("figure", "subject", "value", "unit", "english"), [
    ("2.7万个", "新增学位", 27000, "个", "27,000"),
    ("85公里", "新建改造供水管网", 85, "公里", "85 km"),
    ("102公里", "燃气管网", 102, "公里", "102 km"),
    ("超70万辆", "新能源汽车产量", 700000, "辆", "over 700,000 vehicles"),
    ("7%左右", "地区生产总值增长", 7, None, "about 7%"),
    ("达到2.8%", "全社会研发投入强度", 2.8, None, "2.8%"),
    ("达到1.7亿人次", "接待游客", 170_000_000, "人次", "170 million person-times"),
    ("1300亿元", "工业投资完成", 130_000_000_000, "元", "130 billion yuan"),
])
def test_each_figure_knows_what_it_counts_and_its_english_value(rows, figure, subject, value, unit, english):
    row = _row(rows, figure)
    assert (row.subject, row.value, row.unit, row.english) == (subject, value, unit, english)


def test_offsets_point_at_the_figure_and_its_sentence(rows):
    table, text = rows
    for row in table:
        assert text[row.start:row.end] == row.figure
        assert text[row.sentence_start:row.sentence_end] == row.sentence
        assert row.sentence_start <= row.start < row.end <= row.sentence_end


def test_qualifiers_and_kinds(rows):
    assert _row(rows, "超70万辆").qualifier == "力争 超"
    assert _row(rows, "446万亩以上").qualifier == "确保 以上"
    assert _row(rows, "2.7万个").qualifier == ""
    assert _row(rows, "2.7万个").kind == "target"
    assert _row(rows, "3800个").kind == "count"  # 3800个项目: the figure counts the words after it
    assert "项目建设" in _row(rows, "3800个").subject


def test_names_and_ages_are_not_figures_of_their_own(rows):
    figures = {r.figure for r in rows[0]}
    assert "三个" not in figures  # “三个一批” is a name
    assert not any(r.unit == "岁" for r in rows[0])  # 3岁以下 qualifies the children counted
    assert _row(rows, "达到4.8个").subject == "每千人口拥有3岁以下婴幼儿托位数"


def test_every_section_figure_is_in_the_table(rows):
    table, _ = rows
    assert len(table) >= 70
    assert {r.section.split(" > ")[-1][:1] for r in table} >= set("12356789")


def test_rows_are_found_by_their_words_and_units_not_their_neighbours(rows):
    from index.figures import matching

    area = matching(rows[0], "万平方米")
    assert {r.figure for r in area} == {"400万平方米", "50万平方米", "300万平方米"}
    assert {r.subject for r in matching(rows[0], "住房")} == {"筹集保障性租赁住房", "建设配售型保障性住房"}
    assert matching(rows[0], "KM") == matching(rows[0], "km") and len(matching(rows[0], "km")) == 3
    assert len(matching(rows[0], "")) == len(rows[0])


def test_the_csv_export_has_a_header_and_one_line_per_row(rows):
    import csv
    import io

    from index.figures import CSV_FIELDS, matching, write_csv

    out = io.StringIO()
    write_csv(matching(rows[0], "公里"), out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(parsed[0]) == CSV_FIELDS
    assert [r["figure"] for r in parsed] == ["85公里", "102公里", "31.5公里"]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted():
    import csv
    import io
    from dataclasses import replace

    from index.figures import write_csv

    document = load_document(REPORT)
    row = figure_rows(chunk_document(document))[0]
    out = io.StringIO()
    write_csv([replace(row, subject='=HYPERLINK("http://x")', sentence="@SUM(A1)")], out)
    written = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert written["subject"] == "'=HYPERLINK(\"http://x\")" and written["sentence"] == "'@SUM(A1)"
    assert written["figure"] == row.figure


# The English word each of the report's qualifier words reads as (issue 23: "about 7%", never a bare "7%").
ENGLISH_QUALIFIER = {"左右": "about", "以上": "at least", "超过": "over", "超": "over", "突破": "over",
                     "以内": "at most", "以下": "at most"}


def _english_words(qualifier: str) -> set[str]:
    return {ENGLISH_QUALIFIER[word] for word in qualifier.split() if word in ENGLISH_QUALIFIER}


def test_every_qualified_row_states_its_qualifier_in_english(rows):
    table, _ = rows
    qualified = [row for row in table if _english_words(row.qualifier)]
    assert len(qualified) >= 20  # the report's targets are mostly 以上 and 左右: the check has rows to bite on
    for row in qualified:
        (word,) = _english_words(row.qualifier)
        assert row.english.startswith(f"{word} "), (row.figure, row.qualifier, row.english)


def test_a_row_without_a_qualifier_word_has_none_in_english(rows):
    """力争 and 确保 say who aims, not how far the figure goes; 达到 only states it."""
    for row in rows[0]:
        if not _english_words(row.qualifier):
            assert not row.english.startswith(("about ", "over ", "at least ", "at most ")), row


def test_every_qualified_row_reaches_the_model_with_its_english_qualifier(rows):
    """The passages an English question is answered from show each qualified figure's English value beside it,
    as the table gives it: 7%左右(=about 7%)."""
    from zzbot.in_english import annotate_for_english

    for row in rows[0]:
        if _english_words(row.qualifier):
            assert f"{row.figure}(={row.english})" in annotate_for_english(row.sentence), row.figure


def test_a_negated_qualifier_is_not_read_as_the_word_it_negates():
    from index.chunking import Chunk

    text = "全年新增债务不超过50亿元，能耗增长3%以内。"
    chunk = Chunk(chunk_id="c", source="test.md", section="一", text=text, start=0, end=len(text), kind="passage")
    table = {row.figure: row for row in figure_rows([chunk])}
    assert (table["不超过50亿元"].qualifier, table["不超过50亿元"].english) == ("不超过", "at most 5 billion yuan")
    assert (table["3%以内"].qualifier, table["3%以内"].english) == ("以内", "at most 3%")
