"""The lecturer's source notebook is the authority: exercises, points and check code come from it.

:func:`load_assignment` reads the source (the notebook with solutions and nbgrader metadata).
:func:`build_plan` turns a submission into the steps the sandbox runs: the source's locked cells
(setup), the student's solution cells and extra cells in the submission's order, and one
*capture* per exercise where the source has its check cell. Whatever the submission did to its
check cells (edited, deleted, duplicated, relabelled) does not matter: they are never run.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path



@dataclasses.dataclass
class ExerciseSpec:
    id: str                    # the checker's id, e.g. "hw1.lenet_c1_side"
    grade_id: str              # the nbgrader grade_id of its check cell
    points: float
    expression: str            # the answer, as the source's check cell passes it
    solution_ids: list[str]    # grade_ids of the solution cells since the previous check cell
    kind: str


@dataclasses.dataclass
class SourceCell:
    role: str                  # locked | solution | check | free
    grade_id: str | None
    code: str
    exercise: str | None = None


@dataclasses.dataclass
class Assignment:
    path: Path
    name: str                  # the notebook's file name
    cells: list[SourceCell]
    exercises: list[ExerciseSpec]
    language: str = "en"       # what the hints and feedback speak: the source's language

    @property
    def max_points(self) -> float:
        return sum(e.points for e in self.exercises)

    def exercise(self, exercise_id: str) -> ExerciseSpec:
        return next(e for e in self.exercises if e.id == exercise_id)


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def parse_check(code: str, where: str) -> tuple[str, str]:
    """``(exercise id, answer expression)`` of a source check cell ``homework.check(ID, answer)``."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"{where}: the check cell is not valid Python ({exc.msg}).") from None
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr == "check"
             and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
             and isinstance(node.args[0].value, str)]
    if len(calls) != 1:
        raise ValueError(f"{where}: a check cell must call homework.check(\"<exercise id>\", "
                         "<answer>) exactly once.")
    return calls[0].args[0].value, ast.get_source_segment(code, calls[0].args[1])


HANGUL_SHARE = 0.2   # the Korean edition is >= 40 % Hangul; the English one < 1 %


def notebook_language(notebook) -> str:
    """``"ko"`` or ``"en"``: what a homework notebook is written in.

    The notebook's metadata ``cnncourse.lang`` when it says so; otherwise its markdown: a notebook
    whose markdown letters are at least 20 % Hangul is Korean. The text decides, not the folder
    (a lecturer may copy ``homework/ko/hw1_….ipynb`` anywhere, or into nbgrader's
    ``source/<assignment>/``), and ``python -m cnncourse.translation sync`` copies the English
    notebook's metadata, so a key set by hand would not survive it. The released student version
    keeps the markdown, so a self-check of a Korean student notebook speaks Korean too.
    """
    from ..homework.messages import LANGUAGES

    meta = notebook.get("metadata", {}).get("cnncourse", {})
    lang = meta.get("lang") if isinstance(meta, dict) else None
    if lang in LANGUAGES:
        return lang
    text = "".join(c.get("source", "") if isinstance(c.get("source", ""), str) else
                   "".join(c["source"]) for c in notebook.get("cells", [])
                   if c.get("cell_type") == "markdown")
    letters = [ch for ch in text if ch.isalpha()]
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    return "ko" if letters and hangul / len(letters) >= HANGUL_SHARE else "en"


def load_assignment(path) -> Assignment:
    """Read the lecturer's source notebook and list its exercises (ValueError when it is not one)."""
    from ..homework import EXERCISES
    from .release import read_notebook
    from .._checks import did_you_mean

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--source {str(path)!r} does not exist; give the lecturer's "
                                "notebook, e.g. homework/hw2_numpy_convolution.ipynb.")
    notebook = read_notebook(path)
    cells, exercises, pending = [], [], []
    seen = set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta, where = _meta(cell), f"{path.name}, cell {index}"
        grade_id = meta.get("grade_id")
        if meta.get("grade"):
            exercise_id, expression = parse_check(cell.source, where)
            if exercise_id not in EXERCISES:
                raise ValueError(f"{where}: no checker for {exercise_id!r}: "
                                 f"{did_you_mean(exercise_id, EXERCISES)}")
            if grade_id in seen or exercise_id in {e.id for e in exercises}:
                raise ValueError(f"{where}: {grade_id!r} / {exercise_id!r} appears twice.")
            seen.add(grade_id)
            points = float(meta.get("points", 1) or 0)
            exercises.append(ExerciseSpec(exercise_id, grade_id, points, expression, pending,
                                          EXERCISES[exercise_id].kind))
            cells.append(SourceCell("check", grade_id, cell.source, exercise_id))
            pending = []
        elif meta.get("solution"):
            if not grade_id or grade_id in seen:
                raise ValueError(f"{where}: a solution cell needs a unique nbgrader grade_id.")
            seen.add(grade_id)
            pending = pending + [grade_id]
            cells.append(SourceCell("solution", grade_id, cell.source))
        elif meta.get("locked"):
            seen.add(grade_id)
            cells.append(SourceCell("locked", grade_id, cell.source))
        else:
            cells.append(SourceCell("free", grade_id, cell.source))
    if not exercises:
        raise ValueError(f"{path.name} has no check cells (nbgrader 'grade: true'); is it a "
                         "homework source?")
    return Assignment(path, path.name, cells, exercises, notebook_language(notebook))


def build_plan(assignment: Assignment, submission) -> tuple[list[dict], list[str]]:
    """The steps to run for ``submission`` (an nbformat notebook), and notes for the feedback.

    Each step is ``{"kind": "cell", "id": "c<n>", "code", "role", "exercise"}`` or
    ``{"kind": "capture", "id": "x<n>", "exercise", "expression"}``.
    """
    known = {c.grade_id: c for c in assignment.cells if c.grade_id}
    notes: list[str] = []
    taken: dict[str, int] = {}          # grade_id -> submission cell index
    extras: dict[object, list[int]] = {}
    anchor: object = None
    code_cells = [(i, c) for i, c in enumerate(submission.cells) if c.get("cell_type") == "code"]
    for index, cell in code_cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
        if grade_id in known and grade_id not in taken:
            taken[grade_id] = index
            anchor = grade_id
            continue
        if grade_id in known:
            notes.append(f"cell {index} repeats the id {grade_id!r}; it runs as your own code "
                         "and counts for nothing." if known[grade_id].role == "solution" else
                         f"cell {index} repeats the check cell {grade_id!r}; it was not run.")
            if known[grade_id].role != "solution":
                continue
        elif meta.get("grade") or meta.get("solution"):
            notes.append(f"cell {index} claims to be exercise {str(grade_id)[:60]!r}, which this "
                         "assignment does not have; it earns nothing.")
        extras.setdefault(anchor, []).append(index)
    for cell in assignment.cells:
        if cell.role in ("check", "locked") and cell.grade_id not in taken:
            label = "check" if cell.role == "check" else "locked"
            notes.append(f"the {label} cell {cell.grade_id!r} was missing or edited away; the "
                         "lecturer's version was used.")

    solution_of = {sid: e.id for e in assignment.exercises for sid in e.solution_ids}
    steps: list[dict] = []

    def code_step(code: str, role: str, origin, exercise=None):
        steps.append({"kind": "cell", "id": f"c{len(steps)}", "code": code, "role": role,
                      "origin": origin, "exercise": exercise})

    def add_extras(key):
        for index in extras.get(key, []):
            code_step(submission.cells[index].get("source", ""), "extra", index)

    add_extras(None)
    for cell in assignment.cells:
        if cell.role in ("locked", "free"):
            code_step(cell.code, "setup" if cell.role == "locked" else "source", "source")
        elif cell.role == "solution" and cell.grade_id in taken:
            index = taken[cell.grade_id]
            code_step(submission.cells[index].get("source", ""), "solution", index,
                      solution_of.get(cell.grade_id))
        elif cell.role == "check":
            spec = assignment.exercise(cell.exercise)
            steps.append({"kind": "capture", "id": f"x{len(steps)}", "exercise": spec.id,
                          "expression": spec.expression, "mode": spec.kind})
        if cell.grade_id is not None:
            add_extras(cell.grade_id)
    return steps, notes


def student_code(steps) -> list[tuple[object, str]]:
    """``(submission cell index, code)`` of every step that runs the student's own code."""
    return [(s["origin"], s["code"]) for s in steps
            if s["kind"] == "cell" and s["role"] in ("solution", "extra")]
