"""Real nbgrader (generate_assignment, autograde) and `cnncourse homework grade` agree on hw2."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnncourse import cli
from grading_helpers import HW2, cell_index, read_gradebook, require_sandbox, points

pytestmark = [pytest.mark.slow, pytest.mark.system]  # nbgrader and kernels

pytest.importorskip("nbgrader")


def _nbgrader(course: Path, *args):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_nbgrader_and_the_grader_give_the_same_scores(tmp_path):
    require_sandbox()
    course = tmp_path / "course"
    (course / "source" / "hw2").mkdir(parents=True)
    shutil.copy(HW2, course / "source" / "hw2" / HW2.name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'cnncourse'\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    _nbgrader(course, "generate_assignment", "hw2")
    student_version = course / "release" / "hw2" / HW2.name
    assert student_version.is_file()
    source = nbformat.read(HW2, as_version=4)
    blank = nbformat.read(student_version, as_version=4)
    correct = nbformat.read(student_version, as_version=4)
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            correct.cells[cell_index(correct, meta["grade_id"])].source = cell.source
    for student, notebook in (("correct", correct), ("blank", blank)):
        folder = course / "submitted" / student / "hw2"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / HW2.name)
        (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")
    _nbgrader(course, "autograde", "hw2", "--create")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        nbgrader_scores = {s: gradebook.find_submission("hw2", s).score for s in ("correct", "blank")}
    assert nbgrader_scores == {"correct": 4.0, "blank": 0.0}

    grades = tmp_path / "grades"
    code = cli.main(["homework", "grade", str(course / "submitted"), "--source",
                     str(course / "source" / "hw2" / HW2.name), "--out", str(grades),
                     "--jobs", "2", "--timeout", "60"])
    assert code == 0
    book = read_gradebook(grades / "gradebook.csv")
    assert {s: points(book, s) for s in book} == nbgrader_scores
