"""One build at a time: a second `index build` (or `--rebuild`) while one runs stops at once with the pid of the
first, changing nothing, instead of deleting the collections the first is writing ("index is damaged
(Collection … does not exist)"); a build that was killed leaves no lock behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakes import SMALL, build_and_close, fake_embedder, fake_env, fake_settings, long_report, paused_build, write
from index.build_lock import BuildRunning
from index.documents import load_documents
from index.store import ChunkStore, build_lock, rebuild_index
from index.verify import verify_index

ROOT = Path(__file__).resolve().parents[2]


def _cli_build(chroma_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **fake_env(chroma_path)}
    return subprocess.run([sys.executable, "-m", "index", "build", "--quiet", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("running", ["build", "rebuild"])
def test_a_second_build_is_told_which_build_is_running(tmp_path, running):
    settings = fake_settings(tmp_path / "chroma")
    small = write(tmp_path, "small.md", SMALL)
    build_and_close(settings, small)
    long = write(tmp_path, "long.md", long_report())

    with paused_build(settings.chroma_path, running, "embed:2", small, long) as first:
        for args in ((str(small),), ("--rebuild", str(small))):
            second = _cli_build(settings.chroma_path, *args)
            assert second.returncode == 3, second.stderr
            assert second.stderr.splitlines() == [
                f"error: another build of the index at {settings.chroma_path} is running (pid {first.pid}); "
                "wait for it to finish, then build again"]
        # In this process too (the eval syncs the index itself).
        with pytest.raises(BuildRunning, match=f"pid {first.pid}"):
            ChunkStore(settings, fake_embedder()).sync(load_documents([small]))

    # The killed build released its lock, and what it left is completed by the next build.
    documents = load_documents([small, long])
    store = ChunkStore(settings, fake_embedder())
    store.remove_leftovers()  # as `index build` does: an interrupted rebuild's collection
    assert store.sync(documents).chunks_embedded > 0
    assert verify_index(store, documents) == []


def test_a_rebuild_takes_the_lock_once_for_its_sync(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    small = write(tmp_path, "small.md", SMALL)
    with build_lock(settings):  # held by this process, as the CLI holds it around loading the model and building
        report = rebuild_index(settings, fake_embedder(), load_documents([small]))
    assert report.added == ["small.md"]
    ChunkStore(settings, fake_embedder()).sync(load_documents([small]))  # released: the next build runs
