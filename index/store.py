"""The Chroma vector store: embedded and persistent by default, or a Chroma server over HTTP.

Chroma never embeds anything itself: every collection gets our embedder (its
default embedding function would try to download a model) and we always pass
vectors. Syncing is incremental and safe: documents are validated and embedded
before the index is touched, and a changed document's new chunks are written
before its stale ones are removed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function

from index.chunking import CHUNKER_VERSION, Chunk, chunk_document, sentence_units
from index.documents import Document
from index.embeddings import Embedder
from settings import Settings

log = logging.getLogger(__name__)



_NOT_SENTENCE = {"kind": {"$ne": "sentence"}}


class StoreError(RuntimeError):
    """The index cannot be used as asked; the message says what to do."""


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder behind Chroma's embedding-function interface, so Chroma never falls back to its default.
    Rebuilt by Chroma from a stored collection config it has no model, and refuses to embed."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

    def _model(self) -> Embedder:
        if self._embedder is None:
            raise StoreError("vectors for this collection are computed by the application, not by Chroma")
        return self._embedder

    def default_space(self) -> str:
        return "cosine"

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's parameter name
        return list(self._model().embed_texts(input))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return list(self._model().embed_queries(input))

    @staticmethod
    def name() -> str:
        return "zzbot-sentence-transformer"

    def is_legacy(self) -> bool:
        return False

    def get_config(self) -> dict[str, Any]:
        return {"model": self._embedder.name if self._embedder else None}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction()


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False)
    if settings.chroma.host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma.host, port=settings.chroma.port, ssl=settings.chroma.ssl, settings=client_settings
            )
        except Exception as err:  # chromadb raises plain ValueError/ConnectionError subclasses here
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma.host}:{settings.chroma.port} ({err})"
            ) from None
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=client_settings)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0  # passages and their sentence units
    chunks_total: int = 0  # passages in the index


class ChunkStore:
    def __init__(self, settings: Settings, embedder: Embedder, client: Any | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = client if client is not None else make_client(settings)
        self._function = ChromaEmbeddingFunction(embedder)
        self.collection = self._open_collection()

    def _open_collection(self) -> Any:
        collection = self.client.get_or_create_collection(
            name=self.settings.chroma.collection,
            embedding_function=self._function,
            metadata={"hnsw:space": "cosine", "embedder": self.embedder.name},
        )
        indexed_with = (collection.metadata or {}).get("embedder")
        if indexed_with and indexed_with != self.embedder.name:
            raise StoreError(
                f"the index '{self.settings.chroma.collection}' was built with the embedder {indexed_with!r}, "
                f"not {self.embedder.name!r}; run `python -m index build --rebuild` or choose another collection"
            )
        return collection

    def _index_key(self, document: Document) -> str:
        """Changes when the document, the chunking or the embedder changes."""
        c = self.settings.chunking
        basis = f"{document.sha256}|{CHUNKER_VERSION}|{c.max_chars}|{c.caption_max_chars}|{self.embedder.name}|{self.embedder.dtype}"
        return hashlib.sha256(basis.encode()).hexdigest()

    def indexed_keys(self) -> dict[str, str]:
        """source → index key of what is stored now."""
        stored = self.collection.get(include=["metadatas"])
        return {m["source"]: m["index_key"] for m in stored["metadatas"] or []}

    def sync(
        self,
        documents: Sequence[Document],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> SyncReport:
        """Make the index hold exactly ``documents``: embed new or changed ones, drop removed ones."""
        report = SyncReport()
        stored = self.indexed_keys()
        wanted = {doc.source for doc in documents}
        pending: list[tuple[Document, list[Chunk], str]] = []
        for doc in documents:
            key = self._index_key(doc)
            if stored.get(doc.source) == key:
                report.unchanged.append(doc.source)
                continue
            chunks = chunk_document(doc, self.settings.chunking.max_chars, self.settings.chunking.caption_max_chars)
            chunks += sentence_units(chunks)
            pending.append((doc, chunks, key))
            (report.updated if doc.source in stored else report.added).append(doc.source)

        total = sum(len(chunks) for _, chunks, _ in pending)
        done = 0
        for doc, chunks, key in pending:
            vectors = self._embed(chunks, lambda n: progress and progress(doc.source, done + n, total))
            self._replace(doc, chunks, vectors, key)
            done += len(chunks)
            report.chunks_embedded += len(chunks)
        for source in sorted(set(stored) - wanted):
            self.collection.delete(where={"source": source})
            report.removed.append(source)
        report.chunks_total = self.count_passages()
        log.info("index sync: %s", report)
        return report

    def _embed(self, chunks: Sequence[Chunk], on_batch: Callable[[int], object]) -> np.ndarray:
        batch = self.settings.embedding.batch_size
        parts = []
        for i in range(0, len(chunks), batch):
            parts.append(self.embedder.embed_chunks(chunks[i : i + batch]))
            on_batch(min(i + batch, len(chunks)))
        return np.vstack(parts) if parts else np.zeros((0, self.embedder.dimension), np.float32)

    def _replace(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray, key: str) -> None:
        ids = [c.chunk_id for c in chunks]
        for i in range(0, len(chunks), 1000):  # Chroma caps the batch size of one write
            self.collection.upsert(
                ids=ids[i : i + 1000],
                embeddings=vectors[i : i + 1000],
                documents=[c.text for c in chunks[i : i + 1000]],
                metadatas=[
                    {"source": c.source, "section": c.section, "start": c.start, "end": c.end,
                     "kind": c.kind, "title": c.title, "parent": c.parent, "index_key": key}
                    for c in chunks[i : i + 1000]
                ],
            )
        stale = set(self.collection.get(where={"source": doc.source}, include=[])["ids"]) - set(ids)
        if stale:
            self.collection.delete(ids=sorted(stale))

    def count_passages(self) -> int:
        return len(self.collection.get(where=_NOT_SENTENCE, include=[])["ids"])

    def all_chunks(self) -> list[Chunk]:
        """The passages and captions (not the sentence units), in document order."""
        stored = self.collection.get(where=_NOT_SENTENCE, include=["documents", "metadatas"])
        chunks = [
            _chunk_from_record(chunk_id, text, meta)
            for chunk_id, text, meta in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.source, c.start))

    def unit_vectors(self) -> dict[str, np.ndarray]:
        """Stored vectors of the sentence units by their embedder input, so answering can rank sentences
        without embedding them again."""
        stored = self.collection.get(where={"kind": "sentence"}, include=["documents", "metadatas", "embeddings"])
        return {
            self.embedder.unit_input(str(meta.get("section", "")), text): np.asarray(vector, np.float32)
            for text, meta, vector in zip(stored["documents"], stored["metadatas"], stored["embeddings"], strict=True)
        }

    def dense_search(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest passages; a passage scores as its best unit
        (itself or one of its sentences)."""
        units = min(4 * n, self.collection.count())
        if units == 0:
            return []
        result = self.collection.query(query_embeddings=[query_vector], n_results=units, include=["distances", "metadatas"])
        best: dict[str, float] = {}
        for unit_id, distance, meta in zip(result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True):
            chunk_id = meta.get("parent") or unit_id
            best[chunk_id] = max(best.get(chunk_id, -1.0), 1.0 - distance)
        return sorted(best.items(), key=lambda item: -item[1])[:n]

    def drop(self) -> None:
        self.client.delete_collection(self.settings.chroma.collection)
        self.collection = self._open_collection()


def _chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        source=str(meta["source"]),
        section=str(meta.get("section", "")),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        kind=str(meta.get("kind", "passage")),
        title=str(meta.get("title", "")),
    )
