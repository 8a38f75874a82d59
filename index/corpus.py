"""Facts about the indexed documents as a whole, read once from their passages: the years and dates they mention,
the place they are about, and whether they mention a name at all; and, from the documents' metadata, which
documents are indexed (place, years, kind), which year "this year" is, and how to say what is indexed. Later
stages ask these instead of re-reading the passages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property

from index.chunking import Chunk
from index.metadata import IndexedDocument
from zzbot.numbers import extract_figures
from zzbot.places import Place, places, places_named
from zzbot.text import chinese_pairs


class CorpusFacts:
    """Built from the text of every indexed passage and, when given, the indexed documents' metadata."""

    def __init__(self, passages: list[str], documents: Sequence[IndexedDocument] = ()) -> None:
        self._passages = passages
        self._documents = tuple(documents)

    @classmethod
    def from_chunks(cls, chunks: Iterable[Chunk]) -> CorpusFacts:
        """From the indexed passages (``ChunkStore.all_chunks()``): their text, and their documents' metadata."""
        chunks = list(chunks)
        by_source = {c.source: IndexedDocument(c.source, c.meta) for c in chunks}
        return cls([c.text for c in chunks], list(by_source.values()))

    @cached_property
    def dates(self) -> frozenset[tuple[str, float]]:
        """(kind, value) of every year and date the indexed documents mention."""
        return frozenset((f.kind, f.value) for text in self._passages for f in extract_figures(text)
                         if f.kind in ("year", "date"))

    def corpus_dates(self) -> frozenset[tuple[str, float]]:
        return self.dates

    @cached_property
    def years(self) -> frozenset[float]:
        return frozenset(value for kind, value in self.dates if kind == "year")

    @cached_property
    def _home(self) -> Place | None:
        counts = Counter(p for text in self._passages for p in places_named(text))
        ranked = counts.most_common(2)
        return ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]) else None

    def home_place(self) -> Place | None:
        """The place of data/places.tsv named in the most passages, at least twice as many as the next (郑州 in a
        Zhengzhou report; None for a corpus of several cities)."""
        return self._home

    @cached_property
    def _home_words(self) -> frozenset[str]:
        home = self._home
        return frozenset() if home is None else frozenset(
            chinese_pairs(home.chinese) | {name.lower() for name in home.english})

    def home_words(self) -> frozenset[str]:
        """The Chinese character pairs and lower-case English names of the documents' own place (see
        ``home_place``). Every sentence is about it, so it ties a question to no sentence in particular."""
        return self._home_words

    def covers_place(self, place: Place, question: str) -> bool:
        """Whether the documents speak of ``place``: they name it, or, for a question about it together with the
        documents' own place ("郑州和开封之间的路"), they join the two by their first characters as Chinese does
        (郑开同城). Kaifeng's own targets are still not covered by 郑开."""
        return self.mentions(place.chinese) or self.joined_name(place, question) is not None

    def joined_name(self, place: Place, question: str) -> str | None:
        """The name joining ``place`` to the documents' own place when a question names both and the documents
        speak of the place only so (郑开 for 郑州和开封); None otherwise. An answer about such a place must come
        from a sentence naming the join: the report gives Kaifeng's own figures nowhere."""
        home = self._home
        if not home or home is place or self.mentions(place.chinese):
            return None
        joined = self._join(place)
        # The join written out names both places as well ("郑开同城要推进多少个项目").
        named = home.named_in(question) or joined in question
        return joined if named and self.mentions(joined) else None

    def places_joined_in(self, text: str) -> list[Place]:
        """The places ``text`` names only by their join to the documents' own place, as the documents write it
        (郑开同城: 开封)."""
        if self._home is None:
            return []
        return [place for place in places() if self._join(place) in text and not place.named_in(text)
                and self.joined_name(place, text) is not None]

    def _join(self, place: Place) -> str:
        """How Chinese joins ``place`` to the documents' own: their first characters (郑开)."""
        assert self._home is not None
        return self._home.chinese[0] + place.chinese[0]

    def sole_year(self) -> int | None:
        """The one year the indexed documents name, if they name exactly one (a single year's report)."""
        return int(next(iter(self.years))) if len(self.years) == 1 else None

    def unknown_years(self, text: str, relative: Iterable[int] = ()) -> set[float]:
        """The years ``text`` names, outright or as offsets from the latest document's year (``relative``: -1
        for 去年, as the parsed question gives them), that no indexed document mentions (a 2025 target asked
        of a 2024 report)."""
        named = {f.value for f in extract_figures(text) if f.kind == "year"}
        if self.years:  # 去年 in the 2024 report: 2023
            named |= {max(self.years) + offset for offset in relative}
        return named - self.years

    def mentions(self, text: str) -> bool:
        """Whether some indexed passage contains ``text`` verbatim."""
        return any(text in passage for passage in self._passages)

    # What is indexed: the documents' own metadata (index/metadata.py), not what their passages mention.

    @cached_property
    def _ordered(self) -> tuple[IndexedDocument, ...]:
        """Place by place, the place with the newest document first; in a place, newest first, a report setting
        a year's targets before a review of that year."""
        def newest(doc: IndexedDocument) -> int:
            return max(doc.meta.years(), default=0)

        place_newest: dict[str, int] = {}
        for doc in self._documents:
            key = doc.meta.place or ""
            place_newest[key] = max(place_newest.get(key, 0), newest(doc))
        return tuple(sorted(self._documents, key=lambda d: (
            -place_newest[d.meta.place or ""], d.meta.place or "", -newest(d), d.meta.target_year is None, d.source)))

    def documents(self) -> tuple[IndexedDocument, ...]:
        """The indexed documents with their place, years and kind (see ``_ordered`` for the order)."""
        return self._ordered

    def newest_report(self) -> IndexedDocument | None:
        """The document setting the latest year's targets; None when no document sets targets for a known year."""
        with_targets = [d for d in self._documents if d.meta.target_year is not None]
        return max(with_targets, key=lambda d: (d.meta.target_year, d.source)) if with_targets else None

    def this_year(self) -> int | None:
        """What "今年" / "this year" means: the newest report's target year (2024 with the bundled report)."""
        newest = self.newest_report()
        return newest.meta.target_year if newest else None

    def indexed_places(self) -> frozenset[str]:
        return frozenset(d.meta.place for d in self._documents if d.meta.place)

    def indexed_years(self) -> frozenset[int]:
        """Every year some document sets targets for or reviews."""
        return frozenset(y for d in self._documents for y in d.meta.years())

    def documents_about(self, place: str | None = None, year: int | None = None) -> list[IndexedDocument]:
        """The documents about ``place`` that set targets for or review ``year`` (None: any), in order."""
        return [d for d in self._ordered if d.meta.matches(place, year)]

    def indexed_description(self, lang: str = "zh") -> str:
        """One line naming what is indexed, for a refusal: "已收录：郑州2024、郑州2023回顾、开封2023" /
        "Indexed: Zhengzhou 2024, Zhengzhou 2023 (review), Kaifeng 2023". Empty without document metadata."""
        labels = list(dict.fromkeys(d.meta.label(lang) or d.source for d in self._ordered))
        if not labels:
            return ""
        return f"Indexed: {', '.join(labels)}" if lang == "en" else f"已收录：{'、'.join(labels)}"
