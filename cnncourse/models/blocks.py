"""The reusable blocks of the zoo, written with ``keras.layers`` / ``keras.ops`` only.

Family modules (``alexnet``, ``vgg``, ``googlenet``, ``resnet``, ``senet``, ``mixer`` …) import
their blocks from here, so no family imports another for a block. Every block takes a 4-D (or,
for Mixer, 3-D) Keras tensor and returns one, and names its layers from ``name``.

* ``LocalResponseNormalization``: AlexNet's cross-channel normalisation (also ZFNet, GoogLeNet).
* ``conv_block``: a named convolution with its activation (and optional BatchNorm), one summary
  row per paper layer (VGG, GoogLeNet).
* ResNet pieces (He et al. 2015/2016): ``padded_conv`` (bias-free, symmetric padding),
  ``batch_norm``, ``bn_relu``, and the residual units ``residual_unit`` (post-activation,
  ``"basic"`` or ``"bottleneck"``) and ``preact_residual_unit`` (pre-activation).
* ``se_block``: squeeze-and-excitation (Hu et al.), on any feature map.
* ``inception_module``: one GoogLeNet module from its Table 1 row (``InceptionSpec``).
* ``mixer_block``: one MLP-Mixer layer (token mixing, then channel mixing).

SqueezeNet's fire module is not here: chapter 11 writes it in its own cell, its only use.

Keras is imported on first use (``import cnncourse.models`` stays free of TensorFlow/JAX), so
``LocalResponseNormalization`` is created the first time it is asked for.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from .._checks import positive_int
from .._keras import import_backend

__all__ = [
    "LocalResponseNormalization", "conv_block", "padded_conv", "batch_norm", "bn_relu",
    "residual_unit", "preact_residual_unit", "se_block", "InceptionSpec", "inception_module",
    "mixer_block", "EXPANSION", "BN_EPSILON", "LN_EPSILON",
]

EXPANSION = {"basic": 1, "bottleneck": 4}  # residual unit output channels = width * expansion
BN_EPSILON = 1e-5  # ResNet: the value of the Torch/Caffe models and torchvision
LN_EPSILON = 1e-6  # MLP-Mixer: the default of the authors' Flax code


def _layers():
    return import_backend().layers


# ---------------------------------------------------------------- local response normalisation

def _positive_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"LocalResponseNormalization: {name} must be a number > 0, got {value!r}.")
    return float(value)


@functools.cache
def _lrn_class():
    keras = import_backend()
    ops = keras.ops

    @keras.saving.register_keras_serializable(package="cnncourse")
    class LocalResponseNormalization(keras.layers.Layer):
        """Divide each activation by the energy of its neighbours across channels.

        For ``x: (N, H, W, C)`` the output has the same shape and, at every pixel,

            b[c] = a[c] / (k + alpha * sum_{j in window(c)} a[j]**2) ** beta

        where the window holds the ``size`` channels centred on ``c`` (cut off at the first and
        last channel). This is the paper's formula (Krizhevsky et al. 2012, section 3.3):
        ``alpha`` multiplies the plain sum. Caffe and PyTorch divide ``alpha`` by ``size`` first,
        so their ``alpha=1e-4`` equals ``alpha=2e-5`` here; TensorFlow's
        ``tf.nn.local_response_normalization`` uses the paper's convention (with
        ``depth_radius = size // 2`` and ``bias = k``). The defaults are AlexNet's
        ``k=2, n=5, alpha=1e-4, beta=0.75``. The layer has no trainable weights.
        """

        def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                     k: float = 2.0, **kwargs):
            size = positive_int(size, "LocalResponseNormalization: size")
            if size % 2 == 0:
                raise ValueError(f"LocalResponseNormalization: size must be odd so the window is "
                                 f"centred on each channel, got {size}. AlexNet uses size=5.")
            self.size = size
            self.alpha = _positive_number(alpha, "alpha")
            self.beta = _positive_number(beta, "beta")
            self.k = _positive_number(k, "k")
            super().__init__(**kwargs)

        def call(self, x):
            channels = x.shape[-1]
            half = self.size // 2
            squares = ops.pad(ops.square(x), [[0, 0], [0, 0], [0, 0], [half, half]])
            window_sum = squares[..., 0:channels]
            for shift in range(1, self.size):
                window_sum = window_sum + squares[..., shift:shift + channels]
            return x / ops.power(self.k + self.alpha * window_sum, self.beta)

        def get_config(self):
            return {**super().get_config(), "size": self.size, "alpha": self.alpha,
                    "beta": self.beta, "k": self.k}

    LocalResponseNormalization.__module__ = __name__
    LocalResponseNormalization.__qualname__ = "LocalResponseNormalization"
    return LocalResponseNormalization


def __getattr__(name):
    if name == "LocalResponseNormalization":  # a keras.layers.Layer: made once Keras is wanted
        return _lrn_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- conv -> BN -> activation

def conv_block(x, filters: int, kernel_size, *, name: str, strides=1, padding="same",
               groups: int = 1, activation: str | None = "relu", batch_norm: bool = False,
               use_bias: bool = True):
    """Conv2D named ``name`` then its activation; with ``batch_norm`` Conv -> BN -> activation.

    ``x: (N, H, W, C_in)`` -> ``(N, H', W', filters)``. Without BatchNorm the activation lives
    inside the Conv2D layer (one summary row per paper layer); with it the extra layers are
    named ``{name}_bn`` and ``{name}_relu``; BatchNorm uses torchvision's epsilon 1e-5 and
    momentum 0.1 (Keras writes that momentum as 0.9), so weights ported from there behave alike.
    """
    layers = _layers()
    conv_activation = None if batch_norm else activation
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, groups=groups,
                      activation=conv_activation, use_bias=use_bias, name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"{name}_bn")(x)
        if activation is not None:
            x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


# ---------------------------------------------------------------- residual units

def padded_conv(x, filters: int, kernel: int, stride: int, name: str):
    """A bias-free convolution ``{name}_conv`` with the paper's symmetric padding.

    x: (N, H, W, C_in) -> (N, H/stride, W/stride, filters). A strided k>1 convolution gets an
    explicit ``{name}_pad`` ZeroPadding2D (Keras's "same" pads a stride-2 layer unevenly).
    """
    layers = _layers()
    if stride > 1 and kernel > 1:
        x = layers.ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x)
        padding = "valid"
    else:
        padding = "same"
    return layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False,
                         name=f"{name}_conv")(x)


def batch_norm(x, name: str):
    """BatchNormalization ``{name}_bn`` with ResNet's epsilon. x: (N, H, W, C) -> same shape."""
    return _layers().BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)


def bn_relu(x, name: str):
    """``{name}_bn`` then ``{name}_relu``. x: (N, H, W, C) -> same shape."""
    return _layers().Activation("relu", name=f"{name}_relu")(batch_norm(x, name))


def _branch_convs(kind: str, width: int, stride: int, stride_in: str):
    """(filters, kernel, stride) of each convolution on a residual unit's branch."""
    if kind == "basic":
        return [(width, 3, stride), (width, 3, 1)]
    first, middle = (stride, 1) if stride_in == "1x1" else (1, stride)
    return [(width, 1, first), (width, 3, middle), (width * EXPANSION[kind], 1, 1)]


def _maybe_se(r, se_reduction, name):
    return r if se_reduction is None else se_block(r, reduction=se_reduction, name=f"{name}_se")


def residual_unit(x, kind: str, width: int, stride: int = 1, *, name: str, stride_in: str = "1x1",
                  se_reduction: int | None = None):
    """One original (post-activation) unit: relu(x + F(x)), He et al. 2015.

    ``kind`` is ``"basic"`` (two 3x3) or ``"bottleneck"`` (1x1, 3x3, 1x1 with ``EXPANSION``
    times ``width`` outputs); ``stride_in`` says which bottleneck convolution carries the
    stride (``"1x1"``: the paper; ``"3x3"``: torchvision's v1.5). The shortcut is the identity,
    or a 1x1 projection + BN (``{name}_0``) where the shape changes. ``se_reduction`` puts an
    SE block on the branch just before the addition (SE-ResNet). Layers: ``{name}_1_conv`` …,
    ``{name}_add``, ``{name}_out``. x: (N, H, W, C) -> (N, H/stride, W/stride, C').
    """
    layers = _layers()
    convs = _branch_convs(kind, width, stride, stride_in)
    out_channels = convs[-1][0]
    r = x
    for i, (filters, kernel, s) in enumerate(convs, start=1):
        r = batch_norm(padded_conv(r, filters, kernel, s, f"{name}_{i}"), f"{name}_{i}")
        if i < len(convs):
            r = layers.Activation("relu", name=f"{name}_{i}_relu")(r)
    r = _maybe_se(r, se_reduction, name)
    shortcut = x
    if stride != 1 or x.shape[-1] != out_channels:
        shortcut = batch_norm(padded_conv(x, out_channels, 1, stride, f"{name}_0"), f"{name}_0")
    y = layers.Add(name=f"{name}_add")([shortcut, r])
    return layers.Activation("relu", name=f"{name}_out")(y)


def preact_residual_unit(x, kind: str, width: int, stride: int = 1, *, name: str,
                         stride_in: str = "1x1", se_reduction: int | None = None,
                         activated: bool = False):
    """One pre-activation unit: x + F(BN-ReLU(x)), no activation after the sum (He et al. 2016).

    ``activated`` marks an input that already went through BN-ReLU (the unit right after
    conv1); a projection shortcut starts from the pre-activated input. Other arguments as in
    ``residual_unit``. x: (N, H, W, C) -> (N, H/stride, W/stride, C').
    """
    layers = _layers()
    convs = _branch_convs(kind, width, stride, stride_in)
    out_channels = convs[-1][0]
    r = x if activated else bn_relu(x, f"{name}_preact")
    shortcut = x
    if stride != 1 or x.shape[-1] != out_channels:
        shortcut = padded_conv(r, out_channels, 1, stride, f"{name}_0")
    for i, (filters, kernel, s) in enumerate(convs, start=1):
        if i > 1:
            r = bn_relu(r, f"{name}_{i - 1}")
        r = padded_conv(r, filters, kernel, s, f"{name}_{i}")
    r = _maybe_se(r, se_reduction, name)
    return layers.Add(name=f"{name}_out")([shortcut, r])


# ---------------------------------------------------------------- squeeze-and-excitation

def se_block(x, reduction=16, name="se"):
    """Re-weight the channels of ``x`` by squeeze-and-excitation (Hu et al., r = 16, FC biases).

    x: (N, H, W, C) Keras tensor -> (N, H, W, C). Layers: ``{name}_squeeze`` (global average pool),
    ``{name}_reduce`` (C/r units, ReLU), ``{name}_expand`` (C units, sigmoid), ``{name}_scale``.
    One block adds 2C²/r + C/r + C parameters when r divides C.
    """
    reduction = positive_int(reduction, "reduction")
    if len(x.shape) != 4:
        raise ValueError(f"se_block needs a 4-D feature map (N, H, W, C), got shape {tuple(x.shape)}.")
    channels = x.shape[-1]
    units = channels // reduction
    if units < 1:
        raise ValueError(f"se_block {name!r}: reduction={reduction} leaves no units for {channels} "
                         f"channels; use a reduction of at most {channels}.")
    layers = _layers()
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_squeeze")(x)
    s = layers.Dense(units, activation="relu", name=f"{name}_reduce")(s)
    s = layers.Dense(channels, activation="sigmoid", name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


# ---------------------------------------------------------------- inception

class InceptionSpec(NamedTuple):
    """One row of GoogLeNet's Table 1: the output maps of each branch of a module."""

    n1x1: int
    n3x3_reduce: int
    n3x3: int
    n5x5_reduce: int
    n5x5: int
    pool_proj: int


def inception_module(x, name: str, spec):
    """One inception module ``x: (N, H, W, C) -> (N, H, W, #1x1 + #3x3 + #5x5 + pool proj)``.

    Four branches on the same input, concatenated along channels: 1x1 | 1x1 reduce -> 3x3 |
    1x1 reduce -> 5x5 | 3x3/1 max pool -> 1x1 "pool proj"; layers named like the reference
    Caffe model (``inception_{name}_3x3_reduce``). ``spec``: an ``InceptionSpec`` (or the same
    six numbers in its order).
    """
    n1, n3r, n3, n5r, n5, proj = InceptionSpec(*spec)
    layers = _layers()
    prefix = f"inception_{name}"
    b1 = conv_block(x, n1, 1, name=f"{prefix}_1x1")
    b3 = conv_block(x, n3r, 1, name=f"{prefix}_3x3_reduce")
    b3 = conv_block(b3, n3, 3, name=f"{prefix}_3x3")
    b5 = conv_block(x, n5r, 1, name=f"{prefix}_5x5_reduce")
    b5 = conv_block(b5, n5, 5, name=f"{prefix}_5x5")
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{prefix}_pool")(x)
    bp = conv_block(bp, proj, 1, name=f"{prefix}_pool_proj")
    return layers.Concatenate(name=f"{prefix}_output")([b1, b3, b5, bp])


# ---------------------------------------------------------------- MLP-Mixer

def _mlp(x, hidden, out, name):
    """Dense(hidden) -> GELU -> Dense(out) on the last axis. x: (N, rows, d) -> (N, rows, out)."""
    layers = _layers()
    x = layers.Dense(hidden, activation="gelu", name=f"{name}_dense_1")(x)
    return layers.Dense(out, name=f"{name}_dense_2")(x)


def mixer_block(x, tokens_mlp_dim, channels_mlp_dim, name):
    """One Mixer layer (Tolstikhin et al. 2021). x: (N, S, C) tokens -> (N, S, C).

    Token mixing acts on the transposed (N, C, S) table, so one MLP is shared by all channels;
    channel mixing acts on (N, S, C), one MLP shared by all tokens; LayerNorm before each, a
    skip around each.
    """
    layers = _layers()
    tokens, channels = x.shape[1], x.shape[2]
    y = layers.LayerNormalization(epsilon=LN_EPSILON, name=f"{name}_token_norm")(x)
    y = layers.Permute((2, 1), name=f"{name}_token_transpose")(y)
    y = _mlp(y, tokens_mlp_dim, tokens, f"{name}_token_mixing")
    y = layers.Permute((2, 1), name=f"{name}_token_transpose_back")(y)
    x = layers.Add(name=f"{name}_token_skip")([x, y])
    y = layers.LayerNormalization(epsilon=LN_EPSILON, name=f"{name}_channel_norm")(x)
    y = _mlp(y, channels_mlp_dim, channels, f"{name}_channel_mixing")
    return layers.Add(name=f"{name}_channel_skip")([x, y])
