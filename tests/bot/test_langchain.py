"""The bot's LangChain surface with the real models: the answer chain as a Runnable, the retriever as a
BaseRetriever, and the README's example of composing them."""

from __future__ import annotations

import asyncio
import re

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from bot.policy.chain import AnswerChain
from bot.schema import BotInputError
from tests.conftest import ROOT

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def chain(engine):
    return AnswerChain(engine)


def test_invoke_returns_the_answer_dict(chain):
    result = chain.invoke({"question": "今年新增学位多少个？"})
    assert result["found"] and "2.7万" in result["answer"]
    assert "新增学位2.7万个" in result["citations"][0]["text"]


def test_stream_yields_event_dicts_ending_with_the_result(chain):
    events = list(chain.stream({"question": "新增学位多少个？", "backend": "extractive"}))
    assert events[0]["kind"] == "sources" and events[0]["citations"]
    assert events[-1]["kind"] == "final" and events[-1]["result"]["found"]


def test_batch_and_astream(chain):
    answers = chain.batch(["新增学位多少个？", {"question": "How many new school seats?", "backend": "extractive"}])
    assert [a["lang"] for a in answers] == ["zh", "en"]

    async def collect() -> list[dict]:
        return [event async for event in chain.astream({"question": "新增学位多少个？", "backend": "extractive"})]

    streamed = asyncio.run(collect())
    assert streamed[0]["kind"] == "sources" and streamed[-1]["result"]["found"]


def test_the_chain_composes_with_other_runnables(chain):
    short = chain | RunnableLambda(lambda result: result["citations"][0]["section"])
    assert "8 持续改善民生福祉" in short.invoke({"question": "新增学位多少个？", "backend": "extractive"})


@pytest.mark.parametrize("bad", [{}, {"question": "新增学位？", "model": "x"}, 42])
def test_bad_input_is_refused_with_a_message(chain, bad):
    with pytest.raises(BotInputError):
        chain.invoke(bad)


def test_the_retriever_returns_documents_with_source_section_and_offsets(engine):
    documents = engine.retriever(k=3).invoke("how many new school seats in 2024?")
    assert len(documents) == 3 and all(isinstance(d, Document) for d in documents)
    report = (ROOT / "data" / "zhengzhou-2024-government-work-report.md").read_text(encoding="utf-8")
    for document in documents:
        meta = document.metadata
        assert report[meta["start"]:meta["end"]] == document.page_content
        assert meta["source"] == "zhengzhou-2024-government-work-report.md" and "section" in meta
    assert any("新增学位2.7万个" in d.page_content for d in documents)
    assert len(engine.retriever(k=3).invoke("新增学位", k=1)) == 1


def test_the_readme_example_runs(engine, capsys, monkeypatch):
    """The README's LangChain example, run as a user would paste it (on the tests' index)."""
    monkeypatch.setenv("ZZBOT_CHROMA__PATH", str(engine.settings.chroma_path))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(# langchain-example\n.*?)```", readme, re.DOTALL)
    assert example, "the README has no LangChain example"
    exec(compile(example.group(1), "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102
    printed = capsys.readouterr().out
    assert "新增学位2.7万个" in printed and "2.7万" in printed.split("---")[-1]
