"""The places the project knows by name (data/places.tsv), in Chinese and English: what a question asks about and
what a document is about are read with the same list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from zzbot.settings import PROJECT_ROOT

PLACES_FILE = PROJECT_ROOT / "data" / "places.tsv"


@dataclass(frozen=True)
class Place:
    chinese: str
    english: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        return self.chinese in text or any(
            re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text, re.IGNORECASE) for name in self.english)


@cache
def places() -> tuple[Place, ...]:
    rows = []
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            chinese, _, english = line.partition("\t")
            rows.append(Place(chinese.strip(), tuple(e.strip() for e in english.split(",") if e.strip())))
    return tuple(rows)


def places_named(text: str) -> list[Place]:
    """The places of ``data/places.tsv`` a text names, in Chinese or English."""
    return [place for place in places() if place.named_in(text)]
