"""Progress shown the way its reader can use it: a bar redrawn in place on a terminal, one line per tenth of the
way elsewhere (a log, CI, a pipe), never a stream of carriage-return redraws there."""

from __future__ import annotations

import io
import os
import re

from zzbot.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_line_at_every_tenth():
    stream = io.StringIO()
    with Progress("embedding", total=400, unit="chunk", stream=stream) as progress:
        for done in range(8, 401, 8):
            progress.set(done, note="report.md")
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert [re.match(r"embedding: (\d+)% \((\d+)/400 chunk\) report\.md \d+ s$", line).group(1) for line in lines] \
        == [str(p) for p in range(10, 101, 10)]


def test_a_total_learnt_late_and_an_iteration():
    stream = io.StringIO()
    for _ in Progress.over(range(30), "eval", unit="case", stream=stream):
        pass
    assert stream.getvalue().splitlines()[-1].startswith("eval: 100% (30/30 case)")
    stream = io.StringIO()
    with Progress("embedding", unit="chunk", stream=stream) as progress:  # the build knows its total only later
        progress.set(5, total=10)
        progress.set(10)
    assert [line.split(" (")[0] for line in stream.getvalue().splitlines()] == ["embedding: 50%", "embedding: 100%"]


def test_a_stopped_step_says_so_and_sizes_are_scaled():
    stream = io.StringIO()
    try:
        with Progress("model: verify", total=3 << 30, unit="B", unit_scale=True, stream=stream) as progress:
            progress.update(1 << 30)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    first, last = stream.getvalue().splitlines()
    assert first.startswith("model: verify: 33% (1.0G/3.0G B)")
    assert last.startswith("model: verify: 33% (1.0G/3.0G B)") and last.endswith("(stopped)")


def test_on_a_terminal_a_bar_and_disabled_nothing():
    terminal = Terminal()
    with Progress("embedding", total=50, unit="chunk", stream=terminal) as progress:
        for _ in range(50):
            progress.update()
    assert "\r" in terminal.getvalue() and "50/50" in terminal.getvalue()
    quiet = io.StringIO()
    with Progress("embedding", total=50, stream=quiet, disable=True) as progress:
        progress.update(50)
    assert quiet.getvalue() == ""


def test_nothing_done_nothing_said_and_results_printed_beside_it():
    stream, results = io.StringIO(), io.StringIO()
    with Progress("embedding", unit="chunk", stream=stream) as progress:  # every document unchanged
        progress.write("unchanged  report.md", results)
    assert stream.getvalue() == "" and results.getvalue() == "unchanged  report.md\n"


def test_library_bars_are_turned_off_only_off_a_terminal(monkeypatch):
    from zzbot.progress import quiet_library_bars

    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    quiet_library_bars(Terminal())
    assert "HF_HUB_DISABLE_PROGRESS_BARS" not in os.environ
    quiet_library_bars(io.StringIO())
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
