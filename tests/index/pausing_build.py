"""A build (or rebuild) with the fake embedder that stops at a chosen point and waits to be killed.

    python tests/index/pausing_build.py CHROMA_PATH build|rebuild embed:N|write:N DOCUMENT...

``embed:N`` waits in the Nth embedding call; ``write:N`` waits right after the Nth write of index records
(not catalog records). It prints "paused" when it waits, so a test can SIGKILL it at exactly that point.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from chromadb.api.models.Collection import Collection

from fakes import fake_embedder, fake_settings  # this script's folder (run as a script, it is first on the path)
from index.documents import load_documents
from index.store import ChunkStore, rebuild_index


def pause() -> None:
    print("paused", flush=True)
    while True:
        time.sleep(60)


def pause_after_writes(n: int) -> None:
    upsert = Collection.upsert
    writes = 0

    def counted(self: Collection, *args: object, **kwargs: object) -> None:
        nonlocal writes
        upsert(self, *args, **kwargs)
        if not self.name.endswith(".catalog"):
            writes += 1
            if writes == n:
                pause()

    Collection.upsert = counted  # type: ignore[method-assign]


def main(chroma_path: str, mode: str, pause_at: str, *paths: str) -> None:
    where, count = pause_at.split(":")
    if where == "write":
        pause_after_writes(int(count))
    embedder = fake_embedder(on_encode=lambda calls: calls == int(count) and where == "embed" and pause())
    settings = fake_settings(Path(chroma_path))
    documents = load_documents([Path(p) for p in paths])
    if mode == "rebuild":
        rebuild_index(settings, embedder, documents)
    else:
        ChunkStore(settings, embedder).sync(documents)
    print("finished", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
