"""Every callback of the page and every route of the API, driven with wrong types, out-of-range indexes and
missing fields: each gets a clear message (a 4xx with one, or the page's own notice or error toast), never a
traceback or a 500, and the server goes on answering. Fake chain and checker, no models."""

from __future__ import annotations

import copy
import html
import inspect
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from app import App, pick_example
from bot.schema import CheckResult
from bot.serving.admission import Admission
from bot.serving.http import create_server
from index.figures import FigureRow
from tests.bot.test_api import FakeChain, FakeChecker
from ui.chat import Turn
from zzbot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
# Values of every JSON type, empty and extreme, for any field.
ODD_VALUES = [None, True, False, 0, -1, 999, 2.5, 1e308, "", " ", "\x00", "x" * 5000, "😀", [], [1], {}, {"a": 1},
              [{"role": "user"}], [[[]]]]


def _row() -> FigureRow:
    return FigureRow(row_id="r1", source="zhengzhou-2024-government-work-report.md", section="十项工作 > 民生",
                     subject="新增学位", figure="2.7万个", value=27000.0, unit="个", percent=False, qualifier="",
                     english="27,000", kind="target", sentence="新增学位2.7万个。", sentence_start=0, sentence_end=9,
                     start=4, end=9)


@pytest.fixture()
def app(tmp_path: Path) -> App:
    settings = load_settings(chroma={"path": tmp_path / "no-index"}, var_dir=tmp_path,
                             ui={"feedback_path": tmp_path / "feedback.jsonl"})
    app = App(settings, admission=Admission(limit=4))
    app.chain, app.checker = FakeChain(), FakeChecker()
    app.engine = SimpleNamespace(figure_rows=[_row()], searcher=SimpleNamespace(chunks=[]))
    return app


def outcome(callback: Any, *args: Any) -> str:
    """What the user reads after ``callback(*args)``: a gr.Error's message, or the text of what it showed (a
    generator is run to its end). Any other exception fails the test."""
    try:
        value = callback(*args)
        if inspect.isgenerator(value):
            value = list(value)[-1]
    except gr.Error as err:
        return f"error: {err.message}"
    return html.unescape(str(value))


def _answered(app: App) -> list[Turn]:
    updates = list(app.respond("新增多少学位？", [], "extractive", 3))
    turns = updates[-1][2]
    assert turns[0].result is not None and turns[0].error is None
    return turns


def _like(index: Any, liked: Any = True) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "x", "liked": liked})


def test_chat_callbacks_refuse_bad_input_clearly(app: App) -> None:
    turns = _answered(app)
    cases = [
        ((3, [], "extractive", 3), "the question must be text"),
        ((["q"], [], "extractive", 3), "the question must be text"),
        (("学位？", "turns", "extractive", 3), "not this page's"),
        (("学位？", [1, 2], "extractive", 3), "not this page's"),
        (("学位？", None, "extractive", 3), "not this page's"),
        (("学位？", [], "gpt5", 3), "'gpt5' is not one of"),
        (("学位？", [], None, 3), "None is not one of"),
        (("学位？", [], "extractive", 0), "between"),
        (("学位？", [], "extractive", 99), "between"),
        (("学位？", [], "extractive", "3"), "whole number"),
        (("学位？", [], "extractive", 2.5), "whole number"),
        (("学" * 5000, [], "extractive", 3), "limit is 2,000"),
    ]
    for args, says in cases:
        assert says in outcome(app.respond, *args), args
    for target, says in [("x", "no source 'x'"), ("1", "no source '1'"), ("0-1-2", "no source"), (None, "no source"),
                         (5, "no source"), ("-1-1", "no source"), ("99-1", "no answer 100; the chat has 1"),
                         ("0-99", "has no source [99]")]:
        assert says in outcome(app.show_chat_source, target, turns), target
    assert "not this page's" in outcome(app.show_chat_source, "0-1", "turns")
    shown = outcome(app.show_chat_source, "0-1", turns)
    assert not shown.startswith("error") and "report.md — [1]" in shown


def test_a_rating_of_an_answer_that_does_not_exist_is_a_clear_message(app: App) -> None:
    turns = _answered(app)
    for index in (999, 2, -1, "0", None, [0, 1], True, 2.5):
        shown = outcome(app.rate, turns, "", _like(index))
        assert f"no message {index!r} to rate; the chat has 2" in shown, index
    assert "A rating is 👍 or 👎, not 'maybe'" in outcome(app.rate, turns, "", _like(1, "maybe"))
    assert "the comment must be text" in outcome(app.rate, turns, 5, _like(1))
    assert "not this page's" in outcome(app.rate, {"0": 1}, "", _like(1))
    assert not app.settings.feedback_path.exists()  # nothing was written for any of them
    assert "feedback saved" in outcome(app.rate, turns, "good", _like(1))
    assert len(app.settings.feedback_path.read_text(encoding="utf-8").splitlines()) == 1


def test_check_figure_eval_and_example_callbacks_refuse_bad_input_clearly(app: App) -> None:
    for claim, says in [(3, "must be text"), (None, "must be text"), ("", "empty"), ("x" * 5000, "limit")]:
        assert says in outcome(app.check, claim), claim
    result = app.checker.check("新增学位3万个")
    for target, checked, says in [("x", result, "no source 'x'"), ("99", result, "has no source [99]"),
                                  ("1", None, "Check a claim first"), ("1", "result", "Check a claim first"),
                                  ("1-1", result, "no source")]:
        assert says in outcome(app.show_check_source, target, checked), (target, checked)
    assert isinstance(result, CheckResult) and "report.md — [1]" in outcome(app.show_check_source, "1", result)
    for query in (3, ["学位"], {"q": 1}):
        assert "the filter must be text" in outcome(app.figures, query)
        assert "the filter must be text" in outcome(app.export_figures, query)
    assert "1 / 1" in outcome(app.figures, None)
    for row_value, says in [(None, "no row None"), (["abc"], "no row 'abc'"), ([0], "no row 0"),
                            ([999], "no row 999; it has 1"), ([True], "no row True"), ("1", "no row None")]:
        data = gr.SelectData(None, {"index": [0, 0], "value": "x", "row_value": row_value})
        assert says in outcome(app.show_figure, data), row_value
    assert "2.7万个" in outcome(app.show_figure, gr.SelectData(None, {"index": [0, 0], "value": 1, "row_value": [1]}))
    for args, says in [(("gpt5", 10, False), "'gpt5' is not one of"), (("extractive", -1, False), "from 0 to 300"),
                       (("extractive", 301, False), "from 0 to 300"), (("extractive", 2.5, False), "whole number"),
                       (("extractive", "10", False), "whole number"), (("extractive", 10, "yes"), "true or false")]:
        assert says in outcome(app.run_eval, *args), args
    for sample in (3, [], [1], ["a", "b"], None):
        assert "no example" in outcome(pick_example, sample), sample
    assert pick_example(["学位？"]) == "学位？"


def test_a_full_line_says_busy_in_the_askers_language(app: App) -> None:
    places = [app.admission.enter() for _ in range(app.admission.limit)]
    chinese = list(app.respond("新增多少学位？", [], "extractive", 3))[-1][2][-1]
    english = list(app.respond("How many school places?", [], "extractive", 3))[-1][2][-1]
    assert chinese.result is None and chinese.error.startswith("服务器繁忙，请约") and "秒后再问" in chinese.error
    assert english.error.startswith("The server is busy; please ask again in about ")
    assert app.chain.calls == []
    for place in places:
        place.leave()
    assert _answered(app)[0].result is not None


# -- the API, through the whole server ------------------------------------------------------------

ROUTES = {
    "/v1/chat/completions": {"model": "zzbot", "stream": False, "backend": "extractive", "k": 3,
                             "messages": [{"role": "user", "content": "学位？"}]},
    "/api/ask": {"question": "学位？", "backend": "extractive", "k": 3, "history": []},
    "/api/check": {"claim": "新增学位3万个"},
}


def _fuzzed_bodies() -> list[tuple[str, Any]]:
    """Each route's good body with every field missing, or set to every odd value; and odd whole bodies."""
    bodies: list[tuple[str, Any]] = []
    for path, good in ROUTES.items():
        bodies += [(path, value) for value in ODD_VALUES]
        for name in good:
            bodies.append((path, {k: v for k, v in good.items() if k != name}))
            bodies += [(path, good | {name: value}) for value in ODD_VALUES]
        if path == "/v1/chat/completions":
            for name in ("role", "content"):
                for value in [*ODD_VALUES, "missing"]:
                    body = copy.deepcopy(good)
                    if value == "missing":
                        del body["messages"][0][name]
                    else:
                        body["messages"][0][name] = value
                    bodies.append((path, body))
    return bodies


def test_the_api_answers_every_odd_request_with_a_clear_4xx_and_keeps_serving(app: App) -> None:
    statuses: dict[int, int] = {}
    with TestClient(create_server(app), raise_server_exceptions=False) as client:
        for path, body in _fuzzed_bodies():
            for stream in (False, True) if path == "/v1/chat/completions" and isinstance(body, dict) else (False,):
                sent = body | {"stream": True} if stream else body
                response = client.post(path, json=sent)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500, (path, sent, response.text[:300])
                if response.status_code >= 400:
                    message = response.json()["error"]["message"]
                    assert message and "Traceback" not in message, (path, sent)
        assert client.get("/v1/models").json()["data"][0]["id"] == "zzbot"
        assert client.post("/api/ask", json=ROUTES["/api/ask"]).status_code == 200
        assert client.post("/v1/chat/completions", json=ROUTES["/v1/chat/completions"]).status_code == 200
        assert client.get("/").status_code == 200
    assert statuses.get(400, 0) > 100 and 500 not in statuses
    assert len(app.admission) == 0  # every admitted question gave its place back
