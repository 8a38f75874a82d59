"""The official ``openai`` client against the real server (local model): a cited answer, streamed and not."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.models

QUESTION = "今年新增学位多少个？"
ANSWER_S = 300  # the first question also waits for the models to load


def _client(running_app):
    from openai import OpenAI

    return OpenAI(base_url=f"{running_app.url}/v1", api_key="unused", timeout=ANSWER_S, max_retries=0)


def _cites_the_school_places(answer: str, result: dict) -> None:
    assert "2.7万" in answer and "[1]" in answer, answer
    assert result["answer"] == answer and result["found"] and result["verified"]
    citation = result["citations"][0]
    assert citation["n"] == 1 and "新增学位2.7万个" in citation["text"] and citation["source"].endswith(".md")
    start, end = citation["highlights"][0]
    assert citation["start"] <= start < end <= citation["end"]


def test_openai_client_gets_a_cited_answer(running_app) -> None:
    client = _client(running_app)
    assert [m.id for m in client.models.list()] == ["zzbot"]
    completion = client.chat.completions.create(model="zzbot", messages=[{"role": "user", "content": QUESTION}])
    assert completion.model == "zzbot" and completion.choices[0].finish_reason == "stop"
    _cites_the_school_places(completion.choices[0].message.content, completion.model_extra["zzbot"])


def test_openai_client_streams_a_cited_answer(running_app) -> None:
    stream = _client(running_app).chat.completions.create(
        model="my-model", messages=[{"role": "user", "content": QUESTION}], stream=True)
    chunks = list(stream)
    extras = [c.model_extra.get("zzbot") or {} for c in chunks]
    assert extras[0].get("kind") == "sources" and extras[0]["citations"], "the sources come first"
    assert {c.model for c in chunks} == {"my-model"}
    answer = "".join(c.choices[0].delta.content or "" for c in chunks)
    _cites_the_school_places(answer, extras[-1]["result"])
