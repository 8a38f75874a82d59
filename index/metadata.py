"""What a document is: the place it is about, the year its targets are for, the year its review covers, and its
kind (government work report, plan, statistical bulletin, other), with its title.

They are read from the document's head (its title lines and byline: "开封市2023年政府工作报告", "在郑州市第十六届
人民代表大会第二次会议上…报告为2024年郑州发展擘画蓝图"), and a sidecar file beside the document
(``report.meta.json`` / ``report.meta.yaml``, or ``report.md.meta.json`` …) overrides any of them. A value the
head does not state stays None: a year is never taken from the body, nor a place from a passing mention.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from zzbot.places import Place, places, places_named

DocumentKind = Literal["work_report", "plan", "statistical_bulletin", "other"]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
KIND_LABELS = {"work_report": ("政府工作报告", "government work report"), "plan": ("规划", "plan"),
               "statistical_bulletin": ("统计公报", "statistical bulletin"), "other": ("其他", "other")}
SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")
# Years a report can be about; anything else in a sidecar is a typo.
YEAR_RANGE = range(1949, 2101)
# The head: the title lines and the byline. Years and places further down are the body's, not the document's.
HEAD_CHARS = 200
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# How the head names a kind, most specific first (a plan's report may say 政府工作 elsewhere).
_KIND_WORDS: tuple[tuple[DocumentKind, re.Pattern[str]], ...] = (
    ("statistical_bulletin", re.compile(r"统计公报|statistical (?:bulletin|communiqu)", re.I)),
    ("work_report", re.compile(r"政府工作报告|government work report", re.I)),
    ("plan", re.compile(r"规划|发展计划|计划(?:草案|执行)|\bplan\b", re.I)),
)
# A head saying its document looks back (成就回顾, results for 2023) without setting targets.
_REVIEW_WORDS = re.compile(r"回顾|成就|成绩|总结|results?\b|review", re.I)


class MetadataError(ValueError):
    """A sidecar file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class DocumentMeta:
    place: str | None = None  # the Chinese name of data/places.tsv (郑州)
    target_year: int | None = None  # the year its targets are for (2024 in the 2024 work report)
    review_year: int | None = None  # the year its review covers (2023 in the 2024 work report)
    kind: DocumentKind | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def stored(self, clearing: bool = False) -> dict[str, str | int | None]:
        """The known values as record metadata: ``doc_place``, ``doc_target_year``… Chroma holds no None;
        ``clearing`` gives the unknown ones as None, which a Chroma upsert takes as "remove this key" (it merges
        metadata into a record it already has, so a year a sidecar no longer gives would otherwise stay)."""
        return {f"doc_{key}": value for key, value in asdict(self).items() if clearing or value is not None}

    @classmethod
    def from_stored(cls, meta: dict[str, Any]) -> DocumentMeta:
        values = {f.name: meta.get(f"doc_{f.name}") for f in fields(cls)}
        for year in ("target_year", "review_year"):
            values[year] = int(values[year]) if values[year] is not None else None
        return cls(**values)

    def fingerprint(self) -> str:
        """Changes when any value does, so a document whose sidecar changed is indexed again."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    def years(self) -> tuple[int, ...]:
        return tuple(y for y in (self.target_year, self.review_year) if y is not None)

    def matches(self, place: str | None = None, year: int | None = None) -> bool:
        """Whether the document is about ``place`` (None: any) and sets targets for or reviews ``year`` (None:
        any); the same test as ``scope_filter`` makes of the stored records."""
        return (place is None or self.place == place) and (year is None or year in self.years())

    def label(self, lang: str = "zh") -> str:
        """A short name: 郑州2024 (a report setting 2024's targets), 郑州2023回顾 (one only reviewing 2023);
        Zhengzhou 2024, Zhengzhou 2023 (review) in English."""
        place = self.place or ""
        if lang == "en":
            place = english_place(self.place) if self.place else ""
        if self.target_year is not None:
            year = str(self.target_year)
        elif self.review_year is not None:
            year = f"{self.review_year}回顾" if lang != "en" else f"{self.review_year} (review)"
        else:
            year = ""
        named = f"{place} {year}".strip() if lang == "en" else f"{place}{year}"
        return named or (self.title or "")


@dataclass(frozen=True)
class IndexedDocument:
    source: str  # the file name, as in citations
    meta: DocumentMeta
    outdated: bool = False  # indexed by an older version, which stored no metadata: `index build` adds it

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, **self.meta.to_dict()}


def scope_filter(place: str | None = None, year: int | None = None) -> dict[str, Any] | None:
    """A Chroma ``where`` filter for the records of the documents about ``place`` whose targets or review are
    for ``year``; None (no filter) when neither is given."""
    clauses: list[dict[str, Any]] = []
    if place is not None:
        clauses.append({"doc_place": place})
    if year is not None:
        clauses.append({"$or": [{"doc_target_year": year}, {"doc_review_year": year}]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def english_place(chinese: str) -> str:
    place = next((p for p in places() if p.chinese == chinese), None)
    return place.english[0] if place and place.english else chinese


def read_metadata(text: str, path: Path | None = None) -> DocumentMeta:
    """The document's metadata from its head, overridden by its sidecar file when ``path`` has one."""
    meta = meta_from_head(text)
    if path is not None and (sidecar := find_sidecar(path)) is not None:
        overrides = read_sidecar(sidecar)
        meta = DocumentMeta(**{**asdict(meta), **overrides})
    return meta


def head_lines(text: str) -> list[str]:
    """The document's first lines up to HEAD_CHARS characters, without Markdown heading marks."""
    head = text.lstrip("\ufeff \t\r\n")[:HEAD_CHARS]
    return [line.strip().lstrip("#").strip() for line in head.splitlines() if line.strip().lstrip("#").strip()]


def meta_from_head(text: str) -> DocumentMeta:
    lines = head_lines(text)
    head = "\n".join(lines)
    kind: DocumentKind = next((name for name, words in _KIND_WORDS if words.search(head)), "other")
    target, review = _years(lines, kind)
    return DocumentMeta(place=_place(lines), target_year=target, review_year=review, kind=kind,
                        title=lines[0] if lines else None)


def _place(lines: list[str]) -> str | None:
    """The first place the head names, line by line (the title before the byline); a line naming two places
    at its first mention is ambiguous, and the next line decides."""
    for line in lines:
        named = places_named(line)
        if not named:
            continue
        first = min(named, key=lambda p: _position(p, line))
        if sum(_position(p, line) == _position(first, line) for p in named) == 1:
            return first.chinese
    return None


def _position(place: Place, line: str) -> int:
    found = [line.find(place.chinese)] + [line.lower().find(name.lower()) for name in place.english]
    return min((i for i in found if i >= 0), default=len(line))


def _years(lines: list[str], kind: str) -> tuple[int | None, int | None]:
    """(target year, review year). A work report names the year it plans (its review covers the year before);
    a bulletin the year it reviews; a plan names the year it plans, and the year before when it reports that
    year's plan too; any other document only a year its head calls a review."""
    years = [int(m.group(1)) for line in lines for m in _YEAR.finditer(line)]
    if not years:
        return None, None
    titled = _titled_year(lines, kind)
    if kind == "work_report":
        target = titled if titled is not None else years[0]
        return target, target - 1
    if kind == "statistical_bulletin":
        return None, titled if titled is not None else years[0]
    if kind == "plan":
        target = max(years)
        return target, (target - 1 if target - 1 in years else None)
    if _REVIEW_WORDS.search("\n".join(lines)) and len(set(years)) == 1:
        return None, years[0]
    return None, None


def _titled_year(lines: list[str], kind: str) -> int | None:
    """The year on the line naming the document's kind ("2024年政府工作报告"), or a year standing alone on a
    line (a report's cover: "2024")."""
    words = dict(_KIND_WORDS).get(kind)
    for line in lines:
        if words is not None and words.search(line) and (found := _YEAR.search(line)):
            return int(found.group(1))
    for line in lines:
        if _YEAR.fullmatch(line.rstrip("年")):
            return int(line[:4])
    return None


def find_sidecar(path: Path) -> Path | None:
    """The sidecar beside ``path``: report.meta.json or report.md.meta.json (or .yaml/.yml). Two of them are
    an error: which one counts would be a guess."""
    candidates = [path.parent / f"{stem}{suffix}" for stem in (path.stem, path.name) for suffix in SIDECAR_SUFFIXES]
    found = [c for c in dict.fromkeys(candidates) if c.is_file()]
    if len(found) > 1:
        raise MetadataError(f"{path}: two metadata files, {found[0].name} and {found[1].name}; keep one")
    return found[0] if found else None


def read_sidecar(path: Path) -> dict[str, Any]:
    """The values a sidecar sets (null: unknown), each checked; MetadataError names the file and the field."""
    raw = _parse_sidecar(path)
    allowed = [f.name for f in fields(DocumentMeta)]
    if unknown := sorted(set(raw) - set(allowed)):
        raise MetadataError(f"{path}: unknown field {unknown[0]!r}; the fields are {', '.join(allowed)}")
    checks = {"place": _sidecar_place, "target_year": _sidecar_year, "review_year": _sidecar_year,
              "kind": _sidecar_kind, "title": _sidecar_title}
    values = {}
    for key, value in raw.items():
        try:
            values[key] = None if value is None else checks[key](value)
        except ValueError as err:
            raise MetadataError(f"{path}: {key}: {err}") from None
    return values


def _parse_sidecar(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise MetadataError(f"{path}: cannot be read as UTF-8 text ({err})") from None
    try:
        data = (json.loads(text) if text.strip() else {}) if path.suffix == ".json" else (yaml.safe_load(text) or {})
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise MetadataError(f"{path}: not valid {path.suffix[1:].upper()}: {' '.join(str(err).split())}") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: must hold a mapping of fields (place, target_year, …), not {type(data).__name__}")
    return data


def _sidecar_place(value: Any) -> str:
    named = [p for p in places() if str(value).strip() in (p.chinese, f"{p.chinese}市", f"{p.chinese}省")
             or str(value).strip().lower() in (e.lower() for e in p.english)]
    if not named:
        raise ValueError(f"{value!r} is not a place of data/places.tsv (give its Chinese or English name: 郑州, "
                         "Zhengzhou)")
    return named[0].chinese


def _sidecar_year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValueError(f"{value!r} is not a year (write it as 2024)")
    year = int(str(value).strip())
    if year not in YEAR_RANGE:
        raise ValueError(f"{year} is outside {YEAR_RANGE.start}–{YEAR_RANGE.stop - 1}")
    return year


def _sidecar_kind(value: Any) -> str:
    wanted = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    by_label = {label.replace(" ", "_"): kind for kind, labels in KIND_LABELS.items() for label in labels}
    kind = wanted if wanted in DOCUMENT_KINDS else by_label.get(wanted, "plan" if wanted == "计划" else None)
    if kind is None:
        raise ValueError(f"{value!r} is not a kind; give one of {', '.join(DOCUMENT_KINDS)}")
    return kind


def _sidecar_title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be non-empty text")
    return value.strip()
