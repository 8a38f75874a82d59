"""Splitting a Markdown/plain-text document into passages that respect its structure.

Passages never cross a heading or a paragraph and are cut only at sentence ends
(。！？； and . ! ? before a space), so no sentence or number is ever split. Each
passage keeps its heading path and exact character offsets into the source text.
Short lines without sentence punctuation (photo captions, bylines) become
``caption`` chunks so that retrieval can keep them from crowding out real passages.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index.documents import Document
from index.metadata import DocumentMeta
from zzbot.text import long_sentence_clauses, split_sentences

# Bump when chunking changes, so existing indexes are re-chunked on the next build (6: records carry the
# document's place, years and kind).
CHUNKER_VERSION = 6
SECTION_SEPARATOR = " > "
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_HAS_SENTENCE_PUNCT = re.compile(r"[。！？；.!?]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)、])\s")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    section: str  # heading path joined by " > "; empty before the first heading
    text: str
    start: int
    end: int
    kind: str = "passage"  # "passage", "caption", or "sentence" (a search unit inside a passage)
    title: str = ""  # the document's top heading, if any
    parent: str = ""  # for a sentence: the chunk id of its passage
    meta: DocumentMeta = DocumentMeta()  # what its document is: place, target and review years, kind


def make_chunk_id(source: str, start: int, text: str) -> str:
    """Stable across rebuilds: the same text at the same place gets the same id."""
    digest = hashlib.sha256(f"{source}\x00{start}\x00{text}".encode()).hexdigest()
    return digest[:20]


def chunk_document(document: Document, max_chars: int = 220, caption_max_chars: int = 60) -> list[Chunk]:
    text = document.text
    chunks: list[Chunk] = []
    headings: list[tuple[int, str]] = []
    parts = list(blocks(text))
    # The first top-level heading names the document; it is not repeated in every section path.
    title = next((heading for kind, _, _, level, heading in parts if kind == "heading" and level == 1), "")
    # Heading lines open the first passage under them, so a question about a section's title finds it.
    heading_start: int | None = None
    for kind, start, end, level, heading in parts:
        if kind == "heading":
            heading_start = start if heading_start is None else heading_start
            if level == 1 and heading == title:
                continue
            headings = [(lvl, h) for lvl, h in headings if lvl < level] + [(level, heading)]
            continue
        section = SECTION_SEPARATOR.join(h for _, h in headings)
        paragraph = text[start:end]
        is_caption = (
            not _HAS_SENTENCE_PUNCT.search(paragraph)
            and not _LIST_ITEM.match(paragraph)
            and _visible_len(paragraph) <= caption_max_chars
        )
        spans = [(start, end)] if is_caption else _pack(split_sentences(text, start, end), max_chars)
        if not is_caption and heading_start is not None:
            spans[0] = (heading_start, spans[0][1])
            heading_start = None
        for s, e in spans:
            piece = text[s:e]
            chunks.append(
                Chunk(
                    chunk_id=make_chunk_id(document.source, s, piece),
                    source=document.source,
                    section=section,
                    text=piece,
                    start=s,
                    end=e,
                    kind="caption" if is_caption else "passage",
                    title=title,
                    meta=document.meta,
                )
            )
    return chunks


def sentence_units(chunks: list[Chunk]) -> list[Chunk]:
    """Extra search units inside multi-sentence passages, each pointing at its passage: its heading line, its
    sentences, and the clauses of sentences longer than LONG_SENTENCE (lists of targets). A question about
    one target of a long passage then matches that target's own vector (small-to-big retrieval); the answer
    chain scores sentences by their best clause with the same vectors."""
    units: list[Chunk] = []
    for chunk in chunks:
        if chunk.kind != "passage":
            continue
        spans = split_sentences(chunk.text)
        for s, e in list(spans):
            spans += long_sentence_clauses(chunk.text, s, e)
        if len(spans) < 2:
            continue
        for i, (s, e) in enumerate(spans):
            units.append(replace(chunk, chunk_id=f"{chunk.chunk_id}-s{i}", text=chunk.text[s:e], start=chunk.start + s,
                                 end=chunk.start + e, kind="sentence", parent=chunk.chunk_id))
    return units


def _visible_len(s: str) -> int:
    return len(re.sub(r"\s", "", s))


def blocks(text: str) -> Iterator[tuple[str, int, int, int, str]]:
    """Yield headings and paragraphs (blank-line separated) with stripped offsets."""
    para_start: int | None = None
    para_end = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        content = line.strip()
        match = _HEADING.match(content)
        if not content or match:
            if para_start is not None:
                yield ("paragraph", para_start, para_end, 0, "")
                para_start = None
            if match:
                yield ("heading", line_start, pos, len(match.group(1)), match.group(2).strip())
            continue
        lead = len(line) - len(line.lstrip())
        if para_start is None:
            para_start = line_start + lead
        para_end = line_start + len(line.rstrip())
    if para_start is not None:
        yield ("paragraph", para_start, para_end, 0, "")


def _pack(sentences: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive sentences into passages of similar size, none above max_chars
    unless a single sentence is longer (it then stays whole)."""
    if not sentences:
        return []
    total = sentences[-1][1] - sentences[0][0]
    target = total / max(1, math.ceil(total / max_chars))
    groups: list[tuple[int, int]] = []
    group_start, group_end = sentences[0]
    for s, e in sentences[1:]:
        current = group_end - group_start
        if e - group_start <= max_chars and (current < target or e - group_start <= target * 1.15):
            group_end = e
        else:
            groups.append((group_start, group_end))
            group_start, group_end = s, e
    groups.append((group_start, group_end))
    return groups
