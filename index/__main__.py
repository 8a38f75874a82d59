"""Command line: ``python -m index build [PATHS…]``, ``verify [PATHS…]``, ``fetch-models``, ``status``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from index.documents import Document, DocumentError, load_documents
from index.metadata import KIND_LABELS, IndexedDocument, english_place
from index.models import ModelFetchError
from index.models import main as fetch_models_main
from zzbot.commands import Unavailable, run_command
from zzbot.progress import Progress, quiet_library_bars
from zzbot.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from index.embeddings import Embedder
    from index.store import ChunkStore, SyncReport
    from zzbot.settings import Settings


def build(paths: list[Path], rebuild: bool, quiet: bool) -> int:
    from index.build_lock import BuildRunning
    from index.store import StoreError, build_lock, index_location

    settings = load_settings()
    began = time.perf_counter()
    quiet_library_bars()
    try:
        # Every document is read and checked before the index is opened, so bad input changes nothing.
        documents = load_documents([*settings.documents, *paths])
        # Locked before the model loads: a second build is told at once, not after loading it.
        with build_lock(settings), Progress("embedding", unit="chunk", disable=quiet) as bar:
            report = _build_locked(settings, documents, rebuild,
                                   lambda source, done, total: bar.set(done, total, note=source))
    except BuildRunning as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except (DocumentError, ModelFetchError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        print("The index was not changed.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - began
    for label, names in (("added", report.added), ("updated", report.updated),
                         ("unchanged", report.unchanged), ("removed", report.removed)):
        for name in names:
            print(f"{label:>9}  {name}")
    print(f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the index "
          f"'{settings.chroma.collection}' at {index_location(settings)} ({elapsed:.1f} s)")
    return 0


def _build_locked(settings: Settings, documents: list[Document], rebuild: bool,
                  progress: Callable[[str, int, int], None]) -> SyncReport:
    from index.store import ChunkStore, rebuild_index

    embedder = _load_embedder(settings)
    if rebuild:
        return rebuild_index(settings, embedder, documents, progress)
    store = ChunkStore(settings, embedder)
    _remove_leftovers(store)
    return store.sync(documents, progress=progress)


def _load_embedder(settings: Settings) -> Embedder:
    from index.embeddings import Embedder

    try:
        return Embedder.load(settings, fetch=True)
    except OSError as err:  # sentence-transformers' way of saying the model is not there (or not reachable)
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFetchError(f"cannot load the embedding model {settings.embedding.model!r}: {first_line}") from None


def _remove_leftovers(store: ChunkStore) -> None:
    """What an interrupted rebuild left is removed before building; failing to is no reason not to build."""
    from index.store import StoreError

    try:
        removed = store.remove_leftovers()
    except StoreError as err:
        print(f"warning: could not remove the collections of an earlier rebuild: {err}", file=sys.stderr)
        return
    if removed:
        print(f"removed the collections of an interrupted rebuild: {', '.join(removed)}", file=sys.stderr)


def verify(paths: list[Path]) -> int:
    """Check the index against the documents; exit 0 when clean, 1 with problems (each line names its fix)."""
    from index.store import FIX_BUILD, FIX_REBUILD, ChunkStore, StoreError, index_location
    from index.verify import verify_index

    settings = load_settings()
    try:
        documents = load_documents([*settings.documents, *paths])
    except DocumentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    where = index_location(settings)
    try:
        store = ChunkStore(settings, embedder=None)  # no model needed: nothing is embedded
        problems = verify_index(store, documents)
        counted = (f"{_counted(len(documents), 'document')}, {_counted(store.count_passages(), 'passage')}, "
                   f"{_counted(store.count(), 'record')}")
    except StoreError as err:  # its message names the fix
        print(f"problem: {err}")
        print(f"index at {where}: cannot be read")
        return 1
    for problem in problems:
        print(f"problem: {problem}")
    if not problems:
        print(f"index at {where}: OK ({counted}; every record matches its document)")
        return 0
    # A rebuild, when some problem needs one, fixes the others too.
    fix = FIX_REBUILD if any(p.fix == FIX_REBUILD for p in problems) else FIX_BUILD
    print(f"index at {where}: {_counted(len(problems), 'problem')} ({counted}); fix: `{fix}`")
    return 1


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def status() -> int:
    from index.models import BUNDLED_MODELS
    from index.store import index_location

    settings = load_settings()
    for name, spec in BUNDLED_MODELS.items():
        installed = (settings.model_cache / spec.name / ".verified").exists()
        print(f"model {name}: {'installed' if installed else 'missing (run: python -m index fetch-models)'}")
    print(f"index: {index_location(settings)} (check it: python -m index verify)")
    for line in _document_lines(settings):
        print(line)
    return 0


def _document_lines(settings: Settings) -> list[str]:
    """One line per indexed document: its place, years and kind. Reading creates no index where there is none."""
    from index.store import FIX_BUILD, ChunkStore, StoreError

    none_yet = [f"documents: none indexed yet (run: {FIX_BUILD})"]
    if not settings.chroma.host and not settings.chroma_path.exists():
        return none_yet
    try:
        store = ChunkStore(settings, embedder=None)
        try:
            documents = store.indexed_documents()
        finally:
            store.client.close()
    except StoreError as err:  # its message names the fix
        return [f"documents: cannot be read: {err}"]
    if not documents:
        return none_yet
    return [f"documents: {len(documents)}"] + [f"  {describe_document(doc)}" for doc in documents]


def describe_document(doc: IndexedDocument) -> str:
    """Like "report.md: 郑州 (Zhengzhou) · government work report · targets 2024 · review 2023 · 《title》"."""
    from index.store import FIX_BUILD

    if doc.outdated:
        return f"{doc.source}: indexed by an older version, without its place, years and kind (run: {FIX_BUILD})"
    meta = doc.meta
    place = f"{meta.place} ({english_place(meta.place)})" if meta.place else "place unknown"
    kind = KIND_LABELS[meta.kind][1] if meta.kind else "kind unknown"
    targets = f"targets {meta.target_year}" if meta.target_year is not None else "targets: no year"
    review = f"review {meta.review_year}" if meta.review_year is not None else "review: no year"
    title = f" · 《{meta.title}》" if meta.title else ""
    return f"{doc.source}: {place} · {kind} · {targets} · {review}{title}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index",
                                     description="Build and check the report index, fetch models.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="index the bundled report plus the given .md/.txt files")
    p_build.add_argument("paths", nargs="*", type=Path, help="more Markdown or plain-text documents")
    p_build.add_argument("--rebuild", action="store_true",
                         help="embed everything again into a new collection; the old one is used until it is complete")
    p_build.add_argument("--quiet", action="store_true", help="no progress bar")
    p_verify = sub.add_parser("verify", help="check the index against the documents (exit 1 with problems)")
    p_verify.add_argument("paths", nargs="*", type=Path, help="the extra documents given to the build")
    sub.add_parser("fetch-models", help="download and verify the offline models (see --help)", add_help=False)
    sub.add_parser("status", help="show which models and index are in place, and each indexed document's place, "
                                  "years and kind")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    commands: dict[str, Callable[[], int]] = {
        "fetch-models": lambda: fetch_models_main(rest), "build": lambda: build(args.paths, args.rebuild, args.quiet),
        "verify": lambda: verify(args.paths), "status": status}
    if rest and args.command != "fetch-models":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    def checked() -> int:
        load_settings()  # bad settings: one line and exit 2 before any work
        return commands[args.command]()

    return run_command(checked, bad_input=(SettingsError, DocumentError), unavailable=(Unavailable, ModelFetchError))


if __name__ == "__main__":
    sys.exit(main())
