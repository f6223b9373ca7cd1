"""Homework 4: a squeeze-and-excitation block and an MLP-Mixer layer (build and function exercises).

The checker copies the weights of the course's reference blocks into the student's block and
compares the outputs on random inputs drawn when it runs, in its own process. A block that calls
the reference (``cnncourse.models.senet.se_block``, ``mixer.mixer_block``) is not the student's
computation: the grader marks it "needs review".
"""
from __future__ import annotations

import math

from ._base import (NO_COURSE_REFERENCE, KerasInput, Probe, fail, fresh_rng, function_exercise,
                    keras, outcome, whole)
from .messages import text as _

SE_TASK = dict(input_shape=(8, 8, 256), reduction=16)
MIXER_TASK = dict(tokens=49, channels=512, tokens_mlp_dim=256, channels_mlp_dim=2048)  # S/32
COMPUTE = "computation.hw4"  # message id: the block itself, with keras.layers


def _block(result, shape: tuple, what: str):
    model = outcome(result, what)
    if not isinstance(model, keras().Model):
        fail(_("hw4.not_tensor", what=what, type=type(model).__name__), _("hw4.not_tensor.hint"))
    if tuple(model.output.shape) != (None, *shape):
        fail(_("hw4.shape", what=what, got=tuple(model.output.shape), expected=(None, *shape)))
    return model


def _copy_weights(source, target, what: str) -> None:
    """Copy ``source``'s weights into ``target`` in creation order (reshaping equal-size arrays)."""
    values, slots = source.get_weights(), target.weights
    shapes_of = ", ".join(str(tuple(v.shape)) for v in slots)
    reference = ", ".join(str(v.shape) for v in values)
    if len(values) != len(slots) or any(v.size != math.prod(s.shape) for v, s in zip(values, slots)):
        fail(_("hw4.weights", what=what, mine=shapes_of, theirs=reference), _("hw4.weights.hint"))
    target.set_weights([v.reshape(s.shape) for v, s in zip(values, slots)])


def _max_difference(a, b, x) -> float:
    import numpy as np

    k = keras()
    ya = k.ops.convert_to_numpy(a(x, training=False))
    yb = k.ops.convert_to_numpy(b(x, training=False))
    return float(np.max(np.abs(ya - yb)))


def _se_probes(rng):
    return [Probe((KerasInput(SE_TASK["input_shape"]),), dict(reduction=SE_TASK["reduction"]))]


@function_exercise("hw4.se_block", _se_probes, NO_COURSE_REFERENCE, COMPUTE, kind="build")
def _se_block(results, probes):
    from ..models import senet

    k = keras()
    shape, r = SE_TASK["input_shape"], SE_TASK["reduction"]
    what = f"se_block(x, reduction={r}) on x: (None, {', '.join(map(str, shape))})"
    student = _block(results[0], shape, what)
    inputs = k.Input(shape)
    reference = k.Model(inputs, senet.se_block(inputs, reduction=r, name="reference_se"))
    got, expected = student.count_params(), reference.count_params()
    if got != expected:
        fail(_("hw4.se.budget", what=what, got=got, expected=expected, c=shape[-1], r=r,
               diff=got - expected), _("hw4.se.budget.hint"))
    _copy_weights(reference, student, what)
    x = fresh_rng().normal(size=(2, *shape)).astype("float32")
    gap = _max_difference(student, reference, x)
    if not gap <= 1e-4:
        fail(_("hw4.se.output", what=what, gap=gap), _("hw4.se.output.hint"))
    return _("hw4.se.ok", got=got)


def _mixer_reference(tokens: int, channels: int, tokens_mlp_dim: int, channels_mlp_dim: int):
    from ..models import mixer

    k = keras()
    inputs = k.Input((tokens, channels))
    out = mixer.mixer_block(inputs, tokens_mlp_dim, channels_mlp_dim, name="reference")
    return k.Model(inputs, out)


def _mixer_probes(rng):
    s, c = MIXER_TASK["tokens"], MIXER_TASK["channels"]
    return [Probe((KerasInput((s, c)),), dict(tokens_mlp_dim=MIXER_TASK["tokens_mlp_dim"],
                                             channels_mlp_dim=MIXER_TASK["channels_mlp_dim"]))]


@function_exercise("hw4.mixer_layer", _mixer_probes, NO_COURSE_REFERENCE, COMPUTE, kind="build")
def _mixer_layer(results, probes):
    s, c = MIXER_TASK["tokens"], MIXER_TASK["channels"]
    d_s, d_c = MIXER_TASK["tokens_mlp_dim"], MIXER_TASK["channels_mlp_dim"]
    what = f"mixer_layer(x, tokens_mlp_dim={d_s}, channels_mlp_dim={d_c}) on x: (None, {s}, {c})"
    student = _block(results[0], (s, c), what)
    reference = _mixer_reference(s, c, d_s, d_c)
    got, expected = student.count_params(), reference.count_params()
    if got != expected:
        fail(_("hw4.mixer.budget", what=what, got=got, expected=expected, diff=got - expected),
             _("hw4.mixer.budget.hint"))
    _copy_weights(reference, student, what)
    x = fresh_rng().normal(size=(2, s, c)).astype("float32")
    gap = _max_difference(student, reference, x)
    if not gap <= 1e-4:
        close = _("hw4.mixer.close.hint") if gap < 1e-2 else _("hw4.mixer.far.hint")
        fail(_("hw4.mixer.output", what=what, gap=gap), close)
    return _("hw4.mixer.ok", got=got)


def _mixer_params_probes(rng):
    from ..models import mixer

    probes = []
    for name in ("s32", "b16", "h14"):
        spec = mixer.MIXER_TABLE[name]
        probes.append(Probe((), dict(S=(224 // spec["patch_size"]) ** 2, C=spec["hidden_dim"],
                                     D_S=spec["tokens_mlp_dim"], D_C=spec["channels_mlp_dim"])))
    s, c, d_s, d_c = (int(v) for v in rng.integers(3, 97, size=4))
    probes.append(Probe((), dict(S=s, C=c, D_S=d_s, D_C=d_c)))
    return probes


@function_exercise("hw4.mixer_params", _mixer_params_probes, ("cnncourse", "keras", "tensorflow",
                                                              "torch", "jax"),
                   "computation.formula")
def _mixer_params(results, probes):
    for i, (probe, result) in enumerate(zip(probes, results)):
        args = probe.kwargs
        what = "mixer_layer_params(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"
        got = whole(outcome(result, what), what)
        expected = _mixer_reference(args["S"], args["C"], args["D_S"], args["D_C"]).count_params()
        if got != expected:
            label = (_("hw4.params.named", name=("S32", "B16", "H14")[i]) if i < 3 else
                     _("hw4.params.sizes"))
            fail(_("hw4.params.wrong", what=what, got=got, label=label, diff=got - expected),
                 _("hw4.params.hint"))
    return _("hw4.params.ok")
