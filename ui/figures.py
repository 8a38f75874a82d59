"""The figure table as the page's Dataframe shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.chunking import SECTION_SEPARATOR

if TYPE_CHECKING:
    from index.figures import FigureRow

FIGURE_HEADERS = ["#", "主体 · Subject", "数字 · Figure", "English", "限定 · Qualifier", "类别 · Kind", "章节 · Section"]


def figure_table(rows: list[FigureRow], query: str) -> list[list[Any]]:
    """The rows matching ``query`` (index.figures.matching), each numbered by its place in the whole table."""
    from index.figures import matching

    wanted = {row.row_id for row in matching(rows, query)}
    return [[number, row.subject, row.figure, row.english, row.qualifier, row.kind,
             row.section.split(SECTION_SEPARATOR)[-1]]
            for number, row in enumerate(rows, start=1) if row.row_id in wanted]
