"""Command line: ``python -m eval run|validate``.

    python -m eval run                                   # the whole dataset with the configured backend
    python -m eval run --backend extractive --limit 30 --compare naive
    python -m eval run --set retrieval.k=3 --set fusion=false --set chunking.max_chars=300
    python -m eval run --part test                       # only the held-out half (see eval/split.py)
    python -m eval run --part sealed                     # only the sealed cases (run them rarely: never tune on them)
    python -m eval validate --dataset FILE               # schema, evidence and dev/test split check
    python -m eval validate --split-new [--fresh]        # assign new ids to dev/test (existing ones stay)
    python -m eval validate --split-new --seal           # assign new ids to the sealed part
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections import Counter
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from eval.dataset import DEFAULT_DATASET, AnswerCase, AnswerCategory, ClaimCase, DatasetError, QuestionOnly, load_dataset
from eval.split import Split, SplitError, extend_split, load_split, save_split, select_part, split_problems
from zzbot.settings import Settings, SettingsError, load_settings
from zzbot.commands import run_command

CATEGORIES = [*get_args(AnswerCategory), "claim"]
# Short names for the settings a sweep usually changes.
ALIASES = {"k": "retrieval.k", "fusion": "retrieval.fusion", "chunk_size": "chunking.max_chars",
           "backend": "llm.backend"}


class UsageError(ValueError):
    """Bad command-line input; the message says what to fix."""


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs → {dotted key: value}; values are JSON when they parse, else strings."""
    flat: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set wants key=value, got {item!r}")
        key = ALIASES.get(key.strip(), key.strip())
        _check_key(key)
        try:
            flat[key] = json.loads(raw)
        except json.JSONDecodeError:
            flat[key] = raw
    return flat


def _check_key(key: str) -> None:
    model: type[BaseModel] = Settings
    parts = key.split(".")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            raise UsageError(f"--set: unknown setting {key!r} (no {part!r} in {model.__name__})")
        annotation = field.annotation
        nested = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if i < len(parts) - 1 and not nested:
            raise UsageError(f"--set: {'.'.join(parts[:i + 1])!r} has no sub-settings")
        if i == len(parts) - 1 and nested:
            raise UsageError(f"--set: {key!r} is a group; name one of its settings, e.g. {key}.{next(iter(annotation.model_fields))}")
        if nested:
            model = annotation


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"retrieval.k": 3} → {"retrieval": {"k": 3}}."""
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        *path, leaf = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def cmd_run(args: argparse.Namespace) -> int:
    from bot.engine import Engine
    from eval.report import PART_LABELS, headline_table, parts_by_category, parts_line, parts_table
    from eval.runner import ensure_index, run, select_cases

    if args.out and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file, not a folder")
    dataset = load_dataset(args.dataset)
    split = _run_split(args, dataset)
    cases = select_cases(select_part(dataset, split, args.part) if split else dataset, args.category, args.limit)
    if not cases:
        where = f" of category {', '.join(args.category)}" if args.category else ""
        raise UsageError(f"no case in {args.dataset}{where}" + (f" in the {args.part} part" if args.part != "all" else ""))
    flat = parse_sets(args.set)
    if args.backend:
        flat["llm.backend"] = args.backend
    overrides = nest(flat)
    with tempfile.TemporaryDirectory(prefix="zzbot-eval-index-") as scratch:
        if any(k.startswith(("chunking.", "embedding.")) for k in flat):
            # Another chunking or embedder needs its own index; the configured one stays untouched.
            overrides["chroma"] = {**overrides.get("chroma", {}), "path": scratch, "host": None}
        settings = load_settings(**overrides)  # a bad --set value is a SettingsError naming the setting
        engine = Engine(settings)
        ensure_index(engine)
        out = args.out or settings.var_dir / "eval" / datetime.now().strftime("%Y%m%d-%H%M%S")
        summary, report = run(cases, engine, out, compare_naive=args.compare == "naive",
                              overrides=flat, dataset=args.dataset, split=split, part=args.part)
    if summary["run"]["scored"]:
        _print_table(headline_table(summary))
        if summary.get("parts"):
            print()
            _print_table(parts_table(summary))
            print("\nBy category; cells read " + " · ".join(PART_LABELS[p].lower() for p in summary["parts"]) + ":")
            _print_table(parts_by_category(summary))
    else:
        print(f"{summary['run']['cases']} questions answered; none carries expectations, so nothing was scored.")
    print(f"\nresults: {out / 'results.jsonl'}\nreport:  {report}")
    if summary.get("parts"):
        print(parts_line(summary))
    return 0


def _print_table(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    widths = [max(len(r[i]) for r in chain([header], rows)) for i in range(len(header))]
    for row in chain([header], rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _split_path(args: argparse.Namespace) -> Path:
    """The split file: --split, else split.json beside the dataset (eval/split.json for the default one)."""
    return args.split or args.dataset.parent / "split.json"


def _run_split(args: argparse.Namespace, cases: list[AnswerCase | ClaimCase | QuestionOnly]) -> Split | None:
    """The split a run reports by; without a split file only ``--part all`` runs (with no dev/test blocks)."""
    path = _split_path(args)
    if args.part == "all" and args.split is None and not path.exists():
        return None
    split = load_split(path)
    if args.part == "all":
        unsplit = sum(1 for c in cases if getattr(c, "category", None) and c.id not in split.part_of())
        if unsplit:
            print(f"note: {unsplit} case(s) are not in {path}; the blocks of the parts leave them out", file=sys.stderr)
    return split


def cmd_validate(args: argparse.Namespace) -> int:
    from eval.dataset import validate_evidence
    from index.documents import load_documents

    if not args.dataset.is_file():
        raise UsageError(f"no dataset file {args.dataset}")
    if args.fresh and not args.split_new:
        raise UsageError("--fresh marks the ids --split-new assigns; give both")
    if args.seal and not args.split_new:
        raise UsageError("--seal puts the ids --split-new assigns in the sealed part; give both")
    if args.seal and args.fresh:
        raise UsageError("--fresh marks new test ids; sealed ids are never in test: give one of --fresh and --seal")
    try:
        cases = load_dataset(args.dataset)
    except DatasetError as err:
        print(err)
        return 1
    if args.split_new:
        _assign_new(cases, _split_path(args), fresh=args.fresh, seal=args.seal)
    problems = validate_evidence(cases, [d.text for d in load_documents(load_settings().documents)])
    problems += _split_check(cases, _split_path(args))
    for problem in problems:
        print(problem)
    print(f"{len(cases)} cases, {len(problems)} problem(s) in {args.dataset}")
    return 1 if problems else 0


def _assign_new(cases: list[AnswerCase | ClaimCase | QuestionOnly], path: Path, *, fresh: bool, seal: bool) -> None:
    """Add the cases the split file lacks (creating it if need be) without moving any existing id."""
    split = load_split(path) if path.exists() else Split()
    updated, added, dropped = extend_split(split, cases, fresh=fresh, seal=seal)
    save_split(updated, path)
    new_parts = Counter(updated.part_of()[i] for i in added)
    sealed = f", sealed {new_parts['sealed']}" if new_parts["sealed"] else ""
    print(f"{path}: {len(added)} new id(s) assigned (dev {new_parts['dev']}, test {new_parts['test']}{sealed})"
          + (" and marked fresh" if fresh and added else "")
          + (f"; {len(dropped)} id(s) no longer in the dataset dropped: {', '.join(dropped)}" if dropped else ""))


def _split_check(cases: list[AnswerCase | ClaimCase | QuestionOnly], path: Path) -> list[str]:
    if not any(getattr(c, "category", None) for c in cases):
        return []  # bare questions are never split
    try:
        return split_problems(load_split(path), cases)
    except SplitError as err:
        return [str(err)]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluate the report bot on a dataset.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="answer and score every case; write results, summary and a report")
    p_run.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL cases (default: %(default)s)")
    p_run.add_argument("--backend", choices=["local", "openai", "extractive"], help="LLM backend (default: settings)")
    p_run.add_argument("--out", type=Path, help="output folder (default: var/eval/<timestamp>)")
    p_run.add_argument("--limit", type=_positive, help="at most N cases, taken in turn from each category")
    p_run.add_argument("--category", nargs="+", action="extend", choices=CATEGORIES, metavar="CAT",
                       help=f"only these categories ({', '.join(CATEGORIES)})")
    p_run.add_argument("--compare", choices=["naive"], help="also run the peers' baseline and report both")
    p_run.add_argument("--part", choices=["dev", "test", "sealed", "all"], default="all",
                       help="only the dev, the test or the sealed cases of the split file "
                            "(default: %(default)s: every part, side by side)")
    p_run.add_argument("--split", type=Path, help="dev/test split file (default: split.json beside the dataset)")
    p_run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a setting, e.g. retrieval.k=3, retrieval.fusion=false, chunking.max_chars=300 "
                            f"(short names: {', '.join(ALIASES)})")
    p_run.set_defaults(run=cmd_run)
    p_validate = sub.add_parser("validate", help="check a dataset's schema and that its evidence is in the report")
    p_validate.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL cases (default: %(default)s)")
    p_validate.add_argument("--split", type=Path, help="dev/test split file (default: split.json beside the dataset)")
    p_validate.add_argument("--split-new", action="store_true",
                            help="assign the ids the split file lacks (stratified, seeded; existing ids never move)")
    p_validate.add_argument("--fresh", action="store_true", help="with --split-new: also list the new ids as fresh")
    p_validate.add_argument("--seal", action="store_true",
                            help="with --split-new: put the new ids in the sealed part (never tuned on)")
    p_validate.set_defaults(run=cmd_validate)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from bot.schema import BotUnavailable
    from index.documents import DocumentError
    from index.store import StoreError

    return run_command(lambda: args.run(args), bad_input=(UsageError, DatasetError, SplitError, SettingsError),
                       unavailable=(BotUnavailable, DocumentError, StoreError, OSError))


if __name__ == "__main__":
    sys.exit(main())
