"""Citations: the [n] markers of an answer and the passages they point at, with the spans to highlight."""

from __future__ import annotations

import re

from zzbot import numbers
from zzbot import figure_check
from bot.retrieval.context import Sentence
from bot.retrieval.retriever import Passage
from bot.schema import Citation
from zzbot.text import CITATION_MARKER

Span = tuple[int, int]


def citation_for(n: int, passage: Passage, highlights: list[Span]) -> Citation:
    """Citation [n] of a retrieved passage, highlighting the given absolute spans."""
    chunk = passage.chunk
    return Citation(
        n=n, chunk_id=chunk.chunk_id, source=chunk.source, section=chunk.section, text=chunk.text,
        start=chunk.start, end=chunk.end, score=round(passage.score, 6), highlights=list(highlights),
    )


def figure_highlights(group: list[Sentence], figures: list[numbers.Figure]) -> list[Span]:
    """The sentences of a passage holding the answer's figures (all of them when it has none), then each of
    those figures inside them."""
    holding = [s for s in group if figure_check.states_any(s.text, figures)] or group
    spans = [(s.start, s.end) for s in holding]
    for s in holding:
        spans += [(s.start + f.start, s.start + f.end) for f in numbers.number_figures(s.text)
                  if figure_check.same_as_any(f, figures)]
    return spans


def renumber(answer: str, new_numbers: dict[int, int]) -> str:
    """The answer with its markers renumbered ({3: 1, 1: 2}: [3] … [1] becomes [1] … [2]); markers of
    passages not in the mapping are dropped."""

    def replace(match: re.Match[str]) -> str:
        kept = [new_numbers[n] for n in map(int, re.findall(r"\d+", match.group(1))) if n in new_numbers]
        space = match.group()[: len(match.group()) - len(match.group().lstrip())]
        return space + "".join(f"[{n}]" for n in dict.fromkeys(kept)) if kept else ""

    return CITATION_MARKER.sub(replace, answer).strip()


def repoint(answer: str, sources: list[str]) -> str:
    """Point each [n] at the passage that holds the figures of the text before it, when the model
    cited a passage that does not hold them."""
    pieces, last = [], 0
    for marker in CITATION_MARKER.finditer(answer):
        segment = answer[last:marker.start()]
        cited = [int(n) for n in re.findall(r"\d+", marker.group(1))]
        checks = [c for c in figure_check.match_figures(segment, sources) if c.figure.kind == "number" and c.found]
        holders = {c.source_index for c in checks}
        replacement = marker.group()
        if checks and not holders & {n - 1 for n in cited}:
            best = max(holders, key=lambda j: sum(c.source_index == j for c in checks))
            replacement = marker.group()[: len(marker.group()) - len(marker.group().lstrip())] + f"[{best + 1}]"
        pieces += [segment, replacement]
        last = marker.end()
    return "".join(pieces) + answer[last:]


def quoted_sentence(citation: Citation) -> str:
    """The sentence a citation quotes (its first highlight), or its whole passage."""
    if not citation.highlights:
        return citation.text
    start, end = citation.highlights[0]
    return citation.text[start - citation.start:end - citation.start]
