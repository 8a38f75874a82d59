"""Several reports indexed at once (a city's 2024 report, its 2023 review, another city's 2023 report), with the
scripted model and the hashing embedder: a question is searched in the reports of its place and year, an answer
says which report it is from, a place or year no report is about is refused naming what is indexed, and a
comparison across two reports cites each."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import Engine
from bot.policy.chain import AnswerChain
from bot.schema import AnswerResult
from index.documents import load_documents
from index.embeddings import Embedder
from index.store import ChunkStore
from tests.bot.policy.conftest import REPORT, ScriptedModel, decided
from tests.index.fakes import FAKE_MODEL, HashingModel
from zzbot.settings import load_settings

REVIEW = """# 郑州市2023年发展成绩回顾（测试样本）

## 经济

2023年全市地区生产总值增长7.4%，规模以上工业增加值增长12.8%。
全年吸引22.7万名大学生留在郑州。
"""

OTHER_CITY = """# 开封市2023年政府工作报告（测试样本）

## 回顾

预计2022年全市生产总值突破2600亿元，财政收入规模迈上190亿元的新台阶。
粮食总产量稳定在300万吨以上，金融机构存款余额突破2900亿元，是2018年的1.4倍。
"""

# The hashing embedder's similarities are low: the thresholds as in the policy trace's tests.
LOW = {"min_similarity": 0.1, "extractive_similarity": 0.1, "rejected_similarity": 0.1, "override_similarity": 0.1,
       "nearby_similarity": 0.1, "sure_similarity": 0.95}
# (rule deciding, question): the policy table's rules these cases drive (tests/bot/policy/test_policy_rules.py).
CASES = [("report_not_indexed", "开封2024年要新建几所中小学？")]


@pytest.fixture(scope="module")
def reports_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, ChunkStore, dict[str, str]]:
    folder = tmp_path_factory.mktemp("reports")
    files = {"report": folder / "zhengzhou-2024.md", "review": folder / "zhengzhou-2023-review.md",
             "other": folder / "kaifeng-2023.md"}
    for key, text in (("report", REPORT), ("review", REVIEW), ("other", OTHER_CITY)):
        files[key].write_text(text, encoding="utf-8")
    settings = load_settings(chroma={"path": folder / "chroma"}, embedding={"model": FAKE_MODEL, "dtype": "float32"},
                             documents=list(files.values()), var_dir=folder / "var")
    store = ChunkStore(settings, Embedder(HashingModel(dimension=4096), name=FAKE_MODEL, batch_size=16,
                                          dtype="float32"))
    store.sync(load_documents(settings.documents))
    return settings, store, {key: path.name for key, path in files.items()}


@pytest.fixture
def ask_reports(reports_store: tuple[Any, ChunkStore, dict[str, str]]):
    settings, store, _ = reports_store
    model = ScriptedModel()

    def run(question: str, draft: str = "", backend: str = "local") -> AnswerResult:
        model.draft = draft
        low = settings.model_copy(update={"answer": settings.answer.model_copy(update=LOW)})
        return AnswerChain(Engine(low, store=store, llm=model)).ask(question, backend=backend)

    return run


@pytest.fixture
def sources(reports_store: tuple[Any, ChunkStore, dict[str, str]]) -> dict[str, str]:
    return reports_store[2]


def test_a_city_and_year_no_report_is_about_is_refused_naming_what_is_indexed(ask_reports):
    result = ask_reports(CASES[0][1], draft="新增学位2.7万个[1]。")
    assert not result.found and "2.7万" not in result.answer
    assert "开封2024" in result.answer
    assert "已收录：" in result.answer and all(label in result.answer for label in ("郑州2024", "郑州2023回顾", "开封2023"))
    assert decided(result)[-1].rule == "report_not_indexed"


def test_a_year_no_report_is_about_is_refused_in_english_too(ask_reports):
    result = ask_reports("What was Zhengzhou's GDP growth in 2021?", draft="7.4% [1].")
    assert not result.found and "7.4" not in result.answer
    assert "Zhengzhou 2021" in result.answer and "Indexed: Zhengzhou 2024" in result.answer


def test_a_city_with_no_report_is_refused(ask_reports):
    result = ask_reports("洛阳2023年社会消费品零售总额增长了多少？", draft="增长7.7%[1]。")
    assert not result.found and "7.7%" not in result.answer and "已收录：" in result.answer


@pytest.mark.parametrize("question, source, figure, named", [
    ("开封2022年全市生产总值是多少？", "other", "2600亿元", "按开封2023年报告"),
    ("2023年郑州规模以上工业增加值增长了多少？", "review", "12.8%", "按郑州2023年回顾"),
    ("去年有多少名大学生留在郑州？", "review", "22.7万", "按郑州2023年回顾"),
    ("郑州今年地区生产总值增长目标是多少？", "report", "7%左右", "按郑州2024年报告"),
])
def test_a_question_is_answered_from_the_report_of_its_city_and_year(ask_reports, sources, question, source,
                                                                      figure, named):
    result = ask_reports(question, backend="extractive")
    assert result.found, result.answer
    assert {c.source for c in result.citations} == {sources[source]}
    assert figure in result.answer and result.answer.endswith(f"（{named}）")


def test_the_model_only_sees_the_reports_of_the_question(ask_reports, sources):
    result = ask_reports("开封金融机构存款余额突破了多少？", draft="金融机构存款余额突破2900亿元[1]。")
    assert result.found and "2900亿元" in result.answer
    assert {c.source for c in result.citations} == {sources["other"]}
    assert result.answer.endswith("（按开封2023年报告）")


def test_a_comparison_across_two_reports_cites_each(ask_reports, sources):
    result = ask_reports("郑州2024年地区生产总值增长目标比2023年实际增长高还是低？", backend="extractive")
    assert result.found and result.working, result.answer
    assert "7%" in result.answer and "7.4%" in result.answer
    assert {c.source for c in result.citations} == {sources["report"], sources["review"]}
    assert "（按" not in result.answer


def test_a_year_named_only_as_a_reference_narrows_and_refuses_nothing(ask_reports, sources):
    result = ask_reports("开封金融机构存款余额是2018年的几倍？", backend="extractive")
    assert "report_not_indexed" not in {step.rule for step in decided(result)}
    assert result.found
    assert {c.source for c in result.citations} == {sources["other"]}


def test_one_report_indexed_answers_name_no_report(ask):
    result = ask("2024年新增多少个学位？", backend="extractive", **LOW)
    assert result.found and "2.7万" in result.answer and "（按" not in result.answer
    assert "report_not_indexed" not in {step.rule for step in result.trace}


def test_retrieval_keeps_each_passages_document(reports_store):
    settings, store, names = reports_store
    engine = Engine(settings, store=store)
    documents = engine.retriever().invoke("生产总值", k=3, sources=frozenset({names["other"]}))
    assert documents and {d.metadata["source"] for d in documents} == {names["other"]}
    assert {d.metadata["doc_place"] for d in documents} == {"开封"}
    from bot.retrieval.retriever import passage_from_document

    assert passage_from_document(documents[0]).chunk.meta.place == "开封"


def test_a_question_over_two_years_gets_each_years_report_in_its_context(ask_reports, sources):
    result = ask_reports("郑州2023年的地区生产总值增长和2024年的增长目标是多少？",
                         draft="全市地区生产总值增长7.4%[1]，地区生产总值增长7%左右[2]。")
    assert result.found, result.answer
    assert {c.source for c in result.citations} == {sources["report"], sources["review"]}
    assert "7.4%" in result.answer and "7%左右" in result.answer and "（按" not in result.answer


def test_a_multiple_the_report_states_is_quoted_not_worked_out(ask_reports):
    # 倍 is the report's own figure: no ratio of it and 2900亿元 is worked out (the scripted model writes one for
    # every prompt), nor refused as figures that do not combine.
    result = ask_reports("开封的金融机构存款余额是2018年的几倍？", draft="F1 / F2")
    assert not {"computed", "figures_not_combinable"} & {s.rule for s in result.trace if s.outcome == "decided"}
