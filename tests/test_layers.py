"""No import circles among the project's modules (agent/, store/, evals/).

Imports are read from the source with `ast`, not by importing: a module-level import and one
inside a function both count (an import hidden in a function still makes a circle; it only
moves the failure from import time to call time), an import under `if TYPE_CHECKING:` does
not (it never runs). Circles are strongly connected components of the import graph.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "store", "evals")

# The one circle left, in code other work is changing at the time of writing, through an
# import inside a function (agent.chat.language -> agent.chat.transcript). Remove the entry
# when the circle is broken; add none.
KNOWN = {
    frozenset(  # the chat's answer, its languages and the transcript
        {
            "agent.chat.answer",
            "agent.chat.extractive",
            "agent.chat.generate",
            "agent.chat.language",
            "agent.chat.transcript",
        }
    ),
}


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages."""
    out: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
    return name == "TYPE_CHECKING"


def imported(module: str, path: Path, known: dict[str, Path], deep: bool) -> dict[str, int]:
    """The project's modules `module` imports -> the first line importing each; `deep`:
    also the imports inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, int] = {}

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def add(name: str, line: int) -> None:
        target = resolve(name)
        if target and target != module:
            found.setdefault(target, line)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            if deep:
                visit(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package
                for _ in range(node.level - 1):
                    up = up.rpartition(".")[0]
                base = f"{up}.{base}" if base else up
            for alias in node.names:  # `from pkg import module` imports the module
                name = f"{base}.{alias.name}"
                add(name if name in known else base, node.lineno)
        else:
            visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def circles(root: Path, packages: tuple[str, ...], deep: bool) -> list[set[str]]:
    """The import circles (strongly connected components of more than one module)."""
    known = modules(root, packages)
    graph = {m: imported(m, p, known, deep) for m, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def connect(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph)))
    try:
        for v in graph:
            if v not in index:
                connect(v)
    finally:
        sys.setrecursionlimit(limit)
    return out


def describe(component: set[str], root: Path, deep: bool) -> str:
    known = modules(root, PACKAGES)
    edges = []
    for m in sorted(component):
        for target, line in sorted(imported(m, known[m], known, deep).items()):
            if target in component:
                edges.append(f"{m} -> {target} (line {line})")
    return "; ".join(edges)


def test_no_import_circle_at_module_level() -> None:
    found = circles(ROOT, PACKAGES, deep=False)
    assert not found, "import circles: " + " | ".join(describe(c, ROOT, False) for c in found)


def test_no_import_circle_through_imports_inside_functions() -> None:
    found = circles(ROOT, PACKAGES, deep=True)
    new = [c for c in found if frozenset(c) not in KNOWN]
    assert not new, (
        "import circles (move the shared helper to the lower module instead of importing "
        "inside a function): " + " | ".join(describe(c, ROOT, True) for c in new)
    )
    gone = [sorted(k) for k in KNOWN if k not in {frozenset(c) for c in found}]
    assert not gone, f"these circles are broken now; remove them from KNOWN: {gone}"


def test_the_scan_sees_circles_through_functions_but_not_type_checking(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def helper():\n    from pkg.high import thing\n")
    (pkg / "high.py").write_text("from pkg import low\n\nthing = 1\n")
    (pkg / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.hint import X\n"
    )
    (pkg / "hint.py").write_text("from . import typed\n")
    assert circles(tmp_path, ("pkg",), deep=False) == []
    assert circles(tmp_path, ("pkg",), deep=True) == [{"pkg.low", "pkg.high"}]
