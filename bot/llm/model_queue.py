"""One first-come, first-served line for the local model, shared by every llama.cpp call of the process.

All prompts' contexts compute on the same few cores, so running two calls at once only makes both slower;
in line, each caller can see how many calls are ahead of it (``Waiting``) and a caller that goes away
(a closed stream) leaves the line at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

POLL_S = 0.5  # a waiting caller hears its place this often even when it has not changed


@dataclass(frozen=True)
class Waiting:
    """A model call is in line: ``ahead`` calls (the one running included) come before it."""

    ahead: int


class ModelQueue:
    def __init__(self, poll_s: float = POLL_S) -> None:
        self.poll_s = poll_s
        self._changed = threading.Condition()
        self._line: list[Ticket] = []  # one ticket per call, in arrival order; the first one holds the model

    def __len__(self) -> int:
        """Calls in line, the running one included."""
        with self._changed:
            return len(self._line)

    @contextmanager
    def place(self) -> Iterator[Ticket]:
        """A place at the back of the line, given up on leaving the block (however it is left)."""
        ticket = Ticket()
        with self._changed:
            self._line.append(ticket)
        try:
            yield ticket
        finally:
            with self._changed:
                self._line.remove(ticket)
                self._changed.notify_all()

    def wait(self, ticket: Ticket) -> Iterator[Waiting]:
        """Returns when it is ``ticket``'s turn; until then yields its place at once, whenever it changes and
        every ``poll_s``."""
        while True:
            with self._changed:
                ahead = self._line.index(ticket)
            if ahead == 0:
                return
            yield Waiting(ahead)
            with self._changed:
                self._changed.wait_for(lambda: self._line.index(ticket) != ahead, timeout=self.poll_s)

    def wait_quietly(self, ticket: Ticket) -> None:
        """Wait for ``ticket``'s turn without reporting the place."""
        for _ in self.wait(ticket):
            pass


class Ticket:
    """One call's place in a ModelQueue (compared by identity)."""

    __slots__ = ()


MODEL_QUEUE = ModelQueue()  # the process's one line for its local model
