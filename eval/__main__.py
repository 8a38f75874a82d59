"""Command line: ``python -m eval run|validate``.

    python -m eval run                                   # the whole dataset with the configured backend
    python -m eval run --backend extractive --limit 30 --compare naive
    python -m eval run --set retrieval.k=3 --set fusion=false --set chunking.max_chars=300
    python -m eval validate --dataset FILE               # schema and evidence check
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from eval.dataset import AnswerCategory, DatasetError, load_dataset
from settings import PROJECT_ROOT, Settings, SettingsError, load_settings

DEFAULT_DATASET = PROJECT_ROOT / "eval" / "dataset.jsonl"
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
    from eval.report import headline_table
    from eval.runner import ensure_index, run, select_cases

    if args.out and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file, not a folder")
    cases = select_cases(load_dataset(args.dataset), args.category, args.limit)
    if not cases:
        raise UsageError(f"no case in {args.dataset}" + (f" of category {', '.join(args.category)}" if args.category else ""))
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
                              overrides=flat, dataset=args.dataset)
    if summary["run"]["scored"]:
        header, rows = headline_table(summary)
        widths = [max(len(r[i]) for r in chain([header], rows)) for i in range(len(header))]
        for row in chain([header], rows):
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    else:
        print(f"{summary['run']['cases']} questions answered; none carries expectations, so nothing was scored.")
    print(f"\nresults: {out / 'results.jsonl'}\nreport:  {report}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from eval.dataset import validate_evidence
    from index.documents import load_documents

    if not args.dataset.is_file():
        raise UsageError(f"no dataset file {args.dataset}")
    try:
        cases = load_dataset(args.dataset)
    except DatasetError as err:
        print(err)
        return 1
    problems = validate_evidence(cases, [d.text for d in load_documents(load_settings().documents)])
    for problem in problems:
        print(problem)
    print(f"{len(cases)} cases, {len(problems)} problem(s) in {args.dataset}")
    return 1 if problems else 0


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
    p_run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a setting, e.g. retrieval.k=3, retrieval.fusion=false, chunking.max_chars=300 "
                            f"(short names: {', '.join(ALIASES)})")
    p_run.set_defaults(run=cmd_run)
    p_validate = sub.add_parser("validate", help="check a dataset's schema and that its evidence is in the report")
    p_validate.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL cases (default: %(default)s)")
    p_validate.set_defaults(run=cmd_validate)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from bot.schema import BotUnavailable
    from index.documents import DocumentError
    from index.store import StoreError

    try:
        return args.run(args)
    except (UsageError, DatasetError, SettingsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (BotUnavailable, DocumentError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
