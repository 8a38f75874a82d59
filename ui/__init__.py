"""The web page's pieces: HTML renderers of answers, sources, the report and the figure table, the chat's turns,
the background warm-up, and the page's static CSS and head script (``ui/static``).

Rendering only: nothing here answers or serves; app.py lays the page out and calls these.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def page_assets() -> tuple[str, str]:
    """The page's CSS and the HTML added to its head, read from ``ui/static`` (when the server starts)."""
    return (STATIC / "style.css").read_text(encoding="utf-8"), (STATIC / "head.html").read_text(encoding="utf-8")
