"""How many questions the server takes at once: beyond the limit a question is refused at once with the time
after which to ask again, rather than waiting in a line it might never leave.

One local model answers one question at a time (bot.llm.model_queue), so a question admitted behind many others
waits their whole time; refused, its asker hears "busy, about N s" (HTTP 429 with Retry-After) and can come
back. The UI, the chat completions and /api/ask share one Admission, so they count each other's questions.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Seconds one answer is expected to take before any has been timed (a local-model answer on 2 cores).
TYPICAL_ANSWER_S = 10.0
_SMOOTHING = 0.2  # weight of the latest answer's time in the running estimate


class ServerBusy(Exception):
    """Too many questions are being answered; ``retry_after_s``: when a place is expected to free up."""

    def __init__(self, retry_after_s: int, limit: int) -> None:
        self.retry_after_s, self.limit = retry_after_s, limit
        super().__init__(f"the server is answering {limit} questions already; ask again in about {retry_after_s} s")


class Place:
    """One admitted question's place; ``leave`` gives it up (again is harmless)."""

    __slots__ = ("_admission", "started", "_left")

    def __init__(self, admission: Admission, started: float) -> None:
        self._admission, self.started, self._left = admission, started, False

    def leave(self) -> None:
        if not self._left:
            self._left = True
            self._admission._leave(self)


class Admission:
    """Admits at most ``limit`` questions at once and estimates when the next place frees up: when the oldest
    admitted question is expected to finish, by the running average of how long answers took."""

    def __init__(self, limit: int, typical_s: float = TYPICAL_ANSWER_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError(f"the admission limit must be at least 1, got {limit}")
        self.limit, self.typical_s, self._clock = limit, typical_s, clock
        self._lock = threading.Lock()
        self._admitted: list[Place] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._admitted)

    def enter(self) -> Place:
        """A place for one question, or ServerBusy when all are taken."""
        with self._lock:
            now = self._clock()
            if len(self._admitted) >= self.limit:
                oldest = min(place.started for place in self._admitted)
                wait = max(1, math.ceil(oldest + self.typical_s - now))
                raise ServerBusy(wait, self.limit)
            place = Place(self, now)
            self._admitted.append(place)
            return place

    def _leave(self, place: Place) -> None:
        with self._lock:
            self._admitted.remove(place)
            took = self._clock() - place.started
            self.typical_s += _SMOOTHING * (took - self.typical_s)
