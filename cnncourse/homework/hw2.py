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

COMPUTE = "the sliding-window sums themselves, in NumPy"


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
        fail(f"{what} did not return an array of numbers ({one_line(exc)[:200]}).")
    if got.shape != expected.shape:
        fail(f"{what} returned shape {got.shape}, expected {expected.shape}.",
             "each output side is (n + 2p - f) // s + 1; the batch axis and (for a layer) the "
             "output channels stay in place: (N, H_out, W_out, C_out).")
    return None if np.allclose(got, expected, rtol=1e-6, atol=1e-8) else got


def _sizes(rng, low, high, n):
    return tuple(int(v) for v in rng.integers(low, high + 1, size=n))


def _correlate_hint(got, image, kernel) -> str:
    if got.shape == (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1) \
            and np.allclose(got, ops.correlate2d(image, kernel[::-1, ::-1])):
        return ("you flipped the kernel: a CNN 'convolution' slides the kernel as it is "
                "(cross-correlation).")
    return "output[i, j] = sum over u, v of kernel[u, v] * image[i + u, j + v]."


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
        fail(f"on the slide's 5x5 example correlate2d returns {got.tolist()}, the slide has "
             f"{example.expected.tolist()}.", _correlate_hint(got, example.input, example.filter))
    image, kernel = probes[1].args
    got = _array(results[1], what, ops.correlate2d(image, kernel))
    if got is not None:
        fail(f"on a random {image.shape[0]}x{image.shape[1]} image with a "
             f"{kernel.shape[0]}x{kernel.shape[1]} kernel correlate2d disagrees with "
             "cnncourse.ops.correlate2d.", _correlate_hint(got, image, kernel))
    return "the slide's example and a random image agree with cnncourse.ops"


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
            fail("conv2d(x, w, b) ignores the bias.", "add b[k] to every output value of filter k.")
        fail(f"conv2d(x, w, b) with {shapes} disagrees with cnncourse.ops.conv2d.",
             "output[n, i, j, k] = b[k] + sum over u, v, c of x[n, i + u, j + v, c] * w[u, v, c, k].")
    if _array(results[1], "conv2d(x, w)", ops.conv2d(x, w)) is not None:
        fail("conv2d(x, w) without a bias disagrees with cnncourse.ops.conv2d.",
             "b=None means no bias: add nothing.")
    return "random batches, with and without a bias, agree with cnncourse.ops"


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
        hint = ("that is the stride-1 result's corner: move the window s pixels at a time, "
                "output[i, j] starts at input row i * s, column j * s."
                if got.shape == stride_one.shape and np.allclose(got, stride_one) else
                "pad the input with p zeros on every side first, then take windows s apart.")
        fail(f"on the slide's padded, strided example {what} returns "
             f"{got[0, :, :, 0].tolist()}, expected {expected[0, :, :, 0].tolist()}.", hint)
    for probe, result in zip(probes[1:], results[1:]):
        xr, wr, br = probe.args
        stride, padding = probe.kwargs["stride"], probe.kwargs["padding"]
        what = f"conv2d(x, w, b, stride={stride}, padding={padding})"
        if _array(result, what, ops.conv2d(xr, wr, br, stride=stride, padding=padding)) is not None:
            fail(f"{what} on a random {xr.shape[1]}x{xr.shape[2]} image disagrees with "
                 "cnncourse.ops.conv2d.",
                 "pad first (np.pad on the H and W axes only), then start window (i, j) at "
                 "row i * stride, column j * stride.")
    return "the slide's example and random strides 2 and 3 agree with cnncourse.ops"


def _pool_probes(rng):
    example = _example("max_pool_2x2")
    n, c = _sizes(rng, 1, 3, 2)
    h, w = _sizes(rng, 6, 10, 2)
    x = rng.normal(size=(n, h, w, c))
    return [Probe((_nhwc(example.input),), dict(size=2, stride=2)),
            Probe((x,), dict(size=2, stride=2)), Probe((x,), dict(size=3, stride=2))]


@function_exercise("hw2.max_pool2d", _pool_probes, NUMPY_ONLY, "the window maxima themselves, in NumPy")
def _max_pool2d(results, probes):
    example = _example("max_pool_2x2")
    expected = _nhwc(example.expected)
    got = _array(results[0], "max_pool2d(x, size=2, stride=2)", expected)
    if got is not None:
        fail(f"on the slide's 4x4 example max_pool2d returns {got[0, :, :, 0].tolist()}, "
             f"expected {expected[0, :, :, 0].tolist()}.",
             "take the largest value of each size x size window; windows start stride apart.")
    for probe, result in zip(probes[1:], results[1:]):
        (x,), size, stride = probe.args, probe.kwargs["size"], probe.kwargs["stride"]
        what = f"max_pool2d(x, size={size}, stride={stride})"
        expected = ops.max_pool2d(x, pool_size=size, strides=stride)
        got = _array(result, what, expected)
        if got is not None:
            mean = ops.avg_pool2d(x, pool_size=size, strides=stride)
            fail(f"{what} on a random {x.shape} batch disagrees with cnncourse.ops.max_pool2d.",
                 "that is average pooling: take the maximum." if np.allclose(got, mean) else
                 "pool each channel on its own; a window never mixes channels or images.")
    return "the slide's example and random overlapping 3x3/2 pools agree with cnncourse.ops"
