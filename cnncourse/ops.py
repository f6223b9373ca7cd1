"""NumPy reference layers: what Conv2D, pooling and their relatives compute, written out.

Layout is NHWC as in Keras, computed in float64. Kernels use the Keras weight layouts, so a
layer's weights can be copied in either direction with ``layer.set_weights``:

=====================  =======================================================================
``conv2d``             ``w: (kh, kw, C_in, C_out)``
``depthwise_conv2d``   ``w: (kh, kw, C_in, M)``; output channel ``c * M + m``
``conv2d_transpose``   ``w: (kh, kw, C_out, C_in)`` (the order Keras Conv2DTranspose uses)
=====================  =======================================================================

Shapes: ``x: (N, H, W, C)`` is a batch; a single image ``(H, W, C)`` comes back without the
batch axis; a plain 2-D image ``(H, W)`` goes with a 2-D kernel ``(kh, kw)`` (one channel in,
one out) and gives a 2-D map, which is how the worked examples of the slides are written.

Like a CNN layer, and unlike the DSP convolution of ``cnncourse.signals``, nothing here flips
the kernel: ``y[i, j] = sum_ab w[a, b] * x[i*s + a*d, j*s + b*d]`` (cross-correlation).

``padding`` is 'valid' (none), 'same' (Keras/TensorFlow: output ``ceil(n / s)``, the odd pixel
of padding at the bottom/right), a whole number ``p`` (p zeros on every side) or ``(ph, pw)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import shapes
from ._checks import did_you_mean, pair, positive_int

__all__ = [
    "ACTIVATIONS",
    "KERAS_EPSILON",
    "NORMALIZATIONS",
    "WorkedExample",
    "avg_pool2d",
    "batch_norm",
    "chain_gradient",
    "conv1d",
    "conv2d",
    "conv2d_macs",
    "conv2d_matrix",
    "conv2d_transpose",
    "correlate2d",
    "depthwise_conv2d",
    "depthwise_conv2d_macs",
    "dropout_output_mc",
    "group_norm",
    "im2col",
    "instance_norm",
    "keras_layer_output",
    "layer_norm",
    "max_pool2d",
    "normalize",
    "numerical_gradient",
    "rank1_factors",
    "separable_conv2d_macs",
    "statistics_map",
    "stochastic_pool2d",
    "worked_examples",
]


# --- argument handling -----------------------------------------------------------------------

def _float(a, name: str) -> np.ndarray:
    """``a`` as float64; complex input is refused instead of losing its imaginary part.

    NaN and inf pass through and propagate as they do in a Keras layer.
    """
    if np.iscomplexobj(a):
        raise ValueError(f"{name} holds complex numbers; these layers work on real values. Pass "
                         f"the real part ({name}.real) or the magnitude (abs({name})).")
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers ({exc}).") from None


def _image_batch(x, name: str = "x"):
    """``x`` as (N, H, W, C), and a function that returns an output in the caller's layout."""
    x = _float(x, name)
    if x.ndim == 4:
        return x, lambda y: y
    if x.ndim == 3:
        return x[None], lambda y: y[0]
    if x.ndim == 2:
        return x[None, :, :, None], lambda y: y[0, :, :, 0]
    raise ValueError(f"{name} must be (N, H, W, C), (H, W, C) or (H, W); got shape {x.shape}.")


def _kernel(w, x_ndim: int, layout: str, name: str = "w") -> np.ndarray:
    """A 4-D kernel; a 2-D ``(kh, kw)`` one is accepted with a 2-D image."""
    w = _float(w, name)
    if x_ndim == 2:
        if w.ndim != 2:
            raise ValueError(f"a 2-D image (H, W) goes with a 2-D kernel (kh, kw); got {name} of "
                             f"shape {w.shape}. Give x a channel axis (x[..., None]) to use a "
                             f"{layout} kernel.")
        return w[:, :, None, None]
    if w.ndim != 4:
        raise ValueError(f"{name} must be {layout}; got shape {w.shape}.")
    return w


def _check_channels(x4: np.ndarray, expected: int, what: str) -> None:
    if x4.shape[-1] != expected:
        raise ValueError(f"x has {x4.shape[-1]} channels (last axis) but {what} expects "
                         f"{expected}; make them equal. Channels go last (NHWC); a PyTorch weight "
                         "(C_out, C_in, kh, kw), or (C_in, C_out, kh, kw) for a transposed "
                         "convolution, takes the Keras layout with w.transpose(2, 3, 1, 0).")


def _add_bias(y: np.ndarray, b) -> np.ndarray:
    if b is None:
        return y
    b = _float(b, "b")
    if b.shape != (y.shape[-1],):
        raise ValueError(f"b must have one entry per output channel, shape ({y.shape[-1]},); "
                         f"got {b.shape}.")
    return y + b


def _per_axis(padding) -> tuple:
    """A padding argument for (rows, columns): a mode word for both, or whole numbers."""
    if isinstance(padding, str):
        return padding, padding
    return pair(padding, "padding", allow_zero=True)


def _pads(padding, size_hw, k_eff_hw, stride_hw) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) zeros for a padding argument."""
    if isinstance(padding, str):
        if shapes.padding_mode(padding) == "valid":
            return (0, 0), (0, 0)
        return tuple(shapes.same_padding(n, k, s) for n, k, s in zip(size_hw, k_eff_hw, stride_hw))
    ph, pw = _per_axis(padding)
    return (ph, ph), (pw, pw)


def _padded(x4, kernel_hw, stride_hw, padding, dilation_hw, pad_value=0.0) -> np.ndarray:
    """The input with its padding applied, after checking that the kernel fits in it."""
    k_eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel_hw, dilation_hw))
    (top, bottom), (left, right) = _pads(padding, x4.shape[1:3], k_eff, stride_hw)
    xp = np.pad(x4, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=pad_value)
    if xp.shape[1] < k_eff[0] or xp.shape[2] < k_eff[1]:
        need = [max(-(-(k - n) // 2), 0) for k, n in zip(k_eff, x4.shape[1:3])]
        dilated = "" if tuple(k_eff) == tuple(kernel_hw) else \
            f" (dilated to {k_eff[0]}x{k_eff[1]} pixels)"
        raise ValueError(f"the {kernel_hw[0]}x{kernel_hw[1]} kernel{dilated} does not fit: the "
                         f"padded input is only {xp.shape[1]}x{xp.shape[2]}; use padding of at "
                         f"least {need[0]} (rows) "
                         f"and {need[1]} (columns) per side, padding='same', or a smaller "
                         "kernel or dilation.")
    return xp


def _patches(x4, kernel_hw, stride, padding, dilation, pad_value=0.0) -> np.ndarray:
    """Every window the kernel visits, as a view: (N, H_out, W_out, kh, kw, C)."""
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    xp = _padded(x4, kernel_hw, stride, padding, dilation, pad_value)
    k_eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel_hw, dilation))
    windows = sliding_window_view(xp, k_eff, axis=(1, 2))  # (N, H', W', C, kh_eff, kw_eff)
    windows = windows[:, ::stride[0], ::stride[1], :, ::dilation[0], ::dilation[1]]
    return windows.transpose(0, 1, 2, 4, 5, 3)


def _columns(patches: np.ndarray) -> np.ndarray:
    n, oh, ow = patches.shape[:3]
    return patches.reshape(n * oh * ow, int(np.prod(patches.shape[3:])))  # an empty batch too


# --- convolution -----------------------------------------------------------------------------

def correlate2d(x, w) -> np.ndarray:
    """Valid 2-D cross-correlation of one channel: ``y[i, j] = sum_ab w[a, b] x[i + a, j + b]``.

    x: (H, W); w: (kh, kw) -> (H - kh + 1, W - kw + 1). This is what a CNN calls convolution;
    the DSP convolution would first flip the kernel: ``correlate2d(x, w[::-1, ::-1])``.
    """
    x, w = _float(x, "x"), _float(w, "w")
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"correlate2d takes a 2-D x (H, W) and a 2-D w (kh, kw); got shapes "
                         f"{x.shape} and {w.shape}. Use conv2d for channels and batches.")
    if w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]:
        raise ValueError(f"the {w.shape[0]}x{w.shape[1]} kernel is larger than the "
                         f"{x.shape[0]}x{x.shape[1]} input; pad x (e.g. np.pad(x, 1)) or use "
                         "a smaller kernel.")
    return np.einsum("ijab,ab->ij", sliding_window_view(x, w.shape), w)


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Unroll every window into a row: (N * H_out * W_out, kh * kw * C).

    x: (N, H, W, C), (H, W, C) or (H, W). Rows run over (image, out row, out column); columns over
    (kernel row, kernel column, channel), matching ``w.reshape(kh * kw * C_in, C_out)`` of a
    Keras kernel, so a convolution is one matrix product: ``im2col(x, ...) @ w.reshape(-1, C_out)``.
    """
    x4, _ = _image_batch(x)
    return _columns(_patches(x4, pair(kernel_size, "kernel_size"), stride, padding, dilation))


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Convolution layer (Keras Conv2D), vectorised as im2col + one matrix product.

    x: (N, H, W, C_in) | (H, W, C_in) | (H, W); w: (kh, kw, C_in, C_out) | (kh, kw);
    b: (C_out,) or None -> (N, H_out, W_out, C_out) (batch/channel axes as in x).
    stride, dilation: int or (rows, cols); padding: see the module docstring.
    """
    x4, restore = _image_batch(x)
    w4 = _kernel(w, np.ndim(x), "(kh, kw, C_in, C_out) (the Keras Conv2D layout)")
    _check_channels(x4, w4.shape[2], "w (kh, kw, C_in, C_out)")
    patches = _patches(x4, w4.shape[:2], stride, padding, dilation)
    y = _columns(patches) @ w4.reshape(-1, w4.shape[3])
    return restore(_add_bias(y.reshape(*patches.shape[:3], w4.shape[3]), b))


def depthwise_conv2d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Depthwise convolution (Keras DepthwiseConv2D): each channel gets its own filters.

    x: (N, H, W, C) | (H, W, C) | (H, W); w: (kh, kw, C, M) | (kh, kw); b: (C * M,) or None
    -> (N, H_out, W_out, C * M), output channel ``c * M + m`` from input channel c, filter m.
    """
    x4, restore = _image_batch(x)
    w4 = _kernel(w, np.ndim(x), "(kh, kw, C_in, depth_multiplier) (the Keras layout)")
    _check_channels(x4, w4.shape[2], "w (kh, kw, C_in, depth_multiplier)")
    patches = _patches(x4, w4.shape[:2], stride, padding, dilation)
    y = np.einsum("nijabc,abcm->nijcm", patches, w4)
    return restore(_add_bias(y.reshape(*y.shape[:3], w4.shape[2] * w4.shape[3]), b))


def rank1_factors(kernel) -> tuple[np.ndarray, np.ndarray]:
    """Split a rank-1 kernel into a column and a row with ``np.outer(col, row) == kernel``.

    kernel: (kh, kw) -> col (kh,), row (kw,); the scale is shared so that max |col| = 1.
    Raises ValueError for a kernel of higher rank (it is not spatially separable).
    """
    kernel = _float(kernel, "kernel")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw); got shape {kernel.shape}.")
    u, s, vt = np.linalg.svd(kernel)
    rank = int(np.sum(s > s[0] * 1e-10)) if s[0] > 0 else 0
    if rank != 1:
        raise ValueError(f"the kernel has rank {rank}: only rank-1 kernels (an outer product of "
                         "a column and a row, like Sobel) split into f x 1 and 1 x f filters.")
    col, row = u[:, 0] * s[0], vt[0]
    scale = col[np.argmax(np.abs(col))]
    return col / scale + 0.0, row * scale + 0.0  # + 0.0 turns -0.0 into 0.0


def conv2d_transpose(x, w, b=None, stride=1, padding="valid", output_padding=None,
                     dilation=1) -> np.ndarray:
    """Transposed convolution (Keras Conv2DTranspose): each input pixel stamps a scaled kernel.

    x: (N, H, W, C_in) | (H, W, C_in) | (H, W); w: (kh, kw, C_out, C_in) | (kh, kw);
    b: (C_out,) or None -> (N, H_out, W_out, C_out), sides from
    ``shapes.transpose_output_size``. Input pixel (i, j) adds ``x[i, j] * w`` at rows
    ``i*s + a*d`` and columns ``j*s + b*d`` of a full-size canvas, which is then cropped: 'valid'
    keeps the top-left, 'same' crops like TensorFlow (the larger share at the bottom/right), and a
    whole number p crops p from every side (PyTorch). ``output_padding`` (< stride) adds rows and
    columns at the bottom/right.
    """
    x4, restore = _image_batch(x)
    w4 = _kernel(w, np.ndim(x), "(kh, kw, C_out, C_in) (the Keras Conv2DTranspose layout)")
    _check_channels(x4, w4.shape[3], "w (kh, kw, C_out, C_in)")
    kh, kw, c_out, _ = w4.shape
    (sh, sw), (dh, dw) = pair(stride, "stride"), pair(dilation, "dilation")
    n, h, wd, _ = x4.shape
    pads = _per_axis(padding)
    extra = (None, None) if output_padding is None else pair(output_padding, "output_padding",
                                                             allow_zero=True)
    out = [shapes.transpose_output_size(size, k, s, p, o, d)
           for size, k, s, p, o, d in zip((h, wd), (kh, kw), (sh, sw), pads, extra, (dh, dw))]
    canvas = np.zeros((n, (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1,
                       c_out))
    for a in range(kh):
        for c in range(kw):
            canvas[:, a * dh:a * dh + (h - 1) * sh + 1:sh,
                   c * dw:c * dw + (wd - 1) * sw + 1:sw, :] += x4 @ w4[a, c].T
    crop = [_transpose_crop(full, size, p) for full, size, p in zip(canvas.shape[1:3], out, pads)]
    return restore(_add_bias(_window(canvas, crop, out), b))


def _transpose_crop(full: int, out: int, padding) -> int:
    """Rows dropped at the top (or columns at the left) of the transposed-convolution canvas."""
    if isinstance(padding, str):
        return 0 if shapes.padding_mode(padding) == "valid" else max(full - out, 0) // 2
    return padding


def _window(canvas: np.ndarray, start, size) -> np.ndarray:
    """canvas[:, start:start+size] in both spatial axes, zero-filled where it runs past the end."""
    y = np.zeros((canvas.shape[0], size[0], size[1], canvas.shape[3]))
    part = canvas[:, start[0]:start[0] + size[0], start[1]:start[1] + size[1], :]
    y[:, :part.shape[1], :part.shape[2], :] = part
    return y


# --- multiply-accumulate counts --------------------------------------------------------------

def _out_area(x_shape, kernel_hw, stride, padding, dilation) -> tuple[int, int]:
    """(images, output pixels per image) of a layer on an input of shape x_shape."""
    if len(x_shape) not in (3, 4):
        raise ValueError(f"x_shape must be (N, H, W, C) or (H, W, C); got {tuple(x_shape)}.")
    n = x_shape[0] if len(x_shape) == 4 else 1
    h, w = x_shape[-3:-1]
    pads = _per_axis(padding)
    (sh, sw), (dh, dw) = pair(stride, "stride"), pair(dilation, "dilation")
    out_h = shapes.conv_output_size(h, kernel_hw[0], pads[0], sh, dh, strict=False)
    out_w = shapes.conv_output_size(w, kernel_hw[1], pads[1], sw, dw, strict=False)
    return n, out_h * out_w


def conv2d_macs(x_shape, w_shape, stride=1, padding=0, dilation=1) -> int:
    """Multiplications of ``conv2d``: N * H_out * W_out * kh * kw * C_in * C_out."""
    kh, kw, c_in, c_out = w_shape
    n, area = _out_area(x_shape, (kh, kw), stride, padding, dilation)
    return n * area * kh * kw * c_in * c_out


def depthwise_conv2d_macs(x_shape, w_shape, stride=1, padding=0, dilation=1) -> int:
    """Multiplications of ``depthwise_conv2d``: N * H_out * W_out * kh * kw * C * M."""
    kh, kw, c_in, mult = w_shape
    n, area = _out_area(x_shape, (kh, kw), stride, padding, dilation)
    return n * area * kh * kw * c_in * mult


def separable_conv2d_macs(x_shape, depthwise_shape, pointwise_shape, stride=1, padding=0,
                          dilation=1) -> int:
    """Multiplications of a depthwise separable convolution: the depthwise step plus the 1x1 step."""
    kh, kw = depthwise_shape[:2]
    n, area = _out_area(x_shape, (kh, kw), stride, padding, dilation)
    _, _, c_mid, c_out = pointwise_shape
    return depthwise_conv2d_macs(x_shape, depthwise_shape, stride, padding, dilation) + \
        n * area * c_mid * c_out


# --- pooling ---------------------------------------------------------------------------------

def _pool_windows(x, pool_size, strides, padding, pad_value):
    """Windows (N, H_out, W_out, kh * kw, C) and the function restoring the caller's layout."""
    x4, restore = _image_batch(x)
    size = pair(pool_size, "pool_size")
    strides = size if strides is None else pair(strides, "strides")
    if not isinstance(padding, str):
        raise ValueError(f"pooling padding must be 'valid' or 'same' (as in Keras pooling "
                         f"layers); got {padding!r}.")
    patches = _patches(x4, size, strides, padding, 1, pad_value)
    return patches.reshape(*patches.shape[:3], size[0] * size[1], x4.shape[3]), restore


def max_pool2d(x, pool_size=2, strides=None, padding="valid") -> np.ndarray:
    """Largest value of each window (Keras MaxPooling2D; 'same' padding never wins the max).

    x: (N, H, W, C) | (H, W, C) | (H, W) -> pooled, same layout; strides default to pool_size.
    """
    windows, restore = _pool_windows(x, pool_size, strides, padding, -np.inf)
    return restore(windows.max(axis=3))


def avg_pool2d(x, pool_size=2, strides=None, padding="valid") -> np.ndarray:
    """Mean of each window (Keras AveragePooling2D; with 'same', padding is not counted).

    x: (N, H, W, C) | (H, W, C) | (H, W) -> pooled, same layout; strides default to pool_size.
    """
    windows, restore = _pool_windows(x, pool_size, strides, padding, 0.0)
    ones = np.ones(np.shape(x)[-3:-1] if np.ndim(x) > 2 else np.shape(x))
    counts, _ = _pool_windows(ones, pool_size, strides, padding, 0.0)
    return restore(windows.sum(axis=3) / counts.sum(axis=3))


def stochastic_pool2d(x, pool_size=2, strides=None, padding="valid", training=True,
                      seed=None) -> np.ndarray:
    """Stochastic pooling (Zeiler & Fergus, 2013) of non-negative activations (after ReLU).

    Each window's activations a_i become probabilities ``p_i = a_i / sum(a)``.
    training=True: every window outputs one of its own activations, drawn with probability p_i
    (``seed``: int or numpy Generator, for repeatable draws). training=False: the
    probability-weighted average ``sum(p_i * a_i) = sum(a^2) / sum(a)``, used at test time.
    An all-zero window gives 0. x: (N, H, W, C) | (H, W, C) | (H, W) -> pooled, same layout.
    """
    if np.any(_float(x, "x") < 0):
        raise ValueError("stochastic_pool2d needs non-negative activations (they become "
                         "probabilities); apply ReLU first, e.g. np.maximum(x, 0).")
    windows, restore = _pool_windows(x, pool_size, strides, padding, 0.0)
    cumulative = np.cumsum(windows, axis=3)
    total = cumulative[:, :, :, -1, :]
    if not training:
        squares = np.sum(windows ** 2, axis=3)
        return restore(np.divide(squares, total, out=np.zeros_like(total), where=total > 0))
    threshold = np.random.default_rng(seed).random(total.shape) * total
    pick = np.sum(cumulative <= threshold[:, :, :, None, :], axis=3)
    pick = np.minimum(pick, windows.shape[3] - 1)
    return restore(np.take_along_axis(windows, pick[:, :, :, None, :], axis=3)[:, :, :, 0, :])


# --- worked examples -------------------------------------------------------------------------

@dataclass(eq=False)
class WorkedExample:
    """A numeric example from the lecture material: its data, the right answer, its source.

    op: name of the function in this module that computes it; input/filter: its arrays (filter
    None for pooling); params: keyword arguments of ``op``; expected: the correct output;
    slide_output: what the slide prints when that differs (an erratum), else None.
    """

    op: str
    input: np.ndarray
    filter: np.ndarray | None
    params: dict
    expected: np.ndarray
    source: str
    slide_output: np.ndarray | None = None
    note: str = field(default="")

    def compute(self) -> np.ndarray:
        """Run ``op`` on the example's data."""
        args = (self.input,) if self.filter is None else (self.input, self.filter)
        return globals()[self.op](*args, **self.params)


def worked_examples() -> dict[str, WorkedExample]:
    """The convolution and pooling examples of the slides, by name.

    - ``conv_3x3``: GDSC, 'Stride & Padding', 3x3 filter on a 5x5 input, no padding,
      stride 1 (the numbers of vdumoulin/conv_arithmetic's 'no padding, no strides' figure).
    - ``conv_3x3_pad1_stride2``: GDSC, the next slide: same shapes with 1 pixel of zero
      padding and stride 2. The lecture's grid lost its layout in transcription; input and
      filter were read off the padded grid and its filter subscripts, and agree with the figure
      it copies (conv_arithmetic 'padding, strides', reported in that repository's issue #17). The
      slide's output [[1, 6, 5], [7, 10, 9], [7, 10, 8]] is wrong: it is the top-left 3x3 corner
      of the stride-1 result. The stride-2 result is [[1, 5, 6], [7, 8, 3], [3, 10, 4]].
    - ``max_pool_2x2``: DL1, 2x2 max pooling with stride 2 of a 4x4 input.
    """
    return {
        "conv_3x3": WorkedExample(
            op="conv2d",
            input=np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3],
                            [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]),
            filter=np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]]),
            params={"stride": 1, "padding": 0},
            expected=np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]]),
            source='[GDSC, "Stride & Padding"]: 3x3 convolution',
        ),
        "conv_3x3_pad1_stride2": WorkedExample(
            op="conv2d",
            input=np.array([[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3],
                            [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]]),
            filter=np.array([[2, 0, 1], [1, 0, 0], [0, 1, 1]]),
            params={"stride": 2, "padding": 1},
            expected=np.array([[1, 5, 6], [7, 8, 3], [3, 10, 4]]),
            source='[GDSC, "Stride & Padding"]: 3x3 convolution + 1x1 zero padding + 2x2 '
                   "stride (figure from vdumoulin/conv_arithmetic, see its issue #17)",
            slide_output=np.array([[1, 6, 5], [7, 10, 9], [7, 10, 8]]),
            note="The slide's output is the top-left 3x3 corner of the stride-1 result "
                 "conv2d(input, filter, padding=1): the stride was left out of the arithmetic.",
        ),
        "max_pool_2x2": WorkedExample(
            op="max_pool2d",
            input=np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]),
            filter=None,
            params={"pool_size": 2, "strides": 2},
            expected=np.array([[6, 8], [3, 4]]),
            source='[DL1, "풀링층(Pooling layer)"]: max pooling',
        ),
    }


# --- one dimension, and the convolution as a matrix ----------------------------------------

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """1-D convolution layer (Keras Conv1D): ``y[i] = sum_k w[k] x[i*s + k*d]`` for each filter.

    x: (N, L, C_in) | (L, C_in) | (L,); w: (k, C_in, C_out), or (k,) with a plain (L,) signal;
    b: (C_out,) or None -> (N, L_out, C_out), in the layout of x ((L_out,) for a plain signal).
    padding: 'valid', 'same' or a whole number p of zeros at both ends. ML9 writes the
    window centred on i, ``h_j[i] = sum_k w_j[k] x[i + k]`` for k = -(z-1)/2 .. (z-1)/2, which is
    padding='same' here; each of the H filters j gives one channel of the (L, H) feature map.
    """
    x, w = _float(x, "x"), _float(w, "w")
    if x.ndim == 1:
        if w.ndim != 1:
            raise ValueError(f"a plain signal x (L,) goes with a plain kernel w (k,); got w of "
                             f"shape {w.shape}. Give x a channel axis (x[:, None]) to use a "
                             "(k, C_in, C_out) kernel.")
        return conv1d(x[:, None], w[:, None, None], b, stride, padding, dilation)[:, 0]
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be (N, L, C), (L, C) or (L,); got shape {x.shape}.")
    if w.ndim != 3:
        raise ValueError(f"w must be (k, C_in, C_out) (the Keras Conv1D layout); got shape "
                         f"{w.shape}.")
    y = conv2d(x[..., None, :, :], w[None], b, stride=(1, stride), padding=_padding_1d(padding),
               dilation=(1, dilation))
    return y[..., 0, :, :]


def _padding_1d(padding):
    """A conv1d padding argument as conv2d's (rows, columns) one: nothing above or below."""
    if isinstance(padding, str):
        return padding
    return 0, padding


def conv2d_matrix(input_shape, w, stride=1, padding=0, dilation=1) -> np.ndarray:
    """One channel's convolution as a matrix M: ``conv2d(x, w, ...).ravel() == M @ x.ravel()``.

    input_shape: (H, W) of the image; w: (kh, kw) -> M: (H_out * W_out, H * W). Row r holds
    what output pixel r takes from every input pixel: zeros outside its window (locality) and
    the same kh * kw kernel values in every row, only shifted (weight sharing). Its transpose
    is the transposed convolution: ``M.T @ y.ravel() == conv2d_transpose(y, w, ...).ravel()``.
    """
    h, width = pair(input_shape, "input_shape")
    w = _float(w, "w")
    if w.ndim != 2:
        raise ValueError(f"conv2d_matrix takes one channel's kernel (kh, kw); got shape "
                         f"{w.shape}. Pick one with w[:, :, c_in, c_out].")
    basis = np.eye(h * width).reshape(h * width, h, width, 1)  # image k: a 1 at pixel k
    out = conv2d(basis, w[:, :, None, None], stride=stride, padding=padding, dilation=dilation)
    return out.reshape(h * width, -1).T


# --- cross-checks with Keras -----------------------------------------------------------------

def keras_layer_output(layer, x, *weights) -> np.ndarray:
    """Output of a Keras layer on x with our weights loaded: the Keras side of a cross-check.

    layer: a Keras layer (or a Sequential of layers); x: its input with the batch axis, e.g.
    (N, H, W, C); weights: arrays in the order of ``layer.weights`` (kernel, then bias, ...),
    or none to keep the layer's own. Returns the output as a float64 NumPy array; Keras
    computes in float32, so compare with a tolerance (``np.allclose(..., atol=1e-4)``).
    """
    from ._quiet import import_backend

    keras = import_backend()
    if not isinstance(layer, keras.layers.Layer):
        raise ValueError(f"layer must be a Keras layer such as keras.layers.Conv2D(4, 3), got "
                         f"{type(layer).__name__}.")
    x = _float(x, "x").astype("float32")
    if not layer.built:
        layer.build(x.shape)
    expected = [tuple(v.shape) for v in layer.weights]
    given = [tuple(np.shape(w)) for w in weights]
    if weights and given != expected:
        raise ValueError(f"layer {layer.name!r} holds weights of shapes {expected} (in that "
                         f"order), got {given}. Keras kernels are (kh, kw, C_in, C_out) for "
                         "Conv2D and (kh, kw, C_out, C_in) for Conv2DTranspose.")
    if weights:
        layer.set_weights([np.asarray(w, "float32") for w in weights])
    return np.asarray(keras.ops.convert_to_numpy(layer(x)), dtype=np.float64)


# --- normalization layers (ML9 §9.4, DL1, GDSC) --------------------------------

NORMALIZATIONS = ("batch", "layer", "instance", "group")
KERAS_EPSILON = 1e-3  #: default eps of Keras' Batch-, Layer- and GroupNormalization


def _activations(x, name: str = "x") -> np.ndarray:
    x = _float(x, name)
    if x.ndim < 2:
        raise ValueError(f"{name} must have the batch axis first and the channels last, e.g. "
                         f"(N, H, W, C) or (N, C); got shape {x.shape}. Add a batch axis with "
                         "x[None].")
    return x


def _epsilon(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps >= 0:
        raise ValueError(f"eps must be a number >= 0 (Keras uses {KERAS_EPSILON}), got {eps!r}.")
    return float(eps)


def _groups_of(kind: str, channels: int, groups) -> int:
    if kind not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {kind!r}: "
                         f"{did_you_mean(str(kind), NORMALIZATIONS)}")
    if kind != "group":
        if groups is not None:
            raise ValueError(f"groups only applies to kind='group', not {kind!r}; leave it out.")
        return 1
    if groups is None:
        raise ValueError("kind='group' needs groups=G, a divisor of the channel count "
                         f"({channels}); G=1 is layer norm, G=C instance norm.")
    groups = positive_int(groups, "groups")
    if channels % groups:
        divisors = [g for g in range(1, channels + 1) if channels % g == 0]
        raise ValueError(f"groups={groups} does not divide the {channels} channels into equal "
                         f"groups; choose one of {divisors}.")
    return groups


def statistics_map(kind: str, n: int, c: int, groups: int | None = None) -> np.ndarray:
    """Which (sample, channel) slices share one mean and variance, as labels ``(n, c)``.

    Entries with the same label are normalised together, over every spatial position of
    those slices. kind: 'batch' (one label per channel, across the batch), 'layer' (one per
    sample), 'instance' (one per sample and channel) or 'group' (one per sample and group of
    ``c // groups`` neighbouring channels). Labels run 0, 1, 2, ... in row-major order.
    """
    n, c = positive_int(n, "n"), positive_int(c, "c")
    groups = _groups_of(kind, c, groups)
    sample, channel = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    if kind == "batch":
        return channel
    if kind == "layer":
        return sample
    if kind == "instance":
        return sample * c + channel
    return sample * groups + channel // (c // groups)


def _scale_shift(y: np.ndarray, gamma, beta) -> np.ndarray:
    """``gamma * y + beta``; each of shape (C,) or any shape that broadcasts to one sample."""
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value is None:
            continue
        value = _float(value, name)
        try:
            fits = np.broadcast_shapes(value.shape, y.shape[1:]) == y.shape[1:]
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{name} of shape {value.shape} does not fit one sample of shape "
                             f"{y.shape[1:]}; give one value per channel, shape ({y.shape[-1]},).")
        y = y * value if name == "gamma" else y + value
    return y


def normalize(x, kind: str, groups: int | None = None, gamma=None, beta=None,
              eps: float = KERAS_EPSILON) -> np.ndarray:
    """Batch, layer, instance or group normalization of ``x: (N, ..., C)`` (e.g. NHWC).

    Every entry is standardised with the mean and (biased) variance of the entries it shares
    them with, ``(x - μ) / sqrt(σ² + eps)``, then scaled and shifted, ``gamma * x̂ + beta``
    (None leaves that step out). Who shares is ``statistics_map(kind, N, C, groups)``:
    batch norm pools (N, H, W) per channel, layer norm (H, W, C) per sample, instance norm
    (H, W) per sample and channel, group norm (H, W, C/G) per sample and group.
    This is the training-time computation; at test time batch norm uses stored moving statistics.
    """
    x = _activations(x)
    eps = _epsilon(eps)
    labels = np.broadcast_to(statistics_map(kind, x.shape[0], x.shape[-1], groups)
                             .reshape(x.shape[0], *[1] * (x.ndim - 2), x.shape[-1]), x.shape)
    counts = np.bincount(labels.ravel())
    mean = np.bincount(labels.ravel(), weights=x.ravel()) / counts
    centred = x - mean[labels]
    variance = np.bincount(labels.ravel(), weights=centred.ravel() ** 2) / counts
    return _scale_shift(centred / np.sqrt(variance[labels] + eps), gamma, beta)


def batch_norm(x, gamma=None, beta=None, eps: float = KERAS_EPSILON) -> np.ndarray:
    """Batch normalization in training (Ioffe & Szegedy 2015): statistics per channel over
    the batch and all positions. x: (N, H, W, C) or (N, C) -> same shape.
    Keras: ``BatchNormalization()(x, training=True)``."""
    return normalize(x, "batch", gamma=gamma, beta=beta, eps=eps)


def layer_norm(x, gamma=None, beta=None, eps: float = KERAS_EPSILON) -> np.ndarray:
    """Layer normalization (Ba et al. 2016): statistics per sample over all its values.
    x: (N, H, W, C) or (N, C) -> same shape. Keras: ``GroupNormalization(groups=1)``, or
    ``LayerNormalization(axis=[1, 2, 3])``; plain ``LayerNormalization()`` normalises over C
    only (each pixel on its own)."""
    return normalize(x, "layer", gamma=gamma, beta=beta, eps=eps)


def instance_norm(x, gamma=None, beta=None, eps: float = KERAS_EPSILON) -> np.ndarray:
    """Instance normalization (Ulyanov et al. 2016): statistics per sample and channel over
    the positions. x: (N, H, W, C) -> same shape. Keras: ``GroupNormalization(groups=C)``."""
    return normalize(x, "instance", gamma=gamma, beta=beta, eps=eps)


def group_norm(x, groups: int, gamma=None, beta=None, eps: float = KERAS_EPSILON) -> np.ndarray:
    """Group normalization (Wu & He 2018): statistics per sample and group of C/groups
    neighbouring channels. x: (N, H, W, C) -> same shape. Keras: ``GroupNormalization(groups)``."""
    return normalize(x, "group", groups=groups, gamma=gamma, beta=beta, eps=eps)


# --- gradients, activations, dropout: small tools several chapters share ---------------------

def numerical_gradient(loss, params: dict, h: float = 1e-6) -> dict:
    """Central differences ``(loss(θ + h) - loss(θ - h)) / 2h`` for every entry of every array.

    loss: maps a dict of arrays (shaped like ``params``) to a float; params: ``{name: array}``.
    Returns a dict shaped like ``params``. Use it to check a gradient derived by hand.
    """
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not h > 0:
        raise ValueError(f"h must be a small positive step such as 1e-6, got {h!r}.")
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict {name: array}, e.g. {'w': w}.")
    grads = {}
    for key, value in params.items():
        value = np.asarray(value, dtype=float)
        grads[key] = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: np.array(v, dtype=float) for k, v in params.items()}
            shifted[key][index] = value[index] + h
            up = loss(shifted)
            shifted[key][index] = value[index] - h
            grads[key][index] = (up - loss(shifted)) / (2 * h)
    return grads


SELU_ALPHA = 1.6732632423543772848170429916717   # α of SELU (Klambauer et al. 2017)
SELU_SCALE = 1.0507009873554804934193349852946   # λ of SELU


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def _elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def _d_elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _mish(x):
    x = np.asarray(x, dtype=float)
    return x * np.tanh(np.logaddexp(0.0, x))


def _d_mish(x):
    x = np.asarray(x, dtype=float)
    t = np.tanh(np.logaddexp(0.0, x))
    return t + x * (1 - t ** 2) * _sigmoid(x)


#: name -> (f, f'), elementwise on arrays. ReLU's derivative at exactly 0 is taken as 0.
ACTIVATIONS = {
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(np.asarray(x, dtype=float), 0.0),
             lambda x: (np.asarray(x) > 0).astype(float)),
    "elu": (_elu, _d_elu),
    "selu": (lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
             lambda x: SELU_SCALE * _d_elu(x, SELU_ALPHA)),
    "swish": (lambda x: np.asarray(x, dtype=float) * _sigmoid(x),
              lambda x: _sigmoid(x) * (1 + np.asarray(x, dtype=float) * (1 - _sigmoid(x)))),
    "mish": (_mish, _d_mish),
}


def chain_gradient(name: str, depth: int, x0: float = 0.5, weight: float = 1.0) -> np.ndarray:
    """How much of the gradient survives backpropagation through a stack of scalar units.

    Unit l computes ``a_l = f(weight · a_{l-1})`` from ``a_0 = x0`` (f one of
    :data:`ACTIVATIONS`). By the chain rule
    ``∂a_l/∂a_0 = Π_{k≤l} weight · f'(weight · a_{k-1})``.
    Returns those products for l = 1 … depth, shape (depth,). For the sigmoid f' ≤ 1/4, so with
    ``weight=1`` the product is at most 4^{-l}: the gradient vanishes geometrically with depth.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; {did_you_mean(name, ACTIVATIONS)}")
    f, df = ACTIVATIONS[name]
    depth = positive_int(depth, "depth")
    a, product, out = float(x0), 1.0, np.empty(depth)
    for layer in range(depth):
        z = weight * a
        product *= weight * float(df(z))
        a = float(f(z))
        out[layer] = product
    return out


def dropout_output_mc(w, inputs, p, samples: int = 100_000, seed: int = 0
                      ) -> tuple[float, float]:
    """Mean and standard error of a dropout node's output ``o_D = Σ_i δ_i w_i I_i``.

    w, inputs: (n,) weights and inputs of one linear node; p: keep-probabilities, one number or
    (n,), each in (0, 1]; δ_i ~ Bernoulli(p_i), ``samples`` masks drawn from ``seed``. The mean
    tends to ``Σ p_i w_i I_i`` (the slide's "multiply w by p at test time"); the standard
    error squared times ``samples`` is the output's variance.
    """
    w, inputs = np.asarray(w, dtype=float), np.asarray(inputs, dtype=float)
    if w.ndim != 1 or w.shape != inputs.shape:
        raise ValueError(f"w and inputs must be 1-D of the same length, got shapes {w.shape} "
                         f"and {inputs.shape}.")
    p = np.broadcast_to(np.asarray(p, dtype=float), w.shape) if np.ndim(p) == 0 \
        else np.asarray(p, dtype=float)
    if p.shape != w.shape or np.any(p <= 0) or np.any(p > 1):
        raise ValueError(f"p holds keep-probabilities in (0, 1], one number or one per input "
                         f"({len(w)}); got {np.asarray(p).tolist()}.")
    samples = positive_int(samples, "samples")
    masks = (np.random.default_rng(seed).random((samples, len(w))) < p).astype(float)
    outputs = masks @ (w * inputs)
    return float(outputs.mean()), float(outputs.std(ddof=1) / np.sqrt(samples))
