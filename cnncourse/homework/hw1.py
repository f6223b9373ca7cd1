"""Homework 1: output sizes and parameter counts by hand (value exercises).

Expected values are computed by the library when a check runs (``shapes``, ``accounting`` of the
zoo's models); no expected number is stored here.
"""
from __future__ import annotations

import functools

from ._base import answer_dict, fail, keras, value_exercise, whole, whole_list
from .messages import text as _


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
    per = _("hw1.per.filter") if "Conv" in row["type"] else _("hw1.per.unit")
    if row["biases"] and got == row["weights"]:
        return _("hw1.bias", per=per)
    if "Conv" in row["type"]:
        return _("hw1.conv_count")
    return _("hw1.dense_count")


def _check_counts(got: list[int], rows, labels, what: str) -> None:
    """Compare hand counts with ``param_table`` rows entry by entry; fail on the first wrong one."""
    for i, (value, row, label) in enumerate(zip(got, rows, labels)):
        if value != row["params"]:
            fail(_("hw1.count_wrong", what=what, i=i, label=label, type=row['type'], value=value),
                 _count_hint(value, row))


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
        fail(_("hw1.c1_side", got=got), _("hw1.c1_side.hint"))
    return _("hw1.c1_side.ok", got=got)


@value_exercise("hw1.lenet_conv1_params")
def _lenet_conv1_params(answer):
    got, row = whole(answer, "lenet_conv1_params"), zoo_rows("lenet5")[0]
    if got != row["params"]:
        fail(_("hw1.c1_params", got=got), _count_hint(got, row))
    return _("hw1.c1_params.ok", got=got)


@value_exercise("hw1.lenet_sides")
def _lenet_sides(answer):
    from .. import shapes

    got = whole_list(answer, 4, "lenet_sides", _("hw1.lenet_layers"))
    n, expected = 32, []
    for kind in ("conv", "pool", "conv", "pool"):
        n = shapes.conv_output_size(n, 5) if kind == "conv" else shapes.pool_output_size(n, 2)
        expected.append(n)
    for i, (value, side, name) in enumerate(zip(got, expected, ("C1", "S2", "C3", "S4"))):
        if value != side:
            fail(_("hw1.lenet_side", i=i, name=name, value=value), _("hw1.lenet_side.hint"))
    return _("hw1.sides.ok", sides=", ".join(map(str, got)))


@value_exercise("hw1.lenet_params")
def _lenet_params(answer):
    rows = zoo_rows("lenet5")
    got = whole_list(answer, len(rows), "lenet_params", _("hw1.layer_list", names=", ".join(LENET_LAYERS)))
    _check_counts(got, rows, LENET_LAYERS, "lenet_params")
    return _("hw1.lenet_params.ok", total=sum(got))


@value_exercise("hw1.alexnet_conv1_sides")
def _alexnet_conv1_sides(answer):
    from .. import shapes

    answer = answer_dict(answer, ("out_227", "out_224", "unused_224"), "alexnet_conv1_sides")
    got = {k: whole(v, f"alexnet_conv1_sides[{k!r}]") for k, v in answer.items()}
    out_224 = shapes.conv_output_size(224, 11, s=4, strict=False)
    expected = {"out_227": shapes.conv_output_size(227, 11, s=4), "out_224": out_224,
                "unused_224": 224 - ((out_224 - 1) * 4 + 11)}
    for key in expected:
        if got[key] != expected[key]:
            fail(_("hw1.alexnet_wrong", key=key, got=got[key]), _(f"hw1.{key}.hint"))
    return _("hw1.alexnet.ok", a=got['out_227'], b=got['out_224'], c=got['unused_224'])


@value_exercise("hw1.alexnet_conv1_params")
def _alexnet_conv1_params(answer):
    got, row = whole(answer, "alexnet_conv1_params"), zoo_rows("alexnet")[0]
    if got != row["params"]:
        fail(_("hw1.alexnet_params", got=got), _count_hint(got, row))
    return _("hw1.alexnet_params.ok", got=got)


@value_exercise("hw1.vgg16_sides")
def _vgg16_sides(answer):
    from .. import shapes

    got = whole_list(answer, 5, "vgg16_sides", _("hw1.max_pool"))
    n, expected = 224, []
    for _pool in range(5):
        n = shapes.pool_output_size(shapes.conv_output_size(n, 3, p=1), 2)
        expected.append(n)
    for i, (value, side) in enumerate(zip(got, expected)):
        if value != side:
            fail(_("hw1.vgg_side", i=i, n=i + 1, value=value), _("hw1.vgg_side.hint"))
    return _("hw1.sides.ok", sides=", ".join(map(str, got)))


@value_exercise("hw1.vgg16_params")
def _vgg16_params(answer):
    rows = zoo_rows("vgg16")
    got = whole_list(answer, len(rows), "vgg16_params", _("hw1.conv_fc"))
    _check_counts(got, rows, VGG16_LAYERS, "vgg16_params")
    return _("hw1.vgg_params.ok", total=sum(got))


@value_exercise("hw1.vgg16_totals")
def _vgg16_totals(answer):
    answer = answer_dict(answer, ("with_biases", "without_biases"), "vgg16_totals")
    got = {k: whole(v, f"vgg16_totals[{k!r}]") for k, v in answer.items()}
    rows = zoo_rows("vgg16")
    expected = {"with_biases": sum(r["params"] for r in rows),
                "without_biases": sum(r["weights"] for r in rows)}
    if got["with_biases"] != expected["with_biases"]:
        fail(_("hw1.with_biases", got=got['with_biases']), _("hw1.with_biases.hint"))
    if got["without_biases"] != expected["without_biases"]:
        fail(_("hw1.without_biases", got=got['without_biases']), _("hw1.without_biases.hint"))
    return _("hw1.totals.ok", a=got['with_biases'], b=got['without_biases'],
             c=got['with_biases'] - got['without_biases'])


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
    conv = _("hw1.conv_weights")
    hints = {"params": _("hw1.bottleneck.params", conv=conv),
             "macs": _("hw1.bottleneck.macs"),
             "plain_params": _("hw1.bottleneck.plain", conv=conv)}
    for key in expected:
        if got[key] != expected[key]:
            fail(_("hw1.key_wrong", what="bottleneck", key=key, got=got[key]), hints[key])
    ratio = got["plain_params"] / got["params"]
    return _("hw1.bottleneck.ok", params=got['params'], ratio=ratio)


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
    for key in keys:
        if got[key] != expected[key]:
            fail(_("hw1.key_wrong", what="separable", key=key, got=got[key]), _(f"hw1.separable.{key}"))
    return _("hw1.separable.ok", ratio=got['standard_macs'] / got['macs'])
