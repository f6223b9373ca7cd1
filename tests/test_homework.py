"""Homework tooling: checkers and their hints, releases without solutions, grading in a kernel.

Reference numbers come from the slides (DL1: LeNet-5 and AlexNet conv1 counts; GDSC: the
worked convolution) and from the SE paper's formula; the notebooks themselves are replayed by
nbval (they are collected from homework/ by the default pytest run).
"""
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cnncourse import cli, homework
from cnncourse.grading import release as releasing
from cnncourse.homework import HomeworkCheckError

HOMEWORK = Path(__file__).resolve().parent.parent / "homework"
NOTEBOOKS = sorted(HOMEWORK.glob("hw*.ipynb"))


# ------------------------------------------------------------------ release

def test_strip_solutions_keeps_the_indent_of_the_region():
    source = ("def area(w, h):\n"
              "    \"\"\"w, h: sides.\"\"\"\n"
              "    ### BEGIN SOLUTION\n"
              "    return w * h\n"
              "    ### END SOLUTION\n"
              "### BEGIN SOLUTION\n"
              "answer = area(2, 3)\n"
              "### END SOLUTION")
    stripped, regions = releasing.strip_solutions(source)
    assert regions == 2
    assert stripped == ("def area(w, h):\n"
                        "    \"\"\"w, h: sides.\"\"\"\n"
                        "    # YOUR CODE HERE\n"
                        "    raise NotImplementedError()\n"
                        "# YOUR CODE HERE\n"
                        "raise NotImplementedError()")


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "line 1: '### BEGIN SOLUTION' is never closed"),
    ("x = 1\n### END SOLUTION", "line 2: '### END SOLUTION' without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: a second"),
])
def test_strip_solutions_rejects_unbalanced_markers(source, message):
    with pytest.raises(ValueError, match=message):
        releasing.strip_solutions(source, where="cell 7")


def _solution_lines(notebook) -> set[str]:
    lines, inside = set(), False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in (releasing.BEGIN_SOLUTION, releasing.END_SOLUTION):
                inside = marker == releasing.BEGIN_SOLUTION
            elif inside and marker:
                lines.add(marker)
    return lines


def test_release_contains_no_solution_text(tmp_path, capsys):
    assert len(NOTEBOOKS) == 4
    assert releasing.release(NOTEBOOKS, out=tmp_path) == 0
    printed = capsys.readouterr().out
    for source_path in NOTEBOOKS:
        source = nbformat.read(source_path, as_version=4)
        released = nbformat.read(tmp_path / source_path.name, as_version=4)
        released_lines = {line.strip() for cell in released.cells
                          for line in cell.source.splitlines()}
        leaked = _solution_lines(source) & released_lines
        assert not leaked, f"{source_path.name} leaks {sorted(leaked)}"
        assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")
        begins = sum(c.source.count(releasing.BEGIN_SOLUTION) for c in source.cells)
        stubs = sum(c.source.count("raise NotImplementedError()") for c in released.cells
                    if c.cell_type == "code")
        assert begins == stubs > 0
        assert f"released {source_path.name}" in printed


def test_release_refuses_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; check the path"):
        releasing.release([tmp_path / "missing.ipynb"], out=tmp_path / "out")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="is not a notebook"):
        releasing.release([text], out=tmp_path / "out")
    with pytest.raises(ValueError, match="would overwrite the solution source"):
        releasing.release([NOTEBOOKS[0]], out=HOMEWORK)
    plain = tmp_path / "plain.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), plain)
    with pytest.raises(ValueError, match="no '### BEGIN SOLUTION' regions"):
        releasing.release([plain], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_release_and_bad_check_path(tmp_path, capsys):
    assert cli.main(["homework", "release", str(NOTEBOOKS[1]), "--out", str(tmp_path)]) == 0
    assert (tmp_path / NOTEBOOKS[1].name).is_file()
    assert cli.main(["homework", "check", str(tmp_path / "nope.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------------------------------ checkers

def test_unknown_exercise_suggests_the_closest_id():
    with pytest.raises(ValueError, match="did you mean 'hw1.lenet_conv1_params'"):
        homework.check("hw1.lenet_conv_params", 156)


def test_slide_counts_pass(capsys):
    # DL1: "(1 x 5 x 5 x 6) + 6 = 156", "(6 x 5 x 5 x 16) + 16 = 2,416", 48,120, 10,164, 850,
    # and "output: 1 + (32 - 5) / 1 => (28, 28)"; NOTES: 227 gives AlexNet's 55, 224 does not.
    homework.check("hw1.lenet_conv1_params", 156)
    homework.check("hw1.lenet_params", [156, 2_416, 48_120, 10_164, 850])
    homework.check("hw1.lenet_c1_side", 28.0)  # a whole float from "/" is accepted
    homework.check("hw1.alexnet_conv1_sides", {"out_227": 55, "out_224": 54, "unused_224": 1})
    out = capsys.readouterr().out
    assert "✓ passed: hw1.lenet_params (LeNet-5 has 61,706 parameters)" in out
    assert out.count("✓ passed:") == 4


@pytest.mark.parametrize("exercise, answer, message", [
    ("hw1.lenet_conv1_params", 150, "remember the bias: one per filter"),
    ("hw1.lenet_params", [156, 2_400, 48_120, 10_164, 850], r"lenet_params\[1\] \(C3, a Conv2D"),
    ("hw1.lenet_sides", [28, 14, 10], "has 3 entries; it needs 4"),
    ("hw1.alexnet_conv1_sides", {"out_227": 55, "out_224": 54.25, "unused_224": 1},
     "not a whole number.*round down with //"),
    ("hw1.alexnet_conv1_sides", {"out_227": 55}, "missing 'out_224', 'unused_224'"),
    ("hw1.lenet_c1_side", "28", "must be a number, got a str"),
])
def test_hand_count_hints(exercise, answer, message):
    with pytest.raises(HomeworkCheckError, match=message):
        homework.check(exercise, answer)


def _correlate_flipped(image, kernel):
    from numpy.lib.stride_tricks import sliding_window_view

    return np.einsum("ijab,ab->ij", sliding_window_view(image, kernel.shape), kernel[::-1, ::-1])


def _conv_without_bias(x, w, b=None, stride=1, padding=0):
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(x, w.shape[:2], axis=(1, 2))  # (N, H', W', C, kh, kw)
    return np.einsum("nijcab,abck->nijk", windows, w)


def _mean_pool(x, size=2, stride=2):
    from numpy.lib.stride_tricks import sliding_window_view

    return sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride].mean(axis=(-2, -1))


def _not_done(*args, **kwargs):
    raise NotImplementedError()


def _divides_by_zero(*args, **kwargs):
    return 1 / 0


@pytest.mark.parametrize("exercise, fn, message", [
    ("hw2.correlate2d", _correlate_flipped, "you flipped the kernel"),
    ("hw2.conv2d", _conv_without_bias, "ignores the bias"),
    ("hw2.conv2d_stride_padding", _conv_without_bias,
     r"slide.s padded, strided example .* returns \[\[.*\]\], expected \[\[1, 5, 6\], \[7, 8, 3\], \[3, 10, 4\]\]"),
    ("hw2.max_pool2d", _mean_pool, r"returns \[\[3.25, 5.25\], \[2.0, 2.0\]\], expected \[\[6, 8\], \[3, 4\]\]"),
    ("hw2.max_pool2d", _not_done, "still raises NotImplementedError"),
    ("hw2.conv2d", _divides_by_zero, "raised ZeroDivisionError: division by zero"),
    ("hw2.conv2d", np.zeros((2, 2)), "must be a function, got ndarray"),
])
def test_numpy_function_hints(exercise, fn, message):
    with pytest.raises(HomeworkCheckError, match=message) as info:
        homework.check(exercise, fn)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def _layers():
    from cnncourse._quiet import import_backend

    return import_backend().layers


def _block(x, filters, stride=1, bias=False, second_norm=True):
    L = _layers()
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:  # shortcut first: another layer order than the zoo
        shortcut = L.BatchNormalization()(L.Conv2D(filters, 1, strides=stride, use_bias=False)(x))
    y = L.Conv2D(filters, 3, strides=stride, padding="same", use_bias=bias)(x)
    y = L.ReLU()(L.BatchNormalization()(y))
    y = L.Conv2D(filters, 3, padding="same", use_bias=bias)(y)
    if second_norm:
        y = L.BatchNormalization()(y)
    return L.ReLU()(L.Add()([y, shortcut]))


def test_residual_block_compared_with_the_zoo(capsys):
    homework.check("hw3.basic_block", _block)
    assert "✓ passed: hw3.basic_block" in capsys.readouterr().out
    # 3x3x64x64 weights plus 64 biases against the zoo's bias-free convolution
    with pytest.raises(HomeworkCheckError,
                       match=r"\(Conv2D, 36,928 parameters\), differs from the zoo's "
                             r"'conv2_block2_1_conv' \(Conv2D, 36,864 parameters\) by \+64.*"
                             r"use_bias=False"):
        homework.check("hw3.basic_block", lambda x, filters, stride: _block(x, filters, stride, bias=True))
    with pytest.raises(HomeworkCheckError, match="BatchNormalization, 256 parameters.*which yours lacks"):
        homework.check("hw3.basic_block",
                       lambda x, filters, stride: _block(x, filters, stride, second_norm=False))


def test_structure_checks_build_the_answer_without_weight_values(capsys):
    from cnncourse import _keras

    declared = []  # weights declared but never filled while the builder ran, per call

    def watched(x, filters, stride, compile_it=False):
        y = _block(x, filters, stride)
        declared.append(len(_keras.pending_variables()))
        if compile_it:  # creates optimizer variables: impossible without real weights
            model = _keras.import_backend().Model(x, y)
            model.compile(optimizer="adam", loss="mse")
        return y

    homework.check("hw3.basic_block", watched)
    assert declared and all(count > 0 for count in declared)  # hw3 reads structure only
    declared.clear()
    homework.check("hw3.basic_block", lambda x, filters, stride: watched(x, filters, stride, True))
    assert declared[-1] == 0  # needed real variables: built again the usual way, and passed
    assert capsys.readouterr().out.count("✓ passed: hw3.basic_block") == 2
    declared.clear()
    homework.check("hw4.se_block", lambda x, reduction: declared.append(
        len(_keras.pending_variables())) or _se(x, reduction))
    assert declared == [0] * len(declared) and declared  # hw4 computes with the weights


def _se(x, reduction=16, bias=True):
    L = _layers()
    c = x.shape[-1]
    s = L.GlobalAveragePooling2D(keepdims=True)(x)
    s = L.Dense(c // reduction, activation="relu", use_bias=bias)(s)
    s = L.Dense(c, activation="sigmoid", use_bias=bias)(s)
    return L.Multiply()([x, s])


def test_se_block_budget_and_numerics(capsys):
    c, r = 256, 16
    budget = 2 * c * c // r + c // r + c  # the SE paper's count for FC layers with biases
    homework.check("hw4.se_block", _se)
    assert f"✓ passed: hw4.se_block ({budget:,} parameters;" in capsys.readouterr().out
    with pytest.raises(HomeworkCheckError, match=f"budget is exactly {budget:,}.*differs by -272"):
        homework.check("hw4.se_block", lambda x, reduction: _se(x, reduction, bias=False))
    with pytest.raises(HomeworkCheckError, match="differs from cnncourse.models.senet.se_block by up to"):
        homework.check("hw4.se_block", lambda x, reduction: _layers().Activation("relu")(_se(x, reduction)))


def _mixer(x, tokens_mlp_dim, channels_mlp_dim, epsilon=1e-6):
    L = _layers()
    s, c = x.shape[1], x.shape[2]
    y = L.Permute((2, 1))(L.LayerNormalization(epsilon=epsilon)(x))
    y = L.Dense(s)(L.Dense(tokens_mlp_dim, activation="gelu")(y))
    x = L.Add()([x, L.Permute((2, 1))(y)])
    y = L.LayerNormalization(epsilon=epsilon)(x)
    y = L.Dense(c)(L.Dense(channels_mlp_dim, activation="gelu")(y))
    return L.Add()([x, y])


def test_mixer_layer_numerics_and_hint(capsys):
    homework.check("hw4.mixer_layer", _mixer)
    assert "✓ passed: hw4.mixer_layer" in capsys.readouterr().out
    with pytest.raises(HomeworkCheckError, match="LayerNormalization\\(epsilon=1e-6\\)"):
        homework.check("hw4.mixer_layer", lambda x, **dims: _mixer(x, **dims, epsilon=1e-3))


def test_mixer_formula_off_by_the_layer_norms():
    def without_norms(S, C, D_S, D_C):
        return (S + 1) * D_S + (D_S + 1) * S + (C + 1) * D_C + (D_C + 1) * C

    # Mixer-S/32: the two LayerNorms hold 2 x (512 + 512) = 2,048 parameters
    with pytest.raises(HomeworkCheckError, match="Mixer-S32 layer \\(yours differs by -2,048\\)"):
        homework.check("hw4.mixer_params", without_norms)


# ------------------------------------------------------------------ feedback that teaches

@pytest.mark.parametrize("exercise, answer, secret", [
    ("hw1.lenet_conv1_params", "156", "156"),
    ("hw1.lenet_conv1_params", [150], "156"),
    ("hw1.lenet_c1_side", None, "28"),
    ("hw1.alexnet_conv1_params", 34_848, "34,944"),
    ("hw1.vgg16_totals", {"with_biases": 1, "without_biases": 2}, "138,357,544"),
])
def test_hints_never_state_the_answer(exercise, answer, secret):
    with pytest.raises(HomeworkCheckError) as info:
        homework.check(exercise, answer)
    text = str(info.value)
    assert secret not in text and secret.replace(",", "") not in text, text


def test_a_failed_check_shows_one_readable_line_in_jupyter(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from cnncourse import homework")
    capsys.readouterr()
    result = shell.run_cell('homework.check("hw1.lenet_conv1_params", 150)')
    shown = capsys.readouterr().out
    assert isinstance(result.error_in_exec, HomeworkCheckError)   # nbgrader still sees the error
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) == 1, shown
    assert "HomeworkCheckError" in lines[0] and "remember the bias" in lines[0]
    assert "Traceback" not in shown and "homework" not in lines[0].split("HomeworkCheckError")[0]


def test_a_function_that_calls_the_reference_is_flagged_in_jupyter(capsys):
    from cnncourse import ops

    homework.check("hw2.correlate2d", ops.correlate2d)
    out = capsys.readouterr().out
    assert "✓ passed: hw2.correlate2d" in out and "calls cnncourse.ops.correlate2d" in out
    assert "your lecturer will review it" in out


def test_function_checks_draw_fresh_inputs():
    seen = []

    def spy(image, kernel):
        seen.append((image.shape, kernel.shape, float(image.sum())))
        return np.zeros((image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1))

    for _ in range(2):
        with pytest.raises(HomeworkCheckError):
            homework.check("hw2.correlate2d", spy)
    assert len(seen) == 4
    assert seen[0] == seen[2]          # the slide's worked example, the same each time
    assert seen[1] != seen[3]          # random inputs, drawn afresh each time the check runs


def test_every_exercise_of_the_sources_has_a_checker():
    from cnncourse.grading import load_assignment

    ids = [e.id for path in NOTEBOOKS for e in load_assignment(path).exercises]
    assert sorted(ids) == homework.exercises()
