"""The sentence embedder (EmbeddingGemma by default), as a LangChain ``Embeddings``.

Queries and passages get the model's own retrieval prompts; a passage is
embedded with its section heading as the title, as EmbeddingGemma expects.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from index.chunking import SECTION_SEPARATOR, Chunk
from index.models import resolve_model
from zzbot.settings import Settings

log = logging.getLogger(__name__)


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (otherwise bf16 is emulated and slower than fp32)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_dtype(setting: str) -> str:
    if setting == "auto":
        return "bfloat16" if native_bf16() else "float32"
    return setting


class Embedder(Embeddings):
    def __init__(self, model: object, name: str, batch_size: int = 8, dtype: str = "float32") -> None:
        self.model = model  # a SentenceTransformer
        self.name = name
        self.batch_size = batch_size
        self.dtype = dtype
        prompts: dict[str, str] = getattr(model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query", "")
        # EmbeddingGemma's document prompt is "title: none | text: "; we fill in the real title.
        self._titled = prompts.get("document", "").startswith("title:")
        self._document_prompt = prompts.get("document", "")

    @classmethod
    def load(cls, settings: Settings, fetch: bool = False) -> Embedder:
        location = resolve_model(settings.embedding.model, settings.model_cache, fetch=fetch)
        if Path(location).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder must never reach for a hub
        from sentence_transformers import SentenceTransformer  # heavy import, only when a model is wanted

        began = time.perf_counter()
        model = SentenceTransformer(location, device="cpu")
        dtype = resolve_dtype(settings.embedding.dtype)
        if dtype == "bfloat16":
            import torch

            model.to(torch.bfloat16)
        model.max_seq_length = min(model.max_seq_length or settings.embedding.max_seq_length,
                                   settings.embedding.max_seq_length)
        log.info("loaded embedder %s (%s) in %.1f s", settings.embedding.model, dtype, time.perf_counter() - began)
        return cls(model, settings.embedding.model, settings.embedding.batch_size, dtype)

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def _encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=False,  # normalised below in float32, which bf16 output needs for unit length
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        ).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def unit_input(self, section: str, text: str) -> str:
        """What the model reads for a passage, sentence or clause: the text titled with its section."""
        if self._titled:
            return f"title: {section.split(SECTION_SEPARATOR)[-1] or 'none'} | text: {text}"
        return self._document_prompt + text

    def embed_chunks(self, chunks: Sequence[Chunk], show_progress: bool = False) -> np.ndarray:
        return self._encode([self.unit_input(c.section, c.text) for c in chunks], show_progress)

    def embed_inputs(self, inputs: Sequence[str]) -> np.ndarray:
        """Inputs already made by ``unit_input``."""
        return self._encode(inputs)

    def embed_many(self, inputs: Sequence[str], on_batch: Callable[[int], object] | None = None) -> np.ndarray:
        """Vectors of many inputs made by ``unit_input`` (several documents' units at once), in their order.
        Identical inputs are embedded once, and the rest in batches of similar length: a batch is padded to its
        longest input, so batching units as they come (a passage among its short sentences) wastes a third of
        the work. ``on_batch`` is told how many of ``inputs`` are done after each batch."""
        unique = list(dict.fromkeys(inputs))
        order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
        vectors = np.zeros((len(unique), self.dimension), np.float32)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin : begin + self.batch_size]
            vectors[batch] = self.embed_inputs([unique[i] for i in batch])
            if on_batch is not None:
                on_batch(round(len(inputs) * min(begin + self.batch_size, len(order)) / len(order)))
        row = {text: i for i, text in enumerate(unique)}
        return vectors[[row[text] for text in inputs]] if inputs else vectors

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Plain texts with the document prompt and no title."""
        return self._encode([self._document_prompt + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prompt + t for t in texts])

    # LangChain's Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_texts(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0].tolist()
