"""Homework 1: output sizes and parameter counts by hand (value exercises).

Expected values are computed by the library when a check runs (``shapes``, ``accounting`` of the
zoo's models); no expected number is stored here.
"""
from __future__ import annotations

import functools

from ._base import answer_dict, fail, keras, value_exercise, whole, whole_list


@functools.lru_cache(maxsize=None)
def zoo_rows(name: str) -> tuple[dict, ...]:
    """The parameter-bearing rows of ``param_table(models.build(name))``, in graph order."""
    from .. import accounting, models

    table = accounting.param_table(models.build(name))
    table = table[table["params"] > 0]
    return tuple(table[["name", "type", "weights", "biases", "params"]].to_dict("records"))


def _stack_costs(stacks: dict, input_shape) -> dict:
    """``{design: (params, macs)}`` of small layer stacks (``accounting.compare_stacks``)."""
    from .. import accounting

    frame = accounting.compare_stacks(stacks, input_shape)
    return {row.design: (int(row.params), int(row.macs)) for row in frame.itertuples()}


def _count_hint(got: int, row: dict) -> str:
    """Why a hand-computed parameter count of one layer (a ``param_table`` row) may be off."""
    per = "filter" if "Conv" in row["type"] else "output unit"
    if row["biases"] and got == row["weights"]:
        return f"remember the bias: one per {per}."
    if "Conv" in row["type"]:
        return ("a convolution has (k_h * k_w * C_in + 1) * C_out parameters; C_in is the number "
                "of maps coming in from the layer before.")
    return ("a dense layer has (inputs + 1) * units parameters; inputs is the length of the "
            "vector coming in from the layer before.")


def _check_counts(got: list[int], rows, labels, what: str) -> None:
    """Compare hand counts with ``param_table`` rows entry by entry; fail on the first wrong one."""
    for i, (value, row, label) in enumerate(zip(got, rows, labels)):
        if value != row["params"]:
            fail(f"{what}[{i}] ({label}, a {row['type']} layer) = {value:,} is not its "
                 "parameter count.", _count_hint(value, row))


LENET_LAYERS = ("C1", "C3", "C5", "F6", "output")
VGG16_LAYERS = tuple([f"conv{b}_{i}" for b, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3))
                      for i in range(1, n + 1)] + ["fc6", "fc7", "fc8"])
BOTTLENECK = dict(input_shape=(56, 56, 256), reduce=64)  # the task: 256 -> 64 -> 64 -> 256
SEPARABLE = dict(input_shape=(112, 112, 32), filters=64, kernel=3)  # the task


@value_exercise("hw1.lenet_c1_side")
def _lenet_c1_side(answer):
    from .. import shapes

    got, expected = whole(answer, "lenet_c1_side"), shapes.conv_output_size(32, 5)
    if got != expected:
        fail(f"C1 does not map 32x32 to {got}x{got}.",
              "out = (n + 2p - f) / s + 1 with n = 32, f = 5, p = 0, s = 1.")
    return f"C1 maps 32x32 to {got}x{got}"


@value_exercise("hw1.lenet_conv1_params")
def _lenet_conv1_params(answer):
    got, row = whole(answer, "lenet_conv1_params"), zoo_rows("lenet5")[0]
    if got != row["params"]:
        fail(f"C1 does not have {got:,} parameters.", _count_hint(got, row))
    return f"C1 has {got:,} parameters"


@value_exercise("hw1.lenet_sides")
def _lenet_sides(answer):
    from .. import shapes

    got = whole_list(answer, 4, "lenet_sides", "layer C1, S2, C3, S4")
    n, expected = 32, []
    for kind in ("conv", "pool", "conv", "pool"):
        n = shapes.conv_output_size(n, 5) if kind == "conv" else shapes.pool_output_size(n, 2)
        expected.append(n)
    for i, (value, side, name) in enumerate(zip(got, expected, ("C1", "S2", "C3", "S4"))):
        if value != side:
            fail(f"lenet_sides[{i}] ({name}) = {value} is not the side of its output.",
                  "a 5x5 convolution without padding loses 4 pixels; a 2x2 pool with stride 2 "
                  "halves the side. Start from the side the layer before gives.")
    return "sides " + ", ".join(map(str, got))


@value_exercise("hw1.lenet_params")
def _lenet_params(answer):
    rows = zoo_rows("lenet5")
    got = whole_list(answer, len(rows), "lenet_params", "layer " + ", ".join(LENET_LAYERS))
    _check_counts(got, rows, LENET_LAYERS, "lenet_params")
    return f"LeNet-5 has {sum(got):,} parameters"


@value_exercise("hw1.alexnet_conv1_sides")
def _alexnet_conv1_sides(answer):
    from .. import shapes

    answer = answer_dict(answer, ("out_227", "out_224", "unused_224"), "alexnet_conv1_sides")
    got = {k: whole(v, f"alexnet_conv1_sides[{k!r}]") for k, v in answer.items()}
    out_224 = shapes.conv_output_size(224, 11, s=4, strict=False)
    expected = {"out_227": shapes.conv_output_size(227, 11, s=4), "out_224": out_224,
                "unused_224": 224 - ((out_224 - 1) * 4 + 11)}
    hints = {"out_227": "(227 - 11) / 4 + 1 is a whole number.",
             "out_224": "(224 - 11) / 4 is not whole: the last window that fits sets the size, "
                        "so round down (//) before adding 1.",
             "unused_224": "the last window starts at pixel 4 * (out_224 - 1) and covers 11 "
                           "pixels; count the pixels after it."}
    for key in expected:
        if got[key] != expected[key]:
            fail(f"alexnet_conv1_sides[{key!r}] = {got[key]} is wrong.", hints[key])
    return (f"227 -> {got['out_227']}x{got['out_227']}; 224 -> {got['out_224']}x"
            f"{got['out_224']} with {got['unused_224']} pixel unused")


@value_exercise("hw1.alexnet_conv1_params")
def _alexnet_conv1_params(answer):
    got, row = whole(answer, "alexnet_conv1_params"), zoo_rows("alexnet")[0]
    if got != row["params"]:
        fail(f"conv1 does not have {got:,} parameters.", _count_hint(got, row))
    return f"conv1 has {got:,} parameters"


@value_exercise("hw1.vgg16_sides")
def _vgg16_sides(answer):
    from .. import shapes

    got = whole_list(answer, 5, "vgg16_sides", "max pool")
    n, expected = 224, []
    for _ in range(5):
        n = shapes.pool_output_size(shapes.conv_output_size(n, 3, p=1), 2)
        expected.append(n)
    for i, (value, side) in enumerate(zip(got, expected)):
        if value != side:
            fail(f"vgg16_sides[{i}] (after pool{i + 1}) = {value} is wrong.",
                  "a 3x3 convolution with padding 1 keeps the side; each 2x2 pool halves it.")
    return "sides " + ", ".join(map(str, got))


@value_exercise("hw1.vgg16_params")
def _vgg16_params(answer):
    rows = zoo_rows("vgg16")
    got = whole_list(answer, len(rows), "vgg16_params", "conv and fc layer")
    _check_counts(got, rows, VGG16_LAYERS, "vgg16_params")
    return f"VGG-16 layers add up to {sum(got):,} parameters"


@value_exercise("hw1.vgg16_totals")
def _vgg16_totals(answer):
    answer = answer_dict(answer, ("with_biases", "without_biases"), "vgg16_totals")
    got = {k: whole(v, f"vgg16_totals[{k!r}]") for k, v in answer.items()}
    rows = zoo_rows("vgg16")
    expected = {"with_biases": sum(r["params"] for r in rows),
                "without_biases": sum(r["weights"] for r in rows)}
    if got["with_biases"] != expected["with_biases"]:
        fail(f"vgg16_totals['with_biases'] = {got['with_biases']:,} is not VGG-16's total.",
              "add up the 16 counts of the previous exercise (sum(vgg16_params)).")
    if got["without_biases"] != expected["without_biases"]:
        fail(f"vgg16_totals['without_biases'] = {got['without_biases']:,} is wrong.",
              "take away one bias per filter of each conv layer and one per unit of each fc layer.")
    return (f"{got['with_biases']:,} with biases, {got['without_biases']:,} without "
            f"({got['with_biases'] - got['without_biases']:,} biases)")


def _bottleneck_costs() -> dict:
    L = keras().layers
    h, w, c = BOTTLENECK["input_shape"]
    r = BOTTLENECK["reduce"]
    return _stack_costs({
        "bottleneck": [L.Conv2D(r, 1, use_bias=False), L.Conv2D(r, 3, padding="same", use_bias=False),
                       L.Conv2D(c, 1, use_bias=False)],
        "plain": [L.Conv2D(c, 3, padding="same", use_bias=False),
                  L.Conv2D(c, 3, padding="same", use_bias=False)],
    }, (h, w, c))


@value_exercise("hw1.bottleneck")
def _bottleneck(answer):
    answer = answer_dict(answer, ("params", "macs", "plain_params"), "bottleneck")
    got = {k: whole(v, f"bottleneck[{k!r}]") for k, v in answer.items()}
    costs = _bottleneck_costs()
    expected = {"params": costs["bottleneck"][0], "macs": costs["bottleneck"][1],
                "plain_params": costs["plain"][0]}
    conv = "a k x k convolution from C_in to C_out maps has k * k * C_in * C_out weights (no bias here)."
    hints = {"params": conv + " Add the three convolutions.",
             "macs": "every output value of a convolution takes k * k * C_in multiply-accumulates; "
                     "multiply by H_out * W_out * C_out and add the three layers.",
             "plain_params": conv + " Here two 3x3 convolutions from 256 to 256 maps."}
    for key in expected:
        if got[key] != expected[key]:
            fail(f"bottleneck[{key!r}] = {got[key]:,} is wrong.", hints[key])
    ratio = got["plain_params"] / got["params"]
    return f"{got['params']:,} parameters, {ratio:.1f}x fewer than two 3x3 layers"


def _separable_costs() -> dict:
    L = keras().layers
    f, k = SEPARABLE["filters"], SEPARABLE["kernel"]
    return _stack_costs({
        "standard": [L.Conv2D(f, k, padding="same", use_bias=False)],
        "separable": [L.DepthwiseConv2D(k, padding="same", use_bias=False),
                      L.Conv2D(f, 1, use_bias=False)],
    }, SEPARABLE["input_shape"])


@value_exercise("hw1.separable")
def _separable(answer):
    keys = ("params", "macs", "standard_params", "standard_macs")
    answer = answer_dict(answer, keys, "separable")
    got = {k: whole(v, f"separable[{k!r}]") for k, v in answer.items()}
    costs = _separable_costs()
    expected = dict(zip(keys, (*costs["separable"], *costs["standard"])))
    hints = {"params": "the depthwise step has one k x k filter per input map (k * k * C_in); "
                       "the 1x1 step has C_in * C_out weights.",
             "macs": "each step costs its weights times the output pixels H_out * W_out "
                     "(stride 1, 'same' padding keeps 112 x 112).",
             "standard_params": "a standard convolution has k * k * C_in * C_out weights.",
             "standard_macs": "k * k * C_in * C_out weights, each used at H_out * W_out pixels."}
    for key in keys:
        if got[key] != expected[key]:
            fail(f"separable[{key!r}] = {got[key]:,} is wrong.", hints[key])
    return f"{got['standard_macs'] / got['macs']:.1f}x fewer MACs than the standard convolution"
