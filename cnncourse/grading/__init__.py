"""The grading tool: release, sandboxed runs, verdicts in the grader's process, gradebook, feedback.

* :func:`grade_class` grades a folder of submissions against the lecturer's source notebook
  (``cnncourse homework grade``) and writes ``gradebook.csv`` and ``feedback/<student>.md``;
* :func:`check_notebooks` is the student's self-check (``cnncourse homework check``), same engine;
* :mod:`.release` writes student versions; :mod:`.sandbox` runs code under bubblewrap.

The assignments' checkers live in :mod:`cnncourse.homework` (one module per assignment).
"""
from __future__ import annotations

import concurrent.futures
import threading
import shutil
import sys
import tempfile
from pathlib import Path

from ..homework._base import clean
from . import release, report, sandbox
from .engine import Graded, Options, grade_submission
from .source import Assignment, load_assignment
from ..homework.messages import LANGUAGES, use_language
from ..homework.messages import text as _

__all__ = ["grade_class", "grade_notebook", "grade_table", "check_notebooks", "find_submissions",
           "Options", "load_assignment"]

UNSANDBOXED = "unsandboxed"
_PRINT = threading.Lock()


def find_submissions(root: Path, assignment: Assignment) -> list[tuple[str, Path | None, list[str]]]:
    """``(student, notebook or None, notes)`` for each student folder of ``root``.

    Accepts ``root/<student>/<notebook>.ipynb`` and nbgrader's
    ``submitted/<student>/<assignment>/<notebook>.ipynb``.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{str(root)!r} is not a folder of submissions (one folder per "
                                "student, e.g. submitted/<student>/<notebook>.ipynb).")
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        direct = folder / assignment.name
        nested = sorted(folder.glob(f"*/{assignment.name}"))
        notes = []
        if direct.exists() or direct.is_symlink():
            path = direct
        elif nested:
            path = nested[0]
            if len(nested) > 1:
                notes.append(f"{len(nested)} copies of {assignment.name} were handed in; "
                             f"{path.parent.name}/ was graded")
        else:
            path = None
        found.append((folder.name, path, notes))
    return found


def _make_workroot() -> Path:
    workroot = Path(tempfile.mkdtemp(prefix="cnncourse-grade-"))
    workroot.chmod(0o711)   # the sandbox user may pass through, not list
    return workroot


def _options(cell_timeout, notebook_timeout, unsafe_no_sandbox, hide) -> Options:
    if not unsafe_no_sandbox and sandbox.bwrap_mode() is None:
        raise sandbox.SandboxUnavailable(
            "no sandbox is available (" + sandbox.describe() + "). Install bubblewrap "
            "(Debian/Ubuntu: apt-get install bubblewrap) and allow user namespaces, or pass "
            "--unsafe-no-sandbox to run the students' code with your own permissions.")
    return Options(cell_timeout=float(cell_timeout),
                   notebook_timeout=float(notebook_timeout) if notebook_timeout else None,
                   sandboxed=not unsafe_no_sandbox, hide=tuple(hide))


def grade_class(submissions, source, out, *, jobs: int = 1, cell_timeout: float = 60,
                notebook_timeout: float | None = None, unsafe_no_sandbox: bool = False,
                quiet: bool = False, lang: str | None = None) -> int:
    """Grade every student folder of ``submissions`` against ``source``; write ``out``.

    Hints and feedback pages speak ``lang`` (en or ko); by default the source notebook's language
    (:func:`.source.notebook_language`: a Korean source from ``homework/ko/`` gives Korean).

    Returns 0 when every submission was graded to the end, 1 when some could not be (missing,
    unreadable, crashed): they are rows of the gradebook too.
    """
    assignment = _with_language(load_assignment(source), lang)
    students = find_submissions(submissions, assignment)
    if not students:
        raise ValueError(f"{str(submissions)!r} holds no student folders.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {str(out)!r} is a file; give a folder for the grades.")
    out.mkdir(parents=True, exist_ok=True)
    options = _options(cell_timeout, notebook_timeout, unsafe_no_sandbox,
                       [Path(submissions).resolve(), out.resolve(), Path(source).resolve().parent])
    label = UNSANDBOXED if unsafe_no_sandbox else "bwrap"
    workroot = _make_workroot()
    try:
        def one(item):
            student, path, notes = item
            try:
                graded = grade_submission(assignment, student, path, options, workroot)
            except Exception as exc:  # one student's trouble never ends the class run
                graded = Graded(student, path, [], [f"grading failed: {type(exc).__name__}: "
                                                    f"{clean(exc, 300)}"], False)
                from .engine import _rows_all
                with use_language(assignment.language):
                    graded.rows = _rows_all(assignment, "error", _("grade.grader_failed"))
            graded.notes = notes + graded.notes
            if not quiet:
                total = sum(r.points for r in graded.rows)
                with _PRINT:
                    print(f"{clean(student, 60)}: {total:g}/{assignment.max_points:g}"
                          + ("" if graded.complete else " (not graded to the end)"), flush=True)
            return graded

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            graded = list(pool.map(one, students))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    report.write_gradebook(out / "gradebook.csv", graded, label)
    with use_language(assignment.language):
        report.write_feedback(out / "feedback", graded, assignment.name, label)
    incomplete = [g.student for g in graded if not g.complete]
    if not quiet:
        print(f"graded {len(graded) - len(incomplete)}/{len(graded)} submissions to the end"
              + (f" ({label}: the students' code ran with your permissions)" if unsafe_no_sandbox else "")
              + f"; gradebook: {out / 'gradebook.csv'}")
        if incomplete:
            print("not graded to the end: " + ", ".join(clean(s, 60) for s in incomplete))
    return 0 if not incomplete else 1


def _with_language(assignment: Assignment, lang: str | None) -> Assignment:
    """``assignment`` speaking ``lang`` (None: the source notebook's own language)."""
    import dataclasses

    if lang is None:
        return assignment
    if lang not in LANGUAGES:
        raise ValueError(f"--lang {lang!r}: choose one of {', '.join(LANGUAGES)}.")
    return dataclasses.replace(assignment, language=lang)


def grade_notebook(path, source=None, *, cell_timeout: float = 60, sandboxed: bool | None = None,
                   notebook_timeout: float | None = None, lang: str | None = None) -> Graded:
    """Grade one notebook (``source`` defaults to the notebook itself: a self-check).

    Hints speak ``lang`` (en or ko), by default the source notebook's language.
    """
    path = Path(path)
    assignment = _with_language(load_assignment(source or path), lang)
    if sandboxed is None:
        sandboxed = sandbox.bwrap_mode() is not None
    options = _options(cell_timeout, notebook_timeout, not sandboxed,
                       [Path(source).resolve().parent] if source else [])
    workroot = _make_workroot()
    try:
        return grade_submission(assignment, path.stem, path, options, workroot)
    finally:
        shutil.rmtree(workroot, ignore_errors=True)


def grade_table(path, source=None, timeout: float = 60):
    """One notebook's grades as a DataFrame: exercise, points, max_points, status, passed, hint.

    ``source`` is the lecturer's notebook (default: the notebook itself, as a self-check); the
    notebook runs in the sandbox when bubblewrap is available.
    """
    import pandas as pd

    from .._checks import positive_int

    graded = grade_notebook(path, source, cell_timeout=positive_int(timeout, "timeout"))
    return pd.DataFrame([{"exercise": r.exercise, "points": r.points, "max_points": r.max_points,
                          "status": r.status, "passed": r.status == "passed", "hint": r.hint}
                         for r in graded.rows],
                        columns=["exercise", "points", "max_points", "status", "passed", "hint"])


def score_table(graded: Graded) -> str:
    width = max([len("exercise")] + [len(r.exercise) for r in graded.rows])
    lines = [f"{'exercise':<{width}}  {'points':>7}  {'status':<12}  hint"]
    for r in graded.rows:
        lines.append(f"{r.exercise:<{width}}  {r.points:>3g}/{r.max_points:<3g}  {r.status:<12}  {r.hint}".rstrip())
    return "\n".join(lines)


def check_notebooks(paths, timeout: float = 60, source=None, lang: str | None = None) -> int:
    """The student's self-check: grade each notebook, print a table and the total.

    Returns 0 when every exercise passed, 1 otherwise.
    """
    from .release import notebook_paths

    notebooks = notebook_paths(paths, "cnncourse homework check")
    got = maximum = 0.0
    for path in notebooks:
        graded = grade_notebook(path, source, cell_timeout=timeout, lang=lang)
        score = sum(r.points for r in graded.rows)
        top = sum(r.max_points for r in graded.rows)
        got, maximum = got + score, maximum + top
        print(f"{path.name}: {score:g}/{top:g} points")
        print(score_table(graded))
        for note in graded.notes:
            print(f"  note: {clean(note, 300)}")
        print()
    print(f"total: {got:g}/{maximum:g} points")
    sys.stdout.flush()
    return 0 if got == maximum else 1
