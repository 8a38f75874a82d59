"""Checking what a user sends before it reaches the chain: question text, language, chat history."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from bot.schema import BotInputError, Lang
from zzbot.places import Place
from zzbot.units import is_measure_word, unit_family
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
    if question_word(subject):  # "种多少树造多少林": two counts asked at once name no one thing counted
        return ""
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
    match = TIME_WORDS.match(text, at)
    return match.end() if match else None


def thing_ends(rest: str) -> bool:
    """Whether the words naming a thing end where ``rest`` starts: at a verb ("要达到"), the question word, the
    possessive 的 ("电子信息产业的集群规模") or a time ("城镇就业今年要新增多少")."""
    return bool(_DOING.match(rest) or TIME_WORDS.match(rest)) or rest.startswith(("多少", "几", "是多少", "的"))
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


# A word asking for a thing, a figure, a time or a person, not a yes-no one: what is left of a question once its
# premise is corrected asks something more with one; a sentence with one asks, it is no claim to check.
ASKS_WHAT = re.compile(r"多少|几(?!乎)|什么|哪|谁|怎么|如何|何时|\b(?:what|which|how|who|when|where)\b", re.IGNORECASE)
QUESTION_WORD = re.compile(r"多少|几|什么|哪|吗|呢|怎么|如何|是否|"
                            r"\b(?:what|which|how|when|where|who|why|whether|will|did|does|is|are|was)\b", re.IGNORECASE)
# Where a question's clauses part: not at the comma of 3,800.
CLAUSE_SPLIT = re.compile(r"[，；;]|,(?!\d{3}\b)")
# Years named relative to the document's own: "last year's GDP" in a 2024 report asks about 2023, 今年 about 2024.
_RELATIVE_YEAR = re.compile(
    r"(?P<before_last>前年|\bthe\s+year\s+before\s+last\b)|"
    r"(?P<last>(?<!前)去年|上一年|上年度|\blast\s+year(?:'s)?\b|\bprevious\s+year\b|\ba\s+year\s+(?:ago|earlier)\b|"
    r"\bthe\s+year\s+before\b(?!\s+last)|\bthe\s+prior\s+year\b)|"
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
# "How many kilometres of water, gas and heating pipes in total will be built?": the things an English question
# counts stand between its question word (and the unit) and its verb.
COUNTED_THINGS = re.compile(
    r"(?:\bhow\s+(?:many|much)\s+(?:more\s+)?(?:[\w-]+\s+of\s+)?|\b(?:combined|total)\s+(?:number|amount)\s+of\s+)"
    r"(?P<things>.+?)(?=\s+(?:will|would|are|is|be|do|does|"
    r"did|can|could|should|has|have|in\s+(?:total|all)|altogether|combined|together)\b|\s*[?？:：]|$)", re.IGNORECASE)


def counted_things_span(text: str) -> tuple[int, int] | None:
    """Where an English question names what it counts ("How many elderly-care beds?" → elderly-care beds), None
    when it asks no "how many"."""
    match = COUNTED_THINGS.search(text) if not _CJK.search(text) else None
    return match.span("things") if match else None


def names_a_time(text: str) -> bool:
    """Whether ``text`` is only a time ("去年", "2023年"): no thing a follow-up asks about instead."""
    return bool(TIME_WORDS.fullmatch(text.strip()))


TIME_WORDS = re.compile(r"今年|明年|去年|全年|\d{4}年")
