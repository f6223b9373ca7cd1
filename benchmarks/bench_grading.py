"""Grading a class: seconds per submission, and the sandbox's cost as a ratio; asserts nothing.

Builds a class of ``--students`` hw2 submissions (a third the lecturer's solution, a third the
released notebook, a third wrong answers), grades it with ``cnncourse homework grade --jobs N``
in bubblewrap and again with ``--unsafe-no-sandbox``, alternating ``--repeats`` times, and prints
the median wall time of each, the seconds per submission and the ratio sandboxed ÷ unsandboxed.
Goals on the 2-core CI machine: the class of 30 in <= 5 min with --jobs 2, ratio <= 1.2. Run::

    python benchmarks/bench_grading.py                 # 30 students, --jobs 2, 1 repeat
    python benchmarks/bench_grading.py --students 10 --repeats 3
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HW2 = ROOT / "homework" / "hw2_numpy_convolution.ipynb"
WRONG = "def max_pool2d(x, size=2, stride=2):\n    return -x"


def build_class(folder: Path, students: int) -> None:
    from cnncourse.grading.release import student_version

    source = nbformat.read(HW2, as_version=4)
    blank = student_version(source)[0]
    wrong = student_version(source)[0]
    for cell in source.cells:   # the model answers, but a wrong max pooling
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            target = next(c for c in wrong.cells
                          if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == meta["grade_id"])
            target.source = WRONG if meta["grade_id"] == "hw2-max_pool2d-solution" else cell.source
    for i in range(students):
        student = folder / f"student{i:03d}"
        student.mkdir(parents=True)
        notebook = (source, blank, wrong)[i % 3]
        nbformat.write(notebook, student / HW2.name)


def grade(folder: Path, out: Path, jobs: int, sandboxed: bool, timeout: int) -> float:
    from cnncourse import cli

    shutil.rmtree(out, ignore_errors=True)
    args = ["homework", "grade", str(folder), "--source", str(HW2), "--out", str(out),
            "--jobs", str(jobs), "--timeout", str(timeout)]
    if not sandboxed:
        args.append("--unsafe-no-sandbox")
    start = time.perf_counter()
    code = cli.main(args)
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"grading failed (exit {code}); see {out / 'gradebook.csv'}")
    return seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        build_class(tmp / "submitted", args.students)
        times = {"sandboxed": [], "unsandboxed": []}
        for _ in range(args.repeats):
            for mode in ("sandboxed", "unsandboxed"):
                times[mode].append(grade(tmp / "submitted", tmp / f"grades-{mode}", args.jobs,
                                         mode == "sandboxed", args.timeout))
    sandboxed, unsandboxed = (statistics.median(times[m]) for m in ("sandboxed", "unsandboxed"))
    print()
    print(f"hw2, {args.students} submissions, --jobs {args.jobs}, median of {args.repeats}")
    print(f"{'mode':<12} {'class_s':>8} {'s_per_submission':>17}")
    for mode, seconds in (("sandboxed", sandboxed), ("unsandboxed", unsandboxed)):
        print(f"{mode:<12} {seconds:>8.1f} {seconds / args.students:>17.2f}")
    print(f"ratio sandboxed / unsandboxed: {sandboxed / unsandboxed:.2f} (goal <= 1.2); "
          f"class {'within' if sandboxed <= 300 else 'over'} the 5-minute goal")


if __name__ == "__main__":
    main()
