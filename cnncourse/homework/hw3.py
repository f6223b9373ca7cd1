"""Homework 3: VGG-16 and ResNet-34 in Keras, compared with the zoo layer by layer (build exercises).

The student's builders run where the notebook runs; the checker sees the models they build (in
the grader: rebuilt from their Keras config, plain JSON) and compares their parameter tables with
the zoo's. A builder that returns the zoo's own model (``cnncourse.models``) or a
``keras.applications`` model is not the student's work: the grader marks it "needs review".
"""
from __future__ import annotations

import functools
import math

from ._base import NO_COURSE_REFERENCE, KerasInput, Probe, fail, function_exercise, keras, outcome
from .hw1 import zoo_rows
from .messages import text as _

COMPUTE = "computation.hw3"  # message id: the layers themselves, with keras.layers


def _model(result, what: str):
    model = outcome(result, what)
    if not isinstance(model, keras().Model):
        fail(_("hw3.not_model", what=what, type=type(model).__name__), _("hw3.not_model.hint"))
    return model


def _trainable(model) -> int:
    return sum(math.prod(v.shape) for v in model.trainable_weights)


def _weighted_rows(model, what: str) -> list[dict]:
    """Parameter-bearing rows of ``param_table(model)`` in graph order."""
    from .. import accounting

    try:
        table = accounting.param_table(model)
    except ValueError as exc:
        fail(f"{what}: {exc}")
    table = table[table["params"] > 0]
    return table[["name", "type", "weights", "biases", "params"]].to_dict("records")


def _layer_text(row) -> str:
    return _("hw3.layer_text", name=row['name'], type=row['type'], params=row['params'])


def _difference_hint(mine: dict, theirs: dict) -> str:
    diff = mine["params"] - theirs["params"]
    if mine["type"] != theirs["type"]:
        return _("hw3.type.hint", theirs=theirs['type'], mine=mine['type'])
    if theirs["biases"] == 0 and mine["biases"] == diff:
        return _("hw3.extra_bias.hint")
    if theirs["biases"] and mine["biases"] == 0 and -diff == theirs["biases"]:
        return _("hw3.missing_bias.hint")
    return _("hw3.compare.hint")


def compare_with_zoo(rows: list[dict], zoo: tuple[dict, ...], what: str) -> None:
    """Fail at the first parameter-bearing layer whose type or count differs from the zoo's.

    Layers are matched by (type, count) in graph order; a model whose layers agree but come in
    another order (e.g. a shortcut written before the main path) passes.
    """
    import collections
    import difflib

    mine = [(r["type"], r["params"]) for r in rows]
    theirs = [(r["type"], r["params"]) for r in zoo]
    if collections.Counter(mine) == collections.Counter(theirs):
        return
    total = _("hw3.total", n=len(rows), p=sum(m[1] for m in mine), zn=len(zoo),
              zp=sum(t[1] for t in theirs))
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace":
            a, b = rows[i1], zoo[j1]
            fail(_("hw3.replace", what=what, i=i1 + 1, mine=_layer_text(a), theirs=_layer_text(b),
                   diff=a['params'] - b['params'], total=total), _difference_hint(a, b))
        if tag == "delete":
            fail(_("hw3.delete", what=what, i=i1 + 1, mine=_layer_text(rows[i1]), total=total),
                 _("hw3.delete.hint"))
        fail(_("hw3.insert", what=what, theirs=_layer_text(zoo[j1]), j=j1 + 1, total=total),
             _("hw3.insert.hint"))


def _check_output(model, what: str, shape: tuple) -> None:
    got = tuple(model.output.shape) if hasattr(model, "output") else None
    if got != shape:
        fail(_("hw3.output", what=what, got=got, expected=shape), _("hw3.output.hint"))


def _no_arguments(rng):
    return [Probe()]


@function_exercise("hw3.vgg16", _no_arguments, NO_COURSE_REFERENCE, COMPUTE, kind="build",
                   weights=False)
def _vgg16(results, probes):
    model = _model(results[0], "build_vgg16()")
    _check_output(model, "build_vgg16()", (None, 1000))
    compare_with_zoo(_weighted_rows(model, "build_vgg16()"), zoo_rows("vgg16"), "build_vgg16()")
    return _("hw3.vgg16.ok", n=_trainable(model))


@functools.lru_cache(maxsize=None)
def _zoo_block_rows(prefix: str) -> tuple[dict, ...]:
    """Parameter rows of the zoo's ResNet unit ``prefix`` (e.g. ``conv3_block1_``).

    A unit's layers do not depend on the depth or the image size, so a small ResNet with the
    basic blocks of ResNet-34 (two units in conv2_x, one in each later stage) holds the same units
    and builds much faster than ResNet-34 itself.
    """
    from ..models import resnet

    model = resnet.build_resnet("basic", (2, 1, 1, 1), input_shape=(32, 32, 3), num_classes=10)
    return tuple(r for r in _weighted_rows(model, "the zoo's ResNet") if r["name"].startswith(prefix))


BLOCK_CASES = (("hw3.identity", 56, 64, 64, 1, "conv2_block2_"),      # label: a message id
               ("hw3.downsampling", 56, 64, 128, 2, "conv3_block1_"))


def _block_probes(rng):
    return [Probe((KerasInput((side, side, c_in)),), dict(filters=filters, stride=stride))
            for _, side, c_in, filters, stride, _ in BLOCK_CASES]


@function_exercise("hw3.basic_block", _block_probes, NO_COURSE_REFERENCE, COMPUTE, kind="build",
                   weights=False)
def _basic_block(results, probes):
    from .. import shapes

    for result, (label_id, side, c_in, filters, stride, zoo_prefix) in zip(results, BLOCK_CASES):
        label = _(label_id)
        what = f"basic_block(x, filters={filters}, stride={stride}) on x: (None, {side}, {side}, {c_in})"
        model = _model(result, what)
        out_side = shapes.conv_output_size(side, 3, p=1, s=stride, strict=False)
        expected = (None, out_side, out_side, filters)
        got = tuple(model.output.shape)
        if got != expected:
            fail(_("hw3.block_shape", what=what, label=label, got=got, expected=expected),
                 _("hw3.block_shape.hint"))
        compare_with_zoo(_weighted_rows(model, what), _zoo_block_rows(zoo_prefix), f"{what} ({label})")
    return _("hw3.block.ok")


@function_exercise("hw3.resnet34", _no_arguments, NO_COURSE_REFERENCE, COMPUTE, kind="build",
                   weights=False)
def _resnet34(results, probes):
    model = _model(results[0], "build_resnet34()")
    _check_output(model, "build_resnet34()", (None, 1000))
    compare_with_zoo(_weighted_rows(model, "build_resnet34()"), zoo_rows("resnet34"),
                     "build_resnet34()")
    return _("hw3.resnet34.ok", n=_trainable(model))
