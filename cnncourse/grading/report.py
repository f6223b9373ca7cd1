"""The gradebook (one CSV row per student and exercise) and one feedback page per student."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from ..homework._base import clean
from ..homework.messages import text as _

STATUSES = {f"status.{s}" for s in ("passed", "failed", "missing", "error", "timeout", "needs review")}
COLUMNS = ("student", "exercise", "points", "max_points", "status", "hint", "sandbox")


def safe_name(name: str, taken: set) -> str:
    """A file name for ``name``: letters, digits, ``._-`` only, unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
    base = base[:80]
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def _number(value: float) -> str:
    return f"{value:g}"


def _text(value, limit: int) -> str:
    """Clean text for a CSV cell; a leading = + - @ is quoted so spreadsheets show, not run, it."""
    text = clean(value, limit)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_gradebook(path: Path, graded: list, sandbox: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for student in graded:
            for row in student.rows:
                writer.writerow([_text(student.student, 120), row.exercise, _number(row.points),
                                 _number(row.max_points), row.status, _text(row.hint, 600), sandbox])


def _cell(text: str) -> str:
    return clean(text, 600).replace("|", "\\|")


def feedback(student, assignment_name: str, sandbox: str) -> str:
    total = sum(r.points for r in student.rows)
    maximum = sum(r.max_points for r in student.rows)
    lines = [_("feedback.title", assignment=assignment_name, student=clean(student.student, 120)), "",
             _("feedback.score", total=_number(total), maximum=_number(maximum)), "",
             _("feedback.header"), "|---|---|---|---|"]
    for row in student.rows:
        # the gradebook keeps the status keyword; the page shows it in the reader's language
        status = _(f"status.{row.status}") if f"status.{row.status}" in STATUSES else row.status
        lines.append(f"| {row.exercise} | {_number(row.points)} / {_number(row.max_points)} | "
                     f"{status} | {_cell(row.hint) or '—'} |")
    if student.notes:
        lines += ["", _("feedback.notes"), ""]
        lines += [f"- {clean(note, 400)}" for note in student.notes]
    lines += ["", _("feedback.statuses"), "", _("feedback.graded_in", sandbox=sandbox), ""]
    return "\n".join(lines)


def write_feedback(folder: Path, graded: list, assignment_name: str, sandbox: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    taken: set = set()
    for student in graded:
        name = safe_name(student.student, taken)
        (folder / f"{name}.md").write_text(feedback(student, assignment_name, sandbox), "utf-8")
