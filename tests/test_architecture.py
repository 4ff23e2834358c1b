"""The import rules import-linter does not check (its layer contracts in pyproject.toml
run in ``make test``): no import cycle between planner's modules, and nothing private
used from outside its package. See docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("planner")


def _package(module: str) -> str:
    return module.rsplit(".", 1)[0]


def _is_parent_import(importer: str, imported: str) -> bool:
    """A package's ``__init__`` importing its own children is not a cycle's edge."""
    return imported.startswith(importer + ".")


def _cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    modules = sorted(graph.modules)
    edges = {
        m: sorted(
            d for d in graph.find_modules_directly_imported_by(m)
            if d in graph.modules and not _is_parent_import(m, d)
            and not _is_parent_import(d, m)
        )
        for m in modules
    }  # fmt: skip
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for m in modules:
        if m not in index:
            visit(m)
    return groups


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, f"modules that import each other: {cycles}"


def test_private_modules_stay_inside_their_package():
    graph = _graph()
    leaks = []
    for module in graph.modules:
        last = module.rsplit(".", 1)[-1]
        if not last.startswith("_") or last.startswith("__"):
            continue
        home = _package(module)
        for importer in graph.find_modules_that_directly_import(module):
            if not (importer == home or importer.startswith(home + ".")):
                leaks.append(f"{importer} imports {module}")
    assert not leaks, leaks


def _private_leaks(module: str, source: str, names: list[str]) -> list[str]:
    """``from source import names`` in ``module``: the private names it takes from
    outside its own package (``_x`` may be used where it lives and below)."""
    is_package = (ROOT / source.replace(".", "/") / "__init__.py").exists()
    home = source if is_package else _package(source)  # where the names live
    inside = module == home or module.startswith(home + ".")
    return [
        f"{module} imports {source}.{name}"
        for name in names
        if name.startswith("_") and not name.startswith("__") and not inside
    ]


def test_no_private_name_is_imported_from_another_package():
    leaks = []
    for path in (ROOT / "planner").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            ours = isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
            if ours and node.module.startswith("planner"):
                names = [alias.name for alias in node.names]
                leaks += _private_leaks(module, node.module, names)
    assert not leaks, leaks


def test_the_private_check_finds_a_leak():
    assert _private_leaks("planner.staffing", "planner.models.blending", ["_solve"])
    assert _private_leaks("planner.report", "planner.models", ["_kernels"])
    assert not _private_leaks("planner.models.erlang", "planner.models", ["_kernels"])
    assert not _private_leaks("planner.models.chats", "planner", ["_validate"])


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [{"p.a", "p.b"}]
