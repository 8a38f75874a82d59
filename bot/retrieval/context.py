"""What the model reads: the sentences of the retrieved passages closest to the question, within a budget.

Each sentence scores as its best clause plus the words it shares with the question (a long list of targets is
diluted as a whole, and the embedder alone puts "今年政府工作总体要求" above "地区生产总值增长7%左右" for a question
about this year's GDP target). Only sentences nearly as close as the best one are kept: distractors are what
make a small model pick the neighbouring figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.understand.questions import asks_list, quoted_phrases
from bot.retrieval.retriever import Passage
from zzbot import figure_words
from zzbot import numbers
from zzbot.settings import AnswerSettings
from zzbot.text import clause_spans, long_sentence_clauses, names_outside_per, split_sentences

# A long sentence is shown whole to the model when it is no longer than this.
SHOWN_WHOLE = 80
# The prior a sentence gets from its passage's fused rank (divided by the rank), so keyword evidence counts too.
PASSAGE_PRIOR = 0.03


@dataclass
class Sentence:
    passage: Passage
    start: int  # absolute offsets in the source document
    end: int
    text: str
    score: float = 0.0  # for ranking: embedding similarity, shared words, passage rank
    similarity: float = 0.0  # for thresholds: embedding similarity (best clause) and passage rank
    whole_score: float = 0.0  # the ranking score of the sentence as a whole, without its clauses
    # What the model reads: the sentence, or for a long one its first clause and the clauses close to
    # the question, gaps marked "…". Citations and quotes use ``text``, the exact source.
    shown: str = ""

    @property
    def section(self) -> str:
        return self.passage.chunk.section

    def own_words(self, figure: numbers.Figure) -> str:
        """What ``figure`` (one of this text's) counts, in this text's words (``figure_words.own_words``)."""
        return figure_words.own_words(self.text, figure)


Context = list[list[Sentence]]  # per numbered passage [1], [2]…


class Similarity(Protocol):
    """What context selection needs from the engine."""

    def similarities(self, query: str, texts: list[str], sections: list[str] | None = None) -> np.ndarray: ...

    def word_overlap(self, query: str, texts: list[str]) -> list[float]: ...


def sentences_of(passages: list[Passage]) -> list[Sentence]:
    return [
        Sentence(p, s + p.chunk.start, e + p.chunk.start, p.chunk.text[s:e])
        for p in passages
        for s, e in split_sentences(p.chunk.text)
    ]


def clauses_of(sentence: Sentence) -> list[Sentence]:
    """The sentence cut at commas and enumeration marks, keeping absolute offsets."""
    pieces = [Sentence(sentence.passage, sentence.start + s, sentence.start + e, sentence.text[s:e])
              for s, e in clause_spans(sentence.text, enumerations=True)]
    return pieces or [sentence]


def all_sentences(context: Context) -> list[Sentence]:
    return [s for group in context for s in group]


def sentences_naming(context: Context, terms: Sequence[str]) -> list[Sentence]:
    """The context sentences speaking of every one of ``terms`` (not only as the base of a per-unit figure, 每千人口);
    none for no terms."""
    return [s for s in all_sentences(context) if terms and all(names_outside_per(s.text, term) for term in terms)]


def best_similarity(context: Context) -> float:
    """How well the report's closest sentence matches the question, on the scale of the thresholds."""
    return max((s.similarity for s in all_sentences(context)), default=-1.0)


class ContextBuilder:
    """Picks and trims the context sentences for one question."""

    def __init__(self, similarity: Similarity, settings: AnswerSettings) -> None:
        self.similarity = similarity
        self.settings = settings

    def relevance(self, question: str, chinese: str, texts: list[str],
                  sections: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's similarity to the question (or to its report wording, ``chinese``, if closer), and that
        plus the words they share."""
        dense = self.similarity.similarities(question, texts, sections)
        if chinese:
            dense = np.maximum(dense, self.similarity.similarities(chinese, texts, sections))
        return dense, dense + self.settings.word_weight * np.array(
            self.similarity.word_overlap(chinese or question, texts))

    def build(self, question: str, passages: list[Passage], chinese: str = "",
              cover: Sequence[frozenset[str]] = ()) -> Context:
        """The sentences closest to the question (or to its Chinese version), within the context budget,
        grouped by passage in rank order. ``cover``: groups of documents (file names) each of which gives at least
        its closest sentence (a question over two years' reports: each year's figure, however far below the
        other's)."""
        sentences = sentences_of(passages)
        if not sentences:
            return []
        clauses, clause_scores = self._score(question, chinese, sentences, passages)
        chosen = self._choose(question, sentences, clauses, clause_scores, passages)
        for sources in cover:
            if not any(s.passage.chunk.source in sources for s in chosen) and (
                    best := next((s for s in sorted(sentences, key=lambda s: -s.score)
                                  if s.passage.chunk.source in sources), None)) is not None:
                index = sentences.index(best)
                best.shown = shown_clauses(best.text, clauses[index], list(clause_scores[index]),
                                           max(clause_scores[index], default=0.0) - self.settings.context_margin)
                chosen.append(best)
        groups: Context = []
        for passage in passages:
            group = sorted((s for s in chosen if s.passage is passage), key=lambda s: s.start)
            if group:
                groups.append(group)
        return groups

    def _score(self, question: str, chinese: str, sentences: list[Sentence],
               passages: list[Passage]) -> tuple[list[list[tuple[int, int]]], list[np.ndarray]]:
        """Set each sentence's score and similarity (as its best clause); return the clause spans and scores.
        The clause units are those the index embeds, so their vectors come from the index."""
        clauses = [long_sentence_clauses(s.text, 0, len(s.text)) for s in sentences]
        texts = [s.text for s in sentences] + [s.text[a:b] for s, spans in zip(sentences, clauses) for a, b in spans]
        sections = [s.section for s in sentences] + [s.section for s, spans in zip(sentences, clauses) for _ in spans]
        dense, ranking = self.relevance(question, chinese, texts, sections)
        # A phrase the question quotes (郑州要打造什么“之城”？) is the report's own wording: the text holding it
        # gets the full word weight once more.
        if quoted := quoted_phrases(question):
            ranking += self.settings.word_weight * np.array([any(q in t for q in quoted) for t in texts])
        # Sentence i's clauses are at texts[bounds[i]:bounds[i + 1]].
        bounds = np.cumsum([len(sentences), *(len(spans) for spans in clauses)])
        clause_scores = [ranking[bounds[i]:bounds[i + 1]] for i in range(len(sentences))]
        for i, sentence in enumerate(sentences):
            prior = _prior(sentence, passages)
            sentence.score = float(max([ranking[i], *clause_scores[i]])) + prior
            sentence.similarity = float(max([dense[i], *dense[bounds[i]:bounds[i + 1]]])) + prior
            sentence.whole_score = float(ranking[i])
        return clauses, clause_scores

    def _choose(self, question: str, sentences: list[Sentence], clauses: list[list[tuple[int, int]]],
                clause_scores: list[np.ndarray], passages: list[Passage]) -> list[Sentence]:
        ranked = sorted(sentences, key=lambda s: -s.score)
        floor = ranked[0].score - self.settings.context_margin
        listing = asks_list(question)
        chosen: list[Sentence] = []
        for sentence in ranked:
            if sentence.score < floor:
                break
            index = sentences.index(sentence)
            # "What are the main targets?" matches the sentence listing them better than any one clause.
            whole = listing and sentence.whole_score >= max(clause_scores[index], default=np.inf)
            sentence.shown = sentence.text if whole else shown_clauses(
                sentence.text, clauses[index], list(clause_scores[index]), floor - _prior(sentence, passages))
            if chosen and sum(len(s.shown) for s in chosen) + len(sentence.shown) > self.settings.context_chars:
                continue
            chosen.append(sentence)
        return chosen


def _prior(sentence: Sentence, passages: list[Passage]) -> float:
    return PASSAGE_PRIOR / (passages.index(sentence.passage) + 1)


def shown_clauses(text: str, clauses: list[tuple[int, int]], scores: list[float], floor: float) -> str:
    """A long sentence cut to its first clause (its subject, often "the main targets are:") and the clauses
    scoring at least ``floor``, each with the punctuation after it; "…" marks what is left out."""
    if len(text) <= SHOWN_WHOLE or not clauses:
        return text
    keep = [i for i, score in enumerate(scores) if i == 0 or score >= floor]
    pieces, previous = [], -1
    for i in keep:
        start, end = clauses[i]
        end = end + 1 if end < len(text) and not text[end].isalnum() else end
        if previous >= 0 and i != previous + 1:
            pieces.append("…")
        pieces.append(text[start:end])
        previous = i
    if keep[-1] != len(clauses) - 1:
        pieces.append("…")
    return "".join(pieces)
