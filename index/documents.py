"""Reading documents from disk, with a specific error for every kind of bad input. Each document carries what it
is (place, years, kind: index/metadata.py), read from its head and its sidecar file."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from index.metadata import DocumentMeta, MetadataError, read_metadata

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt")
# HTML comments and tags: what they hold (div, class="…") is markup, not the document's words.
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)


class DocumentError(ValueError):
    """A document that cannot be indexed; the message says which file and why."""


@dataclass(frozen=True)
class Document:
    source: str  # the file name, used as the document's id in the index and in citations
    path: Path
    text: str
    sha256: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)


def load_document(path: Path) -> Document:
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{path}: unsupported file type {path.suffix or '(none)'}; give Markdown or plain text "
            f"({', '.join(SUPPORTED_SUFFIXES)})"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise DocumentError(f"{path}: the file is empty")
    if b"\x00" in raw:
        raise DocumentError(f"{path}: looks like a binary file (contains NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DocumentError(
            f"{path}: not valid UTF-8 (byte {err.start}); convert it first, e.g. `iconv -f GB18030 -t UTF-8`"
        ) from None
    if not text.strip():
        raise DocumentError(f"{path}: the file has no text")
    if not has_words(text):
        raise DocumentError(f"{path}: has no text, only markup (headings' #, rules, table bars, HTML tags); "
                            "nothing in it could be found or cited")
    try:
        meta = read_metadata(text, path)
    except MetadataError as err:
        raise DocumentError(str(err)) from None
    return Document(source=path.name, path=path.resolve(), text=text, sha256=hashlib.sha256(raw).hexdigest(),
                    meta=meta)


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or a digit outside markup (any script: 学位, GDP, 2024)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in _HTML.sub(" ", text))


def load_documents(paths: list[Path]) -> list[Document]:
    """Load every document or none: the first bad file raises, before anything is indexed."""
    documents = [load_document(p) for p in paths]
    seen: dict[str, Path] = {}
    for doc in documents:
        if doc.source in seen and seen[doc.source] != doc.path:
            raise DocumentError(
                f"two documents share the name {doc.source}: {seen[doc.source]} and {doc.path}; rename one"
            )
        seen[doc.source] = doc.path
    unique = {doc.path: doc for doc in documents}
    return list(unique.values())
