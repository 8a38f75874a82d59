"""A claim (or the premise a question takes for granted) parsed once into what a fact-check compares: the places
and years it names, whether it is negated and whether the negation bears on its figure, the way it moves things
(新增 or 减少), and each figure with the words around it and the thing it counts.

One copy of the word lists: the fact-check and the premises read claims with these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from bot.understand.questions import ASKS_WHAT, relative_years, thing_ends
from bot.understand.terms import in_report_terms
from zzbot import numbers
from zzbot.places import Place, places_named
from zzbot.text import CJK_RUN, CLAUSE_END, chinese_pairs, clause_around

Direction = Literal["up", "down", "steady"]

# Words that say which way a figure moves: a claim that has the report's figure going the other way ("GDP to
# shrink by about 7%" for 增长7%左右) is wrong however right its figure.
DOWN = re.compile(r"减少|下降|降(?![水雨雪落])|跌(?!幅)|缩减|削减|下调|萎缩|缩水|压(?:减|缩|到|至|低)|缩小|回落|下滑|走低|砍伐|关闭|拆除|撤(?:掉|销|除|走)|(?:减|砍|去)掉|\b(?:shrink|shrinks|shrinking|shrank|shrunk|fall|"
                  r"falls|falling|fell|drop|drops|dropping|dropped|decline|declines|declining|declined|decrease|"
                  r"decreases|decreasing|decreased|cut|cuts|cutting|reduce|reduces|reducing|reduced|lower|lowers|"
                  r"lowering|lowered|close(?!\s+to\b)|closes|closing|closed|demolish|demolishes|demolishing|"
                  r"demolished|remove|removes|removing|removed|eliminate|eliminates|eliminating|eliminated|"
                  r"contract(?!\s+(?:with|for|worth))|contracts(?!\s+(?:with|for|worth))|contracting|contracted)\b",
                  re.IGNORECASE)
# Building or creating something moves it up too: "cutting forest by 32,800 mu" for 完成营造林3.28万亩. 增加值
# (value added) is a noun. The size of a rise is a rise ("涨幅3%左右": prices go up by about 3%; "涨幅要降低3%" is
# the other way); 跌幅 moves nothing by itself.
UP = re.compile(r"增长|增加(?!值)|涨|增幅|增速|提高|提升|上升|扩大|新增|突破|达到|新建|营造|创建|\b(?:grow|grows|growth|grew|rise|rises|rose|"
                r"increase|increases|increased|raise|raises|raised|expand|expands|expanded|add|adds|adding|added)\b",
                re.IGNORECASE)
# Words holding a figure where it is ("稳定在80万亩以上"): a claim moving it down is wrong, one moving it up may hold.
STEADY = re.compile(r"稳定在|保持在|稳住|\b(?:stable|steady|stays?|remains?)\b", re.IGNORECASE)

# Words that deny what follows. Bare 不 is left out: 不低于, 不超过, 不断 are no denial; 未来 is the future; "no
# less than" and "not only" are a bound and a conjunction.
NEGATION = re.compile(
    # 有没有, 是不是, 会不会 ask; they deny nothing. 不 or 没 right before a verb moving a thing denies the move
    # ("不新增绿地", "没新增学位"), as before a verb of doing ("不建公园", "没修路") or of saying ("根本没提嵩山"); 不断 and 不低于 stay bounds and adverbs.
    rf"(?<![有没])没有|(?<![有没])[没不](?={UP.pattern}|{DOWN.pattern}|[建修盖搞办引招设做提说讲写]|实施|开展|安排|组建|创建)|(?<!是)不是|并非|并不|并未|未(?!来|成年)|(?<!会)不会|不再|不将|不打算|"
    r"不计划|不准备|"
    # Stopping a thing denies it is done ("暂停扫黑除恶斗争", "scrap the vegetable-basket system").
    r"暂停|停止|取消|终止|叫停|废除|放弃|\b(?:stop|stops|stopped|halt|halts|halted|suspend|suspends|suspended|scrap|"
    r"scraps|scrapped|abandon|abandons|abandoned|cancel|cancels|cancell?ed)\b|"
    r"\b(?:not|no|never|none|zero)\b(?!\s+(?:less|more|fewer|later|earlier|only)\b)(?!\.)|n't\b",
    re.IGNORECASE)
# Between a negation and the figure it denies ("不是2.7万个", "并非达到", "not 27,000"), only these words.
_FIGURE_DENIED = re.compile(r"\s*(?:是|为|有|达|到|达到|超过|就是|\bbe\b|\bequal\b|\bexactly\b|\bjust\b)?\s*$",
                            re.IGNORECASE)

# Words of a claim that name no thing counted: when, where, will, the report's hedges.
_FILLER = re.compile(
    r"\d{4}年|今年|明年|去年|全年|年内|年底|本年度|报告|政府|预计|计划|力争|将要|已经|可以|全市|市区|城区|我们|一共|总共|"
    r"累计|大约|左右|以上|以下|超过|达到|至少|不少于|其中|今后|"
    # How much a thing moves, never what moves ("进出口总值将大幅下降").
    r"大幅度?|小幅度?|明显|显著|略微|稍微|大大|"
    # Single characters only where they are never part of a noun's own words; 要 is a modal ("总产量要稳在"), except
    # in 要素, 要求, 要点.
    r"将|的|了|要(?![素求点])")
# A place's administrative suffix, dropped with its name (开封市).
_PLACE_SUFFIX = "[市省区县]?"
# Two things ranked: "供水管网比燃气管网还长" (the larger first unless the word is of less), "比2023年提高", "more water
# mains than gas mains", "the water mains are longer than the gas mains"; in a claim or a question.
COMPARATIVE = re.compile(
    r"比(?P<other>[^，,。？?比]{2,16}?)(?:还|更|要)?(?P<word>提高|增加|增长|下降|减少|[多高大长快少低小短慢])|"
    # "新能源汽车产量要超过汽车总产量": a verb of ranking before a thing, not a figure (超过70万辆 is a bound).
    r"(?P<verb>超过|多于|高于|大于|少于|低于|不及)(?P<thing>[^\d，,。？?]{2,16}?)(?=[，,。？?]|$)|"
    r"\b(?P<en>more|higher|larger|bigger|greater|longer|faster|less|fewer|lower|smaller|shorter|slower)\b"
    r"(?P<between>[^.?!]{0,60}?)\bthan\b(?P<after>[^.?!，。]+)", re.IGNORECASE)
_LESS = frozenset("少低小短慢") | {"下降", "减少", "少于", "低于", "不及", "less", "fewer", "lower", "smaller", "shorter",
                                 "slower"}


@dataclass(frozen=True)
class Ranking:
    """Two things a claim ranks, in its own words: ``larger`` is claimed above ``smaller`` (or not below it, when
    ``or_equal``: "A不比B多")."""

    larger: str
    smaller: str
    or_equal: bool = False


@dataclass(frozen=True)
class ClaimFigure:
    """One figure of a claim with the claim's words about it."""

    figure: numbers.Figure
    clause: str  # the claim's clause holding the figure
    subject: str  # the CJK words naming what the figure counts, without filler, place, year or direction
    direction: Direction | None  # the way the figure's clause moves it
    direction_word: str | None
    denied: bool  # a negation right before the figure denies the value itself ("不是2.7万个")


@dataclass(frozen=True)
class Claim:
    text: str
    places: tuple[Place, ...]
    years: tuple[int, ...]  # written out ("2024年")
    relative_years: tuple[int, ...]  # offsets (去年 → -1)
    negated: bool  # some negation in the claim
    negation_word: str | None
    direction: Direction | None  # of the claim as a whole (its first direction word)
    direction_word: str | None
    subject: str  # the CJK words of the whole claim naming its thing (for a claim without a figure)
    figures: tuple[ClaimFigure, ...]
    ranking: Ranking | None = None

    @property
    def affirmed(self) -> str:
        """The claim with its negation left out: what it denies, as the report would state it."""
        if not self.negated:
            return self.text
        # "won't add any school places" affirms "will add school places"; 任何 likewise.
        affirmed = re.sub(r"\bwon't\b", "will", self.text, flags=re.IGNORECASE)
        affirmed = re.sub(r"\bcan't\b", "can", affirmed, flags=re.IGNORECASE)
        affirmed = re.sub(rf"{NEGATION.pattern}|\bany\b\s*|任何", "", affirmed, flags=re.IGNORECASE)
        return re.sub(r"\s{2,}", " ", affirmed).strip()

    @property
    def denies_event(self) -> bool:
        """The negation denies the thing happening ("没有新增学位", "will not add"), not only a figure's value."""
        return self.negated and not any(f.denied for f in self.figures)


# The span a figure counts over: one year's ("今年一年就要引进25名院士", "in 2024 alone") or since the start (累计).
# A figure of one is no figure of the other.
Period = Literal["one_year", "cumulative"]
_PERIOD = re.compile(r"(一年内?|[仅光单]今年|仅\d{4}年|\bin\s+(?:one|a\s+single)\s+year\b|\b(?:year|\d{4})\s+alone\b|"
                     r"\bwithin\s+a\s+year\b)|(累计|\bcumulative(?:ly)?\b|\bin\s+all\s+so\s+far\b)", re.IGNORECASE)


def period_of(text: str) -> Period | None:
    """The span ``text`` counts its figure over, None when it names none."""
    match = _PERIOD.search(text)
    return None if match is None else "one_year" if match.group(1) else "cumulative"


def direction_of(text: str) -> tuple[Direction | None, str | None]:
    """The way ``text`` moves things: the first direction word's, or None when it has none or both ways. Names are
    read in the report's words first: "industrial value added" is 规模以上工业增加值, it adds nothing."""
    text = in_report_terms(text)
    down, up = DOWN.search(text), UP.search(text)
    if bool(down) == bool(up):
        # "由下降转为增长": both ways, nothing certain.
        steady = None if down else STEADY.search(text)
        return ("steady", steady.group(0)) if steady else (None, None)
    found = down or up
    assert found is not None
    return ("down" if down else "up"), found.group(0)


def claimed_direction(direction: Direction | None, word: str | None, claim: str,
                      report: str) -> tuple[Direction | None, str | None]:
    """The way a claim moves its thing, and its word; where its words go both ways, those outside the runs it shares
    with the report's clause, but for a shared direction word alone: 新增 of "新增学位会减少" is the report's name of
    the thing (新增学位2.7万个), 减少 is the claim's; 增长 of "由下降转为增长" against "平稳增长" is no name."""
    if direction is not None:
        return direction, word
    own, at = [], 0
    while at < len(claim):
        end = next((end for end in range(len(claim), at + 1, -1) if claim[at:end] in report), at)
        named = end > at and not (DOWN.fullmatch(claim[at:end]) or UP.fullmatch(claim[at:end]))
        own.append(" " if named else claim[at:max(end, at + 1)])
        at = max(end, at + 1)
    return direction_of("".join(own))


def opposite(claim: Direction | None, report: Direction | None) -> bool:
    """Whether a claim moves a figure against the report: the other way, or down where the report holds it."""
    return (claim, report) in {("up", "down"), ("down", "up"), ("down", "steady")}


def subject_words(text: str, places: tuple[Place, ...] = ()) -> str:
    """The CJK words of ``text`` naming what it counts: without places, years, filler, negation or direction
    words; the runs left are joined by spaces ("郑州今年将减少公共停车位" → "公共停车位")."""
    text = _FILLER.sub(" ", text)
    for place in places:
        text = re.sub(re.escape(place.chinese) + _PLACE_SUFFIX, " ", text)
    for pattern in (NEGATION, DOWN, UP):
        text = pattern.sub(" ", text)
    return " ".join(CJK_RUN.findall(text))


def thing_words(run: str) -> str:
    """A run of a Chinese phrase without the copula or goal words closing it (研发投入强度目标为 → 研发投入强度)."""
    return _TRAILING.sub("", run)


def head_of(subject: str) -> str:
    """The head of a Chinese noun phrase, its last two characters (公共停车位 → 车位, 公共充电桩 → 电桩): what is
    counted, which the report's sentence must name. A copula or goal word closing the phrase is no part of it
    (研发投入强度目标为 → 强度)."""
    runs = [thing_words(run) for run in subject.split()]
    runs = [run for run in runs if len(run) >= 2]
    return runs[-1][-2:] if runs else ""


# Words closing a claim's phrase before its figure that name nothing ("目标为2.8%", "控制在5.5%", "只有5所"), or a
# question's before its question word ("交付数字分别是多少" counts 交付's figures).
_TRAILING = re.compile(r"(?:目标|任务|数字|数据|指标|数量)?(?:分别|各自|各|都|一共|总共|共计|合计|共|大概|大约|大致|约|只有|仅有|只|仅|才)?"
                       r"(?:为|是|有|到|在|达|控制在|保持在|稳定在)?$")


def states_subject(subject: str, sentence: str, min_share: float) -> bool:
    """Whether a report sentence names what a claim's words ``subject`` count: its head, or at least ``min_share``
    of its character pairs (settings.answer.claim_subject_share). 新增公共停车位10万个以上 does not name 公共充电桩.
    True for a subject without Chinese words."""
    head = head_of(subject)
    return not head or head in sentence or subject_share(subject, sentence) >= min_share


_SHARE_OF = "占"


def subject_share(subject: str, sentence: str) -> float:
    """The share of the Chinese character pairs of ``subject`` that ``sentence`` holds (0 without any)."""
    pairs = chinese_pairs(subject)
    return sum(pair in sentence for pair in pairs) / len(pairs) if pairs else 0.0


def _figure_subject(clause: str, figure: numbers.Figure, places: tuple[Place, ...]) -> str:
    """The words naming what the figure counts: those before it in its clause, and the thing right after it, up to
    a verb ("新增2.7万个学位" → 学位; "要让20万大学生留下来" → 要让 大学生: the head is the thing after). An amount
    after 占 is the share's whole's ("工业投资占总投资5200亿元的比重" → 总投资); a percent there is the part's share."""
    before, _, after = clause.partition(figure.text)
    if _SHARE_OF in before and not figure.percent:
        before = before.rpartition(_SHARE_OF)[2]
    end = next((i for i in range(len(after)) if thing_ends(after[i:])), len(after))
    return " ".join(filter(None, (subject_words(before, places), subject_words(after[:end], places))))


def _denied(text: str, figure: numbers.Figure) -> bool:
    """Whether a negation right before the figure denies its value ("不是2.7万个", "并非达到", "not 27,000")."""
    window = text[max(0, figure.start - 12):figure.start]
    found = list(NEGATION.finditer(window))
    return bool(found) and bool(_FIGURE_DENIED.match(window[found[-1].end():]))


def _is_per_base(text: str, figure: numbers.Figure) -> bool:
    """A figure that is the base of a rate ("per 1,000 residents", "每千人"): not a figure the claim states."""
    before = text[max(0, figure.start - 5):figure.start].lower()
    return before.rstrip().endswith(("per", "每", "per every"))


def without_rate_bases(text: str) -> str:
    """The text with the base of each rate blanked, offsets kept ("… per 1,000 residents" → "…"): what the base
    counts (residents, 人口) is not what the rate's figure counts."""
    for figure in numbers.number_figures(text):
        if _is_per_base(text, figure):
            window = max(0, figure.start - 5)
            start = max(text.lower().rfind("per", window, figure.start), text.rfind("每", window, figure.start))
            text = text[:start] + " " * (figure.end - start) + text[figure.end:]
    return text


def counts_listed_things(text: str, figure: numbers.Figure) -> bool:
    """A small count in Chinese numerals right after the things it counts ("电子信息和新能源汽车两个产业集群",
    "供水、燃气、供热三种管网"): the sentence's own enumeration, not a figure it states about the report."""
    if figure.text[:1].isascii() or figure.value != int(figure.value) or not 2 <= figure.value <= 10:
        return False
    before = CLAUSE_END.split(text[:figure.start])[-1]
    items = [item for item in LIST_JOINS.split(before) if item.strip()]
    return len(items) == int(figure.value)


LIST_JOINS = re.compile(r"[和与及、]")


def parse_claim(text: str) -> Claim:
    places = tuple(places_named(text))
    years = tuple(int(f.value) for f in numbers.extract_figures(text) if f.kind == "year")
    figures = []
    for figure in numbers.number_figures(text):
        if _is_per_base(text, figure) or counts_listed_things(text, figure):
            continue
        clause = clause_around(text, figure.start, figure.end)
        if figure.qualifier is None and any(hedge in clause[:clause.find(figure.text)] for hedge in numbers.HEDGES_ZH):
            figure = replace(figure, qualifier="about")  # 大约涨8%: about 8%, not 8% as the report's 8%以上
        direction, word = direction_of(clause)
        figures.append(ClaimFigure(figure, clause, _figure_subject(clause, figure, places), direction, word,
                                   _denied(text, figure)))
    negation = NEGATION.search(text)
    direction, word = direction_of(text)
    unfigured = "".join(" " if any(f.start <= i < f.end for f in numbers.extract_figures(text)) else ch
                        for i, ch in enumerate(text))
    return Claim(text, places, years, tuple(relative_years(text)), negation is not None,
                 negation.group(0) if negation else None, direction, word, subject_words(unfigured, places),
                 tuple(figures), _ranking(text, places, negation is not None))


def _ranking(text: str, places: tuple[Place, ...], negated: bool) -> Ranking | None:
    """The two things a claim ranks, the one claimed larger first; a denied ranking ("不比…多") claims the
    reverse or a tie."""
    match = COMPARATIVE.search(text)
    if match is None:
        return None
    if match.group("word") or match.group("verb"):
        before = text[:match.start()]
        negated = negated or before.endswith("不")  # bare 不 denies no verb elsewhere, but "不比" denies the ranking
        first = subject_words(before.rstrip("不并"), places)
        second, word = match.group("other") or match.group("thing"), match.group("word") or match.group("verb")
    else:
        between = match.group("between").strip()
        first = between if re.search(r"[A-Za-z\u4e00-\u9fff]{2}", between) else text[:match.start()]
        second, word = match.group("after"), match.group("en").lower()
    first, second = first.strip(), second.strip()
    if not first or not second:
        return None
    larger, smaller = (second, first) if (word in _LESS) != negated else (first, second)
    return Ranking(larger, smaller, or_equal=negated)


# A staff member asking whether a sentence is right ("这句话对不对：…", "稿子里写的是…帮看下", "Is it true that…"):
# the sentence is a claim to fact-check, not a question to answer.
_ASKS_TO_CHECK = re.compile(
    r"对不对|对吗|对么|对吧|没错吧|没问题吧|准不准|靠谱吗|是否(?:正确|属实|准确|有误)|(?:正确|准确|属实)(?:吗|么|与否)|"
    r"有没有(?:错|问题)|有误吗|,\s*(?:right|correct)\s*\?\s*$|"
    r"帮(?:我|忙)?(?:看看?|核(?:对|实|查)?|查|瞧)(?:一下)?|核(?:对|实|查)(?:一下)?|校对一下|"
    r"\b(?:is\s+it\s+(?:true|correct|right|accurate)(?:\s+that)?|is\s+(?:this|that|the\s+following)\s+(?:claim\s+|"
    r"sentence\s+|statement\s+)?(?:true|correct|right|accurate)|fact[- ]?check|(?:check|verify)\s+(?:this|that|"
    r"whether|if|the\s+following))\b",
    re.IGNORECASE)
_QUOTED = re.compile(r"“([^”]{4,})”|「([^」]{4,})」|‘([^’]{4,})’|\"([^\"]{4,})\"|'([^']{4,})'")
# What frames the claim around the asking words: "这句话", "稿子里写的是", "有人说", a colon, the closing mark.
_CLAIM_FRAME = re.compile(
    r"^(?:请|麻烦)?(?:这|下面|以下)(?:句话|个说法|种说法|段话|条|句)|^(?:我|稿子|材料|文稿|报道|文章|新闻)(?:里|中|上)?(?:写的?是|说)|"
    r"^(?:有人说|听说|据说|网上说)|^(?:please\s+)?(?:tell\s+me\s+)?|这个(?:数字?|说法)$|[：:，,、\s]+$|^[：:，,、\s]+|"
    r"[？?。.!！\s]+$",
    re.IGNORECASE)


def claim_to_check(question: str) -> str | None:
    """The sentence a staff question asks to have checked, or None when the question asks nothing of the kind.
    A quoted sentence is the claim; otherwise the question without its asking words and frame."""
    asking = _ASKS_TO_CHECK.search(question)
    if asking is None:
        return None
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(question)]
    if quoted:
        return max(quoted, key=len).strip()
    claim = (question[:asking.start()] + " " + question[asking.end():]).strip()
    for _ in range(3):  # a frame may stand on both sides and around a colon
        claim = _CLAIM_FRAME.sub("", claim).strip()
    # Something to check is left: a few Chinese characters or English words, not only "this".
    enough = len("".join(CJK_RUN.findall(claim))) >= 4 or len(claim.split()) >= 3
    return claim if enough and not ASKS_WHAT.search(claim) else None
