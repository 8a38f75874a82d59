"""The command lines as the eval and outside scripts call them: a process of their own. The answers run on the
real models; bad input and bad settings are refused (one line on stderr, exit 2) before any model loads."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.documents import load_document

ROOT = Path(__file__).resolve().parents[2]
HISTORY = [{"role": "user", "content": "新能源汽车产量力争达到多少辆？"},
           {"role": "assistant", "content": "力争新能源汽车产量超70万辆[1]。"}]


@pytest.fixture(scope="module")
def ask(engine):  # the models: only the tests that use this fixture need them
    """Runs `bot ask` against the session's index."""
    env = {**os.environ, "ZZBOT_CHROMA__PATH": str(engine.settings.chroma.path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "ask", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)

    return run


@pytest.mark.models
def test_json_output_of_a_follow_up(ask, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps(HISTORY, ensure_ascii=False), encoding="utf-8")
    result = ask("那全部汽车的产量呢？", "--history", str(history), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"question", "standalone_question", "answer", "found", "verified", "citations", "backend",
            "timings_ms"} <= answer.keys()
    assert answer["standalone_question"] != answer["question"] and "汽车" in answer["standalone_question"]
    assert answer["found"] and "140万" in answer["answer"]
    assert {"rewrite", "retrieve", "generate", "total"} <= answer["timings_ms"].keys()
    report = (ROOT / "data" / "zhengzhou-2024-government-work-report.md").read_text(encoding="utf-8")
    for c in answer["citations"]:
        assert report[c["start"]:c["end"]] == c["text"]


@pytest.mark.models
def test_readable_output_shows_the_answer_once_then_its_sources(ask):
    result = ask("今年新增学位多少个？")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("2.7万") == 2  # the streamed answer, and the cited passage
    assert "Sources:" in result.stdout and "[1] zhengzhou-2024-government-work-report.md" in result.stdout


def run_cli(module: str, *args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` on an empty index of its own (nothing here may need one)."""
    environment = {**os.environ, "ZZBOT_CHROMA__PATH": str(tmp_path / "chroma"), **env}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def refused(result: subprocess.CompletedProcess[str], expected: str, code: int = 2) -> str:
    """The run failed with ``code`` and one line on stderr holding ``expected``; returns that line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0] and lines[0].startswith("error: ")
    assert result.returncode == code, (result.returncode, result.stderr)
    return lines[0]


SETTINGS_FILES = {
    "missing": None,
    "invalid": "retrieval: {k: [1,\n",
    "not_a_mapping": "- retrieval\n- llm\n",
    "unknown_key": "retrieval:\n  kk: 3\n",
}


@pytest.mark.parametrize(("env", "expected"), [
    ({"ZZBOT_RETRIEVAL__K": "abc"}, "retrieval.k: 'abc' is not a whole number (from ZZBOT_RETRIEVAL__K)"),
    ({"ZZBOT_LLM__BACKEND": "gpt5"}, "llm.backend: 'gpt5' is not one of local, openai, extractive"),
    ({"ZZBOT_PROFILE": "nope"}, "ZZBOT_PROFILE: 'nope' is not one of default, test"),
    ({"ZZBOT_SETTINGS_FILE": "missing"}, "ZZBOT_SETTINGS_FILE: "),
    ({"ZZBOT_SETTINGS_FILE": "invalid"}, "not valid YAML at line 2"),
    ({"ZZBOT_SETTINGS_FILE": "not_a_mapping"}, "not a mapping of settings"),
    ({"ZZBOT_SETTINGS_FILE": "unknown_key"}, "retrieval.kk: unknown setting"),
])
def test_bad_settings_are_one_line_in_bot(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    if "ZZBOT_SETTINGS_FILE" in env:
        path = tmp_path / "settings.yaml"
        text = SETTINGS_FILES[env["ZZBOT_SETTINGS_FILE"]]
        if text is not None:
            path.write_text(text, encoding="utf-8")
        env = {"ZZBOT_SETTINGS_FILE": str(path)}
    refused(run_cli("bot", "search", "新增多少个学位？", tmp_path=tmp_path, **env), expected)


@pytest.mark.parametrize("command", [("index", "status"), ("index", "build", "--quiet"), ("eval", "validate"),
                                     ("eval", "run", "--limit", "1")])
def test_bad_settings_are_one_line_in_index_and_eval(tmp_path: Path, command: tuple[str, ...]) -> None:
    refused(run_cli(*command, tmp_path=tmp_path, ZZBOT_LLM__BACKEND="gpt5"),
            "llm.backend: 'gpt5' is not one of local, openai, extractive")
    refused(run_cli(*command, tmp_path=tmp_path, ZZBOT_SETTINGS_FILE=str(tmp_path / "missing.yaml")),
            "ZZBOT_SETTINGS_FILE: ")


def test_a_bad_eval_set_value_names_the_setting(tmp_path: Path) -> None:
    refused(run_cli("eval", "run", "--limit", "1", "--set", "k=0", tmp_path=tmp_path),
            "retrieval.k: 0 is out of range: it must be between 1 and 50")


@pytest.mark.parametrize("command", ["search", "ask"])
@pytest.mark.parametrize("k", ["-1", "0", "1000000"])
def test_k_out_of_range_is_refused_not_clamped(tmp_path: Path, command: str, k: str) -> None:
    refused(run_cli("bot", command, "新增多少个学位？", "--k", k, tmp_path=tmp_path),
            f"--k must be between 1 and 50, got {k}")


def _ask_with_history(tmp_path: Path, history: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("bot", "ask", "那全部汽车的产量呢？", "--history", str(history), tmp_path=tmp_path)


def test_a_malformed_history_file_is_a_clear_error(tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text("[{\"role\": \"user\"", encoding="utf-8")
    refused(_ask_with_history(tmp_path, history), f"history file {history} is not valid JSON")
    history.write_text("{\"role\": \"user\"}", encoding="utf-8")
    refused(_ask_with_history(tmp_path, history), "the history must be a list")


def test_a_history_that_is_a_folder(tmp_path: Path) -> None:
    refused(_ask_with_history(tmp_path, tmp_path), f"history file {tmp_path} is a folder")


def test_a_history_nested_too_deeply(tmp_path: Path) -> None:
    history = tmp_path / "deep.json"
    history.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    refused(_ask_with_history(tmp_path, history), "is nested too deeply")


def test_a_history_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    history = tmp_path / "huge.json"
    with history.open("wb") as f:
        f.truncate(62_000_000)  # sparse: reading it would take the memory; its size alone refuses it
    line = refused(_ask_with_history(tmp_path, history), "is 62,000,000 bytes; the limit is")
    assert "the limit is 1,200,000" in line  # question_max_chars 2000 × 2 × 50 messages × 6 bytes


def test_an_empty_claim_is_bad_input(tmp_path: Path) -> None:
    refused(run_cli("bot", "check", "", tmp_path=tmp_path), "the claim is empty; give a statement about the report")


@pytest.mark.parametrize(("content", "expected"), [
    (None, "is a folder"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary, not text"),
    (b"\xb9\xfe\xd6\xdd 2024", "is not UTF-8 text"),
    (b"", "has no claims"),
])
def test_a_claims_file_that_cannot_be_used(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path
    if content is not None:
        path = tmp_path / "claims.txt"
        path.write_bytes(content)
    refused(run_cli("bot", "check", "--file", str(path), tmp_path=tmp_path), expected)


def test_help_lists_the_exit_codes(tmp_path: Path) -> None:
    result = run_cli("bot", "--help", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "exit codes:" in result.stdout and "2  bad input" in result.stdout and "3  unavailable" in result.stdout


# -- many questions in one process: bot ask --file ------------------------------------------------------


def _questions_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.models
def test_a_questions_file_gets_one_json_line_per_question_and_errors_for_bad_lines(ask, tmp_path):
    path = _questions_file(tmp_path, [
        "今年新增学位多少个？",
        json.dumps({"id": "follow-up", "question": "那全部汽车的产量呢？", "history": HISTORY}, ensure_ascii=False),
        "{\"id\": \"broken\", \"question\": ",
        json.dumps({"id": 7, "history": []}),
        json.dumps({"id": "too-long", "question": "问" * 20_000}, ensure_ascii=False),
        "",
        "How many new school seats will the urban area add in 2024?",
    ])
    result = ask("--file", str(path), "--json", "--backend", "extractive")

    assert result.returncode == 2, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [1, "follow-up", 3, 7, "too-long", 7]
    answered = [r for r in records if "error" not in r]
    assert [r["id"] for r in answered] == [1, "follow-up", 7]
    assert "2.7万" in answered[0]["answer"] and answered[0]["backend"] == "extractive"
    assert answered[2]["found"] and "新增学位2.7万个" in answered[2]["citations"][0]["text"]
    assert "汽车" in answered[1]["standalone_question"]
    errors = {r["id"]: r["error"] for r in records if "error" in r}
    assert set(errors) == {3, 7, "too-long"} and all(set(r) == {"id", "error"} for r in records if "error" in r)
    assert "not valid JSON" in errors[3] and "\"question\"" in errors[7] and "20,000 characters" in errors["too-long"]
    assert "Traceback" not in result.stderr and "questions: 100%" in result.stderr  # the progress bar
    assert "error: 3 of 6 questions could not be answered" in result.stderr


@pytest.mark.models
def test_a_questions_file_read_as_text_by_a_person(ask, tmp_path):
    path = _questions_file(tmp_path, ["今年新增学位多少个？", "郑州今年打算新建多少公里供水管网？"])
    result = ask("--file", str(path), "--backend", "extractive")
    assert result.returncode == 0, result.stderr
    # each answer under its line number and the question as answered (NFKC: ？ is ?)
    assert result.stdout.startswith("[1] 今年新增学位多少个?\n") and "\n[2] 郑州今年打算新建多少公里供水管网?\n" in result.stdout
    assert "2.7万" in result.stdout and "85公里" in result.stdout and "zhengzhou-2024-government-work-report.md" in result.stdout


@pytest.mark.parametrize(("args", "content", "expected"), [
    ((), None, "give one question, or --file FILE"),
    (("2024年新增多少个学位？", "--file", "{path}"), "问题\n", "give one question, or --file FILE"),
    (("--file", "{path}", "--history", "{path}"), "问题\n", "--history is for one question"),
    (("--file", "{path}"), "\n\n  \n", "has no questions"),
    (("--file", "{path}"), b"\xb9\xfe\xd6\xdd", "is not UTF-8 text"),
    (("--file", "{tmp}"), None, "is a folder"),
])
def test_a_questions_file_that_cannot_be_used(tmp_path: Path, args: tuple[str, ...], content, expected: str) -> None:
    path = tmp_path / "questions.txt"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    argv = [a.format(path=path, tmp=tmp_path) for a in args]
    refused(run_cli("bot", "ask", *argv, tmp_path=tmp_path), expected)


# -- zzbot ask: stdout holds only the checked answer ----------------------------------------------------------


class ScriptedChain:
    """Streams a draft that the checks then replace (as the real chain does when a figure fails its check),
    then the final result."""

    def __init__(self, draft: list[str], replacement: str | None, final: str) -> None:
        self.draft, self.replacement, self.final = draft, replacement, final

    def events(self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None):
        from bot.schema import AnswerResult, StreamEvent

        yield StreamEvent("queue", text="1 question ahead", position=1)
        yield from (StreamEvent("token", text=piece) for piece in self.draft)
        if self.replacement is not None:
            yield StreamEvent("replace", text=self.replacement)
        yield StreamEvent("final", result=AnswerResult(
            question=question, standalone_question=question, answer=self.final, found=True, verified=True,
            citations=[], backend="local", timings_ms={}))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("replaced", [True, False])
def test_ask_prints_only_the_checked_answer(capsys, replaced):
    from bot.__main__ import DraftNote, _stream_answer

    final = "新增学位2.7万个[1]。"
    chain = ScriptedChain(["新增学位", "3万个[2]。" if replaced else "2.7万个[1]。"],
                          final if replaced else None, final)
    _stream_answer(chain, "新增多少个学位？", [], None, DraftNote(sys.stderr, verbose=False))
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == final and out.count(final) == 1
    assert "3万" not in out and "replaced" not in out and "3万" not in err  # nothing of the draft anywhere


def test_ask_verbose_shows_the_draft_and_its_replacement_on_stderr(capsys):
    from bot.__main__ import DraftNote, _stream_answer

    chain = ScriptedChain(["新增学位", "3万个[2]。"], "新增学位2.7万个[1]。", "新增学位2.7万个[1]。")
    _stream_answer(chain, "新增多少个学位？", [], None, DraftNote(sys.stderr, verbose=True))
    out, err = capsys.readouterr()
    assert err == "draft: 新增学位3万个[2]。\nreplaced by the checks with: 新增学位2.7万个[1]。\n"
    assert "3万" not in out and out.splitlines()[0] == "新增学位2.7万个[1]。"


def test_ask_on_a_terminal_shows_how_far_the_draft_is_then_erases_it(capsys):
    from bot.__main__ import DraftNote, _stream_answer

    terminal = Terminal()
    chain = ScriptedChain(["新增学位", "3万个[2]。"], "新增学位2.7万个[1]。", "新增学位2.7万个[1]。")
    _stream_answer(chain, "新增多少个学位？", [], None, DraftNote(terminal, verbose=False))
    shown = terminal.getvalue()
    assert "1 question ahead" in shown and "(2 tokens" in shown and "3万" not in shown
    assert shown.endswith("\r\033[K")  # the line is erased before the answer is printed
    assert capsys.readouterr().out.splitlines()[0] == "新增学位2.7万个[1]。"


# -- zzbot check: claims, in a file or one at a time ------------------------------------------------------------


def test_a_claims_file_reports_each_bad_line_and_checks_the_rest(tmp_path, monkeypatch, capsys):
    import bot.__main__ as cli
    from bot.engine import Engine
    from index.store import ChunkStore
    from tests.index.fakes import SMALL, fake_embedder, fake_settings, write

    settings = fake_settings(tmp_path / "chroma")
    store = ChunkStore(settings, fake_embedder())
    store.sync([load_document(write(tmp_path, "small.md", SMALL))])
    monkeypatch.setattr(cli, "Engine", lambda _settings: Engine(settings, embedder=store.embedder, store=store))
    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join([
        "新增学位3000个", "{\"claim\": ", json.dumps({"claim": ""}), "", json.dumps({"id": 4}),
        "问" * 2001, json.dumps({"claim": "新建公园20个"}, ensure_ascii=False)]) + "\n", encoding="utf-8")

    assert cli.main(["check", "--file", str(claims), "--json"]) == 2
    out, err = capsys.readouterr()
    records = json.loads(out)
    assert [r["line"] for r in records] == [1, 2, 3, 5, 6, 7]
    errors = {r["line"]: r["error"] for r in records if "error" in r}
    assert errors == {
        2: "line 2 starts with { but is not valid JSON",
        3: "line 3: the claim is empty; give a statement about the report to check",
        5: "line 5: a JSON line needs a \"claim\" or \"question\" string",
        6: "line 6: the claim is 2,001 characters long; the limit is 2,000. Check a shorter claim"}
    checked = [r for r in records if "error" not in r]
    assert [r["claim"] for r in checked] == ["新增学位3000个", "新建公园20个"]
    assert all(r["verdict"] in ("supported", "contradicted", "not_in_report") for r in checked)
    assert err.splitlines() == ["error: 4 of 6 claims could not be checked"]


def test_a_claims_file_of_only_bad_lines_loads_nothing(tmp_path: Path) -> None:
    claims = tmp_path / "claims.txt"
    claims.write_text("{\"claim\": \n" + json.dumps({"claim": "  "}) + "\n" + "{\"claim\": " * 100_000 + "\n",
                      encoding="utf-8")
    result = run_cli("bot", "check", "--file", str(claims), tmp_path=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == ["error: 3 of 3 claims could not be checked"]
    assert "line 1 starts with { but is not valid JSON" in result.stdout
    assert "line 2: the claim is empty" in result.stdout
    assert "line 3 starts with { but is not valid JSON" in result.stdout  # nested too deeply to read
    assert len(result.stdout) < 2000  # a bad line is named, not printed whole


def test_a_claim_too_long_is_named_a_claim(tmp_path: Path) -> None:
    refused(run_cli("bot", "check", "问" * 2001, tmp_path=tmp_path),
            "the claim is 2,001 characters long; the limit is 2,000. Check a shorter claim")


# -- zzbot figures: the table without a model --------------------------------------------------------------------


def test_figures_are_read_without_loading_a_model(tmp_path: Path) -> None:
    from tests.index.fakes import SMALL, build_and_close, fake_env, fake_settings, write

    settings = fake_settings(tmp_path / "chroma")
    build_and_close(settings, write(tmp_path, "small.md", SMALL))
    # The fake embedder's name names no model that could load: a command that loads one fails.
    script = ("import json, sys\nfrom bot.__main__ import main\ncode = main(['figures', '--json'])\n"
              "heavy = [m for m in ('torch', 'sentence_transformers', 'llama_cpp', 'langchain_core') if m in sys.modules]\n"
              "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **fake_env(settings.chroma_path)},
                            capture_output=True, text=True, timeout=120)
    assert json.loads(result.stderr.splitlines()[-1]) == {"code": 0, "heavy": []}, result.stderr
    rows = json.loads(result.stdout)
    assert {row["figure"] for row in rows} >= {"3000个", "12个", "突破5万辆"}
    assert all(row["source"] == "small.md" for row in rows)


def test_figures_of_an_empty_index_say_how_to_build_it(tmp_path: Path) -> None:
    refused(run_cli("bot", "figures", tmp_path=tmp_path), "is empty: no document has been indexed yet", code=3)


@pytest.mark.models
@pytest.mark.parametrize("command", [("search", "新增多少个学位？"), ("ask", "新增多少个学位？", "--backend", "extractive"),
                                     ("check", "今年完成营造林5万亩")], ids=lambda c: c[0])
def test_an_answer_into_a_closed_pipe_ends_quietly(engine, command):
    """`zzbot ask … | head -1` with the reader gone before the first write: exit 141, nothing on stderr."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["ZZBOT_CHROMA__PATH"] = str(engine.settings.chroma.path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "bot", *command], cwd=ROOT, env=env, stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=600)
    finally:
        os.close(write_end)
    assert result.returncode in (0, 141) and "Traceback" not in result.stderr and "Errno 32" not in result.stderr
