"""A model-free answer chain for the policy's tests: a hashing embedder, a small report written here, and a
scripted model that answers with a given draft."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.engine import Engine
from bot.llm.client import BackendError, Waiting
from bot.policy.chain import AnswerChain
from bot.schema import AnswerResult, RuleStep
from index.documents import load_documents
from index.embeddings import Embedder
from index.store import ChunkStore
from tests.index.fakes import FAKE_MODEL, HashingModel
from zzbot.settings import load_settings

REPORT = """# 2024年郑州市政府工作报告

## 民生

深入推进义务教育优质均衡发展，市区新建中小学校10所，新增学位2.7万个。
新建公园游园30个，改造提升老旧小区500个。
落实“郑聚英才计划”，力争20万名大学生来郑留郑。

## 城建

建成供水管网85公里、燃气管网102公里、供热管网31.5公里。
推进郑开同城化，郑开大道完成改造提升。
完成道路中小修50万平方米，新增公共停车位10万个以上。

## 经济

地区生产总值增长7%左右，一般公共预算收入增长3%以上，居民消费价格涨幅3%左右。
完成营造林3.28万亩，粮食产量稳定在30亿斤。

## 政府

市长何雄代表市人民政府向大会作报告。

## 住房

抓好保交楼工作，剩余1.9万套专项借款项目全部交付，非专项借款项目交付4.2万套以上。
"""


class ScriptedModel:
    """Answers every call with ``draft`` (one piece per character), or fails with ``error``; records the calls."""

    name = "scripted"

    def __init__(self) -> None:
        self.draft = ""
        self.error: BackendError | None = None
        self.calls: list[str] = []
        # What it answers a judge of meaning (bot.policy.judge): a firm "否" unless a test sets it.
        self.margin = -10.0

    def next_token_margin(self, messages: list[dict[str, str]], yes: str, no: str) -> float:
        self.calls.append(messages[-1]["content"])
        return self.margin

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str | Waiting]:
        self.calls.append(messages[-1]["content"])
        if self.error is not None:
            raise self.error
        yield from self.draft


@pytest.fixture(scope="session")
def policy_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, ChunkStore]:
    folder = tmp_path_factory.mktemp("policy")
    report = folder / "report.md"
    report.write_text(REPORT, encoding="utf-8")
    settings = load_settings(chroma={"path": folder / "chroma"}, embedding={"model": FAKE_MODEL, "dtype": "float32"},
                             documents=[report], var_dir=folder / "var")
    # Wide vectors: few bigram collisions, so unrelated sentences are far apart.
    store = ChunkStore(settings, Embedder(HashingModel(dimension=4096), name=FAKE_MODEL, batch_size=16,
                                          dtype="float32"))
    store.sync(load_documents(settings.documents))
    return settings, store


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


Ask = Callable[..., AnswerResult]


@pytest.fixture
def ask(policy_store: tuple[Any, ChunkStore], model: ScriptedModel) -> Ask:
    """``ask(question, draft=…, backend=…, retrieval={…}, **answer_settings)``: the chain's result, the model
    answering ``draft``."""
    base, store = policy_store

    def run(question: str, draft: str = "", backend: str = "local", history: list[dict[str, str]] | None = None,
            retrieval: dict[str, Any] | None = None, **answer: Any) -> AnswerResult:
        model.draft = draft
        settings = base.model_copy(update={"answer": base.answer.model_copy(update=answer),
                                           "retrieval": base.retrieval.model_copy(update=retrieval or {})})
        engine = Engine(settings, store=store, llm=model)
        return AnswerChain(engine).ask(question, history=history, backend=backend)

    return run


def decided(result: AnswerResult) -> list[RuleStep]:
    return [step for step in result.trace if step.outcome == "decided"]
