"""Progress of a long step (an index build, a model download, an eval run), shown the way its reader can use:
a bar redrawn in place on a terminal, and elsewhere (a log file, CI, a pipe) one line at every tenth of the
way, never a stream of carriage-return redraws.

    with Progress("embedding", total=400, unit="chunk") as progress:
        progress.update(8)           # 8 more done
        progress.set(120, total=400) # or: this many done of this many

    for case in Progress.over(cases, "eval", unit="case"):
        ...
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

T = TypeVar("T")
STEPS = 10  # lines written off a terminal: one per tenth


class Progress:
    """``stream`` defaults to stderr; ``disable`` shows nothing. ``unit_scale`` writes sizes as 1.2G/340M."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "it", *, stream: IO[str] | None = None,
                 disable: bool = False, unit_scale: bool = False) -> None:
        self.desc, self.total, self.unit, self.unit_scale = desc, total, unit, unit_scale
        self.stream = stream if stream is not None else sys.stderr
        self.disabled = disable
        self.done = 0
        self.note = ""
        self._began = time.monotonic()
        self._steps_written = 0  # tenths reported so far, off a terminal
        self._bar: Any = None
        if not disable and _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, file=self.stream,
                             dynamic_ncols=True)

    @classmethod
    def over(cls, items: Iterable[T], desc: str, unit: str = "it", **options: Any) -> Iterator[T]:
        """Iterate over ``items``, counting each one as done after the loop body ran."""
        total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
        with cls(desc, total, unit, **options) as progress:
            for item in items:
                yield item
                progress.update(1)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(finished=exc[0] is None)

    def update(self, n: int = 1) -> None:
        self.set(self.done + n)

    def set(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """``done`` of ``total`` (unchanged when None); ``note`` names what is being worked on."""
        self.done = done
        self.total = total if total is not None else self.total
        self.note = note if note is not None else self.note
        if self.disabled:
            return
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.n = done
            if note is not None:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.refresh()
            return
        if self.total:
            reached = min(STEPS, done * STEPS // self.total)
            if reached > self._steps_written:
                self._steps_written = reached
                self._write_line()

    def write(self, text: str, stream: IO[str]) -> None:
        """Print ``text`` (a result as it comes) to ``stream`` without breaking the bar on a terminal."""
        if self._bar is not None:
            self._bar.write(text, file=stream)
        else:
            print(text, file=stream, flush=True)

    def close(self, finished: bool = True) -> None:
        """End the bar; off a terminal, a last line unless the 100% line was written or nothing was done."""
        if self.disabled:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.done and self._steps_written < STEPS:
            self._write_line(stopped=not finished)
        self.disabled = True

    def _write_line(self, stopped: bool = False) -> None:
        counted = f"{self._amount(self.done)}/{self._amount(self.total)}" if self.total else self._amount(self.done)
        percent = f"{100 * self.done // self.total}% " if self.total else ""
        note = f" {self.note}" if self.note else ""
        ending = " (stopped)" if stopped else ""
        elapsed = time.monotonic() - self._began
        self.stream.write(f"{self.desc}: {percent}({counted} {self.unit}){note} {elapsed:.0f} s{ending}\n")
        self.stream.flush()

    def _amount(self, n: int | None) -> str:
        if n is None or not self.unit_scale:
            return str(n)
        for size, suffix in ((1 << 30, "G"), (1 << 20, "M"), (1 << 10, "k")):
            if n >= size:
                return f"{n / size:.1f}{suffix}"
        return str(n)


def quiet_library_bars(stream: IO[str] | None = None) -> None:
    """Off a terminal, turn off the bars Hugging Face's libraries draw on their own ("Loading weights"), which
    are carriage-return redraws; call before they are imported."""
    if not _is_terminal(stream if stream is not None else sys.stderr):
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False
