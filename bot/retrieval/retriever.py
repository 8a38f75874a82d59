"""Hybrid retrieval: dense search fused with Chinese keyword search by reciprocal rank fusion.

Dense search carries English and paraphrased questions; BM25 over character
bigrams carries long Chinese questions whose generic words (2024年, 郑州)
mislead the embedder. Captions and bylines are down-weighted so they never
crowd out real passages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.chunking import SECTION_SEPARATOR, Chunk
from index.keyword import KeywordIndex
from index.metadata import DocumentMeta
from index.store import ChunkStore
from zzbot.settings import RetrievalSettings


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float  # fused score (higher is better)
    similarity: float  # cosine similarity of question and passage, 0 when dense search did not return it
    keyword_score: float  # BM25 score, 0 when keyword search did not return it

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id,
            "source": c.source,
            "section": c.section,
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "score": round(self.score, 6),
        }


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], rrf_k: int,
                           weights: Sequence[float] | None = None) -> dict[str, float]:
    """Fused score of every id in the rankings: the sum over rankings of weight / (rrf_k + rank), rank from 1."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (rrf_k + rank)
    return fused


def fuse_rankings(rankings: list[list[Passage]], k: int, rrf_k: int) -> list[Passage]:
    """Reciprocal rank fusion of passage rankings (by chunk id), best ``k``."""
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for passage in ranking:
            first.setdefault(passage.chunk.chunk_id, passage)
    scores = reciprocal_rank_fusion([[p.chunk.chunk_id for p in ranking] for ranking in rankings], rrf_k)
    best = sorted(scores, key=lambda key: -scores[key])[:k]
    return [replace(first[key], score=round(scores[key], 6)) for key in best]


def keyword_text(chunk: Chunk) -> str:
    return f"{chunk.section.split(SECTION_SEPARATOR)[-1]}\n{chunk.text}"


class HybridSearcher:
    """Searches one store; holds the keyword index over the store's chunks in memory."""

    def __init__(self, store: ChunkStore, settings: RetrievalSettings) -> None:
        self.store = store
        self.settings = settings
        self.reload()

    def reload(self) -> None:
        """Re-read the chunks after the index changed."""
        self.chunks = self.store.all_chunks()
        self._by_id = {c.chunk_id: c for c in self.chunks}
        self._keyword = KeywordIndex([keyword_text(c) for c in self.chunks])

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index over the chunks (the benchmark times it alone)."""
        return self._keyword

    def word_coverage(self, text: str) -> float:
        """Share of the text's Chinese words found in the indexed documents (see KeywordIndex.coverage)."""
        return self._keyword.coverage(text)

    def word_overlap(self, query: str, texts: Sequence[str]) -> list[float]:
        """IDF-weighted share of the query's words in each text (see KeywordIndex.overlap)."""
        return self._keyword.overlap(query, texts)

    def search(self, query: str, k: int | None = None, fusion: bool | None = None,
               vector: np.ndarray | None = None, sources: frozenset[str] | None = None) -> list[Passage]:
        """The ``k`` best passages; ``vector`` is the query's embedding when the caller has it already;
        ``sources``: search only the passages of these documents (a question's scope among several reports)."""
        k = k or self.settings.k
        fusion = self.settings.fusion if fusion is None else fusion
        n = max(self.settings.candidates, k)
        if vector is None:
            vector = self.store.embedder.embed_queries([query])[0]
        where = {"source": {"$in": sorted(sources)}} if sources is not None else None
        dense = self.store.dense_search(vector, n, where=where)
        similarity = dict(dense)
        keyword = {self.chunks[i].chunk_id: s for i, s in self._keyword_search(query, n, sources)} if fusion else {}

        keyword_weight = 1.0 if fusion and self._keyword.shares_words(query) else 0.0
        fused = (reciprocal_rank_fusion([list(similarity), list(keyword)], self.settings.rrf_k, [1.0, keyword_weight])
                 if fusion else dict(similarity))
        for chunk_id in fused:
            if self._by_id[chunk_id].kind == "caption":
                fused[chunk_id] *= self.settings.caption_weight
        best = sorted(fused, key=lambda cid: -fused[cid])[:k]
        return [
            Passage(self._by_id[cid], fused[cid], similarity.get(cid, 0.0), keyword.get(cid, 0.0)) for cid in best
        ]


    def _keyword_search(self, query: str, n: int, sources: frozenset[str] | None) -> list[tuple[int, float]]:
        if sources is None:
            return self._keyword.search(query, n)
        # Every match is ranked, then the other documents' dropped: the best n overall may all be theirs.
        return [(i, s) for i, s in self._keyword.search(query, len(self.chunks))
                if self.chunks[i].source in sources][:n]


class ReportRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever: ``invoke(question)`` gives ``Document``s whose metadata carries
    source, section, offsets (``start``/``end`` in the source document), chunk id and scores. The answer chain
    retrieves through it; users compose it into their own chains. ``k`` can be given per call, and ``sources``
    (the file names of the documents to search, when several are indexed) too; the metadata then carries each
    passage's document's place and years (``doc_place``, ``doc_target_year``…)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: Callable[..., list[Passage]]  # (query, k) or (query, k, sources)
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None,
        sources: frozenset[str] | None = None,
    ) -> list[LCDocument]:
        found = self.search(query, k or self.k) if sources is None else self.search(query, k or self.k, sources)
        return [passage_document(p) for p in found]


def passage_document(passage: Passage) -> LCDocument:
    c = passage.chunk
    return LCDocument(page_content=c.text, metadata={
        "chunk_id": c.chunk_id, "source": c.source, "section": c.section, "start": c.start, "end": c.end,
        "kind": c.kind, "title": c.title, "score": passage.score, "similarity": passage.similarity,
        "keyword_score": passage.keyword_score, **c.meta.stored(),
    })


def passage_from_document(document: LCDocument) -> Passage:
    meta = document.metadata
    chunk = Chunk(chunk_id=meta["chunk_id"], source=meta["source"], section=meta["section"],
                  text=document.page_content, start=meta["start"], end=meta["end"], kind=meta["kind"],
                  title=meta["title"], meta=DocumentMeta.from_stored(meta))
    return Passage(chunk, meta["score"], meta["similarity"], meta["keyword_score"])
