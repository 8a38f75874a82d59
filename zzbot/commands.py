"""What every command line of the project shares: its expected failures as one line on stderr and an exit code."""

from __future__ import annotations

import atexit
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
        code = run()
        sys.stdout.flush()  # what is still buffered meets a closed pipe here, not in Python's flush at exit
        return code
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


def _flush_at_exit() -> None:
    """Output printed outside a command's run (argparse's --help, then SystemExit) is flushed by Python at exit,
    which reports a closed pipe as "Exception ignored … BrokenPipeError" and exit code 120. Flushed here first,
    a closed pipe is quiet. Registered for every entry point, as every one imports this module."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe()
    except (AttributeError, ValueError):  # no stdout, or it was closed
        pass


atexit.register(_flush_at_exit)
