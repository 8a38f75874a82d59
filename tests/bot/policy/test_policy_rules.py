"""The policy table itself: one row per rule, names unique, each rule applied by the chain's code, and the
table printable as Markdown. That every rule decides some question: tests/bot/policy/test_policy_trace.py."""

from __future__ import annotations

from pathlib import Path

from bot.policy.acceptance import ACCEPTANCE_CHECKS
from bot.policy.rules import RULES, markdown_table
from zzbot.settings import AnswerSettings

POLICY = Path(__file__).resolve().parents[3] / "bot" / "policy"


def test_rule_names_are_unique_and_the_checks_keep_their_order():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert [r.name for r in RULES if r.stage == "after"][1:] == [c.__name__ for c in ACCEPTANCE_CHECKS]
    assert [r.stage for r in RULES] == sorted((r.stage for r in RULES),
                                              key=["before", "route", "after", "fallback"].index)

def test_every_rule_is_applied_by_name_in_the_chains_code():
    code = "".join(path.read_text(encoding="utf-8") for path in POLICY.glob("*.py") if path.name != "rules.py")
    for rule in RULES:
        assert f'"{rule.name}"' in code or f"def {rule.name}(" in code, rule.name


def test_every_rule_has_reasons_for_staff_and_asker():
    for rule in RULES:
        assert rule.reason, rule.name
        assert rule.shown_zh and rule.shown_en or rule.name == "model", rule.name
        assert not rule.setting or rule.setting in AnswerSettings.model_fields, rule.name


def test_the_table_prints_as_markdown():
    table = markdown_table().splitlines()
    assert table[0].startswith("| # | Rule | Stage |") and len(table) == len(RULES) + 2
    assert "`claim_checked`" in table[2] and "`parts_asked`" in table[3] and "`place_not_covered`" in table[4] and "`settings.answer.min_similarity`" in markdown_table()
