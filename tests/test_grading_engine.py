"""The grading tool's parts without a sandbox: the plan, the static screen, plain data, configs, CLI."""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnncourse import cli
from cnncourse.grading import find_submissions, load_assignment, plain, sandbox, screen
from cnncourse.grading.engine import rebuild_model
from cnncourse.grading.source import build_plan
from cnncourse.homework._base import NUMPY_ONLY
from grading_helpers import HW1, HW2, cell_index, released, write, read_gradebook


def test_the_plan_comes_from_the_source_whatever_the_submission_did():
    assignment = load_assignment(HW1)
    assert len(assignment.exercises) == 11 and assignment.max_points == 11
    notebook = released(HW1)
    notebook.cells[cell_index(notebook, "hw1-lenet_sides")].source = "print('✓ passed')"
    del notebook.cells[cell_index(notebook, "hw1-separable")]
    del notebook.cells[cell_index(notebook, "setup")]
    extra = nbformat.v4.new_code_cell("helper = 1")
    extra.metadata["nbgrader"] = {"grade": True, "grade_id": "hw1-lenet_c1_side", "points": 9}
    notebook.cells.insert(cell_index(notebook, "hw1-lenet_c1_side") + 1, extra)
    steps, notes = build_plan(assignment, notebook)
    captures = [s["exercise"] for s in steps if s["kind"] == "capture"]
    assert captures == [e.id for e in assignment.exercises]
    code = "\n".join(s["code"] for s in steps if s["kind"] == "cell")
    assert "✓ passed" not in code and "helper = 1" not in code
    assert steps[0]["role"] == "setup" and "cnncourse.train.setup" in steps[0]["code"]
    assert any("'hw1-separable' was missing" in n for n in notes)
    assert any("repeats the check cell" in n for n in notes)


def test_extra_cells_run_where_the_student_put_them():
    notebook = released(HW1)
    notebook.cells.insert(cell_index(notebook, "hw1-lenet_c1_side-solution") + 1,
                          nbformat.v4.new_code_cell("scratch = 1"))
    steps, _ = build_plan(load_assignment(HW1), notebook)
    roles = [(s["role"] if s["kind"] == "cell" else "capture") for s in steps[:4]]
    assert roles == ["setup", "solution", "extra", "capture"]


def test_screen_resolves_aliases_and_finds_tampering():
    aliases = screen.aliases_of(["import cnncourse\nfrom cnncourse import homework\nimport numpy as np"])
    cells = [(5, "from cnncourse import ops as o\ndef conv2d(x, w):\n    return o.conv2d(x, w)"),
             (6, "homework.check('hw2.conv2d', conv2d)\ny = np.zeros(3)"),
             (7, "import keras\nk = keras.layers.Conv2D(1, 3)"),
             (8, "f = getattr(__import__('x'), name)")]
    uses, tamper = screen.scan(cells, aliases, NUMPY_ONLY)
    text = " ".join(uses)
    assert "cell 5, line 1: imports cnncourse.ops" in text and "uses cnncourse.ops.conv2d" in text
    assert "keras.layers.Conv2D" in text and "homework.check" not in text and "numpy" not in text
    assert any("__import__" in t for t in tamper) and any("computed name" in t for t in tamper)
    assert screen.scan([(1, "%timeit x = 1\n!ls")], aliases, NUMPY_ONLY) == ([], [])


def test_plain_data_round_trip_and_hostile_files(tmp_path):
    value = {"a": [1, 2.5, float("nan"), "text", None, True], "b": (np.arange(6).reshape(2, 3),),
             "c": np.float32(1.5), "d": object()}
    plain.save(tmp_path / "x", value)
    back = plain.load(tmp_path / "x")
    assert back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2]) and back["a"][3:] == ["text", None, True]
    assert isinstance(back["b"], tuple) and back["b"][0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["c"] == 1.5 and repr(back["d"]) == "<object>"
    np.savez(tmp_path / "p.npz", a0=np.array([object()], dtype=object))
    (tmp_path / "p.json").write_text(json.dumps({"data": {"__array__": "a0"}, "arrays": ["a0"]}))
    with pytest.raises(plain.PlainDataError, match="cannot be read"):
        plain.load(tmp_path / "p")
    os.symlink("/etc/passwd", tmp_path / "l.json")
    with pytest.raises(plain.PlainDataError, match="cannot open"):
        plain.load(tmp_path / "l")
    (tmp_path / "n.json").write_text("[" * 100_000)
    with pytest.raises(plain.PlainDataError):
        plain.load(tmp_path / "n")


def test_only_plain_keras_layers_are_rebuilt():
    from cnncourse.homework._base import keras

    k = keras()
    inputs = k.Input((4,))
    model = k.Model(inputs, k.layers.Dense(2)(inputs))
    assert rebuild_model(model.to_json()).value.count_params() == 10
    lam = k.Model(inputs, k.layers.Lambda(lambda t: t * 2)(inputs))
    assert rebuild_model(lam.to_json()).ename == "UnsafeModel"
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["module"] = "os"
    result = rebuild_model(json.dumps(config))
    assert result.status == "raised" and "'os'" in result.message
    assert rebuild_model("{not json").status == "raised"



def test_the_sandbox_calls_a_builder_without_weights_and_falls_back_when_it_needs_them():
    """Only the config leaves the sandbox, so builders are first called weightless (VGG-16 in
    milliseconds); a builder that runs its own model needs weights and is called again."""
    from cnncourse.grading.harness import _call
    from cnncourse.homework._base import KerasInput, Probe, keras
    from cnncourse.homework._calls import call_probe

    k = keras()

    def plain(input_shape=(8, 8, 3)):
        inputs = k.Input(input_shape)
        x = k.layers.Conv2D(4, 3, name="conv")(inputs)
        return k.Model(inputs, k.layers.Dense(2, name="head")(k.layers.Flatten()(x)), name="net")

    def runs_itself():
        model = plain()
        model(np.zeros((1, 8, 8, 3), "float32"))   # needs real weights
        return model

    probe = Probe()
    weightless, _ = _call(plain, probe, "build", ())
    normal, _ = call_probe(plain, probe, "build", ())
    assert weightless.status == normal.status == "ok"
    def layers(model):   # the config, layer by layer, without Keras' generated names
        return [(layer["class_name"], {k: v for k, v in layer["config"].items() if k != "name"})
                for layer in json.loads(model.to_json())["config"]["layers"]]

    assert layers(weightless.value) == layers(normal.value)
    assert weightless.value.count_params() == normal.value.count_params() == 4 * 28 + 2 * 145
    fallback, _ = _call(runs_itself, probe, "build", ())
    assert fallback.status == "ok" and fallback.value.count_params() == 402
    block, _ = _call(lambda t: k.layers.Dense(3)(t), Probe((KerasInput((5,)),)), "build", ())
    assert block.status == "ok" and block.value.count_params() == 18

def test_grade_refuses_to_run_without_a_sandbox(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "bwrap_mode", lambda: None)
    write(released(HW2), tmp_path / "subs" / "ann", HW2.name)
    code = cli.main(["homework", "grade", str(tmp_path / "subs"), "--source", str(HW2),
                     "--out", str(tmp_path / "grades")])
    assert code == 2
    assert "--unsafe-no-sandbox" in capsys.readouterr().err
    assert not (tmp_path / "grades" / "gradebook.csv").exists()


def test_sandbox_command_hides_the_lecturer(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_mode", lambda: "root")
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: "/usr/bin/bwrap")
    subs = tmp_path / "subs"
    subs.mkdir()
    command = sandbox.sandbox_command(tmp_path / "work", ["python"], [subs], sandbox.Limits())
    text = " ".join(command)
    for flag in ("--unshare-all", "--die-with-parent", "--clearenv", "--new-session",
                 f"--tmpfs {os.path.realpath(Path.home())}", "--tmpfs /tmp", f"--tmpfs {subs}",
                 "--uid 65534", "--ro-bind / /"):
        assert flag in text, flag
    assert command[command.index("--bind") + 2] == sandbox.SANDBOX_HOME
    assert "LECTURER" not in text


def test_submission_layouts(tmp_path):
    assignment = load_assignment(HW2)
    write(released(HW2), tmp_path / "ann", HW2.name)
    write(released(HW2), tmp_path / "ben" / "hw2", HW2.name)
    (tmp_path / "cid").mkdir()
    found = {s: p for s, p, _ in find_submissions(tmp_path, assignment)}
    assert found["ann"] == tmp_path / "ann" / HW2.name
    assert found["ben"] == tmp_path / "ben" / "hw2" / HW2.name
    assert found["cid"] is None


def test_source_must_be_a_homework_source(tmp_path):
    plain_nb = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), plain_nb)
    with pytest.raises(ValueError, match="no check cells"):
        load_assignment(plain_nb)
    notebook = nbformat.read(HW2, as_version=4)
    i = cell_index(notebook, "hw2-conv2d")
    notebook.cells[i].source = 'homework.check("hw2.conv3d", conv2d)'
    nbformat.write(notebook, tmp_path / "bad.ipynb")
    with pytest.raises(ValueError, match="no checker for 'hw2.conv3d'"):
        load_assignment(tmp_path / "bad.ipynb")


@pytest.mark.slow
def test_unsandboxed_run_says_so_on_every_row(tmp_path):
    write(released(HW2), tmp_path / "subs" / "ann", HW2.name)
    (tmp_path / "subs" / "ben").mkdir(parents=True)
    code = cli.main(["homework", "grade", str(tmp_path / "subs"), "--source", str(HW2),
                     "--out", str(tmp_path / "grades"), "--unsafe-no-sandbox"])
    assert code == 1   # ben handed nothing in
    book = read_gradebook(tmp_path / "grades" / "gradebook.csv")
    assert {r["sandbox"] for s in book.values() for r in s.values()} == {"unsandboxed"}
    assert {r["status"] for r in book["ben"].values()} == {"missing"}
    assert {r["status"] for r in book["ann"].values()} == {"missing"}
    assert "unsandboxed" in (tmp_path / "grades" / "feedback" / "ann.md").read_text()
