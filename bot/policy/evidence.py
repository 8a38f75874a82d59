"""The evidence the acceptance checks weigh: which words an answer shares with the question and the passages,
which names it repeats, which sentence names a figure's subject. Plain functions of text, no policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zzbot import figure_check, figure_words, numbers
from bot.answer.compute import measure_of
from bot.retrieval.context import Context, Sentence, all_sentences
from bot.retrieval.figure_table import FigureTable
from bot.understand.questions import PART_SEPARATOR, thing_ends
from bot.understand.terms import asked_terms, is_kind_of, most_specific, named_terms, written_span
from zzbot.text import CJK, CJK_RUN, CLAUSE_END, PER_BASES, chinese_pairs, names_outside_per, tokenize, without_markers

_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+|[\u4e00-\u9fff]{2,}")
_FILLER = frozenset("a an the is are was were will be been to of in on for and or by with this that these those it its "
                    "there their report city year".split())
_CONTRAST = re.compile(r"而是|相反|实际上|事实上|\b(?:but|instead|rather|actually|in\s+fact)\b", re.IGNORECASE)
# Words of every sentence of a year's report, which tie nothing to anything (the documents' own place is added
# per answer: Draft.home_words).
EVERYWHERE = chinese_pairs("今年，全市，市区")
# An English question's answer may quote this many Chinese characters of the passages (names) and stay English.
_COPIED_CHARS = 24
# A Chinese answer with fewer own character pairs than this is too short to judge by its wording.
_MIN_JUDGED_PAIRS = 3
# Wording our Chinese answer prompt itself suggests ("报告没有说…，而是…").
PROMPT_WORDS = chinese_pairs("报告没有说，而是不会减少：报告要求提出")
_PER = re.compile(r"\bper\s*$", re.IGNORECASE)
# An answer "leads with" a figure that starts within this many characters ("About 200,000 people").
_LEAD_CHARS = 8
# The most things an answer's own count of what it lists is taken to count (a list of 2 to 12 names).
_OWN_LIST_MAX = 12


def words(text: str) -> set[str]:
    """Latin words (filler aside), numbers and Chinese character pairs."""
    latin = {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _FILLER}
    return latin | chinese_pairs(text) | set(re.findall(r"\d+(?:\.\d+)?", text))


def corrects(denied: str, home_words: frozenset[str] = frozenset()) -> bool:
    """Whether what follows "the report does not say" is a correction: "X, but Y" with Y about X (a word in common,
    beyond the place, ``home_words``, and the year every sentence is about)."""
    contrast = _CONTRAST.search(denied)
    if contrast is None:
        return False
    return bool((words(denied[:contrast.start()]) & words(denied[contrast.end():])) - EVERYWHERE - home_words)


def adds_to(answer: str, question: str) -> bool:
    """Whether an answer says anything the question does not ("The main targets for 2024 are [1]." does not)."""
    return bool(words(without_markers(answer)) - words(question))


def worded_from(answer: str, question: str, sources: list[str], min_share: float = 0.5) -> bool:
    """Whether a Chinese answer takes its wording from the passages: at least ``min_share`` of its character
    pairs that are not the question's are in them. Judged only on answers with 3+ such pairs (a short answer
    often joins words across the source's punctuation)."""
    own = chinese_pairs(without_markers(answer)) - chinese_pairs(question) - PROMPT_WORDS
    if len(own) < _MIN_JUDGED_PAIRS:
        return True
    text = "".join(sources)
    return sum(pair in text for pair in own) / len(own) >= min_share


def parroted_names(answer: str, standalone: str, focus: str, sources: list[str]) -> list[str]:
    """Names (capitalised word runs, Chinese words) the answer shares with the question's override
    preamble but not with the passages: "Mayor Li Ming" when the question says the report was
    delivered by Li Ming."""
    preamble = standalone.replace(focus, " ") if focus != standalone else standalone
    grounded = " ".join(sources)
    found = []
    for name in dict.fromkeys(_NAME.findall(answer)):
        pieces = [name] if not CJK.match(name) else [name[i:i + 2] for i in range(len(name) - 1)]
        if any(p in preamble and p not in grounded for p in pieces):
            found.append(name)
    return found


def subject_elsewhere(context: Context, subject: str, figures: list[numbers.Figure]) -> bool | None:
    """What was counted, ``subject``, against the answer's figures: None when a sentence stating one of them shares a
    word with it, not only as what another thing is of (``counted_elsewhere``), or no sentence states one; else
    whether another context sentence names it."""
    return named_apart(context, figures, lambda text: names(text, subject),
                       lambda text: counted_elsewhere(text, subject, figures))


def misplaced_figures(sentence: str, named: set[str],
                      stated: list[numbers.Figure]) -> tuple[list[numbers.Figure], list[numbers.Figure]]:
    """The sentence's figures an answer states although their own words name none of the terms it names, when a
    figure of the same measure whose own words do name one is left out: the answer put one where the other belongs
    (figures whose words hold no glossary term are not judged); and the figures that belong to the terms named."""
    placed = [(figure, named_terms(figure_words.own_words(sentence, figure))) for figure in numbers.number_figures(sentence)]
    wrong = [f for f, terms in placed if terms and not terms & named and figure_check.same_as_any(f, stated)]
    left_out = [f for f, terms in placed if terms & named and not figure_check.same_as_any(f, stated)]
    # Only a figure of the same measure can stand in another's place (2000亿元 is no count of visitors).
    swapped = [f for f in wrong if any((measure_of(f.unit), f.percent) == (measure_of(g.unit), g.percent)
                                       for g in left_out)]
    return swapped, [f for f, terms in placed if terms & named]


def wider_figures(sentence: str, asked: set[str],
                  stated: list[numbers.Figure]) -> tuple[list[numbers.Figure], list[numbers.Figure]]:
    """The sentence's figures an answer states that count a wider thing than the one asked, and not it: 带动汽车产量
    突破140万辆 (汽车) in an answer to a question on 新能源汽车, a kind of car; a figure for all cars is no answer.
    Also the sentence's figures of the things asked."""
    wider, own = [], []
    for figure in numbers.number_figures(sentence):
        terms = named_terms(figure_words.own_words(sentence, figure))
        if terms & asked:
            own.append(figure)
        elif (terms and figure_check.same_as_any(figure, stated)
              and all(any(is_kind_of(a, term) for a in asked) for term in terms)):
            wider.append(figure)
    # Only where the thing asked has a figure of that measure of its own: the car industry's 产值 growth answers
    # "新能源汽车…产值呢", for which the report gives no figure of the new-energy cars themselves.
    wider = [f for f in wider if any((f.percent, f.unit) == (g.percent, g.unit) for g in own)]
    return wider, own


def of_the_term_named(candidates: list[tuple[Sentence, numbers.Figure]], words: str
                      ) -> list[tuple[Sentence, numbers.Figure]]:
    """The candidates (a piece of a passage, one of its figures) whose own words name the most
    specific report term of ``words`` as their own most specific one: "汽车产量超过70万辆" speaks of
    带动汽车产量突破140万辆, not of the 新能源汽车 figure of the same value (a kind of car, not all cars)."""
    asked = most_specific(named_terms(words))
    # A term named only as the base of a rate (每千人口) is not what the figure counts: 4.8个 is no population.
    counted = [(piece, figure, _counted_terms(piece.own_words(figure))) for piece, figure in candidates]
    named = [(piece, figure, terms) for piece, figure, terms in counted if any(_written_by(t, asked) for t in terms)]
    # A figure whose words name a term the words asked do not (投入使用中小学校15所 for "15 new schools") is another
    # thing's than one naming only the terms asked (新建中小学校10所), when there is one.
    exact = [(piece, figure) for piece, figure, terms in named
             if all(any(t in a for a in asked) or _written_by(t, asked) for t in terms)]
    return exact or [(piece, figure) for piece, figure, _ in named]


def _written_by(term: str, asked: set[str]) -> bool:
    """Whether ``term`` is one of the terms asked or is written by them together ("60 projects for outstanding
    young talents" names 优秀青年人才 and 项目: the report's 优秀青年人才项目)."""
    rest = term
    for part in sorted(asked, key=len, reverse=True):
        rest = rest.replace(part, "")
    return term in asked or (len(asked) > 1 and not rest)


def _counted_terms(own: str) -> set[str]:
    """The most specific report terms a figure's own words name other than as the base of a rate (每千人口)."""
    return {term for term in most_specific(named_terms(own)) if names_outside_per(own, term)}


def misnamed_figure(answer: str, table: FigureTable, stated: list[numbers.Figure],
                    given: list[numbers.Figure]) -> tuple[numbers.Figure, list[Any]] | None:
    """A figure of the passages (``stated``, not one the question ``given``) that a Chinese answer ties to a report
    term whose figures in the figure table are others
    ("燃气管网要新建改造400万平方米" where the gas mains have 102公里, "养老床位：4.8个" where 养老托老床位 has 6.6万):
    that figure and the term's rows. A label before a colon names what follows it."""
    for clause in CLAUSE_END.split(without_markers(answer).replace("：", "").replace(":", "")):
        for figure in numbers.number_figures(clause):
            if not figure_check.same_as_any(figure, stated) or figure_check.same_as_any(figure, given):
                continue
            own = table.naming(most_specific(named_terms(figure_words.own_words(clause, figure))))
            if own and not any(r.percent == figure.percent and figure_check.same_value(r.value, figure.value)
                               for r in own):
                return figure, own
    return None


def better_named(context: Context, figures: list[numbers.Figure], asked: set[str]) -> str | None:
    """A context clause with figures of its own that shares with the question every word the clauses of the
    answer's figures share, and more ("博士…引进多少": 引进博士…1000名, not 引进培育创新创业团队50个 in the same
    sentence); None when there is none, or when a clause of the answer's figures shares nothing. A clause is read
    with the one before it, which often holds its subject ("工业投资增长20%以上，完成1300亿元")."""
    read: list[tuple[str, str]] = []  # (clause, its words with the clause before it)
    for sentence in all_sentences(context):
        pieces = CLAUSE_END.split(sentence.text)
        read += [(c, "，".join(pieces[max(i - 1, 0):i + 1])) for i, c in enumerate(pieces) if numbers.number_figures(c)]
    holding = [asked & chinese_pairs(words) for clause, words in read if figure_check.states_any(clause, figures)]
    if not holding or not all(holding):
        return None
    return next((clause for clause, words in read if not figure_check.states_any(clause, figures)
                 and all(shared < (asked & chinese_pairs(words)) for shared in holding)), None)


def counted_elsewhere(text: str, subject: str, stated: list[numbers.Figure] | None = None) -> bool:
    """Whether the figures of ``text`` (of ``stated`` only, when given) name ``subject`` in their own words only as
    what something else they count is of, or an example of it (``figure_words.counted_words``): 一流大学 of
    "一流大学、科研机构郑州研究院10家" (research institutes), the factory of "…电池工厂、…产业园等1000个产业项目"."""
    figures = [f for f in numbers.number_figures(text) if stated is None or figure_check.same_as_any(f, stated)]
    named = [f for f in figures if names(figure_words.own_words(text, f), subject)]
    return bool(named) and not any(names(figure_words.counted_words(text, f), subject) for f in named)


def named_apart(context: Context, figures: list[numbers.Figure], naming: Callable[[str], bool],
                misnaming: Callable[[str], bool] = lambda _: False) -> bool | None:
    """Whether what was asked about (a sentence text ``naming`` it) is named apart from the answer's figures: None
    when a sentence stating one of them names it (not as ``misnaming`` tells: as what the figure's thing is of), or
    the answer has no figure; else whether another context sentence does. A figure no context sentence states is
    one the model did not read ("3座体育馆" matching “三个一批” of a passage's other sentence): it is named by none."""
    if not figures:
        return None
    sentences = all_sentences(context)
    named = {id(s) for s in sentences if naming(s.text)}
    holding = [s for s in sentences if figure_check.states_any(s.text, figures)]
    if any(id(s) in named and not misnaming(s.text) for s in holding):
        return None
    return bool(named)


def copied_from(answer: str, sources: list[str]) -> bool:
    """Whether a short answer's Chinese is copied from the passages (a name: "陇海路东延"), as the English prompt
    asks for names; an answer of Chinese prose is not."""
    runs = CJK_RUN.findall(without_markers(answer))
    text = "".join(sources)
    return bool(runs) and sum(map(len, runs)) <= _COPIED_CHARS and all(run in text for run in runs)


def names(text: str, subject: str) -> bool:
    """Whether ``text`` names what a question counts: they share a word (a character pair), or, for a two-character
    colloquial word, its head, the first character (林子 and 营造林; not 幼儿园 and 中小学校, nor 线路 and 陇海路)."""
    if set(tokenize(subject)) & set(tokenize(text)):
        return True
    return len(subject) <= 2 and bool(CJK.match(subject[:1])) and subject[:1] in text


def leads_with_figure(answer: str) -> bool:
    """Whether an answer opens with a figure ("200,000 people [1].")."""
    figures = numbers.number_figures(answer)
    return bool(figures) and figures[0].start <= _LEAD_CHARS


def per_capita_base(answer: str, figure: numbers.Figure, sources: list[str]) -> bool:
    """Whether ``figure`` is the base of a per-capita figure ("4.8 places per 1,000 people" for the report's
    每千人口…4.8个), which is no figure of its own."""
    base = PER_BASES.get(int(figure.value)) if figure.value == int(figure.value) else None
    return bool(base and _PER.search(answer[:figure.start]) and any(base in source for source in sources))


def counts_own_list(answer: str, figure: numbers.Figure) -> bool:
    """Whether ``figure`` counts the things the answer lists right after it, as many as it says ("lists 6 strategic
    emerging industries: 电子信息、新能源汽车及电池、装备制造、新材料、生物医药"): the answer's own count of what it
    quotes, no figure the report states. Things are told apart as a question's parts are (、和及, "and")."""
    if figure.value != int(figure.value) or not 2 <= figure.value <= _OWN_LIST_MAX:
        return False
    after = answer[figure.end:]
    colon = min((at for at in (after.find(":"), after.find("：")) if at >= 0), default=-1)
    if colon < 0 or CLAUSE_END.search(after[:colon]):
        return False
    listed = after[colon + 1:]
    listed = listed[:min((at for at in map(listed.find, "[。.") if at >= 0), default=len(listed))]
    return len([item for item in PART_SEPARATOR.split(listed) if item.strip()]) == int(figure.value)


def kinds_left_out(context: Context, question: str,
                   stated: list[numbers.Figure]) -> tuple[numbers.Figure, list[numbers.Figure]] | None:
    """A kind the answer leaves out of a thing the question asks about that the report splits into kinds, and all
    the kinds: the thing is a sentence's topic, named there but in no figure's own words; the kinds are that
    sentence's figures of one unit, some of which the answer gives. The question must name the thing itself, not
    a longer thing it is part of ("博士后工作站" is no 博士…)."""
    asked = {term for term in asked_terms(question) if names_as_thing(question, term)}
    if not asked or not stated:
        return None
    for sentence in all_sentences(context):
        figures = numbers.number_figures(sentence.text)
        # The thing is the sentence's topic, named by none of its figures (集中供热 is 400万平方米's own: no topic).
        if (not any(term in sentence.text for term in asked)
                or any(term in figure_words.own_words(sentence.text, f) for f in figures for term in asked)):
            continue
        kinds = [f for f in figures if not f.percent]
        given = [f for f in kinds if figure_check.same_as_any(f, stated)]
        if len(kinds) < 2 or not given:
            continue
        unit_kinds = [f for f in kinds if f.unit == given[0].unit]
        if len(unit_kinds) >= 2 and len(given) < len(unit_kinds):
            return next(f for f in unit_kinds if f not in given), unit_kinds
    return None


def names_as_thing(question: str, term: str) -> bool:
    """Whether a question names the report term ``term`` as a thing of its own, its words ending within two
    characters of it (保交楼工作 is 保交楼), not as the start of a longer one ("博士后工作站" names no 博士)."""
    if (span := written_span(question, term)) is None:
        return False
    rest = question[span[1]:]
    return any(not CJK.match(rest[n:n + 1] or " ") or thing_ends(rest[n:]) or rest.startswith("今年", n)
               for n in range(3))
