"""Homework with automatic feedback: exercise checkers, student releases and grading.

A homework notebook is written as its solution (the lecturer's source). Inside code cells, the
model answer sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, as nbgrader expects.
Each exercise ends in a check cell whose first line is ``# CHECK: <exercise id>`` and which calls
:func:`check`::

    # CHECK: hw1.lenet_conv1_params
    homework.check("hw1.lenet_conv1_params", lenet_conv1_params)

``check`` computes the expected value with the library (``shapes``, ``ops``, ``accounting``,
``models``) at that moment, prints one ``✓ passed: …`` line, or raises
:class:`HomeworkCheckError` with what is wrong and a hint.

Tools for the lecturer (also on the command line, ``cnncourse homework release|check``):

* :func:`release` writes the student versions: solution regions replaced by a stub, outputs cleared;
* :func:`grade` runs one notebook in a fresh kernel and scores every exercise (a DataFrame);
* :func:`check_notebooks` grades several notebooks and prints the score tables.
"""
from __future__ import annotations

import copy
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from ._checks import did_you_mean, positive_int

__all__ = [
    "HomeworkCheckError", "check", "exercises", "strip_solutions", "student_version",
    "release", "grade", "check_notebooks",
]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CHECK_MARK = "# CHECK:"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
PASS_MARK = "✓ passed:"
NOT_DONE = "NotImplementedError: not done yet"
KERNEL = "python3"
_TIMEOUT_ENAME = "CellTimeout"


class HomeworkCheckError(AssertionError):
    """A failed homework check; the message says what is wrong and how to get it right."""


# --------------------------------------------------------------------------------------------
# check(): the registry of exercise checkers
# --------------------------------------------------------------------------------------------

_CHECKERS: dict[str, Callable] = {}


def _exercise(exercise_id: str):
    """Register the decorated function as the checker of ``exercise_id``.

    A checker takes the student's answer, raises :class:`HomeworkCheckError` when it is wrong and
    returns a short description of what passed (shown after ``✓ passed:``).
    """

    def decorate(fn):
        _CHECKERS[exercise_id] = fn
        return fn

    return decorate


def exercises() -> list[str]:
    """The ids of every exercise :func:`check` knows, sorted."""
    return sorted(_CHECKERS)


def check(exercise_id: str, answer) -> None:
    """Check the ``answer`` to exercise ``exercise_id``; print ``✓ passed: …`` or raise.

    Raises :class:`HomeworkCheckError` (an ``AssertionError``) when the answer is wrong, with a
    hint; ``ValueError`` when ``exercise_id`` is not an exercise.
    """
    if exercise_id not in _CHECKERS:
        raise ValueError(f"no homework exercise {exercise_id!r}: "
                         f"{did_you_mean(str(exercise_id), _CHECKERS)}")
    detail = _CHECKERS[exercise_id](answer)
    # one write, so Jupyter stores the line as one output (stable under nbval)
    sys.stdout.write(f"{PASS_MARK} {exercise_id} ({detail})\n")


def _fail(problem: str, hint: str = ""):
    """Raise the failed check, without chaining the student's own traceback to it."""
    raise HomeworkCheckError(f"{problem} Hint: {hint}" if hint else problem) from None


def _one_line(text) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return " ".join(lines)


def _call(fn, *args, what: str, **kwargs):
    """Call the student's ``fn``; any exception becomes a failed check with a one-line message."""
    if not callable(fn):
        _fail(f"{what} must be a function, got {type(fn).__name__}.",
              "pass the function itself, without calling it (no parentheses).")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        _fail(f"{NOT_DONE}: {what} still raises NotImplementedError.",
              "replace the `raise NotImplementedError()` line with your code.")
    except Exception as exc:  # the student's bug is a failed check, not a crash
        _fail(f"{what} raised {type(exc).__name__}: {_one_line(exc)}")


# --------------------------------------------------------------------------------------------
# release(): student versions
# --------------------------------------------------------------------------------------------

def strip_solutions(source: str, stub=CODE_STUB, where: str = "cell") -> tuple[str, int]:
    """Replace every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region of ``source``.

    The region (markers included) becomes ``stub``, indented like the BEGIN line, so a stub
    inside a function body stays valid Python. Returns ``(new_source, regions_replaced)``.
    Unbalanced or nested markers raise ``ValueError`` naming ``where`` and the line.
    """
    out: list[str] = []
    regions = 0
    begin_line = None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if begin_line is not None:
                raise ValueError(f"{where}, line {number}: a second {BEGIN_SOLUTION!r} before the "
                                 f"{END_SOLUTION!r} of the region opened on line {begin_line}; "
                                 "close each region before opening the next.")
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + text for text in stub)
        elif marker == END_SOLUTION:
            if begin_line is None:
                raise ValueError(f"{where}, line {number}: {END_SOLUTION!r} without a "
                                 f"{BEGIN_SOLUTION!r} above it; add the BEGIN marker or remove this line.")
            begin_line = None
            regions += 1
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise ValueError(f"{where}, line {begin_line}: {BEGIN_SOLUTION!r} is never closed; add "
                         f"{END_SOLUTION!r} after the solution.")
    return "\n".join(out), regions


def student_version(notebook) -> tuple[object, int]:
    """A copy of ``notebook`` (nbformat) with every solution region stubbed and outputs cleared.

    Returns ``(student_notebook, regions_replaced)``.
    """
    student = copy.deepcopy(notebook)
    regions = 0
    for index, cell in enumerate(student.cells):
        where = f"cell {index}"
        if cell.cell_type == "code":
            cell.source, n = strip_solutions(cell.source, CODE_STUB, where)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source, n = strip_solutions(cell.source, MARKDOWN_STUB, where)
        else:
            n = 0
        regions += n
    return student, regions


def _notebook_paths(paths, command: str) -> list[Path]:
    """Expand notebooks and folders (their ``*.ipynb``) into a list of notebook paths."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    for path in map(Path, paths or []):
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb"))
            if not inside:
                raise ValueError(f"the folder {str(path)!r} holds no .ipynb notebooks; "
                                 f"pass homework notebooks to `{command}`.")
            found.extend(inside)
        elif not path.exists():
            raise FileNotFoundError(f"{str(path)!r} does not exist; check the path of the homework "
                                    "notebook (e.g. homework/hw1_output_sizes_and_parameters.ipynb).")
        elif path.suffix != ".ipynb":
            raise ValueError(f"{str(path)!r} is not a notebook: `{command}` takes .ipynb files "
                             "or folders of them.")
        else:
            found.append(path)
    if not found:
        raise ValueError(f"`{command}` needs at least one homework notebook or folder.")
    return list(dict.fromkeys(found))


def _read(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook: say which file
        raise ValueError(f"{str(path)!r} cannot be read as a notebook "
                         f"({type(exc).__name__}: {_one_line(exc)}).") from None


def release(paths, out="release") -> int:
    """Write the student version of each notebook in ``paths`` into the folder ``out``.

    Solution regions become ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (markdown:
    ``YOUR ANSWER HERE``) and every output is cleared. All notebooks are checked before any file
    is written; a notebook without solution regions, or an ``out`` folder that would overwrite a
    source, is a ``ValueError``. Returns 0 (the command's exit status).
    """
    import nbformat

    notebooks = _notebook_paths(paths, "cnncourse homework release")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {str(out)!r} is a file; give a folder for the released notebooks.")
    versions = []
    for path in notebooks:
        if path.resolve().parent == out.resolve():
            raise ValueError(f"releasing {str(path)!r} into {str(out)!r} would overwrite the solution "
                             "source; choose another --out folder, e.g. release/.")
        try:
            student, regions = student_version(_read(path))
        except ValueError as exc:
            raise ValueError(f"{path.name}: {exc}") from None
        if regions == 0:
            raise ValueError(f"{path.name} has no {BEGIN_SOLUTION!r} regions: is it already a "
                             "student version? Release the solution source instead.")
        versions.append((path, student, regions))
    out.mkdir(parents=True, exist_ok=True)
    for path, student, regions in versions:
        nbformat.write(student, out / path.name)
        print(f"released {path.name} -> {out / path.name} ({regions} solution regions stubbed)")
    return 0


# --------------------------------------------------------------------------------------------
# grade() / check_notebooks(): run a submission and score every exercise
# --------------------------------------------------------------------------------------------

def _check_id(cell) -> str | None:
    """The exercise id of a check cell (``# CHECK: <id>`` first line, or an nbgrader grade cell)."""
    if cell.cell_type != "code":
        return None
    lines = cell.source.strip().splitlines()
    if lines and lines[0].startswith(CHECK_MARK):
        return lines[0][len(CHECK_MARK):].strip()
    meta = cell.metadata.get("nbgrader", {})
    return meta.get("grade_id") if meta.get("grade") else None


def _exercise_groups(notebook) -> list[tuple[str, list[int]]]:
    """``(exercise id, code-cell indices)``: each check cell with the code cells since the last one."""
    groups, pending = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        pending.append(index)
        exercise_id = _check_id(cell)
        if exercise_id:
            groups.append((exercise_id, pending))
            pending = []
    return groups


def _quiet_logger() -> logging.Logger:
    """A logger for nbclient that keeps its timeout messages out of the score table's output."""
    log = logging.getLogger(f"{__name__}.kernel")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    return log


def _execute(notebook, timeout: int, folder: Path) -> tuple[set[int], set[int], str | None]:
    """Run ``notebook`` in place in a fresh kernel, errors allowed, ``timeout`` s per cell.

    Returns ``(cells run, cells that timed out, why the run stopped early or None)``. A cell that
    runs too long is interrupted and the run goes on with the next cell.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    ran: set[int] = set()
    timed_out: set[int] = set()

    def on_cell_executed(cell, cell_index, execute_reply):
        ran.add(cell_index)
        if execute_reply.get("content", {}).get("ename") == _TIMEOUT_ENAME:
            timed_out.add(cell_index)

    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=KERNEL, allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT_ENAME, "evalue": f"timed out after {timeout} s",
                          "traceback": []},
        on_cell_executed=on_cell_executed, log=_quiet_logger(),
        resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except DeadKernelError:
        return ran, timed_out, "the kernel died (out of memory?) before this check ran"
    return ran, timed_out, None


def _errors(cell) -> list[tuple[str, str]]:
    return [(o.get("ename", ""), o.get("evalue", "")) for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _score(notebook, cells, ran, timed_out, stopped, timeout) -> tuple[bool, str]:
    """``(passed, hint)`` of one exercise from the outputs of its cells after the run."""
    if any(i in timed_out for i in cells):
        return False, f"timed out after {timeout} s"
    check_cell = cells[-1]
    if check_cell not in ran:
        return False, stopped or "the check cell did not run"
    errors = [e for i in cells for e in _errors(notebook.cells[i])]
    if errors:
        ename, evalue = errors[0]
        if ename == "NotImplementedError":
            return False, NOT_DONE
        if ename == HomeworkCheckError.__name__:
            return False, NOT_DONE if evalue.startswith(NOT_DONE) else _one_line(evalue)
        return False, _one_line(f"{ename}: {evalue}")
    if PASS_MARK in _stdout(notebook.cells[check_cell]):
        return True, ""
    return False, "the check cell printed no result: restore its homework.check(...) call"


def grade(path, timeout: int = 60):
    """Run the notebook at ``path`` in a fresh kernel and score each exercise.

    ``timeout`` is the limit per cell in seconds: a cell that runs longer (an endless loop) is
    interrupted, its exercise scores "timed out after N s" and the run goes on. Returns a
    ``pandas.DataFrame`` with one row per exercise: ``exercise``, ``passed`` (bool), ``hint``
    (empty when passed, else the checker's message).
    """
    import pandas as pd

    timeout = positive_int(timeout, "timeout")
    (path,) = _notebook_paths([path], "cnncourse homework check")
    notebook = _read(path)
    groups = _exercise_groups(notebook)
    if not groups:
        raise ValueError(f"{path.name} has no check cells: an exercise ends in a code cell whose "
                         f"first line is '{CHECK_MARK} <exercise id>'.")
    ran, timed_out, stopped = _execute(notebook, timeout, path.resolve().parent)
    rows = []
    for exercise_id, cells in groups:
        passed, hint = _score(notebook, cells, ran, timed_out, stopped, timeout)
        rows.append({"exercise": exercise_id, "passed": passed, "hint": hint})
    return pd.DataFrame(rows, columns=["exercise", "passed", "hint"])


def _score_table(scores) -> str:
    """The score table as text: exercise, passed/failed, hint, left-aligned."""
    shown = scores.assign(passed=scores.passed.map({True: "passed", False: "failed"}))
    shown = shown.rename(columns={"passed": "result"})
    width = {c: max([len(c)] + [len(str(v)) for v in shown[c]]) for c in shown.columns}
    formatters = {c: (lambda v, w=width[c]: f"{v:<{w}}") for c in shown.columns}
    text = shown.to_string(index=False, justify="left", formatters=formatters)
    return "\n".join(line.rstrip() for line in text.splitlines())


def check_notebooks(paths, timeout: int = 60) -> int:
    """Grade every notebook in ``paths`` (notebooks or folders) and print the score tables.

    Prints one table per notebook and a total line. Returns 0 when every exercise passed,
    1 otherwise (the exit status of ``cnncourse homework check``).
    """
    timeout = positive_int(timeout, "timeout")
    notebooks = _notebook_paths(paths, "cnncourse homework check")
    passed = total = 0
    for path in notebooks:
        scores = grade(path, timeout=timeout)
        n_passed = int(scores.passed.sum())
        passed, total = passed + n_passed, total + len(scores)
        print(f"{path.name}: {n_passed}/{len(scores)} exercises passed")
        print(_score_table(scores))
        print()
    print(f"total: {passed}/{total} exercises passed")
    return 0 if passed == total else 1


# --------------------------------------------------------------------------------------------
# Reading the student's answers
# --------------------------------------------------------------------------------------------

def _whole(answer, what: str) -> int:
    """``answer`` as an int. A whole float (55.0 from ``/``) is fine; a fraction is not."""
    import math
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        _fail(f"{what} must be a number, got {answer!r} ({type(answer).__name__}).",
              "write the arithmetic that gives it, e.g. (5 * 5 * 1 + 1) * 6.")
    if not math.isfinite(answer) or answer != int(answer):
        _fail(f"{what} = {answer} is not a whole number.",
              "sizes and counts are whole numbers: where the formula divides, round down with //.")
    return int(answer)


def _whole_list(answer, length: int, what: str, entries: str) -> list[int]:
    """``answer`` as a list of ``length`` ints (one per ``entries``)."""
    import numpy as np

    if not isinstance(answer, (list, tuple, np.ndarray)):
        _fail(f"{what} must be a list of {length} numbers (one per {entries}), "
              f"got {type(answer).__name__}.")
    if len(answer) != length:
        _fail(f"{what} has {len(answer)} entries; it needs {length}, one per {entries}.")
    return [_whole(value, f"{what}[{i}]") for i, value in enumerate(answer)]


def _answer_dict(answer, keys, what: str) -> dict:
    """``answer`` as a dict with exactly the string ``keys``."""
    if not isinstance(answer, dict):
        _fail(f"{what} must be a dict with the keys {', '.join(map(repr, keys))}, "
              f"got {type(answer).__name__}.")
    missing = [k for k in keys if k not in answer]
    extra = [k for k in answer if k not in keys]
    if missing or extra:
        _fail(f"{what} must have exactly the keys {', '.join(map(repr, keys))}"
              + (f"; missing {', '.join(map(repr, missing))}" if missing else "")
              + (f"; unexpected {', '.join(map(repr, extra))}" if extra else "") + ".")
    return answer


def _count_hint(got: int, row: dict) -> str:
    """Why a hand-computed parameter count of one layer (a ``param_table`` row) may be off."""
    per = "filter" if "Conv" in row["type"] else "output unit"
    if row["biases"] and got == row["weights"]:
        return f"remember the bias: one per {per}."
    if "Conv" in row["type"]:
        return ("a convolution has (k_h * k_w * C_in + 1) * C_out parameters; C_in is the number "
                "of maps coming in from the layer before.")
    return ("a dense layer has (inputs + 1) * units parameters; inputs is the length of the "
            "vector coming in from the layer before.")


def _check_counts(got: list[int], rows, labels, what: str) -> None:
    """Compare hand counts with ``param_table`` rows entry by entry; fail on the first wrong one."""
    for i, (value, row, label) in enumerate(zip(got, rows, labels)):
        if value != row["params"]:
            _fail(f"{what}[{i}] ({label}, a {row['type']} layer) = {value:,} is not its "
                  "parameter count.", _count_hint(value, row))


# --------------------------------------------------------------------------------------------
# Expected values, computed by the library when a check runs
# --------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _zoo_rows(name: str) -> tuple[dict, ...]:
    """The parameter-bearing rows of ``param_table(models.build(name))``, in graph order."""
    from . import accounting, models

    table = accounting.param_table(models.build(name))
    table = table[table["params"] > 0]
    return tuple(table[["name", "type", "weights", "biases", "params"]].to_dict("records"))


def _stack_costs(stacks: dict, input_shape) -> dict:
    """``{design: (params, macs)}`` of small layer stacks (``accounting.compare_stacks``)."""
    from . import accounting

    frame = accounting.compare_stacks(stacks, input_shape)
    return {row.design: (int(row.params), int(row.macs)) for row in frame.itertuples()}


def _keras():
    """Keras, imported with the backend's native start-up messages silenced."""
    from ._quiet import import_backend

    return import_backend()


# --------------------------------------------------------------------------------------------
# Homework 1: output sizes and parameter counts by hand
# --------------------------------------------------------------------------------------------

LENET_LAYERS = ("C1", "C3", "C5", "F6", "output")
VGG16_LAYERS = tuple([f"conv{b}_{i}" for b, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3))
                      for i in range(1, n + 1)] + ["fc6", "fc7", "fc8"])
BOTTLENECK = dict(input_shape=(56, 56, 256), reduce=64)  # the task: 256 -> 64 -> 64 -> 256
SEPARABLE = dict(input_shape=(112, 112, 32), filters=64, kernel=3)  # the task


@_exercise("hw1.lenet_c1_side")
def _lenet_c1_side(answer):
    from . import shapes

    got, expected = _whole(answer, "lenet_c1_side"), shapes.conv_output_size(32, 5)
    if got != expected:
        _fail(f"C1 does not map 32x32 to {got}x{got}.",
              "out = (n + 2p - f) / s + 1 with n = 32, f = 5, p = 0, s = 1.")
    return f"C1 maps 32x32 to {got}x{got}"


@_exercise("hw1.lenet_conv1_params")
def _lenet_conv1_params(answer):
    got, row = _whole(answer, "lenet_conv1_params"), _zoo_rows("lenet5")[0]
    if got != row["params"]:
        _fail(f"C1 does not have {got:,} parameters.", _count_hint(got, row))
    return f"C1 has {got:,} parameters"


@_exercise("hw1.lenet_sides")
def _lenet_sides(answer):
    from . import shapes

    got = _whole_list(answer, 4, "lenet_sides", "layer C1, S2, C3, S4")
    n, expected = 32, []
    for kind in ("conv", "pool", "conv", "pool"):
        n = shapes.conv_output_size(n, 5) if kind == "conv" else shapes.pool_output_size(n, 2)
        expected.append(n)
    for i, (value, side, name) in enumerate(zip(got, expected, ("C1", "S2", "C3", "S4"))):
        if value != side:
            _fail(f"lenet_sides[{i}] ({name}) = {value} is not the side of its output.",
                  "a 5x5 convolution without padding loses 4 pixels; a 2x2 pool with stride 2 "
                  "halves the side. Start from the side the layer before gives.")
    return "sides " + ", ".join(map(str, got))


@_exercise("hw1.lenet_params")
def _lenet_params(answer):
    rows = _zoo_rows("lenet5")
    got = _whole_list(answer, len(rows), "lenet_params", "layer " + ", ".join(LENET_LAYERS))
    _check_counts(got, rows, LENET_LAYERS, "lenet_params")
    return f"LeNet-5 has {sum(got):,} parameters"


@_exercise("hw1.alexnet_conv1_sides")
def _alexnet_conv1_sides(answer):
    from . import shapes

    answer = _answer_dict(answer, ("out_227", "out_224", "unused_224"), "alexnet_conv1_sides")
    got = {k: _whole(v, f"alexnet_conv1_sides[{k!r}]") for k, v in answer.items()}
    out_224 = shapes.conv_output_size(224, 11, s=4, strict=False)
    expected = {"out_227": shapes.conv_output_size(227, 11, s=4), "out_224": out_224,
                "unused_224": 224 - ((out_224 - 1) * 4 + 11)}
    hints = {"out_227": "(227 - 11) / 4 + 1 is a whole number.",
             "out_224": "(224 - 11) / 4 is not whole: the last window that fits sets the size, "
                        "so round down (//) before adding 1.",
             "unused_224": "the last window starts at pixel 4 * (out_224 - 1) and covers 11 "
                           "pixels; count the pixels after it."}
    for key in expected:
        if got[key] != expected[key]:
            _fail(f"alexnet_conv1_sides[{key!r}] = {got[key]} is wrong.", hints[key])
    return (f"227 -> {got['out_227']}x{got['out_227']}; 224 -> {got['out_224']}x"
            f"{got['out_224']} with {got['unused_224']} pixel unused")


@_exercise("hw1.alexnet_conv1_params")
def _alexnet_conv1_params(answer):
    got, row = _whole(answer, "alexnet_conv1_params"), _zoo_rows("alexnet")[0]
    if got != row["params"]:
        _fail(f"conv1 does not have {got:,} parameters.", _count_hint(got, row))
    return f"conv1 has {got:,} parameters"


@_exercise("hw1.vgg16_sides")
def _vgg16_sides(answer):
    from . import shapes

    got = _whole_list(answer, 5, "vgg16_sides", "max pool")
    n, expected = 224, []
    for _ in range(5):
        n = shapes.pool_output_size(shapes.conv_output_size(n, 3, p=1), 2)
        expected.append(n)
    for i, (value, side) in enumerate(zip(got, expected)):
        if value != side:
            _fail(f"vgg16_sides[{i}] (after pool{i + 1}) = {value} is wrong.",
                  "a 3x3 convolution with padding 1 keeps the side; each 2x2 pool halves it.")
    return "sides " + ", ".join(map(str, got))


@_exercise("hw1.vgg16_params")
def _vgg16_params(answer):
    rows = _zoo_rows("vgg16")
    got = _whole_list(answer, len(rows), "vgg16_params", "conv and fc layer")
    _check_counts(got, rows, VGG16_LAYERS, "vgg16_params")
    return f"VGG-16 layers add up to {sum(got):,} parameters"


@_exercise("hw1.vgg16_totals")
def _vgg16_totals(answer):
    answer = _answer_dict(answer, ("with_biases", "without_biases"), "vgg16_totals")
    got = {k: _whole(v, f"vgg16_totals[{k!r}]") for k, v in answer.items()}
    rows = _zoo_rows("vgg16")
    expected = {"with_biases": sum(r["params"] for r in rows),
                "without_biases": sum(r["weights"] for r in rows)}
    if got["with_biases"] != expected["with_biases"]:
        _fail(f"vgg16_totals['with_biases'] = {got['with_biases']:,} is not VGG-16's total.",
              "add up the 16 counts of the previous exercise (sum(vgg16_params)).")
    if got["without_biases"] != expected["without_biases"]:
        _fail(f"vgg16_totals['without_biases'] = {got['without_biases']:,} is wrong.",
              "take away one bias per filter of each conv layer and one per unit of each fc layer.")
    return (f"{got['with_biases']:,} with biases, {got['without_biases']:,} without "
            f"({got['with_biases'] - got['without_biases']:,} biases)")


def _bottleneck_costs() -> dict:
    L = _keras().layers
    h, w, c = BOTTLENECK["input_shape"]
    r = BOTTLENECK["reduce"]
    return _stack_costs({
        "bottleneck": [L.Conv2D(r, 1, use_bias=False), L.Conv2D(r, 3, padding="same", use_bias=False),
                       L.Conv2D(c, 1, use_bias=False)],
        "plain": [L.Conv2D(c, 3, padding="same", use_bias=False),
                  L.Conv2D(c, 3, padding="same", use_bias=False)],
    }, (h, w, c))


@_exercise("hw1.bottleneck")
def _bottleneck(answer):
    answer = _answer_dict(answer, ("params", "macs", "plain_params"), "bottleneck")
    got = {k: _whole(v, f"bottleneck[{k!r}]") for k, v in answer.items()}
    costs = _bottleneck_costs()
    expected = {"params": costs["bottleneck"][0], "macs": costs["bottleneck"][1],
                "plain_params": costs["plain"][0]}
    conv = "a k x k convolution from C_in to C_out maps has k * k * C_in * C_out weights (no bias here)."
    hints = {"params": conv + " Add the three convolutions.",
             "macs": "every output value of a convolution takes k * k * C_in multiply-accumulates; "
                     "multiply by H_out * W_out * C_out and add the three layers.",
             "plain_params": conv + " Here two 3x3 convolutions from 256 to 256 maps."}
    for key in expected:
        if got[key] != expected[key]:
            _fail(f"bottleneck[{key!r}] = {got[key]:,} is wrong.", hints[key])
    ratio = got["plain_params"] / got["params"]
    return f"{got['params']:,} parameters, {ratio:.1f}x fewer than two 3x3 layers"


def _separable_costs() -> dict:
    L = _keras().layers
    f, k = SEPARABLE["filters"], SEPARABLE["kernel"]
    return _stack_costs({
        "standard": [L.Conv2D(f, k, padding="same", use_bias=False)],
        "separable": [L.DepthwiseConv2D(k, padding="same", use_bias=False),
                      L.Conv2D(f, 1, use_bias=False)],
    }, SEPARABLE["input_shape"])


@_exercise("hw1.separable")
def _separable(answer):
    keys = ("params", "macs", "standard_params", "standard_macs")
    answer = _answer_dict(answer, keys, "separable")
    got = {k: _whole(v, f"separable[{k!r}]") for k, v in answer.items()}
    costs = _separable_costs()
    expected = dict(zip(keys, (*costs["separable"], *costs["standard"])))
    hints = {"params": "the depthwise step has one k x k filter per input map (k * k * C_in); "
                       "the 1x1 step has C_in * C_out weights.",
             "macs": "each step costs its weights times the output pixels H_out * W_out "
                     "(stride 1, 'same' padding keeps 112 x 112).",
             "standard_params": "a standard convolution has k * k * C_in * C_out weights.",
             "standard_macs": "k * k * C_in * C_out weights, each used at H_out * W_out pixels."}
    for key in keys:
        if got[key] != expected[key]:
            _fail(f"separable[{key!r}] = {got[key]:,} is wrong.", hints[key])
    return f"{got['standard_macs'] / got['macs']:.1f}x fewer MACs than the standard convolution"


# --------------------------------------------------------------------------------------------
# Homework 2: convolution and pooling in NumPy
# --------------------------------------------------------------------------------------------

def _array_result(fn, args, kwargs, what: str, expected):
    """Run the student's ``fn`` and compare its array with ``expected``: shape first, then values.

    Returns None when they agree, else the student's array (for a more specific hint).
    """
    import numpy as np

    try:
        got = np.asarray(_call(fn, *args, what=what, **kwargs), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        _fail(f"{what} did not return an array of numbers ({_one_line(exc)}).")
    if got.shape != expected.shape:
        _fail(f"{what} returned shape {got.shape}, expected {expected.shape}.",
              "each output side is (n + 2p - f) // s + 1; the batch axis and (for a layer) the "
              "output channels stay in place: (N, H_out, W_out, C_out).")
    return None if np.allclose(got, expected, rtol=1e-6, atol=1e-8) else got


def _worked_example(name: str):
    from . import ops

    return ops.worked_examples()[name]


def _nhwc(image, kernel=None):
    """A 2-D slide example as a batch of one 1-channel image (and a 1-in, 1-out kernel)."""
    x = image[None, :, :, None]
    return x if kernel is None else (x, kernel[:, :, None, None])


def _rng():
    import numpy as np

    return np.random.default_rng(2024)


def _correlate_hint(got, image, kernel) -> str:
    """Say so when the student's result is the flipped-kernel (DSP) convolution."""
    import numpy as np

    from . import ops

    if np.allclose(got, ops.correlate2d(image, kernel[::-1, ::-1])):
        return ("you flipped the kernel: a CNN 'convolution' slides the kernel as it is "
                "(cross-correlation).")
    return "output[i, j] = sum over a, b of kernel[a, b] * image[i + a, j + b]."


@_exercise("hw2.correlate2d")
def _correlate2d(fn):
    from . import ops

    example = _worked_example("conv_3x3")
    what = "correlate2d(image, kernel)"
    got = _array_result(fn, (example.input, example.filter), {}, what, example.expected)
    if got is not None:
        _fail(f"on the slide's 5x5 example correlate2d returns {got.tolist()}, the slide has "
              f"{example.expected.tolist()}.", _correlate_hint(got, example.input, example.filter))
    image, kernel = _rng().normal(size=(6, 7)), _rng().normal(size=(2, 3))
    got = _array_result(fn, (image, kernel), {}, what, ops.correlate2d(image, kernel))
    if got is not None:
        _fail("on a random 6x7 image with a 2x3 kernel correlate2d disagrees with "
              "cnncourse.ops.correlate2d.", _correlate_hint(got, image, kernel))
    return "the slide's example and a random 6x7 image agree with cnncourse.ops"


@_exercise("hw2.conv2d")
def _conv2d(fn):
    import numpy as np

    from . import ops

    rng = _rng()
    x, w, b = rng.normal(size=(2, 6, 7, 3)), rng.normal(size=(3, 2, 3, 4)), rng.normal(size=4)
    what = "conv2d(x, w, b)"
    got = _array_result(fn, (x, w, b), {}, what, ops.conv2d(x, w, b))
    if got is not None:
        if np.allclose(got, ops.conv2d(x, w)):
            _fail(f"{what} ignores the bias.", "add b[k] to every output value of filter k.")
        _fail(f"{what} with x: (2, 6, 7, 3), w: (3, 2, 3, 4) disagrees with cnncourse.ops.conv2d.",
              "output[n, i, j, k] = b[k] + sum over a, b, c of x[n, i + a, j + b, c] * w[a, b, c, k].")
    if _array_result(fn, (x, w), {}, "conv2d(x, w)", ops.conv2d(x, w)) is not None:
        _fail("conv2d(x, w) without a bias disagrees with cnncourse.ops.conv2d.",
              "b=None means no bias: add nothing.")
    return "2 images, 3 channels in, 4 filters agree with cnncourse.ops"


@_exercise("hw2.conv2d_stride_padding")
def _conv2d_stride_padding(fn):
    import numpy as np

    from . import ops

    example = _worked_example("conv_3x3_pad1_stride2")
    x, w = _nhwc(example.input, example.filter)
    expected = _nhwc(example.expected)
    what = f"conv2d(x, w, stride={example.params['stride']}, padding={example.params['padding']})"
    got = _array_result(fn, (x, w), dict(example.params), what, expected)
    if got is not None:
        stride_one = ops.conv2d(x, w, padding=example.params["padding"])[:, :3, :3]
        hint = ("that is the stride-1 result's corner: move the window s pixels at a time, "
                "output[i, j] starts at input row i * s, column j * s."
                if np.allclose(got, stride_one) else
                "pad the input with p zeros on every side first, then take windows s apart.")
        _fail(f"on the slide's padded, strided example {what} returns "
              f"{got[0, :, :, 0].tolist()}, expected {expected[0, :, :, 0].tolist()}.", hint)
    rng = _rng()
    x, w, b = rng.normal(size=(1, 9, 8, 2)), rng.normal(size=(3, 3, 2, 5)), rng.normal(size=5)
    for stride, padding in ((2, 1), (3, 2)):
        what = f"conv2d(x, w, b, stride={stride}, padding={padding})"
        if _array_result(fn, (x, w, b), dict(stride=stride, padding=padding), what,
                         ops.conv2d(x, w, b, stride=stride, padding=padding)) is not None:
            _fail(f"{what} on a random 9x8 image disagrees with cnncourse.ops.conv2d.",
                  "pad first (np.pad on the H and W axes only), then start window (i, j) at "
                  "row i * stride, column j * stride.")
    return "the slide's example and strides 2 and 3 agree with cnncourse.ops"


@_exercise("hw2.max_pool2d")
def _max_pool2d(fn):
    import numpy as np

    from . import ops

    example = _worked_example("max_pool_2x2")
    x, expected = _nhwc(example.input), _nhwc(example.expected)
    got = _array_result(fn, (x,), dict(size=2, stride=2), "max_pool2d(x, size=2, stride=2)",
                        expected)
    if got is not None:
        _fail(f"on the slide's 4x4 example max_pool2d returns {got[0, :, :, 0].tolist()}, "
              f"expected {expected[0, :, :, 0].tolist()}.",
              "take the largest value of each size x size window; windows start stride apart.")
    x = _rng().normal(size=(2, 7, 9, 3))
    for size, stride in ((2, 2), (3, 2)):
        what = f"max_pool2d(x, size={size}, stride={stride})"
        expected = ops.max_pool2d(x, pool_size=size, strides=stride)
        got = _array_result(fn, (x,), dict(size=size, stride=stride), what, expected)
        if got is not None:
            mean = ops.avg_pool2d(x, pool_size=size, strides=stride)
            _fail(f"{what} on a random (2, 7, 9, 3) batch disagrees with cnncourse.ops.max_pool2d.",
                  "that is average pooling: take the maximum." if np.allclose(got, mean) else
                  "pool each channel on its own; a window never mixes channels or images.")
    return "the slide's example and overlapping 3x3/2 pools agree with cnncourse.ops"


# --------------------------------------------------------------------------------------------
# Homework 3: VGG-16 and ResNet-34 in Keras, compared with the zoo layer by layer
# --------------------------------------------------------------------------------------------

def _student_model(fn, what: str):
    """Call the student's builder with no arguments; it must give a Keras model."""
    model = _call(fn, what=what)
    if not isinstance(model, _keras().Model):
        _fail(f"{what} must return a keras.Model, got {type(model).__name__}.",
              "end with `return keras.Model(inputs, outputs)`.")
    return model


def _trainable(model) -> int:
    import math

    return sum(math.prod(v.shape) for v in model.trainable_weights)


def _weighted_rows(model, what: str) -> list[dict]:
    """Parameter-bearing rows of ``param_table(model)`` in graph order."""
    from . import accounting

    try:
        table = accounting.param_table(model)
    except ValueError as exc:
        _fail(f"{what}: {exc}")
    table = table[table["params"] > 0]
    return table[["name", "type", "weights", "biases", "params"]].to_dict("records")


def _layer_text(row) -> str:
    return f"{row['name']!r} ({row['type']}, {row['params']:,} parameters)"


def _difference_hint(mine: dict, theirs: dict) -> str:
    diff = mine["params"] - theirs["params"]
    if mine["type"] != theirs["type"]:
        return f"the zoo has a {theirs['type']} here, yours is a {mine['type']}."
    if theirs["biases"] == 0 and mine["biases"] == diff:
        return "a convolution followed by BatchNorm has no bias: use_bias=False."
    if theirs["biases"] and mine["biases"] == 0 and -diff == theirs["biases"]:
        return "remember the bias: one per filter (use_bias=True is the Keras default)."
    return ("compare kernel size, number of filters and the number of maps coming in "
            "with the paper's table.")


def _compare_with_zoo(rows: list[dict], zoo: tuple[dict, ...], what: str) -> None:
    """Fail at the first parameter-bearing layer whose type or count differs from the zoo's.

    Layers are matched by (type, count) in graph order; a model whose layers agree but come in
    another order (e.g. a shortcut written before the main path) passes.
    """
    import collections
    import difflib

    mine = [(r["type"], r["params"]) for r in rows]
    theirs = [(r["type"], r["params"]) for r in zoo]
    if collections.Counter(mine) == collections.Counter(theirs):
        return
    total = (f" In all, yours has {len(rows)} such layers and {sum(m[1] for m in mine):,} "
             f"parameters; the zoo's has {len(zoo)} and {sum(t[1] for t in theirs):,}.")
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace":
            a, b = rows[i1], zoo[j1]
            _fail(f"{what}: parameter layer {i1 + 1}, {_layer_text(a)}, differs from the zoo's "
                  f"{_layer_text(b)} by {a['params'] - b['params']:+,}.{total}",
                  _difference_hint(a, b))
        if tag == "delete":
            _fail(f"{what}: parameter layer {i1 + 1}, {_layer_text(rows[i1])}, has no counterpart "
                  f"in the zoo's model.{total}", "remove it, or check the layers around it.")
        _fail(f"{what}: the zoo's model has {_layer_text(zoo[j1])} at parameter layer {j1 + 1}, "
              f"which yours lacks.{total}", "compare your stages with the paper's table.")


def _check_output(model, what: str, shape: tuple) -> None:
    got = tuple(model.output.shape) if hasattr(model, "output") else None
    if got != shape:
        _fail(f"{what} outputs shape {got}, expected {shape}.",
              "end with a Dense layer of num_classes units and a softmax.")


@_exercise("hw3.vgg16")
def _vgg16(fn):
    model = _student_model(fn, "build_vgg16()")
    _check_output(model, "build_vgg16()", (None, 1000))
    _compare_with_zoo(_weighted_rows(model, "build_vgg16()"), _zoo_rows("vgg16"), "build_vgg16()")
    return f"{_trainable(model):,} trainable parameters, every layer matches the zoo's vgg16"


@functools.lru_cache(maxsize=None)
def _zoo_block_rows(prefix: str) -> tuple[dict, ...]:
    """Parameter rows of the zoo's ResNet unit ``prefix`` (e.g. ``conv3_block1_``).

    A unit's layers do not depend on the depth or the image size, so a small ResNet with the
    basic blocks of ResNet-34 (two units in conv2_x, one in each later stage) holds the same units
    and builds much faster than ResNet-34 itself.
    """
    from .models import resnet

    model = resnet.build_resnet("basic", (2, 1, 1, 1), input_shape=(32, 32, 3), num_classes=10)
    return tuple(r for r in _weighted_rows(model, "the zoo's ResNet") if r["name"].startswith(prefix))


@_exercise("hw3.basic_block")
def _basic_block(fn):
    from . import shapes

    keras = _keras()
    cases = (("an identity block", 56, 64, 64, 1, "conv2_block2_"),
             ("a downsampling block", 56, 64, 128, 2, "conv3_block1_"))
    for label, side, c_in, filters, stride, zoo_prefix in cases:
        what = f"basic_block(x, filters={filters}, stride={stride}) on x: (None, {side}, {side}, {c_in})"
        inputs = keras.Input((side, side, c_in))
        out = _call(fn, inputs, filters=filters, stride=stride, what=what)
        out_side = shapes.conv_output_size(side, 3, p=1, s=stride, strict=False)
        expected = (None, out_side, out_side, filters)
        if tuple(getattr(out, "shape", ())) != expected:
            _fail(f"{what} ({label}) returns shape {tuple(getattr(out, 'shape', ()))}, "
                  f"expected {expected}.",
                  "the first 3x3 convolution carries the stride; when the shape changes, the "
                  "shortcut needs a 1x1 convolution with the same stride (and BatchNorm).")
        rows = _weighted_rows(keras.Model(inputs, out), what)
        _compare_with_zoo(rows, _zoo_block_rows(zoo_prefix), f"{what} ({label})")
    return "identity and downsampling blocks match the zoo's resnet34"


@_exercise("hw3.resnet34")
def _resnet34(fn):
    model = _student_model(fn, "build_resnet34()")
    _check_output(model, "build_resnet34()", (None, 1000))
    _compare_with_zoo(_weighted_rows(model, "build_resnet34()"), _zoo_rows("resnet34"),
                      "build_resnet34()")
    return f"{_trainable(model):,} trainable parameters, every layer matches the zoo's resnet34"


# --------------------------------------------------------------------------------------------
# Homework 4: a squeeze-and-excitation block and an MLP-Mixer layer
# --------------------------------------------------------------------------------------------

SE_TASK = dict(input_shape=(8, 8, 256), reduction=16)
MIXER_TASK = dict(tokens=49, channels=512, tokens_mlp_dim=256, channels_mlp_dim=2048)  # S/32


def _student_block(fn, inputs, kwargs: dict, what: str):
    """Apply the student's block function to ``inputs``; return it as a model (shape checked)."""
    keras = _keras()
    out = _call(fn, inputs, what=what, **kwargs)
    if not isinstance(out, keras.KerasTensor):
        _fail(f"{what} must return the output tensor of its last layer, got {type(out).__name__}.",
              "write it with the functional API: y = layers.Dense(...)(x) ... return y.")
    if tuple(out.shape) != tuple(inputs.shape):
        _fail(f"{what} returns shape {tuple(out.shape)}; it must keep the input's "
              f"{tuple(inputs.shape)}.")
    return keras.Model(inputs, out)


def _copy_weights(source, target, what: str) -> None:
    """Copy ``source``'s weights into ``target`` in creation order (reshaping equal-size arrays)."""
    import math

    values, slots = source.get_weights(), target.weights
    shapes_of = ", ".join(str(tuple(v.shape)) for v in slots)
    reference = ", ".join(str(v.shape) for v in values)
    if len(values) != len(slots) or any(v.size != math.prod(s.shape) for v, s in zip(values, slots)):
        _fail(f"{what}: your weights ({shapes_of}) do not line up with the reference's "
              f"({reference}).",
              "create the layers in the order of the paper's figure, one Dense per fully "
              "connected step, with biases.")
    target.set_weights([v.reshape(s.shape) for v, s in zip(values, slots)])


def _max_difference(a, b, x) -> float:
    import numpy as np

    keras = _keras()
    ya = keras.ops.convert_to_numpy(a(x, training=False))
    yb = keras.ops.convert_to_numpy(b(x, training=False))
    return float(np.max(np.abs(ya - yb)))


@_exercise("hw4.se_block")
def _se_block(fn):
    from .models import senet

    keras = _keras()
    shape, r = SE_TASK["input_shape"], SE_TASK["reduction"]
    what = f"se_block(x, reduction={r}) on x: (None, {', '.join(map(str, shape))})"
    student = _student_block(fn, keras.Input(shape), dict(reduction=r), what)
    inputs = keras.Input(shape)
    reference = keras.Model(inputs, senet.se_block(inputs, reduction=r, name="reference_se"))
    got, expected = student.count_params(), reference.count_params()
    if got != expected:
        _fail(f"{what} has {got:,} parameters, the budget is exactly {expected:,} "
              f"(2C²/r + C/r + C with C = {shape[-1]}, r = {r}); yours differs by {got - expected:+,}.",
              "squeeze with global average pooling (no weights), then Dense(C // r) with ReLU "
              "and Dense(C) with sigmoid, both with biases.")
    _copy_weights(reference, student, what)
    x = _rng().normal(size=(2, *shape)).astype("float32")
    gap = _max_difference(student, reference, x)
    if gap > 1e-4:
        _fail(f"{what}, with the reference's weights copied in, differs from "
              f"cnncourse.models.senet.se_block by up to {gap:.3g}.",
              "ReLU after the first Dense, sigmoid after the second, then multiply every channel "
              "of the input x (not the pooled vector) by its weight.")
    return f"{got:,} parameters; same output as cnncourse.models.senet.se_block"


def _mixer_reference(tokens: int, channels: int, tokens_mlp_dim: int, channels_mlp_dim: int):
    from .models import mixer

    keras = _keras()
    inputs = keras.Input((tokens, channels))
    out = mixer.mixer_block(inputs, tokens_mlp_dim, channels_mlp_dim, name="reference")
    return keras.Model(inputs, out)


@_exercise("hw4.mixer_layer")
def _mixer_layer(fn):
    keras = _keras()
    s, c = MIXER_TASK["tokens"], MIXER_TASK["channels"]
    d_s, d_c = MIXER_TASK["tokens_mlp_dim"], MIXER_TASK["channels_mlp_dim"]
    what = f"mixer_layer(x, tokens_mlp_dim={d_s}, channels_mlp_dim={d_c}) on x: (None, {s}, {c})"
    student = _student_block(fn, keras.Input((s, c)),
                             dict(tokens_mlp_dim=d_s, channels_mlp_dim=d_c), what)
    reference = _mixer_reference(s, c, d_s, d_c)
    got, expected = student.count_params(), reference.count_params()
    if got != expected:
        _fail(f"{what} has {got:,} parameters, the budget is exactly {expected:,}; yours "
              f"differs by {got - expected:+,}.",
              "token mixing is an MLP over the S tokens (Dense(D_S), Dense(S) on the transposed "
              "table), channel mixing an MLP over the C channels (Dense(D_C), Dense(C)); each "
              "starts with a LayerNormalization.")
    _copy_weights(reference, student, what)
    x = _rng().normal(size=(2, s, c)).astype("float32")
    gap = _max_difference(student, reference, x)
    if gap > 1e-4:
        close = ("close, so the structure is right: use LayerNormalization(epsilon=1e-6) and the "
                 "exact GELU (activation='gelu')." if gap < 1e-2 else
                 "add each MLP's output to its input (two skip connections), and transpose to "
                 "(N, C, S) before the token MLP and back after it.")
        _fail(f"{what}, with the reference's weights copied in, differs from "
              f"cnncourse.models.mixer.mixer_block by up to {gap:.3g}.", close)
    return f"{got:,} parameters; same output as cnncourse.models.mixer.mixer_block"


@_exercise("hw4.mixer_params")
def _mixer_params(fn):
    from .models import mixer

    for name in ("s32", "b16", "h14"):
        spec = mixer.MIXER_TABLE[name]
        tokens = (224 // spec["patch_size"]) ** 2
        args = dict(S=tokens, C=spec["hidden_dim"], D_S=spec["tokens_mlp_dim"],
                    D_C=spec["channels_mlp_dim"])
        what = "mixer_layer_params(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"
        got = _whole(_call(fn, what=what, **args), what)
        expected = _mixer_reference(tokens, args["C"], args["D_S"], args["D_C"]).count_params()
        if got != expected:
            _fail(f"{what} = {got:,} is not the parameter count of one Mixer-{name.upper()} layer "
                  f"(yours differs by {got - expected:+,}).",
                  "count two LayerNorms (a scale and an offset per channel) and two MLPs of two "
                  "Dense layers with biases: the token MLP maps S -> D_S -> S, the channel MLP "
                  "C -> D_C -> C.")
    return "the formula matches Mixer-S/32, B/16 and H/14 layers built in Keras"
