"""A static look at the student's code, in the grader's process: does an answer call the reference?

The sandbox also traces the calls a function makes while it is probed, but whatever runs in the
sandbox can be tampered with; this scan cannot. It resolves imports and aliases (``from cnncourse
import ops as o; o.conv2d`` is ``cnncourse.ops.conv2d``) and reports

* uses of modules an exercise forbids (the course's reference, framework layers), and
* primitives that reach around the grader (``__import__``, ``importlib``, ``sys.modules``,
  ``setprofile``, ``ctypes``, ``exec``, subprocesses, ...), which could hide such a use.

A finding does not fail an answer: it turns a pass into "needs review", with the reason.
"""
from __future__ import annotations

import ast
import re

ALLOWED = ("cnncourse.homework.check", "cnncourse.homework.exercises")
TAMPER_NAMES = {"__import__", "exec", "eval", "compile", "globals", "vars", "locals",
                "get_ipython", "__builtins__", "breakpoint", "memoryview"}
# modules that load or run code out of the grader's sight (another process included)
TAMPER_MODULES = ("importlib", "ctypes", "gc", "inspect", "builtins", "subprocess", "pickle",
                  "marshal", "types", "runpy", "code", "codeop", "multiprocessing", "cffi", "pty",
                  "dill", "cloudpickle", "pkgutil", "zipimport", "concurrent")
TAMPER_ATTRIBUTES = {"modules", "setprofile", "settrace", "_getframe", "system", "popen",
                     "execv", "execve", "execvp", "execl", "fork", "spawnv", "spawnl", "posix_spawn",
                     "__dict__", "__globals__", "__code__", "__closure__", "__subclasses__",
                     "__class__", "__bases__", "__mro__", "f_back", "f_globals", "f_locals",
                     "__getattribute__", "__setattr__", "set_custom_exc", "register_magics",
                     "__builtins__", "__loader__", "__spec__"}
DYNAMIC_ACCESS = {"getattr", "setattr", "delattr"}


def _code(text: str) -> str:
    """Cell source with IPython magics and shell escapes commented out, so ast can parse it."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        lines.append(("#" + line) if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _dotted(node) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id] + parts[::-1]
    return None


def aliases_of(codes) -> dict[str, str]:
    """Names bound by imports in ``codes`` (the source's locked cells): ``{"np": "numpy"}``."""
    table: dict[str, str] = {}
    for code in codes:
        try:
            tree = ast.parse(_code(code))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            _bind_imports(node, table)
    return table


def _bind_imports(node, table) -> list[str]:
    """Record the aliases an import binds; return the module paths it imports."""
    imported = []
    if isinstance(node, ast.Import):
        for a in node.names:
            imported.append(a.name)
            table[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for a in node.names:
            path = f"{node.module}.{a.name}"
            imported.append(path)
            table[a.asname or a.name] = path
    return imported


def _matches(path: str, prefixes) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


def scan(cells, aliases: dict[str, str], forbidden) -> tuple[list[str], list[str]]:
    """``(reference uses, tampering)`` found in ``cells`` (``(where, code)`` pairs).

    ``forbidden`` is a list of dotted module prefixes. Each finding is a short text naming the
    cell and line.
    """
    table = dict(aliases)
    uses: list[str] = []
    tamper: list[str] = []

    def note(found: list, where, node, text):
        entry = f"cell {where}, line {getattr(node, 'lineno', '?')}: {text}"
        if entry not in found and len(found) < 12:
            found.append(entry)

    for where, code in cells:
        try:
            tree = ast.parse(_code(code))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            for path in _bind_imports(node, table):
                if _matches(path, forbidden) and path not in ALLOWED:
                    note(uses, where, node, f"imports {path}")
                if _matches(path, TAMPER_MODULES) or path.split(".")[-1] in TAMPER_ATTRIBUTES:
                    note(tamper, where, node, f"imports {path}")
            if isinstance(node, ast.Attribute):
                dotted = _dotted(node)
                if dotted and dotted[0] in table:
                    path = ".".join([table[dotted[0]]] + dotted[1:])
                    if _matches(path, forbidden) and not _matches(path, ALLOWED) \
                            and not any(a.startswith(path + ".") for a in ALLOWED):
                        note(uses, where, node, f"uses {path}")
                if node.attr in TAMPER_ATTRIBUTES:
                    note(tamper, where, node, f"uses .{node.attr}")
            elif isinstance(node, ast.Name):
                if node.id in TAMPER_NAMES:
                    note(tamper, where, node, f"uses {node.id}")
                elif node.id in table and _matches(table[node.id], forbidden) \
                        and table[node.id] not in ALLOWED and isinstance(node.ctx, ast.Load):
                    note(uses, where, node, f"uses {table[node.id]}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in DYNAMIC_ACCESS:
                if len(node.args) < 2 or not isinstance(node.args[1], ast.Constant):
                    note(tamper, where, node, f"{node.func.id} with a computed name")
                elif isinstance(node.args[1].value, str) and node.args[1].value.startswith("__"):
                    note(tamper, where, node, f"{node.func.id}(…, {node.args[1].value!r})")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.search(r"\b(cnncourse|scipy|tensorflow|torch)\b", node.value) \
                    and ("import" in node.value or "." in node.value):
                note(tamper, where, node, f"names a library in a string ({node.value[:40]!r})")
    return uses, tamper
