"""EmbeddingGemma's forward pass in NumPy over the memory-mapped weights: the bot's query embedder.

Loading the model through sentence-transformers costs ~11 s of CPU in every new process (torch, transformers
and scikit-learn imports, the model load); this runs the same model from the same files after ~2 s (most of
it the tokenizer) and gives the same vectors as sentence-transformers in float32 (cosine > 0.99999). Batch
throughput is lower than torch's bfloat16 (~1.8× the CPU per long text), so index builds keep
sentence-transformers. Only EmbeddingGemma's layout is supported (Gemma 3 bidirectional encoder, mean pooling,
two dense layers, normalisation): ``supports()`` tells.
"""

from __future__ import annotations

import json
import logging
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Dense", "sentence_transformers.models.Dense",
            "sentence_transformers.models.Normalize"]
_LAYER_WEIGHTS = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                  "post_feedforward_layernorm", "self_attn.q_norm", "self_attn.k_norm", "self_attn.q_proj",
                  "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj",
                  "mlp.down_proj")


def supports(folder: Path) -> bool:
    """Whether ``folder`` holds a sentence-transformers model this module can run."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        dense = [json.loads((folder / m["path"] / "config.json").read_text(encoding="utf-8")) for m in modules[2:4]]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    return (config.get("model_type") == "gemma3_text" and config.get("use_bidirectional_attention") is True
            and isinstance(config.get("sliding_window"), int)
            and [m.get("type") for m in modules] == _MODULES and pooling.get("pooling_mode_mean_tokens") is True
            and not any(v for k, v in pooling.items() if k.startswith("pooling_mode") and k != "pooling_mode_mean_tokens")
            and all(d.get("bias") is False and d.get("activation_function", "").endswith("Identity") for d in dense)
            and (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file())


def memory_map(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a .safetensors file, as read-only views of the file (nothing is read until used)."""
    with path.open("rb") as f:
        (header_size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_size))
    raw = np.asarray(np.memmap(path, dtype=np.uint8, mode="r"))  # a plain array view: no memmap subclass results
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path.name}: tensor {name} is {info['dtype']}, not F32")
        begin, end = (8 + header_size + offset for offset in info["data_offsets"])
        tensors[name] = raw[begin:end].view(np.float32).reshape(info["shape"])
    return tensors


class GemmaEncoder:
    """The parts of a SentenceTransformer that ``index.embeddings.Embedder`` uses (``prompts``, ``encode``,
    ``get_sentence_embedding_dimension``), so an Embedder runs on it unchanged. The tokenizer and the weights
    are loaded on first use, or by ``load()`` (in a background thread, say)."""

    def __init__(self, folder: Path, max_seq_length: int) -> None:
        self.folder = folder
        self.config: dict[str, Any] = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        st_config = folder / "config_sentence_transformers.json"
        self.prompts: dict[str, str] = (json.loads(st_config.read_text(encoding="utf-8")).get("prompts", {})
                                        if st_config.is_file() else {})
        self.max_seq_length = min(max_seq_length, int(self.config.get("max_position_embeddings", max_seq_length)))
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._weights: dict[str, np.ndarray] = {}
        self._dense: list[np.ndarray] = []

    def get_sentence_embedding_dimension(self) -> int:
        modules = json.loads((self.folder / "modules.json").read_text(encoding="utf-8"))
        return int(json.loads((self.folder / modules[3]["path"] / "config.json").read_text())["out_features"])

    def load(self) -> None:
        with self._lock:
            if self._tokenizer is not None:
                return
            from tokenizers import Tokenizer

            began = time.perf_counter()
            weights = memory_map(self.folder / "model.safetensors")
            modules = json.loads((self.folder / "modules.json").read_text(encoding="utf-8"))
            self._dense = [memory_map(self.folder / m["path"] / "model.safetensors")["linear.weight"].T
                           for m in modules[2:4]]
            self._weights = weights
            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            tokenizer.enable_truncation(self.max_seq_length)  # as sentence-transformers: special tokens kept
            tokenizer.no_padding()
            self._tokenizer = tokenizer
            log.info("loaded the NumPy embedder from %s in %.1f s", self.folder, time.perf_counter() - began)

    def encode(self, sentences: Sequence[str], batch_size: int = 8, normalize_embeddings: bool = False,
               convert_to_numpy: bool = True, show_progress_bar: bool = False) -> np.ndarray:
        """One vector per text (``batch_size`` and ``convert_to_numpy`` are accepted for the interface: texts
        run one at a time, so no padding can change a vector)."""
        from threadpoolctl import threadpool_limits

        self.load()
        vectors = np.zeros((len(sentences), self._dense[-1].shape[1]), np.float32)
        # One BLAS thread: more gain nothing on these small matrices and spin-wait against llama.cpp's threads.
        with threadpool_limits(1, user_api="blas"):
            for i, encoding in enumerate(self._tokenizer.encode_batch(list(sentences))):
                vectors[i] = self._embed(np.asarray(encoding.ids))
        if normalize_embeddings:
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        """Gemma 3's encoder with bidirectional attention, then mean pooling and the two dense layers."""
        c, w = self.config, self._weights
        # As transformers does for bidirectional attention: the sliding layers see up to half the window on
        # each side (sliding_window // 2 + 1, exclusive); the full layers see every token.
        distance = np.abs(np.arange(len(ids))[:, None] - np.arange(len(ids))[None, :])
        window = np.where(distance < c["sliding_window"] // 2 + 1, 0.0, -np.inf).astype(np.float32)
        masks = {"sliding_attention": window, "full_attention": None}
        hidden = w["embed_tokens.weight"][ids] * np.float32(c["hidden_size"] ** 0.5)
        rope = {kind: _rope(len(ids), c["head_dim"], base) for kind, base in
                (("sliding_attention", c["rope_local_base_freq"]), ("full_attention", c["rope_theta"]))}
        for i, kind in enumerate(c["layer_types"]):
            layer = {name: w[f"layers.{i}.{name}.weight"] for name in _LAYER_WEIGHTS}
            attended = self._attention(_rms(hidden, layer["input_layernorm"]), layer, rope[kind], masks[kind])
            hidden = hidden + _rms(attended, layer["post_attention_layernorm"])
            hidden = hidden + _rms(_mlp(_rms(hidden, layer["pre_feedforward_layernorm"]), layer),
                                   layer["post_feedforward_layernorm"])
        pooled = _rms(hidden, w["norm.weight"]).mean(axis=0)
        for dense in self._dense:
            pooled = pooled @ dense
        return pooled

    def _attention(self, x: np.ndarray, layer: dict[str, np.ndarray], rope: tuple[np.ndarray, np.ndarray],
                   mask: np.ndarray | None) -> np.ndarray:
        c = self.config
        n, heads, head_dim = len(x), c["num_attention_heads"], c["head_dim"]
        q = (x @ layer["self_attn.q_proj"].T).reshape(n, heads, head_dim).transpose(1, 0, 2)
        k = (x @ layer["self_attn.k_proj"].T).reshape(n, -1, head_dim).transpose(1, 0, 2)
        v = (x @ layer["self_attn.v_proj"].T).reshape(n, -1, head_dim).transpose(1, 0, 2)
        q = _rotate(_rms(q, layer["self_attn.q_norm"], c["rms_norm_eps"]), rope)
        k = _rotate(_rms(k, layer["self_attn.k_norm"], c["rms_norm_eps"]), rope)
        scores = (q @ k.transpose(0, 2, 1)) * np.float32(c["query_pre_attn_scalar"] ** -0.5)
        if mask is not None:
            scores += mask
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        return (scores @ v).transpose(1, 0, 2).reshape(n, heads * head_dim) @ layer["self_attn.o_proj"].T


def _rms(x: np.ndarray, weight: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gemma's RMSNorm: the weight is stored as an offset from 1."""
    return x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + np.float32(eps)) * (1.0 + weight)


def _mlp(x: np.ndarray, layer: dict[str, np.ndarray]) -> np.ndarray:
    gate = x @ layer["mlp.gate_proj"].T
    gate = 0.5 * gate * (1.0 + np.tanh(np.float32(np.sqrt(2.0 / np.pi)) * (gate + np.float32(0.044715) * gate**3)))
    return (gate * (x @ layer["mlp.up_proj"].T)) @ layer["mlp.down_proj"].T


def _rope(n: int, head_dim: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    inverse = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    angles = np.arange(n, dtype=np.float32)[:, None] * inverse[None, :]
    angles = np.concatenate([angles, angles], axis=-1)
    return np.cos(angles), np.sin(angles)


def _rotate(x: np.ndarray, rope: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    cos, sin = rope
    half = x.shape[-1] // 2
    return x * cos + np.concatenate([-x[..., half:], x[..., :half]], axis=-1) * sin
