"""Chroma is only storage: it never embeds with its default embedding function, and reports no telemetry."""

from __future__ import annotations

import pytest

from fakes import SMALL, fake_embedder, fake_settings, write
from index.documents import load_documents
from index.store import ChromaEmbeddingFunction, ChunkStore, StoreError, make_client


def test_no_collection_can_embed_without_our_embedder(tmp_path):
    settings = fake_settings(tmp_path / "chroma")
    ChunkStore(settings, fake_embedder()).sync(load_documents([write(tmp_path, "a.md", SMALL)]))
    client = make_client(settings)

    for collection in client.list_collections():
        stored = collection.configuration_json["embedding_function"]
        assert stored["name"] == ChromaEmbeddingFunction.name(), collection.name
        reopened = client.get_collection(collection.name)  # rebuilt by Chroma from the stored config
        with pytest.raises(StoreError, match="computed by the application"):
            reopened.add(ids=["x"], documents=["一段没有向量的文字"])


def test_the_client_reports_no_telemetry(tmp_path):
    assert make_client(fake_settings(tmp_path / "chroma")).get_settings().anonymized_telemetry is False
