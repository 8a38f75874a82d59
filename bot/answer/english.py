"""English answers over a Chinese report: figures rendered in English by code, never by the model."""

from __future__ import annotations

import re

from zzbot import numbers
from zzbot import figure_check
from zzbot import in_english
from bot.retrieval.context import Context
from zzbot.text import CJK, LATIN, cited_numbers, without_markers

_QUOTED = re.compile(r"[（(“\"「][^）)”\"」]*[）)”\"」]")
# A number as an English text writes it, with its scale word: "2.7 million", "27,000".
WRITTEN_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:thousand|million|billion|trillion|bn|k)\b)?", re.IGNORECASE)


def english_figures(answer: str) -> str:
    """Chinese figures the model left in an English answer ("30个 parks") are rendered in English by code, with
    the report's qualifier ("7%左右" -> "about 7%"), which replaces one the model wrote before it ("about 超70万辆"
    -> "over 700,000 vehicles"); those inside brackets or quotes are quotations of the source and stay."""
    pieces, last = [], 0
    for figure in numbers.extract_figures(answer):
        if figure.kind != "number" or not CJK.search(figure.text) or quoted_at(answer, figure.start):
            continue
        begin = _english_qualifier_start(answer, last, figure)
        pieces += [answer[last:begin], in_english.english_amount(figure, qualified=True)]
        last = figure.end
    return "".join(pieces) + answer[last:]


def spaced_names(answer: str) -> str:
    """Chinese words the model glued to English ones set apart by a space ("called中原科技城…" → "called 中原科技城…",
    "Mayor何雄" → "Mayor 何雄"): the report's names stay as written, the sentence reads as English around them."""
    glued = [i for i in range(1, len(answer))
             if (LATIN.match(answer[i - 1]) and CJK.match(answer[i])) or (CJK.match(answer[i - 1])
                                                                           and LATIN.match(answer[i]))]
    pieces, last = [], 0
    for at in glued:
        pieces += [answer[last:at], " "]
        last = at
    return "".join(pieces) + answer[last:]


# How far back an English qualifier of a figure can start ("no more than ").
_QUALIFIER_REACH = 20


def _english_qualifier_start(answer: str, floor: int, figure: numbers.Figure) -> int:
    """Where English words qualifying ``figure`` start right before it ("about " in "about 超70万辆"), else its
    start: the words are read as they would qualify the figure written in English."""
    tail = answer[max(floor, figure.start - _QUALIFIER_REACH):figure.start]
    probe = tail + in_english.format_english(figure)
    read = numbers.extract_figures(probe)
    if read and read[-1].end == len(probe) and in_english.english_qualifier(read[-1]):
        return figure.start - len(tail) + read[-1].start
    return figure.start


def restore_qualifiers(answer: str, sources: list[str]) -> str:
    """A figure the answer states bare ("GDP growth of 7%") that the passages give only with a qualifier
    (增长7%左右) gets the qualifier back ("about 7%"): without it the answer states a figure the report does not.
    Left alone when the passages give the same value with different qualifiers, or none, or the figure is quoted."""
    source_figures = [f for text in sources for f in numbers.number_figures(text)]
    for figure in reversed(numbers.number_figures(answer)):
        if figure.qualifier not in (None, "reach") or quoted_at(answer, figure.start):
            continue
        same = [f for f in source_figures if figure_check.compare_qualified(figure, f) == "same"]
        words = {in_english.english_qualifier(f) for f in same}
        if len(words) != 1 or not (word := words.pop()):
            continue
        # After "reach" the qualifier goes before the digits ("reach about 7%"); else before the whole figure.
        written = WRITTEN_NUMBER.search(answer, figure.start, figure.end) if figure.qualifier else None
        at = written.start() if written else figure.start
        answer = answer[:at] + word + answer[at:]
    return answer


def repair_scale(answer: str, sources: list[str]) -> str:
    """Fix the small model's typical error, right digits at the wrong scale ("2.7 million" for 2.7万,
    "140,000" for 140万): an answer figure that matches no source figure, but whose digits are those of exactly
    one source figure (or of one in the same unit), is rewritten from that source figure by code (27,000). Then
    a figure stated without the qualifier the passages give it gets it back (restore_qualifiers: 7% -> about 7%)."""
    source_figures = [f for text in sources for f in numbers.number_figures(text)]
    checks = figure_check.match_figures(answer, sources)
    for check in sorted(checks, key=lambda c: -c.figure.start):
        figure = check.figure
        if check.found or figure.kind != "number":
            continue
        digits = figure_check.significant_digits(figure.text)
        candidates = [f for f in source_figures
                      if figure_check.significant_digits(f.text) == digits and f.percent == figure.percent]
        same_digits = {(f.value, f.percent) for f in candidates}
        if len(same_digits) > 1:  # "300 million square metres": 300万平方米, not 30个
            same_digits = {(f.value, f.percent) for f in candidates if figure_check.same_unit(f, figure)}
        if len(same_digits) != 1:
            continue
        value, percent = same_digits.pop()
        source = next(f for f in source_figures if (f.value, f.percent) == (value, percent))
        written = WRITTEN_NUMBER.search(answer, figure.start, figure.end)
        if written:
            answer = answer[:written.start()] + in_english.format_english(source) + answer[written.end():]
    return restore_qualifiers(answer, sources)


_PARENTHESIS = re.compile(r"\s*[（(]([^（()）]*)[）)]")


def without_own_conversions(answer: str, sources: list[str]) -> str:
    """The answer without the model's own conversions of a figure it just gave: "2.9 billion jin (2.9 million
    tons)". A bracket whose figures are all absent from the passages, after a figure that is in them, converts
    what the report states into what it does not; the report's figure stands alone."""
    def kept(match: re.Match[str]) -> str:
        inside = figure_check.match_figures(match.group(1), sources)
        before = figure_check.match_figures(answer[:match.start()], sources)
        numbered = [c for c in inside if c.figure.kind == "number"]
        if numbered and not any(c.found for c in numbered) and any(c.found for c in before):
            return ""
        return match.group()

    return _PARENTHESIS.sub(kept, answer)


def source_quote(context: Context, answer: str) -> str:
    """The context sentence (as the model saw it) holding the answer's figures, else the closest one,
    quoted with its marker."""
    stated = numbers.extract_figures(answer)
    number, best = max(((n, s) for n, group in enumerate(context, start=1) for s in group),
                       key=lambda item: (figure_check.states_any(item[1].text, stated), item[1].score))
    return f"(report: “{(best.shown or best.text).rstrip('。；;')}” [{number}])"


def quoted_at(text: str, index: int) -> bool:
    return any(m.start() <= index < m.end() for m in _QUOTED.finditer(text))


def unquoted(text: str) -> str:
    """The text without what it quotes in brackets or quotation marks."""
    return _QUOTED.sub("", text)


def mostly_chinese(text: str) -> bool:
    bare = unquoted(without_markers(text))
    return len(CJK.findall(bare)) > len(LATIN.findall(bare))


def quoted_in_english(answer: str, sources: list[str]) -> str | None:
    """A clause of the passages given as an English answer ("城镇调查失业率控制在5.5%左右[1]。"), written as the English
    answers quote the report: its figures in English first, then its words ("about 5.5% (report: “…”) [1]"); None
    for any other answer."""
    plain = without_markers(answer).strip().rstrip("。.")
    figures = numbers.number_figures(plain)
    if not figures or not mostly_chinese(answer) or not any(plain in source for source in sources):
        return None
    mark = f" [{cited[0]}]" if (cited := cited_numbers(answer)) else ""
    return "; ".join(in_english.english_amount(f, qualified=True) for f in figures) + f" (report: “{plain}”){mark}"
