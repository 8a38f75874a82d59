"""English answers keep the report's qualifier: 地区生产总值增长7%左右 is "about 7%", never a bare "7%" (issue 23)."""

from __future__ import annotations

import pytest

from bot.answer.english import english_figures, repair_scale, restore_qualifiers, spaced_names
from index.chunking import chunk_document
from index.documents import load_document
from index.figures import figure_rows
from tests.conftest import REPORT
from zzbot import numbers
from zzbot import figure_check
from zzbot import in_english

GDP_SENTENCE = "地区生产总值增长7%左右，固定资产投资增长8%以上，规模以上工业增加值增长9%以上，建筑业总产值增长10%以上。"


@pytest.fixture(scope="module")
def table():
    return figure_rows(chunk_document(load_document(REPORT)))


def test_a_bare_figure_the_report_gives_with_about_gets_about_back():
    answer = "The city's economy is meant to grow 7% this year [1]."
    assert repair_scale(answer, [GDP_SENTENCE]) == "The city's economy is meant to grow about 7% this year [1]."


def test_each_bare_figure_gets_its_own_qualifier():
    answer = "GDP is to grow 7% and fixed-asset investment 8% [1]."
    assert restore_qualifiers(answer, [GDP_SENTENCE]) == (
        "GDP is to grow about 7% and fixed-asset investment at least 8% [1].")


def test_after_reach_the_qualifier_goes_before_the_digits():
    assert restore_qualifiers("GDP growth will reach 7% [1].", [GDP_SENTENCE]) == (
        "GDP growth will reach about 7% [1].")


def test_a_figure_already_qualified_by_the_model_is_left_as_written():
    for answer in ("GDP growth of around 7% [1].", "GDP growth of 7% or so [1].", "investment up more than 8% [1]."):
        assert restore_qualifiers(answer, [GDP_SENTENCE]) == answer
    assert restore_qualifiers("about 7%", [GDP_SENTENCE]) == "about 7%"  # applied twice, added once


def test_no_qualifier_is_guessed_when_the_passages_disagree_or_give_none():
    # 8% once with 以上 and once bare: which one the answer states is unknown.
    assert restore_qualifiers("growth of 8% [1]", ["投资增长8%以上。", "去年增长8%。"]) == "growth of 8% [1]"
    assert restore_qualifiers("27,000 new school places [1]", ["新增学位2.7万个。"]) == (
        "27,000 new school places [1]")
    # A figure the passages do not give is not touched either (the acceptance checks reject it).
    assert restore_qualifiers("GDP growth of 6% [1]", [GDP_SENTENCE]) == "GDP growth of 6% [1]"


def test_a_quoted_figure_stays_as_the_report_wrote_it():
    answer = "The report's words are “增长7%” [1]."
    assert restore_qualifiers(answer, [GDP_SENTENCE]) == answer


def test_a_chinese_figure_left_in_the_answer_is_rendered_with_its_qualifier():
    assert english_figures("GDP growth of 7%左右 [1].") == "GDP growth of about 7% [1]."
    # The report's qualifier replaces the model's: 超 is "over", whatever the model put before it.
    assert english_figures("about 超70万辆 new energy vehicles [1].") == "over 700,000 vehicles new energy vehicles [1]."


def test_a_rescaled_figure_gets_the_qualifier_of_the_figure_it_is_rescaled_from():
    assert repair_scale("7,000 new energy vehicles [1].", ["新能源汽车产量超70万辆。"]) == (
        "over 700,000 new energy vehicles [1].")


def test_every_qualified_figure_of_the_report_stated_bare_gets_its_qualifier_back(table):
    """Over the whole figure table: an answer stating a qualified figure's value bare, from its own sentence,
    comes out stating the table's English value (unless the sentence gives the same value otherwise qualified)."""
    checked = 0
    for row in table:
        (figure,) = numbers.number_figures(row.figure)
        bare = in_english.english_amount(figure)
        if row.english == bare:
            continue
        (stated,) = numbers.number_figures(bare)
        alike = {in_english.english_qualifier(f) for f in numbers.number_figures(row.sentence)
                 if figure_check.compare_qualified(stated, f) == "same"}
        if alike != {in_english.english_qualifier(figure)}:
            continue
        answer = f"The target is {bare} [1]."
        assert restore_qualifiers(answer, [row.sentence]) == f"The target is {row.english} [1].", row.figure
        checked += 1
    assert checked >= 20  # the report's targets are mostly 以上 and 左右


def test_a_report_clause_given_as_an_english_answer_leads_with_its_figures_in_english():
    from bot.answer.english import quoted_in_english

    sources = ["城镇调查失业率控制在5.5%左右，全社会研发投入强度达到2.8%。"]
    assert quoted_in_english("城镇调查失业率控制在5.5%左右[1]。", sources) == (
        "about 5.5% (report: “城镇调查失业率控制在5.5%左右”) [1]")
    assert quoted_in_english("The unemployment target is about 5.5% [1].", sources) is None  # English prose
    assert quoted_in_english("失业率控制在6%[1]", sources) is None  # not the report's words


@pytest.mark.parametrize(("answer", "spaced"), [
    ("The talent programme is called郑聚英才计划 [1].", "The talent programme is called 郑聚英才计划 [1]."),
    ("Mayor何雄 presented it.", "Mayor 何雄 presented it."),
    ("1000 PhD (博士) -level talents; 2.7万 places", "1000 PhD (博士) -level talents; 2.7万 places"),
])
def test_a_chinese_name_glued_to_an_english_word_is_set_apart(answer, spaced):
    assert spaced_names(answer) == spaced
