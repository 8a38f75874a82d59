"""The figure table (``index.figures.FigureRow``) looked up by the report terms its subjects name: built once per
index, so a check of an answer's figure reads the rows of one term instead of scanning the table (100 reports hold
some 10,000 rows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bot.understand.terms import most_specific, named_terms


class FigureTable:
    """The rows, and for each report term the rows whose subject names it (``naming``)."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows: list[Any] = list(rows)
        self._order = {id(row): n for n, row in enumerate(self.rows)}
        self._by_term: dict[str, list[Any]] = defaultdict(list)
        self._by_specific_term: dict[str, list[Any]] = defaultdict(list)
        for row in self.rows:
            terms = named_terms(row.subject)
            for term in terms:
                self._by_term[term].append(row)
            for term in most_specific(terms):
                self._by_specific_term[term].append(row)

    def __len__(self) -> int:
        return len(self.rows)

    def naming(self, terms: set[str]) -> list[Any]:
        """The rows whose subject's most specific term is one of ``terms`` (新能源汽车 rows for 新能源汽车, not the
        汽车 ones); failing those, the rows whose subject names one of them at all; in the table's order."""
        return (self._in_order(self._by_specific_term, terms) or self._in_order(self._by_term, terms))

    def _in_order(self, index: dict[str, list[Any]], terms: set[str]) -> list[Any]:
        found = {id(row): row for term in terms for row in index.get(term, ())}
        return sorted(found.values(), key=lambda row: self._order[id(row)])
