"""What every command line of the project shares: its expected failures as one line on stderr and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


class Unavailable(RuntimeError):
    """Something a command needs (a model, the index) is missing or cannot be used; the message says what to do.
    Lower layers raise their own kinds of it, so that a command maps them to exit 3 without importing them."""


def run_command(run: Callable[[], int], *, bad_input: tuple[type[BaseException], ...],
                unavailable: tuple[type[BaseException], ...]) -> int:
    """Run a command, turning its expected failures into one line on stderr and an exit code: 2 for bad input,
    3 when a model or the index is unavailable, 130 on Ctrl-C, 141 when the reader of the output went away."""
    try:
        return run()
    except BrokenPipeError:
        return closed_pipe()
    except bad_input as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except unavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


def closed_pipe() -> int:
    """The reader of stdout went away (``| head -1``): stop quietly with the shell's code for SIGPIPE. stdout is
    pointed at /dev/null so that Python's own flush at exit does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141
