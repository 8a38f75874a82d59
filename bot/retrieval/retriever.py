"""Hybrid retrieval: dense search fused with Chinese keyword search by reciprocal rank fusion.

Dense search carries English and paraphrased questions; BM25 over character
bigrams carries long Chinese questions whose generic words (2024年, 郑州)
mislead the embedder. Captions and bylines are down-weighted so they never
crowd out real passages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.chunking import SECTION_SEPARATOR, Chunk
from index.keyword import KeywordIndex
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
               vector: np.ndarray | None = None) -> list[Passage]:
        """The ``k`` best passages; ``vector`` is the query's embedding when the caller has it already."""
        k = k or self.settings.k
        fusion = self.settings.fusion if fusion is None else fusion
        n = max(self.settings.candidates, k)
        if vector is None:
            vector = self.store.embedder.embed_queries([query])[0]
        dense = self.store.dense_search(vector, n)
        similarity = dict(dense)
        keyword = {self.chunks[i].chunk_id: s for i, s in self._keyword.search(query, n)} if fusion else {}

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


class ReportRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever: ``invoke(question)`` gives ``Document``s whose metadata carries
    source, section, offsets (``start``/``end`` in the source document), chunk id and scores. The answer chain
    retrieves through it; users compose it into their own chains. ``k`` can be given per call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: Callable[[str, int], list[Passage]]
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[LCDocument]:
        return [passage_document(p) for p in self.search(query, k or self.k)]


def passage_document(passage: Passage) -> LCDocument:
    c = passage.chunk
    return LCDocument(page_content=c.text, metadata={
        "chunk_id": c.chunk_id, "source": c.source, "section": c.section, "start": c.start, "end": c.end,
        "kind": c.kind, "title": c.title, "score": passage.score, "similarity": passage.similarity,
        "keyword_score": passage.keyword_score,
    })


def passage_from_document(document: LCDocument) -> Passage:
    meta = document.metadata
    chunk = Chunk(chunk_id=meta["chunk_id"], source=meta["source"], section=meta["section"],
                  text=document.page_content, start=meta["start"], end=meta["end"], kind=meta["kind"],
                  title=meta["title"])
    return Passage(chunk, meta["score"], meta["similarity"], meta["keyword_score"])
