"""The report's terms: the glossary (data/glossary.tsv) of English and everyday words for the report's own Chinese
terms, and which terms a text names."""

from __future__ import annotations

import re
from functools import cache

from zzbot.settings import PROJECT_ROOT

GLOSSARY_FILE = PROJECT_ROOT / "data" / "glossary.tsv"


def report_terms(text: str) -> list[str]:
    """The report's own terms for the English phrases of ``text`` (data/glossary.tsv): "street lights" → 主干道亮灯率."""
    return list(dict.fromkeys(_term_of(m) for m in _glossary_matches(text)))


def glossary_phrases(text: str) -> list[tuple[str, str]]:
    """The glossary's phrases ``text`` uses, as written, each with the report's term for it ("school places" →
    学位, "上学的名额" → 学位): what a question asks about, in its own words and in the report's."""
    return [(m.group(1), _term_of(m)) for m in _glossary_matches(text)]


def glossary_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` uses glossary phrases: no clause or part boundary falls inside one ("primary and secondary
    schools" is one thing, not two parts)."""
    return [m.span() for m in _glossary_matches(text)]


def glossary_words(term: str) -> set[str]:
    """The words of every glossary phrase for the report's ``term`` ("electric vehicles, evs…" → electric, vehicles,
    evs…): what an English question may call it by."""
    _, terms = _glossary()
    return {word for phrase, chinese in terms.items() if chinese == term for word in re.findall(r"[a-z']+", phrase)}


def named_terms(text: str) -> set[str]:
    """The report's glossary terms ``text`` names, in English words or as the report writes them; a term right after
    非 or "non-" names the others: 非专项借款项目 (``NOT`` + the term), not the 专项借款项目."""
    _, terms = _glossary()
    # "non-" right before a glossary phrase ("non-special-loan projects") names the others, as 非 does.
    named = {NOT + _term_of(m) if text[:m.start()].lower().rstrip(" -").endswith("non") else _term_of(m)
             for m in _glossary_matches(text)}
    for term in set(terms.values()):
        at = text.find(term)
        while at >= 0:
            named.add(NOT + term if at > 0 and text[at - 1] == NOT else term)
            at = text.find(term, at + 1)
    return named


NOT = "非"


def written_span(text: str, term: str) -> tuple[int, int] | None:
    """Where ``text`` names the report term ``term``: as written, else by a glossary phrase for it (烂尾楼 for
    保交楼); None when nowhere."""
    if (at := text.find(term)) >= 0:
        return at, at + len(term)
    return next(((m.start(), m.end()) for m in _glossary_matches(text) if _term_of(m) == term), None)


def is_kind_of(kind: str, term: str) -> bool:
    """Whether the term ``kind`` names a kind of ``term`` (新能源汽车 of 汽车, 境外游客 of 游客), not the others
    (非专项借款项目 are no 专项借款项目)."""
    return kind != term and kind.endswith(term) and not kind[:-len(term)].endswith(NOT)


def asked_terms(text: str) -> set[str]:
    """The report terms ``text`` names on their own, not only inside a longer one it names ("新能源汽车产量" names
    新能源汽车, not 汽车; "新能源汽车和汽车的产量" names both)."""
    terms, words = named_terms(text), in_report_terms(text)
    alone = set()
    for term in terms:
        rest = words
        for longer in (u for u in terms if term != u and term in u):
            rest = rest.replace(longer, " ")
        if term in rest:
            alone.add(term)
    return alone


def most_specific(terms: set[str]) -> set[str]:
    """Terms not inside a longer one of ``terms`` (新能源汽车 over 汽车, 境外游客 over 游客)."""
    # 非专项借款项目 holds no 专项借款项目: the others are no more specific.
    return {t for t in terms if not any(t != u and t in u.replace(NOT + t, "") for u in terms)}


_QUOTES = "'\"‘’“”"
# A phrase's words may be quoted apart ("'cross-province' services") or hyphened ("forest-village titles").
_QUOTED_SPACE = f"[{_QUOTES}]?(?:\\s+|-)[{_QUOTES}]?"


@cache
def _glossary() -> tuple[re.Pattern[str], dict[str, str]]:
    """English phrases for the report's Chinese terms (data/glossary.tsv), as one pattern, longest first; the last
    word of a phrase of several is matched singular or plural ("overseas tourist visits" names 境外游客 as "overseas
    tourists" does).
    The terms are keyed by the phrase as written and by its singular (``_singular``)."""
    terms: dict[str, str] = {}
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, _, chinese = line.partition("\t")
            terms |= {key: chinese.strip() for phrase in english.split(",") if phrase.strip()
                      for key in (phrase.strip().lower(), _singular(phrase.strip().lower()))}
    stems = sorted({_singular(t) for t in terms}, key=len, reverse=True)
    # A phrase's words may be quoted apart ("'cross-province' services" names 跨省通办).
    alternatives = "|".join(f"{re.escape(t)}s?".replace(r"\ ", _QUOTED_SPACE) for t in stems)
    return re.compile(rf"(?<![A-Za-z&])({alternatives})(?![A-Za-z&])", re.IGNORECASE), terms


def _singular(phrase: str) -> str:
    """A phrase of several words with its last word singular, as far as a trailing s tells ("overseas tourists" →
    "overseas tourist"; "gas" and "mass" stay). One word stays as written: its singular may be a verb ("parks" →
    "park my car")."""
    plural = phrase.endswith("s") and not phrase.endswith(("ss", "as", "us", "is"))
    return phrase[:-1] if plural and " " in phrase.strip() else phrase


def _glossary_matches(text: str) -> list[re.Match[str]]:
    """The glossary phrases of ``text``, the longest of overlapping ones ("new school places": "school places", not
    "new school"; "overseas tourist visits": "overseas tourist", not "tourist visits"), in text order."""
    pattern, _ = _glossary()
    # A longer phrase may only start inside a leftmost one (finditer finds every earlier start).
    found = [match for leftmost in pattern.finditer(text)
             for match in (leftmost, *(pattern.match(text, at) for at in range(leftmost.start() + 1, leftmost.end())))
             if match]
    chosen: list[re.Match[str]] = []
    for match in sorted(found, key=lambda m: m.start() - m.end()):
        if all(match.end() <= c.start() or c.end() <= match.start() for c in chosen) and not _inside_term(text, match):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start())


def _inside_term(text: str, match: re.Match[str]) -> bool:
    """Whether a Chinese phrase is part of its own term as the text writes it (停车位 in 公共停车位): no phrase there."""
    term = _term_of(match)
    at = text.find(term)
    while at >= 0:
        if at <= match.start() and match.end() <= at + len(term):
            return True
        at = text.find(term, at + 1)
    return False


def _term_of(match: re.Match[str]) -> str:
    _, terms = _glossary()
    words = match.group(1).lower().split()  # the quotes between words, not an apostrophe (master's)
    found = " ".join(w.lstrip(_QUOTES) if i else w for i, w in enumerate(
        [w.rstrip(_QUOTES) for w in words[:-1]] + words[-1:]))
    # The pattern takes any phrase with a plural s ("clusters" for "cluster"), one word or several, its words
    # hyphened where the glossary spaces them ("forest-village" for "forest village").
    for key in (found, found.replace("-", " ")):
        if term := terms.get(key) or terms.get(_singular(key)) or terms.get(key.removesuffix("s")):
            return term
    raise KeyError(found)


def in_report_terms(text: str, annotate: bool = False) -> str:
    """The text with English terms in the report's own words (data/glossary.tsv): replaced for searching ("GDP目标"
    → "地区生产总值目标", "new school places" → "new 学位"), or with ``annotate`` explained for the model ("GDP（地区
    生产总值）目标"). The same text when it has none."""
    pieces, end = [], 0
    for match in _glossary_matches(text):
        term = _term_of(match)
        pieces += [text[end:match.start()], f"{match.group(1)}（{term}）" if annotate else term]
        end = match.end()
    return "".join(pieces) + text[end:]
