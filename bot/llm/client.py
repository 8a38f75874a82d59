"""Chat backends: the local GGUF model through llama.cpp, or any OpenAI-compatible server.

Both stream text pieces (the local model first reports its place in the process's one line for the model,
as ``Waiting``); both raise ``BackendError`` with a readable message and a ``kind`` on
failure, so the answer chain can fall back to the extractive answer and say why.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from bot.llm.model_queue import MODEL_QUEUE, ModelQueue, Waiting
from bot.options import validate_backend
from bot.llm.prompt_cache import PromptCache, SavedPrefix, prefix_key
from index.models import ModelFetchError, resolve_model
from zzbot.settings import LLMSettings, Settings

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
# Why a backend gave no answer: "unreachable" (the server could not be reached or the model not loaded: no
# answer was attempted), "timeout", "bad_response" (the server answered, but not as an OpenAI-compatible
# stream), "http_error" (an HTTP error status), "failed" (the model failed while answering).
BackendErrorKind = Literal["unreachable", "timeout", "bad_response", "http_error", "failed"]


class BackendError(RuntimeError):
    """The language model could not answer; ``kind`` says why (see BackendErrorKind)."""

    def __init__(self, message: str, kind: BackendErrorKind = "failed") -> None:
        super().__init__(message)
        self.kind: BackendErrorKind = kind


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str | Waiting]: ...


def complete(backend: ChatBackend, messages: Messages, max_tokens: int) -> str:
    """The whole answer (places in the model's line are not text)."""
    return "".join(piece for piece in backend.stream(messages, max_tokens) if isinstance(piece, str))


# How a prompt's fixed prefix was made ready: restored from disk, evaluated now (and saved), or nothing to do
# (a remote server keeps its own cache).
PrimeOutcome = Literal["restored", "evaluated", "skipped"]


class LocalLlama:
    """The local GGUF model through llama.cpp: one model and one context for the whole process, as every call
    takes its turn in ``queue`` anyway (each more context would cost ~1.8 GB and ~1.4 s to load, as llama.cpp
    repacks the weights per model). Each prompt's fixed prefix (system text, examples, the user turn's opening)
    is primed once and kept as a state snapshot (~17 MB), restored in ~50 ms when the context last served
    another prompt, so no call evaluates a prefix again. ``llama`` replaces the model (tests)."""

    name = "local"

    def __init__(self, model_path: Path, settings: LLMSettings, *, llama: Any | None = None,
                 queue: ModelQueue | None = None) -> None:
        self.model_path = model_path
        self._settings = settings
        self._queue = queue if queue is not None else MODEL_QUEUE
        self._llm = llama if llama is not None else _load_llama(model_path, settings)
        self._prefixes: dict[str, SavedPrefix] = {}  # label → the context's state after that prefix
        self._holds: str | None = None  # the label of the prefix the context's tokens start with
        self._outcomes: dict[str, PrimeOutcome] = {}

    def with_prefix(self, label: str) -> PrefixedLlama:
        """The backend for calls whose messages start with the prefix primed as ``label``."""
        return PrefixedLlama(self, label)

    def stream(self, messages: Messages, max_tokens: int, prefix: str | None = None) -> Iterator[str | Waiting]:
        """The answer's text pieces, after a ``Waiting`` for each place in line while other calls run first.
        ``prefix``: the label of a primed prefix the messages start with, restored first if need be."""
        with self._queue.place() as ticket:
            yield from self._queue.wait(ticket)
            deadline = time.monotonic() + self._settings.timeout_s  # the model's own time, not the wait
            try:
                self._hold(prefix)
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
                        raise BackendError(f"the local model took longer than {self._settings.timeout_s:.0f} s",
                                           "timeout")
            except BackendError:
                raise
            except (ValueError, RuntimeError) as err:  # e.g. a prompt longer than the context window
                raise BackendError(f"the local model failed: {err}", "failed") from None

    def next_token_margin(self, messages: Messages, yes: str, no: str, prefix: str | None = None) -> float:
        """How much more the model expects its reply to start with ``yes`` than with ``no`` (the difference of the
        two first tokens' logits): a graded yes/no, where the sampled token of a small model mostly follows the
        prompt's bias. ``prefix``: the label of a primed prefix the messages start with, restored first if need
        be; only the tokens after what the context already holds are evaluated (a few-shot prompt's examples
        cost nothing per call)."""
        import llama_cpp

        with self._queue.place() as ticket:
            self._queue.wait_quietly(ticket)
            try:
                self._hold(prefix)
                tokens = self._llm.tokenize(self._chat_prompt(messages).encode(), add_bos=False, special=True)
                held = self._llm.input_ids[: self._llm.n_tokens]
                kept = min(_common_length(held, tokens), len(tokens) - 1)  # at least one token gives the logits
                if self._holds is not None and kept < len(self._prefixes[self._holds].input_ids):
                    self._holds = None
                self._llm.n_tokens = kept
                self._llm.eval(tokens[kept:])
                logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self._llm.ctx, -1),
                                               shape=(self._llm.n_vocab(),))
            except (ValueError, RuntimeError) as err:
                raise BackendError(f"the local model failed: {err}", "failed") from None
            first = [self._llm.tokenize(word.encode(), add_bos=False, special=False)[0] for word in (yes, no)]
            return float(logits[first[0]] - logits[first[1]])

    def _chat_prompt(self, messages: Messages) -> str:
        """The messages in the model's own chat template, ready for the assistant's reply."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def token_text(token: int) -> str:
            return self._llm.detokenize([token], special=True).decode(errors="ignore")

        formatter = Jinja2ChatFormatter(self._llm.metadata["tokenizer.chat_template"],
                                        eos_token=token_text(self._llm.token_eos()),
                                        bos_token=token_text(self._llm.token_bos()))
        return formatter(messages=messages).prompt

    def prime(self, messages: Messages, cache: PromptCache | None = None, label: str = "prompt") -> PrimeOutcome:
        """Make the prompt prefix ``messages`` ready as ``label``: restored from ``cache`` when it holds the
        state for exactly this model and these messages, otherwise evaluated now and saved there. Priming a
        label again does nothing ("restored" or "evaluated" as the first time)."""
        with self._queue.place() as ticket:
            self._queue.wait_quietly(ticket)
            if label in self._prefixes:
                return self._outcomes[label]
            key = prefix_key(self.model_path, self._settings.n_ctx, messages) if cache is not None else ""
            saved = cache.load(label, key) if cache is not None else None
            outcome: PrimeOutcome = "restored"
            if saved is None or not self._restored(saved, label):
                saved, outcome = self._evaluate(messages, label), "evaluated"
                if cache is not None:
                    cache.save(label, key, saved)
            self._prefixes[label], self._holds = saved, label
            self._outcomes[label] = outcome
            return outcome

    def _hold(self, prefix: str | None) -> None:
        """Make the context start with the prefix ``prefix`` (None: whatever the call's messages are)."""
        if prefix is not None and prefix != self._holds and prefix in self._prefixes:
            self._restore(self._prefixes[prefix])
        self._holds = prefix if prefix in self._prefixes else None

    def _restored(self, saved: SavedPrefix, label: str) -> bool:
        try:
            self._restore(saved)
            return True
        except (RuntimeError, ValueError) as err:
            log.warning("cannot restore the prompt state of %s (%s); evaluating it again", label, err)
            self._llm.reset()
            return False

    def _evaluate(self, messages: Messages, label: str) -> SavedPrefix:
        began = time.perf_counter()
        try:
            for _ in self._llm.create_chat_completion(messages=messages, stream=True, temperature=0.0, max_tokens=1):
                pass
        except (ValueError, RuntimeError) as err:
            raise BackendError(f"the local model failed on the {label} prompt: {err}", "failed") from None
        log.info("evaluated the %s prompt prefix in %.1f s", label, time.perf_counter() - began)
        state = self._llm.save_state()
        return SavedPrefix(np.asarray(state.input_ids[: state.n_tokens], dtype=np.intc), bytes(state.llama_state))

    def _restore(self, saved: SavedPrefix) -> None:
        from llama_cpp import LLAMA_DEFAULT_SEED, LlamaState

        n_tokens = len(saved.input_ids)
        if n_tokens >= self._llm.n_ctx():
            raise ValueError(f"{n_tokens} saved tokens do not fit a context of {self._llm.n_ctx()}")
        input_ids = np.zeros(self._llm.n_ctx(), dtype=np.intc)  # llama-cpp-python keeps one slot per position
        input_ids[:n_tokens] = saved.input_ids
        # Logits are not saved (a call always evaluates at least one new token); one zero row fills them.
        self._llm.load_state(LlamaState(input_ids=input_ids, scores=np.zeros((1, self._llm.n_vocab()), np.single),
                                        n_tokens=n_tokens, llama_state=saved.state, llama_state_size=len(saved.state),
                                        seed=LLAMA_DEFAULT_SEED))


class PrefixedLlama:
    """The local model for one prompt: its calls start with the prefix primed as ``label``."""

    name = "local"

    def __init__(self, model: LocalLlama, label: str) -> None:
        self.model = model
        self.label = label

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str | Waiting]:
        return self.model.stream(messages, max_tokens, prefix=self.label)

    def next_token_margin(self, messages: Messages, yes: str, no: str) -> float:
        return self.model.next_token_margin(messages, yes, no, prefix=self.label)


def _common_length(held: Any, tokens: list[int]) -> int:
    """How many tokens ``tokens`` starts with that the context already holds."""
    n = min(len(held), len(tokens))
    differs = np.flatnonzero(np.asarray(held[:n]) != np.asarray(tokens[:n]))
    return int(differs[0]) if len(differs) else n


def _load_llama(model_path: Path, settings: LLMSettings) -> Any:
    # llama.cpp's OpenMP threads otherwise spin while they wait; on 2 shared cores that took 3.5x longer to
    # evaluate a prompt and 6x longer to generate (eval.bench, busy machine). Read when llama_cpp loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from llama_cpp import Llama
    except ImportError as err:
        raise BackendError(f"llama-cpp-python is not installed ({err}); run the setup again") from None
    began = time.perf_counter()
    try:
        with _weights_not_repacked():
            llm = Llama(
                model_path=str(model_path),
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                n_threads_batch=settings.n_threads,
                n_batch=512,
                verbose=False,
            )
    except (ValueError, RuntimeError, OSError) as err:  # a truncated or foreign file
        raise BackendError(f"cannot load the local model {model_path}: {err}", "unreachable") from None
    log.info("loaded %s in %.1f s", model_path.name, time.perf_counter() - began)
    return llm


_LOADING = threading.Lock()


@contextmanager
def _weights_not_repacked() -> Iterator[None]:
    """llama.cpp repacks the weights into a private copy for its own matrix kernels unless the model parameter
    use_extra_bufts is off, which llama-cpp-python does not expose. On the 2-core AVX-512 CPU here, repacked
    Q4_K evaluated prompts ~30% slower (32 against 45 tokens/s), took 0.5 s more CPU to load and 0.8 GB more
    memory that processes cannot share (the mapped file is shared). So the default parameters llama-cpp-python
    starts from are patched while the model loads (a build with -DGGML_CPU_REPACK=OFF makes this a no-op)."""
    import llama_cpp.llama_cpp as bindings

    default = bindings.llama_model_default_params

    def without_repacking() -> Any:
        params = default()
        params.use_extra_bufts = False
        return params

    with _LOADING:
        bindings.llama_model_default_params = without_repacking
        try:
            yield
        finally:
            bindings.llama_model_default_params = default


class OpenAICompatible:
    """Any server that speaks OpenAI's streaming chat API. Every failure, from a refused connection to a
    page of HTML or a garbled stream, becomes a BackendError naming the server and what went wrong."""

    name = "openai"

    def __init__(self, settings: LLMSettings) -> None:
        try:
            from openai import OpenAI
        except ImportError as err:
            raise BackendError(f"the openai package is not installed ({err}); run the setup again",
                               "unreachable") from None
        self._settings = settings
        self._url = settings.openai_base_url
        self._client = OpenAI(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key.get_secret_value(),
            timeout=settings.timeout_s,
            max_retries=0,
        )

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        import openai

        deadline = time.monotonic() + self._settings.timeout_s
        received = False  # whether the server has answered at all (a later broken connection is no "cannot reach")
        try:
            response = self._client.chat.completions.create(
                model=self._settings.openai_model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                temperature=self._settings.temperature,
                max_tokens=max_tokens,
            )
            received = True
            self._check_content_type(response)
            chunks = 0
            for piece in response:
                chunks += 1
                text = _piece_text(piece)
                if text:
                    yield text
                if time.monotonic() > deadline:
                    response.close()
                    raise BackendError(f"the server at {self._url} took longer than "
                                       f"{self._settings.timeout_s:.0f} s", "timeout")
            if not chunks:
                raise BackendError(f"the server at {self._url} ended its answer without any stream data",
                                   "bad_response")
        except openai.APITimeoutError:
            raise BackendError(f"the server at {self._url} did not answer within {self._settings.timeout_s:.0f} s",
                               "timeout") from None
        except openai.APIConnectionError as err:
            if received:
                raise BackendError(f"the connection to the server at {self._url} broke off: {_cause(err)}",
                                   "failed") from None
            raise BackendError(f"cannot reach the server at {self._url} ({_cause(err)})", "unreachable") from None
        except openai.APIStatusError as err:
            raise BackendError(f"the server at {self._url} answered HTTP {err.status_code}: {_short_body(err)}",
                               "http_error") from None
        except openai.APIError as err:
            raise BackendError(f"the server at {self._url} reported an error: {err.message}", "failed") from None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as err:
            # json.JSONDecodeError on a garbled data line, or a chunk of the wrong shape.
            log.warning("malformed stream from %s: %r", self._url, err)
            raise BackendError(f"the server at {self._url} sent malformed stream data "
                               f"({type(err).__name__}: {_one_line(str(err))})", "bad_response") from None

    def _check_content_type(self, response: Any) -> None:
        """A proxy's error page or a web server's index comes back as 200 text/html: no stream at all."""
        content_type = response.response.headers.get("content-type", "")
        if content_type and not content_type.lower().startswith("text/event-stream"):
            response.close()
            raise BackendError(f"the server at {self._url} answered with {content_type.split(';')[0].strip()}, "
                               "not an OpenAI-compatible stream", "bad_response")


def _piece_text(piece: Any) -> str:
    """The text of one streamed chunk ("" for chunks that carry none, such as the role or the finish)."""
    choices = piece.choices
    if not choices:
        return ""
    content = choices[0].delta.content if choices[0].delta is not None else None
    if content is not None and not isinstance(content, str):
        raise TypeError(f"delta.content is {type(content).__name__}, not text")
    return content or ""


def _one_line(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cause(err: BaseException) -> str:
    """The underlying network error ("[Errno 111] Connection refused"), not the SDK's generic wrapper."""
    cause = err.__cause__ or err.__context__
    return _one_line(str(cause) if cause is not None and str(cause) else str(err))


def _short_body(err: Any) -> str:
    """The start of an error response's body, tags stripped (error pages are often HTML)."""
    try:
        body = err.response.text
    except Exception:  # noqa: BLE001 - a body that cannot be read still leaves the status to report
        body = ""
    return _one_line(re.sub(r"<[^>]+>", " ", body), 120) or "(empty body)"


def load_backend(settings: Settings, queue: ModelQueue | None = None) -> ChatBackend | None:
    """The configured LLM backend, or None for the extractive (no-LLM) backend."""
    backend = validate_backend(settings.llm.backend)  # model_copy(update=…) skips the settings' own check
    if backend == "extractive":
        return None
    if backend == "openai":
        return OpenAICompatible(settings.llm)
    try:
        location = Path(resolve_model(settings.llm.local_model, settings.model_cache, fetch=False))
    except ModelFetchError as err:
        raise BackendError(f"{err}", "unreachable") from None
    if location.is_dir():
        ggufs = sorted(location.glob("*.gguf"))
        if not ggufs:
            raise BackendError(f"no .gguf file in {location}", "unreachable")
        location = ggufs[0]
    if not location.is_file():
        raise BackendError(f"local model {settings.llm.local_model!r} is neither a bundled model nor a GGUF file",
                           "unreachable")
    return LocalLlama(location, settings.llm, queue=queue)
