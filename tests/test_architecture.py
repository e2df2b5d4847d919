"""The house keeps its shape: the layers contract in pyproject.toml holds (import-linter),
and no module of examgen imports itself round a circle."""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_each_room_imports_only_from_the_rooms_below_it():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The modules that import each other round a circle (Tarjan's strongly connected
    components of more than one module)."""
    modules = sorted(m for m in graph.modules if m.startswith("generator"))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if not other.startswith("generator"):
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_modules_import_each_other_round_a_circle():
    assert circles(grimp.build_graph("generator", "solvers")) == []


def test_a_circle_is_found_when_there_is_one():
    graph = grimp.ImportGraph()
    for module in ("generator.a", "generator.b", "generator.c"):
        graph.add_module(module)
    graph.add_import(importer="generator.a", imported="generator.b")
    graph.add_import(importer="generator.b", imported="generator.c")
    graph.add_import(importer="generator.c", imported="generator.a")
    assert circles(graph) == [["generator.a", "generator.b", "generator.c"]]
