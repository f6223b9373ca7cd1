"""Homework with instant feedback in Jupyter, and the checkers the grader uses.

A homework notebook is written as its solution (the lecturer's source, nbgrader metadata on its
cells). Each exercise ends in a check cell::

    # CHECK: hw1.lenet_conv1_params
    homework.check("hw1.lenet_conv1_params", lenet_conv1_params)

:func:`check` computes the expected value with the library when it runs, prints one
``✓ passed: …`` line, or raises :class:`HomeworkCheckError`, which Jupyter shows as one line
saying what is wrong and how to think about it (never the answer). Function exercises are called
on inputs drawn fresh each time.

The checkers live one module per assignment (:mod:`.hw1` … :mod:`.hw4`); adding an assignment
means adding a module that registers its exercises and importing it below. The grading tool
(release, sandbox, gradebook) is :mod:`cnncourse.grading`; ``release``, ``grade`` and
``check_notebooks`` are re-exported here.
"""
from __future__ import annotations

import sys

from . import hw1, hw2, hw3, hw4  # noqa: F401  (each registers its exercises)
from ._base import (EXERCISES, NOT_DONE, PASS_MARK, HomeworkCheckError, NotDone, clean,
                    fresh_rng)

__all__ = [
    "HomeworkCheckError", "check", "exercises", "strip_solutions", "student_version",
    "release", "grade", "check_notebooks",
]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


def exercises() -> list[str]:
    """The ids of every exercise :func:`check` knows, sorted."""
    return sorted(EXERCISES)


def check(exercise_id: str, answer) -> None:
    """Check ``answer`` to exercise ``exercise_id``: print ``✓ passed: …`` or raise.

    Raises :class:`HomeworkCheckError` (an ``AssertionError``) when the answer is wrong, with a
    hint; ``ValueError`` when ``exercise_id`` is not an exercise. This is the student's instant
    feedback; the lecturer's grade comes from ``cnncourse homework grade``, which does not trust
    anything the notebook's kernel says.
    """
    from .._checks import did_you_mean
    from ..grading.calls import call_probe

    if exercise_id not in EXERCISES:
        raise ValueError(f"no homework exercise {exercise_id!r}: "
                         f"{did_you_mean(str(exercise_id), EXERCISES)}")
    exercise = EXERCISES[exercise_id]
    hits: list[str] = []
    if exercise.kind == "value":
        detail = exercise.judge(answer)
    else:
        probes = exercise.probes(fresh_rng())
        results = []
        for probe in probes:
            result, found = call_probe(answer, probe, exercise.kind, exercise.forbidden)
            results.append(result)
            hits += [h for h in found if h not in hits]
            if result.status in ("not_callable", "not_done"):
                break
        while len(results) < len(probes):
            results.append(results[-1])
        detail = exercise.judge(results, probes)
    note = ""
    if hits:
        note = (f" — but it calls {', '.join(hits[:2])}: the exercise asks for "
                f"{exercise.computation}, so your lecturer will review it")
    # one write, so Jupyter stores the line as one output (stable under nbval)
    sys.stdout.write(f"{PASS_MARK} {exercise_id} ({detail}){note}\n")


def grade(path, timeout: int = 60, source=None):
    """Grade one notebook (sandboxed when bubblewrap is available); a DataFrame, one row per exercise.

    Columns: ``exercise``, ``points``, ``max_points``, ``status``, ``passed`` (bool), ``hint``.
    ``source`` is the lecturer's notebook (default: the notebook itself, as a self-check).
    """
    import pandas as pd

    from .._checks import positive_int
    from ..grading import grade_notebook

    graded = grade_notebook(path, source, cell_timeout=positive_int(timeout, "timeout"))
    return pd.DataFrame([{"exercise": r.exercise, "points": r.points, "max_points": r.max_points,
                          "status": r.status, "passed": r.status == "passed", "hint": r.hint}
                         for r in graded.rows],
                        columns=["exercise", "points", "max_points", "status", "passed", "hint"])


_FROM_GRADING = {"check_notebooks": "cnncourse.grading", "release": "cnncourse.grading.release",
                 "strip_solutions": "cnncourse.grading.release",
                 "student_version": "cnncourse.grading.release"}


def __getattr__(name):
    """``release``, ``strip_solutions``, ``student_version``, ``check_notebooks`` live in the
    grading tool (which imports this package), so they are looked up on first use."""
    if name in _FROM_GRADING:
        import importlib

        value = getattr(importlib.import_module(_FROM_GRADING[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
