"""The ``zzbot`` command: one entry point for every part, at the top of the tree (it imports them all). ``zzbot ask …`` is ``python -m bot ask …``, ``zzbot index
build`` is ``python -m index build``, ``zzbot serve`` is ``python app.py``."""

from __future__ import annotations

import sys

from zzbot.commands import closed_pipe

USAGE = """usage: zzbot COMMAND [ARGS…]

  ask "question"          answer a question with cited, verified figures      (python -m bot ask)
  search "question"       show the passages that best match a question        (python -m bot search)
  check "claim"           fact-check a claim against the report               (python -m bot check)
  figures [--grep TEXT]   list the figure table                               (python -m bot figures)
  index build|verify|…    build or check the index, fetch the models          (python -m index)
  eval run|validate       run the evaluation                                  (python -m eval)
  bench                   measure speed and memory                            (python -m eval.bench)
  policy                  print the answer policy: every rule, in order       (docs/answer-policy.md)
  serve [--port P]        start the chat UI and the HTTP API                  (python app.py)

Each command takes --help."""
BOT_COMMANDS = ("ask", "search", "check", "figures")


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        return closed_pipe()


def _dispatch(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command in BOT_COMMANDS:
        from bot.__main__ import main as bot_main

        return bot_main([command, *rest])
    if command == "index":
        from index.__main__ import main as index_main

        return index_main(rest)
    if command == "eval":
        from eval.__main__ import main as eval_main

        return eval_main(rest)
    if command == "bench":
        from eval.bench import main as bench_main

        return bench_main(rest) or 0
    if command == "policy":
        from bot.policy.rules import markdown_table

        print(markdown_table(), end="")
        return 0
    if command == "serve":
        from app import main as serve_main

        return serve_main(rest)
    print(f"error: unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
