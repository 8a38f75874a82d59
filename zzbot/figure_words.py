"""The words around a figure in its text: what it follows in its clause, what it counts right after it, and the
linking verbs between what is measured and its figure ("研发投入强度达到2.8%")."""

from __future__ import annotations

import re

from zzbot.numbers import Figure, number_figures
from zzbot.text import CJK_RUN, CLAUSE_END

_WORDS_AFTER = re.compile(r"[^\s，,；;：:。！？!?、（(0-9]*")
# Linking verbs between what is measured and its figure ("研发投入强度达到2.8%"), not part of what is measured.
LINKS = ("提升至", "提高到", "提高至", "增加到", "稳定在", "控制在", "保持在", "达到", "突破", "超过", "不低于", "不少于",
         "达", "至", "到", "为", "在", "超")
EDGE = "、和及与等的 \t"
# Words this short before a figure are a bare verb ("完成"): the figure measures the previous figure's subject.
_BARE_VERB = 2
# A total this short with no thing of its own ("总产量", "总产值") totals the previous figure's thing: "粮食播种面积
# 稳定在446万亩以上、总产量稳定在29亿斤以上" is the grain's output.
_TOTAL, _BARE_TOTAL = "总", 4


def own_words(text: str, figure: Figure) -> str:
    """The words a figure follows in its clause (``words_before``) and the words it counts right after it:
    "燃气管网" for 102公里 in "新建改造供水管网85公里、燃气管网102公里", "抓好已谋划的…个项目建设" for 3800 in
    "抓好已谋划的3800个项目建设", and for 1300亿元 in "力争工业投资增长20%以上，完成1300亿元" the investment's words
    (``words_before``)."""
    return f"{words_before(text, figure)}…{words_after(text, figure.end)}"


def counted_words(text: str, figure: Figure) -> str:
    """The words naming what a figure counts, of its own words: the thing right after it ("3800个项目建设" →
    个项目建设), else the last of the things listed before it ("一流大学、科研机构郑州研究院10家" → 科研机构郑州研究院:
    the universities name whose institutes they are; "…产业园等1000个产业项目" counts the projects), else all of them."""
    after = words_after(text, figure.end)
    if sum(map(len, CJK_RUN.findall(after))) >= 2:
        return after
    before = words_before(text, figure)
    return before[max(before.rfind("、"), before.rfind("等")) + 1:]


def words_before(text: str, figure: Figure, figures: list[Figure] | None = None) -> str:
    """The words a figure follows in its clause, from the previous figure (of ``figures``, by default the text's)
    or the punctuation before it. When they are only a bare verb ("，完成1300亿元"), the figure measures what the
    previous figure does, whose words come first (without its 增长: a rate's verb is not what the amount counts); so
    do they when they are only a total ("、总产量稳定在"), of the previous figure's thing."""
    figures = number_figures(text) if figures is None else figures
    previous = [f for f in figures if f.end <= figure.start]
    clause_ends = [m.end() for m in CLAUSE_END.finditer(text, 0, figure.start)]
    start = max([f.end for f in previous] + clause_ends, default=0)
    words = text[start:figure.start].lstrip("、 ")
    own = without_links(words)
    if previous and len(own) + len(words_after(text, figure.end)) <= _BARE_VERB:
        return words_before(text, previous[-1], figures).removesuffix("增长") + words
    if previous and own.startswith(_TOTAL) and len(own) <= _BARE_TOTAL:
        return f"{without_links(words_before(text, previous[-1], figures))}…{words}"
    return words


def without_links(words: str) -> str:
    """What is measured, without the verbs linking it to its figure ("研发投入强度达到" → "研发投入强度")."""
    words = words.strip(EDGE)
    changed = True
    while changed:
        changed = False
        for link in LINKS:
            if words.endswith(link) and len(words) > len(link):
                words, changed = words[: -len(link)], True
    return words.strip(EDGE)


def words_after(text: str, position: int) -> str:
    """The words right after a figure up to the next punctuation or figure: what a leading figure counts
    ("个项目建设" after 3800)."""
    match = _WORDS_AFTER.match(text, position)
    return match.group() if match else ""
