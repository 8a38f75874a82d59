"""The report's side of a fact-check: the clauses of retrieved passages a claim is judged on, each read in its
sentence: what a figure counts there, which kind of a thing listed it is, and the way the report moves it."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from bot.retrieval.context import Sentence, clauses_of, sentences_of
from bot.retrieval.retriever import Passage
from bot.understand.claims import Direction, direction_of
from bot.understand.terms import in_report_terms, is_kind_of, most_specific, named_terms
from zzbot import figure_check, figure_words, numbers
from zzbot.text import CJK_RUN, CLAUSE_END, chinese_pairs


@dataclass
class Clause(Sentence):
    """A clause of a retrieved passage (absolute offsets), with the span of the sentence it belongs to."""

    sentence: tuple[int, int] = (0, 0)

    def own_words(self, figure: numbers.Figure) -> str:
        """Read in its sentence: an item of an enumeration may count the thing of the item before it
        ("确保粮食播种面积稳定在446万亩以上、总产量稳定在29亿斤以上": the grain's output)."""
        at = self.start - self.sentence[0]
        return figure_words.own_words(sentence_text(self), replace(figure, start=figure.start + at, end=figure.end + at))


def passage_clauses(passage: Passage) -> list[Clause]:
    return [Clause(c.passage, c.start, c.end, c.text, sentence=(sentence.start, sentence.end))
            for sentence in sentences_of([passage]) for c in clauses_of(sentence)]


def sentence_text(clause: Clause) -> str:
    """The whole sentence a clause belongs to."""
    chunk = clause.passage.chunk
    return chunk.text[clause.sentence[0] - chunk.start: clause.sentence[1] - chunk.start]


def names_kind(clause: str, piece: Clause, figure: numbers.Figure) -> bool:
    """Whether a claim's figure's clause names the kind of thing ``figure`` (of ``piece``) counts, where the report's
    sentence gives kinds of one thing in one unit, their words ending alike (供水 of "新建改造供水管网85公里、燃气管网
    102公里、供热管网31.5公里": a claim on 天然气管道 of 85公里 is not about the water mains; 市区新建 of "市区新建中小
    学校10所，投入使用中小学校15所": one on 投入使用中小学校10所 is about the 15所). A kind of a figure of the same value
    will do (“免证可办”事项100个、“跨省通办”事项100个). A thing and a kind of it (汽车 and 新能源汽车) are no two kinds.
    True where the sentence gives no kinds; for an English claim, also where it names none of them (its "new" is
    no Chinese 新建)."""
    words = in_report_terms(clause)
    sentence = sentence_text(piece)
    at = piece.start - piece.sentence[0] + figure.start
    listed = [f for f in numbers.number_figures(sentence) if (f.unit, f.percent) == (figure.unit, figure.percent)]
    if not CJK_RUN.search(words) or all(f.start != at for f in listed):
        return True
    own = {f.start: figure_words.words_before(sentence, f) for f in listed}
    kin = [f for f in listed if f.start == at or (len(_common_end(own[f.start], own[at])) >= 2
                                                  and not _part_and_whole(own[f.start], own[at]))]
    head = _common_end(*(own[f.start] for f in kin))
    if len(kin) < 2 or len(head) < 2:
        return True
    kinds = {f.start: own[f.start][:-len(head)] for f in kin}
    size = min(map(len, kinds.values()))  # the kind's own words: as many characters as the shortest kind's
    # The kind the claim names most: 市区 of "郑州市区…投入使用中小学校10所" is shared with 市区新建, 投入使用 wholly.
    shared = {f.start: len(chinese_pairs(kinds[f.start][-size:]) & chinese_pairs(words)) for f in kin}
    named = {start for start, count in shared.items() if count and count == max(shared.values())}
    if size < 2 or (not named and not CJK_RUN.search(clause)):
        return True
    return any(f.start in named for f in kin if figure_check.same_value(f.value, figure.value))


def _part_and_whole(words: str, other: str) -> bool:
    """Whether the report terms of two figures' words are a thing and a kind of it (新能源汽车 and 汽车)."""
    terms, others = most_specific(named_terms(words)), most_specific(named_terms(other))
    return any(is_kind_of(a, b) or is_kind_of(b, a) for a in terms for b in others)


def _common_end(*words: str) -> str:
    return os.path.commonprefix([w[::-1] for w in words])[::-1]


def reported_direction(clause: Clause, figure: numbers.Figure) -> tuple[Direction | None, str | None]:
    """The way the report moves a figure: by its own words, its clause's, else the verb of the list it is in
    (新增城镇就业12.65万人、农村劳动力转移就业2.68万人: things listed share the list's verb)."""
    at = clause.start - clause.sentence[0] + figure.start
    listed = CLAUSE_END.split(sentence_text(clause)[:at])[-1]
    return next((found for words in (figure_words.own_words(clause.text, figure), clause.text, listed)
                 if (found := direction_of(words))[0]), (None, None))
