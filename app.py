"""The web UI and the HTTP API in one server: chat with cited and highlighted sources, fact-checking, the figure
table and the evaluation, and the API of ``bot.serving.api``, all answered by one engine.

This file is the page's layout and its callbacks only: the HTML is ``ui``'s, the server (security headers,
request limits, the API beside the page) ``bot.serving.http``'s. Run ``python app.py [--host H] [--port P]
[--backend B]``. Every callback checks what it is given (a page can send anything): a bad value gets a message
saying what is wrong, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import gradio as gr
import uvicorn

from bot.engine import Engine
from bot.options import validate_backend, validate_k
from bot.policy.chain import AnswerChain
from bot.schema import BotInputError, BotUnavailable, CheckResult, Citation
from bot.serving.admission import Admission, ServerBusy
from bot.serving.feedback import Rating, record_feedback
from bot.serving.http import create_server
from bot.understand.questions import detect_lang
from ui import page_assets
from ui.chat import Pending, Turn, chat_history, chat_messages
from ui.document import ReportViews
from ui.figures import FIGURE_HEADERS, figure_table
from ui.render import check_html, retrieved_html, sources_html, timings_html
from ui.text import busy_note, notice
from ui.warmup import Warmup
from zzbot.settings import BACKENDS, Settings, SettingsError, load_settings

log = logging.getLogger("app")

CHAT_EXAMPLES = [
    "今年新增学位多少个？",
    "how many new school seats in 2024?",
    "Who delivered the government work report?",
    "今年地区生产总值的预期增长目标是多少？",
    "郑州2024年的平均房价是多少？",
    "What is the average house price in Zhengzhou?",
]
CLAIM_EXAMPLES = [
    "今年郑州新建公园游园30个。",
    "Zhengzhou plans to add 30,000 new school seats in 2024.",
    "郑州今年居民消费价格涨幅控制在3%左右。",
    "郑州2024年将举办世界园艺博览会。",
]
EVAL_MAX_CASES = 300


def refuse(message: str) -> NoReturn:
    """Stop a callback with ``message`` shown to the user (Gradio's error toast)."""
    raise gr.Error(message)


def _text(value: object, what: str) -> str:
    """``value`` when it is text (None is empty text); else the callback is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        refuse(f"{what} must be text, got {type(value).__name__}")
    return value


def _turns(value: object) -> list[Turn]:
    if not isinstance(value, list) or not all(isinstance(turn, Turn) for turn in value):
        refuse("这个对话不是本页面的，请刷新页面 · This chat is not this page's; reload the page.")
    return value


def _target(value: object, parts: int) -> list[int]:
    """A link's target, "<turn>-<n>" (``parts`` 2) or "<n>" (1), as numbers; else the callback is refused."""
    pieces = value.split("-") if isinstance(value, str) else []
    if len(pieces) != parts or not all(piece.isdigit() for piece in pieces):
        refuse(f"没有这个来源 · There is no source {value!r}")
    return [int(piece) for piece in pieces]


def validate_cases(limit: object) -> int | None:
    """The eval tab's number of cases: a whole number from 0 (all) to EVAL_MAX_CASES; None for all."""
    whole = isinstance(limit, int) or (isinstance(limit, float) and limit.is_integer())
    if isinstance(limit, bool) or not whole or not 0 <= limit <= EVAL_MAX_CASES:  # type: ignore[operator]
        raise BotInputError(f"the number of cases must be a whole number from 0 to {EVAL_MAX_CASES}, got {limit!r}")
    return int(limit) or None  # type: ignore[arg-type]


def pick_example(sample: object) -> str:
    """The text of a clicked example (a Dataset sample: a list holding it)."""
    if not isinstance(sample, (list, tuple)) or len(sample) != 1 or not isinstance(sample[0], str):
        refuse(f"没有这个示例 · There is no example {sample!r}")
    return sample[0]


class App:
    def __init__(self, settings: Settings, admission: Admission | None = None) -> None:
        self.settings = settings
        self.engine = Engine(settings)
        self.chain = AnswerChain(self.engine)
        self.checker = self.chain.fact_checker
        self.warmup = Warmup(self.chain, settings.llm.backend)
        self.admission = admission if admission is not None else Admission(settings.ui.max_answers_in_flight)
        self.reports = ReportViews(lambda: self.engine.searcher.chunks, lambda: self.settings.documents)

    # -- chat ---------------------------------------------------------------------------------------

    def respond(self, message: str, turns: list[Turn], backend: str, k: float) -> Iterator[tuple[Any, ...]]:
        """Stream one answer; yields (textbox, chatbot, turns, sources, report, timings). The retrieved passages
        are shown as soon as they are found, the queue position while the model answers others."""
        message, turns = _text(message, "the question"), _turns(turns)
        if not message.strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = chat_history(turns)
        turn = Turn(message)
        turns = [*turns, turn]
        index = len(turns) - 1
        yield "", chat_messages(turns), turns, gr.skip(), gr.skip(), gr.skip()
        pending = Pending(message)
        try:
            options = {"backend": validate_backend(backend), "k": validate_k(k)}
            place = self.admission.enter()
            try:
                for event in self.chain.events(message, history, **options):
                    if event.kind == "final" and event.result is not None:
                        turn.result = event.result
                        break
                    if event.kind == "sources":
                        turn.retrieved = event.citations
                        yield gr.skip(), gr.skip(), turns, retrieved_html(message, event.citations, index), "", gr.skip()
                        continue
                    pending.update(event)
                    yield gr.skip(), chat_messages(turns, pending.html()), turns, gr.skip(), gr.skip(), gr.skip()
            finally:
                place.leave()
        except ServerBusy as busy:
            turn.error = busy_note(busy.retry_after_s, detect_lang(message))
        except (BotInputError, BotUnavailable) as err:
            turn.error = str(err)
        except Exception as err:  # noqa: BLE001 - the user sees a message, never a traceback
            log.exception("answering %r failed", message)
            turn.error = f"出错了 · Something went wrong: {err}"
        if turn.result is None and turn.error is None:
            turn.error = "the answer chain ended without a result"
        # The report panel showed an earlier answer's citation: cleared with the new answer's sources.
        yield gr.skip(), chat_messages(turns), turns, sources_html(turn.result, index), "", timings_html(turn.result)

    def show_chat_source(self, target: str, turns: list[Turn]) -> tuple[Any, Any]:
        """A click on [n] or "show in report": that answer's sources (or, while it is written, the retrieved
        passages), and the report at the citation."""
        turn, n = _target(target, 2)
        turns = _turns(turns)
        if turn >= len(turns):
            refuse(f"没有第{turn + 1}个回答 · There is no answer {turn + 1}; the chat has {len(turns)}")
        shown = turns[turn]
        citations = shown.result.citations if shown.result else shown.retrieved
        citation = next((c for c in citations if c.n == n), None)
        if citation is None:
            refuse(f"这个回答没有来源[{n}] · This answer has no source [{n}]")
        panel = (sources_html(shown.result, turn, focus=n) if shown.result
                 else retrieved_html(shown.question, citations, turn, focus=n))
        return panel, self.report_html(citation, f"hl-{turn}-{n}")

    def rate(self, turns: list[Turn], comment: str, data: gr.LikeData) -> tuple[Any, str]:
        """A 👍/👎 under an answer: the answer, its rating and the comment appended to the feedback file."""
        turns, comment = _turns(turns), _text(comment, "the comment")
        liked, index = getattr(data, "liked", None), getattr(data, "index", None)
        if liked not in (True, False):
            return gr.skip(), f"⚠️ 评价只能是👍或👎 · A rating is 👍 or 👎, not {liked!r}"
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index // 2 < len(turns):
            return gr.skip(), (f"⚠️ 没有这条消息可评价 · There is no message {index!r} to rate; "
                               f"the chat has {2 * len(turns)}")
        turn = turns[index // 2]
        if turn.result is None:
            return gr.skip(), "没有可评价的答案 · There is no answer to rate here."
        rating: Rating = "up" if liked else "down"
        try:
            record_feedback(self.settings.feedback_path, turn.result, rating, comment)
        except OSError as err:
            return gr.skip(), f"⚠️ 反馈未保存 · Feedback not saved: {err}"
        return "", f"谢谢！已记录 {'👍' if liked else '👎'} · Thanks, feedback saved."

    # -- the report ---------------------------------------------------------------------------------

    def report_html(self, citation: Citation, mark_id: str) -> str:
        return self.reports.at_citation(citation, mark_id)

    # -- fact check ---------------------------------------------------------------------------------

    def check(self, claim: str) -> tuple[str, CheckResult | None, str]:
        try:
            result = self.checker.check(claim)
        except (BotInputError, BotUnavailable) as err:
            return notice(str(err)), None, ""
        except Exception as err:  # noqa: BLE001
            log.exception("checking %r failed", claim)
            return notice(f"出错了 · Something went wrong: {err}"), None, ""
        return check_html(result), result, ""

    def show_check_source(self, target: str, result: CheckResult | None) -> Any:
        (n,) = _target(target, 1)
        if not isinstance(result, CheckResult):
            refuse("先核查一个说法 · Check a claim first; its sources are shown from its result")
        citation = next((c for c in result.citations if c.n == n), None)
        if citation is None:
            refuse(f"这个核查没有来源[{n}] · This check has no source [{n}]")
        return self.report_html(citation, f"hl-check-{citation.n}")

    # -- figures ------------------------------------------------------------------------------------

    def figures(self, query: str) -> tuple[Any, str]:
        """The figure table filtered by ``query``, and how many rows it shows."""
        query = _text(query, "the filter")
        try:
            rows = self.engine.figure_rows
        except BotUnavailable as err:
            return [], notice(str(err))
        table = figure_table(rows, query)
        return table, f'<div class="zz-meta" id="zz-figure-count">{len(table)} / {len(rows)}</div>'

    def export_figures(self, query: str) -> str:
        """The filtered figure table as a CSV file to download (with a BOM, so spreadsheets read the Chinese)."""
        from index.figures import matching, write_csv

        query = _text(query, "the filter")
        try:
            rows = matching(self.engine.figure_rows, query)
        except BotUnavailable as err:
            refuse(str(err))
        path = Path(tempfile.mkdtemp(prefix="zz-figures-")) / "figures.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            write_csv(rows, file)
        return str(path)

    def show_figure(self, data: gr.SelectData) -> Any:
        """A click on a row of the figure table: its sentence highlighted in the report, the figure inside."""
        row_value = getattr(data, "row_value", None)
        number = row_value[0] if isinstance(row_value, list) and row_value else None
        if isinstance(number, str) and number.isdigit():
            number = int(number)
        try:
            rows = self.engine.figure_rows
        except BotUnavailable as err:
            refuse(str(err))
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= len(rows):
            refuse(f"数字表没有第{number!r}行 · The figure table has no row {number!r}; it has {len(rows)}")
        row = rows[number - 1]
        sentence = (row.sentence_start, row.sentence_end)
        return self.reports.view(row.source, sentence, [sentence, (row.start, row.end)], f"fig-{number}", row.figure)

    # -- eval ---------------------------------------------------------------------------------------

    def run_eval(self, backend: str, limit: float, compare: bool,
                 progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 - gradio's idiom
                 ) -> tuple[str, list[str] | None, str | None]:
        """Run the evaluation dataset (``python -m eval run``) and show its summary and plots."""
        try:
            backend = validate_backend(backend)
            count = validate_cases(limit)
        except BotInputError as err:
            return notice(str(err)), None, None
        if not isinstance(compare, bool):
            return notice(f"compare must be true or false, got {compare!r}"), None, None
        try:
            from eval.dataset import DEFAULT_DATASET
            from eval.dataset import DatasetError, load_dataset
            from eval.report import headline_table
            from eval.runner import run, select_cases
        except ImportError as err:
            return notice(f"评测模块不可用 · The evaluation is not available in this build ({err})."), None, None
        progress(0, desc="loading models…")
        out = self.settings.var_dir / "eval" / datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            cases = select_cases(load_dataset(DEFAULT_DATASET), None, count)
            summary, report = run(cases, self.engine, out, compare_naive=compare, overrides={"llm.backend": backend},
                                  dataset=DEFAULT_DATASET, backend=backend, chain=self.chain)
        except (BotInputError, BotUnavailable, DatasetError) as err:
            return notice(str(err)), None, None
        except Exception as err:  # noqa: BLE001
            log.exception("the evaluation failed")
            return notice(f"评测失败 · The evaluation failed: {err}"), None, None
        header, rows = headline_table(summary)
        table = "\n".join("| " + " | ".join(row) + " |" for row in [header, ["---"] * len(header), *rows])
        run_info = summary["run"]
        text = (f"**{run_info['cases']} cases, {run_info['backend']} backend, {run_info['duration_s']} s** — "
                f"results in `{out}`\n\n{table}")
        return text, sorted(str(p) for p in out.glob("*.png")), str(report)

    # -- layout -------------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        # Gradio copies served files (the figures CSV) into one cache folder, /tmp/gradio by default: on a machine
        # where another user ran Gradio first, that folder is theirs and every download fails. Ours is ours.
        os.environ.setdefault("GRADIO_TEMP_DIR", str((self.settings.var_dir / "gradio").resolve()))
        with gr.Blocks(title="郑州政府工作报告问答 · Zhengzhou Report Q&A", analytics_enabled=False) as demo:
            with gr.Row():
                gr.Markdown("# 郑州市2024年政府工作报告问答 · Zhengzhou 2024 Government Work Report Q&A",
                            elem_id="zz-title")
                status = gr.HTML(self.warmup.html(), elem_id="zz-status-box")
            timer = gr.Timer(1.0)
            timer.tick(lambda: (self.warmup.html(), gr.Timer(active=self.warmup.state == "loading")),
                       outputs=[status, timer], show_progress="hidden", api_visibility="private")
            with gr.Tab("对话 · Chat"):
                self._chat_tab()
            with gr.Tab("事实核查 · Fact check"):
                self._check_tab()
            with gr.Tab("数字表 · Figures", elem_id="zz-figures-tab") as figures_tab:
                self._figures_tab(figures_tab)
            with gr.Tab("评测 · Eval"):
                self._eval_tab()
        return demo

    def _chat_tab(self) -> None:
        s = self.settings
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(height=520, show_label=False, elem_id="zz-chat",
                                     placeholder="问一个关于报告的问题 · Ask about the report")
                with gr.Row():
                    question = gr.Textbox(placeholder="输入问题，回车发送 · Type a question, press Enter",
                                          show_label=False, scale=5, elem_id="zz-question", autofocus=True)
                    send = gr.Button("发送 · Ask", variant="primary", scale=1, elem_id="zz-send")
                examples = gr.Dataset(components=[question], samples=[[q] for q in CHAT_EXAMPLES],
                                      label="试试这些问题 · Try these", elem_id="zz-examples")
                comment = gr.Textbox(placeholder="可选评论，然后点答案下的 👍/👎 · Optional comment, "
                                                 "then click 👍/👎 under an answer", show_label=False,
                                     elem_id="zz-comment")
                feedback_note = gr.Markdown(elem_id="zz-feedback-note")
            with gr.Column(scale=4):
                sources = gr.HTML(sources_html(None, 0), elem_id="zz-sources")
                report = gr.HTML(elem_id="zz-chat-report")
                with gr.Accordion("设置 · Settings", open=False, elem_id="zz-settings"):
                    backend = gr.Radio(list(BACKENDS), value=s.llm.backend, label="回答模型 · Backend")
                    k = gr.Slider(1, 12, value=s.retrieval.k, step=1, label="检索段落数 · Passages (top-k)")
                    timings = gr.HTML(timings_html(None))
        chat_target = gr.Textbox(visible="hidden")
        chat_go = gr.Button(visible="hidden", elem_id="zz-chat-go")
        # No limit of Gradio's own: a question waits in the chain's queue for the model, where the user sees the
        # passages found and the questions ahead, not in Gradio's queue, where they would see nothing.
        chat_io: dict[str, Any] = {"inputs": [question, turns, backend, k], "concurrency_limit": None,
                                   "outputs": [question, chatbot, turns, sources, report, timings], **_PRIVATE}
        gr.on([question.submit, send.click], self.respond, **chat_io)
        examples.click(pick_example, examples, question, **_PRIVATE).then(self.respond, **chat_io)
        chat_go.click(self.show_chat_source, [chat_target, turns], [sources, report],
                      js="(target, turns) => [window.zzTarget, turns]", **_PRIVATE
                      ).then(None, js="() => window.zzReveal('zz-chat-report')", **_PRIVATE)
        chatbot.like(self.rate, [turns, comment], [comment, feedback_note], **_PRIVATE)

    def _check_tab(self) -> None:
        checked = gr.State(None)
        with gr.Row():
            with gr.Column(scale=5):
                claim = gr.Textbox(label="要核查的说法 · A claim to check", lines=2, elem_id="zz-claim")
                check = gr.Button("核查 · Check", variant="primary", elem_id="zz-check")
                claim_examples = gr.Dataset(components=[claim], samples=[[c] for c in CLAIM_EXAMPLES],
                                            label="示例 · Examples")
                verdict = gr.HTML(elem_id="zz-check-result")
            with gr.Column(scale=4):
                check_report = gr.HTML(elem_id="zz-check-report")
        check_target = gr.Textbox(visible="hidden")
        check_go = gr.Button(visible="hidden", elem_id="zz-check-go")
        check_io: dict[str, Any] = {"inputs": claim, "outputs": [verdict, checked, check_report], **_PRIVATE}
        gr.on([claim.submit, check.click], self.check, **check_io)
        claim_examples.click(pick_example, claim_examples, claim, **_PRIVATE).then(self.check, **check_io)
        check_go.click(self.show_check_source, [check_target, checked], check_report,
                       js="(target, result) => [window.zzTarget, result]", **_PRIVATE
                       ).then(None, js="() => window.zzReveal('zz-check-report')", **_PRIVATE)

    def _figures_tab(self, tab: gr.Tab) -> None:
        gr.Markdown("报告中的每个数字：说的是什么、数值、单位和限定词。点击一行可在报告中查看。· Every figure in the "
                    "report: what it counts, its value and qualifier. Click a row to see it in the report.")
        with gr.Row():
            with gr.Column(scale=5):
                with gr.Row():
                    query = gr.Textbox(placeholder="筛选，如 学位 或 GDP · Filter, e.g. 学位 or school", show_label=False,
                                       scale=4, elem_id="zz-figure-filter")
                    export = gr.Button("导出 CSV · Export CSV", scale=1, elem_id="zz-figure-export")
                count = gr.HTML(elem_id="zz-figure-count-box")
                table = gr.Dataframe(headers=FIGURE_HEADERS, datatype="str", type="array", interactive=False,
                                     wrap=True, max_height=560, elem_id="zz-figure-table",
                                     column_widths=["7%", "25%", "13%", "17%", "10%", "8%", "20%"])
                download = gr.File(label="CSV", visible=True, elem_id="zz-figure-csv")
            with gr.Column(scale=4):
                figure_report = gr.HTML(elem_id="zz-figure-report")
        gr.on([tab.select, query.change], self.figures, query, [table, count], trigger_mode="always_last",
              **_PRIVATE)
        export.click(self.export_figures, query, download, **_PRIVATE)
        table.select(self.show_figure, None, figure_report, **_PRIVATE
                     ).then(None, js="() => window.zzReveal('zz-figure-report')", **_PRIVATE)

    def _eval_tab(self) -> None:
        gr.Markdown("在评测集上运行问答并打分（同 `python -m eval run`）· Answer and score the evaluation "
                    "dataset, like `python -m eval run`.")
        with gr.Row():
            eval_backend = gr.Radio(list(BACKENDS), value="extractive", label="回答模型 · Backend")
            limit = gr.Slider(0, EVAL_MAX_CASES, value=30, step=10, label="题数（0 = 全部）· Cases (0 = all)")
            compare = gr.Checkbox(label="对比基线 · Compare with the naive baseline")
        run_eval = gr.Button("运行评测 · Run the evaluation", variant="primary", elem_id="zz-eval-run")
        eval_summary = gr.Markdown(elem_id="zz-eval-summary")
        plots = gr.Gallery(label="图表 · Plots", columns=3, height=400, object_fit="contain")
        eval_report = gr.File(label="报告 · Report (HTML)")
        run_eval.click(self.run_eval, [eval_backend, limit, compare], [eval_summary, plots, eval_report],
                       concurrency_limit=1, **_PRIVATE)


# Events of the page only: not part of any API (the HTTP API is bot.serving.api's).
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the Zhengzhou 2024 government work report (web UI and "
                                                 "HTTP API).")
    parser.add_argument("--host", help="address to listen on (default: settings ui.host)")
    parser.add_argument("--port", type=int, help="port (default: settings ui.port)")
    parser.add_argument("--backend", choices=BACKENDS, help="default answer backend (default: settings llm.backend)")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.host or args.port:
        overrides["ui"] = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    if args.backend:
        overrides["llm"] = {"backend": args.backend}
    try:
        settings = load_settings(**overrides)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = App(settings)
    app.warmup.start()
    css, head = page_assets()
    server = create_server(app, css=css, head=head)
    log.info("serving the UI on http://%s:%d/ and the API under /v1 and /api", settings.ui.host, settings.ui.port)
    uvicorn.run(server, host=settings.ui.host, port=settings.ui.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
