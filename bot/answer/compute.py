"""Computed answers: sums, comparisons, ratios, per-unit figures and shares of the report's figures.

The model only picks the operands from the figure table rows of the retrieved passages and writes the
calculation ("F1 + F2 + F3"); code evaluates it (``zzbot.arithmetic``, never ``eval``), checks the units, and
writes the answer with its working, every operand cited: "85公里[1] + 102公里[1] + 31.5公里[1] = 218.5公里".
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from bot.llm.client import BackendError, ChatBackend, complete
from bot.llm.prompting import render
from bot.understand.calculation import Calculation
from bot.retrieval.retriever import Passage
from bot.schema import Citation, FigureCheck, Lang
from bot.understand.scope import asked_measure, in_measure
from bot.answer.citations import citation_for
from index.figures import FigureRow
from zzbot import figure_words
from zzbot import numbers
from zzbot import units
from zzbot import in_english
from zzbot.arithmetic import CalculationError, Quantity, evaluate, operand_names
from bot.understand.terms import in_report_terms, is_kind_of, most_specific, named_terms
from zzbot.text import CJK_RUN, PER_BASES, chinese_pairs, clause_around, tokenize

log = logging.getLogger(__name__)

NOT_FOUND_TOKEN = "NOT_FOUND"
# Rows offered to the model, at most: more distract a small model.
MAX_ROWS = 8
# When the things a question names are matched to figures, each thing's closest figures considered.
CANDIDATES_PER_PART = 5
# A result with more decimals than this is rounded and marked as approximate.
DECIMALS = 2
_EXPRESSION = re.compile(r"[A-Za-z0-9.+\-*/×÷() ]+")
# The operators of each kind of calculation (a share may be written per hundred, "F1 / F2 * 100", or be what is
# left of a whole: "100 - F1").
_OPERATORS = {"sum": set("+"), "comparison": set("-"), "ratio": set("/÷"), "per_unit": set("/÷"),
              "share": set("/÷*×-")}
_CONSTANT = re.compile(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?![A-Za-z0-9])")
_SCALES = (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))


@dataclass(frozen=True)
class Operand:
    name: str  # F1, F2… as the model sees it
    row: FigureRow
    passage: Passage

    @property
    def quantity(self) -> Quantity:
        return Quantity(Decimal(repr(self.row.value)), measure_of(self.row.unit), self.row.percent,
                        label=self.row.unit or "")


@dataclass
class ComputedAnswer:
    answer: str
    working: str  # the calculation with the report's figures: "85公里 + 102公里 + 31.5公里 = 218.5公里"
    citations: list[Citation]
    figures: list[FigureCheck]


def operands_of(passages: list[Passage], rows: list[FigureRow],
                relevance: Callable[[list[str]], np.ndarray] | None = None) -> list[Operand]:
    """The figure rows inside the retrieved passages, named F1, F2…, the most relevant to the question first by
    what they are about (``relevance`` scores texts), in passage rank order without it."""
    found: list[tuple[FigureRow, Passage]] = []
    for passage in passages:
        chunk = passage.chunk
        found += [(row, passage) for row in rows
                  if row.source == chunk.source and chunk.start <= row.start < chunk.end]
    if relevance is not None and found:
        scores = relevance([row_topic(row) for row, _ in found])
        found = [found[i] for i in np.argsort(-scores, kind="stable")]
    return [Operand(f"F{i}", row, passage) for i, (row, passage) in enumerate(found, start=1)]


def row_topic(row: FigureRow) -> str:
    """What a figure is about, in the report's words: its sentence's opening clause (the topic, "聚焦打造“新能源
    汽车之城”"), what it counts when its clause does not say ("完成1300亿元" is 工业投资完成) and its clause."""
    clause = clause_around(row.sentence, row.start - row.sentence_start, row.end - row.sentence_start)
    opening = clause_around(row.sentence, 0, 1)
    parts = [opening, *([row.subject] if row.subject not in clause else []), clause]
    return "…".join(dict.fromkeys(parts))


def calculation_by_parts(kind: Calculation, parts: list[str], operands: list[Operand],
                         scores: Callable[[str, list[str]], np.ndarray], min_score: float,
                         counted: str | None = None) -> str | None:
    """The calculation over the figures the things a question names are about: each thing its own figure, the
    assignment with the highest total closeness (at least ``min_score`` each), all figures of one measure but for
    a per-unit figure; None when fewer than two things match a figure. Only which figures are chosen matters:
    which is larger is read from their values. ``counted``: the unit family the question counts in ("how many
    homes"), when it names one: only figures in it (3,800 projects are no homes)."""
    # A share's or ratio's whole may be named by the words of its part (游客 of 境外游客): both stay.
    parts = parts if kind in ("share", "ratio") else _distinct_parts(parts)
    if kind == "per_unit" and len(parts) == 1:
        return _shared_out(parts[0], operands, scores, min_score)
    if counted and kind != "per_unit":
        operands = [o for o in operands if units.unit_family(o.row.unit) == counted]
    if len(parts) < 2 or len(operands) < 2:
        return None
    table = np.array([scores(part, [row_topic(o.row) for o in operands]) for part in parts])  # parts × operands
    measures = [None] if kind == "per_unit" else sorted({_measure(o) for o in operands}, key=str)
    best: tuple[float, tuple[int, ...]] = (-np.inf, ())
    for measure in measures:
        allowed = [i for i, o in enumerate(operands) if measure is None or _measure(o) == measure]
        candidates = [[i for i in sorted(allowed, key=lambda i: -row[i])[:CANDIDATES_PER_PART] if row[i] >= min_score]
                      for row in table]
        # A part may go unmatched (a loose piece of the question), but not from a sum: a total leaving out a
        # thing asked ("'one thing' services, certificate-free items and cross-province items") is no total.
        for picks in itertools.product(*[[*c, *([] if kind == "sum" else [None])] for c in candidates]):
            chosen = tuple(i for i in picks if i is not None)
            if len(chosen) >= 2 and len(set(chosen)) == len(chosen):
                total = sum(table[p, i] for p, i in enumerate(picks) if i is not None)
                best = max(best, (float(total), chosen))
    if not best[1]:
        return None
    return _expression(kind, [operands[i] for i in best[1]])


def _shared_out(part: str, operands: list[Operand], scores: Callable[[str, list[str]], np.ndarray],
                min_score: float) -> str | None:
    """A per-unit question naming its total and what it is shared among in one phrase ("已谋划的项目平均每个投资多少"):
    an amount over a count of things (个, 人次…, not a rate) of one sentence, the pair the phrase is closest to, each
    at least ``min_score``: 5200亿元 of 完成投资 over the 3800个 projects, not the model's pick of any two figures."""
    closeness = scores(part, [row_topic(o.row) for o in operands])
    pairs = [(float(closeness[i] + closeness[j]), amount, count)
             for i, count in enumerate(operands) for j, amount in enumerate(operands)
             # the count close enough, or counting the thing the phrase names ("平均每个重点项目…": 3800个项目)
             if i != j and closeness[j] >= min_score and (closeness[i] >= min_score or _counts_named(count, part))
             and not (count.row.percent or amount.row.percent)
             and measure_of(count.row.unit) == "count" and count.row.unit != amount.row.unit
             and (count.row.source, count.row.sentence_start) == (amount.row.source, amount.row.sentence_start)]
    if not pairs:
        return None
    _, amount, count = max(pairs, key=lambda pair: pair[0])
    return f"{amount.name} / {count.name}"


def _counts_named(count: Operand, part: str) -> bool:
    """Whether the thing a count is of, the words right after it ("3800个项目建设": 项目), is named in ``part``."""
    after = CJK_RUN.findall(figure_words.words_after(count.row.sentence, count.row.end - count.row.sentence_start))
    return bool(after) and len(after[0]) >= 2 and after[0][:2] in part


def one_thing_summed(question: str, operands: list[Operand]) -> str | None:
    """A sum of the figures one sentence gives for the one thing a question asks the total of ("保交楼一共要交付
    多少套": 剩余1.9万套专项借款项目全部交付 + 非专项借款项目交付4.2万套以上): two or more figures of one measure
    whose own words (the figure table's subjects) all share a word of the question; None when no sentence has such,
    "" when the question names a thing the report gives one figure ("供水管网一共多少公里": nothing to add up)."""
    asked = chinese_pairs(in_report_terms(question)) - _EVERY_QUESTION
    named = named_operands(question, operands)
    if len(named) == 1:
        return ""
    operands = named or operands
    by_sentence: dict[tuple[str, int], list[Operand]] = {}
    for operand in operands:
        by_sentence.setdefault((operand.row.source, operand.row.sentence_start), []).append(operand)
    for group in by_sentence.values():
        for measure in {_measure(o) for o in group}:
            same = [o for o in group if _measure(o) == measure]
            shared = asked.intersection(*(chinese_pairs(o.row.subject) for o in same))
            if len(same) >= 2 and shared:
                return _expression("sum", same)
    return None


def named_operands(question: str, operands: list[Operand]) -> list[Operand]:
    """The figures whose own words hold a report term the question names: a thing named so is counted by those
    only ("供水管网一共多少公里" is the water mains' 85公里, not all the pipes of the sentence)."""
    terms = most_specific(named_terms(question))
    return [o for o in operands if any(term in o.row.subject for term in terms)]


# Words of any question that tie it to no figure in particular.
_EVERY_QUESTION = chinese_pairs("今年，全市，市区，一共，总共，多少")


def unmatched_parts(parts: list[str], operands: list[Operand], scores: Callable[[str, list[str]], np.ndarray],
                    min_score: float) -> list[str]:
    """The things a question names that no figure is about (at least ``min_score``): "物价涨幅目标比全国定的低吗"
    names 全国定的, for which the report gives no figure."""
    topics = [row_topic(o.row) for o in operands]
    return [part for part in _distinct_parts(parts) if not topics or float(np.max(scores(part, topics))) < min_score]


def _distinct_parts(parts: list[str]) -> list[str]:
    """The parts without those that only repeat another ("new jobs" beside "new urban jobs")."""
    words = [set(tokenize(p)) for p in parts]
    return [p for i, p in enumerate(parts)
            if words[i] and not any(j != i and words[i] < words[j] for j in range(len(parts)))]


def _expression(kind: Calculation, chosen: list[Operand]) -> str:
    if kind == "sum":  # in the report's order, as a reader finds them
        return " + ".join(o.name for o in sorted(chosen, key=lambda o: (o.row.source, o.row.start)))
    first, second = chosen[:2]
    larger, smaller = (first, second) if first.row.value >= second.row.value else (second, first)
    if kind == "comparison":
        return f"{first.name} - {second.name}"
    if kind == "share":
        return f"{smaller.name} / {larger.name}"
    return f"{larger.name} / {smaller.name}"  # a ratio ("几倍") or a per-unit figure: the total over the count


# Units of measurement that cannot be mixed; every other unit (个, 条, 名, 人次, 辆…) counts things, and counts of
# different things may be compared or added when a question asks to.
PHYSICAL = frozenset({"yuan", "usd", "mu", "jin", "ha", "t", "kg", "km", "m", "m2", "km2", "pp", "years"})


def _unit_name(operand: Operand) -> str:
    return "%" if operand.row.percent else operand.row.unit or "a count"


def _unlike_counts(used: list[Operand]) -> tuple[Operand, Operand] | None:
    """Two operands counted in measure words of different kinds of thing (家 and 名), if any."""
    return next(((a, b) for i, a in enumerate(used) for b in used[i + 1:]
                 if units.measure_words_differ(a.row.unit, b.row.unit)), None)


def _measure(operand: Operand) -> tuple[str, bool]:
    return measure_of(operand.row.unit), operand.row.percent


def measure_of(unit: str | None) -> str:
    """What a unit measures for arithmetic: its physical family ("km" for 公里), or "count"."""
    family = units.unit_family(unit)
    return family if family in PHYSICAL else "count"


def pick_calculation(operands: list[Operand], question: str, lang: Lang, backend: ChatBackend) -> str | None:
    """The model's calculation over the operand names, or None when it finds no figures for it."""
    lines = [f"{o.name} {o.row.subject}{'：' if lang == 'zh' else ': '}{_shown_figure(o.row, lang)}"
             for o in operands[:MAX_ROWS]]
    messages = render(f"compute.{lang}.md", figures="\n".join(lines), question=question)
    try:
        reply = complete(backend, messages, max_tokens=40).strip().splitlines()
    except BackendError as err:
        log.warning("the model could not pick the figures for a calculation: %s", err)
        return None
    expression = reply[0].strip().strip("`") if reply else ""
    if not expression or NOT_FOUND_TOKEN in expression or not _EXPRESSION.fullmatch(expression):
        return None
    return expression


def _stated_per_unit(operand: Operand) -> bool:
    """Whether the report states the figure per so many of something (每千人口, 每万人): a rate, not an amount."""
    return any(base in operand.row.subject for base in PER_BASES.values())


def compute(kind: Calculation, expression: str, operands: list[Operand], lang: Lang,
            question: str = "") -> ComputedAnswer | None:
    """The answer for the model's calculation; None when it is no calculation (a single figure, unknown
    names). Raises CalculationError when the figures cannot be combined (亩 and 斤), with the reason."""
    by_name = {o.name: o for o in operands}
    try:
        names = operand_names(expression)
    except CalculationError:
        return None
    used = [by_name[name] for name in names if name in by_name]
    if not {c for c in expression if c in "+-*/×÷"} <= _OPERATORS[kind]:
        return None  # "F8 * 4.8" answers no comparison: the model's sum, difference… must be the one asked
    # Two figures, or one with a constant ("100 - F1": what is not covered; "F1 / 365": a day's share).
    if not used or len(used) != len(names) or (len(used) < 2 and not _CONSTANT.search(expression)):
        return None
    if kind in ("sum", "share", "per_unit") and len(used) > 1 and all(o.row.percent for o in used):
        # Rates are no amounts to add or share out: "搞科研的钱占经济的比例" is a share the report states
        # (研发投入强度2.8%), not 8% ÷ 7%; two growth rates do not add up to a third.
        return None
    if len(used) > 1 and any(_stated_per_unit(o) for o in used):
        # "每千人口…托位数达到4.8个" is a rate per thousand people: it adds to no total (6.6万张 beds + 4.8个 is no
        # number of beds), and no total is divided by it.
        return None
    measure = asked_measure(question) if question else None
    if measure not in (None, "percent") and not any(in_measure(o.row.unit, o.row.percent, measure) for o in used):
        # "人均能挣多少钱" asks for yuan: no calculation over counts of people and flats gives it.
        return None
    if kind != "per_unit" and len({_measure(o) for o in used}) > 1:  # 70万辆 ÷ 60%: no meaning
        other = next(o for o in used if _measure(o) != _measure(used[0]))
        raise CalculationError(f"{_unit_name(used[0])} and {_unit_name(other)} measure different things")
    if kind != "per_unit" and (unlike := _unlike_counts(used)):  # 10家 + 20万名 + 3700套: no total of anything
        raise CalculationError(f"{unlike[0].row.unit} and {unlike[1].row.unit} count different things")
    if kind == "sum" and (pair := _part_and_whole(used)):
        return _whole_holds_part(*pair, lang)
    result = evaluate(expression, {o.name: o.quantity for o in used})
    if kind in ("ratio", "share") and result.unit and len(used) > 1:  # "几倍" of unlike things: no meaning
        raise CalculationError(f"{used[0].row.unit or 'a count'} and {used[1].row.unit or 'a count'} measure "
                               "different things; a ratio or a share needs like figures")
    citations, numbering = _citations(used)
    if kind == "comparison" and len(used) == 2:
        text, working = _comparison(used, numbering, lang, question)
    else:
        text, working = _calculation(kind, expression, used, result, numbering, lang)
    figures = [FigureCheck(o.row.figure, True, numbering[o.passage.chunk.chunk_id]) for o in used]
    return ComputedAnswer(text, working, citations, figures)


def _part_and_whole(used: list[Operand]) -> tuple[Operand, Operand] | None:
    """Two figures of one sentence in one unit, the first counting a kind of what the second counts (新能源汽车 of
    汽车, 境外游客 of 游客: the report's term of the one ends with the other's): the whole already holds the part."""
    if len(used) != 2:
        return None
    for part, whole in itertools.permutations(used):
        same_sentence = (part.row.source, part.row.sentence_start) == (whole.row.source, whole.row.sentence_start)
        kinds, ofs = most_specific(named_terms(part.row.subject)), most_specific(named_terms(whole.row.subject))
        if same_sentence and part.row.unit == whole.row.unit and any(
                is_kind_of(kind, of) for kind in kinds for of in ofs):
            return part, whole
    return None


def _whole_holds_part(part: Operand, whole: Operand, lang: Lang) -> ComputedAnswer:
    """"How many vehicles in total, electric and conventional": the whole (汽车产量140万辆) is the total; adding the
    part to it (70万 + 140万) would count the new-energy vehicles twice."""
    citations, numbering = _citations([whole, part])
    big, small = _cited_item(whole, numbering, lang), _cited_item(part, numbering, lang)
    if lang == "zh":
        text = f"{big}已包括{small}，两者不能相加：总数是{_shown_figure(whole.row, lang)}。"
    else:
        text = f"{big} already includes {small}; they do not add up: the total is {whole.row.english}."
    working = f"{_bare_figure(whole.row, lang)} ⊇ {_bare_figure(part.row, lang)}"
    figures = [FigureCheck(o.row.figure, True, numbering[o.passage.chunk.chunk_id]) for o in (whole, part)]
    return ComputedAnswer(text, working, citations, figures)


def stated_multiple(question: str, operands: list[Operand]) -> bool:
    """Whether the report states a multiple (N倍) of what a ratio question names: its own words share a word with
    the question ("是2018年的几倍" and 分别是2018年的1.4倍), so the answer is quoted, not worked out."""
    words = set(tokenize(question))
    return any(o.row.unit == "倍" and words & set(tokenize(o.row.subject)) for o in operands)


def named_by(question: str, expression: str, operands: list[Operand]) -> bool:
    """Whether every figure of the calculation is one the question names: its row's subject shares a word with
    the question (Chinese questions only; an English question's words cannot be matched to the report's)."""
    by_name = {o.name: o for o in operands}
    words = set(tokenize(question))
    try:
        used = [by_name[name] for name in operand_names(expression) if name in by_name]
    except CalculationError:
        return False
    return bool(used) and all(words & set(tokenize(o.row.subject)) for o in used)


def _citations(used: list[Operand]) -> tuple[list[Citation], dict[str, int]]:
    numbering: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for operand in used:
        key = operand.passage.chunk.chunk_id
        numbering.setdefault(key, len(numbering) + 1)
        spans.setdefault(key, []).extend([(operand.row.sentence_start, operand.row.sentence_end),
                                          (operand.row.start, operand.row.end)])
    passages = {o.passage.chunk.chunk_id: o.passage for o in used}
    return [citation_for(n, passages[key], spans[key]) for key, n in numbering.items()], numbering


def _calculation(kind: Calculation, expression: str, used: list[Operand], result: Quantity,
                 numbering: dict[str, int], lang: Lang) -> tuple[str, str]:
    by_name = {o.name: o for o in used}
    share = kind == "share" and not result.unit and not result.percent  # a ratio shown as a percentage
    shown = Quantity(result.value * 100, "", True) if share else result
    amount = _amount(shown, used, lang)
    approximate = _rounded(shown.value) != shown.value
    working_parts = re.sub(r"[A-Za-z]\w*", lambda m: _bare_figure(by_name[m.group()].row, lang), expression)
    working_parts = working_parts.replace("*", "×").replace("/", "÷")
    equals = "≈" if approximate else "="
    working = f"{working_parts} {equals} {amount}"
    cited = re.sub(r"[A-Za-z]\w*", lambda m: _cited_figure(by_name[m.group()], numbering, lang), expression)
    cited = cited.replace("*", "×").replace("/", "÷")
    if lang == "zh":
        return f"按报告中的数字计算：{cited} {equals} {amount}。", working
    return f"Worked out from the report's figures: {cited} {equals} {amount}.", working


def _comparison(used: list[Operand], numbering: dict[str, int], lang: Lang, question: str = "") -> tuple[str, str]:
    a, b = used
    larger, smaller = (a, b) if a.row.value >= b.row.value else (b, a)
    difference = Quantity(Decimal(repr(larger.row.value)) - Decimal(repr(smaller.row.value)),
                          larger.quantity.unit, False, label=larger.row.unit or "")
    if larger.row.percent:
        points = _plain(difference.value)
        difference_text = (f"{points}个百分点" if lang == "zh"
                           else f"{points} percentage point{'' if points == '1' else 's'}")
    else:
        difference_text = _amount(difference, used, lang)
    same_subject = larger.row.subject == smaller.row.subject
    big, small = (_cited_item(o, numbering, lang, _named_in(question, o.row) if same_subject else "")
                  for o in (larger, smaller))
    working = f"{_bare_figure(larger.row, lang)} − {_bare_figure(smaller.row, lang)} = {difference_text}"
    if difference.value == 0:
        if lang == "zh":
            return f"两者相同：{big}，{small}。", working
        return f"They are the same: {big}; {small}.", working
    if lang == "zh":
        return f"{big}，多于{small}，多{difference_text}（{working}）。", working
    return f"{big} is more than {small}, by {difference_text} ({working}).", working


def _cited_item(operand: Operand, numbering: dict[str, int], lang: Lang, named: str = "") -> str:
    n = numbering[operand.passage.chunk.chunk_id]
    subject = named if named and operand.row.subject.startswith(named) else f"{named}{operand.row.subject}"
    if lang == "zh":
        return f"{subject}{_shown_figure(operand.row, lang)}[{n}]"
    return f"{_shown_figure(operand.row, lang)} ({subject}) [{n}]"


def _named_in(question: str, row: FigureRow) -> str:
    """What tells a figure apart from another of the same subject (two 集群规模): the longest run of the question's
    words (in the report's terms) that its sentence holds before it and its subject does not, first in the question
    on a tie ("电子信息" for 7000亿元, "汽车" for 4000亿元)."""
    text = in_report_terms(question)
    before = row.sentence[:row.start - row.sentence_start]
    runs = [text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1)
            if CJK_RUN.fullmatch(text[i:j]) and text[i:j] in before and text[i:j] not in row.subject]
    return max(runs, key=lambda run: (len(run), -text.index(run)), default="")


def _cited_figure(operand: Operand, numbering: dict[str, int], lang: Lang) -> str:
    n = numbering[operand.passage.chunk.chunk_id]
    return f"{_shown_figure(operand.row, lang)}[{n}]" if lang == "zh" else f"{_shown_figure(operand.row, lang)} [{n}]"


def _shown_figure(row: FigureRow, lang: Lang) -> str:
    """An operand as an answer cites it: the report's figure without a leading 达到, or its English value, both with
    the report's qualifier (以上, over)."""
    if lang != "zh":
        return row.english
    opening, _ = numbers.qualifier_words(row.figure)
    return row.figure[len(opening):] if numbers.reaches(opening) else row.figure


def _bare_figure(row: FigureRow, lang: Lang) -> str:
    """An operand as the working shows it: the value and unit alone (446万亩, 4.46 million mu)."""
    if lang == "zh":  # the report's qualifier words around it left out of the working
        opening, ending = numbers.qualifier_words(row.figure)
        return row.figure[len(opening):len(row.figure) - len(ending)]
    unit = in_english.english_unit(row.unit)
    value = in_english.format_english(numbers.Figure("", 0, 0, row.value, row.percent, row.unit))
    return value + (f" {unit}" if unit else "")


def _amount(quantity: Quantity, used: list[Operand], lang: Lang) -> str:
    """The result with its unit, in the operands' scale for Chinese (100万平方米), in English words otherwise."""
    value = _rounded(quantity.value)
    if quantity.percent:
        return f"{_plain(value)}%"
    if not quantity.unit:
        return f"{_plain(value)}倍" if lang == "zh" else f"{_plain(value)} times"
    if lang == "en":
        figure = numbers.Figure(text="", start=0, end=0, value=float(value), unit=quantity.label.split("/")[0] or None)
        per = quantity.label.split("/")[1] if quantity.per else ""
        english = in_english.format_english(figure)
        unit = in_english.english_unit(figure.unit) or ""
        # A generic measure word (个, 家) has no English noun: "136.842 million yuan each".
        shared = (f"per {in_english.english_unit(per)}" if in_english.english_unit(per) else "each") if per else ""
        return " ".join(p for p in (english, unit, shared) if p)
    if quantity.per:  # an amount per visit, per mu…: its own size, not the operands' (2000亿元 ÷ 1.7亿人次 ≈ 1176元)
        scale = next((word for word, size in _SCALES if abs(value) >= size), "")
    else:
        scales = {row_scale(o.row) for o in used
                  if units.unit_family(o.row.unit) == quantity.unit or o.row.unit == quantity.label}
        scale = next(iter(scales)) if len(scales) == 1 else ""
    divisor = dict(_SCALES).get(scale, Decimal(1))
    return f"{_plain(_rounded(value / divisor))}{scale}{quantity.label}"


def row_scale(row: FigureRow) -> str:
    """The Chinese scale word a figure is written in ("万" in 2.7万个), "" when none."""
    return next((word for word, _ in _SCALES if word in row.figure), "")


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-DECIMALS), ROUND_HALF_UP) if value.as_tuple().exponent < -DECIMALS else value


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
