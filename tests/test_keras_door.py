"""Contract tests of ``cnncourse._keras``, the one module that touches Keras (and rich) internals.

Each function runs on a small Sequential model and a small functional model with a branch (two
convolutions of the same input, added), with answers worked out by hand below. When a Keras
upgrade moves an internal, these tests fail first and name the function to repair.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from cnncourse import _keras

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch

keras = _keras.import_backend()
L = keras.layers
ROOT = Path(__file__).resolve().parents[1]


def sequential():
    """(8, 8, 1) -> conv 2@3x3 (6, 6, 2) -> pool 2 (3, 3, 2) -> flatten 18 -> dense 4."""
    return keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(2, 3, name="conv"),
                             L.MaxPooling2D(2, name="pool"), L.Flatten(name="flat"),
                             L.Dense(4, name="dense")], name="seq")


def branched():
    """(8, 8, 3) -> [conv_a 4@3x3 same | conv_b 4@1x1] -> add -> GAP -> dense 2."""
    inputs = keras.Input((8, 8, 3), name="image")
    a = L.Conv2D(4, 3, padding="same", name="conv_a")(inputs)
    b = L.Conv2D(4, 1, name="conv_b")(inputs)
    x = L.Add(name="add")([a, b])
    x = L.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, L.Dense(2, name="dense")(x), name="branched")


MODELS = {"sequential": sequential, "branched": branched}
PARAMS = {"sequential": 20 + 76, "branched": 112 + 16 + 10}  # by hand: 3*3*1*2+2, 18*4+4; ...


def _names(pairs):
    return [(layer.name, [p.name for p in parents]) for layer, parents in pairs]


# ---------------------------------------------------------------- the quiet import

def test_import_backend_returns_keras_and_silences_native_stderr(capfd):
    assert _keras.import_backend() is keras
    with _keras.native_stderr_silenced():
        os.write(2, b"native chatter\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_set_random_seed_repeats_every_draw_and_puts_keras_back():
    import random
    import sys

    from keras.src.utils import rng_utils

    lazy = rng_utils.tf

    def draws():
        return (random.random(), np.random.rand(),
                keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist())

    _keras.set_random_seed(5)
    first = draws()
    _keras.set_random_seed(5)
    assert draws() == first
    _keras.set_random_seed(6)
    assert draws() != first
    assert rng_utils.tf is lazy   # Keras's lazy TensorFlow module is back in place
    if "tensorflow" in sys.modules:  # loaded here (the TensorFlow run): seeded as Keras would
        import tensorflow as tf

        _keras.set_random_seed(5)
        a = tf.random.uniform((2,)).numpy().tolist()
        _keras.set_random_seed(5)
        assert tf.random.uniform((2,)).numpy().tolist() == a


# ---------------------------------------------------------------- building without weights

@pytest.mark.parametrize("kind", MODELS)
def test_without_weights_declares_shapes_and_counts_but_leaves_nothing_pending(kind):
    with _keras.without_weights():
        model = MODELS[kind]()
    assert model.count_params() == PARAMS[kind]
    assert not _keras.pending_variables()


@pytest.mark.parametrize("kind", MODELS)
def test_fill_declared_makes_a_weightless_model_callable(kind):
    with _keras.without_weights():
        model = MODELS[kind]()
    _keras.fill_declared(model, lambda v: np.ones(v.shape, "float32"))
    x = np.ones((1, *model.inputs[0].shape[1:]), "float32")
    y = keras.ops.convert_to_numpy(model(x))
    # All-ones weights on an all-ones image. Sequential: conv = 9 + 1 = 10, pool 10, dense
    # 18 * 10 + 1 = 181. Branched: conv_a at a corner pixel sees 2x2 of 3x3 (4 * 3 + 1 = 13),
    # inside 9 * 3 + 1 = 28; conv_b = 3 + 1 = 4; GAP of conv_a over 8x8 = (4*13 + 24*19 + 36*28)
    # / 64 with 19 = 6 * 3 + 1 on the edges; dense = 4 * (that + 4) + 1.
    if kind == "sequential":
        expected = 181.0
    else:
        expected = 4 * ((4 * 13 + 24 * 19 + 36 * 28) / 64 + 4) + 1
    np.testing.assert_allclose(y, np.full(y.shape, expected), rtol=1e-6)


# ---------------------------------------------------------------- the layer graph

def test_layer_graph_of_a_sequential_chains_each_layer_to_the_one_before():
    assert _names(_keras.layer_graph(sequential())) == [
        ("conv", []), ("pool", ["conv"]), ("flat", ["pool"]), ("dense", ["flat"])]


def test_layer_graph_of_a_branch_lists_both_parents_of_the_merge():
    pairs = _names(_keras.layer_graph(branched()))
    assert pairs[0] == ("image", [])
    assert dict(pairs) == {"image": [], "conv_a": ["image"], "conv_b": ["image"],
                           "add": ["conv_a", "conv_b"], "gap": ["add"], "dense": ["gap"]}
    order = [name for name, _ in pairs]
    assert order.index("add") > max(order.index("conv_a"), order.index("conv_b"))


@pytest.mark.parametrize("kind", MODELS)
def test_output_layers(kind):
    assert [layer.name for layer in _keras.output_layers(MODELS[kind]())] == ["dense"]


def test_output_layers_of_a_model_with_two_heads():
    inputs = keras.Input((4,))
    first, second = L.Dense(1, name="first"), L.Dense(2, name="second")
    model = keras.Model(inputs, [second(inputs), first(inputs)])
    assert [layer.name for layer in _keras.output_layers(model)] == ["second", "first"]


def test_layer_calls_of_a_sequential_are_per_image():
    rows = [(name, type(layer).__name__, calls) for name, layer, calls in
            _keras.layer_calls(sequential())]
    assert rows == [
        ("conv", "Conv2D", [([(1, 8, 8, 1)], [(1, 6, 6, 2)])]),
        ("pool", "MaxPooling2D", [([(1, 6, 6, 2)], [(1, 3, 3, 2)])]),
        ("flat", "Flatten", [([(1, 3, 3, 2)], [(1, 18)])]),
        ("dense", "Dense", [([(1, 18)], [(1, 4)])]),
    ]


def test_layer_calls_of_a_branch_give_the_merge_both_inputs():
    rows = {name: calls for name, _, calls in _keras.layer_calls(branched())}
    assert "image" not in rows
    assert rows["add"] == [([(1, 8, 8, 4), (1, 8, 8, 4)], [(1, 8, 8, 4)])]
    assert rows["dense"] == [([(1, 4)], [(1, 2)])]


def test_layer_calls_open_nested_models_and_list_each_call_of_a_shared_layer():
    shared = L.Dense(3, name="shared")
    inputs = keras.Input((5,), name="x")
    inner = keras.Model(inputs, shared(shared(L.Dense(3, name="to3")(inputs))), name="inner")
    outer_in = keras.Input((5,), name="outer_x")
    outer = keras.Model(outer_in, L.Dense(1, name="out")(inner(outer_in)), name="outer")
    rows = {name: calls for name, _, calls in _keras.layer_calls(outer)}
    assert list(rows) == ["inner/to3", "inner/shared", "out"]
    assert rows["inner/shared"] == [([(1, 3)], [(1, 3)])] * 2


def test_layer_calls_refuse_unknown_sizes_and_graphless_models():
    inputs = keras.Input((None, None, 3), name="any_size")
    model = keras.Model(inputs, L.Conv2D(2, 3, name="c")(inputs))
    with pytest.raises(ValueError, match=r"unknown size .*fixed input_shape"):
        _keras.layer_calls(model)
    with pytest.raises(ValueError, match=r"no layer graph to walk.*keras\.Input"):
        _keras.layer_calls(keras.Sequential([L.Dense(2)]))


def test_the_graph_helpers_refuse_what_is_not_a_model():
    with pytest.raises(ValueError, match="expected a Keras model, got str"):
        _keras.layer_graph("vgg16")
    with pytest.raises(ValueError, match="expected a Keras model, got int"):
        _keras.output_layers(3)


# ---------------------------------------------------------------- Keras's summary as plain text

def test_plain_console_pins_rich_to_one_width_and_restores_it(monkeypatch):
    import rich.console

    monkeypatch.setenv("COLUMNS", "33")
    monkeypatch.delenv("JUPYTER_COLUMNS", raising=False)
    detector = rich.console._is_jupyter
    with _keras.plain_console(71):
        assert rich.console.Console().width == 71
        assert rich.console._is_jupyter() is False
    assert os.environ["COLUMNS"] == "33" and "JUPYTER_COLUMNS" not in os.environ
    assert rich.console._is_jupyter is detector


# ---------------------------------------------------------------- nobody else reaches in

PRIVATE = re.compile(r"keras\.src|(?<!\w)(_keras_history|_inbound_nodes|_nodes_by_depth|"
                     r"_functional|_initialize|_is_jupyter)\b")
# homework/_base.py lists "keras.src.applications" among the imports a student's solution may
# not use: a name in a deny list, not a use of the internal.
DENY_LIST = re.compile(r"NO_COURSE_REFERENCE|\"keras\.src\.applications\"")


def test_no_other_module_or_test_names_a_keras_internal():
    door = {ROOT / "cnncourse" / "_keras.py", Path(__file__).resolve()}
    found = []
    for path in sorted([*(ROOT / "cnncourse").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        if path in door:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE.search(line) and not DENY_LIST.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "Keras internals outside cnncourse/_keras.py:\n" + "\n".join(found)
