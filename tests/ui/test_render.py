"""How the UI renders answers, sources, the report and the figure table (no models needed)."""

from __future__ import annotations

import html
import re

from bot.schema import AnswerResult, Citation, FigureCheck, RuleStep, StreamEvent
from index.figures import FigureRow
from ui.chat import Pending, Turn, chat_messages
from ui.document import highlight, markdown_blocks, render_document
from ui.figures import figure_table
from ui.render import answer_html, sources_html
from ui.text import chat_text, queue_note

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


def test_computed_answers_show_their_working() -> None:
    html_ = answer_html(_result(working="2.7万 + 1.5万 = 4.2万"), turn=0)
    assert 'class="zz-working"' in html_ and "2&#46;7万 &#43; 1&#46;5万 &#61; 4&#46;2万" in html_


HOSTILE = ('![x](http://127.0.0.1:9/x.png) <img src=http://127.0.0.1:9/y.png onerror="alert(1)"> '
           "[a](javascript:alert(1))")


def test_chat_text_leaves_no_markup_for_the_chatbot_markdown() -> None:
    out = chat_text(HOSTILE + " **b** `c` $x$ www.example.com a@b.cn it's &amp; &#x27;")
    # No character that Markdown or an autolinker acts on is left; the browser shows the text as typed.
    assert not set(out) & set("<>\"'[]()!*`$:@.")
    assert html.unescape(out) == HOSTILE + " **b** `c` $x$ www.example.com a@b.cn it's &amp; &#x27;"


def test_questions_answers_and_passages_in_the_chat_are_inert() -> None:
    result = _result(question=HOSTILE, answer=f"{HOSTILE} [1] [7]")
    user, bot = chat_messages([Turn(HOSTILE, result=result)])
    for shown in (user["content"], bot["content"]):
        assert "<img" not in shown and "![" not in shown and "](" not in shown and "javascript:" not in shown
    # the one link is the citation's; an [n] without a citation stays text
    assert bot["content"].count("<a ") == 1 and 'href="#zz-chat-0-1"' in bot["content"]
    assert "&#91;7&#93;" in bot["content"]


def test_waiting_shows_the_queue_and_the_draft() -> None:
    assert queue_note(0) == "" and queue_note(None) == ""
    assert queue_note(2) == "前面还有2个问题 · 2 questions ahead of you" and "1 question ahead" in queue_note(1)
    pending = Pending("学位？")
    pending.update(StreamEvent("queue", text="2 ahead", position=2))
    assert 'id="zz-queue"' in pending.html() and "前面还有2个问题" in pending.html()
    pending.update(StreamEvent("token", text="新增<b>"))
    assert "zz-queue" not in pending.html() and "新增&lt;b&gt;" in pending.html()
    pending.update(StreamEvent("replace", text="换"))
    assert pending.html().startswith("换")


REPORT = "# 标题\n\n第一段<script>x</script>。\n第二行。\n\n#### 8 民生\n新增学位2.7万个。加快建设。\n\n##\n#不是标题\n"


def test_markdown_blocks_are_headings_and_paragraphs_with_exact_offsets() -> None:
    blocks = markdown_blocks(REPORT)
    assert [(b.tag, REPORT[b.start:b.end]) for b in blocks] == [
        ("h1", "标题"), ("p", "第一段<script>x</script>。\n第二行。"), ("h4", "8 民生"), ("p", "新增学位2.7万个。加快建设。"),
        ("p", "##\n#不是标题"),
    ]


def test_the_rendered_report_escapes_everything_and_marks_the_citation() -> None:
    start = REPORT.index("新增")
    sentence, figure = (start, start + 10), (start + 4, start + 9)
    out = render_document(REPORT, markdown_blocks(REPORT), (start, start + 15), [sentence, figure], "hl")
    assert out.startswith("<h1>标题</h1><p>第一段&lt;script&gt;x&lt;/script&gt;。\n第二行。</p><h4>8 民生</h4>")
    assert ('<p><span class="zz-in-passage"><mark class="zz-hl zz-target" id="hl-0">新增学位'
            '<mark class="zz-fig" id="hl-1">2.7万个</mark>。</mark>加快建设。</span></p>') in out
    assert "#" not in out.replace("##\n#不是标题", "")  # heading marks are gone, a non-heading keeps its #
    assert set(re.findall(r"</?(\w+)", out)) <= {"h1", "h4", "p", "span", "mark"}


def test_a_passage_across_blocks_has_one_scroll_target_and_unique_ids() -> None:
    start, end = REPORT.index("第二行"), REPORT.index("加快")
    out = render_document(REPORT, markdown_blocks(REPORT), (start, end), [(start, end)], "m")
    assert out.count("zz-target") == 1 and out.count('class="zz-in-passage"') == 3
    ids = re.findall(r'id="(m-\d+)"', out)
    assert ids == ["m-0", "m-1", "m-2"]


def _row(subject: str, figure: str, **changes: object) -> FigureRow:
    fields: dict = dict(row_id=subject, source="report.md", section="十项工作 > 民生", subject=subject, figure=figure,
                        value=27000.0, unit="个", percent=False, qualifier="", english="27,000", kind="target",
                        sentence=f"{subject}{figure}。", sentence_start=10, sentence_end=20, start=14, end=19)
    return FigureRow(**(fields | changes))


def test_the_figure_table_keeps_each_row_number_when_filtered() -> None:
    rows = [_row("新增学位", "2.7万个"), _row("研发投入强度", "2.8%", english="2.8%", kind="result"),
            _row("新建学校", "10所", section="十项工作 > 教育")]
    assert [r[0] for r in figure_table(rows, "")] == [1, 2, 3]
    assert figure_table(rows, "学校") == [[3, "新建学校", "10所", "27,000", "", "target", "教育"]]
    assert [r[0] for r in figure_table(rows, "RESULT")] == [2]


def test_a_source_card_shows_its_heading_as_a_heading() -> None:
    text = "#### 8 民生\n新增学位2.7万个。"
    citation = Citation(n=2, chunk_id="c", source="r.md", section="民生", text=text, start=50, end=50 + len(text),
                        score=0.1, highlights=[(60, 70)])
    card = sources_html(_result(citations=[citation]), turn=1)
    assert "<h4>" in card and "####" not in card
    assert '<mark class="zz-hl zz-target" id="src-1-2-0">新增学位2.7万个。</mark>' in card


TRACE = [RuleStep("question_in_scope", "before", "passed", "the question names the report's year"),
         RuleStep("names_something_in_report", "route", "decided", "no passage names <房价> (house price)",
                  "报告没有提到房价。")]


def test_why_this_answer_lists_each_rule_folded_and_nothing_without_a_trace() -> None:
    html_ = answer_html(_result(trace=TRACE), turn=0)
    why = re.search(r'<details class="zz-why"><summary>为什么是这个回答 · Why this answer</summary><ol>(.*?)</ol>'
                    r"</details>", html_)
    assert why and "open" not in why.group(0)  # folded
    steps = re.findall(r"<li[^>]*>(.*?)</li>", why.group(1))
    assert len(steps) == 2
    texts = [html.unescape(re.sub(r"<[^>]+>", "", step)) for step in steps]
    assert texts[0] == "question_in_scope · before · passed — the question names the report's year"
    assert texts[1] == "names_something_in_report · route · decided — no passage names <房价> (house price)"
    assert "<房价>" not in html_  # the developer's reason is escaped like any text
    assert "zz-why" not in answer_html(_result(), turn=0) and "Why this answer" not in answer_html(_result(), turn=0)


def test_the_deciding_rules_own_words_replace_the_developer_reason() -> None:
    refusal = _result(found=False, citations=[], answer="报告未提及。", trace=TRACE,
                      fallback_reason="no passage names the thing asked about")
    html_ = answer_html(refusal, turn=0)
    reason = re.search(r'<div class="zz-reason">(.*?)</div>', html_)
    assert reason and html.unescape(reason.group(1)) == "报告没有提到房价。"
    main_view = html_.split('<details class="zz-why">')[0]
    assert "no passage names" not in main_view and "no passage names" in html_  # the reason stays in the details
    assert "报告没有提到房价。" in html.unescape(sources_html(refusal, turn=0))
    # A deciding rule with nothing to say to the asker leaves the fallback reason as it was.
    silent = [RuleStep("figures_in_passages", "after", "decided", "the figure 3万 is in no passage")]
    html_ = answer_html(_result(trace=silent, fallback_reason="the local backend timed out"), turn=0)
    assert "the local backend timed out" in html_.split('<details class="zz-why">')[0]


def test_figures_verified_needs_the_subject_confirmed_too() -> None:
    figures = [FigureCheck("2.7万个", True, 1)]
    confirmed = answer_html(_result(figures=figures), turn=0)
    assert "figures verified" in confirmed and "subject not confirmed" not in confirmed
    unconfirmed = answer_html(_result(figures=figures, subject_confirmed=False), turn=0)
    assert "figures verified" not in unconfirmed
    assert "数字已找到，主体未确认 · figure found, subject not confirmed" in unconfirmed
    unverified = answer_html(_result(figures=figures, verified=False, subject_confirmed=False), turn=0)
    assert "figures NOT verified" in unverified and "subject not confirmed" not in unverified
    no_figures = answer_html(_result(subject_confirmed=False), turn=0)
    assert "verified" not in no_figures and "subject not confirmed" not in no_figures
