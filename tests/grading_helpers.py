"""Helpers for the grading tests: released notebooks, cell edits, the sandbox requirement."""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

HOMEWORK = Path(__file__).resolve().parent.parent / "homework"
HW1 = HOMEWORK / "hw1_output_sizes_and_parameters.ipynb"
HW2 = HOMEWORK / "hw2_numpy_convolution.ipynb"
HW3 = HOMEWORK / "hw3_vgg16_and_resnet34.ipynb"
HW4 = HOMEWORK / "hw4_se_and_mixer.ipynb"


def require_sandbox():
    """Skip without bubblewrap, except in CI (CI=true), where a missing sandbox is a failure."""
    from cnncourse.grading import sandbox

    if sandbox.bwrap_mode() is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI must grade in the sandbox, but bubblewrap is not usable: "
                        + sandbox.describe() + " (.ci/run installs the Debian package bubblewrap)")
        pytest.skip("bubblewrap is not available: " + sandbox.describe())


def source(path: Path):
    return nbformat.read(path, as_version=4)


def released(path: Path):
    from cnncourse.grading.release import student_version

    return student_version(source(path))[0]


def cell_index(notebook, grade_id: str) -> int:
    for i, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def set_code(notebook, grade_id: str, code: str):
    notebook.cells[cell_index(notebook, grade_id)].source = code
    return notebook


def insert_after(notebook, grade_id: str, code: str):
    notebook.cells.insert(cell_index(notebook, grade_id) + 1, new_code_cell(code))
    return notebook


def solution_code(path: Path, grade_id: str) -> str:
    return source(path).cells[cell_index(source(path), grade_id)].source


def write(notebook, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(notebook, path)
    return path


def copy_source(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / path.name))


def with_solutions(path: Path, grade_ids) -> object:
    """The released notebook with the model answers of ``grade_ids`` (solution cells) put back."""
    notebook = released(path)
    original = source(path)
    for grade_id in grade_ids:
        notebook.cells[cell_index(notebook, grade_id)].source = \
            original.cells[cell_index(original, grade_id)].source
    return copy.deepcopy(notebook)


def read_gradebook(path: Path) -> dict:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    book: dict = {}
    for row in rows:
        book.setdefault(row["student"], {})[row["exercise"]] = row
    return book


def points(book: dict, student: str) -> float:
    return sum(float(r["points"]) for r in book[student].values())


def answer_numbers(value) -> set[int]:
    """The numbers >= 10 inside an answer (nested lists, tuples, dicts): a hint must name none."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {int(value)} if value == int(value) and abs(value) >= 10 else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return set().union(*(answer_numbers(v) for v in value))
    return set()
