"""The Chroma vector store: embedded and persistent by default, or a Chroma server over HTTP.

Chroma never embeds anything itself: every collection gets our embedding function, which refuses to
embed without our embedder (Chroma's default would try to download a model), and we always pass vectors.

Writes survive being killed at any point. A small catalog collection beside the data names the active
collection and holds a completion marker per document, written only after all of the document's records
are: a document without one is indexed again by the next build, whatever its records say. A rebuild fills
a new collection and points the catalog at it only when it is complete, so until then readers keep the
previous index. Every failure of Chroma itself becomes a StoreError whose message names the fix.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.chroma_client import (  # noqa: F401 - the store's errors, fixes and client are its public names too
    FIX_BUILD, FIX_REBUILD, ChromaEmbeddingFunction, IndexDamaged, StoreError, build_lock, chroma_errors,
    database_damage, index_location, make_client, remove_damaged_store, remove_orphan_segment_folders)
from index.chunking import CHUNKER_VERSION, Chunk, chunk_document, sentence_units
from index.documents import Document
from index.metadata import DocumentMeta, IndexedDocument
from zzbot.settings import Settings

if TYPE_CHECKING:  # loaded by whoever has an embedder: reading the index needs none (nor langchain's import)
    from index.embeddings import Embedder

log = logging.getLogger(__name__)

WRITE_BATCH = 1000  # Chroma caps the number of records in one write
# Units of several documents embedded together, sorted by length (Embedder.embed_many): a report's 218 units
# alone embed at ~30 units/s in batches as they come and ~50 sorted; a larger group pads a little less, but its
# documents are written only when all of it is embedded (what an interrupted build has to embed again).
EMBED_GROUP_UNITS = 2000
_NOT_SENTENCE = {"kind": {"$ne": "sentence"}}


class Catalog:
    """The catalog collection beside the data: which data collection is active (the configured name until a
    rebuild), the collections rebuilds created, and one completion marker (manifest) per indexed document.
    Its records carry a placeholder vector: Chroma requires one, nothing searches them."""

    ACTIVE = "active"

    def __init__(self, client: Any, base: str) -> None:
        self.base = base
        self.records = client.get_or_create_collection(
            name=f"{base}.catalog", embedding_function=ChromaEmbeddingFunction(), metadata={"zzbot": "catalog"})

    def _put(self, record_id: str, metadata: dict[str, Any]) -> None:
        self.records.upsert(ids=[record_id], embeddings=[[1.0]], metadatas=[metadata])

    def _where(self, **match: str) -> dict[str, Any]:
        clauses = [{key: value} for key, value in match.items()]
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def active(self) -> str:
        found = self.records.get(ids=[self.ACTIVE], include=["metadatas"])
        return str(found["metadatas"][0]["collection"]) if found["ids"] else self.base

    def set_active(self, collection: str) -> None:
        self._put(self.ACTIVE, {"kind": "active", "collection": collection})

    def add_generation(self, collection: str) -> None:
        self._put(f"generation:{collection}", {"kind": "generation", "collection": collection})

    def generations(self) -> list[str]:
        found = self.records.get(where=self._where(kind="generation"), include=["metadatas"])
        return sorted(str(m["collection"]) for m in found["metadatas"] or [])

    def manifests(self, collection: str) -> dict[str, dict[str, Any]]:
        """source → completion marker of each document of ``collection`` that has one."""
        found = self.records.get(where=self._where(kind="manifest", collection=collection), include=["metadatas"])
        return {str(m["source"]): dict(m) for m in found["metadatas"] or []}

    def put_manifest(self, collection: str, source: str, manifest: dict[str, Any]) -> None:
        self._put(f"manifest:{collection}:{source}",
                  {**manifest, "kind": "manifest", "collection": collection, "source": source})

    def remove_manifest(self, collection: str, source: str) -> None:
        self.records.delete(ids=[f"manifest:{collection}:{source}"])

    def forget(self, collection: str) -> None:
        self.records.delete(where=self._where(kind="manifest", collection=collection))
        self.records.delete(ids=[f"generation:{collection}"])


_Pending = tuple[Document, list[Chunk], dict[str, Any]]  # a document to embed, its units and completion marker


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0  # passages and their sentence units
    chunks_total: int = 0  # passages in the index


def document_units(document: Document, settings: Settings) -> list[Chunk]:
    """What is stored for a document: its passages and captions, then their sentence units (each after its
    passage, so a partly written document never has a unit without its passage)."""
    chunks = chunk_document(document, settings.chunking.max_chars, settings.chunking.caption_max_chars)
    return chunks + sentence_units(chunks)


class ChunkStore:
    """One data collection: the active one, or ``collection`` by name (a rebuild's new one). Opening reads a
    record and its vector back, so a damaged index fails here with IndexDamaged, not in mid-search.
    ``embedder`` may be None to only read (verify); then the configured embedder is the expected one."""

    def __init__(self, settings: Settings, embedder: Embedder | None, client: Any | None = None,
                 collection: str | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self._function = ChromaEmbeddingFunction(embedder)
        self.client = client if client is not None else make_client(settings)
        with self._chroma():
            self.catalog = Catalog(self.client, settings.chroma.collection)
            self.collection = self._open_collection(collection or self.catalog.active())
            self._probe()

    @property
    def embedder_name(self) -> str:
        return self.embedder.name if self.embedder else self.settings.embedding.model

    @property
    def embedder_dtype(self) -> str:
        from index.embeddings import resolve_dtype

        return self.embedder.dtype if self.embedder else resolve_dtype(self.settings.embedding.dtype)

    def _chroma(self) -> AbstractContextManager[None]:
        return chroma_errors(self.settings)

    def _open_collection(self, name: str) -> Any:
        collection = self.client.get_or_create_collection(
            name=name,
            embedding_function=self._function,
            metadata={"hnsw:space": "cosine", "embedder": self.embedder_name},
        )
        indexed_with = (collection.metadata or {}).get("embedder")
        if indexed_with and indexed_with != self.embedder_name:
            raise StoreError(
                f"the index '{self.settings.chroma.collection}' was built with the embedder {indexed_with!r}, "
                f"not {self.embedder_name!r}; fix: `{FIX_REBUILD}` (or choose another collection)"
            )
        return collection

    def _probe(self) -> None:
        sample = self.collection.get(limit=1, include=["embeddings"])
        if len(sample["ids"]):
            self.collection.query(query_embeddings=[sample["embeddings"][0]], n_results=1, include=["distances"])

    def manifest(self, document: Document) -> dict[str, Any]:
        """What a document's completion marker records; ``index_key`` changes when any part of it does."""
        c = self.settings.chunking
        parts: dict[str, Any] = {"sha256": document.sha256, "chunker_version": CHUNKER_VERSION,
                                 "max_chars": c.max_chars, "caption_max_chars": c.caption_max_chars,
                                 "embedder": self.embedder_name, "dtype": self.embedder_dtype,
                                 "meta": document.meta.fingerprint()}  # a changed sidecar re-writes the records
        key = hashlib.sha256("|".join(str(v) for v in parts.values()).encode()).hexdigest()
        return {**parts, **document.meta.stored(), "index_key": key}

    def manifests(self) -> dict[str, dict[str, Any]]:
        """source → completion marker of each document whose records were all written."""
        with self._chroma():
            return self.catalog.manifests(self.collection.name)

    def indexed_documents(self) -> list[IndexedDocument]:
        """The completely indexed documents with their place, years and kind, as their markers record them."""
        return sorted((IndexedDocument(source, DocumentMeta.from_stored(m), outdated="meta" not in m)
                       for source, m in self.manifests().items()), key=lambda d: d.source)

    def _stored_counts(self) -> Counter[str]:
        """source → number of its records."""
        stored = self.collection.get(include=["metadatas"])
        return Counter(str(m["source"]) for m in stored["metadatas"] or [])

    def sync(
        self,
        documents: Sequence[Document],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> SyncReport:
        """Make the index hold exactly ``documents``: embed new, changed or incompletely written ones, drop
        removed ones. Raises BuildRunning while another process builds this index."""
        with build_lock(self.settings, self.client):
            return self._sync(documents, progress)

    def _sync(self, documents: Sequence[Document], progress: Callable[[str, int, int], None] | None) -> SyncReport:
        report = SyncReport()
        with self._chroma():
            counts = self._stored_counts()
            manifests = self.catalog.manifests(self.collection.name)
        stored = set(counts) | set(manifests)
        # A marker counts its document's records: records lost since it was written make the document incomplete.
        complete = {source: m for source, m in manifests.items() if counts[source] == m.get("units")}
        pending: list[_Pending] = []
        for doc in documents:
            manifest = self.manifest(doc)
            if complete.get(doc.source, {}).get("index_key") == manifest["index_key"]:
                report.unchanged.append(doc.source)
                continue
            pending.append((doc, document_units(doc, self.settings), manifest))
            (report.updated if doc.source in stored else report.added).append(doc.source)

        total = sum(len(units) for _, units, _ in pending)
        done = 0
        for first, group in _groups(pending, EMBED_GROUP_UNITS):
            label = _group_label([doc.source for doc, _, _ in group], first, len(pending))
            units = [u for _, doc_units, _ in group for u in doc_units]
            vectors = self._embed(units, lambda n, label=label, base=done: progress and progress(label, base + n, total))
            offset = 0
            for doc, doc_units, manifest in group:
                self._write(doc.source, doc_units, vectors[offset : offset + len(doc_units)], manifest)
                offset += len(doc_units)
            done += len(units)
            report.chunks_embedded += len(units)
        for source in sorted(stored - {doc.source for doc in documents}):
            self._remove(source)
            report.removed.append(source)
        report.chunks_total = self.count_passages()
        log.info("index sync: %s", report)
        return report

    def _require_embedder(self) -> Embedder:
        if self.embedder is None:
            raise StoreError("this index was opened to be read only (no embedder)")
        return self.embedder

    def _embed(self, units: Sequence[Chunk], on_batch: Callable[[int], object]) -> np.ndarray:
        embedder = self._require_embedder()
        return embedder.embed_many([embedder.unit_input(u.section, u.text) for u in units], on_batch)

    def _write(self, source: str, units: Sequence[Chunk], vectors: np.ndarray, manifest: dict[str, Any]) -> None:
        """New records first, then the stale ones removed, and only then the completion marker: until it is
        back the document counts as incomplete (search meanwhile sees old and new records)."""
        ids = [u.chunk_id for u in units]
        with self._chroma():
            self.catalog.remove_manifest(self.collection.name, source)
            for i in range(0, len(units), WRITE_BATCH):
                self.collection.upsert(
                    ids=ids[i : i + WRITE_BATCH],
                    embeddings=vectors[i : i + WRITE_BATCH],
                    documents=[u.text for u in units[i : i + WRITE_BATCH]],
                    metadatas=[_record_metadata(u, manifest["index_key"]) for u in units[i : i + WRITE_BATCH]],
                )
            stale = set(self.collection.get(where={"source": source}, include=[])["ids"]) - set(ids)
            if stale:
                self.collection.delete(ids=sorted(stale))
            self.catalog.put_manifest(self.collection.name, source, {**manifest, "units": len(units)})

    def _remove(self, source: str) -> None:
        with self._chroma():
            self.catalog.remove_manifest(self.collection.name, source)
            self.collection.delete(where={"source": source})

    def count(self) -> int:
        """Records in the index: passages, captions and sentence units."""
        with self._chroma():
            return int(self.collection.count())

    def count_passages(self) -> int:
        with self._chroma():
            return len(self.collection.get(where=_NOT_SENTENCE, include=[])["ids"])

    def all_chunks(self) -> list[Chunk]:
        """The passages and captions (not the sentence units), in document order."""
        return self._chunks(_NOT_SENTENCE)

    def all_units(self) -> list[Chunk]:
        """Every record: passages, captions and sentence units, in document order."""
        return self._chunks(None)

    def _chunks(self, where: dict[str, Any] | None) -> list[Chunk]:
        with self._chroma():
            stored = self.collection.get(where=where, include=["documents", "metadatas"])
            chunks = [
                _chunk_from_record(chunk_id, text, meta)
                for chunk_id, text, meta in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True)
            ]
        return sorted(chunks, key=lambda c: (c.source, c.start, c.kind == "sentence", c.end))

    def unit_vectors(self) -> dict[str, np.ndarray]:
        """Stored vectors of the sentence units by their embedder input, so answering can rank sentences
        without embedding them again."""
        embedder = self._require_embedder()
        with self._chroma():
            stored = self.collection.get(where={"kind": "sentence"}, include=["documents", "metadatas", "embeddings"])
        return {
            embedder.unit_input(str(meta.get("section", "")), text): np.asarray(vector, np.float32)
            for text, meta, vector in zip(stored["documents"], stored["metadatas"], stored["embeddings"], strict=True)
        }

    def vectors(self, batch: int = 5000) -> Iterator[tuple[list[str], np.ndarray]]:
        """(ids, vectors) of every record, a batch at a time."""
        offset = 0
        while True:
            with self._chroma():
                stored = self.collection.get(limit=batch, offset=offset, include=["embeddings"])
            if not len(stored["ids"]):
                return
            yield list(stored["ids"]), np.asarray(stored["embeddings"], np.float32)
            offset += len(stored["ids"])

    def dense_search(self, query_vector: np.ndarray, n: int,
                     where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest passages; a passage scores as its best unit
        (itself or one of its sentences). ``where``: a Chroma filter on the records' metadata, such as
        ``index.metadata.scope_filter(place="开封", year=2023)``, to search some documents only."""
        with self._chroma():
            units = min(4 * n, self.collection.count())
            if units == 0:
                return []
            result = self.collection.query(query_embeddings=[query_vector], n_results=units, where=where,
                                           include=["distances", "metadatas"])
        best: dict[str, float] = {}
        for unit_id, distance, meta in zip(result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True):
            chunk_id = meta.get("parent") or unit_id
            best[chunk_id] = max(best.get(chunk_id, -1.0), 1.0 - distance)
        return sorted(best.items(), key=lambda item: -item[1])[:n]

    def _leftover_candidates(self) -> list[str]:
        """Collections this index created that are not the active one: earlier or interrupted rebuilds', and
        the first index once a rebuild replaced it."""
        active = self.catalog.active()
        candidates = set(self.catalog.generations()) | {self.catalog.base}
        return sorted(candidates - {active})

    def leftover_collections(self) -> list[str]:
        """The leftover collections that exist."""
        from chromadb.errors import NotFoundError

        existing = []
        with self._chroma():
            for name in self._leftover_candidates():
                try:
                    self.client.get_collection(name, embedding_function=ChromaEmbeddingFunction())
                except NotFoundError:
                    continue
                except ValueError:  # it exists, configured with another embedding function
                    pass
                existing.append(name)
        return existing

    def remove_leftovers(self) -> list[str]:
        """Delete the leftover collections (never one this index did not create). Returns those deleted."""
        from chromadb.errors import NotFoundError

        removed = []
        with self._chroma():
            for name in self._leftover_candidates():
                try:
                    self.client.delete_collection(name)
                    removed.append(name)
                except NotFoundError:
                    pass
                self.catalog.forget(name)
        client_settings = self.client.get_settings()
        if removed and client_settings.is_persistent:
            remove_orphan_segment_folders(Path(client_settings.persist_directory))
        return removed

    def activate(self) -> None:
        """Make this store's collection the one readers open (one catalog write), then delete the previous."""
        with self._chroma():
            previous = self.catalog.active()
            self.catalog.set_active(self.collection.name)
        if previous != self.collection.name:
            try:
                self.remove_leftovers()
            except StoreError as err:  # the new index is in use; the next build retries the removal
                log.warning("could not remove the previous index collection %s: %s", previous, err)


def indexed_passages(settings: Settings) -> list[Chunk]:
    """The passages and captions of the index, read without the embedder (the figure table needs no vectors).
    StoreError when the index cannot be read or holds nothing."""
    store = ChunkStore(settings, embedder=None)
    try:
        chunks = store.all_chunks()
    finally:
        store.client.close()
    if not chunks:
        raise StoreError(f"the index at {index_location(settings)} is empty: no document has been indexed yet "
                         f"(fix: `{FIX_BUILD}`)")
    return chunks


def rebuild_index(settings: Settings, embedder: Embedder, documents: Sequence[Document],
                  progress: Callable[[str, int, int], None] | None = None, client: Any | None = None) -> SyncReport:
    """Embed ``documents`` into a new collection beside the active one and switch readers to it only when
    it is complete: a rebuild that is interrupted leaves the previous index in use. An embedded store too
    damaged to open is removed first (only its own files). Raises BuildRunning while another process builds."""
    with build_lock(settings, client):
        return _rebuild(settings, embedder, documents, progress, client)


def _rebuild(settings: Settings, embedder: Embedder, documents: Sequence[Document],
             progress: Callable[[str, int, int], None] | None, client: Any | None) -> SyncReport:
    client, catalog = _open_catalog_for_rebuild(settings, client)
    name = f"{settings.chroma.collection}.{uuid.uuid4().hex[:12]}"
    with chroma_errors(settings):
        catalog.add_generation(name)  # recorded first, so an interrupted rebuild's collection is found and removed
    store = ChunkStore(settings, embedder, client, collection=name)
    report = store.sync(documents, progress)
    store.activate()
    return report


def _open_catalog(settings: Settings, client: Any) -> Catalog:
    with chroma_errors(settings):
        return Catalog(client, settings.chroma.collection)


def _open_catalog_for_rebuild(settings: Settings, client: Any | None) -> tuple[Any, Catalog]:
    """The client and catalog a rebuild writes through. Only the embedded store's own files may be removed,
    and only when SQLite or Chroma finds the store damaged; a server's store is never touched."""
    if client is not None or settings.chroma.host:
        client = client if client is not None else make_client(settings)
        return client, _open_catalog(settings, client)
    path = settings.chroma_path
    damage = database_damage(path)
    if damage is None:
        opened = None
        try:
            opened = make_client(settings)
            return opened, _open_catalog(settings, opened)
        except IndexDamaged as err:
            damage = str(err)
            if opened is not None:
                opened.close()
    log.warning("the index at %s is damaged (%s); removing its files to rebuild it", path, damage)
    remove_damaged_store(path)
    opened = make_client(settings)
    return opened, _open_catalog(settings, opened)


def _groups(pending: Sequence[_Pending], group_units: int) -> Iterator[tuple[int, list[_Pending]]]:
    """Consecutive documents with about ``group_units`` units together (a larger document alone), each group
    with the position of its first document (from 1)."""
    group: list[_Pending] = []
    first = 1
    for position, item in enumerate(pending, start=1):
        if group and sum(len(units) for _, units, _ in group) + len(item[1]) > group_units:
            yield first, group
            group, first = [], position
        group.append(item)
    if group:
        yield first, group


def _group_label(sources: Sequence[str], first: int, documents: int) -> str:
    """What the progress bar says is being embedded: the report(s) and where they are among all those to embed
    ("of", never "/": the bar's own "done/total" is read by the rebuild test)."""
    if len(sources) == 1:
        return f"{sources[0]} (report {first} of {documents})"
    return f"{sources[0]} … {sources[-1]} (reports {first}–{first + len(sources) - 1} of {documents})"


def _record_metadata(unit: Chunk, index_key: str) -> dict[str, Any]:
    return {"source": unit.source, "section": unit.section, "start": unit.start, "end": unit.end,
            "kind": unit.kind, "title": unit.title, "parent": unit.parent, "index_key": index_key,
            **unit.meta.stored(clearing=True)}


def _chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        source=str(meta["source"]),
        section=str(meta.get("section", "")),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        kind=str(meta.get("kind", "passage")),
        title=str(meta.get("title", "")),
        parent=str(meta.get("parent", "")),
        meta=DocumentMeta.from_stored(meta),
    )
