"""Checking an index against its documents (``python -m index verify``), without loading any model.

Each problem names its fix: ``index build`` re-indexes what is missing, changed or incompletely written
and drops what is no longer listed; damage inside a document the index calls complete needs a rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.chunking import Chunk
from index.documents import Document
from index.store import FIX_BUILD, FIX_REBUILD, ChunkStore, document_units

# Mismatching records reported one per line for each document; the rest are counted on one more line.
MAX_LINES_PER_KIND = 5
_RECORDED = {"sha256": "content", "chunker_version": "chunker version", "max_chars": "chunking.max_chars",
             "caption_max_chars": "chunking.caption_max_chars", "embedder": "embedder", "dtype": "embedder dtype"}


@dataclass(frozen=True)
class Problem:
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message}; fix: `{self.fix}`"


def verify_index(store: ChunkStore, documents: Sequence[Document]) -> list[Problem]:
    """Every problem of ``store`` measured against ``documents`` (the configured ones plus any extra)."""
    units = store.all_units()
    manifests = store.manifests()
    by_source: dict[str, list[Chunk]] = defaultdict(list)
    for unit in units:
        by_source[unit.source].append(unit)
    wanted = {doc.source for doc in documents}
    problems = [Problem(f"collection {name} was left by an interrupted or earlier rebuild", FIX_BUILD)
                for name in store.leftover_collections()]
    for source in sorted((set(by_source) | set(manifests)) - wanted):
        problems.append(Problem(f"{source}: {len(by_source.get(source, []))} records of a document that is not "
                                "in the document list (give it to the build to keep it)", FIX_BUILD))
    for doc in documents:
        problems += _document_problems(store, doc, by_source.get(doc.source, []), manifests.get(doc.source))
    problems += _orphan_units(units)
    problems += _vector_problems(store)
    return problems


def _document_problems(store: ChunkStore, doc: Document, units: list[Chunk],
                       manifest: dict[str, object] | None) -> list[Problem]:
    if manifest is None:
        if not units:
            return [Problem(f"{doc.source}: not in the index", FIX_BUILD)]
        return [Problem(f"{doc.source}: incompletely indexed ({len(units)} records but no completion marker; "
                        "an interrupted build?)", FIX_BUILD)]
    expected = store.manifest(doc)
    stale = [field for field in _RECORDED if manifest.get(field) != expected[field]]
    if stale:
        return [Problem(f"{doc.source}: indexed with another {_RECORDED[field]} "
                        f"({_shown(manifest.get(field))} → {_shown(expected[field])})", FIX_BUILD) for field in stale]
    problems = _missing_or_extra(doc, units, document_units(doc, store.settings))
    mismatched = [u for u in units if doc.text[u.start : u.end] != u.text]
    problems += [Problem(f"{doc.source}: record {u.chunk_id} [{u.start}:{u.end}] does not match the document's "
                         f"text there", FIX_REBUILD) for u in mismatched[:MAX_LINES_PER_KIND]]
    if len(mismatched) > MAX_LINES_PER_KIND:
        problems.append(Problem(f"{doc.source}: {len(mismatched) - MAX_LINES_PER_KIND} more records do not match "
                                "the document's text", FIX_REBUILD))
    return problems


def _shown(value: object) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 else text  # a content hash: its start is enough to tell


def _missing_or_extra(doc: Document, units: list[Chunk], expected: list[Chunk]) -> list[Problem]:
    stored_ids = {u.chunk_id for u in units}
    expected_ids = {u.chunk_id for u in expected}
    problems = []
    if missing := expected_ids - stored_ids:
        problems.append(Problem(f"{doc.source}: {len(missing)} of its {len(expected_ids)} records are missing",
                                FIX_BUILD))
    if extra := stored_ids - expected_ids:
        problems.append(Problem(f"{doc.source}: {len(extra)} records that its chunking does not produce",
                                FIX_BUILD))
    return problems


def _orphan_units(units: list[Chunk]) -> list[Problem]:
    ids = {u.chunk_id for u in units}
    orphans = [u for u in units if u.kind == "sentence" and u.parent not in ids]
    problems = [Problem(f"{u.source}: sentence unit {u.chunk_id} belongs to the passage {u.parent or '(none)'}, "
                        "which is not in the index", FIX_REBUILD) for u in orphans[:MAX_LINES_PER_KIND]]
    if len(orphans) > MAX_LINES_PER_KIND:
        problems.append(Problem(f"{len(orphans) - MAX_LINES_PER_KIND} more sentence units without their passage",
                                FIX_REBUILD))
    return problems


def _vector_problems(store: ChunkStore) -> list[Problem]:
    """Vectors that cannot be right: not finite, or far from unit length (every stored vector is normalised)."""
    bad: list[str] = []
    for ids, vectors in store.vectors():
        norms = np.linalg.norm(vectors, axis=1)
        bad += [i for i, norm in zip(ids, norms, strict=True) if not np.isfinite(norm) or abs(norm - 1.0) > 0.01]
    if not bad:
        return []
    return [Problem(f"{len(bad)} records have a broken vector (first: {bad[0]})", FIX_REBUILD)]
