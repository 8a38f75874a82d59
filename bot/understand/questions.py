"""Checking what a user sends before it reaches the chain: question text, language, chat history."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, Literal

from bot.schema import BotInputError, Lang
from zzbot.places import Place
from zzbot.numbers import number_figures
from zzbot.units import is_measure_word, unit_family
from zzbot.settings import AnswerSettings
from zzbot.text import CJK as _CJK
from zzbot.text import LATIN as _LATIN
from zzbot.text import without_markup

MAX_HISTORY_TURNS = 50


def clean_question(text: object, max_chars: int) -> str:
    """Normalise a question (NFKC, control characters removed) or raise a user-readable error."""
    if not isinstance(text, str):
        raise BotInputError("the question must be text")
    # Control characters (but not line breaks or tabs) are removed; they carry no meaning and confuse models.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    if not text:
        raise BotInputError("the question is empty; type a question about the report")
    if len(text) > max_chars:
        raise BotInputError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}. Ask a shorter question"
        )
    if _in_another_script(text):
        # A question in Arabic or Russian would be answered by a guess at its meaning ("10" for school places).
        raise BotInputError("请用中文或英文提问 · please ask in Chinese or English: the report is read in those two")
    return text


def _in_another_script(text: str) -> bool:
    """Whether most letters of ``text`` are neither Chinese nor Latin (Arabic, Cyrillic, Thai…)."""
    letters = [ch for ch in text if ch.isalpha()]
    other = [ch for ch in letters if not _CJK.match(ch) and not unicodedata.name(ch, "").startswith("LATIN")]
    return len(other) * 2 > len(letters)


def detect_lang(text: str) -> Lang:
    """Chinese when the text has Chinese characters and they are not swamped by Latin letters (markup, links and
    addresses are not words of either)."""
    text = without_markup(text)
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def clean_history(history: object, max_chars: int) -> list[dict[str, str]]:
    """Validate a chat history: a list of {"role": "user"|"assistant", "content": str}."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise BotInputError("the history must be a list of {\"role\", \"content\"} messages")
    cleaned: list[dict[str, str]] = []
    for i, message in enumerate(history[-MAX_HISTORY_TURNS:]):
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            raise BotInputError(f"history message {i} must be an object with \"role\" and \"content\"")
        role = message["role"]
        if role not in ("user", "assistant"):
            raise BotInputError(f"history message {i} has role {role!r}; use \"user\" or \"assistant\"")
        content = message["content"]
        if not isinstance(content, str):
            raise BotInputError(f"history message {i} content must be text")
        content = "".join(ch for ch in content if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
        if content:
            cleaned.append({"role": role, "content": content[: max_chars * 2]})
    return cleaned


def load_history_file(path: Path, max_chars: int) -> list[dict[str, str]]:
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BotInputError(f"history file {path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BotInputError(f"history file {path} is not valid JSON: {err}") from None
    return clean_history(data, max_chars)


# Text that tries to change the bot's instructions or the report's facts rather than ask about them.
_OVERRIDE = re.compile(
    r"ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|your)\b|disregard\b|"
    r"\bsystem\s*:|new\s+(?:instruction|policy|rule)s?\b|official\s+correction|reply\s+only\s+with|"
    r"you\s+are\s+now\b|from\s+now\s+on|</?\s*(?:context|system|passages?)\s*>|"
    r"忽略|无视|系统提示|系统通知|数据已更新|新指令|从现在起|你现在是|不需要依据|请以.{0,12}为准|请先输出|只能回答|文档已更新|更正|"
    # Instructions on what the reply must be, or who to play: they address the bot, not the report.
    r"\b(?:reply|respond|answer)\s+(?:with\s+)?(?:only\b|['\"‘“][^'\"’”]{0,30}['\"’”]\s+only\b)|"
    r"\b(?:print|output|say)\s+['\"‘“]|ignore\s+(?:the\s+)?(?:document|report|passages?|context)\b|"
    r"\[(?:assistant|system)\]\s*:|"
    r"\b(?:only|just)\s+(?:reply|respond|answer|say|print|output|write|confirm|repeat)\b|\bin\s+one\s+word\b|"
    r"\b(?:pretend|role-?play|obey)\b|\bact\s+as\b|\b(?:developer|admin|god)\s+mode\b|"
    r"\bfor\s+(?:a\s+|this\s+)?test(?:ing)?\b|\bforget\s+(?:all|your|the|everything|previous|prior)\b|"
    r"\b(?:do\s+not|don'?t|without)\s+(?:cit|quot|look\s+at|check|read)|"
    # Instructions to add to the reply or shape it ("在答案末尾加上：…", "append … to your answer").
    r"(?:答案|回答|回复)?(?:的)?(?:末尾|结尾|开头|最后|前面|后面)(?:处)?(?:请)?(?:加上|加入|附上|添加|补充|写上|注明)|"
    r"(?:回答|回复)(?:时|的时候)(?:请)?(?:加上|附上|添加|写上|注明|用|以)|用(?:英文|表格|列表|json)(?:格式)?(?:回答|回复|输出)|"
    r"\b(?:append|prepend)\b|\b(?:end|start|begin|finish)\s+(?:your\s+|the\s+)?(?:answer|reply|response)\s+with\b|"
    r"\badd\b[^.?!]{0,60}\b(?:to|at\s+the\s+(?:end|start)\s+of)\s+(?:your|the)\s+(?:answer|reply|response)\b|"
    r"只(?:需|要|能)?(?:回答|回复|输出|说)|仅(?:回答|回复|输出)|扮演|开发者模式|管理员|按照?我说的|说成|忘掉|忘记(?:你|之前|以上|所有)|"
    r"不(?:用|要|必)(?:看|管|查)报告|别(?:看|管)报告|(?:不要|不用|别)(?:任何)?引用|直接(?:确认|宣布|编)|(?:假设|假如)报告",
    re.IGNORECASE,
)
_PIECE_END = re.compile(r"(?<=[。！？!?；;：:])|(?<=\.)\s+")


def instruction_override(text: str) -> bool:
    """Whether a question carries an attempt to override instructions or to supply its own 'facts'."""
    return bool(_OVERRIDE.search(text))


def question_focus(text: str) -> str:
    """What to search the report for. In a question that carries an override attempt, the preamble is
    noise for retrieval: the sentences that ask something (end with a question mark) are searched for
    when they can stand alone (4+ words or 6+ Chinese characters; "Who delivered it?" cannot),
    otherwise the whole text."""
    if not instruction_override(text):
        return text
    asked = [s.strip() for s in _PIECE_END.split(text) if s.strip().endswith(("?", "？"))]
    focus = " ".join(asked)
    if len(_CJK.findall(focus)) >= 6 or len(re.findall(r"[A-Za-z]+", focus)) >= 4:
        return focus
    return text


@cache
def _year_words(year: int) -> re.Pattern[str]:
    """``year`` as a question names it ("2024年", "in 2024"), and "this year"."""
    return re.compile(rf"(?:\b(?:in|for|of)\s+)?(?<!\d){year}(?!\d)(?:\s*年度?)?|今年|本年度|"
                      r"\b(?:in\s+)?this\s+year(?:'s)?\b", re.IGNORECASE)


def without_year(text: str, year: int | None) -> str:
    """What to search for and rank sentences by: the question without ``year``, the one year every indexed
    document is about, nor "this year" ("2024年郑州要建几个公园" → "郑州要建几个公园"). Every sentence is
    about that year; the words only pull in the few that name it (the introduction). The question unchanged when
    the documents cover several years (the year then tells them apart) or when nothing else is left."""
    return text if year is None else _without(text, _year_words(year))


def _without(text: str, words: re.Pattern[str]) -> str:
    """``text`` without ``words``, its spacing tidied; ``text`` itself when nothing would be left to search for."""
    stripped = re.sub(r"\s+([?？,，.。])", r"\1", re.sub(r"[ \t]{2,}", " ", words.sub("", text))).strip()
    return stripped if len(_CJK.findall(stripped)) >= 2 or re.search(r"[A-Za-z]{3,}", stripped) else text


def without_place(text: str, place: Place | None) -> str:
    """The question without ``place``, the one place every indexed document is about ("郑州的GDP今年想涨多少" →
    "GDP今年想涨多少"): as with the year, every sentence is about it, and the name only pulls in the passages that
    repeat it (功夫郑州, 郑州市都市圈发展规划). Unchanged for a corpus of several places or when nothing else is left."""
    return text if place is None else _without(text, _place_words(place))


def without_home(text: str, year: int | None, place: Place | None) -> str:
    """What to search for: ``text`` without the documents' one year and one place (``without_year``,
    ``without_place``), the same for a question and for a claim checked against the report."""
    return without_place(without_year(text, year), place)


@cache
def _place_words(place: Place) -> re.Pattern[str]:
    """``place`` as a question names it ("郑州市的", "Zhengzhou's", "in Zhengzhou")."""
    english = "|".join(re.escape(name) for name in place.english)
    chinese = rf"{re.escape(place.chinese)}市?的?"
    return re.compile(rf"{chinese}|\b(?:(?:in|of|for)\s+)?(?:{english})(?:['’]s)?\b" if english else chinese,
                      re.IGNORECASE)


_QUANTITY = re.compile(
    r"多少|(?<!哪)几[个所家项条座万亿倍年公里名人次套张辆]|百分之几|\bhow\s+(?:many|much|far|long)\b|"
    r"\bwhat\s+(?:percentage|share|rate|proportion|number)\b|\bin\s+(?:yuan|rmb|km|kilomet\w*|square\s+met\w*)\b",
    re.IGNORECASE,
)


def asks_quantity(text: str) -> bool:
    """Whether a question asks for a number ("多少", "how many", "be in yuan"): its answer must state one."""
    return bool(_QUANTITY.search(text))


# "多少所幼儿园": what a Chinese quantity question counts, after its measure word.
_COUNTED = re.compile(
    r"(?:多少|几)(?:万平方米|平方米|公里|千米|人次|亿元|万元|[个所家项条座名人套张辆亩吨元万亿倍块处栋间户台级类批场次年天])?"
    r"((?:[A-Za-z0-9]+)?[\u4e00-\u9fff]{2,8})"  # "多少个5G基站": a Latin or digit head is part of the name
)


def counted_subject(text: str) -> str:
    """What a Chinese quantity question counts ("今年新建多少所幼儿园？" → 幼儿园), or "" when it names nothing
    after the question word ("院士要引进多少名？")."""
    match = _COUNTED.search(text)
    # "帮多少人找到工作": a verb after the measure word tells what the people counted do, not what is counted.
    if not match or _DOING.match(match.group(1)):
        return ""
    subject = match.group(1).rstrip("吗呢啊呀吧")  # "会多几个公园吗": the particle asks, it is not counted
    # "多少大学毕业生留下来": a verb with its direction after the thing (留下来, 引进来) says what the counted do.
    if len(subject) >= 4 and subject[-1] in _DIRECTION_ENDS:
        subject = subject[:-3] if subject[-2] in _DIRECTIONS else subject[:-2]
    # "燃气管网要新建改造多少公里": a unit measures the thing named before it; it is not what is counted.
    return subject if len(subject) >= 2 and not unit_family(subject) else ""


_DIRECTIONS, _DIRECTION_ENDS = "上下进出回过起开", "来去"
_DOING = re.compile(r"[找来去到在能要会有拿得享住参被获留上进帮回看用买租领]")


def question_word(text: str, after: int = 0) -> tuple[int, int] | None:
    """The span of a Chinese question's question word (多少, 几; 是多少 with its copula), the first at or after
    ``after``."""
    found = [(at, at + len(word)) for word in ("是多少", "多少", "几") if (at := text.find(word, after)) >= 0]
    return min(found, key=lambda span: (span[0], -span[1])) if found else None


def unit_asked(text: str) -> str:
    """The unit or measure word right after a Chinese question's question word ("多少公里": 公里, "几套（间）": 套（间）),
    "" when none."""
    if (span := question_word(text)) is None:
        return ""
    at = span[1]
    return next((text[at:at + n] for n in (4, 3, 2, 1)
                 if is_measure_word(text[at:at + n]) or unit_family(text[at:at + n])), "")


def time_word_at(text: str, at: int) -> int | None:
    """The end of a time word ("今年", "2024年") standing at ``at`` in ``text``, None when none does."""
    match = _TIME_WORDS.match(text, at)
    return match.end() if match else None


def thing_ends(rest: str) -> bool:
    """Whether the words naming a thing end where ``rest`` starts: at a verb ("要达到"), the question word, the
    possessive 的 ("电子信息产业的集群规模") or a time ("城镇就业今年要新增多少")."""
    return bool(_DOING.match(rest) or _TIME_WORDS.match(rest)) or rest.startswith(("多少", "几", "是多少", "的"))
# "What main targets are set…" asks for several things as "what are the targets" does; "what share of … are" asks one.
_LIST = re.compile(r"哪些|哪[几两二三四五六七八九十]|"
                   r"\bwhat\b(?!\s+(?:share|fraction|percentage|proportion|portion|part|number|percent)\b)[^?？]{0,60}?"
                   r"\b(?:are|were)\b|\bwhich\b[^?？]*\b(?:are|were)\b|"
                   r"\bwhich\s+(?:two|three|four|five|six|several)\b|\blist\b", re.IGNORECASE)


# A follow-up asking for a part of what was just answered: "how many of those are for graduates?", "其中…多少".
_PART_OF_PREVIOUS = re.compile(r"\b(?:of|among)\s+(?:those|them|these|which)\b|其中|这(?:里面|些里|当中|之中)|"
                               r"(?:里面|当中|之中)(?:有)?多少", re.IGNORECASE)


def asks_part_of_previous(text: str) -> bool:
    return bool(_PART_OF_PREVIOUS.search(text))


# Words pointing back at the thing already named ("它的产值增速", "其增速", "its growth target"): what follows asks
# about that thing, it names no new one. Not 其他/其中/其余 ("others", "of which"), nor "it" ("how many will it
# add": the city).
_BACK_REFERENCE = re.compile(r"^(?:那么?|还有)?[，, ]*(?:它们?的?|其(?![他中余它]))|\b(?:its|their)\b", re.IGNORECASE)


def refers_back(text: str) -> bool:
    return bool(_BACK_REFERENCE.search(text))


def without_back_reference(text: str) -> str:
    """A Chinese phrase without the pronoun opening it ("它的产值增速" → 产值增速)."""
    return _BACK_REFERENCE.sub("", text, count=1) if _CJK.match(text) else text


# A list of figures asked for on a topic ("人才引进方面有哪些数字", "管网建设给出了哪些数字指标", "which figures…for pipelines").
_FIGURE_LIST = re.compile(r"(?:哪些|哪几[个项类]?)[^？?，,。]{0,6}?(?:数字|数据|指标|目标|数)+|(?:数字|数据|指标|目标)+都?有哪些|"
                          r"\b(?:what|which|list)\s+(?:\w+\s+){0,2}?(?:figures|numbers|targets|goals)\b", re.IGNORECASE)


def asks_figure_list(text: str) -> bool:
    """Whether a question asks for the figures the report gives on a topic, as a list: they are listed from the
    report's own sentences (``bot.answer.listing``), never summed."""
    return bool(_FIGURE_LIST.search(text))


def figure_list_topic(text: str) -> str:
    """What a list of figures is asked about: the question without the words asking for it ("管网建设方面给出了"
    of "管网建设方面给出了哪些数字指标？"); the question itself when it asks for no such list."""
    return (_FIGURE_LIST.sub(" ", text).strip(" ?？") or text) if asks_figure_list(text) else text


def asks_list(text: str) -> bool:
    """Whether a question asks for several things ("有哪些", "what are the targets"): a long sentence that
    matches it as a whole is then shown whole, not cut to its closest clauses."""
    return bool(_LIST.search(text))


_QUOTED_PHRASE = re.compile(r"[“「『\"]([^”」』\"]{1,20})[”」』\"]")


def quoted_phrases(text: str) -> list[str]:
    """The Chinese phrases a question quotes ("“1号”产业", "“之城”"): words it takes from the report."""
    return [p for p in _QUOTED_PHRASE.findall(text) if _CJK.search(p)]


Calculation = Literal["sum", "comparison", "ratio", "per_unit", "share"]
# The rest of a whole once a part is taken out ("汽车产量里除了新能源车，其他车多少万辆", "Apart from new-energy
# vehicles, how many other cars…") is the difference of the two: a comparison of the whole and the part.
_REMAINDER = re.compile(
    r"(?P<zh_whole>[^，,。？?]{2,12}?)(?:里|中|当中)?[，,]?除了?(?P<zh_part>[^，,。？?]{2,16}?)(?:之外|以外)?[，,]?"
    r"(?:其他|其余|剩下|剩余)[^，,。？?]{0,10}(?:多少|几)|"
    r"\b(?:other\s+than|apart\s+from|excluding|not\s+counting)\s+(?P<en_part>[^,?？]+?),?\s+how\s+(?:many|much)\s+"
    r"(?:other\s+|more\s+)?(?P<en_whole>[a-z][a-z -]*?)\s+(?:will|are|is|do|does|would|can)\b",
    re.IGNORECASE)
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
        r"还是.{0,12}(?:多|大|高|长)|一样吗|相同吗|是否相同|一样多|比[^，,。？?]{1,16}(?:高|低|多|少|大|小|长|短)(?:吗|不)|"
        r"\bhow\s+(?:much|many)\s+(?:more|less|fewer|bigger|larger|higher|lower|smaller|longer)\b|\bdifference\b|"
        # "by how much does the supply grow" asks how much one thing grows, as 增长多少 does.
        r"\bby\s+how\s+(?:much|many)\b(?![^?？]*\b(?:grows?|rises?|increases?|expands?|goes\s+up|go\s+up)\b)|\bwhich\b[^?？]*\b(?:more|bigger|larger|higher|greater|longer|faster|less|smaller|"
        r"lower|fewer)\b|\b(?:(?<!\bany\s)(?<!\bno\s)more|bigger|larger|higher|greater|longer)\b[^?？]*\b(?:than|or)\b|"
        # "any more trees or forests" asks whether there will be more, not which is more.
        r"\bthe\s+same\b|" + _REMAINDER.pattern,
        re.IGNORECASE)),
    ("sum", re.compile(r"一共|总共|合计|共计|加起来|加在一起|总和|\bin\s+(?:all|total)\b|\bcombined\b|\baltogether\b|\bplus\b|"
                       r"\btogether\b|\b(?:counting|including)\s+(?:both|all|them|everything)\b|"
                       r"\badd(?:ed)?\s+up\b|\bsum\s+of\b|\btotal\s+(?:of|number\s+of)\b[^?？]*\band\b",
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


QUESTION_WORD = re.compile(r"多少|几|什么|哪|吗|呢|怎么|如何|是否|"
                            r"\b(?:what|which|how|when|where|who|why|whether|will|did|does|is|are|was)\b", re.IGNORECASE)
# Where a question's clauses part: not at the comma of 3,800.
CLAUSE_SPLIT = re.compile(r"[，；;]|,(?!\d{3}\b)")
# Years named relative to the document's own: "last year's GDP" in a 2024 report asks about 2023, 今年 about 2024.
_RELATIVE_YEAR = re.compile(
    r"(?P<before_last>前年|\bthe\s+year\s+before\s+last\b)|"
    r"(?P<last>(?<!前)去年|上一年|上年度|\blast\s+year(?:'s)?\b|\bprevious\s+year\b)|"
    r"(?P<this>今年|本年度|\bthis\s+year(?:'s)?\b)|"
    r"(?P<next>明年|下一年|\bnext\s+year(?:'s)?\b)|"
    r"(?P<after_next>后年|\bthe\s+year\s+after\s+next\b)",
    re.IGNORECASE)
_OFFSETS = {"before_last": -2, "last": -1, "this": 0, "next": 1, "after_next": 2}


def relative_years(text: str) -> list[int]:
    """Offsets from the document's year of the years a question asks about relatively (去年 → -1, next year →
    1), read from the sentence that asks (the one ending in a question mark, else the last): in "my kid starts
    school next year; will there be more seats?" next year is the asker's situation, not the question."""
    asked = asking_clause(text)
    return sorted({_OFFSETS[m.lastgroup] for m in _RELATIVE_YEAR.finditer(asked) if m.lastgroup})


def asking_clause(text: str) -> str:
    """The clause that asks: the last one with a question word, in the sentences ending with a question mark
    (else the last sentence). The clauses before it often tell the asker's situation ("开车总找不到地方停，…")."""
    asking, clauses = _asking_sentence(text)
    return next((c for c in reversed(clauses) if QUESTION_WORD.search(c)), asking)


def asking_clauses(text: str) -> str:
    """Every clause with a question word, in the sentences that ask ("电子信息产业集群规模目标多少，汽车产业集群又要
    达到多少" both; "听说供水管网要建100公里，那燃气管网要建多少公里" the second), else all of them."""
    asking, clauses = _asking_sentence(text)
    return "，".join(c for c in clauses if QUESTION_WORD.search(c)) or asking


def _asking_sentence(text: str) -> tuple[str, list[str]]:
    """The sentences that ask (ending in a question mark, else the last), and their clauses."""
    sentences = [s.strip() for s in re.split(r"(?<=[。！？!?])|(?<=\.)\s+", text) if s.strip()]
    asking = " ".join(s for s in sentences if s.endswith(("?", "？"))) or (sentences[-1] if sentences else "")
    return asking, CLAUSE_SPLIT.split(asking)


# What separates the things a calculation question names ("供水、燃气和供热管网", "A or B", "A than B").
PART_SEPARATOR = re.compile(
    r"[、，；;：:？?！!。+]|,(?!\d{3}\b)|以及|加上|还是|或者|或是|相比|对比|和|与|跟|及|或|比|plus|\band\b|\bor\b|\bthan\b|\bexceeds?\b|\bvs\.?|"
    r"\bversus\b|\bcompared\s+(?:to|with)\b", re.IGNORECASE)
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


# "How many kilometres of water, gas and heating pipes in total will be built?": the things an English question
# counts stand between its question word (and the unit) and its verb.
_COUNTED_THINGS = re.compile(
    r"(?:\bhow\s+(?:many|much)\s+(?:more\s+)?(?:[\w-]+\s+of\s+)?|\b(?:combined|total)\s+(?:number|amount)\s+of\s+)"
    r"(?P<things>.+?)(?=\s+(?:will|would|are|is|be|do|does|"
    r"did|can|could|should|has|have|in\s+(?:total|all)|altogether|combined|together)\b|\s*[?？:：]|$)", re.IGNORECASE)


def counted_things_span(text: str) -> tuple[int, int] | None:
    """Where an English question names what it counts ("How many elderly-care beds?" → elderly-care beds), None
    when it asks no "how many"."""
    match = _COUNTED_THINGS.search(text) if not _CJK.search(text) else None
    return match.span("things") if match else None


def names_a_time(text: str) -> bool:
    """Whether ``text`` is only a time ("去年", "2023年"): no thing a follow-up asks about instead."""
    return bool(_TIME_WORDS.fullmatch(text.strip()))


_MEASURE_WANTED = re.compile(r"(?:in|as)\s+(?:[a-z]+\s?){1,2}[?？.]*$", re.IGNORECASE)
_YES_NO_COMPARATIVE = re.compile(r"更?[高低多少大小长短](?:吗|不)$")
_TIME_WORDS = re.compile(r"今年|明年|去年|全年|\d{4}年")


_SUM = dict(_CALCULATIONS)["sum"]


def question_parts(text: str, kind: Calculation) -> list[str]:
    """The things a calculation question names, in order ("供水、燃气、供热管网一共多少公里" → 供水, 燃气, 供热管网…):
    the pieces between its separators that do not ask; a Chinese sum also counts what its asking piece names, and
    so does any question with fewer than two pieces that do not ask."""
    if match := _REMAINDER.search(text):
        return [(match.group("zh_whole") or match.group("en_whole")).strip(" ，,"),
                (match.group("zh_part") or match.group("en_part")).strip(" ，,")]
    if match := _OF_WHOLE.search(text):
        found = {name: value for name, value in match.groupdict().items() if value}
        part = found.get("in_part") or found.get("zh_part") or found.get("en_part") or found.get("en_maker", "")
        whole = found.get("in_whole") or found.get("zh_whole") or found.get("en_whole", "")
        return [part.strip(" ，,"), whole.strip(" ，,")]
    counted = _COUNTED_THINGS.search(text) if not _CJK.search(text) else None
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
        things = [p if not QUESTION_WORD.search(p) else _TIME_WORDS.sub("", _SUM.split(p)[0]) if _SUM.search(p)
                  else _ASKING_WORDS.sub(" ", p).strip() for p in pieces]
    elif len(things) < 2:
        things = [p if not QUESTION_WORD.search(p) else _ASKING_WORDS.sub(" ", p).strip() for p in pieces]
    # "…比燃气管网长吗": the comparative that asks is no part of the thing.
    things = [_YES_NO_COMPARATIVE.sub("", re.sub(r"\s+", " ", p).strip()) for p in things]
    return [p for p in things if len(_CJK.findall(p)) >= 2 or re.search(r"[A-Za-z]{3,}", p)]


def prompt_roles(question: str, history: bool, answer: AnswerSettings) -> list[str]:
    """The prompt roles (see bot.policy.chain.PROMPT_ROLES) answering ``question`` will use, in the order of use: known
    before any model loads, so only those are loaded and primed."""
    lang = detect_lang(question)
    roles = [f"rewrite.{lang}"] if history and answer.history_turns else []
    if lang == "en" and answer.translate_questions:
        roles.append("translate.en")
    roles.append(f"answer.{lang}")
    if asks_calculation(question):
        roles.append(f"compute.{lang}")
    return roles
