"""The bot's parts, each built once on first use (or handed in) and shared by the CLI, the UI and the eval.

Nothing is loaded at import time. ``preload`` starts loading in background threads what a question will need,
so that the embedder, the index and the model load side by side; ``prime`` makes one prompt's fixed prefix
ready in its model context, restored from disk when a previous process saved it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from bot.llm.client import BackendError, ChatBackend, LocalLlama, PrimeOutcome, load_backend
from bot.llm.model_queue import ModelQueue
from bot.llm.prompt_cache import PromptCache
from bot.retrieval.figure_table import FigureTable
from bot.schema import BotUnavailable
from index.corpus import CorpusFacts
from index.models import ModelFetchError
from zzbot.settings import Settings

if TYPE_CHECKING:
    from bot.retrieval.retriever import HybridSearcher, Passage, ReportRetriever
    from index.embeddings import Embedder
    from index.store import ChunkStore

log = logging.getLogger(__name__)

FIX_MODELS = "python -m index fetch-models"
FIX_INDEX = "python -m index build"
PROMPT_STATE_DIR = "llm-cache"  # under settings.var_dir: saved prompt states (bot.llm.prompt_cache)

T = TypeVar("T")


class Part(Generic[T]):
    """A part built on first use, once, however many threads ask for it at the same time. A build that fails
    is tried again by the next caller (the index may have been built meanwhile)."""

    def __init__(self, build: Callable[[], T], value: T | None = None) -> None:
        self._build = build
        self._value = value
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value

    def start(self) -> None:
        """Build in a background thread; its failure is left for the caller of ``get`` to meet."""
        if self._value is None:
            threading.Thread(target=self._get_quietly, name="zzbot-load").start()

    def _get_quietly(self) -> None:
        try:
            self.get()
        except Exception as err:  # noqa: BLE001 - get() raises it again where it can be reported
            log.debug("background load failed: %s", err)


class Engine:
    """``embedder``, ``store`` and ``llm`` replace the parts this engine would load: a shared embedder or index,
    or fakes in tests (``llm`` then answers for every role and backend name but "extractive")."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, store: ChunkStore | None = None,
                 llm: ChatBackend | None = None, queue: ModelQueue | None = None) -> None:
        self.settings = settings
        self._llm = llm
        self._queue = queue
        self._embedder = Part(self._load_embedder, embedder if embedder is not None else
                              store.embedder if store is not None else None)
        self._store = Part(self._open_store, store)
        self._searcher = Part(self._open_searcher)
        self._models: dict[str, Part[ChatBackend]] = {}
        self._backends: dict[tuple[str, str], Part[ChatBackend]] = {}
        self._primed: dict[tuple[str, str], PrimeOutcome] = {}
        self._backends_lock = threading.Lock()
        self._text_vectors: dict[str, np.ndarray] = {}
        self._query_vectors: dict[str, np.ndarray] = {}
        self._corpus: Part[CorpusFacts] = Part(lambda: CorpusFacts.from_chunks(self.searcher.chunks))
        self._figure_rows: Part[list] = Part(self._build_figure_rows)
        self._figure_table: Part[FigureTable] = Part(lambda: FigureTable(self.figure_rows))
        self.prompt_cache = PromptCache(settings.var_dir / PROMPT_STATE_DIR)

    # -- the parts ----------------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        return self._embedder.get()

    @property
    def store(self) -> ChunkStore:
        return self._store.get()

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher.get()

    @property
    def figure_rows(self) -> list:  # -> list[index.figures.FigureRow]
        """The figure table of the indexed documents."""
        return self._figure_rows.get()

    @property
    def figure_table(self) -> FigureTable:
        """The figure table looked up by report term."""
        return self._figure_table.get()

    def _load_embedder(self) -> Embedder:
        from index.numpy_embedder import GemmaEncoder, supports
        from index.embeddings import Embedder
        from index.models import resolve_model

        embedding = self.settings.embedding
        try:
            location = Path(resolve_model(embedding.model, self.settings.model_cache, fetch=False))
            if embedding.query_runtime == "numpy" and supports(location):  # the same vectors, without torch
                return Embedder(GemmaEncoder(location, embedding.max_seq_length), embedding.model,
                                embedding.batch_size, "float32")
            return Embedder.load(self.settings, fetch=False)
        except ModelFetchError as err:
            raise BotUnavailable(f"{err} (fix: `{FIX_MODELS}`)") from None

    def _open_store(self) -> ChunkStore:
        from index.store import ChunkStore, StoreError

        try:
            return ChunkStore(self.settings, self.embedder)
        except StoreError as err:
            raise BotUnavailable(str(err)) from None

    def _open_searcher(self) -> HybridSearcher:
        from bot.retrieval.retriever import HybridSearcher

        from index.store import StoreError

        store = self.store
        try:
            if store.count() == 0:
                raise BotUnavailable(f"the index is empty: no document has been indexed yet (fix: `{FIX_INDEX}`)")
            searcher = HybridSearcher(store, self.settings.retrieval)
            self._text_vectors.update(store.unit_vectors())
        except StoreError as err:  # damage found after opening (a vector file)
            raise BotUnavailable(str(err)) from None
        return searcher

    def _build_figure_rows(self) -> list:
        from index.figures import figure_rows

        return figure_rows(self.searcher.chunks)

    # -- loading ahead ----------------------------------------------------------------------------------

    def preload(self, backend: str | None = None, roles: Iterable[str] = ()) -> None:
        """Start loading in background threads: the embedder (its weights and tokenizer too), the index, and
        for each prompt role the model context of ``backend`` with the role's prefix primed. Returns at once;
        whoever uses a part first waits for it, and meets any error loading it raised. The threads are not
        daemons: a process that is done early waits for them, as native code (llama.cpp, the tokenizer) must
        not be cut off by the interpreter's shutdown, and a prompt state being evaluated is saved for the next."""
        self._searcher.start()
        threading.Thread(target=self._load_embedder_weights, name="zzbot-embedder").start()
        roles = list(roles)
        name = backend or self.settings.llm.backend
        if roles and name != "extractive":
            threading.Thread(target=self._prime_quietly, args=(name, roles), name="zzbot-llm").start()

    def _load_embedder_weights(self) -> None:
        try:
            load = getattr(self.embedder.model, "load", None)  # GemmaEncoder loads lazily; others already have
            if load is not None:
                load()
        except Exception as err:  # noqa: BLE001 - the first query meets it again, where it is reported
            log.debug("background embedder load failed: %s", err)

    def _prime_quietly(self, name: str, roles: list[str]) -> None:
        for role in roles:  # one after another: two contexts loading at once only compete for the cores
            try:
                self.prime(name, role)
            except Exception as err:  # noqa: BLE001 - the chain meets it again when it asks for the backend
                log.debug("background load of the %s model for %s failed: %s", name, role, err)

    # -- the language model ------------------------------------------------------------------------------

    def backend(self, name: str, role: str = "answer") -> ChatBackend:
        """The LLM backend ``name`` for the prompt ``role`` (``answer.zh``…), loaded once per process, with the
        role's fixed prefix primed (see ``prime``). The local model keeps one context for every role, each
        role's prefix restored into it when needed."""
        key = (name, role)
        with self._backends_lock:
            part = self._backends.get(key)
            if part is None:
                part = self._backends[key] = Part(lambda: self._prompt_backend(name, role))
        return part.get()

    def prime(self, name: str, role: str) -> PrimeOutcome:
        """Load backend ``name`` and make ``role``'s fixed prefix (its system text, examples and the opening of
        the user's turn) evaluated in its context: restored from var/llm-cache when a process saved it for this
        model, else evaluated and saved. "skipped" for a remote backend (it keeps its own cache) and for roles
        without a prompt file. Raises BackendError when the backend cannot be loaded."""
        self.backend(name, role)
        return self._primed.get((name, role), "skipped")

    def _prompt_backend(self, name: str, role: str) -> ChatBackend:
        model = self._model(name)
        if isinstance(model, LocalLlama) and _has_prompt(role):
            from bot.llm.prompting import primer

            self._primed[(name, role)] = model.prime(primer(f"{role}.md"), self.prompt_cache, role)
            return model.with_prefix(role)
        return model

    def _model(self, name: str) -> ChatBackend:
        """Backend ``name`` itself, one per process whatever the roles."""
        with self._backends_lock:
            part = self._models.get(name)
            if part is None:
                part = self._models[name] = Part(lambda: self._load_model(name))
        return part.get()

    def _load_model(self, name: str) -> ChatBackend:
        if self._llm is not None:
            return self._llm
        backend = load_backend(self.settings.model_copy(update={
            "llm": self.settings.llm.model_copy(update={"backend": name})}), self._queue)
        if backend is None:
            raise BackendError(f"the {name} backend has no language model", "unreachable")
        return backend

    # -- search and similarity ---------------------------------------------------------------------------

    @property
    def corpus(self) -> CorpusFacts:
        """What the indexed documents cover: their years, their own place, the names they mention."""
        return self._corpus.get()

    def word_overlap(self, query: str, texts: list[str]) -> list[float]:
        """IDF-weighted share of the query's words in each text (see index.keyword.KeywordIndex.overlap)."""
        return self.searcher.word_overlap(query, texts)

    def similarities(self, query: str, texts: list[str], sections: list[str] | None = None) -> np.ndarray:
        """Cosine similarity of a question to each text (titled with its section, as in the index). Vectors
        are cached and pre-filled from the index, so the report's sentences are embedded once."""
        self.searcher  # noqa: B018 - the index's vectors first
        inputs = [self.embedder.unit_input(section, text)
                  for section, text in zip(sections or [""] * len(texts), texts, strict=True)]
        missing = [i for i in dict.fromkeys(inputs) if i not in self._text_vectors]
        if missing:
            for key, vector in zip(missing, self.embedder.embed_inputs(missing), strict=True):
                self._text_vectors[key] = vector
        query_vector = self.query_vector(query)
        return np.array([float(self._text_vectors[i] @ query_vector) for i in inputs])

    def query_vector(self, query: str) -> np.ndarray:
        """The question's vector, embedded once per process (search and sentence ranking share it)."""
        vector = self._query_vectors.get(query)
        if vector is None:
            self.embed_queries([query])
            vector = self._query_vectors[query]
        return vector

    def embed_queries(self, queries: Iterable[str]) -> None:
        """Embed the queries not embedded yet in one batch (an English question and its report wording cost
        little more than one), for ``query_vector`` to find."""
        missing = [q for q in dict.fromkeys(queries) if q not in self._query_vectors]
        if not missing:
            return
        if len(self._query_vectors) + len(missing) > 1024:
            self._query_vectors.clear()
        for query, vector in zip(missing, self.embedder.embed_queries(missing), strict=True):
            self._query_vectors[query] = vector

    def search(self, query: str, k: int | None = None, fusion: bool | None = None,
               sources: frozenset[str] | None = None) -> list[Passage]:
        """The best passages; ``sources``: of these documents only (see ``HybridSearcher.search``)."""
        from index.store import StoreError

        try:
            return self.searcher.search(query, k, fusion, vector=self.query_vector(query), sources=sources)
        except StoreError as err:  # damage found only now (a vector file)
            raise BotUnavailable(str(err)) from None

    def retriever(self, k: int | None = None) -> ReportRetriever:
        """The search as a LangChain retriever (``BaseRetriever``)."""
        from bot.retrieval.retriever import ReportRetriever

        return ReportRetriever(search=lambda query, n, sources=None: self.search(query, k=n, sources=sources),
                               k=k or self.settings.retrieval.k)


def _has_prompt(role: str) -> bool:
    from bot.llm.prompting import PROMPTS_DIR

    return (PROMPTS_DIR / f"{role}.md").is_file()
