"""One question, read once: what it asks about, in its own words and the report's, what measure it wants, what
it asks to work out, of which places, years and scope, and which figures it takes for granted.

``parse_question`` composes the readers of ``questions`` and ``scope`` (it repeats none of their patterns), so the
chain can build the ``ParsedQuestion`` in one stage and every later stage reads the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.schema import Lang
from bot.understand import questions, scope
from bot.understand.claims import counts_listed_things, subject_words, thing_words
from bot.understand.calculation import Calculation, asks_calculation, question_parts, set_aside, without_set_aside
from bot.understand.rewrite import new_thing
from bot.understand.terms import glossary_phrases, in_report_terms, most_specific, named_terms, report_terms
from bot.understand.scope import Scope
from zzbot import numbers
from zzbot.places import Place, places_named
from zzbot.settings import AnswerSettings
from zzbot.text import CJK

# The kinds of answer a question wants beyond a measure of ``scope.asked_measure``.
Wanted = str  # a unit family ("yuan", "km"…), "percent", "count", "person", "list", "yes_no" or "" (anything)
# A yes-no question: a closing 吗/不, 是否, or a verb asked both ways (给不给, 会不会, 有没有).
_YES_NO = re.compile(r"(?:吗|不|没有?)[？?]?$|是否|([\u4e00-\u9fff])[不没]\1|^(?:is|are|will|does|do|did|can|has|have)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuestion:
    """What a question asks, read once (see ``parse_question``)."""

    text: str  # the question as given (standalone, when the chain has made it so)
    lang: Lang
    asking: str  # what is searched for: the sentences that ask, without an override preamble
    override: bool  # the question tries to override instructions or supply its own facts
    # The words naming what it asks about: the clauses that ask, when they name a report term, not a premise
    # before them ("听说供水管网要建100公里，那燃气管网要建多少公里" asks of 燃气管网).
    naming: str
    things: tuple[str, ...]  # what it asks about, in its own words ("公共充电桩", "school places")
    terms: tuple[str, ...]  # the report's terms for them (data/glossary.tsv): 学位, 境外游客
    quantity: bool  # it asks for a number
    measure: str | None  # the measure it names for that number (scope.asked_measure): "yuan", "km", "count"…
    counted: str | None  # the unit family it counts in ("how many homes", "多少套": homes; scope.counted_family)
    wanted: Wanted  # the measure or kind of answer it wants
    calculation: Calculation | None
    lists_figures: bool  # it asks for the figures on a topic, as a list ("人才方面给了哪些数字")
    parts: tuple[str, ...]  # the things a calculation works on
    places: tuple[Place, ...]
    years: tuple[int, ...]  # the years it names ("2024年", "in 2025")
    relative_years: tuple[int, ...]  # offsets from the documents' year (去年 → -1)
    scope: Scope  # whose figure it asks: the city's, the province's or the country's
    premises: tuple[numbers.Figure, ...]  # the figures it takes for granted
    set_aside: str = ""  # what it sets aside, in its own words ("除了GDP，还有哪些目标" → GDP)
    # A follow-up that only names another thing for the previous question ("那城镇就业呢？" → 城镇就业; "境外的呢？"
    # → "" as 境外 narrows the earlier thing rather than replacing it), and that previous question.
    new_thing: str = ""
    previous: str = ""

    def unknown_terms(self, mentions: Callable[[str], bool]) -> list[str]:
        """The report's terms for what it asks about that the indexed documents use nowhere (``mentions``: 幼儿园,
        医院床位): no figure of theirs is about it, nothing is worked out of it, no answer holds."""
        return [term for term in self.terms if not mentions(term)]

    @property
    def share_whole(self) -> str:
        """The whole a share is asked of ("研发的钱占GDP比重" → GDP): the share's base, not what its figure counts."""
        return self.parts[-1] if self.calculation == "share" and len(self.parts) == 2 else ""

    @property
    def counted_thing(self) -> str:
        """What a Chinese quantity question counts ("多少所大学" → 大学); "" for one asking which ("哪几场攻坚战")."""
        return questions.counted_subject(self.asking) if self.lang == "zh" and not questions.asks_list(self.asking) else ""

    @property
    def set_aside_terms(self) -> frozenset[str]:
        """The report's terms for what it sets aside ("除了GDP" → 生产总值): no part of what it asks for."""
        return frozenset(most_specific(named_terms(in_report_terms(self.set_aside)))) if self.set_aside else frozenset()

    @property
    def in_report_terms(self) -> str:
        """The asking text with its glossary phrases in the report's words, for searching ("GDP目标" → 地区生产总值目标)."""
        return in_report_terms(self.asking)


@lru_cache(maxsize=256)
def parsed_text(text: str) -> ParsedQuestion:
    """``parse_question`` without history, read once per text: for checks that get only the question's text."""
    return parse_question(text)


def parse_question(text: str, history: list[dict[str, str]] | None = None) -> ParsedQuestion:
    """``text`` read once; ``history`` (cleaned turns) gives a follow-up its previous question."""
    asking = questions.question_focus(text)
    calculation = asks_calculation(asking)
    previous = next((t["content"] for t in reversed(history or []) if t["role"] == "user"), "")
    parts = tuple(question_parts(asking, calculation)) if calculation else ()
    naming = _naming(asking, calculation, parts)
    return ParsedQuestion(
        text=text, lang=questions.detect_lang(text), asking=asking, override=questions.instruction_override(text),
        naming=naming,
        things=tuple(things_asked(naming, parts)) or ((thing,) if (thing := new_thing(text, previous) if previous else "") else ()),
        terms=_terms(naming),
        quantity=questions.asks_quantity(asking), measure=scope.asked_measure(asking), wanted=wanted(asking),
        counted=scope.counted_family(asking),
        calculation=calculation, lists_figures=questions.asks_figure_list(asking),
        parts=parts,
        places=tuple(places_named(asking)), years=tuple(_years(asking)),
        relative_years=tuple(questions.relative_years(asking)), scope=scope.asked_scope(asking),
        premises=tuple(f for f in numbers.number_figures(asking) if not counts_listed_things(asking, f)),
        set_aside=set_aside(asking), new_thing=new_thing(text, previous) if previous else "",
        previous=previous)


def _naming(asking: str, calculation: Calculation | None, parts: tuple[str, ...]) -> str:
    """The words of ``asking`` that name what it asks about (``ParsedQuestion.naming``): "那燃气管网要建多少公里" of
    "听说供水管网要建100公里，那燃气管网要建多少公里？"."""
    if calculation:  # a calculation names its operands in any clause ("按旅游总收入和接待游客人次算，…")
        return asking
    asking = without_set_aside(asking)  # "除了新增城镇就业，其他…" does not ask about 城镇就业
    clauses = questions.asking_clauses(asking)
    return clauses if _terms(clauses) else asking


def things_asked(text: str, parts: tuple[str, ...] = ()) -> list[str]:
    """What a question asks about, in its own words: a Chinese question's counted thing ("多少个公共充电桩" →
    公共充电桩, "新增的博士后工作站有多少个" → 博士后工作站), else the glossary phrases it uses ("school places"), else
    what an English one counts ("how many farm workers"), else a calculation's parts."""
    found: list[str] = []
    chinese = CJK.search(text) and not questions.asks_list(text)
    if chinese and (counted := questions.counted_subject(text)):
        found.append(counted)
    found += [phrase for phrase, _ in glossary_phrases(text) if not any(phrase in f for f in found)]
    if chinese and not found and (before := _named_before_asking(text)):
        found.append(before)
    # An English question counts what follows its "how many" ("how many farm workers"), in the glossary or not.
    if not found and (span := questions.counted_things_span(text)):
        found.append(text[span[0]:span[1]])
    if not found:
        found += parts
    return list(dict.fromkeys(found))


# Words after which a question says what is done to its thing ("城市书房今年要建多少个": the thing stands before 要).
_MODALS = ("打算", "计划", "准备", "要", "能", "会", "将")


def _named_before_asking(text: str) -> str:
    """The thing a Chinese quantity question names before its question word, after any 的 ("新增的博士后工作站有多少
    个" → 博士后工作站), without place, time, verb of change or goal words; "" when none of two characters is left."""
    clause = questions.asking_clause(text)
    if (span := questions.question_word(clause)) is None:
        return ""
    before = clause[:span[0]]
    before = before[:min((at for m in _MODALS if (at := before.find(m)) >= 0), default=len(before))]
    head, _, after = before.rpartition("的")
    # "充电站的目标是多少": goal words after 的 name nothing; the thing is before it.
    runs = subject_words(after if thing_words(after) else head, tuple(places_named(before))).split()
    # The first run: a verb after the time words ends the thing ("研究院今年新认定" → 研究院).
    thing = thing_words(runs[0]).rstrip("有是为共") if runs else ""
    return thing if len(thing) >= 2 else ""


def wanted(text: str) -> Wanted:
    """The measure or kind of answer a question wants: a unit family or "percent" (``scope.asked_measure``),
    "count" for another number, "person", "list", "yes_no", else ""."""
    if scope.asks_person(text):
        return "person"
    if measure := scope.asked_measure(text):
        return measure
    if questions.asks_quantity(text):
        return "count"
    if questions.asks_list(text):
        return "list"
    return "yes_no" if _YES_NO.search(text.strip()) else ""


def _terms(text: str) -> tuple[str, ...]:
    """The report's terms for what ``text`` names: those of its glossary phrases, in order, then those it writes out."""
    translated = report_terms(text)
    return tuple(translated) + tuple(sorted(named_terms(text) - set(translated)))


def _years(text: str) -> list[int]:
    return [int(f.value) for f in numbers.extract_figures(text) if f.kind == "year"]


def prompt_roles(question: str, history: bool, answer: AnswerSettings) -> list[str]:
    """The prompt roles (see bot.policy.chain.PROMPT_ROLES) answering ``question`` will use, in the order of use: known
    before any model loads, so only those are loaded and primed."""
    lang = questions.detect_lang(question)
    roles = [f"rewrite.{lang}"] if history and answer.history_turns else []
    if lang == "en" and answer.translate_questions:
        roles.append("translate.en")
    roles.append(f"answer.{lang}")
    if asks_calculation(question):
        roles.append(f"compute.{lang}")
    return roles
