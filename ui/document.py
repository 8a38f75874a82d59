"""The report as the page shows it: its headings and paragraphs escaped, a passage shaded, spans marked."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.schema import Citation
from index.chunking import blocks as document_blocks


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of a Markdown document: its tag and the offsets of its text."""

    tag: str  # "h1"…"h6" or "p"
    start: int
    end: int


def markdown_blocks(text: str) -> list[Block]:
    """The headings and paragraphs of ``text`` as the indexer splits them, a heading's text without its #s.
    Nothing else of Markdown is interpreted: every other character is shown as written."""
    blocks: list[Block] = []
    for kind, start, end, level, heading in document_blocks(text):
        if kind == "paragraph":
            blocks.append(Block("p", start, end))
        elif heading:
            at = text.index(heading, start, end)
            blocks.append(Block(f"h{level}", at, at + len(heading)))
    return blocks


def clipped(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans cut to [0, length], empty ones dropped, outer spans before the ones they hold."""
    return sorted({(max(s, 0), min(e, length)) for s, e in spans if min(e, length) > max(s, 0)},
                  key=lambda span: (span[0], -span[1]))


def highlight(text: str, spans: Sequence[tuple[int, int]], mark_id: str, first: int = 0) -> str:
    """``text`` escaped, with each span in a <mark>; spans inside another span become nested marks. Marks are
    numbered from ``first``; mark 0 gets the class ``zz-target`` (what the page scrolls to)."""
    out: list[str] = []
    stack: list[int] = []  # ends of the open marks
    pos = 0
    for i, (start, end) in enumerate(clipped(spans, len(text)), start=first):
        while stack and stack[-1] <= start:
            out.append(html.escape(text[pos:stack[-1]]) + "</mark>")
            pos = stack.pop()
        end = min(end, stack[-1]) if stack else end
        out.append(html.escape(text[pos:start]))
        kind = "zz-fig" if stack else "zz-hl"
        target = " zz-target" if i == 0 else ""
        out.append(f'<mark class="{kind}{target}" id="{mark_id}-{i}">')
        stack.append(end)
        pos = start
    while stack:
        out.append(html.escape(text[pos:stack[-1]]) + "</mark>")
        pos = stack.pop()
    return "".join(out) + html.escape(text[pos:])


def render_document(text: str, blocks: list[Block], passage: tuple[int, int], spans: Sequence[tuple[int, int]],
                    mark_id: str) -> str:
    """The document as escaped <h1>…<h6> and <p>, the ``passage`` in a <span class="zz-in-passage">, the
    ``spans`` (absolute offsets, inside the passage) in <mark>s, the first of them the page's scroll target."""
    out: list[str] = []
    marks = 0
    for block in blocks:
        lo, hi = max(passage[0], block.start), min(passage[1], block.end)
        if lo >= hi:
            out.append(f"<{block.tag}>{html.escape(text[block.start:block.end])}</{block.tag}>")
            continue
        inside = [(s - lo, e - lo) for s, e in spans]
        marked = highlight(text[lo:hi], inside, mark_id, first=marks)
        marks += len(clipped(inside, hi - lo))
        out.append(f'<{block.tag}>{html.escape(text[block.start:lo])}<span class="zz-in-passage">{marked}</span>'
                   f"{html.escape(text[hi:block.end])}</{block.tag}>")
    return "".join(out)


class _Chunk(Protocol):
    source: str
    start: int
    end: int
    text: str


class ReportViews:
    """Whole documents rendered around a citation or a figure. ``chunks``: the indexed passages (called when a
    document is first shown, so nothing is loaded before); ``documents``: the files they were indexed from."""

    def __init__(self, chunks: Callable[[], Sequence[_Chunk]], documents: Callable[[], Sequence[Path]]) -> None:
        self._chunks, self._paths = chunks, documents
        self._documents: dict[str, tuple[str, list[Block]]] = {}

    def document(self, source: str) -> tuple[str, list[Block]]:
        """The full text of an indexed document and its blocks: its file when that still matches the index,
        else rebuilt from the indexed passages (offsets kept, gaps as spaces)."""
        if source not in self._documents:
            text = self._read_document(source)
            self._documents[source] = text, markdown_blocks(text)
        return self._documents[source]

    def _read_document(self, source: str) -> str:
        chunks = [c for c in self._chunks() if c.source == source]
        path = next((p for p in self._paths() if p.name == source), None)
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8")
            if all(text[c.start:c.end] == c.text for c in chunks):
                return text
        chars = [" "] * max((c.end for c in chunks), default=0)
        for c in chunks:
            chars[c.start:c.end] = c.text
        return "".join(chars)

    def view(self, source: str, passage: tuple[int, int], spans: Sequence[tuple[int, int]], mark_id: str,
             label: str) -> str:
        """The rendered document ``source``, ``passage`` shaded, ``spans`` marked, under a title with ``label``."""
        text, blocks = self.document(source)
        body = render_document(text, blocks, passage, spans or [passage], mark_id)
        return (f'<div class="zz-panel-title">📄 {html.escape(source)} — {html.escape(label)}</div>'
                f'<div class="zz-report">{body}</div>')

    def at_citation(self, citation: Citation, mark_id: str) -> str:
        return self.view(citation.source, (citation.start, citation.end), citation.highlights, mark_id,
                         f"[{citation.n}]")
