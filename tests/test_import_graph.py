"""No import circles inside ``cnncourse``: the import graph is read from the source (AST).

Every ``import cnncourse…`` / ``from . import …`` counts, at module level AND inside functions:
an import moved into a function to dodge a circle still is one (it only fails later, at call
time, and hides which module owns what). Importing ``a.b.c`` also runs the packages ``a.b``
and ``a``, so an edge to a submodule is an edge to its packages too (unless the importer lives
inside them).
"""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnncourse"

# Circles that belong to work in progress elsewhere, each with its owner. The test fails on
# any other circle, and also when a listed one is gone (then delete it here).
KNOWN_CYCLES: set = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(node, module: str, is_package: bool, modules) -> list[str]:
    """The cnncourse modules an Import/ImportFrom node names (a name may be a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "cnncourse"]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != "cnncourse":
        return []
    return [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
            for alias in node.names]


def _run_on_import(target: str, importer: str, modules) -> list[str]:
    """``target`` and the packages above it that importing it runs (not the importer's own)."""
    while target not in modules and "." in target:  # `from m import function`
        target = target.rsplit(".", 1)[0]
    chain, parts = [], target.split(".")
    for i in range(2, len(parts) + 1):  # skip the root package: everything is inside it
        name = ".".join(parts[:i])
        if name in modules and not importer.startswith(name + ".") and name != importer:
            chain.append(name)
    return chain


def import_graph():
    """(graph, counts): ``{module: {modules it imports}}``; counts of top-level/in-function imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    counts = {"top": 0, "function": 0}
    for module, path in modules.items():
        graph.setdefault(module, set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = _imported(node, module, path.name == "__init__.py", modules)
            if targets:
                counts["top" if id(node) in top_level else "function"] += 1
            for target in targets:
                for name in _run_on_import(target, module, modules):
                    graph[module].add(name)
    return graph, counts


def find_cycle(graph, leave_out=frozenset()) -> list[str] | None:
    """One import circle of ``graph`` (edges inside a ``leave_out`` set ignored), or None."""
    edges = {a: {b for b in deps if not any({a, b} <= known for known in leave_out)}
             for a, deps in graph.items()}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def test_the_graph_sees_imports_in_functions_and_packages():
    graph, counts = import_graph()
    assert counts["top"] > 0 and counts["function"] >= 0
    assert "cnncourse.models.blocks" in graph["cnncourse.models.resnet"]
    assert "cnncourse.models.resnet" in graph["cnncourse.models.senet"]
    assert "cnncourse.models" in graph["cnncourse.accounting"]


def test_a_planted_circle_is_found(tmp_path, monkeypatch):
    package = tmp_path / "cnncourse"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .sub import b\n")  # in a function
    (package / "sub" / "__init__.py").write_text("from .. import c\n")   # via the package
    (package / "sub" / "b.py").write_text("")
    (package / "c.py").write_text("import cnncourse.a\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    cycle = find_cycle(import_graph()[0])
    assert cycle is not None and set(cycle) == {"cnncourse.a", "cnncourse.sub", "cnncourse.c"}


def test_no_import_circles_in_cnncourse():
    graph, _ = import_graph()
    cycle = find_cycle(graph, leave_out=KNOWN_CYCLES)
    assert cycle is None, (
        f"import circle: {' -> '.join(cycle)}. Move the shared piece into a module both can "
        "import (as models/blocks.py does for the zoo's blocks).")
    for known in KNOWN_CYCLES:
        inside = {a: deps & known for a, deps in graph.items() if a in known}
        assert find_cycle(inside), f"the listed circle {sorted(known)} is gone: delete it here"


@pytest.mark.parametrize("module", ["cnncourse.models", "cnncourse.accounting", "cnncourse.shapes"])
def test_the_zoo_and_the_counters_import_their_helpers_at_the_top(module):
    """Inside the modules of the Keras-door refactor no cnncourse import hides in a function."""
    modules = _modules()
    family = [m for m in modules if m == module or m.startswith(module + ".")]
    for name in family:
        path = modules[name]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        hidden = [node.lineno for node in ast.walk(tree)
                  if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top_level
                  and _imported(node, name, path.name == "__init__.py", modules)]
        assert not hidden, f"{path.name}: cnncourse imports inside functions at lines {hidden}"
