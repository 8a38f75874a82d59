"""The figure table: one row per figure in a document, built at index time.

A row says what is counted or measured (the words before the figure in its clause, or after it when the figure
comes first: "3800个项目"), the value and unit, the report's qualifier (以上, 左右, 超, 力争…), the English value,
whether it is a target, a past result or a count, and where it stands (sentence, section, offsets). Staff
checking facts ask for exactly this list; the answer chain takes the operands of computed answers from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from index.chunking import Chunk
from zzbot import figure_words
from zzbot import numbers
from zzbot import in_english
from zzbot.text import split_sentences

RowKind = Literal["target", "result", "count"]

# A clause ends at these marks; the enumeration mark 、 separates items that share the clause's verb.
# Words that mark a planned figure, at the start of a subject.
_TARGET_MARKS = ("力争", "确保", "争取", "努力", "计划", "预计", "目标")
# Words that mark a past result anywhere in the sentence.
_RESULT_MARKS = ("去年", "过去", "已经", "已完成", "累计完成", "比上年", "同比", "较上年")
# Section headings over a look back at past years.
_REVIEW_SECTIONS = ("回顾", "过去五年", "工作总结")


@dataclass(frozen=True)
class FigureRow:
    row_id: str
    source: str
    section: str
    subject: str  # what is counted or measured, in the report's words
    figure: str  # the figure as written ("2.7万个", "7%左右")
    value: float  # after scale: 2.7万 -> 27000
    unit: str | None
    percent: bool
    qualifier: str  # the report's qualifier words around the figure ("力争 以上"), "" when none
    english: str  # the value in English, qualified ("over 700,000 vehicles")
    kind: RowKind
    sentence: str
    sentence_start: int
    sentence_end: int
    start: int  # the figure's offsets in the source document
    end: int
    # What the row's document is (index/metadata.py): a row is a target of 郑州 2024 or a result of 开封 2022.
    place: str | None = None
    target_year: int | None = None
    review_year: int | None = None
    document_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def figure_rows(chunks: Iterable[Chunk]) -> list[FigureRow]:
    """The figure table of the indexed passages (captions and headings hold no figures worth a row)."""
    rows: list[FigureRow] = []
    for chunk in chunks:
        if chunk.kind != "passage":
            continue
        for s, e in split_sentences(chunk.text):
            sentence = chunk.text[s:e]
            if sentence.lstrip().startswith("#"):
                continue
            rows += _sentence_rows(chunk, sentence, chunk.start + s)
    return rows


def _sentence_rows(chunk: Chunk, sentence: str, offset: int) -> list[FigureRow]:
    rows: list[FigureRow] = []
    figures = [f for f in numbers.number_figures(sentence) if _countable(sentence, f)]
    for figure in figures:
        before = figure_words.words_before(sentence, figure, figures)
        after = figure_words.words_after(sentence, figure.end)
        subject, mark = _subject(before, after)
        qualifier = " ".join(dict.fromkeys([*([mark] if mark else []), *_qualifiers(figure.text)]))
        rows.append(FigureRow(
            row_id=f"{chunk.source}:{offset + figure.start}", source=chunk.source, section=chunk.section,
            subject=subject, figure=figure.text, value=figure.value, unit=figure.unit, percent=figure.percent,
            qualifier=qualifier, english=english_value(figure),
            kind=_kind(sentence, bool(mark), after, reviewing=_reviews(chunk)),
            sentence=sentence, sentence_start=offset, sentence_end=offset + len(sentence),
            start=offset + figure.start, end=offset + figure.end, place=chunk.meta.place,
            target_year=chunk.meta.target_year, review_year=chunk.meta.review_year, document_kind=chunk.meta.kind,
        ))
    return rows


def _qualifiers(figure_text: str) -> list[str]:
    """The report's own qualifier words around a figure (超, 以上, 左右), not one saying it is reached (达到)."""
    return [w for w in numbers.qualifier_words(figure_text) if w and not numbers.reaches(w)]


def _countable(sentence: str, figure: numbers.Figure) -> bool:
    """Ages qualify a group ("3岁以下婴幼儿") and figures inside quotation marks are names ("三个一批")."""
    inside_quotes = sentence.count("“", 0, figure.start) > sentence.count("”", 0, figure.start)
    return figure.unit != "岁" and not inside_quotes


def english_value(figure: numbers.Figure) -> str:
    """The figure in English with its unit and the report's qualifier, which an English reader needs as much as
    the value: 7%左右 is "about 7%", 8%以上 "at least 8%", 超70万辆 and 突破140万辆 "over …", 以内/以下 "at most …".
    A target mark (力争, 确保) stays in the qualifier column only: it says who aims, not how far the figure goes."""
    return in_english.english_amount(figure, qualified=True)


def _subject(before: str, after: str) -> tuple[str, str]:
    """What the figure measures, and the word marking it as a target (力争…), "" when none."""
    subject = before.strip(figure_words.EDGE)
    mark = next((m for m in _TARGET_MARKS if subject.startswith(m)), "")
    subject = figure_words.without_links(subject.removeprefix(mark))
    if after:
        subject = f"{subject}…{after}" if subject else after
    return subject, mark


def _reviews(chunk: Chunk) -> bool:
    """Whether the chunk looks back: its document only reviews a year (no targets), or its section is a review
    (过去五年工作回顾). Its figures are then results, whatever its sentences' words."""
    meta = chunk.meta
    return (meta.target_year is None and meta.review_year is not None) or any(
        word in chunk.section for word in _REVIEW_SECTIONS)


def _kind(sentence: str, target: bool, after: str, reviewing: bool = False) -> RowKind:
    if (reviewing or any(mark in sentence for mark in _RESULT_MARKS)) and not target:
        return "result"
    if after and not target:
        return "count"
    return "target"


CSV_FIELDS = ("source", "section", "subject", "figure", "value", "unit", "qualifier", "english", "kind", "sentence",
              "start", "end", "place", "target_year", "review_year", "document_kind")


def matching(rows: Iterable[FigureRow], text: str) -> list[FigureRow]:
    """Rows whose subject, figure (with its unit), English value or kind contain ``text``, in any case: "万平方米"
    finds the figures measured in it, "住房" the housing figures. The sentence is not searched: it holds its
    neighbours' figures too."""
    wanted = text.strip().lower()
    return [row for row in rows if not wanted or any(
        wanted in str(value).lower() for value in (row.subject, row.figure, row.english, row.kind))]


# A spreadsheet reads a cell starting with one of these as a formula: a hostile document could plant one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: Iterable[FigureRow], stream: Any) -> None:
    """The rows as CSV (UTF-8 text; the caller adds a BOM for spreadsheet programs if it wants one). Text cells
    that a spreadsheet would take for a formula are quoted with a leading apostrophe."""
    import csv

    writer = csv.DictWriter(stream, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value
                         for key, value in row.to_dict().items()})
