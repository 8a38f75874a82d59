"""Command line: ``python -m index build [PATHS…]``, ``fetch-models``, ``status``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from index.documents import DocumentError, load_documents
from index.models import ModelFetchError
from index.models import main as fetch_models_main
from settings import SettingsError, load_settings


def build(paths: list[Path], rebuild: bool, quiet: bool) -> int:
    from tqdm import tqdm

    from index.embeddings import Embedder
    from index.store import ChunkStore, StoreError

    settings = load_settings()
    began = time.perf_counter()
    try:
        # Every document is read and checked before the index is opened, so bad input changes nothing.
        documents = load_documents([*settings.documents, *paths])
        embedder = Embedder.load(settings, fetch=True)
        store = ChunkStore(settings, embedder)
        if rebuild:
            store.drop()
        bar = tqdm(total=0, unit="chunk", desc="embedding", disable=quiet, file=sys.stderr)

        def progress(source: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(source)
            bar.n = done
            bar.refresh()

        report = store.sync(documents, progress=progress)
        bar.close()
    except (DocumentError, ModelFetchError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        print("The index was not changed.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - began
    for label, names in (("added", report.added), ("updated", report.updated),
                         ("unchanged", report.unchanged), ("removed", report.removed)):
        for name in names:
            print(f"{label:>9}  {name}")
    where = (f"Chroma server {settings.chroma.host}:{settings.chroma.port}" if settings.chroma.host
             else str(settings.chroma_path))
    print(f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the index "
          f"'{settings.chroma.collection}' at {where} ({elapsed:.1f} s)")
    return 0


def status() -> int:
    from index.models import BUNDLED_MODELS

    settings = load_settings()
    for name, spec in BUNDLED_MODELS.items():
        installed = (settings.model_cache / spec.name / ".verified").exists()
        print(f"model {name}: {'installed' if installed else 'missing (run: python -m index fetch-models)'}")
    print(f"index: {settings.chroma.host + ':' + str(settings.chroma.port) if settings.chroma.host else settings.chroma_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build the report index and fetch models.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="index the bundled report plus the given .md/.txt files")
    p_build.add_argument("paths", nargs="*", type=Path, help="more Markdown or plain-text documents")
    p_build.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    p_build.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("fetch-models", help="download and verify the offline models (see --help)", add_help=False)
    sub.add_parser("status", help="show which models and index are in place")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        load_settings()  # bad settings: one line and exit 2 before any work
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "fetch-models":
        return fetch_models_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "build":
        return build(args.paths, args.rebuild, args.quiet)
    return status()


if __name__ == "__main__":
    sys.exit(main())
