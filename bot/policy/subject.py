"""Whether an answer's figure is about what the question asks, read from the sentence stating it: the thing asked
named by the figure's own clause, in the report's terms (data/glossary.tsv) or by its head characters, and the
scope asked (the country's, the province's) stated by the sentence.

Character and term evidence, not embedding similarity: 充电桩 and 停车位 are 0.84 apart, 上学的名额 and 学位 0.70,
so a paraphrase is bridged by the glossary (上学的名额 → 学位, 老外 → 境外游客), never by a threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.compute import measure_of
from bot.retrieval.context import Context, all_sentences
from bot.retrieval.figure_table import FigureTable
from bot.understand.parsed import ParsedQuestion
from bot.understand.questions import PART_SEPARATOR
from bot.understand.terms import glossary_words, most_specific, named_terms, report_terms, written_span
from bot.understand.scope import states_scope
from zzbot import figure_check, figure_words, numbers
from zzbot.text import CJK, CLAUSE_END, chinese_pairs

# A thing asked is judged by its head, the characters it ends with (公共充电桩 → 电桩; the head names the thing,
# what comes before narrows it), only when it is longer than the head: a two-character thing is judged by
# ``acceptance.counts_asked_subject``.
HEAD_CHARS = 2


@dataclass(frozen=True)
class Misnamed:
    """An answer's figures that are about something else than what was asked."""

    reason: str
    asked: str  # what the question asks about, as the check read it
    named_elsewhere: bool  # another context clause names what was asked
    anchor: tuple[numbers.Figure, ...] = ()  # figures the report gives for what was asked


def may_mean(question: str, term: str, asked: set[str]) -> bool:
    """Whether a question may mean ``term`` by words the glossary lacks: it has a word of ``term``'s own beyond those
    of the terms asked ("How many foreign visitors…": foreign, of 境外游客's "foreign tourists", beside visitors
    → 游客; "新能源车": 新能 of 新能源汽车 beside 汽车). "老外来旅游" has none of 境外游客's own words."""
    own_pairs = chinese_pairs(term) - set().union(*(chinese_pairs(t) for t in asked))
    own_words = glossary_words(term) - set().union(*(glossary_words(t) for t in asked))
    return any(pair in question for pair in own_pairs) or bool(own_words & set(re.findall(r"[a-z']+",
                                                                                             question.lower())))


def figure_clauses(context: Context) -> list[tuple[numbers.Figure, str, str]]:
    """Every context figure with its own words (``figure_words.own_words``) and its clause read with the one before it,
    which often holds its subject ("工业投资增长20%以上，完成1300亿元")."""
    found = []
    for sentence in all_sentences(context):
        pieces = CLAUSE_END.split(sentence.text)
        for figure in numbers.number_figures(sentence.text):
            index = len(CLAUSE_END.findall(sentence.text, 0, figure.start))
            clause = "，".join(pieces[max(index - 1, 0):index + 1])
            found.append((figure, figure_words.own_words(sentence.text, figure), clause))
    return found


def _asked_terms(parsed: ParsedQuestion) -> set[str]:
    """The report's most specific terms for what the question asks about; the whole of a share asked is its base,
    not what it asks of ("What share of GDP will R&D spending reach?" asks of 研发投入)."""
    return most_specific(set(parsed.terms) - named_terms(parsed.share_whole))


def term_misnamed(parsed: ParsedQuestion, context: Context, stated: list[numbers.Figure]) -> Misnamed | None:
    """The answer's figures each count something the report names by a more specific or another term than the
    question's ("How many vehicles in total…" answered with 新能源汽车产量超70万辆, for 汽车产量突破140万辆; "多少老外"
    with 接待游客1.7亿人次, for 境外游客75万人次), while another figure of the context is the question's own."""
    asked = _asked_terms(parsed)
    if not asked or not stated:
        return None
    placed = [(figure, most_specific(named_terms(words))) for figure, words, _ in figure_clauses(context)]
    answer = [terms for figure, terms in placed if figure_check.same_as_any(figure, stated) and terms]
    if not answer or any(terms & asked or any(may_mean(parsed.asking, term, asked) for term in terms)
                         for terms in answer):
        return None
    # Only a figure of the same measure can stand in another's place (60% of 汽车产业产值 is no count of cars).
    measures = {(measure_of(f.unit), f.percent) for f in stated}
    own = tuple(figure for figure, terms in placed if terms & asked and (measure_of(figure.unit), figure.percent)
                in measures)
    if not own:
        # The question's own thing stated without a figure (居民人均可支配收入与经济增长同步): no figure is its. Only
        # a term for the whole thing asked (博士 of 博士后工作站 is none).
        if (parsed.quantity and asked <= {*report_terms(parsed.naming), *parsed.things}
                and stated_without_figure(context, asked)):
            return Misnamed(f"the answer's figure counts {'、'.join(sorted(answer[0]))}; the report states "
                            f"{'、'.join(sorted(asked))} without a figure", "、".join(sorted(asked)), False)
        return None  # no figure of the context is the question's: other checks say whether the report has one
    return Misnamed(f"the answer's figure counts {'、'.join(sorted(answer[0]))}, not {'、'.join(sorted(asked))}",
                    "、".join(sorted(asked)), True, own)


def qualifier_apart(parsed: ParsedQuestion, context: Context, stated: list[numbers.Figure],
                    table: FigureTable) -> Misnamed | None:
    """The answer's figures each count a thing of their own clause, while a thing the question names stands in the
    figure's sentence outside that clause, as an example of a group or, beside another thing asked that the figure
    counts, as another figure's thing: "rural elderly care beds" answered with 全市养老托老床位数达到6.6万张, beside
    农村养老服务设施覆盖率提升至60%; "退役军人就业岗位" with 新增城镇就业12.65万人, whose sentence names 退役军人
    among the groups (高校毕业生、退役军人、农民工等) whose jobs the city looks after. The report gives no figure for
    the thing asked. Not a sentence's topic:
    保交楼 of "抓好保交楼、稳民生工作，剩余1.9万套…交付" is what its figures are of. A figure's thing is a report term
    the report gives figures of in one sentence only: 集群规模, of 电子信息 and of the car industry, is a measure whose
    thing is in the clause before ("…电子信息产业产值增长5%以上，集群规模达到7000亿元")."""
    asked = _asked_terms(parsed)
    if not asked or not stated:
        return None
    judged = []  # per answer figure counting a thing of its own: the asked terms its sentence names apart from it
    for sentence in all_sentences(context):
        text = sentence.text
        pieces = CLAUSE_END.split(text)
        figures = numbers.number_figures(text)
        things = [_things_counted(text, f, table) for f in figures]
        for n, figure in enumerate(figures):
            if not figure_check.same_as_any(figure, stated) or not (own := things[n]):
                continue
            clause = pieces[len(CLAUSE_END.findall(text, 0, figure.start))]
            others = set().union(*(t for m, t in enumerate(things) if m != n))
            # Another figure's thing only where the question writes it as one phrase with a thing asked the figure
            # counts: "roads…greenery" is 绿地 by the glossary, the 300万平方米's thing, and the roads' 50条 is
            # right; "parks or green space" asks of two things, each with its own figure.
            judged.append((own, {t for t in asked - own if t not in clause and (
                (t in others - own and any(_written_together(parsed.asking, t, o) for o in own & asked))
                or _an_example(text, t))}))
    if not judged or not all(apart for _, apart in judged):
        return None
    own, apart = judged[0]
    return Misnamed(f"the answer's figure counts {'、'.join(sorted(own))}; the report names "
                    f"{'、'.join(sorted(apart))} apart from it", "、".join(sorted(apart)), False)


def stated_without_figure(context: Context, terms: set[str]) -> tuple[str, str] | None:
    """The first context clause naming every term with no figure (进出口总值平稳增长), with its sentence; not the
    clause opening a sentence whose figures follow (抓好保交楼工作，剩余1.9万套…交付: the topic, whose figures they
    are). None when there is none."""
    for sentence in all_sentences(context):
        pieces = CLAUSE_END.split(sentence.text)
        for n, clause in enumerate(pieces):
            if (all(term in clause for term in terms) and not numbers.number_figures(clause)
                    and not (n == 0 and any(numbers.number_figures(piece) for piece in pieces[1:]))):
                return clause, sentence.text
    return None


def _things_counted(text: str, figure: numbers.Figure, table: FigureTable) -> set[str]:
    """The report terms naming what ``figure`` counts in its own words, of those the report gives figures of in one
    sentence only (not a measure such as 集群规模)."""
    return {term for term in most_specific(named_terms(figure_words.own_words(text, figure)))
            if len({row.sentence for row in table.naming({term})}) <= 1}


def _written_together(question: str, term: str, other: str) -> bool:
    """Whether a question writes two report terms as one thing, the one narrowing the other ("rural elderly care
    beds", "退役军人…就业岗位"), not as things listed or weighed ("parks or green space", "粮食和蔬菜"): nothing
    separating things stands between them (``questions.PART_SEPARATOR``)."""
    first, second = written_span(question, term), written_span(question, other)
    if first is None or second is None:
        return False
    (_, a_end), (b_start, _) = sorted([first, second])
    return a_end <= b_start and not PART_SEPARATOR.search(question[a_end:b_start])


def _an_example(text: str, term: str) -> bool:
    """Whether ``text`` names ``term`` as one of the examples listed before 等 (高校毕业生、退役军人、农民工等
    重点群体)."""
    for piece in CLAUSE_END.split(text):
        at = piece.find(term)
        if at >= 0 and (end := piece.find("等", at)) >= 0:
            listed = piece[at + len(term):end]
            return not listed or listed.startswith("、") or piece[at - 1:at] == "、"
    return False


def head_misnamed(parsed: ParsedQuestion, context: Context, stated: list[numbers.Figure],
                  mentions: Callable[[str], bool] | None = None) -> Misnamed | None:
    """A Chinese thing asked that no clause of the answer's figures names by a character of its head, when the
    glossary gives no term of the report's for that head: "今年全市打算新增多少个公共充电桩" answered with 新增公共停车位
    10万个 (公共 is shared, 充电桩 is not). Nor one whose clause names the head after another word, while the word
    before the head asked is one the documents use nowhere (``mentions``): "污水管网" answered with 供热管网31.5公里."""
    if parsed.lang != "zh" or not parsed.quantity or not stated or not parsed.things:
        return None
    thing = parsed.things[0]
    head = thing[-HEAD_CHARS:]
    # A thing the report has a term for (上学的名额 is 学位, 公共停车位) is judged by term_misnamed; a term for a word of
    # it only (博士 of 博士后工作站) does not name it.
    if (len(thing) <= HEAD_CHARS or not all(CJK.match(c) for c in head) or report_terms(thing)
            or any(head in t for t in parsed.terms)):
        return None
    clauses = figure_clauses(context)
    if not any(figure_check.same_as_any(f, stated) for f, _, _ in clauses):
        return None  # a figure no context sentence states: figures_verified judges it
    answering = [(words, clause) for f, words, clause in clauses if figure_check.same_as_any(f, stated)]
    word = thing[-2 * HEAD_CHARS:-HEAD_CHARS]  # the word right before the head: 污水 of 污水管网
    # The figure's own words end with the head (供热管网31.5公里), another word before it there; not a count of the
    # things asked (两个 of "两个交付数字"): a word naming a kind.
    if (mentions and len(word) == HEAD_CHARS and all(CJK.match(c) for c in word) and not mentions(word)
            and not numbers.number_figures(word)
            and any(words.partition("…")[0].endswith(head) for words, _ in answering)):
        return Misnamed(f"the answer's figure is not about {thing}: the report names no {word}{head}", thing, False)
    # Both its characters in the clause, or one in the figure's own words (剩 of "…楼盘剩多少套" in 剩余1.9万套):
    # 化 of 孵化器 in 深化, a clause before 新认定高企1000家, names no incubator.
    if any(set(head) <= set(clause) or set(head) & set(words) for words, clause in answering):
        return None
    own = tuple(f for f, _, clause in clauses if head in clause)
    return Misnamed(f"the answer's figure is not about {thing}: its clause does not name {head}", thing, bool(own),
                    own)


def scope_unstated(parsed: ParsedQuestion, context: Context, stated: list[numbers.Figure],
                   cited: list[str]) -> str | None:
    """A question about the country's or the province's figure answered from sentences that do not speak of it:
    "What GDP growth target has China set nationally?" is not answered by the city's 地区生产总值增长7%左右."""
    if parsed.scope == "city":
        return None
    # The figure's clause, not its sentence: the targets' sentence ends "…完成国家和省定目标", which is no national
    # figure for 地区生产总值增长7%左右 at its start.
    texts = [clause for figure, _, clause in figure_clauses(context) if figure_check.same_as_any(figure, stated)] \
        if stated else cited
    if any(states_scope(text, parsed.scope, parsed.asking) for text in texts):
        return None
    whose = {"nation": "the country", "province": "the province"}[parsed.scope]
    return f"the question asks for {whose}'s figure; the report's sentence gives the city's"


def subject_named(parsed: ParsedQuestion, quoted: str) -> bool:
    """Whether a quoted sentence names what the question asks about: one of its most specific report terms, or the
    head of a Chinese thing the glossary has no term for. True when the question names no particular thing. Decides
    whether an answer quoting the report without the model's checks may say "figures verified" or only "figure
    found, subject not confirmed"."""
    terms = most_specific(set(parsed.terms))
    if terms:
        return any(term in quoted for term in terms)
    heads = [thing[-HEAD_CHARS:] for thing in parsed.things if CJK.search(thing) and len(thing) > HEAD_CHARS]
    return not heads or any(head in quoted for head in heads)
