"""Chroma itself: the client (embedded or a server), our embedding function that never lets Chroma embed, the
build lock, and every failure of Chroma turned into a StoreError whose message names the fix; an embedded
store's damaged files are found and removed here too."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.utils.embedding_functions import register_embedding_function

from index.build_lock import LOCK_FILE, build_lock_path, held
from zzbot.commands import Unavailable
from zzbot.settings import Settings

if TYPE_CHECKING:
    from index.embeddings import Embedder

log = logging.getLogger(__name__)

FIX_BUILD = "python -m index build"
FIX_REBUILD = "python -m index build --rebuild"
# What the embedded store keeps in its folder: the database (with SQLite's side files) and one folder of
# vector index files per collection segment, named by the segment's UUID.
_STORE_FILES = ("chroma.sqlite3", "chroma.sqlite3-wal", "chroma.sqlite3-shm", "chroma.sqlite3-journal")


class StoreError(Unavailable):
    """The index cannot be used as asked; the message says what to do."""


class IndexDamaged(StoreError):
    """The stored index cannot be read: only rebuilding it from the documents helps."""


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder behind Chroma's embedding-function interface, so Chroma never falls back to its default.
    Rebuilt by Chroma from a stored collection config it has no model, and refuses to embed."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

    def _model(self) -> Embedder:
        if self._embedder is None:
            raise StoreError("vectors for this collection are computed by the application, not by Chroma")
        return self._embedder

    def default_space(self) -> str:
        return "cosine"

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's parameter name
        return list(self._model().embed_texts(input))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return list(self._model().embed_queries(input))

    @staticmethod
    def name() -> str:
        return "zzbot-sentence-transformer"

    def is_legacy(self) -> bool:
        return False

    def get_config(self) -> dict[str, Any]:
        return {"model": self._embedder.name if self._embedder else None}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction()


def index_location(settings: Settings) -> str:
    if settings.chroma.host:
        server = f"{settings.chroma.host}:{settings.chroma.port}"
        return f"collection '{settings.chroma.collection}' on the Chroma server {server}"
    return str(settings.chroma_path)


def build_lock(settings: Settings, client: Any | None = None) -> AbstractContextManager[None]:
    """Held while this process writes the index: a second build meanwhile raises BuildRunning. A client given
    decides where it is: in its folder, or nowhere for an in-memory one (no other process can reach it)."""
    if client is None or settings.chroma.host:
        return held(build_lock_path(settings), index_location(settings))
    client_settings = client.get_settings()
    if client_settings.is_persistent:
        return held(Path(client_settings.persist_directory) / LOCK_FILE, client_settings.persist_directory)
    return nullcontext()


def _short_cause(err: Exception) -> str:
    """The innermost part of Chroma's error chain ("Error executing plan: …: Error loading hnsw index");
    anything else by its type and first line."""
    lines = str(err).strip().splitlines()
    text = re.sub(r"\(code: \d+\)\s*", "", lines[0]) if lines else ""
    if type(err).__module__.startswith("chromadb") and text:
        return text.rsplit(": ", 1)[-1][:160]
    return f"{type(err).__name__}: {text}"[:160] if text else type(err).__name__


def store_failure(settings: Settings, err: Exception) -> StoreError:
    """The StoreError for a failure of Chroma: an unreachable server, or else a damaged index."""
    import httpx

    if settings.chroma.host and isinstance(err, (httpx.TransportError, ConnectionError)):
        return StoreError(f"cannot reach the Chroma server at {settings.chroma.host}:{settings.chroma.port} "
                          f"({_short_cause(err)})")
    return IndexDamaged(f"the index at {index_location(settings)} is damaged ({_short_cause(err)}); "
                        f"fix: `{FIX_REBUILD}`")


@contextmanager
def chroma_errors(settings: Settings) -> Iterator[None]:
    """Turns whatever Chroma raises into a StoreError with a one-line message."""
    try:
        yield
    except StoreError:
        raise
    except Exception as err:  # Chroma raises its own errors, SQLite's, httpx's and the Rust bindings' alike
        log.debug("Chroma failed", exc_info=err)
        raise store_failure(settings, err) from None


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False)
    if settings.chroma.host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma.host, port=settings.chroma.port, ssl=settings.chroma.ssl, settings=client_settings
            )
        except Exception as err:  # chromadb raises plain ValueError/ConnectionError subclasses here
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma.host}:{settings.chroma.port} ({err})"
            ) from None
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create the index folder {path} ({err.strerror})") from None
    try:
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    except Exception as err:
        _forget_failed_system(str(path))
        raise store_failure(settings, err) from None


def _forget_failed_system(identifier: str) -> None:
    """Chroma caches one system per path even when starting it failed, and every later client of that path
    in this process would get the broken one; drop it unless a working client still uses it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    if not SharedSystemClient._identifier_to_refcount.get(identifier):  # noqa: SLF001 - no public way
        SharedSystemClient._identifier_to_system.pop(identifier, None)  # noqa: SLF001


def remove_damaged_store(path: Path) -> list[str]:
    """Delete the embedded store's own files in ``path`` (the database and the UUID-named segment folders
    holding only files), nothing else, and no symlinked folder. Returns the names removed."""
    if not (path / "chroma.sqlite3").is_file():
        return []
    removed = []
    try:
        for name in _STORE_FILES:
            target = path / name
            if target.is_file() or target.is_symlink():  # a symlink itself is removed, never what it points to
                target.unlink()
                removed.append(name)
        for entry in sorted(path.iterdir()):
            if _is_segment_folder(entry):
                shutil.rmtree(entry)
                removed.append(entry.name)
    except OSError as err:
        raise StoreError(f"cannot remove the damaged index files in {path} ({err.strerror}: {err.filename}); "
                         "remove that folder and build again") from None
    log.info("removed the damaged index files %s from %s", removed, path)
    return removed


def remove_orphan_segment_folders(path: Path) -> list[str]:
    """Delete segment folders no segment in the database names any more: Chroma 1.x deletes a collection's
    rows but leaves its vector files (chroma-core/chroma#5259), so every rebuild would leave a copy behind.
    Reads Chroma's own ``segments`` table; if that cannot be read, nothing is removed."""
    database = path / "chroma.sqlite3"
    if not database.is_file():
        return []
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as connection:
            live = {str(row[0]) for row in connection.execute("SELECT id FROM segments")}
    except sqlite3.Error as err:
        log.debug("segment folders left as they are: %s", err)
        return []
    removed = []
    for entry in sorted(path.iterdir()):
        if entry.name not in live and _is_segment_folder(entry):
            try:
                shutil.rmtree(entry)
            except OSError as err:  # only disk space is lost; the next rebuild tries again
                log.warning("could not remove the unused index folder %s: %s", entry, err.strerror)
                continue
            removed.append(entry.name)
    return removed


def _is_segment_folder(entry: Path) -> bool:
    try:
        named_by_uuid = str(uuid.UUID(entry.name)) == entry.name
    except ValueError:
        return False
    return (named_by_uuid and entry.is_dir() and not entry.is_symlink()
            and all(f.is_file() and not f.is_symlink() for f in entry.iterdir()))


def database_damage(path: Path) -> str | None:
    """SQLite's own check of the embedded store's database: what is wrong, or None when it is sound or not
    there. Only corruption counts; a database SQLite cannot open for another reason is not damaged."""
    database = path / "chroma.sqlite3"
    if not database.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return str(err)
        return None
    result = "; ".join(str(row[0]) for row in rows)
    return None if result == "ok" else result[:160]
