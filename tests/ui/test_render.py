"""How the UI renders answers and sources (no models needed)."""

from __future__ import annotations

from app import answer_html, highlight, sources_html
from bot.schema import AnswerResult, Citation

TEXT = "市区新建中小学校10所，新增学位2.7万个。加快健康郑州建设。"


def _citation() -> Citation:
    start = 100  # the passage's offset in the document
    sentence = (start + 12, start + 22)  # 新增学位2.7万个。... within the passage
    figure = (start + 16, start + 21)
    return Citation(n=1, chunk_id="c", source="report.md", section="十项工作 > 民生", text=TEXT, start=start,
                    end=start + len(TEXT), score=0.1, highlights=[sentence, figure])


def _result(**changes: object) -> AnswerResult:
    fields: dict = dict(question="学位？", standalone_question="学位？", answer="新增学位2.7万个 [1]。<b>x</b>",
                        found=True, verified=True, citations=[_citation()], backend="local",
                        timings_ms={"total": 1234.0})
    return AnswerResult(**(fields | changes))


def test_nested_spans_become_nested_marks() -> None:
    out = highlight("abcdefgh", [(1, 6), (2, 4)], "hl")
    assert out == ('a<mark class="zz-hl zz-target" id="hl-0">b<mark class="zz-fig" id="hl-1">cd</mark>ef</mark>gh')


def test_overlapping_spans_are_clipped_and_text_escaped() -> None:
    out = highlight("<a>&bcdef", [(0, 3), (2, 6)], "m")
    assert out == ('<mark class="zz-hl zz-target" id="m-0">&lt;a<mark class="zz-fig" id="m-1">&gt;</mark></mark>'
                   "&amp;bcdef")


def test_the_sentence_mark_holds_the_whole_figure() -> None:
    html_ = sources_html(_result(), turn=0)
    assert '新增学位<mark class="zz-fig" id="src-0-1-1">2.7万个</mark>' in html_
    assert 'href="#zz-chat-0-1"' in html_ and "十项工作 › 民生" in html_


def test_answer_links_markers_escapes_html_and_shows_the_rewrite() -> None:
    html_ = answer_html(_result(standalone_question="2024年新增多少学位？"), turn=3)
    assert '<a class="zz-cite" href="#zz-chat-3-1"' in html_
    assert "&lt;b&gt;x&lt;/b&gt;" in html_ and "<b>x" not in html_
    assert "understood as: 2024年新增多少学位？" in html_
    assert "1.2 s" in html_


def test_not_found_fallback_and_unverified_are_marked() -> None:
    html_ = answer_html(_result(found=False, citations=[], answer="报告中没有找到这个问题的答案。"), turn=0)
    assert "报告未提及" in html_ and "Not in the report" in html_
    html_ = answer_html(_result(fallback_reason="the local backend timed out", verified=False), turn=0)
    assert "Fallback" in html_ and "the local backend timed out" in html_ and "not verified" in html_
