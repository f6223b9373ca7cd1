"""Solutions score full marks, released notebooks 0, wrong answers 0 with hints that keep the answer.

Each test grades a small class with `cnncourse homework grade` in the sandbox.
"""
from __future__ import annotations

import re

import pytest

from cnncourse import cli
from grading_helpers import (HW1, HW2, HW3, HW4, copy_source, read_gradebook, released,
                             require_sandbox, set_code, solution_code, write, points,
                             answer_numbers)

pytestmark = [pytest.mark.slow, pytest.mark.system]  # grades notebooks in the sandbox


def _grade(tmp_path, source_path, timeout=60):
    grades = tmp_path / "grades"
    code = cli.main(["homework", "grade", str(tmp_path / "subs"), "--source", str(source_path),
                     "--out", str(grades), "--jobs", "2", "--timeout", str(timeout)])
    return code, read_gradebook(grades / "gradebook.csv"), grades


HW1_WRONG = {
    "lenet_c1_side": "lenet_c1_side = 32 - 5",
    "lenet_conv1_params": "lenet_conv1_params = 5 * 5 * 6",
    "lenet_sides": "lenet_sides = [28, 14, 10, 4]",
    "lenet_params": "lenet_params = [150, 2400, 48000, 10080, 840]",
    "alexnet_conv1_sides": "alexnet_conv1 = {'out_227': 56, 'out_224': 53, 'unused_224': 3}",
    "alexnet_conv1_params": "alexnet_conv1_params = 11 * 11 * 3 * 96",
    "vgg16_sides": "vgg16_sides = [224, 112, 56, 28, 14]",
    "vgg16_params": "vgg16_params = [3 * 3 * 64] * 16",
    "vgg16_totals": "vgg16_totals = {'with_biases': 138_000_000, 'without_biases': 137_000_000}",
    "bottleneck": "bottleneck = {'params': 3 * 3 * 256 * 64, 'macs': 1, 'plain_params': 2}",
    "separable": "separable = {'params': 1, 'macs': 2, 'standard_params': 3, 'standard_macs': 4}",
}


def test_hw1_solution_blank_and_wrong(tmp_path):
    require_sandbox()
    copy_source(HW1, tmp_path / "subs" / "solution")
    write(released(HW1), tmp_path / "subs" / "blank", HW1.name)
    wrong = released(HW1)
    for exercise, code in HW1_WRONG.items():
        set_code(wrong, f"hw1-{exercise}-solution", code)
    write(wrong, tmp_path / "subs" / "wrong", HW1.name)
    code, book, _ = _grade(tmp_path, HW1)
    assert code == 0
    assert points(book, "solution") == 11, book["solution"]
    assert points(book, "blank") == 0 and points(book, "wrong") == 0
    assert {r["status"] for r in book["blank"].values()} == {"missing"}
    assert {r["status"] for r in book["wrong"].values()} == {"failed"}
    namespace: dict = {}
    for exercise in HW1_WRONG:   # the model answers, computed from the source's solution cells
        exec(solution_code(HW1, f"hw1-{exercise}-solution").replace("### BEGIN SOLUTION", "")
             .replace("### END SOLUTION", ""), namespace)
    answers = {"lenet_c1_side": "lenet_c1_side", "lenet_conv1_params": "lenet_conv1_params",
               "lenet_sides": "lenet_sides", "lenet_params": "lenet_params",
               "alexnet_conv1_sides": "alexnet_conv1", "alexnet_conv1_params": "alexnet_conv1_params",
               "vgg16_sides": "vgg16_sides", "vgg16_params": "vgg16_params",
               "vgg16_totals": "vgg16_totals", "bottleneck": "bottleneck", "separable": "separable"}
    for exercise, name in answers.items():
        hint = book["wrong"][f"hw1.{exercise}"]["hint"]
        assert "Hint:" in hint or "is wrong" in hint or "is not" in hint, hint
        for number in answer_numbers(namespace[name]):
            assert not re.search(rf"(?<![\d,]){number:,}(?![\d,])|(?<!\d){number}(?!\d)", hint), \
                (exercise, number, hint)


HW2_WRONG = {
    "hw2-correlate2d-solution": "def correlate2d(image, kernel):\n    return np.zeros((image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1))",
    "hw2-conv2d-solution": "def conv2d(x, w, b=None, stride=1, padding=0):\n    return x[:, :1, :1, :1]",
    "hw2-max_pool2d-solution": "def max_pool2d(x, size=2, stride=2):\n    return -x",
}
HW2_REFERENCE = {
    "hw2-correlate2d-solution": "from scipy import signal\ndef correlate2d(image, kernel):\n    return signal.correlate2d(image, kernel, mode='valid')",
    "hw2-conv2d-solution": "def conv2d(x, w, b=None, stride=1, padding=0):\n    from cnncourse import ops as o\n    return o.conv2d(x, w, b, stride=stride, padding=padding)",
    "hw2-max_pool2d-solution": "def max_pool2d(x, size=2, stride=2):\n    return homework.hw2.ops.max_pool2d(x, pool_size=size, strides=stride)",
}


def test_hw2_solution_blank_wrong_and_reference(tmp_path):
    require_sandbox()
    copy_source(HW2, tmp_path / "subs" / "solution")
    write(released(HW2), tmp_path / "subs" / "blank", HW2.name)
    for student, answers in (("wrong", HW2_WRONG), ("reference", HW2_REFERENCE)):
        notebook = released(HW2)
        for grade_id, code in answers.items():
            set_code(notebook, grade_id, code)
        write(notebook, tmp_path / "subs" / student, HW2.name)
    code, book, grades = _grade(tmp_path, HW2)
    assert code == 0
    assert {s: points(book, s) for s in book} == {"solution": 4, "blank": 0, "wrong": 0, "reference": 0}
    assert {r["status"] for r in book["wrong"].values()} == {"failed"}
    assert {r["status"] for r in book["reference"].values()} == {"needs review"}
    reasons = " ".join(r["hint"] for r in book["reference"].values())
    assert "scipy" in reasons and "cnncourse.ops.conv2d" in reasons and "max_pool2d" in reasons
    feedback = (grades / "feedback" / "reference.md").read_text()
    assert "needs review" in feedback and "must be your own" in feedback


@pytest.mark.parametrize("path, total", [(HW3, 3), (HW4, 3)], ids=["hw3", "hw4"])
def test_keras_homework_solution_and_blank(tmp_path, path, total):
    require_sandbox()
    copy_source(path, tmp_path / "subs" / "solution")
    write(released(path), tmp_path / "subs" / "blank", path.name)
    code, book, _ = _grade(tmp_path, path, timeout=120)
    assert code == 0
    assert points(book, "solution") == total, book["solution"]
    assert points(book, "blank") == 0
    assert {r["status"] for r in book["blank"].values()} == {"missing"}
