"""Red team: forged and hostile hw1 submissions in one class, graded by `cnncourse homework grade`.

Every submission is built from the released hw1 notebook (or the lecturer's source for the honest
student). One class run grades them all in the sandbox; the tests then check each student's
score, that nothing outside the sandbox changed, that no process is left, that no secret reached
any output, and that the honest students were graded correctly.
"""
from __future__ import annotations

import hashlib
import os
import re
import site
import uuid
from pathlib import Path

import pytest

from cnncourse import cli
from grading_helpers import (HOMEWORK, HW1, cell_index, copy_source, read_gradebook, released,
                             require_sandbox, set_code, insert_after, solution_code, write, points)

pytestmark = [pytest.mark.slow, pytest.mark.system]  # grades notebooks in the sandbox

MARK = uuid.uuid4().hex[:10]
SECRET_KEY = f"-----BEGIN OPENSSH PRIVATE KEY----- lecturer-{MARK}"
SECRET_ENV = f"token-{MARK}-env"
SLEEP = f"77{int(MARK[:6], 16) % 100000}.5"   # a unique sleep length to find leftovers by
NAME = HW1.name
CHECK_IDS = ["lenet_c1_side", "lenet_conv1_params", "lenet_sides", "lenet_params",
             "alexnet_conv1_sides", "alexnet_conv1_params", "vgg16_sides", "vgg16_params",
             "vgg16_totals", "bottleneck", "separable"]
SOLVE_C1 = "lenet_c1_side = 32 - 5 + 1"
# seconds a cell may run: f08 and f09 import TensorFlow inside a cell (zoo_rows), ~6 s alone and
# up to ~20 s with two sandboxes and another test worker on two slow cores (a 20 s limit timed
# them out once); each of h16's two stuck cells costs this long
CELL_TIMEOUT = 30


def sol(exercise: str) -> str:
    return f"hw1-{exercise}-solution"


def chk(exercise: str) -> str:
    return f"hw1-{exercise}"


def _build_class(root: Path, home: Path, outside: Path) -> dict[str, float]:
    """Write the class into ``root``; return each student's expected points."""
    subs = root / "submitted"
    expected = {}

    def student(name, notebook, score):
        write(notebook, subs / name, NAME)
        expected[name] = score

    copy_source(HW1, subs / "alice")
    expected["alice"] = 11
    student("bob", released(HW1), 0)
    carol = released(HW1)
    for ex in ("lenet_c1_side", "lenet_conv1_params"):
        set_code(carol, sol(ex), solution_code(HW1, sol(ex)))
    student("carol", carol, 2)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"),
             "from cnncourse import homework\nimport cnncourse.homework as h\n"
             "h.check = homework.check = lambda *a, **k: print('✓ passed:', a[0])")
    student("f01_patch_check", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"),
             "import cnncourse.homework._base as b\n"
             "for e in homework.EXERCISES.values():\n    e.judge = lambda *a, **k: 'ok'\n"
             "b.fail = lambda *a, **k: None")
    student("f02_patch_table", nb, 0)

    nb = released(HW1)
    for ex in CHECK_IDS:
        set_code(nb, chk(ex), f"print('✓ passed: hw1.{ex} (ok)')")
    student("f03_print_pass", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    for ex in CHECK_IDS:
        i = cell_index(nb, chk(ex))
        nb.cells[i].source = '# CHECK: hw1.lenet_c1_side\nhomework.check("hw1.lenet_c1_side", lenet_c1_side)'
        nb.cells[i].metadata["nbgrader"]["grade_id"] = chk("lenet_c1_side")
    student("f04_easy_relabel", nb, 1)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"),
             "get_ipython().set_custom_exc((BaseException,), "
             "lambda *a, **k: print('✓ passed: forged'))")
    student("f05_custom_exc", nb, 0)

    nb = released(HW1)
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    student("f06_delete_checks", nb, 0)

    nb = released(HW1)
    insert_after(nb, chk("separable"), "print('✓ passed: hw1.bonus')")
    nb.cells[-1 if False else cell_index(nb, chk("separable")) + 1].metadata["nbgrader"] = {
        "grade": True, "grade_id": "hw1-bonus", "points": 100, "locked": True, "solution": False,
        "schema_version": 3}
    insert_after(nb, chk("lenet_c1_side"), "print('✓ passed: hw1.lenet_c1_side')")
    nb.cells[cell_index(nb, chk("lenet_c1_side")) + 1].metadata["nbgrader"] = {
        "grade": True, "grade_id": chk("lenet_c1_side"), "points": 50, "locked": True,
        "solution": False, "schema_version": 3}
    student("f07_bonus_and_duplicate_ids", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"), "lenet_c1_side = cnncourse.shapes.conv_output_size(32, 5)")
    set_code(nb, sol("lenet_conv1_params"),
             "lenet_conv1_params = homework.hw1.zoo_rows('lenet5')[0]['params']")
    student("f08_course_reference", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_conv1_params"),
             "m = getattr(__import__('cnn' + 'course.homework.hw1', fromlist=['x']), 'zoo' + '_rows')\n"
             "lenet_conv1_params = m('lenet5')[0]['params']")
    student("f09_obfuscated_reference", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"), "lenet_c1_side = '28'")
    set_code(nb, sol("lenet_conv1_params"), "lenet_conv1_params = '156'")
    student("f10_wrong_type", nb, 0)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    insert_after(nb, "setup", f"""
import os, glob
found = []
for pattern in [{str(home / '.ssh' / '*')!r}, '/root/.ssh/*', os.path.expanduser('~/.ssh/*'),
                '/proc/1/environ', '/proc/*/environ']:
    for name in glob.glob(pattern):
        try:
            found.append(open(name, errors='replace').read())
        except Exception as exc:
            found.append(repr(exc))
print(found, dict(os.environ))
open(os.path.expanduser('~/loot.txt'), 'w').write(str(found))
""")
    set_code(nb, sol("lenet_sides"), "lenet_sides = found + [str(dict(os.environ))]")
    set_code(nb, sol("alexnet_conv1_sides"), "alexnet_conv1_sides = dict(os.environ)\n"
                                            "alexnet_conv1 = {k: v for k, v in os.environ.items()}")
    student("h11_read_secrets", nb, 1)

    nb = released(HW1)
    insert_after(nb, "setup", f"""
import os, shutil
subs = {str(subs)!r}
for target in [subs + '/alice/{NAME}', subs + '/carol/{NAME}']:
    try:
        print(open(target).read()[:100])
    except Exception as exc:
        print('read', exc)
    try:
        open(target, 'w').write('overwritten')
    except Exception as exc:
        print('write', exc)
    try:
        os.remove(target)
    except Exception as exc:
        print('remove', exc)
try:
    shutil.rmtree(subs + '/bob')
except Exception as exc:
    print('rmtree', exc)
""")
    student("h12_classmates", nb, 0)

    pth_targets = [d for d in site.getsitepackages() + [site.getusersitepackages()]]
    nb = released(HW1)
    insert_after(nb, "setup", f"""
import os, site
targets = [{str(outside / 'written.txt')!r}, '/tmp/cnncourse-redteam-{MARK}.txt',
           {str(HOMEWORK / f'evil-{MARK}.txt')!r}, {str(Path(cli.__file__).parent / f'evil_{MARK}.py')!r}]
targets += [d + '/evil-{MARK}.pth' for d in {pth_targets!r} + site.getsitepackages()]
for t in targets:
    try:
        open(t, 'w').write('import os; os.environ["PWNED"] = "1"')
    except Exception as exc:
        print(t, exc)
for victim in [{str(outside / 'keep.txt')!r}, {str(HW1)!r}]:
    try:
        os.remove(victim)
    except Exception as exc:
        print(victim, exc)
""")
    student("h13_write_outside", nb, 0)

    nb = released(HW1)
    insert_after(nb, "setup", "import numpy as np\nblob = np.ones(20 * 2**30 // 8)\nblob[::4096] = 2")
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    student("h14_20GB", nb, 1)

    nb = released(HW1)
    insert_after(nb, "setup", f"""
import os, subprocess
for i in range(50):
    try:
        subprocess.Popen(['sleep', '{SLEEP}'], start_new_session=True)
    except Exception as exc:
        print(exc)
for i in range(5):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '{SLEEP}'])
        os._exit(0)
""")
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    student("h15_processes", nb, 0)   # right, but subprocesses run code out of sight: review

    nb = released(HW1)
    set_code(nb, sol("lenet_conv1_params"),
             "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass")
    # the second stuck cell sleeps (waiting for input that never comes): as stuck, no CPU burnt
    insert_after(nb, chk("lenet_conv1_params"),
                 "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                 "while True:\n    time.sleep(1)")
    set_code(nb, sol("lenet_sides"), solution_code(HW1, sol("lenet_sides")))
    student("h16_sigint_loops", nb, 1)

    nb = released(HW1)
    insert_after(nb, "setup", "import os, sys\nsys.stdout.write('A' * (25 << 20))\n"
                              "os.write(1, b'B' * (25 << 20))\nos.write(2, b'\\x1b[2J' * 1000)")
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    student("h17_50MB_output", nb, 1)

    (subs / "h18_malformed").mkdir(parents=True)
    (subs / "h18_malformed" / NAME).write_text('{"cells": [ {"cell_type": "code", "source": ')
    expected["h18_malformed"] = 0

    nb = released(HW1)
    insert_after(nb, "setup", "import os\nos._exit(3)")
    set_code(nb, sol("lenet_c1_side"), SOLVE_C1)
    student("h19_crash", nb, 1)

    nb = released(HW1)
    set_code(nb, sol("lenet_c1_side"),
             "raise ValueError('\\x1b[31mred\\x1b]0;title\\x07 \\x1b[2J cleared')")
    student("h20_escapes", nb, 0)
    return expected


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers() -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if SLEEP.encode() in (proc / "cmdline").read_bytes():
                    found.append(proc.name)
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    require_sandbox()
    root = tmp_path_factory.mktemp("redteam")
    home, outside = root / "lecturer_home", root / "outside"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(SECRET_KEY)
    (home / ".ssh" / "id_rsa").chmod(0o600)
    outside.mkdir()
    (outside / "keep.txt").write_text("keep me")
    expected = _build_class(root, home, outside)
    grades = root / "grades"
    before = _tree(root)
    homework_before = _tree(HOMEWORK)
    sites = [Path(d) for d in site.getsitepackages() if Path(d).is_dir()]
    pth_before = {str(p) for d in sites for p in d.glob("*.pth")}
    # the lecturer's own libraries are set up already, as in any session that has used them:
    # on first use Keras writes ~/.keras/keras.json and matplotlib its font cache, which would
    # land in the fake home when this file runs alone (found: it failed alone, passed in the suite)
    import matplotlib.font_manager  # noqa: F401

    from cnncourse._keras import import_backend

    import_backend()
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(home))
    patch.setenv("LECTURER_TOKEN", SECRET_ENV)
    import io
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["homework", "grade", str(root / "submitted"), "--source", str(HW1),
                             "--out", str(grades), "--jobs", "2", "--timeout", str(CELL_TIMEOUT)])
    finally:
        patch.undo()
    return dict(root=root, expected=expected, code=code, grades=grades, before=before,
                after=_tree(root), homework_before=homework_before, sites=sites,
                pth_before=pth_before, output=out.getvalue() + err.getvalue(),
                book=read_gradebook(grades / "gradebook.csv"))


def test_every_student_gets_the_expected_score(graded_class):
    book, expected = graded_class["book"], graded_class["expected"]
    assert len(expected) >= 20
    assert set(book) == set(expected)
    got = {student: points(book, student) for student in expected}
    wrong = {s: book[s] for s in expected if got[s] != expected[s]}
    notes = {s: (graded_class["grades"] / "feedback" / f"{s}.md").read_text().split("## Notes")[-1]
             for s in wrong}
    assert got == expected, (wrong, notes)
    for student, rows in book.items():   # the maximum never shrinks, unknown ids earn nothing
        assert sorted(rows) == sorted(f"hw1.{e}" for e in CHECK_IDS), student
        assert sum(float(r["max_points"]) for r in rows.values()) == 11, student
        assert {r["sandbox"] for r in rows.values()} == {"bwrap"}


def test_statuses_say_what_happened(graded_class):
    book = graded_class["book"]
    assert {r["status"] for r in book["alice"].values()} == {"passed"}, book["alice"]
    assert book["bob"]["hw1.separable"]["status"] == "missing"
    for ex in ("lenet_c1_side", "lenet_conv1_params"):
        row = book["f08_course_reference"][f"hw1.{ex}"]
        assert row["status"] == "needs review" and "must be your own" in row["hint"]
    assert book["f09_obfuscated_reference"]["hw1.lenet_conv1_params"]["status"] == "needs review"
    assert book["h15_processes"]["hw1.lenet_c1_side"]["status"] == "needs review"
    assert "imports subprocess" in book["h15_processes"]["hw1.lenet_c1_side"]["hint"]
    assert book["h16_sigint_loops"]["hw1.lenet_conv1_params"]["status"] == "timeout"
    assert book["h16_sigint_loops"]["hw1.lenet_sides"]["status"] == "passed"
    assert {r["status"] for r in book["h18_malformed"].values()} == {"error"}
    assert "cannot be read as a notebook" in book["h18_malformed"]["hw1.separable"]["hint"]
    assert book["h20_escapes"]["hw1.lenet_c1_side"]["status"] == "error"
    assert "red" in book["h20_escapes"]["hw1.lenet_c1_side"]["hint"]
    wrong = book["f10_wrong_type"]
    assert wrong["hw1.lenet_c1_side"]["status"] == "failed"
    for row in wrong.values():
        assert not re.search(r"\b(28|156)\b", row["hint"]), row["hint"]


def test_the_run_reports_the_unreadable_submission(graded_class):
    assert graded_class["code"] == 1
    assert "h18_malformed" in graded_class["output"].split("not graded to the end:")[-1]
    feedback = graded_class["grades"] / "feedback"
    assert {p.stem for p in feedback.glob("*.md")} == set(graded_class["expected"])


def test_nothing_outside_the_sandbox_changed(graded_class):
    after = {k: v for k, v in graded_class["after"].items() if not k.startswith("grades")}
    assert after == graded_class["before"]
    assert _tree(HOMEWORK) == graded_class["homework_before"]
    assert not Path(f"/tmp/cnncourse-redteam-{MARK}.txt").exists()
    assert not list(Path(cli.__file__).parent.glob(f"evil_{MARK}*"))
    pth_after = {str(p) for d in graded_class["sites"] for p in d.glob("*.pth")}
    assert pth_after == graded_class["pth_before"]
    assert "PWNED" not in os.environ


def test_no_process_is_left(graded_class):
    assert _leftovers() == []


def test_no_secret_and_no_control_character_in_any_output(graded_class):
    texts = [graded_class["output"]] + [p.read_text("utf-8") for p in graded_class["grades"].rglob("*")
                                       if p.is_file()]
    for text in texts:
        assert SECRET_KEY not in text and MARK not in text.replace(SLEEP, "")
        assert SECRET_ENV not in text
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text.replace("\n", "").replace("\r", ""))
    sizes = [p.stat().st_size for p in graded_class["grades"].rglob("*") if p.is_file()]
    assert max(sizes) < 200_000
