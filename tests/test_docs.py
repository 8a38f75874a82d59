"""The docs that are generated stay true: the policy table in docs/answer-policy.md is the one the code declares."""

from __future__ import annotations

import re
from pathlib import Path

from bot.policy.rules import markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_the_documented_policy_table_is_the_declared_one():
    text = (ROOT / "docs" / "answer-policy.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- policy-table -->\n(.*?)<!-- /policy-table -->", text, re.S)
    assert found, "docs/answer-policy.md lost its policy-table markers"
    assert found.group(1) == markdown_table(), "regenerate the table: zzbot policy"
