"""A document must hold words to be indexed: a file of only markup is refused with the reason, naming the file,
before anything is stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakes import SMALL, build_and_close, fake_embedder, fake_env, fake_settings, write
from index.documents import DocumentError, load_document, load_documents
from index.store import ChunkStore

ROOT = Path(__file__).resolve().parents[2]
MARKUP_ONLY = {
    "headings": "#\n\n## \n\n###\n",
    "rules": "---\n\n***\n\n___\n",
    "html": "<div></div>\n<div class=\"section\"><br/></div>\n<!-- 注释 -->\n",
    "table": "|||\n|---|---|\n| | |\n",
    "all": "# \n\n---\n\n<div></div>\n\n|||\n\n\n   \n",
}


@pytest.mark.parametrize("name", sorted(MARKUP_ONLY))
def test_a_document_of_only_markup_has_no_text(tmp_path, name):
    path = write(tmp_path, f"{name}.md", MARKUP_ONLY[name])
    with pytest.raises(DocumentError, match="has no text") as refused:
        load_document(path)
    assert str(path) in str(refused.value)


@pytest.mark.parametrize("text", ["# 报告\n", "<div>新增学位3000个</div>\n", "| 指标 | 2024 |\n|---|---|\n",
                                  "---\nGDP\n", "2024\n"])
def test_a_word_or_a_figure_is_text(tmp_path, text):
    assert load_document(write(tmp_path, "doc.md", text)).text == text


def test_the_build_refuses_it_and_leaves_the_index_as_it_was(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    good = write(tmp_path, "good.md", SMALL)
    build_and_close(settings, good)
    before = {c.chunk_id for c in ChunkStore(settings, fake_embedder()).all_chunks()}
    markup = write(tmp_path, "markup.md", MARKUP_ONLY["all"])

    result = subprocess.run([sys.executable, "-m", "index", "build", "--quiet", str(good), str(markup)], cwd=ROOT,
                            env={**os.environ, **fake_env(settings.chroma_path)}, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {markup}: has no text, only markup (headings' #, rules, table bars, HTML tags); "
        "nothing in it could be found or cited", "The index was not changed."]
    store = ChunkStore(settings, fake_embedder())
    assert {c.chunk_id for c in store.all_chunks()} == before
    assert set(store.manifests()) == {"good.md"}
    with pytest.raises(DocumentError, match="markup.md: has no text"):
        load_documents([good, markup])
