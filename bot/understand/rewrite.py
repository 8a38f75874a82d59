"""Turning what the user typed into what is searched: a follow-up made standalone, an English question also
put in the report's Chinese words (by the LLM, when ``answer.translate_questions`` is on)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.llm.client import BackendError, ChatBackend, complete
from bot.llm.prompting import render
from bot.understand.questions import (TIME_WORDS, asks_part_of_previous, asks_quantity, counted_subject, counted_things_span,
                                     names_a_time, question_word, refers_back, thing_ends, unit_asked,
                                     without_back_reference)
from bot.understand.terms import glossary_phrases, in_report_terms, most_specific, named_terms, report_terms
from bot.schema import Lang
from bot.understand.scope import asked_measure
from zzbot import figure_check, numbers
from zzbot.places import places_named
from zzbot.text import CJK, CJK_RUN, chinese_pairs

log = logging.getLogger(__name__)

# The backend for one prompt role ("rewrite.zh"…), None for the extractive (no-LLM) backend.
BackendFor = Callable[[str], ChatBackend | None]
# Characters of each earlier turn the rewriter sees.
TURN_CHARS = 300


def standalone_question(question: str, turns: list[dict[str, str]], lang: Lang,
                        backend_for: BackendFor, in_report: Callable[[str], bool] = lambda _: False) -> tuple[str, bool]:
    """The last question rewritten to stand alone, from the conversation ``turns``, and whether it stands alone:
    the earlier question asked of the follow-up's other thing or other kind of it ("那城镇就业呢？", "供热的呢？";
    ``in_report`` tells the report's words), else the model's rewrite. Otherwise (no model, or a rewrite that drops
    the follow-up's words) the previous question goes with it, to give it its subject."""
    previous = [t["content"] for t in turns if t["role"] == "user"]
    # A follow-up naming only another thing, or another kind of it, is resolved on the earlier question's own
    # structure: its frame and measure kept ("那固定资产投资呢" after "GDP目标多少" keeps 目标; a model dropped it).
    # "那它的产值增速呢" asks another measure of the earlier thing: it names no new thing to put in its place.
    if previous and (resolved := with_share_of_earlier(question, previous[-1])
                     or with_new_modifier(question, previous[-1], in_report)
                     or with_new_attribute(question, previous[-1], in_report)
                     or (not refers_back(question) and with_new_subject(question, previous[-1], in_report))):
        return resolved, True
    try:
        backend = backend_for(f"rewrite.{lang}")
    except BackendError as err:
        log.warning("no model to rewrite the follow-up: %s", err)
        backend = None
    if backend is not None:
        conversation = "\n".join(f"{t['role']}: {t['content'][:TURN_CHARS]}" for t in turns)
        messages = render(f"rewrite.{lang}.md", conversation=conversation, question=question)
        try:
            rewritten = complete(backend, messages, max_tokens=80).strip().splitlines()
            candidate = rewritten[0].split(":", 1)[-1].split("：", 1)[-1].strip() if rewritten else ""
            if (2 <= len(candidate) <= 3 * len(question) + 80 and keeps_new_words(candidate, question, previous)
                    and keeps_no_replaced_thing(candidate, question, previous[-1] if previous else "")
                    # "How many of those…" asks of the earlier answer's figure: the rewrite may name it.
                    and (asks_part_of_previous(question) or adds_no_figure(candidate, [question, *previous]))):
                return candidate, True
            log.info("the rewrite %r drops what the follow-up %r adds, keeps what it replaces or takes a figure "
                     "from an answer; using the question with its context", candidate, question)
        except BackendError as err:
            log.warning("follow-up rewrite failed, using the question with its context: %s", err)
    return (f"{previous[-1]} {question}" if previous else question), False


# "那人才呢？", "境外的呢", "And what about urban jobs?": a follow-up that only names another thing for the earlier
# question.
_ONLY_SUBJECT = re.compile(r"^(?:那么?|还有)?([\u4e00-\u9fff“”\"]{2,12}?)呢[？?。]?$|"
                           r"^(?:and\s+)?(?:what|how)\s+about\s+(?:the\s+)?(.+?)[?？.]*$|"
                           # "Same question for veg growing land?", "And the same for rural jobs?"
                           r"^(?:and\s+)?(?:the\s+)?same\s+(?:question\s+|thing\s+)?(?:for|about)\s+(?:the\s+)?(.+?)[?？.]*$|"
                           # "And for toddlers?" names a thing alone (a clause asks more: "And for rural workers
                           # moving into other jobs?", "And how many…?").
                           r"^and\s+for\s+(?:the\s+)?((?:[\w'-]+\s+){0,2}[\w'-]+)[?？.]*$|"
                           r"^and\s+(?!(?:for|in|of|to|by|on|at|with|how|what|which|who|when|where|why)\b)"
                           r"(?:the\s+)?(.+?)[?？.]*$",
                           re.IGNORECASE)


# A follow-up asking what share of the earlier thing a part is ("And the overseas share of them?" after "How many
# tourist visits…?"; "境外游客的占比呢？" after "今年要接待多少游客？").
_SHARE_OF_EARLIER = re.compile(
    r"^(?:and\s+|what\s+about\s+|how\s+about\s+)?(?:the\s+)?(?P<en>[a-z][\w\s-]*?)\s+(?:share|proportion|percentage|"
    r"fraction)(?:\s+of\s+(?:it|them|that|this|those|the\s+total))?\s*[?？.]*$|"
    r"^那?(?P<zh>[\u4e00-\u9fff]{2,10}?)的?(?:占比|占多少|占多大比例|占的比例|所占比例|的比例)呢?[？?]*$", re.IGNORECASE)


def with_share_of_earlier(follow_up: str, earlier: str) -> str | None:
    """The share of the earlier question's thing a follow-up asks a part of to have, as a question of its own
    ("What share of tourist visits is overseas?", "境外游客占游客的比例是多少？"); None for any other follow-up."""
    match = _SHARE_OF_EARLIER.match(follow_up.strip())
    if match is None:
        return None
    if part := match.group("en"):
        whole = replaced_thing(earlier)
        return f"What share of {whole[0]} is {part.strip()}?" if whole else None
    # The earlier thing: its words before what it asks ("供水管网要新建多少公里" → 供水管网), else its report term.
    words = TIME_WORDS.sub("", earlier).strip()
    lead = words[:min((at for w in _ASKING_VERBS if (at := words.find(w)) >= 0), default=0)].strip(" ，,")
    terms = sorted((t for t in most_specific(named_terms(earlier)) if t in earlier), key=earlier.find)
    whole = lead if len(CJK.findall(lead)) >= 2 else terms[0] if terms else ""
    return f"{match.group('zh')}占{whole}的比例是多少？" if whole else None


_ASKING_VERBS = ("要", "是", "有", "多少", "几", "将", "会", "能", "达到", "突破")


# Words after a follow-up's thing marking it as the topic, naming nothing ("农民工那块呢？", "就业方面呢？").
_TOPIC_WORDS = ("那一块", "这一块", "那块", "这块", "方面", "那边", "这边")


def new_thing(follow_up: str, earlier: str = "") -> str:
    """The thing an elliptical follow-up asks the ``earlier`` question about instead ("那城镇就业呢？" → 城镇就业, "And
    what about urban jobs?" → urban jobs); "" for any other follow-up, and for one naming a modifier of the earlier
    thing ("境外的呢？", "配售型的呢？": the earlier thing stays, narrowed)."""
    return _thing_and_frame(follow_up, earlier)[0]


def _thing_and_frame(follow_up: str, earlier: str) -> tuple[str, str]:
    """``new_thing``, and the words after a topic word that the earlier question asks too: its frame, not the thing
    ("汽车那块的产值呢" after "…产业产值增长多少": 汽车, 产值); ("", "") when it names no new thing."""
    thing, frame = _named(follow_up)
    if frame not in earlier:
        thing, frame = thing + frame, ""
    # A time or a place changes when, or where, the earlier question asks ("那去年呢？", "那开封呢？"), not what.
    if (_modifier_only(thing) or len(thing) < 2 or asks_quantity(thing) or asks_part_of_previous(thing)
            or names_a_time(thing) or any(thing.removesuffix("市").removesuffix("省") in (p.chinese, *p.english)
                                          for p in places_named(thing))):
        return "", ""
    return thing, frame


def _named(follow_up: str) -> tuple[str, str]:
    """What an elliptical follow-up names, split at a topic word: the thing, and the words after it ("汽车那块的产值呢"
    → 汽车, 产值; "农民工那块呢" → 农民工, "")."""
    match = _ONLY_SUBJECT.match(follow_up.strip())
    if match is None:
        return "", ""
    thing = without_back_reference(next(g for g in match.groups() if g is not None).strip(" “”\""))
    for word in _TOPIC_WORDS:
        head, found, rest = thing.partition(word)
        if found and len(head) >= 2:
            return head, rest.removeprefix("的")
    return thing, ""


def _modifier_only(words: str) -> str:
    """The modifier of a follow-up naming only a kind of the earlier thing ("境外的" → 境外, "overseas ones" →
    overseas), "" when it names a thing of its own."""
    if words.endswith("的"):
        return words[:-1].strip(" “”\"")
    head, _, last = words.strip().rpartition(" ")
    return head.strip() if last.lower() in ("one", "ones") else ""


def replaced_thing(earlier: str, frame: str = "") -> tuple[str, int, int] | None:
    """The thing the earlier question asks about, with the span of its words a new thing replaces: the words from
    its first report term up to the ``frame`` a follow-up shares with it ("电子信息产业产值增长多少" with 产值 →
    电子信息产业); a Chinese question's counted thing with its measure word (多少个学位 → 学位, the span of 个学位: 个
    counts 学位, not 城镇就业), else its first glossary phrase ("school places")."""
    if frame and (end := earlier.find(frame)) > 0:
        found = sorted(at for term in most_specific(named_terms(earlier[:end])) if (at := earlier.find(term)) >= 0)
        if found:
            return earlier[found[0]:end], found[0], end
    if CJK.search(earlier) and (subject := counted_subject(earlier)):
        # The measure word between the question word and the thing goes with the thing.
        asked = span[1] if (span := question_word(earlier)) else 0
        start = earlier.find(subject, asked)
        if start >= 0:
            return subject, asked or start, start + len(subject)
    if CJK.search(earlier) and (head := _head_thing(earlier)):
        return head
    phrases = glossary_phrases(earlier)
    if phrases:
        start = earlier.lower().find(phrases[0][0].lower())
        end = start + len(phrases[0][0])
        # The noun phrase counted runs on from its first glossary phrase: "elderly-care beds", not "elderly" (the
        # words before it stay: "new school places" keeps "new").
        if (span := counted_things_span(earlier)) and span[0] <= start < span[1]:
            end = max(end, span[1])
        return earlier[start:end], start, end
    return None


def _head_thing(earlier: str) -> tuple[str, int, int] | None:
    """The thing a Chinese question names before what it asks ("养老床位要达到多少张" → 养老床位, "今年新认定高企多少家"
    → 高企, "电子信息产业集群规模目标是多少" → 电子信息产业): its first report term and at most two characters after
    it, up to a verb, the question word or another term; None when more follows (the thing is not told apart)."""
    terms = named_terms(earlier)
    found = sorted((at, term) for term in most_specific(terms) if (at := earlier.find(term)) >= 0)
    if not found:
        return None
    start, term = found[0]
    end = start + len(term)
    while (end < len(earlier) and CJK.match(earlier[end]) and not thing_ends(earlier[end:])
           and not any(earlier.startswith(other, end) for other in terms)):
        end += 1
    if end - start - len(term) > _HEAD_EXTENSION:
        return None
    return earlier[start:end], start, end


# A report term's thing runs on at most this many characters in a question ("养老" + "床位").
_HEAD_EXTENSION = 2


def with_new_subject(question: str, earlier: str, in_report: Callable[[str], bool] = lambda _: False) -> str | None:
    """The earlier question asked of the follow-up's new thing instead, its frame kept and the old thing's own words
    dropped ("今年新增多少个学位？" + "那城镇就业呢？" → "今年新增多少城镇就业？"; "How many new school
    places…?" + "What about urban jobs?" → "How many new urban jobs…?"), when the follow-up names only a thing
    and the earlier question names what it asks about; None otherwise."""
    return _with_thing(*_thing_and_frame(question, earlier), earlier, in_report)


def _with_thing(thing: str, frame: str, earlier: str, in_report: Callable[[str], bool]) -> str | None:
    """The earlier question asked of ``thing`` in place of its own (``with_new_subject``), up to the ``frame`` words
    it shares with the follow-up when there are any."""
    replaced = replaced_thing(earlier, frame) if thing else None
    if replaced is None or thing.lower() in earlier.lower():
        return None
    old, start, end = replaced
    if CJK.search(thing):
        # A report word of no term of its own measures the old thing's domain when the old thing opens with a
        # shorter term ("汽车产量要突破多少" + "产值呢？" → 汽车产值: the report's 汽车产业产值, not 电子信息产业产值).
        domain = next((t for t in sorted(named_terms(old), key=len) if old.startswith(t) and len(t) < len(old)), "")
        if domain and domain not in thing and in_report(thing) and not named_terms(thing):
            thing = domain + thing
        # The unit after the question word counted the old thing ("公园游园多少个" + "那绿地呢": green space is no
        # 个): the new thing is asked in its own.
        return f"{earlier[:start]}{thing}{_without_asked_unit(earlier[end:])}"
    # In English a new thing naming its own measure is a question of its own ("And the target for industrial
    # investment growth?" after "How much investment is planned for the 3,800 projects?"): the old frame's words
    # qualified the old thing.
    if (measure := asked_measure(thing)) and measure != asked_measure(earlier):
        return f"What is the {thing}?"
    # One word that names a kind of the old thing's head with it, as one glossary phrase ("And water?", "And the
    # heating ones?" after "…gas pipelines…": water pipelines, heating pipelines), keeps the head.
    paired = f"{thing} {old.split()[-1]}"
    if " " not in thing and " " in old and [phrase.lower() for phrase, _ in glossary_phrases(paired)] == [paired.lower()]:
        thing = paired
    return f"{earlier[:start]}{thing}{earlier[end:]}"


def with_new_attribute(follow_up: str, earlier: str, in_report: Callable[[str], bool]) -> str | None:
    """The earlier question asked of another measure of its thing, when the follow-up names no thing of its own but
    words the report writes after that thing ("电子信息产业集群规模目标是多少" + "那产值增速呢" → "电子信息产业产值增速
    是多少": the report has 电子信息产业产值); None otherwise."""
    words = new_thing(follow_up, earlier)
    head = _head_thing(earlier) if words and CJK.search(words) and not named_terms(words) else None
    if head is None:
        return None
    _, start, end = head
    asking = span[0] if (span := question_word(earlier, end)) else -1
    measured = earlier[end:asking] if asking >= 0 else ""
    # Only a measure named between the thing and the question word is replaced ("集群规模目标"), not a verb.
    if not measured or thing_ends(measured) or not in_report(earlier[start:end] + words[:2]):
        return None
    return f"{earlier[:end]}{words}{earlier[asking:]}"


def _without_asked_unit(question: str) -> str:
    """The question without the unit right after its question word ("多少公里" → "多少"; "几个" → "多少": 几 needs
    a measure word)."""
    if (span := question_word(question)) is None:
        return question
    unit, (start, at) = unit_asked(question), span
    asking = "多少" if unit and question[start:at] == "几" else question[start:at]
    return question[:start] + asking + question[at + len(unit):]


def with_new_modifier(follow_up: str, earlier: str, in_report: Callable[[str], bool]) -> str | None:
    """The earlier question asked of the kind of thing an "X的呢" follow-up names: a thing of the earlier question
    in the report's words narrowed by X ("境外的呢" after 接待游客 → 境外游客) or with its own modifier replaced by
    X ("供热的呢" after 燃气管网 → 供热管网), whichever the report's words hold, the longest thing first; None
    when the follow-up is not of that form or the report holds no such kind."""
    match = _ONLY_SUBJECT.match(follow_up.strip())
    modifier = _modifier_only(next((g for g in match.groups() if g), "")) if match else ""
    if modifier and not CJK.search(modifier):
        # "What about the auto one?" after "…the electronics cluster…": a kind the report names itself takes the
        # earlier kind's place.
        if report_terms(modifier):
            return _with_thing(modifier, "", earlier, in_report)
        # "How about overseas ones?" after "…tourist visits?": the modifier goes before the earlier thing.
        replaced = replaced_thing(earlier)
        return f"{earlier[:replaced[1]]}{modifier} {earlier[replaced[1]:]}" if replaced else None
    if not CJK.search(modifier):
        return None
    held = [(start, end) for run in CJK_RUN.finditer(earlier) for start in range(run.start(), run.end())
            for end in range(start + 2, run.end() + 1) if in_report(earlier[start:end])]
    # Whole things only: 保障性租赁住房, not the 保障性 inside it (配售型保障性住房 is no kind of 保障性租赁住房).
    whole = [(a, b) for a, b in held if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in held)]
    for start, end in sorted(whole, key=lambda span: span[0] - span[1]):
        thing = earlier[start:end]
        if modifier in thing:
            continue
        for cut in range(len(thing) - 1):  # the head keeps at least two characters
            if in_report(kind := modifier + thing[cut:]):
                return f"{earlier[:start]}{kind}{earlier[end:]}"
    return None


def keeps_no_replaced_thing(rewrite: str, question: str, earlier: str) -> bool:
    """Whether a rewritten elliptical follow-up has let go of the thing it replaces: "那城镇就业呢？" after
    "今年新增多少个学位？" rewritten as "城镇就业新增多少个学位？" still asks about 学位."""
    thing, frame = ("", "") if refers_back(question) else _thing_and_frame(question, earlier)
    replaced = replaced_thing(earlier, frame) if thing else None
    return replaced is None or replaced[0].lower() in thing.lower() or replaced[0].lower() not in rewrite.lower()


# Words of a follow-up that carry no subject of their own ("那…呢", "and what about"), nor do words naming the kind
# of answer wanted ("on what date?" is fine rewritten as "when was…").
_FUNCTION_CHARS = set("的呢吗吧啊了么那这些个么呀还又也都和与及")
_FUNCTION_WORDS = frozenset("a an the and or of for in on to what about how many much is are was were will be "
                            "does do did it its that those these this there which who when where why "
                            "date day time year number amount figure total percentage share".split())


def adds_no_figure(rewrite: str, asked: list[str]) -> bool:
    """Whether a rewritten follow-up states only figures the questions asked state: one taken from an earlier answer
    ("新增学位2.7万个，那新建学校多少所？") would be checked as the asker's premise."""
    said = [f for text in asked for f in numbers.number_figures(text)]
    return all(figure_check.same_as_any(f, said) for f in numbers.number_figures(rewrite))


def keeps_new_words(rewrite: str, question: str, previous: list[str]) -> bool:
    """Whether a rewritten follow-up keeps what the follow-up adds to the earlier questions: its own Chinese words
    and Latin words ("配售型的呢？" rewritten as the earlier rental-housing question drops 配售)."""
    earlier = " ".join(previous)
    # The question word and its unit add nothing of their own: "完成多少亿" rewritten "工业投资增长多少亿" keeps 少亿
    # but drops 完成.
    if span := question_word(question):
        question = f"{question[:span[0]]} {question[span[1] + len(unit_asked(question)):]}"
    new_pairs = {p for p in chinese_pairs(question) - chinese_pairs(earlier) if not set(p) & _FUNCTION_CHARS}
    new_pairs = {p for p in new_pairs if len(p) > 1} or new_pairs  # a lone character (亿) is no word of its own
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    new_words = words - _FUNCTION_WORDS - {w.lower() for w in re.findall(r"[A-Za-z]+", earlier)}
    kept_pairs = not new_pairs or any(p in rewrite for p in new_pairs)
    kept_words = not new_words or any(w in rewrite.lower() for w in new_words)
    return kept_pairs and kept_words


def chinese_question(focus: str, backend_for: BackendFor) -> str:
    """An English question in the report's Chinese words, or "" when no model can translate it."""
    try:
        backend = backend_for("translate.en")
    except BackendError as err:
        log.warning("no model to translate the question: %s", err)
        return ""
    if backend is None:
        return ""
    try:
        lines = complete(backend, render("translate.en.md", question=focus), max_tokens=60).strip().splitlines()
    except BackendError as err:
        log.warning("translating the question failed, searching in English only: %s", err)
        return ""
    candidate = in_report_terms(lines[0].strip()) if lines else ""
    return candidate if CJK.search(candidate) and len(candidate) <= 2 * len(focus) + 20 else ""
