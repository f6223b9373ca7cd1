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
(release, sandbox, gradebook) is :mod:`cnncourse.grading`, which imports this package and never
the other way round.
"""
from __future__ import annotations

import sys

from . import hw1, hw2, hw3, hw4  # noqa: F401  (each registers its exercises)
from ._base import (EXERCISES, NOT_DONE, PASS_MARK, HomeworkCheckError, NotDone, clean,
                    fresh_rng)
from .messages import language, use_language
from .messages import text as _

__all__ = ["HomeworkCheckError", "NotDone", "EXERCISES", "check", "exercises", "language",
           "use_language"]


def exercises() -> list[str]:
    """The ids of every exercise :func:`check` knows, sorted."""
    return sorted(EXERCISES)


def _call(answer, probe, exercise):
    """``call_probe``; a build answer whose judge reads no weight values is built without them
    first (``call_probe_weightless_first``)."""
    from ._calls import call_probe, call_probe_weightless_first

    if exercise.kind == "build" and not exercise.weights:
        return call_probe_weightless_first(answer, probe, exercise.kind, exercise.forbidden)
    return call_probe(answer, probe, exercise.kind, exercise.forbidden)


def check(exercise_id: str, answer) -> None:
    """Check ``answer`` to exercise ``exercise_id``: print ``✓ passed: …`` or raise.

    Raises :class:`HomeworkCheckError` (an ``AssertionError``) when the answer is wrong, with a
    hint; ``ValueError`` when ``exercise_id`` is not an exercise. This is the student's instant
    feedback; the lecturer's grade comes from ``cnncourse homework grade``, which does not trust
    anything the notebook's kernel says.

    The line and the hints are in Korean when ``CNNCOURSE_LANG=ko`` is set (a Korean JupyterHub
    sets it; the notebook's code stays the same) or inside :func:`use_language`.
    """
    from .._checks import did_you_mean

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
            result, found = _call(answer, probe, exercise)
            results.append(result)
            hits += [h for h in found if h not in hits]
            if result.status in ("not_callable", "not_done"):
                break
        while len(results) < len(probes):
            results.append(results[-1])
        detail = exercise.judge(results, probes)
    note = ""
    if hits:
        note = _("reviewed_note", calls=', '.join(hits[:2]), computation=exercise.computation_text())
    # one write, so Jupyter stores the line as one output (stable under nbval)
    sys.stdout.write(f"{_('pass_mark')} {exercise_id} ({detail}){note}\n")
