"""A list of figures asked for ("人才引进方面今年给了哪些数字？", "Which figures does the report give for pipelines?"),
answered from the report's own words: every figure of the closest sentences, each sentence quoted from its first
figure's clause to its last one's and cited. A small model asked to enumerate gives two of six figures or stops at
one sentence; the closest sentences are what the question's topic covers, so they are listed whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.answer.citations import citation_for
from bot.retrieval.context import Context, Sentence, clauses_of
from bot.schema import Citation, FigureCheck, Lang
from zzbot import in_english, numbers
from zzbot.text import split_sentences


@dataclass(frozen=True)
class ListedFigures:
    answer: str
    citations: list[Citation]
    figures: list[FigureCheck]
    working: str | None = None  # nothing is worked out (a computed answer's place for its calculation)


def figure_span(sentence: Sentence, set_aside: frozenset[str] = frozenset()
                ) -> tuple[str, list[numbers.Figure], tuple[int, int]] | None:
    """The sentence from its first clause with a figure to its last one (its report-order span), the figures in it
    and the span's absolute offsets; None when it states no figure. A clause at either end naming a term the
    question sets aside (``set_aside``: 生产总值 of "除了GDP…") is left out."""
    clauses = [c for c in clauses_of(sentence) if numbers.number_figures(c.text)]
    while clauses and any(term in clauses[0].text for term in set_aside):
        clauses.pop(0)
    while clauses and any(term in clauses[-1].text for term in set_aside):
        clauses.pop()
    if not clauses:
        return None
    start, end = clauses[0].start, clauses[-1].end
    text = sentence.text[start - sentence.start:end - sentence.start]
    return text, numbers.number_figures(text), (start, end)


def listed_figures(context: Context, lang: Lang, margin: float, relevance: Callable[[list[str]], np.ndarray],
                   set_aside: frozenset[str] = frozenset()) -> ListedFigures | None:
    """Every figure of the context sentences closest to the topic (``relevance`` scores texts against it, without
    the words asking for a list: "目标" would pull in the targets' sentence), those within ``margin`` of the
    closest, in report order, each passage cited; None when no context sentence states a figure."""
    # Each sentence's figure span, found once: (group index, sentence, span).
    stating = [(n, s, found) for n, group in enumerate(context) for s in group
               if (found := figure_span(s, set_aside)) is not None]
    if not stating:
        return None
    scores = relevance([_with_lead(s) for _, s, _ in stating])
    floor = float(np.max(scores)) - margin
    kept = [item for item, score in zip(stating, scores, strict=True) if score >= floor]
    pieces: list[str] = []
    citations: list[Citation] = []
    figures: list[FigureCheck] = []
    for n, group in enumerate(context):
        spans = sorted(((s, found) for m, s, found in kept if m == n), key=lambda item: item[0].start)
        if not spans:
            continue
        cited = len(citations) + 1
        citations.append(citation_for(cited, group[0].passage, [found[2] for _, found in spans]))
        for _, (text, stated, _) in spans:
            figures += [FigureCheck(f.text, True, cited) for f in stated]
            if lang == "en":
                amounts = "; ".join(in_english.english_amount(f, qualified=True) for f in stated)
                pieces.append(f"{amounts} (report: “{text}”) [{cited}]")
            else:
                pieces.append(f"{text}[{cited}]")
    if not pieces:
        return None
    if lang == "en":
        return ListedFigures("The report gives these figures:\n" + "\n".join(f"- {p}" for p in pieces),
                             citations, figures)
    return ListedFigures("报告给出的数字：" + "；".join(pieces) + "。", citations, figures)


def _with_lead(sentence: Sentence) -> str:
    """The sentence read with the one before it in its passage, which often names its topic (持续推进国土空间增绿扩绿。
    before 完成营造林3.28万亩…)."""
    chunk = sentence.passage.chunk
    at = sentence.start - chunk.start
    before = [(a, b) for a, b in split_sentences(chunk.text) if b <= at]
    return chunk.text[before[-1][0]:at] + sentence.text if before else sentence.text
