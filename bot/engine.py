"""The bot's components, built on first use and shared by the CLI, the UI and the eval.

Nothing is loaded at import time; each model is loaded once per process.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

import numpy as np

from bot.llm import ChatBackend, load_backend
from bot.retrieval import HybridSearcher, Passage, ReportRetriever
from bot.schema import BotUnavailable
from index.models import ModelFetchError
from settings import Settings

log = logging.getLogger(__name__)

FIX_MODELS = "python -m index fetch-models"
FIX_INDEX = "python -m index build"


class Engine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._text_vectors: dict[str, np.ndarray] = {}
        self._query_vectors: dict[str, np.ndarray] = {}
        self._backends: dict[tuple[str, str], ChatBackend] = {}
        self._dates: frozenset[tuple[str, float]] | None = None

    @cached_property
    def embedder(self):  # -> index.embeddings.Embedder
        from index.embeddings import Embedder

        try:
            return Embedder.load(self.settings, fetch=False)
        except ModelFetchError as err:
            raise BotUnavailable(f"{err} (fix: `{FIX_MODELS}`)") from None

    @cached_property
    def searcher(self) -> HybridSearcher:
        from index.store import ChunkStore, StoreError

        with self._lock:
            try:
                store = ChunkStore(self.settings, self.embedder)
                if store.count() == 0:
                    raise BotUnavailable(f"the index is empty: no document has been indexed yet (fix: `{FIX_INDEX}`)")
                searcher = HybridSearcher(store, self.settings.retrieval)
                self._text_vectors.update(store.unit_vectors())
            except StoreError as err:
                raise BotUnavailable(str(err)) from None
            return searcher

    @cached_property
    def figure_rows(self):  # -> list[index.figures.FigureRow]
        """The figure table of the indexed documents."""
        from index.figures import figure_rows

        return figure_rows(self.searcher.chunks)

    def corpus_dates(self) -> frozenset[tuple[str, float]]:
        """(kind, value) of every year and date the indexed documents mention."""
        if self._dates is None:
            from zzbot.numbers import extract_figures

            self._dates = frozenset(
                (f.kind, f.value) for c in self.searcher.chunks for f in extract_figures(c.text) if f.kind in ("year", "date")
            )
        return self._dates

    def unknown_years(self, text: str) -> set[float]:
        """The years ``text`` names, outright or relative to the latest document's year (去年, next year), that no
        indexed document mentions (a 2025 target asked of a 2024 report)."""
        from zzbot.numbers import extract_figures

        from bot.questions import relative_years

        known = {value for kind, value in self.corpus_dates() if kind == "year"}
        named = {f.value for f in extract_figures(text) if f.kind == "year"}
        if known:  # 去年 in the 2024 report: 2023
            named |= {max(known) + offset for offset in relative_years(text)}
        return named - known

    def mentions(self, text: str) -> bool:
        """Whether some indexed passage contains ``text`` verbatim."""
        return any(text in chunk.text for chunk in self.searcher.chunks)

    def word_overlap(self, query: str, texts: list[str]) -> list[float]:
        """IDF-weighted share of the query's words in each text (see index.keyword.KeywordIndex.overlap)."""
        return self.searcher.word_overlap(query, texts)

    def similarities(self, query: str, texts: list[str], sections: list[str] | None = None) -> np.ndarray:
        """Cosine similarity of a question to each text (titled with its section, as in the index). Vectors
        are cached and pre-filled from the index, so the report's sentences are embedded once."""
        inputs = [self.embedder.unit_input(section, text)
                  for section, text in zip(sections or [""] * len(texts), texts, strict=True)]
        missing = [i for i in dict.fromkeys(inputs) if i not in self._text_vectors]
        if missing:
            for key, vector in zip(missing, self.embedder.embed_inputs(missing), strict=True):
                self._text_vectors[key] = vector
        query_vector = self._query_vector(query)
        return np.array([float(self._text_vectors[i] @ query_vector) for i in inputs])

    def _query_vector(self, query: str) -> np.ndarray:
        vector = self._query_vectors.get(query)
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
            if len(self._query_vectors) > 1024:
                self._query_vectors.clear()
            self._query_vectors[query] = vector
        return vector

    def backend(self, name: str, role: str = "answer") -> ChatBackend:
        """The LLM backend ``name``, loaded once per process and role. The follow-up rewriter gets its own
        llama.cpp context so that each role keeps its prompt prefix cached (the weights are shared by mmap)."""
        key = (name, role)
        with self._lock:
            if key not in self._backends:
                self._backends[key] = load_backend(self.settings.model_copy(update={
                    "llm": self.settings.llm.model_copy(update={"backend": name})}))
            return self._backends[key]

    def search(self, query: str, k: int | None = None, fusion: bool | None = None) -> list[Passage]:
        from index.store import StoreError

        try:
            return self.searcher.search(query, k, fusion)
        except StoreError as err:  # damage found only now (a vector file)
            raise BotUnavailable(str(err)) from None

    def retriever(self, k: int | None = None) -> ReportRetriever:
        """The search as a LangChain retriever (``BaseRetriever``)."""
        return ReportRetriever(search=lambda query, n: self.search(query, k=n), k=k or self.settings.retrieval.k)
