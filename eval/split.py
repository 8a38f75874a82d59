"""The dev/test/sealed split of the scored cases, kept in a committed JSON file (``eval/split.json``).

Thresholds are tuned on ``dev``; ``test`` is only measured. ``sealed`` holds cases written after the
test part had been looked at often enough to be worn: they were run once on first sight and are never
read case by case nor tuned on, so they stay an honest yardstick. Every answer and claim case belongs to
exactly one part. The split is stratified by (category, lang): within each stratum the parts differ by
at most one case. New ids are assigned without touching existing ones (an id never changes part), so
scores on ``test`` stay comparable across dataset versions. ``fresh`` lists the ids written in the
latest round of new cases, so their test half can be reported alone. Sealed ids are listed by hand
(or with ``--split-new --seal``) and are never drawn into dev or test.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from eval.dataset import AnswerCase, ClaimCase, QuestionOnly

Part = Literal["dev", "test", "sealed"]
# The parts new ids are stratified into; sealed ids are only ever assigned on purpose.
DRAWN: tuple[Part, Part] = ("dev", "test")
PARTS: tuple[Part, Part, Part] = ("dev", "test", "sealed")
DEFAULT_SEED = 11
Scored = AnswerCase | ClaimCase
Case = AnswerCase | ClaimCase | QuestionOnly


class SplitError(ValueError):
    """The split file is missing, unreadable or malformed."""


class Split(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: int = DEFAULT_SEED
    dev: list[str] = []
    test: list[str] = []
    sealed: list[str] = []
    fresh: list[str] = []
    # Cases written and tuned on after the split was drawn (also listed in dev): kept out of the stratification,
    # as they all had to go to dev.
    tuned: list[str] = []
    # Test ids withdrawn to dev once they had been seen (named in the tests, or their failure read): dev from then
    # on; the draw's balance still counts them as test, where they were drawn.
    withdrawn: list[str] = []

    def part_of(self) -> dict[str, Part]:
        """id → part."""
        return {i: part for part in PARTS for i in getattr(self, part)}


def scored(cases: Iterable[Case]) -> list[Scored]:
    """The cases a split covers (bare questions have no category and are never split)."""
    return [c for c in cases if isinstance(c, (AnswerCase, ClaimCase))]


def load_split(path: Path) -> Split:
    try:
        return Split.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SplitError(f"no split file {path} (create it with: python -m eval validate --split-new)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SplitError(f"cannot read split file {path}: {err}") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(map(str, first["loc"])) or "file"
        raise SplitError(f"split file {path} is malformed: {where}: {first['msg']}") from None


def save_split(split: Split, path: Path) -> None:
    """Write the file whole or not at all (a temporary file renamed over it); one id per line keeps diffs readable."""
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(split.model_dump(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(scratch, path)


def split_problems(split: Split, cases: Iterable[Case]) -> list[str]:
    """Cases missing from the split, ids in two parts or listed twice, and ids the dataset no longer has."""
    ids = [c.id for c in scored(cases)]
    listed = Counter(split.dev + split.test + split.sealed)
    missing = [i for i in ids if i not in listed]
    problems = []
    if missing:
        problems.append(f"{len(missing)} case(s) not in the split file (assign them with --split-new): {', '.join(missing)}")
    problems += [f"{i}: listed {n} times in the split file" for i, n in listed.items() if n > 1]
    known = set(ids)
    problems += [f"{i}: in the split file but not in the dataset" for i in listed if i not in known]
    problems += [f"{i}: fresh but in no part" for i in split.fresh if i not in listed]
    problems += [f"{i}: tuned but not in dev" for i in split.tuned if i in split.test or i in split.sealed]
    problems += [f"{i}: withdrawn but not in dev" for i in split.withdrawn if i not in split.dev]
    return problems


def extend_split(split: Split, cases: Iterable[Case], *, fresh: bool = False,
                 seal: bool = False) -> tuple[Split, list[str], list[str]]:
    """Assign the cases the split lacks and drop ids the dataset lost; existing assignments never move.

    Returns the new split, the ids added and the ids dropped. With ``fresh`` the added ids are also
    recorded as this round's fresh cases; with ``seal`` they all go to the sealed part.
    """
    cases = scored(cases)
    known = {c.id for c in cases}
    kept = {p: [i for i in dict.fromkeys(getattr(split, p)) if i in known] for p in PARTS}
    dropped = sorted(set(split.dev + split.test + split.sealed) - known)
    part = {i: p for p in PARTS for i in kept[p]}
    strata: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for case in cases:
        strata[(case.category, case.lang)].append(case)
    added: list[str] = []
    if seal:
        added = [c.id for c in cases if c.id not in part]
        kept["sealed"] += added
        strata.clear()
    for key in sorted(strata):
        for case_id, chosen in _assign(strata[key], part, kept, split.seed, key):
            kept[chosen].append(case_id)
            part[case_id] = chosen
            added.append(case_id)
    new_fresh = [i for i in split.fresh if i in known] + (added if fresh else [])
    tuned = [i for i in split.tuned if i in known]
    withdrawn = [i for i in split.withdrawn if i in known]
    return Split(seed=split.seed, fresh=new_fresh, tuned=tuned, withdrawn=withdrawn, **kept), added, dropped


def _assign(stratum: Sequence[Scored], part: dict[str, Part], kept: dict[str, list[str]], seed: int,
            key: tuple[str, str]) -> list[tuple[str, Part]]:
    """Parts for the stratum's unassigned ids: each goes to the part with fewer cases of the stratum;
    a tie goes to the part with fewer cases overall, then to a seeded coin."""
    new = sorted(c.id for c in stratum if c.id not in part)
    # The seed and the stratum fix the order, so the result does not depend on the dataset's line order.
    rng = random.Random(f"{seed}/{key[0]}/{key[1]}")
    rng.shuffle(new)
    count = Counter(part[c.id] for c in stratum if c.id in part)
    total = Counter({p: len(kept[p]) for p in DRAWN})
    out: list[tuple[str, Part]] = []
    for case_id in new:
        chosen = min(DRAWN, key=lambda p: (count[p], total[p], rng.random()))
        count[chosen] += 1
        total[chosen] += 1
        out.append((case_id, chosen))
    return out


def select_part(cases: Sequence[Case], split: Split, part: str) -> list[Case]:
    """The cases of ``part`` ("dev", "test", "sealed" or "all"); a scored case missing from the split is an error."""
    if part == "all":
        return list(cases)
    assigned = split.part_of()
    missing = [c.id for c in scored(cases) if c.id not in assigned]
    if missing:
        raise SplitError(f"{len(missing)} case(s) not in the split file, e.g. {missing[0]} "
                         "(assign them with: python -m eval validate --split-new)")
    wanted = set(getattr(split, part))
    return [c for c in scored(cases) if c.id in wanted]
