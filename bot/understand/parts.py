"""A message asking several things at once, split into the questions it asks: "失业率控制在多少？物价涨幅呢？",
"新增绿地多少，新建公园游园多少个，道路绿化多少条？", "Who delivered the report, and what is the GDP target?",
"院士和优秀人才分别引进多少？". Each is answered on its own (``bot.policy.chain``): a small model asked two things
answers one, or gives one thing's figure for the other. A calculation or a list over several things is one
question, answered whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.understand.claims import LIST_JOINS, counts_listed_things
from bot.understand.calculation import asks_calculation
from bot.understand.questions import (CLAUSE_SPLIT, QUESTION_WORD, asks_figure_list, asks_list,
                                     asks_quantity, time_word_at)
from zzbot import numbers
from zzbot.text import CJK, CJK_RUN

# 分别/各 ("each") asks one thing of each of the things listed before it (not 各类, 各级…: kinds, levels).
_EACH = re.compile(r"分别|各自|各(?![类种项地级个方界位])")
_QUESTION_MARKS = ("？", "?")


def asked_parts(text: str, in_report: Callable[[str], bool] = lambda _: False) -> list[str]:
    """The questions ``text`` asks, each in its own words (the sentences before the first question go with it);
    ``[text]`` when it asks one thing, or works out or lists something over several (those are answered whole).
    ``in_report`` tells the report's words (the head the things listed share: 粮食和蔬菜播种面积)."""
    if asks_calculation(text) or asks_list(text) or asks_figure_list(text):
        return [text]
    for split in (_by_sentence, _by_clause, lambda t: _by_thing(t, in_report)):
        if len(parts := split(text)) >= 2:
            return parts
    return [text]


def _by_sentence(text: str) -> list[str]:
    """Sentences ending in a question mark, each with what comes before it since the last one."""
    pieces, piece = [], ""
    for char in text:
        piece += char
        if char in _QUESTION_MARKS:
            pieces.append(piece.strip())
            piece = ""
    # Each with a question word: "听说新增学位只有1万个？那…" takes a premise for granted, checked with the rest.
    if len(pieces) < 2 or not all(QUESTION_WORD.search(p) for p in pieces):
        return []
    if piece.strip():  # "…？谢谢" closes the last question
        pieces[-1] += piece.rstrip()
    return pieces


def _by_clause(text: str) -> list[str]:
    """Clauses of one sentence that each ask for a figure of their own thing ("新增绿地多少，新建公园游园多少个"), or
    English clauses joined by "and" before a question word; a clause asking nothing goes with the next one."""
    if not CJK.search(text):
        return _by_english_clause(text)
    clauses = [c.strip() for c in CLAUSE_SPLIT.split(text.strip().rstrip("？?")) if c.strip()]
    asking = [c for c in clauses if _asks_of_its_own(c)]
    if len(asking) < 2:
        return []
    parts, before = [], ""
    for clause in clauses:
        if clause in asking:
            parts.append(f"{before}{clause}？")
            before = ""
        else:
            before += f"{clause}，"
    return parts


def _by_english_clause(text: str) -> list[str]:
    """"Who delivered the report, and what is the GDP target?": a question, then ", and" before a question word
    with words of its own ("…, and how many?" asks the first question's thing: it stays with it)."""
    parts = []
    for clause in (c.strip() for c in CLAUSE_SPLIT.split(text.strip().rstrip("?？")) if c.strip()):
        rest = clause[4:].lstrip() if clause[:4].lower() == "and " else ""
        if parts and QUESTION_WORD.match(rest) and len(_without_asking(rest).split()) >= 2:
            parts.append(rest)
        elif parts:
            parts[-1] += f", {clause}"
        else:
            parts.append(clause)
    return [f"{p}?" for p in parts] if len(parts) >= 2 and QUESTION_WORD.match(parts[0]) else []


def _asks_of_its_own(clause: str) -> bool:
    """A Chinese clause asking a quantity of some words of its own ("道路绿化多少条")."""
    return asks_quantity(clause) and sum(map(len, CJK_RUN.findall(_without_asking(clause)))) >= 2


def _without_asking(clause: str) -> str:
    return QUESTION_WORD.sub("", clause)


def _by_thing(text: str, in_report: Callable[[str], bool]) -> list[str]:
    """"A和B分别/各…" asked of each thing listed: "院士和优秀人才今年分别引进多少" → "院士今年引进多少",
    "优秀人才今年引进多少"; "电子信息和汽车两个集群规模各是多少" → "电子信息集群规模是多少", "汽车集群规模是多少"."""
    each = _EACH.search(text)
    if each is None or not CJK.search(text):
        return []
    start = max(text.rfind(mark, 0, each.start()) for mark in "，,；;：:。") + 1
    items = LIST_JOINS.split(text[start:each.start()])
    if len(items) < 2 or not all(len(item.strip()) >= 2 for item in items):
        return []
    # Time words before the first thing are every part's ("今年院士和…").
    lead = 0
    while (at := time_word_at(items[0], lead)) is not None:
        lead = at
    frame, items[0] = items[0][:lead], items[0][lead:]
    # The last thing runs up to the words every thing shares: a time, 的, or the count of the things (两个); not up
    # to a verb-like character (上 of 博士以上).
    last, listed = items[-1], text[start:each.start()]
    end = next((i for i in range(2, len(last)) if last[i] == "的" or time_word_at(last, i) is not None), len(last))
    offset = len(listed) - len(last)  # where the last thing starts in the listed words
    counts = [f for f in numbers.number_figures(listed) if counts_listed_things(listed, f)]
    shared = last[end:]
    if counts and counts[0].start - offset < end:
        end, shared = counts[0].start - offset, last[counts[0].end - offset:]
    head = shared_head_at([*items[:-1], last[:end]], in_report) or end
    items[-1], shared = last[:head], last[head:end] + shared
    rest = shared + text[each.end():]
    return [f"{text[:start]}{frame}{item.strip()}{rest}" for item in items]


def shared_head_at(things: list[str], in_report: Callable[[str], bool]) -> int | None:
    """Where, in the last of the things listed, the head they share begins, written once after the last ("粮食和
    蔬菜播种面积": 播种面积; "供水、燃气、供热管网": 管网): the report writes every earlier thing with it (粮食播种面积,
    供水管网). None when it writes none so."""
    last = things[-1]
    return next((at for at in range(2, len(last) - 1)
                 if all(in_report(thing.strip() + last[at:]) for thing in things[:-1])), None)


def with_shared_head(things: list[str], in_report: Callable[[str], bool]) -> list[str]:
    """The things listed, each with the head they share (``shared_head_at``): "新建" and "投入使用的中小学校" are
    新建中小学校 and 投入使用的中小学校. One thing written as several before one head, with no mark between them
    ("供水燃气供热管网"), is the things the report writes each with that head (供水管网, 燃气管网, 供热管网)."""
    if len(things) == 1:
        return _run_together(things[0], in_report) or things
    if len(things) < 2 or (at := shared_head_at(things, in_report)) is None:
        return things
    return [thing.strip() + things[-1][at:] for thing in things[:-1]] + [things[-1]]


def _run_together(thing: str, in_report: Callable[[str], bool]) -> list[str] | None:
    """The report's things run together in ``thing``, each of its words before the head written with the head
    (``with_shared_head``); None unless there are at least two."""
    thing = thing.strip()
    for at in range(len(thing) - 2, 1, -1):  # the shortest head first: 管网, not 供热管网
        head, before = thing[at:], thing[:at]
        for lead in range(len(before) - 3):  # words before the first thing ("今年") are no thing
            if (pieces := _pieces(before[lead:], head, in_report)) and len(pieces) >= 2:
                return [piece + head for piece in pieces]
    return None


def _pieces(words: str, head: str, in_report: Callable[[str], bool]) -> list[str] | None:
    """``words`` cut into pieces of two to four characters, each written with ``head`` in the report; None when
    they cannot be."""
    if not words:
        return []
    for size in (2, 3, 4):
        if (len(words) >= size and in_report(words[:size] + head)
                and (rest := _pieces(words[size:], head, in_report)) is not None):
            return [words[:size], *rest]
    return None
