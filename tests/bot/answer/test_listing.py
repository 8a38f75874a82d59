"""A list of figures asked for is answered with every figure of the sentences closest to its topic, quoted and cited
(scripted contexts and scores, no models)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answer.listing import figure_span, listed_figures
from bot.retrieval.context import Sentence
from bot.retrieval.retriever import Passage
from bot.understand.questions import asks_figure_list, figure_list_topic
from index.chunking import Chunk

LEAD = "持续推进国土空间增绿扩绿。"
FOREST = "实施嵩山森林质量提升工程，完成营造林3.28万亩，创建省级森林城市1个、森林乡村50个。"
PARKS = "践行公园城市理念，市区新增绿地300万平方米，新建公园游园30个，完成道路绿化50条。"
TARGETS = "经济社会发展主要预期目标是：地区生产总值增长7%左右，居民人均可支配收入与经济增长同步，节能减排降碳完成国家和省定目标。"


def _context(*passages: str) -> list[list[Sentence]]:
    """Each passage's sentences after its first (a lead naming the topic) as one numbered group."""
    context = []
    for n, text in enumerate(passages):
        chunk = Chunk(f"c{n}", "r.md", "", text, 0, len(text))
        lead = text.index("。") + 1
        body = text[lead:]
        starts = [lead + i + 1 for i, c in enumerate(body) if c == "。"]
        bounds = list(zip([lead, *starts[:-1]], starts, strict=True))
        context.append([Sentence(Passage(chunk, 1.0, 0.6, 0.0), a, b, text[a:b]) for a, b in bounds])
    return context


def _scores(table: dict[str, float]):
    """Scores by a word each text holds, as a relevance function would give them."""
    return lambda texts: np.array([max(v for k, v in table.items() if k in t) for t in texts])


def test_every_figure_of_the_sentences_on_the_topic_is_listed_in_report_order_and_cited():
    context = _context(LEAD + FOREST + PARKS, "主要目标。" + TARGETS)
    listed = listed_figures(context, "zh", 0.12, _scores({"增绿": 0.40, "公园": 0.45, "目标": 0.20}))
    assert listed is not None
    assert listed.answer == ("报告给出的数字：完成营造林3.28万亩，创建省级森林城市1个、森林乡村50个[1]；"
                             "市区新增绿地300万平方米，新建公园游园30个，完成道路绿化50条[1]。")
    assert [c.n for c in listed.citations] == [1]
    assert [f.text for f in listed.figures] == ["3.28万亩", "1个", "50个", "300万平方米", "30个", "50条"]


def test_a_sentence_far_below_the_closest_is_left_out():
    context = _context(LEAD + FOREST + PARKS)
    listed = listed_figures(context, "zh", 0.12, _scores({"增绿": 0.20, "公园": 0.45}))
    assert listed is not None and "3.28万亩" not in listed.answer and "300万平方米" in listed.answer


def test_a_figure_span_runs_from_the_first_to_the_last_clause_with_a_figure():
    sentence = _context("主要目标。" + TARGETS)[0][0]
    text, figures, _ = figure_span(sentence)
    assert text == "地区生产总值增长7%左右" and [f.text for f in figures] == ["7%左右"]


def test_english_lists_each_figure_in_english_with_the_report_words():
    listed = listed_figures(_context(LEAD + PARKS), "en", 0.12, _scores({"公园": 0.45}))
    assert listed is not None
    assert listed.answer.startswith("The report gives these figures:\n- 3 million square metres; 30; 50 (report: “市区")


@pytest.mark.parametrize(("question", "lists", "topic"), [
    ("管网建设方面给出了哪些数字指标？", True, "管网建设方面给出了"),
    ("人才方面有哪些具体数字？", True, "人才方面有"),
    ("关于管网，报告给了哪几个数？", True, "关于管网，报告给了"),
    ("Which figures does the report give for pipelines?", True, "does the report give for pipelines"),
    ("今年要新建哪些管网？", False, "今年要新建哪些管网？"),  # things, not figures
    ("GDP目标是多少？", False, "GDP目标是多少？"),
])
def test_a_question_asking_for_the_figures_on_a_topic(question, lists, topic):
    assert asks_figure_list(question) is lists
    assert figure_list_topic(question) == topic


def test_a_clause_naming_what_the_question_sets_aside_is_left_out():
    context = _context(LEAD + FOREST + PARKS)
    listed = listed_figures(context, "zh", 0.12, _scores({"增绿": 0.40, "公园": 0.45}), frozenset({"营造林"}))
    assert listed is not None and "3.28万亩" not in listed.answer and "森林乡村50个" in listed.answer


def test_what_a_question_sets_aside_is_read_in_the_reports_terms():
    from bot.understand.parsed import parse_question

    assert parse_question("除了GDP，还有哪些经济目标？").set_aside_terms == {"生产总值"}
    assert parse_question("还有哪些经济目标？").set_aside_terms == frozenset()
