"""Text primitives shared by every part: Chinese character ranges, sentence and clause spans with offsets,
keyword tokens and citation markers. ``index``, ``bot``, ``eval`` and the UI all import them from here, so a
sentence, a clause or a Chinese word means the same thing everywhere.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs with extension A and the compatibility block: what counts as a Chinese character.
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
LATIN = re.compile(r"[A-Za-z]")

# A sentence ends after Chinese end punctuation (plus closing quotes/brackets), or after . ! ? followed by
# whitespace (so 2.7 is never cut).
_SENTENCE_END = re.compile(r"[。！？；]+[”’」』）)]*|[.!?]+[\"')\]]*(?=\s)")
CLAUSE_END = re.compile(r"[，,；;：:。！？!?]")
_ENUMERATION_END = re.compile(r"[，,；;、：:。！？!?]")
_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t]+.*$", re.MULTILINE)
_WORD = re.compile(r"\d+(?:\.\d+)?%?|[a-z]+", re.IGNORECASE)

# A citation marker in an answer: [1], [1, 2], [1-3], [^1], 【3】, with the space before it; group 1 holds the numbers.
CITATION_MARKER = re.compile(r"\s?[\[【]\^?\s*([0-9]{1,3}(?:\s*[,，、\-–]\s*[0-9]{1,3})*)\s*[\]】]")

# The base of a Chinese per-unit figure: 每千人口…托位数4.8个 counts places per thousand people. The base names no
# figure of its own (1,000) and no subject of its own (人口).
PER_MARK = "每"
PER_BASES = {100: "每百", 1000: "每千", 10_000: "每万"}


def names_outside_per(text: str, term: str) -> bool:
    """Whether ``text`` speaks of ``term`` other than as the base of a per-unit figure (每千人口, 每万人)."""
    return any(PER_MARK not in text[max(0, m.start() - 2):m.start()] for m in re.finditer(re.escape(term), text))


# Markup and addresses inside a text: an HTML tag with its attributes, a Markdown link or image target, a URL.
# Nothing inside is a figure (onerror="x=1", http://host:8080/) or a word of the question's language.
MARKUP = re.compile(r"<[^<>]*>|\]\([^()]*\)|\b(?:https?|ftp|javascript|data):[^\s<>\"'）)]*", re.IGNORECASE)


def markup_spans(text: str) -> list[Span]:
    return [m.span() for m in MARKUP.finditer(text)]


def without_markup(text: str) -> str:
    return MARKUP.sub(" ", text)


# Sentences longer than this many characters are also embedded clause by clause (clauses of 6+ characters).
LONG_SENTENCE = 40
MIN_CLAUSE = 6

Span = tuple[int, int]


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans (absolute offsets) of ``text[start:end]``; a Markdown heading line is a span of its own."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    segment_start = start
    for line in _HEADING_LINE.finditer(text, start, end):
        spans += _sentence_spans(text, segment_start, line.start())
        spans.append((line.start(), line.start() + len(line.group().rstrip())))
        segment_start = line.end()
    spans += _sentence_spans(text, segment_start, end)
    return spans


def _sentence_spans(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [stripped for s, e in spans if (stripped := strip_span(text, s, e))]


def strip_span(text: str, start: int, end: int) -> Span | None:
    """The span without its surrounding whitespace; None when only whitespace is left."""
    piece = text[start:end]
    if not piece.strip():
        return None
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def clause_spans(text: str, start: int = 0, end: int | None = None, enumerations: bool = False) -> list[Span]:
    """Clause spans of ``text[start:end]``, cut at commas, semicolons and colons (and at the enumeration
    mark 、 when ``enumerations``), empty pieces dropped."""
    end = len(text) if end is None else end
    spans = []
    cursor = start
    for match in (_ENUMERATION_END if enumerations else CLAUSE_END).finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_CLAUSE_MARK = re.compile(r"[，；;、：:。！？!?]|(?<!\d),|,(?!\d)|\.(?=\s)")
# The marks a clause ends with, stripped when the clause is quoted or checked on its own.
CLAUSE_MARKS = "，,；;、：:。！？!?. "


def clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` holding the span [start, end), cut at punctuation outside the span (the comma of
    "50,000" does not cut), stripped."""
    bounds = [0, *(m.end() for m in _CLAUSE_MARK.finditer(text)), len(text)]
    return text[max(b for b in bounds if b <= start):min(b for b in bounds if b >= end)].strip()


def up_to_clause_end(text: str, end: int) -> str:
    """``text`` up to the end of the clause holding position ``end``: what a figure there may take as its own (a name
    after its clause is not its: "25个郑港融城项目建设，抓好…郑开同城项目建设")."""
    return text[:min((m.end() for m in _CLAUSE_MARK.finditer(text) if m.end() >= end), default=len(text))]


def long_sentence_clauses(text: str, start: int, end: int) -> list[Span]:
    """The clause units of the sentence ``text[start:end]`` that the index embeds: none for a short sentence."""
    if end - start <= LONG_SENTENCE:
        return []
    return [span for span in clause_spans(text, start, end) if span[1] - span[0] >= MIN_CLAUSE]


def tokenize(text: str) -> list[str]:
    """Keyword tokens: Chinese character pairs (a one-character run counts as itself), lower-cased Latin
    words and whole numbers."""
    tokens: list[str] = []
    for run in CJK_RUN.findall(text):
        tokens.extend(run if len(run) == 1 else (run[i: i + 2] for i in range(len(run) - 1)))
    tokens.extend(w.lower() for w in _WORD.findall(CJK_RUN.sub(" ", text)))
    return tokens


def chinese_pairs(text: str) -> set[str]:
    """The Chinese keyword tokens of a text (character pairs), as the keyword index splits them."""
    return {token for token in tokenize(text) if CJK.match(token)}


def without_markers(text: str) -> str:
    return CITATION_MARKER.sub("", text)


def cited_numbers(text: str) -> list[int]:
    """The passage numbers an answer cites, in order, each once."""
    return list(dict.fromkeys(int(n) for group in CITATION_MARKER.findall(text) for n in re.findall(r"\d+", group)))
