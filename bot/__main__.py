"""Command line: ``python -m bot search|ask|check|figures``. Every failure is one line on stderr and an exit code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from bot.engine import Engine
from bot.llm.client import BackendError
from bot.options import validate_k
from bot.schema import AnswerResult, BotInputError, BotUnavailable
from bot.understand.questions import (
    MAX_HISTORY_TURNS,
    clean_history,
    clean_question,
    load_history_file,
)
from zzbot.commands import Unavailable, run_command
from zzbot.progress import Progress
from zzbot.settings import BACKENDS, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.policy.chain import AnswerChain
    from bot.policy.factcheck import FactChecker

T = TypeVar("T")

EXIT_CODES = """exit codes:
  0  done
  2  bad input: a bad argument, question, claim or history file, or bad settings (ZZBOT_*, settings files)
  3  unavailable: a model or the index is missing or cannot be used"""


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _for_one_question(settings: Settings) -> Settings:
    """Settings for a command that answers one question and ends: questions embedded without importing torch
    (seconds less to start, a little more per question), unless the user chose a runtime."""
    if "query_runtime" in settings.embedding.model_fields_set:
        return settings
    return settings.model_copy(update={"embedding": settings.embedding.model_copy(update={"query_runtime": "numpy"})})


def cmd_search(args: argparse.Namespace) -> int:
    settings = _for_one_question(load_settings())
    k = validate_k(args.k, "--k") if args.k is not None else None
    question = clean_question(args.question, settings.question_max_chars)
    engine = Engine(settings)
    engine.preload()  # the embedder's tokenizer loads while the index opens
    passages = engine.search(question, k=k)
    if args.json:
        _print_json([p.to_dict() for p in passages])
        return 0
    for rank, p in enumerate(passages, start=1):
        c = p.chunk
        print(f"{rank}. score {p.score:.4f}  {c.source} [{c.start}:{c.end}]  {c.section}")
        print(f"   {c.text}\n")
    return 0


def _print_answer(result: AnswerResult) -> None:
    """The answer as the checks left it, then its check and its sources."""
    if result.standalone_question != result.question:
        print(f"(understood as: {result.standalone_question})")
    print(result.answer)
    if not result.found:
        if result.fallback_reason:
            print(f"\n[{result.fallback_reason}]")
        return
    status = "verified" if result.verified else "NOT verified"
    note = f"; fallback: {result.fallback_reason}" if result.fallback_reason else ""
    print(f"\n[{result.backend}, figures {status}{note}]")
    print("Sources:")
    for c in result.citations:
        print(f"  [{c.n}] {c.source} [{c.start}:{c.end}]  {c.section}")
        print(f"      {c.text}")


def cmd_ask(args: argparse.Namespace) -> int:
    if (args.question is None) == (args.file is None):
        raise BotInputError("give one question, or --file FILE with one question per line")
    if args.file and args.history:
        raise BotInputError("--history is for one question; in a --file, give each line its own \"history\"")
    overrides = {"llm": {"backend": args.backend}} if args.backend else {}
    settings = load_settings(**overrides)
    settings = settings if args.file else _for_one_question(settings)
    k = validate_k(args.k, "--k") if args.k is not None else None
    questions = _read_questions(args.file, settings.question_max_chars) if args.file else None
    history = _read_history(args.history, settings.question_max_chars) if args.history else []
    if args.question is not None:  # a bad question is refused before anything loads
        clean_question(args.question, settings.question_max_chars)
    first = questions[0] if questions else QuestionLine(1, args.question, history)
    engine = Engine(settings)
    from bot.understand.parsed import prompt_roles  # the question's reading imports langchain: not for `figures`

    # The embedder, the index and the model context(s) this question needs load side by side.
    engine.preload(settings.llm.backend, prompt_roles(first.question, bool(first.history), settings.answer))
    from bot.policy.chain import AnswerChain  # langchain's import, meanwhile

    chain = AnswerChain(engine)
    if questions is not None:
        return _answer_file(chain, questions, k, args.json)
    if args.json:
        _print_json(chain.ask(args.question, history, k=k).to_dict())
        return 0
    _stream_answer(chain, args.question, history, k, DraftNote(sys.stderr, args.verbose))
    return 0


def _stream_answer(chain: AnswerChain, question: str, history: list[dict[str, str]], k: int | None,
                   note: DraftNote) -> None:
    """Only the checked answer goes to stdout, once it is final: a draft the checks replace is never there for
    a script to read. ``note`` shows the draft on stderr meanwhile."""
    for event in chain.events(question, history, k=k):
        if event.kind == "token":
            note.token(event.text)
        elif event.kind == "replace":
            note.replaced(event.text)
        elif event.kind == "queue" and event.text:
            note.status(event.text)
        elif event.kind == "final" and event.result is not None:
            note.close()
            _print_answer(event.result)


class DraftNote:
    """What stderr shows while an answer is written. ``verbose``: the model's draft as it comes, and the answer
    that replaced it; otherwise, on a terminal, one line saying how far the draft is, erased before the answer
    is printed; otherwise nothing."""

    def __init__(self, stream: TextIO, verbose: bool) -> None:
        self.stream, self.verbose = stream, verbose
        self.live = not verbose and _is_terminal(stream)
        self.pieces = 0
        self.mid_line = False

    def token(self, text: str) -> None:
        self.pieces += 1
        if self.verbose:
            self._write(text if self.mid_line else f"draft: {text}")
            self.mid_line = True
        elif self.live:
            self._write(f"\r\033[Kwriting the answer… ({self.pieces} tokens, checked when complete)")

    def replaced(self, text: str) -> None:
        if self.verbose:
            self._write(f"{chr(10) if self.mid_line else ''}replaced by the checks with: {text}\n")
            self.mid_line = False
        elif self.live:
            self._write("\r\033[Kthe checks replaced the draft")

    def status(self, text: str) -> None:
        if self.live:
            self._write(f"\r\033[K{text}")

    def close(self) -> None:
        if self.verbose and self.mid_line:
            self._write("\n")
        elif self.live:
            self._write("\r\033[K")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class QuestionLine:
    """One line of a questions file: its id (the line number unless it gives one), question and history;
    ``error`` when the line cannot be read as one."""

    id: object
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None


def _read_questions(path: Path, max_chars: int) -> list[QuestionLine]:
    """One question per line, plain or as JSON {"id", "question", "history"}; blank lines are skipped."""
    return _read_lines(path, "question", lambda n, line: _question_line(n, line, max_chars))


def _read_lines(path: Path, noun: str, parse: Callable[[int, str], T]) -> list[T]:
    """Each non-blank line of a file of ``noun``s, parsed with its line number."""
    lines = [(n, line.strip()) for n, line in enumerate(_read_text_file(path, f"{noun}s file").splitlines(), 1)]
    items = [parse(n, line) for n, line in lines if line]
    if not items:
        raise BotInputError(f"{noun}s file {path} has no {noun}s")
    return items


def _question_line(number: int, line: str, max_chars: int) -> QuestionLine:
    if not line.startswith("{"):
        return QuestionLine(number, line)
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return QuestionLine(number, "", error=f"line {number} starts with {{ but is not valid JSON")
    if not isinstance(record, dict):
        return QuestionLine(number, "", error=f"line {number} is not a JSON object")
    line_id = record.get("id", number)
    question = record.get("question")
    if not isinstance(question, str):
        return QuestionLine(line_id, "", error=f"line {number} needs a \"question\" string")
    try:
        history = clean_history(record.get("history"), max_chars)
    except BotInputError as err:
        return QuestionLine(line_id, question, error=f"line {number}: {err}")
    return QuestionLine(line_id, question, history)


def _answer_file(chain: AnswerChain, questions: list[QuestionLine], k: int | None, as_json: bool) -> int:
    """Answer every line, writing each result as soon as it is ready; a bad line gets an error record and the
    rest go on. Exit code 2 when any line failed."""
    failed = 0
    with Progress("questions", len(questions), unit="q") as progress:
        for line in questions:
            record = _answer_line(chain, line, k)
            if "error" in record:
                failed += 1
            progress.write(json.dumps(record, ensure_ascii=False) if as_json else _readable(record), sys.stdout)
            progress.set(progress.done + 1, note=f"failed={failed}" if failed else None)
    if failed:
        print(f"error: {failed} of {len(questions)} questions could not be answered", file=sys.stderr)
    return 2 if failed else 0


def _answer_line(chain: AnswerChain, line: QuestionLine, k: int | None) -> dict[str, Any]:
    if line.error is not None:
        return {"id": line.id, "error": line.error}
    try:
        return {"id": line.id, **chain.ask(line.question, line.history, k=k).to_dict()}
    except BotInputError as err:
        return {"id": line.id, "error": str(err)}


def _readable(record: dict[str, Any]) -> str:
    if "error" in record:
        return f"[{record['id']}] ERROR {record['error']}\n"
    lines = [f"[{record['id']}] {record['question']}", record["answer"]]
    lines += [f"  [{c['n']}] {c['source']} [{c['start']}:{c['end']}]  {c['section']}" for c in record["citations"]]
    return "\n".join(lines) + "\n"


def _history_limit(max_chars: int) -> int:
    """Bytes a history file may have: every kept message (the last MAX_HISTORY_TURNS, each cut to twice the
    question limit) at full length with each character written as a 6-byte \\u escape (\\u4e2d)."""
    return max_chars * 2 * MAX_HISTORY_TURNS * 6


def _read_history(path: Path, max_chars: int) -> list[dict[str, str]]:
    """A --history file, refused before it is read when it is not a file or too large to be a chat history."""
    _check_file(path, "history file", _history_limit(max_chars))
    try:
        return load_history_file(path, max_chars)
    except RecursionError:
        raise BotInputError(f"history file {path} is nested too deeply to be a list of messages") from None
    except OSError as err:
        raise BotInputError(f"cannot read history file {path}: {err.strerror or err}") from None


def _check_file(path: Path, what: str, max_bytes: int | None = None) -> None:
    """BotInputError unless ``path`` is a regular file of at most ``max_bytes`` (checked without reading it)."""
    try:
        if not path.is_file():
            problem = "is a folder" if path.is_dir() else "is not a regular file" if path.exists() else "does not exist"
            raise BotInputError(f"{what} {path} {problem}")
        size = path.stat().st_size
    except OSError as err:
        raise BotInputError(f"cannot read {what} {path}: {err.strerror or err}") from None
    if max_bytes is not None and size > max_bytes:
        raise BotInputError(f"{what} {path} is {size:,} bytes; the limit is {max_bytes:,}")


def _read_text_file(path: Path, what: str) -> str:
    """The UTF-8 text of a file the user named, or BotInputError saying why it cannot be used."""
    _check_file(path, what)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BotInputError(f"cannot read {what} {path}: {err.strerror or err}") from None
    if b"\0" in data:
        raise BotInputError(f"{what} {path} is binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BotInputError(f"{what} {path} is not UTF-8 text") from None


@dataclass(frozen=True)
class ClaimLine:
    """One line of a claims file: its number and claim; ``error`` when the line cannot be checked."""

    number: int
    claim: str
    error: str | None = None


def clean_claim(text: str, max_chars: int) -> str:
    """A claim normalised as a question is, or BotInputError saying what is wrong with it as a claim."""
    try:
        claim = clean_question(text, sys.maxsize)
    except BotInputError:
        raise BotInputError("the claim is empty; give a statement about the report to check") from None
    if len(claim) > max_chars:
        raise BotInputError(f"the claim is {len(claim):,} characters long; the limit is {max_chars:,}. "
                            "Check a shorter claim")
    return claim


def _read_claims(path: Path, max_chars: int) -> list[ClaimLine]:
    """One claim per line, plain or as JSON {"claim"} (or {"question"}); blank lines are skipped."""
    return _read_lines(path, "claim", lambda n, line: _claim_line(n, line, max_chars))


def _claim_line(number: int, line: str, max_chars: int) -> ClaimLine:
    shown = line if len(line) <= 80 else f"{line[:80]}…"  # a bad line is named, not printed whole
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return ClaimLine(number, shown, f"line {number} starts with {{ but is not valid JSON")
        claim = record.get("claim", record.get("question")) if isinstance(record, dict) else None
        if not isinstance(claim, str):
            return ClaimLine(number, shown, f"line {number}: a JSON line needs a \"claim\" or \"question\" string")
        line, shown = claim, claim if len(claim) <= 80 else f"{claim[:80]}…"
    try:
        return ClaimLine(number, clean_claim(line, max_chars))
    except BotInputError as err:
        return ClaimLine(number, shown, f"line {number}: {err}")


def cmd_check(args: argparse.Namespace) -> int:
    if (args.claim is None) == (args.file is None):
        raise BotInputError("give one claim, or --file FILE with one claim per line")
    settings = load_settings() if args.file else _for_one_question(load_settings())
    if not args.file:  # a bad claim is refused before anything loads; it is bad input, not a result
        claim = clean_claim(args.claim, settings.question_max_chars)
        results = [_checker(settings).check(claim).to_dict()]
    else:
        results = _check_claims_file(args.file, settings)
    if args.json:
        _print_json(results if args.file else results[0])
    else:
        _print_checks(results)
    refused = sum("error" in r for r in results)
    if refused:
        print(f"error: {refused} of {len(results)} claims could not be checked", file=sys.stderr)
    return 2 if refused else 0


def _check_claims_file(path: Path, settings: Settings) -> list[dict[str, Any]]:
    """A result or an error for every line: a bad line does not stop the others being checked."""
    lines = _read_claims(path, settings.question_max_chars)
    # Only a file with something to check loads the models.
    checker = _checker(settings) if any(line.error is None for line in lines) else None
    return [_check_line(checker, line) for line in lines]


def _checker(settings: Settings) -> FactChecker:
    from bot.policy.factcheck import FactChecker

    engine = Engine(settings)
    engine.preload()  # the embedder's tokenizer loads while the index opens
    return FactChecker(engine)


def _check_line(checker: FactChecker | None, line: ClaimLine) -> dict[str, Any]:
    if line.error is not None or checker is None:
        return {"line": line.number, "claim": line.claim, "error": line.error}
    try:
        return {"line": line.number, **checker.check(line.claim).to_dict()}
    except BotInputError as err:
        return {"line": line.number, "claim": line.claim, "error": f"line {line.number}: {err}"}


def _print_checks(results: list[dict]) -> None:
    for result in results:
        if "error" in result:
            print(f"ERROR          {result['claim']}\n               {result['error']}\n")
            continue
        print(f"{result['verdict'].upper():<14} {result['claim']}")
        print(f"               {result['explanation']}")
        for c in result["citations"]:
            print(f"               [{c['n']}] {c['source']} [{c['start']}:{c['end']}]  {c['section']}")
        print()


def cmd_figures(args: argparse.Namespace) -> int:
    """The figure table, read from the indexed passages: no model is loaded (the table needs no vectors)."""
    from index.figures import figure_rows, matching, write_csv
    from index.store import indexed_passages

    rows = matching(figure_rows(indexed_passages(load_settings())), args.grep or "")
    if args.json:
        _print_json([row.to_dict() for row in rows])
    elif args.csv:
        write_csv(rows, sys.stdout)
    else:
        for row in rows:
            print(f"{row.figure:<14} {row.english:<32} {row.kind:<7} {row.subject}  [{row.source} {row.start}:{row.end}]")
        print(f"{len(rows)} figures", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ask the government work report.",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_search = sub.add_parser("search", help="show the passages that best match a question")
    p_search.add_argument("question")
    p_search.add_argument("--k", type=int, default=None, help="number of passages (default: settings)")
    p_search.add_argument("--json", action="store_true", help="print JSON")
    p_search.set_defaults(run=cmd_search)
    p_ask = sub.add_parser("ask", help="answer a question with cited, verified figures")
    p_ask.add_argument("question", nargs="?")
    p_ask.add_argument("--file", type=Path, help="answer every question in a file: one per line, plain or JSON "
                       "{\"id\", \"question\", \"history\"}; one result per line as it goes")
    p_ask.add_argument("--history", type=Path, help="JSON file: a list of {\"role\", \"content\"} messages")
    p_ask.add_argument("--backend", choices=BACKENDS, help="override the LLM backend")
    p_ask.add_argument("--k", type=int, default=None, help="passages to retrieve (default: settings)")
    p_ask.add_argument("--json", action="store_true", help="print JSON")
    p_ask.add_argument("--verbose", action="store_true", help="show the model's draft on stderr as it is written, "
                       "and what the checks replaced it with (stdout only ever gets the checked answer)")
    p_ask.set_defaults(run=cmd_ask)
    p_check = sub.add_parser("check", help="fact-check a claim against the report")
    p_check.add_argument("claim", nargs="?")
    p_check.add_argument("--file", type=Path, help="check every claim in a file (one per line, or JSON lines)")
    p_check.add_argument("--json", action="store_true", help="print JSON")
    p_check.set_defaults(run=cmd_check)
    p_figures = sub.add_parser("figures", help="list every figure of the indexed documents: what it counts, value, "
                                              "unit, qualifier, English value, kind, sentence and offsets")
    p_figures.add_argument("--grep", metavar="TEXT", help="only rows whose subject, figure, unit, sentence… contain TEXT")
    shape = p_figures.add_mutually_exclusive_group()
    shape.add_argument("--csv", action="store_true", help="print CSV")
    shape.add_argument("--json", action="store_true", help="print JSON")
    p_figures.set_defaults(run=cmd_figures)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # index.store.StoreError is caught as Unavailable: importing chromadb up front would hold up the models'
    # loading, which a command starts first.
    return run_command(lambda: args.run(args), bad_input=(BotInputError, SettingsError),
                       unavailable=(BotUnavailable, BackendError, Unavailable, OSError))


if __name__ == "__main__":
    sys.exit(main())
