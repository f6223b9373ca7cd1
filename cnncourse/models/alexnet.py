"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012), single-tower and the original two-GPU form.

The paper trained on two GTX 580s and split conv2, conv4 and conv5 so that each kernel sees
only the maps on its own GPU (Figure 2: 5x5x48 and 3x3x192 kernels). ``alexnet_grouped``
keeps that split with ``Conv2D(groups=2)`` (60,965,224 parameters, the paper's "60 million");
``alexnet`` joins the towers, which is how the slides count it (62,378,344).

Order inside conv1 and conv2 follows section 3.5 of the paper: ReLU, then response
normalisation, then the overlapping 3x3/2 max pool. The input is 227x227x3: with an 11x11
kernel, stride 4 and no padding, only sides with ``(n - 11) % 4 == 0`` are covered exactly,
and 224 (the number printed in the paper's figure) is not one of them.
"""
from __future__ import annotations

from .._keras import import_backend
from . import blocks
from ._common import ConvLayer, check_input_shape, check_num_classes, check_rate, smallest_input
from ._registry import register

# Section 3.5 and Figure 2: groups are those of the two-GPU model; LRN, then pool, follow.
ALEXNET_CONV = (
    ConvLayer("conv1", filters=96, kernel=11, stride=4, padding=0, lrn=True, pool=True),
    ConvLayer("conv2", filters=256, kernel=5, groups=2, lrn=True, pool=True),
    ConvLayer("conv3", filters=384, kernel=3),
    ConvLayer("conv4", filters=384, kernel=3, groups=2),
    ConvLayer("conv5", filters=256, kernel=3, groups=2, pool=True),
)
ALEXNET_FC = (("fc6", 4096), ("fc7", 4096))
LRN = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)  # section 3.3 of the paper
POOL = (3, 2)  # overlapping pooling, section 3.4


def _steps():
    steps = []
    for conv in ALEXNET_CONV:
        steps.append((conv.kernel, conv.stride, conv.padding))
        if conv.pool:
            steps.append((POOL[0], POOL[1], 0))
    return steps


def _check_conv1_tiling(input_shape, name):
    kernel, stride = ALEXNET_CONV[0].kernel, ALEXNET_CONV[0].stride
    for side in input_shape[:2]:
        if (side - kernel) % stride:
            below = side - (side - kernel) % stride
            raise ValueError(
                f"{name}: conv1 ({kernel}x{kernel}, stride {stride}, no padding) covers a side of "
                f"n pixels exactly only when n - {kernel} is a multiple of {stride}; {side} leaves "
                f"{side - below} pixel(s) unused. Sizes that work near {side}: {below} or "
                f"{below + stride} (the paper's network takes 227).")


@register("alexnet", grouped=False)
@register("alexnet_grouped", grouped=True)
def alexnet(grouped=False, input_shape=(227, 227, 3), num_classes=1000, dropout=0.5):
    """AlexNet: ``(N, 227, 227, 3)`` -> ``(N, num_classes)`` softmax probabilities.

    conv1 96@11x11/4 (55x55) -> LRN -> pool 3x3/2 (27) -> conv2 256@5x5 (27) -> LRN -> pool
    (13) -> conv3 384@3x3 -> conv4 384@3x3 -> conv5 256@3x3 (13) -> pool (6x6x256) -> fc6 4096
    -> fc7 4096 (dropout ``dropout`` after each) -> fc8 ``num_classes``. ReLU everywhere.
    ``grouped=True`` splits conv2, conv4 and conv5 into the paper's two GPU towers.
    """
    name = "alexnet_grouped" if grouped else "alexnet"
    shape = check_input_shape(input_shape, smallest_input(_steps()), name)
    _check_conv1_tiling(shape, name)
    num_classes = check_num_classes(num_classes, name)
    rate = check_rate(dropout, f"{name}: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for i, conv in enumerate(ALEXNET_CONV, 1):
        x = layers.Conv2D(conv.filters, conv.kernel, strides=conv.stride,
                          padding="same" if conv.padding == "same" else "valid",
                          groups=conv.groups if grouped else 1, activation="relu",
                          name=conv.name)(x)
        if conv.lrn:
            x = blocks.LocalResponseNormalization(**LRN, name=f"norm{i}")(x)
        if conv.pool:
            x = layers.MaxPooling2D(POOL[0], strides=POOL[1], name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i, (fc, units) in enumerate(ALEXNET_FC, 6):
        x = layers.Dense(units, activation="relu", name=fc)(x)
        x = layers.Dropout(rate, name=f"drop{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name=name)
