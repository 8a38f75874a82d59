"""`python -m bot ask`, as the eval and outside scripts call it: a process of its own on the real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.models

ROOT = Path(__file__).resolve().parents[2]
HISTORY = [{"role": "user", "content": "新能源汽车产量目标是多少？"},
           {"role": "assistant", "content": "力争新能源汽车产量超70万辆[1]。"}]


@pytest.fixture(scope="module")
def ask(engine):
    """Runs `bot ask` against the session's index."""
    env = {**os.environ, "ZZBOT_CHROMA__PATH": str(engine.settings.chroma.path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "ask", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)

    return run


def test_json_output_of_a_follow_up(ask, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps(HISTORY, ensure_ascii=False), encoding="utf-8")
    result = ask("那汽车总产量呢？", "--history", str(history), "--json")
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


def test_readable_output_shows_the_answer_once_then_its_sources(ask):
    result = ask("2024年郑州市区新增多少个学位？")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("2.7万") == 2  # the streamed answer, and the cited passage
    assert "Sources:" in result.stdout and "[1] zhengzhou-2024-government-work-report.md" in result.stdout


def test_a_malformed_history_file_is_a_clear_error(ask, tmp_path):
    history = tmp_path / "history.json"
    history.write_text("[{\"role\": \"user\"", encoding="utf-8")
    result = ask("那汽车总产量呢？", "--history", str(history))
    assert result.returncode != 0
    assert "history" in result.stderr and "Traceback" not in result.stderr
