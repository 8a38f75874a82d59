"""BM25 keyword search that works for Chinese: character bigrams for CJK text,
lower-cased words and whole numbers for everything else (no word segmenter to download)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from zzbot.text import CJK_RUN, tokenize


class KeywordIndex:
    """Okapi BM25 over an inverted index, so a query costs only its own terms' postings."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(texts)
        self._lengths = [0] * self.size
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc, text in enumerate(texts):
            counts = Counter(tokenize(text))
            self._lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                self._postings[term].append((doc, tf))
        self._avg_length = (sum(self._lengths) / self.size) if self.size else 0.0

    def shares_words(self, query: str) -> bool:
        """Whether the query shares any word (not just a number) with the corpus. An English question over a
        Chinese report shares only numbers such as 2024, which would rank passages by coincidence."""
        return any(term in self._postings for term in tokenize(query) if not term[0].isdigit())

    def idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def coverage(self, text: str) -> float:
        """Share of the text's Chinese characters that stand in a character pair (or a one-character run) occurring
        anywhere in the corpus; 1.0 for a text without any. A claim about 三甲医院 in a report that never says it
        scores low; the pairs straddling two words ("郑州提出旅游收入目标": 州提, 出旅) count for nothing either way."""
        covered = total = 0
        for run in CJK_RUN.findall(text):
            if len(run) == 1:
                covered, total = covered + (run in self._postings), total + 1
                continue
            found = [run[i:i + 2] in self._postings for i in range(len(run) - 1)]
            covered += sum((i > 0 and found[i - 1]) or (i < len(found) and found[i]) for i in range(len(run)))
            total += len(run)
        return covered / total if total else 1.0

    def overlap(self, query: str, texts: Sequence[str]) -> list[float]:
        """For each text, the IDF-weighted share of the query's words (numbers aside) found in it: 1.0 when
        every distinctive word of the question is there. Words the corpus lacks do not count."""
        terms = {t for t in tokenize(query) if not t[0].isdigit() and t in self._postings}
        total = sum(self.idf(t) for t in terms)
        if not total:
            return [0.0] * len(texts)
        return [sum(self.idf(t) for t in terms & set(tokenize(text))) / total for text in texts]

    def search(self, query: str, n: int) -> list[tuple[int, float]]:
        """Best ``n`` (document index, score) pairs with a positive score."""
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokenize(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (self.size - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc, tf in postings:
                norm = self.k1 * (1 - self.b + self.b * self._lengths[doc] / self._avg_length)
                scores[doc] += idf * tf * (self.k1 + 1) / (tf + norm)
        return sorted(scores.items(), key=lambda item: -item[1])[:n]
