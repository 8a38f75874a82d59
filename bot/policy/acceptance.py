"""Whether a model answer may be shown: an ordered list of named checks, each giving its reason to reject.

A rejected answer is replaced by the report's own sentence when that sentence matches the question at least the
rejection's threshold, otherwise by "not in the report" (an answer that fails a check usually means the report has
no answer). ``ACCEPTANCE_CHECKS`` lists the checks in run order; each threshold is a setting (``AnswerSettings``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from zzbot import figure_check, figure_words, numbers
from bot.retrieval.context import Context, all_sentences, sentences_naming
from bot.retrieval.figure_table import FigureTable
from bot.answer.english import mostly_chinese
from bot.understand.terms import asked_terms, in_report_terms, named_terms, report_terms
from bot.policy.subject import head_misnamed, qualifier_apart, scope_unstated, term_misnamed
from bot.understand.parsed import ParsedQuestion, parsed_text
from bot.understand.scope import in_measure, person_names, states_measure
from bot.policy.evidence import (
    EVERYWHERE, PROMPT_WORDS, leads_with_figure, adds_to, better_named, copied_from, corrects, kinds_left_out,
    misnamed_figure, misplaced_figures, named_apart, parroted_names, subject_elsewhere, wider_figures, worded_from,
)
from zzbot.settings import AnswerSettings
from bot.understand.claims import direction_of, opposite
from zzbot.text import (chinese_pairs, cited_numbers, clause_around, names_outside_per, up_to_clause_end,
                        without_markers)

# An answer that opens by saying the report does not answer, and words that turn it into a correction.
_REFUSAL = re.compile(r"(?:报告|文件)(?:中|里)?(?:没有|并没有|未|并未)(?:说|提到|提及|涉及|明确|给出|写)|没有找到|"
                      r"the\s+report\s+(?:does\s+not|doesn't|did\s+not)\s+(?:say|mention|give|state|specify)",
                      re.IGNORECASE)
# Words any quantity question may have, which tie it to no sentence in particular.
_ASKING_PAIRS = EVERYWHERE | chinese_pairs("多少，几个，多大，大概，大约，一共，总共，能有，要有，会有，达到，提高到，增加到，"
                                            "目标，计划，预计，报告，提出，要求，政府，打算，能不能，是多少")
# Words of a who-question that ask and name nobody.
_WHO_PAIRS = chinese_pairs("是谁，谁是，哪位，叫什么，名字")


@dataclass
class Draft:
    """A model answer under review, with what the checks need to judge it."""

    raw: str  # the model's own text
    text: str  # after English rendering, scale repair and marker repointing
    lang: str
    question: str  # what was asked: the standalone question without an override preamble
    standalone: str  # the standalone question as the user put it
    override: bool  # the question tries to override instructions or supply its own facts
    context: Context
    sources: list[str]  # the numbered passages' texts
    figure_checks: list[figure_check.FigureMatch] = field(default_factory=list)
    # Figures the question takes for granted that the report does not confirm (an injected "10,000 academicians").
    unconfirmed: list[numbers.Figure] = field(default_factory=list)
    # The words of the place the documents are about (郑州, zhengzhou), which tie nothing to anything.
    home_words: frozenset[str] = frozenset()
    # The previous answer, when the question asks for a part of it ("how many of those…"); else "".
    whole: str = ""
    # Names joining a place asked about to the documents' own (郑开): the answer must come from a sentence naming one.
    joined: list[str] = field(default_factory=list)
    # The figure table (``index.figures.FigureRow`` by report term): what each figure of the reports counts.
    table: FigureTable = field(default_factory=lambda: FigureTable(()))
    # ``question`` read once (the chain's parsed question); read here when a caller gives none.
    parsed: ParsedQuestion = field(default=None)  # type: ignore[assignment]
    # Whether the indexed documents use a word anywhere (``CorpusFacts.mentions``); None: as if they use none.
    mentions: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        if self.parsed is None:
            self.parsed = parsed_text(self.question)

    @property
    def verified_numbers(self) -> list[numbers.Figure]:
        return [c.figure for c in self.figure_checks if c.found and c.figure.kind == "number"]


@dataclass(frozen=True)
class Rejection:
    check: str  # the name of the check that rejected the answer
    reason: str  # for the user, in English
    # The report's sentence is shown instead when it matches the question at least this; None: never.
    threshold: float | None
    anchor: tuple[numbers.Figure, ...] = ()  # the answer's verified figures: their sentence is the one quoted
    found: str = ""  # what the check found (a term, a figure…), put into the reason shown to the asker


Check = Callable[[Draft, AnswerSettings], Rejection | None]


def _rejected(settings: AnswerSettings, draft: Draft) -> float:
    """The threshold after a rejected answer; an answer to an override attempt is judged as its claim would be."""
    return settings.override_similarity if draft.override else settings.rejected_similarity


def in_question_language(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """An English question answered in Chinese (not just a name copied from the passages): its verified figures
    still point at the sentence to quote."""
    if draft.lang != "en" or not mostly_chinese(draft.raw) or copied_from(draft.raw, draft.sources):
        return None
    found = [c.figure for c in figure_check.match_figures(without_markers(draft.raw), draft.sources)
             if c.found and c.figure.kind == "number"]
    threshold = settings.min_similarity if found else settings.rejected_similarity
    return Rejection("in_question_language", "the model answered an English question in Chinese", threshold,
                     tuple(found))


def adds_to_question(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    if adds_to(draft.raw, draft.question):
        return None
    return Rejection("adds_to_question", "the model's answer only repeats the question", _rejected(settings, draft))


def worded_from_passages(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    if draft.lang != "zh" or worded_from(draft.raw, draft.question, draft.sources, settings.min_worded_share):
        return None
    return Rejection("worded_from_passages", "the model's answer is not worded from the report",
                     _rejected(settings, draft))


def takes_from_passages(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A Chinese answer gives something of the passages beyond the question's own words: a figure they hold or a
    word of theirs. "不能：报告要求办事老是要开各种证明" only turns the question around."""
    if draft.lang != "zh" or draft.verified_numbers:
        return None
    own = (chinese_pairs(without_markers(draft.raw)) - chinese_pairs(draft.question) - PROMPT_WORDS - EVERYWHERE
           - draft.home_words)
    text = "".join(draft.sources)
    if any(pair in text for pair in own):
        return None
    return Rejection("takes_from_passages", "the model's answer says nothing the report's passages say",
                     _rejected(settings, draft))


def states_asked_figure(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    if not draft.parsed.quantity or numbers.number_figures(without_markers(draft.text)):
        return None
    return Rejection("states_asked_figure", "the model gave no figure for a question that asks for one",
                     _rejected(settings, draft))


def states_asked_measure(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A question that asks for an amount of money, a percentage, kilometres… needs a figure in that measure (a
    growth rate does not answer "how many 亿元"; school places do not answer "how much money")."""
    measure = draft.parsed.measure if draft.parsed.quantity else None
    if measure is None or states_measure(without_markers(draft.raw), measure):
        return None
    # The one clause giving what a Chinese question counts in the measure asked ("会多几个公园" → 新建公园游园30个),
    # when the model took another figure: quoted as an answer already close enough to the question.
    anchor = _counted_in_measure(draft, measure) if draft.lang == "zh" and not draft.override else ()
    return Rejection("states_asked_measure", f"the answer gives no figure in the measure asked for ({measure})",
                     settings.min_similarity if anchor else _rejected(settings, draft), anchor, found=measure)


def _counted_in_measure(draft: Draft, measure: str) -> tuple[numbers.Figure, ...]:
    """The figures in ``measure`` of the only context clause naming what the question counts; none when no
    clause or several do."""
    subject = draft.parsed.counted_thing
    clauses: dict[str, list[numbers.Figure]] = {}
    for sentence in all_sentences(draft.context) if subject else []:
        for figure in numbers.number_figures(sentence.text):
            clause = clause_around(sentence.text, figure.start, figure.end)
            if subject in clause and in_measure(figure.unit, figure.percent, measure):
                clauses.setdefault(clause, []).append(figure)
    return tuple(next(iter(clauses.values()))) if len(clauses) == 1 else ()


def names_a_person(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """"Who…?" is answered only by a person the passages name: without one, the report does not say who."""
    if draft.parsed.wanted != "person":
        return None
    named = person_names(" ".join(s.text for s in all_sentences(draft.context)))
    if any(name in draft.raw for name in named):
        return None
    return Rejection("names_a_person", "the answer names no person the passages name", _rejected(settings, draft))


def person_in_asked_role(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """The person answering a who-question stands in a sentence naming what the question asks about: for Chinese,
    a word shared beyond the asking words and the documents' own place ("市长是谁": 市长何雄…; "市委书记是谁" is not
    answered by the mayor); for English, the report's term for it (data/glossary.tsv: "party secretary" 市委书记)."""
    if draft.parsed.wanted != "person":
        return None
    named = [n for n in person_names(" ".join(s.text for s in all_sentences(draft.context))) if n in draft.raw]
    holding = [s.text for s in all_sentences(draft.context) if any(n in s.text for n in named)]
    if not holding:
        return None
    if draft.lang == "zh":
        question = draft.question
        for word in draft.home_words:  # 郑州市委书记: 州市 is no word of the question's
            question = question.replace(word, "，")
        asked = chinese_pairs(question) - _ASKING_PAIRS - _WHO_PAIRS
        shares = not asked or any(asked & chinese_pairs(text) for text in holding)
    else:
        terms = report_terms(draft.question)
        shares = not terms or any(term in text for text in holding for term in terms)
    if shares:
        return None
    return Rejection("person_in_asked_role", f"the report names {named[0]} for something else", None,
                     found=named[0])


def no_parroted_names(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    if not draft.override or not (parroted := parroted_names(draft.raw, draft.standalone, draft.question,
                                                              draft.sources)):
        return None
    return Rejection("no_parroted_names", f"the model repeated {', '.join(parroted)} from the question, not from the "
                     "report", settings.override_similarity, found="、".join(parroted))


def figures_verified(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """Every figure of the answer is in a passage (years and dates: anywhere in the report). Figures taken from
    the question (an injected or false premise) say nothing about whether the report answers it: the question
    is then judged as a claim would be."""
    unverified = [c.figure for c in draft.figure_checks if not c.found]
    if not unverified:
        return None
    asked = numbers.extract_figures(draft.standalone)
    parroted = all(any(figure_check.same_value(f.value, g.value) for g in asked) for f in unverified)
    reason = f"the model's figure(s) {', '.join(f.text for f in unverified)} are not in the report's passages"
    return Rejection("figures_verified", reason,
                     settings.override_similarity if parroted else settings.rejected_similarity,
                     tuple(draft.verified_numbers), found="、".join(f.text for f in unverified))


def direction_as_reported(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """An answer moving a figure the other way than the report's clause does ("涨了0.6%" where the review says
    比上年下降0.6%): the figure is the report's, its direction is not. The report's clause is quoted instead."""
    said, word = direction_of(without_markers(draft.raw))
    for figure in draft.verified_numbers if said else []:
        for sentence in all_sentences(draft.context):
            for stated in numbers.number_figures(sentence.text):
                if not figure_check.same_as_any(stated, [figure]):
                    continue
                reported, report_word = direction_of(clause_around(sentence.text, stated.start, stated.end))
                if opposite(said, reported):
                    # Checked last, once the figure is known to be about what was asked: the report's clause is the
                    # correction (a wrong premise of the question, often), shown whenever the question got this far.
                    return Rejection("direction_as_reported", f"the answer says {word} where the report says "
                                     f"{report_word}", settings.min_similarity, (figure,), found=report_word)
    return None


def no_unconfirmed_figures(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """An answer that repeats a figure the question supplies and the report does not confirm: even when some
    passage holds that value (1万 digital talents for "10,000 academicians"), the answer took it from the question."""
    stated = [f for f in numbers.number_figures(without_markers(draft.raw)) if figure_check.same_as_any(f, draft.unconfirmed)]
    if not stated and draft.unconfirmed and draft.parsed.wanted == "yes_no" and not draft.verified_numbers:
        # "…目标是126.5万吗？" answered "是", no figure of the report's: the answer affirms the question's.
        return Rejection("no_unconfirmed_figures", f"the answer settles the question's {draft.unconfirmed[0].text}, "
                         "which the report does not confirm, without a figure of the report's",
                         settings.rejected_similarity, found=draft.unconfirmed[0].text)
    if not stated:
        return None
    others = tuple(f for f in draft.verified_numbers if not figure_check.same_as_any(f, draft.unconfirmed))
    return Rejection("no_unconfirmed_figures", f"the answer repeats the question's {stated[0].text}, which the report "
                     "does not confirm", settings.override_similarity, others, found=stated[0].text)


def not_a_bare_refusal(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """"The report does not say X, only Y" is a refusal, whatever Y is; "…not X, but Y" corrects the question
    (报告没有说关闭图书馆，而是新建图书馆5座) and is an answer, when Y is about X (not "房价会降，而是强调建设美丽郑州")."""
    text = without_markers(draft.raw).strip()
    if not (refusal := _REFUSAL.match(text)) or corrects(text[refusal.end():], draft.home_words):
        return None
    return Rejection("not_a_bare_refusal", "the model says the report does not answer the question", None)


def counts_asked_subject(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A Chinese quantity answer whose figure comes from a sentence not naming what was counted: the report's
    sentence when another passage names it, else not in the report ("幼儿园" answered with schools' 15所)."""
    subject = draft.parsed.counted_thing
    named_elsewhere = subject_elsewhere(draft.context, subject, draft.verified_numbers) if subject else None
    if named_elsewhere is None:
        return None
    return Rejection("counts_asked_subject", f"the report's figure is not about {subject}",
                     settings.rejected_similarity if named_elsewhere else None, found=subject)


def about_asked_words(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A Chinese quantity answer whose figures stand only in sentences sharing no word with the question beyond
    those every question has (今年, 多少, 提高…): the figure is about something else ("最低工资标准提高到多少" answered
    with the consumer-price 3%左右)."""
    if draft.lang != "zh" or not draft.parsed.quantity:
        return None
    # "郑州的GDP今年想涨多少" asks about 地区生产总值: the question's English terms count in the report's words.
    asked = chinese_pairs(in_report_terms(draft.question)) - _ASKING_PAIRS - draft.home_words
    named_elsewhere = named_apart(draft.context, draft.verified_numbers,
                                  lambda text: bool(asked & chinese_pairs(text))) if asked else None
    if named_elsewhere is not None:
        return Rejection("about_asked_words", "the answer's figure stands in a sentence sharing no word with the "
                         "question", settings.rejected_similarity if named_elsewhere else None)
    if better := better_named(draft.context, draft.verified_numbers, asked):
        return Rejection("about_asked_words", "another clause shares every word the answer's does with the question, "
                         "and more", settings.rejected_similarity, tuple(numbers.number_figures(better)))
    return None


def _asked_report_terms(draft: Draft) -> list[str]:
    """The report's terms (data/glossary.tsv) for what the question names, where an answer gives a figure as what
    was asked; a Chinese question by the glossary's terms it writes out, on any answer with a figure ("房价会不会降"
    answered with 居民消费价格涨幅3%左右: no passage names 房价). An English answer giving a figure only beside words
    ("The target is … about 5.5%" for "Since new urban jobs are set to fall, what is the target?") is held to them
    when one sentence alone names them, or none but as the base of a rate ("The population target is 4.8" where
    only 每千人口 names 人口): a word of many things ("project", 项目) names no one figure's thing."""
    answers_with_figure = draft.parsed.quantity or leads_with_figure(without_markers(draft.raw))
    if draft.lang == "zh":
        return sorted(named_terms(draft.question)) if answers_with_figure or draft.verified_numbers else []
    terms = report_terms(draft.question)
    # A term the report uses nowhere ("kindergartens": 幼儿园) holds any answer, a "yes" too: none is about it.
    if answers_with_figure or (draft.mentions is not None and draft.parsed.unknown_terms(draft.mentions)):
        return terms
    naming = len(sentences_naming(draft.context, terms))
    per_base = naming == 0 and all(any(term in s.text for s in all_sentences(draft.context)) for term in terms)
    return terms if draft.verified_numbers and (naming == 1 or per_base) else []


def asked_term_in_passages(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """No passage uses the report's term for what the question names ("郑州地铁今年新开几条线": no 地铁; "公共充电桩":
    no 充电桩): whatever figure the answer gives is about something else, even one no sentence states as such
    ("新开1条线"); no judge of meaning overrides this. Beside a term the passages name, one the report uses nowhere
    (公交 beside 投入使用 in "How many new bus routes will open?"), not one used elsewhere (人口 of 每千人口)."""
    terms = _asked_report_terms(draft)
    missing = [term for term in terms if not any(names_outside_per(text, term) for text in draft.sources)]
    if missing and len(missing) < len(terms) and draft.mentions is not None:
        missing = [term for term in missing if not draft.mentions(term)]
    if missing:
        return Rejection("asked_term_in_passages", f"no passage names {'、'.join(missing)}", None,
                         found="、".join(missing))
    return None


def about_asked_terms(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """An answer whose figures stand only in sentences using none of the report's terms for what the question
    names ("population" is 人口, "industrial investment group" 产业投资集团), while another sentence uses them: the
    figure is about something else. Counterpart of ``counts_asked_subject``, as English words cannot be matched to
    the report's directly."""
    if not (terms := _asked_report_terms(draft)):
        return None
    # A term only the base of a rate names (每千人口) is not what its figure counts: 4.8个 is no population.
    named_elsewhere = named_apart(draft.context, draft.verified_numbers,
                                  lambda text: any(names_outside_per(text, term) for term in terms))
    if named_elsewhere is None:
        return None
    return Rejection("about_asked_terms", f"the answer's figure is not about {'、'.join(terms)}",
                     settings.rejected_similarity if named_elsewhere else None, found="、".join(terms))


def a_part_as_named(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A follow-up asking for a part of what the previous answer gave ("And how many of those jobs are for
    graduates?") is answered only by a figure the report gives for that part, in the figure's own words: not by
    the whole again (126,500), nor by another figure of the sentence naming the part (2.68万 of 农村劳动力转移就业
    beside 退役军人)."""
    if not draft.whole:
        return None
    previous = numbers.number_figures(draft.whole)
    stated = numbers.number_figures(without_markers(draft.text))
    if repeated := [f for f in stated if figure_check.same_as_any(f, previous)]:
        return Rejection("a_part_as_named", f"the answer gives the whole, {repeated[0].text}, for a part of it", None)
    terms = report_terms(draft.question) if draft.lang == "en" else sorted(named_terms(draft.question))
    figures = draft.verified_numbers
    if not terms or not figures:
        return None
    for sentence in all_sentences(draft.context):
        if any(term in figure_words.own_words(sentence.text, f) for f in numbers.number_figures(sentence.text)
               if figure_check.same_as_any(f, figures) for term in terms):
            return None
    return Rejection("a_part_as_named", f"the report gives no figure for {'、'.join(terms)} itself", None)


def every_kind_given(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A thing the report splits into kinds, each with its figure, is answered with every kind when the question
    names none: "烂尾楼今年能交付多少套" (保交楼) gets 剩余1.9万套专项借款项目 and 非专项借款项目4.2万套, not one of
    them (``evidence.kinds_left_out``)."""
    if not (found := kinds_left_out(draft.context, draft.question, draft.verified_numbers)):
        return None
    left_out, kinds = found
    return Rejection("every_kind_given", f"the answer leaves out {left_out.text}, another kind of what is asked",
                     settings.every_kind_similarity, tuple(kinds), found=left_out.text)


def about_joined_place(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A question about a place the documents speak of only joined to their own (郑开 for 郑州和开封) is answered
    from a sentence naming the join (郑开大道…); "郑州和开封加起来GDP要增长多少" is not answered by 郑州's 7%."""
    if not draft.joined:
        return None
    # A number asked for comes from its figure's sentence up to the figure's clause: the join named after it is not
    # the figure's (25个郑港融城项目, then 郑开同城项目 with no figure). Anything else from the cited sentences.
    figures = draft.verified_numbers if draft.parsed.quantity else []
    texts = ([up_to_clause_end(s.text, f.end) for s in all_sentences(draft.context)
              for f in numbers.number_figures(s.text) if figure_check.same_as_any(f, figures)] if figures
             else [draft.sources[n - 1] for n in cited_numbers(draft.text) if 1 <= n <= len(draft.sources)])
    if any(joined in text for text in texts for joined in draft.joined):
        return None
    return Rejection("about_joined_place", f"the answer does not come from what the report says of "
                     f"{'、'.join(draft.joined)}", None, found="、".join(draft.joined))


def figures_where_named(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """An answer naming a sentence's figures by the report's terms gives each term its own figure: "85 km of gas
    pipes and 102 km of heating pipes", for 供水管网85公里、燃气管网102公里、供热管网31.5公里, gives the water
    mains' figure for gas and the gas mains' for heating. A Chinese answer's own clauses are read as claims, each
    figure with the term before it: "燃气管网要新建改造400万平方米" ties the heating area's figure to the gas mains."""
    # The whole of a share asked is its base, not what the figure measures ("研发的钱占GDP比重": 2.8% is not GDP's).
    named = named_terms(f"{draft.question} {without_markers(draft.raw)}") - named_terms(draft.parsed.share_whole)
    stated = draft.verified_numbers
    if not named or not stated:
        return None
    asked = asked_terms(draft.question)
    for sentence in all_sentences(draft.context):
        misplaced, belonging = misplaced_figures(sentence.text, named, stated)
        wider, own = wider_figures(sentence.text, asked, stated)
        if wider:
            return Rejection("figures_where_named", f"the answer gives {wider[0].text}, a figure of something wider "
                             f"than {'、'.join(sorted(asked))}", settings.rejected_similarity, tuple(own),
                             found=wider[0].text)
        if misplaced:
            # The report's sentence is quoted at the figures that belong to the terms named.
            return Rejection("figures_where_named", f"the answer gives {misplaced[0].text} for "
                             f"{'、'.join(sorted(named))}, which the report gives for something else",
                             settings.rejected_similarity, tuple(belonging), found=misplaced[0].text)
    if draft.lang == "zh" and (misnamed := misnamed_figure(draft.raw, draft.table, stated,
                                                           numbers.number_figures(draft.question))):
        figure, own = misnamed
        return Rejection("figures_where_named", f"the answer gives {figure.text} for a term whose figure in the "
                         f"report is {own[0].figure}", settings.rejected_similarity, (figure,), found=figure.text)
    return None


def subject_stated(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """The answer's subject is the one its figure's own clause states: by the report's most specific term for what
    the question names ("老外" is 境外游客: not 接待游客1.7亿人次 but 境外游客75万人次), else, for a Chinese thing
    the glossary has no term for, by a character of its head ("公共充电桩" is not 新增公共停车位10万个)."""
    if draft.override:
        return None
    parsed = draft.parsed
    misnamed = (term_misnamed(parsed, draft.context, draft.verified_numbers)
                or head_misnamed(parsed, draft.context, draft.verified_numbers, draft.mentions))
    if misnamed is None:
        return None
    threshold = settings.min_similarity if misnamed.anchor else (
        settings.rejected_similarity if misnamed.named_elsewhere else None)
    return Rejection("subject_stated", misnamed.reason, threshold, misnamed.anchor, found=misnamed.asked)


def qualifier_stated(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """The answer's figure counts a thing of its own clause while the report names what the question asks about
    apart from it, as another figure's thing or an example of a group (``subject.qualifier_apart``): the report has
    no figure for what was asked, and the answer says so, quoting what is near."""
    if draft.override or not (apart := qualifier_apart(draft.parsed, draft.context, draft.verified_numbers,
                                                         draft.table)):
        return None
    return Rejection("qualifier_stated", apart.reason, None, found=apart.asked)


def scope_stated(draft: Draft, settings: AnswerSettings) -> Rejection | None:
    """A question about the country's or the province's figure ("全国今年的GDP增长目标", "Henan province's target")
    is answered only from a sentence speaking of that scope: the city's figure is another subject."""
    cited = [draft.sources[n - 1] for n in cited_numbers(draft.text) if 1 <= n <= len(draft.sources)]
    if reason := scope_unstated(draft.parsed, draft.context, draft.verified_numbers, cited):
        return Rejection("scope_stated", reason, None, found=draft.parsed.scope)
    return None


ACCEPTANCE_CHECKS: tuple[Check, ...] = (
    in_question_language,
    adds_to_question,
    worded_from_passages,
    takes_from_passages,
    states_asked_figure,
    states_asked_measure,
    names_a_person,
    person_in_asked_role,
    not_a_bare_refusal,
    no_parroted_names,
    figures_verified,
    no_unconfirmed_figures,
    counts_asked_subject,
    subject_stated,
    qualifier_stated,
    about_asked_words,
    asked_term_in_passages,
    about_asked_terms,
    scope_stated,
    about_joined_place,
    a_part_as_named,
    figures_where_named,
    every_kind_given,
    direction_as_reported,
)


def first_rejection(draft: Draft, settings: AnswerSettings,
                    checks: tuple[Check, ...] = ACCEPTANCE_CHECKS) -> Rejection | None:
    """The first check, in order, that rejects the answer; None when it may be shown."""
    for check in checks:
        if rejection := check(draft, settings):
            return rejection
    return None
