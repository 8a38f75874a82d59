"""A small arithmetic evaluator for computed answers: + - × ÷ and parentheses over named operands and
numbers, with units checked. Never Python's ``eval``.

Operands carry a unit family (``zzbot.units.unit_family``): a sum or difference needs one family (万平方米
and 平方米 are both square metres, so they add after scaling; 亩 and 斤 do not), a quotient of one family is a
plain ratio ("5.6倍"), of two families a per-unit figure (斤 per 亩).
"""

from __future__ import annotations


import re
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z]\w*)|(?P<op>[-+*/×÷()]))")
MAX_TOKENS = 64


class CalculationError(ValueError):
    """An expression that cannot be evaluated; the message says why, for the user."""


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str = ""  # a unit family ("km", "m2", "yuan"), a Chinese measure word, or "" for a plain number
    percent: bool = False
    per: str = ""  # for a per-unit result: the family divided by ("mu" in 斤 per 亩)
    label: str = ""  # the unit as the report writes it ("亩"), for messages


def tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise CalculationError(f"cannot read {expression[position:]!r} in the calculation")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise CalculationError("the calculation is too long")
    return tokens


class _Parser:
    """expression := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
    factor := number | name | '(' expression ')' | '-' factor"""

    def __init__(self, tokens: list[tuple[str, str]], operands: dict[str, Quantity]) -> None:
        self.tokens, self.operands, self.position = tokens, operands, 0

    def parse(self) -> Quantity:
        result = self._expression()
        if self.position != len(self.tokens):
            raise CalculationError(f"unexpected {self.tokens[self.position][1]!r} in the calculation")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise CalculationError("the calculation ends too early")
        self.position += 1
        return self.tokens[self.position - 1]

    def _expression(self) -> Quantity:
        result = self._term()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            result = add(result, self._term(), subtract=op == "-")
        return result

    def _term(self) -> Quantity:
        result = self._factor()
        while self._peek() in ("*", "/", "×", "÷"):
            op = self._take()[1]
            right = self._factor()
            result = multiply(result, right) if op in ("*", "×") else divide(result, right)
        return result

    def _factor(self) -> Quantity:
        kind, text = self._take()
        if text == "(":
            result = self._expression()
            if self._peek() != ")":
                raise CalculationError("a bracket is not closed in the calculation")
            self.position += 1
            return result
        if text == "-":
            value = self._factor()
            return Quantity(-value.value, value.unit, value.percent, value.per, value.label)
        if kind == "number":
            return Quantity(Decimal(text))
        if kind == "name":
            if text not in self.operands:
                raise CalculationError(f"the calculation names {text}, which is not one of the figures")
            return self.operands[text]
        raise CalculationError(f"unexpected {text!r} in the calculation")


def evaluate(expression: str, operands: dict[str, Quantity]) -> Quantity:
    """The value of ``expression`` (e.g. "F1 + F2 + F3") with each name standing for its operand."""
    return _Parser(tokenize(expression), operands).parse()


def operand_names(expression: str) -> list[str]:
    return list(dict.fromkeys(text for kind, text in tokenize(expression) if kind == "name"))


def add(a: Quantity, b: Quantity, subtract: bool = False) -> Quantity:
    # A bare number takes the other side's measure: 100 - 98% is 2%, F1 + 5 adds five of F1's things.
    if _bare(b):
        b = Quantity(b.value, a.unit, a.percent, a.per, a.label)
    elif _bare(a):
        a = Quantity(a.value, b.unit, b.percent, b.per, b.label)
    if a.percent != b.percent or (a.unit and b.unit and (a.unit, a.per) != (b.unit, b.per)):
        raise CalculationError(f"{_describe(a)} and {_describe(b)} measure different things and cannot be "
                               f"{'subtracted' if subtract else 'added'}")
    value = a.value - b.value if subtract else a.value + b.value
    # Counts of different things (50条 roads and 30个 parks) add up to a number without a measure word.
    label = a.label if a.label == b.label else ("" if a.label and b.label else a.label or b.label)
    return Quantity(value, a.unit or b.unit, a.percent, a.per or b.per, label)


def multiply(a: Quantity, b: Quantity) -> Quantity:
    if a.unit and b.unit:
        raise CalculationError(f"{_describe(a)} times {_describe(b)} has no meaning here")
    unit = a if a.unit else b
    return Quantity(a.value * b.value, unit.unit, a.percent or b.percent, unit.per, unit.label)


def divide(a: Quantity, b: Quantity) -> Quantity:
    try:
        value = a.value / b.value
    except (DivisionByZero, InvalidOperation):
        raise CalculationError("the calculation divides by zero") from None
    if not b.unit:
        return Quantity(value, a.unit, a.percent and not b.percent, a.per, a.label)
    if a.unit == b.unit and a.per == b.per:
        return Quantity(value)  # a ratio of like quantities
    if a.percent or b.percent or b.per:
        raise CalculationError(f"{_describe(a)} divided by {_describe(b)} has no meaning here")
    return Quantity(value, a.unit, False, b.unit, f"{a.label or a.unit}/{b.label or b.unit}")


def _bare(q: Quantity) -> bool:
    return not (q.unit or q.percent or q.per or q.label)


def _describe(q: Quantity) -> str:
    return "a percentage" if q.percent else (q.label or q.unit or "a plain number")
