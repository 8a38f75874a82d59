"""A stand-in for llama_cpp.Llama, so that the local backend's queue and prompt states are tested in
milliseconds, without the model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np


class FakeLlama:
    """Answers a call with its last message's text, one character per piece. Its "context state" is the list
    of characters it has evaluated, so a saved and restored state can be compared. ``gate``: each call waits
    for one release of this semaphore before answering (the test decides when the model "finishes")."""

    def __init__(self, gate: threading.Semaphore | None = None, n_ctx: int = 4096) -> None:
        self.gate = gate
        self._n_ctx = n_ctx
        self.evaluated: list[int] = []  # code points of every message evaluated in this context
        self.served: list[str] = []  # last message of each call, in the order calls began
        self.running = 0
        self.overlaps = 0  # calls that began while another was running
        self.restored = 0
        self._lock = threading.Lock()

    def create_chat_completion(self, messages: list[dict[str, str]], stream: bool, temperature: float,
                               max_tokens: int) -> Iterator[dict[str, Any]]:
        assert stream
        with self._lock:
            self.overlaps += self.running > 0
            self.running += 1
            self.served.append(messages[-1]["content"])
        try:
            if self.gate is not None:
                assert self.gate.acquire(timeout=30), "the test never let the model answer"
            self.evaluated = [ord(ch) for m in messages for ch in m["role"] + m["content"]]
            for ch in messages[-1]["content"][:max_tokens]:
                yield {"choices": [{"delta": {"content": ch}}]}
        finally:
            with self._lock:
                self.running -= 1

    # The state API LocalLlama uses (llama_cpp.Llama's public one).
    def n_ctx(self) -> int:
        return self._n_ctx

    def n_vocab(self) -> int:
        return 8

    def reset(self) -> None:
        self.evaluated = []

    def save_state(self) -> Any:
        ids = np.array(self.evaluated, dtype=np.intc)
        state = bytes(np.array(self.evaluated, dtype="<i4").tobytes()[::-1])  # opaque bytes, as llama.cpp's
        return _State(ids, len(ids), state)

    def load_state(self, state: Any) -> None:
        restored = list(np.frombuffer(state.llama_state[::-1], dtype="<i4"))
        if restored != list(state.input_ids[: state.n_tokens]):
            raise RuntimeError("Failed to set llama state data")
        self.evaluated = restored
        self.restored += 1


class _State:
    def __init__(self, input_ids: np.ndarray, n_tokens: int, llama_state: bytes) -> None:
        self.input_ids, self.n_tokens, self.llama_state = input_ids, n_tokens, llama_state
