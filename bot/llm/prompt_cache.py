"""llama.cpp's evaluated prompt prefix on disk, so that a new process need not evaluate a prompt's fixed part
(system text and examples, ~430 tokens: ~6 s on 2 cores) before every first question.

One file per prompt: the token ids evaluated and llama.cpp's context state after them. A file is used only for
the key it was written for (model file, context size, llama.cpp version, the exact messages); a file that is
cut short, garbled or written for another key is ignored and replaced. Files are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAGIC = b"zzbot llama.cpp prompt state 1\n"
_LABEL = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class SavedPrefix:
    """A context's state after evaluating ``input_ids``."""

    input_ids: np.ndarray  # int32, one per evaluated token
    state: bytes  # llama.cpp's context state (its KV cache)


def prefix_key(model_path: Path, n_ctx: int, messages: list[dict[str, str]]) -> str:
    """Changes when anything the evaluated state depends on changes."""
    stat = model_path.stat()
    try:
        runtime = metadata.version("llama_cpp_python")
    except metadata.PackageNotFoundError:
        runtime = "unknown"
    basis = {"model": str(model_path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
             "n_ctx": n_ctx, "llama_cpp": runtime, "messages": messages}
    return hashlib.sha256(json.dumps(basis, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class PromptCache:
    """The folder of saved prompt states (git-ignored runtime state under settings.var_dir)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, label: str, key: str) -> Path:
        if not _LABEL.match(label):
            raise ValueError(f"a prompt state label is letters, digits, '.', '_' or '-', not {label!r}")
        return self.folder / f"{label}-{key[:24]}.state"

    def load(self, label: str, key: str) -> SavedPrefix | None:
        """The saved state of ``label`` for exactly ``key``; None when there is none or it cannot be used."""
        path = self.path(label, key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            log.warning("cannot read the prompt state %s (%s); evaluating the prompt instead", path, err)
            return None
        saved = _parse(data, key)
        if saved is None:
            log.warning("the prompt state %s is damaged or stale; evaluating the prompt again", path)
        return saved

    def save(self, label: str, key: str, saved: SavedPrefix) -> Path | None:
        """Write atomically (a reader sees the old file or the new one, never half of one) and drop the
        label's files for other keys. A failure to write is logged, not raised: the cache only saves time."""
        path = self.path(label, key)
        ids = np.ascontiguousarray(saved.input_ids, dtype="<i4").tobytes()
        header = {"key": key, "n_tokens": len(saved.input_ids), "state_size": len(saved.state),
                  "crc32": zlib.crc32(saved.state, zlib.crc32(ids))}
        written: Path | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.folder, prefix=f".{label}-", suffix=".tmp")
            written = Path(name)
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + json.dumps(header).encode() + b"\n" + ids + saved.state)
            os.replace(written, path)
        except OSError as err:
            log.warning("cannot save the prompt state %s (%s)", path, err)
            if written is not None:
                written.unlink(missing_ok=True)
            return None
        for old in self.folder.glob(f"{label}-*.state"):
            if old != path:
                old.unlink(missing_ok=True)
        return path


def _parse(data: bytes, key: str) -> SavedPrefix | None:
    if not data.startswith(MAGIC):
        return None
    line_end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC):line_end])
        n_tokens, state_size, crc = int(header["n_tokens"]), int(header["state_size"]), int(header["crc32"])
        stored_key = header["key"]
    except (ValueError, KeyError, TypeError):
        return None
    body = data[line_end + 1:]
    if line_end < 0 or stored_key != key or n_tokens <= 0 or len(body) != 4 * n_tokens + state_size:
        return None
    ids, state = body[:4 * n_tokens], body[4 * n_tokens:]
    if zlib.crc32(state, zlib.crc32(ids)) != crc:
        return None
    return SavedPrefix(np.frombuffer(ids, dtype="<i4").astype(np.intc), state)
