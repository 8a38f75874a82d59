"""How many questions the server takes at once, and when it says to come back (no models)."""

from __future__ import annotations

import pytest

from bot.serving.admission import Admission, ServerBusy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_beyond_the_limit_a_question_is_refused_until_a_place_frees() -> None:
    clock = Clock()
    admission = Admission(limit=2, typical_s=10.0, clock=clock)
    first = admission.enter()
    clock.now += 4
    second = admission.enter()
    assert len(admission) == 2
    with pytest.raises(ServerBusy) as busy:
        admission.enter()
    # The oldest question is expected to end 10 s after it began, 6 s from now.
    assert busy.value.retry_after_s == 6 and busy.value.limit == 2 and "about 6 s" in str(busy.value)
    clock.now += 20  # overdue: still at least a second
    with pytest.raises(ServerBusy) as busy:
        admission.enter()
    assert busy.value.retry_after_s == 1
    first.leave()
    first.leave()  # leaving twice frees one place, not two
    assert len(admission) == 1
    third = admission.enter()
    with pytest.raises(ServerBusy):
        admission.enter()
    second.leave()
    third.leave()
    assert len(admission) == 0


def test_the_estimate_follows_how_long_answers_take() -> None:
    clock = Clock()
    admission = Admission(limit=1, typical_s=10.0, clock=clock)
    for _ in range(20):
        place = admission.enter()
        clock.now += 40
        place.leave()
    assert 35 < admission.typical_s <= 40
    admission.enter()
    with pytest.raises(ServerBusy) as busy:
        admission.enter()
    assert 35 <= busy.value.retry_after_s <= 40


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Admission(limit=0)
