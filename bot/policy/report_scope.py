"""Which indexed reports a question is about, when more than one is indexed: the places and years it names
("开封2022年", "去年", "this year") matched to the documents' own place and years (``index.metadata``).

With one document indexed there is no scope: every question is asked of it, as it always was. With several, a
question is searched in the documents of its scope only (Kaifeng's questions never get Zhengzhou's figures), an
answer from one of them says which ("按郑州2024年报告"), and a place or year no document is about is refused,
naming what is indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.schema import Lang
from index.chunking import Chunk
from zzbot.numbers import extract_figures
from bot.understand.parsed import ParsedQuestion
from index.corpus import CorpusFacts
from index.metadata import IndexedDocument, english_place

# "今年" is the newest report's target year; the parsed question gives only the offsets (去年 → -1).
@dataclass(frozen=True)
class ReportScope:
    """The documents a question is about; ``uncovered`` (zh, en) names the place and year no indexed document is
    about ("开封2024", "Kaifeng 2024"), and the question is then refused."""

    documents: tuple[IndexedDocument, ...] = ()
    uncovered: tuple[str, str] | None = None

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(d.source for d in self.documents)


class YearsMentioned:
    """The years the passages of some documents mention, read from the indexed chunks once, when first asked."""

    def __init__(self, chunks: Callable[[], Iterable[Chunk]]) -> None:
        self._chunks = chunks
        self._by_source: dict[str, frozenset[int]] | None = None

    def __call__(self, documents: Iterable[IndexedDocument]) -> frozenset[int]:
        if self._by_source is None:
            years: dict[str, set[int]] = {}
            for chunk in self._chunks():
                years.setdefault(chunk.source, set()).update(
                    int(f.value) for f in extract_figures(chunk.text) if f.kind == "year")
            self._by_source = {source: frozenset(found) for source, found in years.items()}
        return frozenset().union(*(self._by_source.get(d.source, frozenset()) for d in documents))


def report_scope(parsed: ParsedQuestion, corpus: CorpusFacts,
                 mentioned_years: Callable[[Iterable[IndexedDocument]], frozenset[int]]) -> ReportScope | None:
    """The question's scope among the indexed documents; None when it is all of them (one document indexed, or
    the question names neither an indexed place nor a year). ``mentioned_years``: the years the passages of
    some documents mention, so that a year the question names only as a point of reference ("是2018年的几倍")
    narrows nothing and refuses nothing. A document whose place or years its head does not state may be about
    anything: it is searched beside the scope's, and nothing is refused for want of it."""
    indexed = corpus.documents()
    if len(indexed) < 2:
        return None
    named = [p.chinese for p in parsed.places]
    places = [p for p in named if p in corpus.indexed_places()]
    placeless = [d for d in indexed if not d.meta.place]
    if named and not places:  # only places no document is about (洛阳, 南阳)
        return None if placeless else ReportScope(uncovered=_label(named[:1], asked_years(parsed, corpus)[:1]))
    in_places = [d for d in indexed if not places or d.meta.place in places or not d.meta.place]
    yearless = [d for d in in_places if not d.meta.years()]
    chosen: list[IndexedDocument] = []
    for year in asked_years(parsed, corpus):
        about = [d for d in in_places if year in d.meta.years()]
        if not about:
            if year in mentioned_years(in_places):
                continue
            if not yearless:
                return ReportScope(uncovered=_label(places, [year]))
        chosen += primary_documents(about, year) + yearless
    if not chosen:
        if not places:
            return None
        chosen = in_places
    documents = tuple(d for d in indexed if d in chosen)  # in the corpus's order, each once
    return None if len(documents) == len(indexed) else ReportScope(documents)


def sources_by_year(parsed: ParsedQuestion, scope: ReportScope | None, corpus: CorpusFacts) -> list[frozenset[str]]:
    """For a question over two or more years of different reports, the documents mainly about each year (by file
    name); empty otherwise."""
    if scope is None or scope.uncovered or len(scope.documents) < 2:
        return []
    groups = [frozenset(d.source for d in primary_documents([d for d in scope.documents if year in d.meta.years()],
                                                            year)) for year in asked_years(parsed, corpus)]
    groups = [g for g in dict.fromkeys(groups) if g]
    return groups if len(groups) > 1 else []


def asked_years(parsed: ParsedQuestion, corpus: CorpusFacts) -> list[int]:
    """The years a question asks about: those it names, and 今年/去年… counted from the newest report's year."""
    years = list(parsed.years)
    if (this_year := corpus.this_year()) is not None:
        years += [this_year + offset for offset in parsed.relative_years]  # 今年: offset 0
    return list(dict.fromkeys(years))


def primary_documents(documents: list[IndexedDocument], year: int) -> list[IndexedDocument]:
    """Of each place's documents about ``year``, the ones mainly about it: the report setting its targets, or a
    review of that year alone; a report's look back at the year before comes only when nothing else covers it
    (郑州2023 is the 2023 review's 7.4%, not the 2024 report's targets)."""
    chosen = []
    for place in dict.fromkeys(d.meta.place for d in documents):
        own = [d for d in documents if d.meta.place == place]
        main = [d for d in own if d.meta.target_year == year or (d.meta.target_year is None
                                                                 and d.meta.review_year == year)]
        chosen += main or own
    return chosen


def _label(places: list[str], years: list[int]) -> tuple[str, str]:
    year = str(years[0]) if years else ""
    zh = "、".join(f"{p}{year}" for p in places) if places else f"{year}年"
    en = ", ".join(f"{english_place(p)} {year}".strip() for p in places) if places else year
    return zh, en


def report_label(document: IndexedDocument, lang: Lang) -> str:
    """How an answer names its report: 按郑州2024年报告 / per the Zhengzhou 2024 report; a review: 按郑州2023年回顾."""
    meta = document.meta
    place = (english_place(meta.place) if lang == "en" else meta.place) if meta.place else ""
    if meta.target_year is not None:
        return (f"Per the {place} {meta.target_year} report" if lang == "en"
                else f"按{place}{meta.target_year}年报告").replace("  ", " ")
    if meta.review_year is not None:
        return (f"Per the {place} {meta.review_year} review" if lang == "en"
                else f"按{place}{meta.review_year}年回顾").replace("  ", " ")
    title = meta.title or document.source
    return f"Per {title}" if lang == "en" else f"按《{title}》"


def with_report_named(answer: str, sources: Iterable[str], corpus: CorpusFacts, lang: Lang) -> str:
    """The answer saying which report it is from, when several are indexed and it cites one of them: after it,
    so that a fallback's banner still comes first ("…7%左右[1]。（按郑州2024年报告）")."""
    cited = set(sources)
    documents = [d for d in corpus.documents() if d.source in cited]
    if len(corpus.documents()) < 2 or len(documents) != 1:
        return answer
    label = report_label(documents[0], lang)
    return f"{answer} ({label}.)" if lang == "en" else f"{answer}（{label}）"
