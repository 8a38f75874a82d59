"""The command lines as the eval and outside scripts call them: a process of their own. The answers run on the
real models; bad input and bad settings are refused (one line on stderr, exit 2) before any model loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HISTORY = [{"role": "user", "content": "新能源汽车产量目标是多少？"},
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
    result = ask("市区今年新增学位多少个？")
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
    refused(run_cli("bot", "check", "", tmp_path=tmp_path), "the question is empty")


@pytest.mark.parametrize(("content", "expected"), [
    (None, "is a folder"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary, not text"),
    (b"\xb9\xfe\xd6\xdd 2024", "is not UTF-8 text"),
    (b"", "has no claims"),
    (("{\"claim\": " * 100_000).encode(), ":1: a JSON line needs a \"claim\" or \"question\" field"),
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
        "市区今年新增学位多少个？",
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
    path = _questions_file(tmp_path, ["市区今年新增学位多少个？", "郑州今年打算新建多少公里供水管网？"])
    result = ask("--file", str(path), "--backend", "extractive")
    assert result.returncode == 0, result.stderr
    # each answer under its line number and the question as answered (NFKC: ？ is ?)
    assert result.stdout.startswith("[1] 市区今年新增学位多少个?\n") and "\n[2] 郑州今年打算新建多少公里供水管网?\n" in result.stdout
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
