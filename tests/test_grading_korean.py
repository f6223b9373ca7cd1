"""The Korean homework (homework/ko/) and Korean hints and feedback.

The Korean sources are graded by the same grader: their solutions score full marks and their
released versions 0 (hw1 and hw2 through the sandbox with `cnncourse homework grade`; hw3 and hw4,
whose Keras builds are slow, by showing that the grader reads the same exercises from them as from
the English sources, whose sandboxed grading tests/test_grading_solutions.py covers, and that their
code cells are the English ones). Hints and feedback speak Korean when the source is Korean,
with `--lang ko`, or with CNNCOURSE_LANG=ko in the student's kernel, and never give the answer.
"""
from __future__ import annotations

import re
import string

import pytest

from cnncourse import cli, homework
from cnncourse.grading.source import load_assignment, notebook_language
from cnncourse.homework.messages import MESSAGES, language, use_language
from grading_helpers import (HOMEWORK, HW1, HW2, HW3, HW4, copy_source, read_gradebook, released,
                             require_sandbox, set_code, solution_code, source, write, points,
                             answer_numbers)

KO = HOMEWORK / "ko"
HANGUL = re.compile("[\uac00-\ud7a3]")


def ko(path):
    return KO / path.name


def _fields(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_english_and_korean_with_the_same_fields():
    assert len(MESSAGES) > 100
    for message_id, entry in MESSAGES.items():
        assert set(entry) == {"en", "ko"}, message_id
        assert _fields(entry["en"]) == _fields(entry["ko"]), message_id
        words = re.sub(r"\{[^}]*\}|`[^`]*`", "", entry["ko"])
        if re.search("[A-Za-z]{4,}", entry["en"]) and message_id != "check_error_label":
            # every Korean message that says something in words says it in Hangul
            assert HANGUL.search(words) or not re.search("[a-z]{3,} [a-z]{3,}", words), message_id


def test_the_language_comes_from_the_setting_then_the_environment(monkeypatch):
    monkeypatch.delenv("CNNCOURSE_LANG", raising=False)
    assert language() == "en"
    monkeypatch.setenv("CNNCOURSE_LANG", "ko_KR.UTF-8")
    assert language() == "ko"
    with use_language("en"):
        assert language() == "en"
    with pytest.raises(ValueError, match="choose one of en, ko"):
        with use_language("fr"):
            pass


@pytest.mark.parametrize("path", [HW1, HW2, HW3, HW4], ids=lambda p: p.stem[:3])
def test_the_korean_sources_and_their_releases_say_they_are_korean(path):
    assert notebook_language(source(path)) == "en"
    assert notebook_language(source(ko(path))) == "ko"
    student = released(ko(path))          # release works on any source: the markdown stays Korean
    assert notebook_language(student) == "ko"
    assert [c.source for c in student.cells if c.cell_type == "markdown"] == \
        [c.source for c in source(ko(path)).cells if c.cell_type == "markdown"]
    overridden = source(path)
    overridden.metadata["cnncourse"] = {"lang": "ko"}
    assert notebook_language(overridden) == "ko"


@pytest.mark.parametrize("path", [HW1, HW2, HW3, HW4], ids=lambda p: p.stem[:3])
def test_the_grader_reads_the_same_exercises_from_the_korean_source(path):
    english, korean = load_assignment(path), load_assignment(ko(path))
    assert korean.language == "ko" and english.language == "en"
    assert [(e.id, e.grade_id, e.points, e.expression, e.solution_ids) for e in korean.exercises] == \
        [(e.id, e.grade_id, e.points, e.expression, e.solution_ids) for e in english.exercises]
    assert [(c.role, c.grade_id, c.code) for c in korean.cells] == \
        [(c.role, c.grade_id, c.code) for c in english.cells]


def _grade(tmp_path, source_path, *extra, timeout=60):
    grades = tmp_path / "grades"
    code = cli.main(["homework", "grade", str(tmp_path / "subs"), "--source", str(source_path),
                     "--out", str(grades), "--jobs", "2", "--timeout", str(timeout), *extra])
    return code, read_gradebook(grades / "gradebook.csv"), grades


@pytest.mark.slow
@pytest.mark.system
def test_korean_hw1_solution_full_marks_blank_zero_feedback_in_korean(tmp_path):
    require_sandbox()
    copy_source(ko(HW1), tmp_path / "subs" / "solution")
    write(released(ko(HW1)), tmp_path / "subs" / "blank", HW1.name)
    wrong = source(ko(HW1))   # the solution with one answer wrong: 10 of 11
    set_code(wrong, "hw1-lenet_conv1_params-solution", "lenet_conv1_params = 5 * 5 * 6")
    write(wrong, tmp_path / "subs" / "wrong", HW1.name)
    code, book, grades = _grade(tmp_path, ko(HW1))
    assert code == 0
    assert points(book, "solution") == 11, book["solution"]
    assert points(book, "blank") == 0 and points(book, "wrong") == 10
    assert {r["status"] for r in book["blank"].values()} == {"missing"}   # keywords stay English
    assert all("아직 풀지 않음" in r["hint"] for r in book["blank"].values())
    hint = book["wrong"]["hw1.lenet_conv1_params"]["hint"]
    assert "힌트: 편향을 잊지 말자" in hint and "156" not in hint, hint
    page = (grades / "feedback" / "blank.md").read_text(encoding="utf-8")
    assert "**점수: 0 / 11**" in page and "| 문제 | 점수 | 상태 | 살펴볼 점 |" in page
    assert "없음" in page and "상태: *passed*(통과)" in page and "Score" not in page


@pytest.mark.slow
@pytest.mark.system
def test_korean_hw2_solution_and_blank_and_lang_option(tmp_path):
    require_sandbox()
    copy_source(ko(HW2), tmp_path / "subs" / "solution")
    write(released(ko(HW2)), tmp_path / "subs" / "blank", HW2.name)
    code, book, grades = _grade(tmp_path, ko(HW2))
    assert code == 0
    assert points(book, "solution") == 4 and points(book, "blank") == 0
    assert all(HANGUL.search(r["hint"]) for r in book["blank"].values())
    # the English source with --lang ko speaks Korean too; the Korean source with --lang en, English
    code, book, grades = _grade(tmp_path, ko(HW2), "--lang", "en")
    assert code == 0 and points(book, "solution") == 4
    assert not any(HANGUL.search(r["hint"]) for r in book["blank"].values())
    assert "**Score: 0 / 4**" in (grades / "feedback" / "blank.md").read_text(encoding="utf-8")


HW1_WRONG = {   # the same wrong answers as tests/test_grading_solutions.py, judged in Korean
    "lenet_c1_side": ("lenet_c1_side", 32 - 5),
    "lenet_conv1_params": ("lenet_conv1_params", 5 * 5 * 6),
    "lenet_sides": ("lenet_sides", [28, 14, 10, 4]),
    "lenet_params": ("lenet_params", [150, 2400, 48000, 10080, 840]),
    "alexnet_conv1_sides": ("alexnet_conv1", {"out_227": 56, "out_224": 53, "unused_224": 3}),
    "alexnet_conv1_params": ("alexnet_conv1_params", 11 * 11 * 3 * 96),
    "vgg16_sides": ("vgg16_sides", [224, 112, 56, 28, 14]),
    "vgg16_params": ("vgg16_params", [3 * 3 * 64] * 16),
    "vgg16_totals": ("vgg16_totals", {"with_biases": 138_000_000, "without_biases": 137_000_000}),
    "bottleneck": ("bottleneck", {"params": 3 * 3 * 256 * 64, "macs": 1, "plain_params": 2}),
    "separable": ("separable", {"params": 1, "macs": 2, "standard_params": 3, "standard_macs": 4}),
}


def test_korean_hints_explain_without_giving_the_answer(monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_LANG", "ko")      # what a Korean JupyterHub sets
    namespace: dict = {}
    for exercise in HW1_WRONG:
        exec(solution_code(ko(HW1), f"hw1-{exercise}-solution").replace("### BEGIN SOLUTION", "")
             .replace("### END SOLUTION", ""), namespace)
    for exercise, (name, wrong) in HW1_WRONG.items():
        with pytest.raises(homework.HomeworkCheckError) as failed:
            homework.check(f"hw1.{exercise}", wrong)
        message = str(failed.value)
        assert "힌트:" in message or "틀렸다" in message or "아니다" in message, message
        assert "Hint:" not in message and HANGUL.search(message), message
        for number in answer_numbers(namespace[name]):
            assert not re.search(rf"(?<![\d,]){number:,}(?![\d,])|(?<!\d){number}(?!\d)", message), \
                (exercise, number, message)
        homework.check(f"hw1.{exercise}", namespace[name])
        assert capsys.readouterr().out.startswith(f"✓ 통과: hw1.{exercise} (")
    with pytest.raises(homework.NotDone) as not_done:
        from cnncourse.homework._base import Result, outcome
        outcome(Result("not_done"), "correlate2d(image, kernel)")
    assert "아직 NotImplementedError" in str(not_done.value)
    assert "아직 풀지 않음" in not_done.value._render_traceback_()[0]
    monkeypatch.setenv("CNNCOURSE_LANG", "en")       # and the English text is unchanged
    with pytest.raises(homework.HomeworkCheckError, match="Hint: remember the bias"):
        homework.check("hw1.lenet_conv1_params", 5 * 5 * 6)


def test_korean_hints_of_the_numpy_exercises(monkeypatch):
    import numpy as np

    monkeypatch.setenv("CNNCOURSE_LANG", "ko")
    flipped = lambda image, kernel: np.asarray(  # noqa: E731  a convolution that flips the kernel
        [[np.sum(image[i:i + kernel.shape[0], j:j + kernel.shape[1]] * kernel[::-1, ::-1])
          for j in range(image.shape[1] - kernel.shape[1] + 1)]
         for i in range(image.shape[0] - kernel.shape[0] + 1)])
    with pytest.raises(homework.HomeworkCheckError, match="커널을 뒤집었다"):
        homework.check("hw2.correlate2d", flipped)
    with pytest.raises(homework.HomeworkCheckError, match="힌트: size x size 창마다 가장 큰 값"):
        homework.check("hw2.max_pool2d", lambda x, size=2, stride=2: x.reshape(
            x.shape[0], x.shape[1] // size, size, x.shape[2] // size, size, x.shape[3]).mean(axis=(2, 4)))
