"""The tree shows the flow: each package imports only those below it, and no module imports itself back in a
circle. Read from the source (ast), so it needs no model and runs in the fast suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first: a package may import its own modules and any package listed before it, never one after it.
LAYERS = [
    "zzbot",
    "index",
    "bot.schema", "bot.options",
    "bot.llm",
    "bot.understand",
    "bot.retrieval",
    "bot.engine",
    "bot.answer",
    "bot.policy",
    "bot.serving",
    "bot.__main__",
    "ui",
    "eval",
    "app",
    "cli",
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for top in ("zzbot", "index", "bot", "ui", "eval"):
        for path in (ROOT / top).rglob("*.py"):
            found[_module_name(path)] = path
    for name in ("app", "cli"):
        found[name] = ROOT / f"{name}.py"
    return found


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project's modules a file imports, at any depth of the file (lazy imports count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name in known}


def _layer(module: str) -> int:
    matches = [i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")]
    if not matches:
        raise AssertionError(f"{module} belongs to no layer of tests/test_layers.py")
    return max(matches, key=lambda i: len(LAYERS[i]))


GRAPH = {name: _imports(path, set(_sources())) for name, path in _sources().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_a_higher_layer(module):
    upward = sorted(dep for dep in GRAPH[module] if _layer(dep) > _layer(module))
    assert not upward, f"{module} (layer {LAYERS[_layer(module)]}) imports higher layers: {upward}"


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH.get(node, ())):
            if dep == node or dep.startswith(node + "."):
                continue  # a package importing its own modules
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " → ".join([*path, node, dep]))
            if dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


@pytest.mark.parametrize("module", sorted(_sources()))
def test_modules_and_functions_stay_small_enough_to_read(module):
    path = _sources()[module]
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{module} has {source.count(chr(10))} lines; split it by job"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"
