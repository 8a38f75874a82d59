"""Computed answers from the model's calculation, without the model: evaluation, units, working, citations."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answer.compute import compute, operands_of
from bot.retrieval.retriever import Passage
from index.chunking import chunk_document
from index.documents import load_document
from index.figures import figure_rows
from tests.conftest import REPORT
from zzbot.arithmetic import CalculationError


@pytest.fixture(scope="module")
def report():
    chunks = [c for c in chunk_document(load_document(REPORT)) if c.kind == "passage"]
    return chunks, figure_rows(chunks)


def _operands(report, *figures: str):
    """Operands for the passages holding ``figures``, named as the model would see them, and the names of
    those figures."""
    chunks, rows = report
    wanted = [next(r for r in rows if r.figure == f) for f in figures]
    passages = []
    for row in wanted:
        chunk = next(c for c in chunks if c.start <= row.start < c.end)
        if all(p.chunk != chunk for p in passages):
            passages.append(Passage(chunk, 1.0, 0.5, 0.0))
    # The figures asked about are the most relevant: they are among the rows offered, whatever else is.
    operands = operands_of(passages, rows, lambda texts: np.array([float(any(f in t for f in figures)) for t in texts]))
    names = [next(o.name for o in operands if o.row == row) for row in wanted]
    return operands, names


def test_a_sum_shows_its_working_with_every_operand_cited(report):
    operands, (water, gas, heat) = _operands(report, "85公里", "102公里", "31.5公里")
    result = compute("sum", f"{water} + {gas} + {heat}", operands, "zh")
    assert result.answer == "按报告中的数字计算：85公里[1] + 102公里[1] + 31.5公里[1] = 218.5公里。"
    assert result.working == "85公里 + 102公里 + 31.5公里 = 218.5公里"
    assert [c.n for c in result.citations] == [1] and "燃气管网102公里" in result.citations[0].text
    english = compute("sum", f"{water} + {gas} + {heat}", operands, "en")
    assert english.answer == "Worked out from the report's figures: 85 km [1] + 102 km [1] + 31.5 km [1] = 218.5 km."


def test_a_comparison_says_which_is_larger_and_by_how_much_in_the_reports_scale(report):
    operands, (green, heating) = _operands(report, "300万平方米", "400万平方米")
    result = compute("comparison", f"{green} - {heating}", operands, "zh")  # the order the model wrote does not matter
    assert result.answer.startswith("新增集中供热面积400万平方米[")
    assert "多于市区新增绿地300万平方米[" in result.answer and "多100万平方米" in result.answer
    english = compute("comparison", f"{heating} - {green}", operands, "en")
    assert english.answer.startswith("4 million square metres (新增集中供热面积) [")
    assert "by 1 million square metres" in english.answer
    assert len({c.n for c in english.citations}) == 2  # two passages, two citations


def test_equal_figures_are_said_to_be_the_same(report):
    operands, _ = _operands(report, "2万套（间）")
    rows = [o for o in operands if o.row.figure == "2万套（间）"]  # 2万 talent flats raised, 2万 allocated
    result = compute("comparison", f"{rows[0].name} - {rows[1].name}", operands, "zh")
    assert result.answer.startswith("两者相同")


def test_a_ratio_is_rounded_and_marked_approximate(report):
    operands, (grain, vegetables) = _operands(report, "446万亩以上", "80万亩以上")
    result = compute("ratio", f"{grain} / {vegetables}", operands, "zh")
    assert result.working == "446万亩 ÷ 80万亩 ≈ 5.58倍"
    assert "446万亩以上[1] ÷ 80万亩以上[1]" in result.answer  # the cited figures keep the report's qualifier
    assert compute("ratio", f"{grain} / {vegetables}", operands, "en").answer.endswith("≈ 5.58 times.")


def test_a_per_unit_figure_keeps_both_units(report):
    operands, (investment, projects) = _operands(report, "5200亿元", "3800个")
    result = compute("per_unit", f"{investment} / {projects}", operands, "zh")
    assert result.working.endswith("≈ 1.37亿元/个")


def test_a_part_is_not_added_to_the_whole_that_holds_it(report):
    # New-energy vehicles are vehicles: 140万 is the total, not 70万 + 140万.
    operands, (nev, cars) = _operands(report, "超70万辆", "突破140万辆")
    result = compute("sum", f"{nev} + {cars}", operands, "zh")
    assert result.answer.startswith("带动汽车产量突破140万辆[1]已包括新能源汽车产量超70万辆[1]") and "210" not in result.answer
    assert "the total is over 1.4 million vehicles" in compute("sum", f"{cars} + {nev}", operands, "en").answer
    # Two kinds of one thing, neither holding the other, still add up.
    operands, (water, gas) = _operands(report, "85公里", "102公里")
    assert compute("sum", f"{water} + {gas}", operands, "zh").working.endswith("= 187公里")


def test_a_per_unit_figure_is_shown_in_its_own_scale_not_the_operands(report):
    # 亿 over 亿: the result is some thousand yuan a visit, not "0亿元/人次".
    operands, (revenue, visits) = _operands(report, "突破2000亿元", "达到1.7亿人次")
    assert compute("per_unit", f"{revenue} / {visits}", operands, "zh").working.endswith("≈ 1176.47元/人次")


def test_unlike_figures_are_refused_with_the_reason(report):
    operands, (area, output) = _operands(report, "446万亩以上", "29亿斤以上")
    with pytest.raises(CalculationError, match="亩 and 斤 measure different things"):
        compute("sum", f"{area} + {output}", operands, "zh")


def test_counts_of_different_kinds_of_thing_add_up_to_nothing(report):
    # 10家 institutes + 20万名 graduates + 3700套 homes: a "total" of nothing ("一共有多少条地铁线" got 203777).
    operands, (institutes, graduates, homes) = _operands(report, "10家", "20万名", "3700套")
    with pytest.raises(CalculationError, match="家 and 名 count different things"):
        compute("sum", f"{institutes} + {graduates} + {homes}", operands, "zh")


def test_counts_of_one_kind_still_add_up(report):
    operands, (rental, talent) = _operands(report, "1.5万套（间）", "2万套（间）")
    assert compute("sum", f"{rental} + {talent}", operands, "zh") is not None


@pytest.mark.parametrize("expression", ["F1", "F1 + F999", "F999 * 2"])
def test_what_is_no_calculation_of_report_figures_gives_none(report, expression):
    operands, _ = _operands(report, "85公里")
    assert compute("sum", expression, operands, "zh") is None


def test_one_figure_with_a_constant_is_a_calculation(report):
    operands, (lighting,) = _operands(report, "98%以上")
    result = compute("share", f"100 - {lighting}", operands, "zh")
    assert result.working == "100 - 98% = 2%" and "98%以上[1]" in result.answer


def test_a_count_and_a_percentage_are_never_combined(report):
    operands, (cars, growth) = _operands(report, "超70万辆", "60%以上")
    with pytest.raises(CalculationError, match="辆 and % measure different things"):
        compute("share", f"{cars} / {growth}", operands, "zh")


def test_figures_of_one_subject_are_told_apart_by_the_words_of_the_question(report):
    operands, (electronics, cars) = _operands(report, "达到7000亿元", "达到4000亿元")
    result = compute("comparison", f"{electronics} - {cars}", operands, "zh", "电子信息和汽车两个产业集群，哪个规模更大？")
    named, _, rest = result.answer.partition("7000亿元[")
    assert named == "电子信息集群规模" and "多于汽车集群规模4000亿元[" in rest


def test_a_share_of_two_rates_is_no_calculation(report):
    operands, (investment, gdp) = _operands(report, "8%以上", "7%左右")
    assert compute("share", f"{investment} / {gdp}", operands, "zh") is None  # the question asks a stated rate


def test_two_rates_do_not_add_up(report):
    operands, (cars, investment) = _operands(report, "60%以上", "8%以上")
    assert compute("sum", f"{cars} + {investment}", operands, "zh") is None


def test_a_calculation_gives_the_measure_asked_for(report):
    operands, (doctors, flats) = _operands(report, "1000名", "2万套（间）")
    assert compute("per_unit", f"{doctors} / {flats}", operands, "zh", "郑州人今年人均能挣多少钱？") is None  # yuan
    assert compute("per_unit", f"{doctors} / {flats}", operands, "zh", "每套人才公寓平均对应多少博士？") is not None


def test_a_figure_stated_per_thousand_people_is_a_rate_no_total_takes_in(report):
    operands, (beds, places) = _operands(report, "达到6.6万张", "达到4.8个")
    assert compute("sum", f"{beds} + {places}", operands, "zh", "养老床位今年一共会有多少张？") is None
    assert compute("per_unit", f"{beds} / {places}", operands, "en") is None


def test_the_total_of_one_thing_adds_the_figures_its_sentence_gives_it(report):
    from bot.answer.compute import named_operands, one_thing_summed

    operands, (special, other) = _operands(report, "1.9万套", "4.2万套以上")
    expression = one_thing_summed("保交楼今年总共能交付多少套？", operands)
    assert expression is not None and sorted(expression.split(" + ")) == sorted([special, other])
    assert compute("sum", expression, operands, "zh").working.endswith("= 6.1万套")
    # A thing named by the report's term is counted by its own figure only: nothing to add up.
    pipes, _ = _operands(report, "85公里", "102公里", "31.5公里")
    assert one_thing_summed("供水管网总共新建改造多少公里？", pipes) == ""  # its one figure: nothing to add
    assert [o.row.figure for o in named_operands("供水管网总共新建改造多少公里？", pipes)] == ["85公里"]


def test_a_sum_counted_in_a_unit_takes_only_figures_in_it(report):
    from bot.answer.compute import calculation_by_parts

    operands, (projects, special, others) = _operands(report, "3800个", "1.9万套", "4.2万套以上")
    # Scores that pair "projects" with the 3,800 projects best: only the count asked for (homes) keeps it out.
    def scores(part: str, topics: list[str]) -> np.ndarray:
        if part == "projects":
            return np.array([1.0 if "3800" in t else 0.6 for t in topics])
        return np.array([1.0 if "交付" in t else 0.5 for t in topics])

    parts = ["unfinished homes", "projects"]
    unconstrained = calculation_by_parts("sum", parts, operands, scores, 0.4)
    assert projects in unconstrained
    homes = calculation_by_parts("sum", parts, operands, scores, 0.4, counted="homes")
    assert projects not in homes and special in homes and others in homes


def test_a_sum_leaving_out_a_thing_asked_is_no_total_but_a_comparison_may_skip_a_loose_piece(report):
    from bot.answer.compute import calculation_by_parts

    operands, (first, second, third) = _operands(report, "30项", "100个", "100个")

    def scores(part: str, topics: list[str]) -> np.ndarray:  # the first thing matches no figure
        return np.array([0.0 if part == "unmatched" else 0.9 for _ in topics])

    parts = ["unmatched", "certificate-free items", "cross-province items"]
    assert calculation_by_parts("sum", parts, operands, scores, 0.4) is None
    assert calculation_by_parts("comparison", parts, operands, scores, 0.4) is not None
    assert calculation_by_parts("sum", parts[1:], operands, scores, 0.4) is not None


def test_a_per_unit_question_naming_one_phrase_shares_an_amount_out_over_a_count_of_its_sentence(report):
    from bot.answer.compute import calculation_by_parts

    # 5200亿元 and 3800个 share a sentence; 1300亿元 (industrial investment) is as close but has no count beside it.
    operands, (amount, count, industrial) = _operands(report, "5200亿元", "3800个", "1300亿元")

    def scores(part: str, topics: list[str]) -> np.ndarray:
        return np.array([0.9 if any(w in t for w in ("投资", "项目")) else 0.1 for t in topics])

    assert calculation_by_parts("per_unit", ["那些项目平摊下来投资"], operands, scores, 0.4) == f"{amount} / {count}"
    assert calculation_by_parts("per_unit", ["那些项目平摊下来投资"], operands, scores, 0.95) is None


@pytest.mark.parametrize("expression", ["F1 * F2", "F1 + F2"])
def test_a_comparison_is_a_difference_not_another_operation(report, expression):
    operands, (gas, water) = _operands(report, "102公里", "85公里")
    written = expression.replace("F1", gas).replace("F2", water)
    assert compute("comparison", written, operands, "zh", "燃气管网比供水管网长多少？") is None
    assert compute("comparison", f"{gas} - {water}", operands, "zh", "燃气管网比供水管网长多少？") is not None


def test_a_per_unit_amount_is_shared_among_the_count_of_the_thing_named(report):
    from bot.answer.compute import calculation_by_parts

    operands, (investment, projects) = _operands(report, "5200亿元", "3800个")
    # The phrase is close to the amount's clause only; the count is taken for the thing it names (项目).
    def scores(part: str, topics: list[str]) -> np.ndarray:
        return np.array([0.9 if "5200" in t else 0.3 for t in topics])

    assert calculation_by_parts("per_unit", ["平均每个重点项目要完成 亿元投资"], operands, scores, 0.6) == (
        f"{investment} / {projects}")
    assert calculation_by_parts("per_unit", ["平均每所学校要完成 亿元投资"], operands, scores, 0.6) is None


def test_a_shares_whole_named_within_its_part_stays_a_part(report):
    from bot.answer.compute import calculation_by_parts

    operands, (new_energy, cars) = _operands(report, "超70万辆", "突破140万辆")
    def scores(part: str, topics: list[str]) -> np.ndarray:
        own = "超70万辆" if part.startswith("新能源") else "突破140万辆"
        return np.array([1.0 if own in t else 0.9 if "万辆" in t else 0.3 for t in topics])

    assert calculation_by_parts("share", ["新能源汽车产量", "汽车产量"], operands, scores, 0.6) == (
        f"{new_energy} / {cars}")
