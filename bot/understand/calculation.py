"""What a question asks to work out from the report's figures (a sum, a comparison, a ratio, a per-unit amount, a
share) and the things it names for it ("供水、燃气、供热管网一共多少公里" → 供水, 燃气, 供热管网)."""

from __future__ import annotations

import re
from typing import Literal

from bot.understand.questions import (COUNTED_THINGS, TIME_WORDS, PART_SEPARATOR, QUESTION_WORD, asking_clause,
                                      asks_list)
from zzbot.numbers import number_figures
from zzbot.text import CJK as _CJK

Calculation = Literal["sum", "comparison", "ratio", "per_unit", "share"]
# What a question sets aside ("除了新增城镇就业，其他…", "Apart from new-energy vehicles, how many…"): not what it asks
# about. The rest of a whole once that part is taken out ("汽车产量里除了新能源车，其他车多少万辆") is the difference
# of the two: a comparison of the whole and the part.
_SET_ASIDE_ZH = r"除了?(?P<zh_part>[^，,。？?]{2,16}?)(?:之外|以外)?[，,]?(?=其他|其余|剩下|剩余|还)"
_SET_ASIDE_EN = r"\b(?:other\s+than|apart\s+from|excluding|not\s+counting|besides)\s+(?P<en_part>[^,?？]+?),?\s+(?=how\b|what\b)"
_SET_ASIDE = re.compile(f"{_SET_ASIDE_ZH}|{_SET_ASIDE_EN}", re.IGNORECASE)
_REMAINDER = re.compile(
    rf"(?P<zh_whole>[^，,。？?]{{2,12}}?)(?:里|中|当中)?[，,]?{_SET_ASIDE_ZH}[^，,。？?]{{2,12}}?(?:多少|几)|"
    rf"{_SET_ASIDE_EN}how\s+(?:many|much)\s+(?:other\s+|more\s+)?(?P<en_whole>[a-z][a-z -]*?)\s+"
    r"(?:will|are|is|do|does|would|can)\b",
    re.IGNORECASE)


def set_aside(text: str) -> str:
    """What ``text`` sets aside ("除了GDP，还有哪些目标" → GDP), "" when nothing."""
    match = _SET_ASIDE.search(text)
    return (match.group("zh_part") or match.group("en_part") or "").strip() if match else ""


def without_set_aside(text: str) -> str:
    """``text`` without what it sets aside ("除了新增城镇就业，其他就业目标有多少人" → "其他就业目标有多少人")."""
    return _SET_ASIDE.sub(" ", text).strip()


# What a question asks to work out, first match wins: a difference ("多多少", "by how much") is answered as a
# comparison, which states both figures, which is larger and by how much.
_CALCULATIONS: tuple[tuple[Calculation, re.Pattern[str]], ...] = (
    ("ratio", re.compile(r"几倍|多少倍|\bhow\s+many\s+times\b|\bratio\b|\btimes\s+(?:as|the)\b", re.IGNORECASE)),
    ("share", re.compile(r"占.{0,16}(?:比例|比重|百分之|几成|多少)|几分之几|\bwhat\s+(?:share|percentage|proportion|fraction)\b"
                         r"|\bshare\s+of\b", re.IGNORECASE)),
    ("per_unit", re.compile(r"平均到?每|平均一|人均|\bon\s+average\b|\baverage\b[^?？]*\bper\b|\bper\s+(?!cent\b)[a-z]|"
                            # "how much would each tourist visit bring in": an amount shared out, one each
                            r"\bhow\s+much\b[^?？]*\beach\s+(?!of\b|other\b|year\b)[a-z]", re.IGNORECASE)),
    ("comparison", re.compile(
        # A comparative, not the tail of a verb of change: 增长多少 / 提高多少 / 减少多少 ask for one figure.
        r"多了?多少|(?<![减缺])少了?多少|相差|差了?多少|差距|(?<![提升增])高多少|(?<![降减])低多少|(?<![扩放增])大多少|"
        r"(?<![缩减])小多少|(?<![增延成])长多少|多出|"
        r"(?:高|低|多|少|大|小|长|短)几个|哪个.{0,8}(?:多|大|高|长|快|少|小|低|短)|哪类.{0,10}(?:多|大|高|少)|哪一?项.{0,8}(?:多|大|高)|"
        r"还是.{0,12}(?:多|大|高|长|快)|一样吗|相同吗|是否相同|一样多|比[^，,。？?]{1,16}(?:高|低|多|少|大|小|长|短|快|慢)(?:吗|不)|"
        # "燃气管网比供水管网多建多少公里": a verb between the comparative and the question word.
        r"比[^，,。？?]{1,16}?[多少][\u4e00-\u9fff]{1,2}?(?:多少|几)|"
        r"\bhow\s+(?:much|many)\s+(?:more|less|fewer|bigger|larger|higher|lower|smaller|longer)\b|\bdifference\b|"
        # "by how much does the supply grow" asks how much one thing grows, as 增长多少 does.
        r"\bby\s+how\s+(?:much|many)\b(?![^?？]*\b(?:grows?|rises?|increases?|expands?|goes\s+up|go\s+up)\b)|\bwhich\b[^?？]*\b(?:more|bigger|larger|higher|greater|longer|faster|less|smaller|"
        r"lower|fewer)\b|\b(?:(?<!\bany\s)(?<!\bno\s)more|bigger|larger|higher|greater|longer|faster|slower)\b[^?？]*\b(?:than|or)\b|"
        # "any more trees or forests" asks whether there will be more, not which is more.
        r"\bthe\s+same\b|" + _REMAINDER.pattern,
        re.IGNORECASE)),
    ("sum", re.compile(r"一共|总共|合计|共计|加起来|合起来|加在一起|加一块|加到一块|加一起|合在一起|加上|总和|\bsumm(?:ing|ed)\b|\bin\s+(?:all|total)\b|\bcombined\b|\baltogether\b|\bplus\b|"
                       r"\btogether\b|\b(?:counting|including)\s+(?:both|all|them|everything)\b|"
                       r"\badd(?:ed)?\s+up\b|\bsum\s+of\b|\btotal\s+(?:of|number\s+of)\b[^?？]*\band\b|"
                       # "Adding the rental homes to the talent flats, what's the total?": the two things added.
                       r"\b(?:adding|if\s+(?:you|we|I)\s+add)\s+(?!up\b)(?P<added>[^,?？]+?)\s+to\s+(?P<to>[^,?？]+)",
                       re.IGNORECASE)),
)


def asks_calculation(text: str) -> Calculation | None:
    """What a question asks to work out from the report's figures ("一共多少", "which is bigger", "几倍"), or None
    for a question that asks for a figure as the report states it. A comparison needs two things, or one and a
    constant ("覆盖率离100%还差多少"): "财政收入能多多少" asks how much one thing grows, a figure the report states."""
    kind = next((kind for kind, pattern in _CALCULATIONS if pattern.search(text)), None)
    if kind == "sum" and asks_list(text):
        # "交通方面一共给出了哪些数字目标" asks for the targets, listed: figures of different things add up to nothing.
        return None
    if kind == "comparison" and not number_figures(text) and not _REMAINDER.search(text) and (
            len(question_parts(text, kind)) < 2 or _one_thing_asked(text)):
        return None
    return kind


# Words that join the things a comparison weighs against each other, within the clause that asks, or point back to
# the two named before it ("…和…，两者差了多少").
_WEIGHED_AGAINST = re.compile(r"[、和与跟及或比哪]|还是|相比|对比|两者|二者|这两|\b(?:and|or|than|vs\.?|versus|compared|which|"
                              r"both|the\s+two)\b",
                              re.IGNORECASE)


def _one_thing_asked(text: str) -> bool:
    """The clause that asks names one thing and weighs it against nothing: "开车总找不到地方停，今年能多出多少车位"
    asks how many more spaces there will be; the clause before it is the asker's situation, not a second thing.
    A clause asking which ("…，哪个更长") leaves the things to the clauses before it."""
    asked = asking_clause(text)
    return len(question_parts(asked, "comparison")) == 1 and not _WEIGHED_AGAINST.search(asked)


# "A是B的几倍", "A占B的比例": the two things a ratio or share compares.
_OF_WHOLE = re.compile(r"(?P<in_part>.+?)在(?P<in_whole>.+?)(?:里|中|当中)[^，,。？?]{0,6}?占|"
                       r"(?P<zh_part>.+?)(?:是|占|相当于)(?P<zh_whole>.+?)的?(?:大概|大约|约|差不多)?(?:是|有)?"
                       r"(?:几倍|多少倍|比例|比重|百分之几|几分之几|几成|多少)|"
                       r"\b(?:fraction|share|proportion|percentage|part)\s+of\s+(?P<en_whole>.+?)\s+(?:(?:is|are|comes\s+from)\s+"
                       r"(?P<en_part>.+?)|"
                       # "what share of total output would new energy vehicles make up"
                       r"(?:would|will|could|do|does)\s+(?P<en_maker>.+?)\s+(?:make\s+up|account\s+for|represent|reach|hit|amount\s+to))"
                       r"[?？.]*$", re.IGNORECASE)
_ASKING_WORDS = re.compile(
    r"哪个|哪类|哪一项|哪项|多多少|少多少|大多少|高多少|长多少|多出多少|多几个|一共|总共|合计|加起来|加在一起|相差多少|差多少|"
    r"多少|几个|更多|更大|更高|更长|\b(?:how\s+(?:much|many)(?:\s+(?:more|bigger|larger|higher|longer))?|which|what|is|are|"
    r"will|the|in\s+total|in\s+all|combined|altogether|together|bigger|larger|higher|longer|more|by)\b",
    re.IGNORECASE)


_MEASURE_WANTED = re.compile(r"(?:in|as)\s+(?:[a-z]+\s?){1,2}[?？.]*$", re.IGNORECASE)
_YES_NO_COMPARATIVE = re.compile(r"更?[高低多少大小长短](?:吗|不)$")
_SUM = dict(_CALCULATIONS)["sum"]


def question_parts(text: str, kind: Calculation) -> list[str]:
    """The things a calculation question names, in order ("供水、燃气、供热管网一共多少公里" → 供水, 燃气, 供热管网…):
    the pieces between its separators that do not ask; a Chinese sum also counts what its asking piece names, and
    so does any question with fewer than two pieces that do not ask."""
    if kind == "sum" and (match := _SUM.search(text)) and match.group("added"):
        return [match.group("added").strip(), match.group("to").strip()]
    if match := _REMAINDER.search(text):
        return [(match.group("zh_whole") or match.group("en_whole")).strip(" ，,"),
                (match.group("zh_part") or match.group("en_part")).strip(" ，,")]
    if match := _OF_WHOLE.search(text):
        found = {name: value for name, value in match.groupdict().items() if value}
        part = found.get("in_part") or found.get("zh_part") or found.get("en_part") or found.get("en_maker", "")
        whole = found.get("in_whole") or found.get("zh_whole") or found.get("en_whole", "")
        return [part.strip(" ，,"), whole.strip(" ，,")]
    counted = COUNTED_THINGS.search(text) if not _CJK.search(text) else None
    if kind == "per_unit" and counted and " per " in counted.group("things"):
        # "how much investment per project": the total before "per", what it is shared among after it.
        total, _, among = counted.group("things").partition(" per ")
        return [_ASKING_WORDS.sub(" ", total).strip(), among.split()[0]]
    if counted:
        things = [p.strip() for p in PART_SEPARATOR.split(counted.group("things"))
                  if p and p.strip() and not _MEASURE_WANTED.match(p.strip())]
        if len(things) >= 2:
            return things
    # "in yuan", "in km": the measure the answer is wanted in, not a thing to count.
    pieces = [p.strip() for p in PART_SEPARATOR.split(text)
              # A piece that only says to total ("…, counting both?") names no thing.
              if p and p.strip() and not _MEASURE_WANTED.match(p.strip()) and not _SUM.fullmatch(p.strip())]
    things = [p for p in pieces if not QUESTION_WORD.search(p)]
    # A Chinese sum names its last item in the asking piece, before the word that sums ("…供热管网一共多少公里";
    # "今年一共要筹集多少套" names none); an English one asks apart ("…, how many units in all?").
    if kind == "sum" and _CJK.search(text):
        things = [p if not QUESTION_WORD.search(p) else TIME_WORDS.sub("", _SUM.split(p)[0]) if _SUM.search(p)
                  else _ASKING_WORDS.sub(" ", p).strip() for p in pieces]
    elif len(things) < 2:
        things = [p if not QUESTION_WORD.search(p) else _ASKING_WORDS.sub(" ", p).strip() for p in pieces]
    # "…比燃气管网长吗": the comparative that asks is no part of the thing.
    things = [_YES_NO_COMPARATIVE.sub("", re.sub(r"\s+", " ", p).strip()) for p in things]
    return [p for p in things if len(_CJK.findall(p)) >= 2 or re.search(r"[A-Za-z]{3,}", p)]

