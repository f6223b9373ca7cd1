"""Homework 2: convolution and pooling in NumPy (function exercises).

Each check calls the student's function on the slides' worked examples and on random arrays
drawn fresh every time it runs, and compares the outputs with ``cnncourse.ops`` computed by the
checker. An answer that calls ``cnncourse.ops``, SciPy or a framework layer is not the student's
computation: the grader marks it "needs review".
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ._base import NUMPY_ONLY, Probe, fail, function_exercise, one_line, outcome
from .messages import text as _

COMPUTE = "computation.hw2"  # message id: the sliding-window sums themselves, in NumPy


def _example(name: str):
    return ops.worked_examples()[name]


def _nhwc(image, kernel=None):
    """A 2-D slide example as a batch of one 1-channel image (and a 1-in, 1-out kernel)."""
    x = image[None, :, :, None]
    return x if kernel is None else (x, kernel[:, :, None, None])


def _array(result, what: str, expected):
    """The student's array compared with ``expected``: None when they agree, else the array."""
    value = outcome(result, what)
    try:
        got = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        fail(_("hw2.not_array", what=what, error=one_line(exc)[:200]))
    if got.shape != expected.shape:
        fail(_("hw2.shape", what=what, got=got.shape, expected=expected.shape), _("hw2.shape.hint"))
    return None if np.allclose(got, expected, rtol=1e-6, atol=1e-8) else got


def _sizes(rng, low, high, n):
    return tuple(int(v) for v in rng.integers(low, high + 1, size=n))


def _correlate_hint(got, image, kernel) -> str:
    if got.shape == (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1) \
            and np.allclose(got, ops.correlate2d(image, kernel[::-1, ::-1])):
        return _("hw2.flipped")
    return _("hw2.correlate.hint")


def _correlate_probes(rng):
    example = _example("conv_3x3")
    h, w = _sizes(rng, 5, 9, 2)
    kh, kw = _sizes(rng, 2, 4, 2)
    return [Probe((example.input, example.filter)),
            Probe((rng.normal(size=(h, w)), rng.normal(size=(kh, kw))))]


@function_exercise("hw2.correlate2d", _correlate_probes, NUMPY_ONLY, COMPUTE)
def _correlate2d(results, probes):
    example = _example("conv_3x3")
    what = "correlate2d(image, kernel)"
    got = _array(results[0], what, example.expected)
    if got is not None:
        fail(_("hw2.correlate.slide", got=got.tolist(), expected=example.expected.tolist()),
             _correlate_hint(got, example.input, example.filter))
    image, kernel = probes[1].args
    got = _array(results[1], what, ops.correlate2d(image, kernel))
    if got is not None:
        fail(_("hw2.correlate.random", h=image.shape[0], w=image.shape[1], kh=kernel.shape[0],
               kw=kernel.shape[1]), _correlate_hint(got, image, kernel))
    return _("hw2.correlate.ok")


def _layer_arrays(rng, side=(5, 9)):
    n, c_in, c_out = _sizes(rng, 1, 3, 1)[0], _sizes(rng, 1, 4, 1)[0], _sizes(rng, 2, 5, 1)[0]
    h, w = _sizes(rng, *side, 2)
    kh, kw = _sizes(rng, 1, 3, 2)
    return (rng.normal(size=(n, h, w, c_in)), rng.normal(size=(kh, kw, c_in, c_out)),
            rng.normal(size=c_out))


def _conv_probes(rng):
    x, w, b = _layer_arrays(rng)
    return [Probe((x, w, b)), Probe((x, w))]


@function_exercise("hw2.conv2d", _conv_probes, NUMPY_ONLY, COMPUTE)
def _conv2d(results, probes):
    x, w, b = probes[0].args
    shapes = f"x: {x.shape}, w: {w.shape}"
    got = _array(results[0], "conv2d(x, w, b)", ops.conv2d(x, w, b))
    if got is not None:
        if got.shape == ops.conv2d(x, w).shape and np.allclose(got, ops.conv2d(x, w)):
            fail(_("hw2.no_bias"), _("hw2.no_bias.hint"))
        fail(_("hw2.conv", shapes=shapes), _("hw2.conv.hint"))
    if _array(results[1], "conv2d(x, w)", ops.conv2d(x, w)) is not None:
        fail(_("hw2.conv_nobias"), _("hw2.conv_nobias.hint"))
    return _("hw2.conv.ok")


def _stride_probes(rng):
    example = _example("conv_3x3_pad1_stride2")
    x, w = _nhwc(example.input, example.filter)
    probes = [Probe((x, w), dict(example.params))]
    xr, wr, br = _layer_arrays(rng, side=(7, 11))
    for stride, padding in ((2, 1), (3, 2)):
        probes.append(Probe((xr, wr, br), dict(stride=stride, padding=padding)))
    return probes


@function_exercise("hw2.conv2d_stride_padding", _stride_probes, NUMPY_ONLY, COMPUTE)
def _conv2d_stride_padding(results, probes):
    example = _example("conv_3x3_pad1_stride2")
    x, w = probes[0].args
    expected = _nhwc(example.expected)
    what = f"conv2d(x, w, stride={example.params['stride']}, padding={example.params['padding']})"
    got = _array(results[0], what, expected)
    if got is not None:
        stride_one = ops.conv2d(x, w, padding=example.params["padding"])[:, :3, :3]
        hint = (_("hw2.stride_one.hint")
                if got.shape == stride_one.shape and np.allclose(got, stride_one) else
                _("hw2.pad_first.hint"))
        fail(_("hw2.stride.slide", what=what, got=got[0, :, :, 0].tolist(),
               expected=expected[0, :, :, 0].tolist()), hint)
    for probe, result in zip(probes[1:], results[1:]):
        xr, wr, br = probe.args
        stride, padding = probe.kwargs["stride"], probe.kwargs["padding"]
        what = f"conv2d(x, w, b, stride={stride}, padding={padding})"
        if _array(result, what, ops.conv2d(xr, wr, br, stride=stride, padding=padding)) is not None:
            fail(_("hw2.stride.random", what=what, h=xr.shape[1], w=xr.shape[2]),
                 _("hw2.stride.random.hint"))
    return _("hw2.stride.ok")


def _pool_probes(rng):
    example = _example("max_pool_2x2")
    n, c = _sizes(rng, 1, 3, 2)
    h, w = _sizes(rng, 6, 10, 2)
    x = rng.normal(size=(n, h, w, c))
    return [Probe((_nhwc(example.input),), dict(size=2, stride=2)),
            Probe((x,), dict(size=2, stride=2)), Probe((x,), dict(size=3, stride=2))]


@function_exercise("hw2.max_pool2d", _pool_probes, NUMPY_ONLY, "computation.hw2_pool")
def _max_pool2d(results, probes):
    example = _example("max_pool_2x2")
    expected = _nhwc(example.expected)
    got = _array(results[0], "max_pool2d(x, size=2, stride=2)", expected)
    if got is not None:
        fail(_("hw2.pool.slide", got=got[0, :, :, 0].tolist(), expected=expected[0, :, :, 0].tolist()),
             _("hw2.pool.slide.hint"))
    for probe, result in zip(probes[1:], results[1:]):
        (x,), size, stride = probe.args, probe.kwargs["size"], probe.kwargs["stride"]
        what = f"max_pool2d(x, size={size}, stride={stride})"
        expected = ops.max_pool2d(x, pool_size=size, strides=stride)
        got = _array(result, what, expected)
        if got is not None:
            mean = ops.avg_pool2d(x, pool_size=size, strides=stride)
            fail(_("hw2.pool.random", what=what, shape=x.shape),
                 _("hw2.pool.average.hint") if np.allclose(got, mean) else _("hw2.pool.channels.hint"))
    return _("hw2.pool.ok")
