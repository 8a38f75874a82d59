"""The calculation evaluator: numbers, named operands, precedence, units; bad input gets a reason."""

from decimal import Decimal

import pytest

from zzbot.arithmetic import CalculationError, Quantity, evaluate, operand_names

PIPES = {"F1": Quantity(Decimal("85"), "km", label="公里"), "F2": Quantity(Decimal("102"), "km", label="公里"),
         "F3": Quantity(Decimal("31.5"), "km", label="公里")}
FARMS = {"F1": Quantity(Decimal("4460000"), "mu", label="亩"), "F2": Quantity(Decimal("2900000000"), "jin", label="斤"),
         "F3": Quantity(Decimal("800000"), "mu", label="亩")}


def test_a_sum_of_like_figures_is_exact_and_keeps_the_unit():
    assert evaluate("F1 + F2 + F3", PIPES) == Quantity(Decimal("218.5"), "km", label="公里")


def test_precedence_brackets_and_signs():
    assert evaluate("(F1 + F2) * 2 - -1", PIPES).value == Decimal("375")
    assert evaluate("F1 + F2 * 2", PIPES).value == Decimal("289")
    assert evaluate("10 ÷ 4 × 2", {}).value == Decimal("5")


def test_a_ratio_of_like_figures_is_a_plain_number_and_of_unlike_ones_a_per_unit_figure():
    ratio = evaluate("F1 / F3", FARMS)
    assert ratio.unit == "" and round(ratio.value, 3) == Decimal("5.575")
    per_mu = evaluate("F2 / F1", FARMS)
    assert (per_mu.unit, per_mu.per, per_mu.label) == ("jin", "mu", "斤/亩")
    assert round(per_mu.value) == 650


@pytest.mark.parametrize(("expression", "reason"), [
    ("F1 + F2", "亩 and 斤 measure different things"),
    ("F1 * F3", "has no meaning"),
    ("F1 / 0", "divides by zero"),
    ("F1 + F9", "names F9, which is not one of the figures"),
    ("F1 +", "ends too early"),
    ("(F1 + F3", "not closed"),
    ("__import__('os')", "cannot read"),
    ("F1 F3", "unexpected"),
])
def test_what_cannot_be_evaluated_is_refused_with_a_reason(expression, reason):
    with pytest.raises(CalculationError, match=reason):
        evaluate(expression, FARMS)


def test_an_overlong_calculation_is_refused():
    with pytest.raises(CalculationError, match="too long"):
        evaluate(" + ".join(["1"] * 100), {})


def test_the_operands_named_are_listed_once_in_order():
    assert operand_names("F2 + F1 - F2 * 3") == ["F2", "F1"]


def test_a_bare_number_takes_the_other_sides_measure():
    rate = {"F1": Quantity(Decimal("98"), "", True)}
    assert evaluate("100 - F1", rate) == Quantity(Decimal("2"), "", True)
    visits = {"F1": Quantity(Decimal("170000000"), "count", label="人次")}
    assert evaluate("F1 / 365", visits).label == "人次"
