"""The README a newcomer reads in five minutes: short, the two commands and the flow on its first screen, a
layout naming one existing folder per stage, only `zzbot` commands the command knows, links that lead somewhere,
and no question of the eval's test part in it or in docs/ (the test part must stay unseen)."""

from __future__ import annotations

import json
import re

import pytest

import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}
FIRST_SCREEN = 40
# The stages of the flow, each with its one folder (or top module).
STAGE_FOLDERS = ("zzbot/", "index/", "bot/understand/", "bot/retrieval/", "bot/llm/", "bot/answer/", "bot/policy/",
                 "bot/serving/", "ui/", "eval/", "prompts/", "data/", "tests/", "app.py", "cli.py")


def section(text: str, heading: str) -> str:
    """The body of the level-2 section ``heading`` (up to the next level-2 heading)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no section '## {heading}'"
    return match.group(1)


def test_the_readme_is_under_200_lines():
    assert len(README.splitlines()) < 200


def test_the_first_screen_has_the_two_commands_and_a_flow_diagram():
    first = "\n".join(README.splitlines()[:FIRST_SCREEN])
    assert "./run.sh" in first and "./test.sh" in first
    diagram = re.search(r"^```mermaid\n(flowchart .*?)^```$", first, re.MULTILINE | re.DOTALL)
    assert diagram, "no complete ```mermaid flowchart block in the first screen"
    for stage in ("document", "chunks", "index", "parsed question", "retrieval", "computed", "model",
                  "extractive", "checks", "answer", "UI", "HTTP API", "eval"):
        assert stage in diagram.group(1), f"the flow diagram lacks the stage {stage!r}"


def test_the_two_commands_exist_and_are_executable():
    for script in ("run.sh", "test.sh"):
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"


def test_the_layout_names_every_stage_folder():
    named = set(re.findall(r"`([\w./-]+)`", section(README, "Layout")))
    assert set(STAGE_FOLDERS) <= named, f"the layout leaves out {sorted(set(STAGE_FOLDERS) - named)}"


def test_every_folder_and_path_the_layout_names_exists():
    for name in re.findall(r"`([\w./-]+)`", section(README, "Layout")):
        if name.startswith("/"):  # an HTTP route, not a path
            continue
        if name.endswith("/"):
            assert (ROOT / name).is_dir(), f"the layout names {name}, which is not a folder"
        elif "/" in name or name in ("app.py", "cli.py"):
            assert (ROOT / name).exists(), f"the layout names {name}, which does not exist"


def _subcommands(command: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The subcommands `zzbot COMMAND --help` offers, read from its argparse usage line."""
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    usage = capsys.readouterr().out
    choices = re.search(r"\{([\w,-]+)\}", usage)
    assert choices, f"`zzbot {command} --help` shows no subcommands:\n{usage}"
    return set(choices.group(1).split(","))


def test_every_zzbot_command_the_readme_names_is_known(capsys):
    known = {line.split()[0] for line in cli.USAGE.splitlines() if line.startswith("  ") and line.strip()}
    assert known >= {"ask", "search", "check", "figures", "index", "eval", "bench", "serve"}
    named = re.findall(r"\bzzbot ([a-z][\w-]*)(?: ([a-z][\w-]*))?", README)
    assert named, "the README names no zzbot command"
    groups = {command: _subcommands(command, capsys) for command in ("index", "eval")}
    for command, sub in named:
        assert command in known, f"the README names `zzbot {command}`, which cli.py does not know"
        if command in groups and sub:
            assert sub in groups[command], f"the README names `zzbot {command} {sub}`, which is not a subcommand"


def test_every_relative_link_leads_to_a_file():
    pages = {ROOT / "README.md": README} | {ROOT / "docs" / name: text for name, text in DOCS.items()}
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if not re.match(r"[a-z]+:", target):
                assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def _normalised(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def test_no_question_of_the_eval_test_part_is_quoted():
    test_ids = set(json.loads((ROOT / "eval" / "split.json").read_text(encoding="utf-8"))["test"])
    cases = [json.loads(line) for line in (ROOT / "eval" / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    asked = [c["question"] for c in cases if c["id"] in test_ids]
    asked += [turn["content"] for c in cases if c["id"] in test_ids for turn in c.get("history") or []
              if turn.get("role") == "user"]
    written = _normalised(README + "".join(DOCS.values()))
    quoted = [q for q in asked if len(_normalised(q)) >= 8 and _normalised(q) in written]
    assert not quoted, f"test-part questions quoted in the README or docs/: {quoted}"
