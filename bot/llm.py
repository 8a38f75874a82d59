"""Chat backends: the local GGUF model through llama.cpp, or any OpenAI-compatible server.

Both stream text pieces; both raise ``BackendError`` with a readable message on failure,
so the answer chain can fall back to the extractive answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from index.models import ModelFetchError, resolve_model
from settings import LLMSettings, Settings

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]


class BackendError(RuntimeError):
    """The language model could not answer (unreachable, failed or timed out)."""


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]: ...


def complete(backend: ChatBackend, messages: Messages, max_tokens: int) -> str:
    return "".join(backend.stream(messages, max_tokens))


class LocalLlama:
    """One llama.cpp model per process. Calls are serialised (llama.cpp contexts are not thread-safe);
    keeping the system prompt identical across calls lets llama.cpp reuse its evaluated prefix."""

    name = "local"

    def __init__(self, model_path: Path, settings: LLMSettings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as err:
            raise BackendError(f"llama-cpp-python is not installed ({err}); run the setup again") from None
        began = time.perf_counter()
        self._llm = Llama(
            model_path=str(model_path),
            n_ctx=settings.n_ctx,
            n_threads=settings.n_threads,
            n_threads_batch=settings.n_threads,
            n_batch=512,
            verbose=False,
        )
        self._settings = settings
        self._lock = threading.Lock()
        log.info("loaded %s in %.1f s", model_path.name, time.perf_counter() - began)

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        deadline = time.monotonic() + self._settings.timeout_s
        with self._lock:
            pieces = self._llm.create_chat_completion(
                messages=messages,
                stream=True,
                temperature=self._settings.temperature,
                max_tokens=max_tokens,
            )
            for piece in pieces:
                text = piece["choices"][0]["delta"].get("content")
                if text:
                    yield text
                if time.monotonic() > deadline:
                    raise BackendError(f"the local model took longer than {self._settings.timeout_s:.0f} s")


class OpenAICompatible:
    name = "openai"

    def __init__(self, settings: LLMSettings) -> None:
        from openai import OpenAI

        self._settings = settings
        self._client = OpenAI(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key.get_secret_value(),
            timeout=settings.timeout_s,
            max_retries=0,
        )

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self._settings.openai_model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                temperature=self._settings.temperature,
                max_tokens=max_tokens,
            )
            for piece in response:
                if piece.choices and piece.choices[0].delta.content:
                    yield piece.choices[0].delta.content
        except openai.APIError as err:
            raise BackendError(f"the server at {self._settings.openai_base_url} failed: {err}") from None


def load_backend(settings: Settings) -> ChatBackend | None:
    """The configured LLM backend, or None for the extractive (no-LLM) backend."""
    backend = settings.llm.backend
    if backend == "extractive":
        return None
    if backend == "openai":
        return OpenAICompatible(settings.llm)
    try:
        location = Path(resolve_model(settings.llm.local_model, settings.model_cache, fetch=False))
    except ModelFetchError as err:
        raise BackendError(f"{err}") from None
    if location.is_dir():
        ggufs = sorted(location.glob("*.gguf"))
        if not ggufs:
            raise BackendError(f"no .gguf file in {location}")
        location = ggufs[0]
    if not location.is_file():
        raise BackendError(f"local model {settings.llm.local_model!r} is neither a bundled model nor a GGUF file")
    return LocalLlama(location, settings.llm)
