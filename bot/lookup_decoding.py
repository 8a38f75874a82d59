"""Greedy decoding with drafts looked up in the prompt (prompt-lookup decoding), on a llama-cpp-python model.

An answer mostly copies its passages ("新增绿地300万平方米[1]"). When the last tokens generated also stand in the
prompt, the tokens that follow them there are proposed as a draft and checked in one llama.cpp batch: on 2 CPU
cores a batch of 6 tokens costs little more than one token, as generating one token is bound by reading the
weights. The model's own next token is kept wherever the draft differs, so the text is the greedy decoding's
(up to the floating-point differences of batched kernels).

This drives llama-cpp-python 0.3's ``Llama`` below its public API (its context, batch, ``input_ids`` and
``n_tokens``), keeping them as ``Llama.eval`` does, so the library's own prompt-prefix reuse and
``save_state`` keep working on the same context.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

Messages = list[dict[str, str]]


def draft_tokens(history: Sequence[int], longest_match: int, limit: int) -> list[int]:
    """The tokens that followed the latest earlier occurrence of the history's last n tokens, n from
    ``longest_match`` down to 1 (at most ``limit``); none when the tail was never seen."""
    tokens = np.asarray(history, dtype=np.int64)
    size = len(tokens)
    for n in range(min(longest_match, size - 1), 0, -1):
        tail = tokens[size - n:]
        # Windows of n tokens that end before the tail itself, latest first.
        windows = np.lib.stride_tricks.sliding_window_view(tokens[:size - 1], n)
        hits = np.flatnonzero((windows == tail).all(axis=1))
        hits = hits[hits + n < size]
        if len(hits):
            start = int(hits[-1]) + n
            return tokens[start:start + limit].tolist()
    return []


class LookupDecoder:
    """Streams a chat answer by greedy decoding with prompt-lookup drafts, on ``llama`` (a loaded
    ``llama_cpp.Llama``). ``draft`` tokens at most are checked per step, found by matching up to ``match``
    tokens."""

    def __init__(self, llama: Any, draft: int = 6, match: int = 3) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._llama = llama
        self._draft = draft
        self._match = match
        self._vocab = llama_cpp.llama_model_get_vocab(llama._model.model)
        self._is_eog = llama_cpp.llama_vocab_is_eog
        eos, bos = llama.token_eos(), llama.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=llama.metadata["tokenizer.chat_template"],
            eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )

    def prompt_tokens(self, messages: Messages) -> list[int]:
        """The chat prompt's tokens, as llama-cpp-python's chat completion makes them."""
        formatted = self._formatter(messages=messages)
        return self._llama.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special,
                                    special=True)

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        """The answer's text, piece by piece."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        for token in self.tokens(self.prompt_tokens(messages), max_tokens):
            if text := decoder.decode(self._llama._model.token_to_piece(token, special=False)):
                yield text
        if tail := decoder.decode(b"", final=True):
            yield tail

    def tokens(self, prompt: list[int], max_tokens: int) -> Iterator[int]:
        """The generated tokens after ``prompt``, the end-of-generation token excluded."""
        if not prompt:
            raise ValueError("an empty prompt")
        if len(prompt) + max_tokens > self._llama.n_ctx():
            raise ValueError(f"the prompt ({len(prompt)} tokens) and the answer ({max_tokens}) do not fit a context "
                             f"of {self._llama.n_ctx()} tokens")
        kept = self._reuse_prefix(prompt)
        following = self._decode(prompt[kept:], every_position=False)[-1]
        history = list(prompt)
        while not self._is_eog(self._vocab, following):
            yield following
            history.append(following)
            if len(history) - len(prompt) >= max_tokens:
                return
            draft = draft_tokens(history, self._match, min(self._draft, max_tokens - (len(history) - len(prompt))))
            predicted = self._decode([following, *draft], every_position=True)
            accepted = 0
            while accepted < len(draft) and predicted[accepted] == draft[accepted]:
                accepted += 1
            self._truncate(self._llama.n_tokens - (len(draft) - accepted))  # the rejected drafts leave the context
            for token in draft[:accepted]:
                if self._is_eog(self._vocab, token):
                    return
                yield token
                history.append(token)
            following = predicted[accepted]
            if len(history) - len(prompt) >= max_tokens:
                return

    def _reuse_prefix(self, prompt: list[int]) -> int:
        """Keep the context's evaluated tokens the prompt starts with (all but its last, which must be evaluated
        for its logits); returns how many."""
        llama = self._llama
        held = np.asarray(llama.input_ids[:llama.n_tokens])
        limit = min(len(held), len(prompt) - 1)
        differs = np.flatnonzero(held[:limit] != np.asarray(prompt[:limit]))
        kept = int(differs[0]) if len(differs) else limit
        self._truncate(kept)
        return kept

    def _truncate(self, n_tokens: int) -> None:
        self._llama._ctx.kv_cache_seq_rm(-1, n_tokens, -1)
        self._llama.n_tokens = n_tokens

    def _decode(self, tokens: list[int], every_position: bool) -> list[int]:
        """Evaluate ``tokens`` after the context's; the greedy next token after each of them (``every_position``)
        or after the last only."""
        llama = self._llama
        for start in range(0, len(tokens), llama.n_batch):
            chunk = tokens[start:start + llama.n_batch]
            n_past = llama.n_tokens
            llama._batch.set_batch(batch=chunk, n_past=n_past, logits_all=every_position)
            llama._ctx.decode(llama._batch)
            llama.input_ids[n_past:n_past + len(chunk)] = chunk
            llama.n_tokens += len(chunk)
        rows = len(chunk) if every_position else 1
        logits = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(rows * llama.n_vocab(),))
        return np.argmax(logits.reshape(rows, llama.n_vocab()), axis=1).tolist()
