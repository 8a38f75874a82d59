"""The figure table looked up by report term: the rows of a thing's most specific term, else of any term naming it."""

from __future__ import annotations

import pytest

from bot.retrieval.figure_table import FigureTable
from index.chunking import chunk_document
from index.documents import load_document
from index.figures import figure_rows
from tests.conftest import REPORT


@pytest.fixture(scope="module")
def table() -> FigureTable:
    return FigureTable(figure_rows(chunk_document(load_document(REPORT))))


def _figures(rows) -> list[str]:
    return [row.figure for row in rows]


def test_a_term_finds_its_own_rows_not_those_of_a_kind_of_it(table):
    assert any("70万辆" in f for f in _figures(table.naming({"新能源汽车"})))
    cars = _figures(table.naming({"汽车"}))
    assert any("140万辆" in f for f in cars) and not any("70万辆" in f for f in cars)


def test_rows_come_in_the_tables_order_and_an_unknown_term_finds_none(table):
    pipes = table.naming({"燃气管网", "供水管网"})
    assert [r.start for r in pipes] == sorted(r.start for r in pipes) and len(pipes) == 2
    assert table.naming({"地铁"}) == [] and table.naming(set()) == []
    assert len(table) == len(table.rows) > 50
