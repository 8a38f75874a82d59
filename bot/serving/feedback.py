"""User feedback on answers, appended to a JSON-lines file.

Each record is written as one full line by a single ``write()`` on a file opened with
``O_APPEND``, under a process-wide lock and an exclusive ``flock`` (other processes, e.g. a second
UI), so concurrent users never interleave or lose lines. A last line cut short by a crash (no
newline at the end of the file) is closed first, so it never swallows the next record.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from bot.schema import AnswerResult

Rating = Literal["up", "down"]

_lock = threading.Lock()


def append_record(path: Path, record: dict[str, object]) -> None:
    """Append ``record`` as one JSON line, creating the folder if it is missing."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the check of the last byte and the write are one step
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            written = os.write(fd, line)
        finally:
            os.close(fd)  # also releases the flock
    if written != len(line):
        raise OSError(f"short write to {path}: {written} of {len(line)} bytes")


def record_feedback(path: Path, result: AnswerResult, rating: Rating, comment: str = "") -> dict[str, object]:
    """Save a rating (and optional comment) of one answer; returns the record written."""
    record: dict[str, object] = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "question": result.question,
        "standalone_question": result.standalone_question,
        "answer": result.answer,
        "found": result.found,
        "backend": result.backend,
        "citations": [c.to_dict() for c in result.citations],
        "rating": rating,
        "comment": comment.strip() or None,
    }
    append_record(path, record)
    return record
