"""Prompt-lookup decoding: drafts come from where the last tokens stood before; on the real model the text is
the one greedy decoding gives."""

from __future__ import annotations

import pytest

from bot.lookup_decoding import draft_tokens


def test_the_draft_is_what_followed_the_latest_earlier_occurrence_of_the_tail():
    history = [1, 2, 3, 4, 5, 9, 2, 3, 7, 8, 2, 3]
    assert draft_tokens(history, longest_match=2, limit=3) == [7, 8, 2]  # [2, 3] last stood before 7
    assert draft_tokens(history, longest_match=3, limit=2) == [7, 8]  # [8, 2, 3] never stood before: 2 tokens match
    assert draft_tokens([5, 6, 7, 1, 5, 6], longest_match=3, limit=10) == [7, 1, 5, 6]


def test_no_draft_when_the_tail_never_stood_before():
    assert draft_tokens([1, 2, 3, 4], longest_match=3, limit=5) == []
    assert draft_tokens([7], longest_match=3, limit=5) == []
    assert draft_tokens([4, 4], longest_match=3, limit=0) == []
