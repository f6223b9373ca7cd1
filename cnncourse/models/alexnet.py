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

from ._common import (check_input_shape, check_num_classes, check_rate, keras_module,
                      smallest_input)
from ._registry import register

# (name, kernels, size, stride, padding, groups in the two-GPU model, LRN after, pool after)
ALEXNET_CONV = (
    ("conv1", 96, 11, 4, "valid", 1, True, True),
    ("conv2", 256, 5, 1, "same", 2, True, True),
    ("conv3", 384, 3, 1, "same", 1, False, False),
    ("conv4", 384, 3, 1, "same", 2, False, False),
    ("conv5", 256, 3, 1, "same", 2, False, True),
)
ALEXNET_FC = (("fc6", 4096), ("fc7", 4096))
LRN = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)  # section 3.3 of the paper
POOL = (3, 2)  # overlapping pooling, section 3.4


def _steps():
    steps = []
    for _, _, size, stride, padding, _, _, pool in ALEXNET_CONV:
        steps.append((size, stride, "same" if padding == "same" else 0))
        if pool:
            steps.append((POOL[0], POOL[1], 0))
    return steps


def _check_conv1_tiling(input_shape, name):
    kernel, stride = ALEXNET_CONV[0][2], ALEXNET_CONV[0][3]
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
    keras = keras_module()
    layers = keras.layers
    from .layers import LocalResponseNormalization

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for i, (conv, kernels, size, stride, padding, groups, lrn, pool) in enumerate(ALEXNET_CONV, 1):
        x = layers.Conv2D(kernels, size, strides=stride, padding=padding,
                          groups=groups if grouped else 1, activation="relu", name=conv)(x)
        if lrn:
            x = LocalResponseNormalization(**LRN, name=f"norm{i}")(x)
        if pool:
            x = layers.MaxPooling2D(POOL[0], strides=POOL[1], name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i, (fc, units) in enumerate(ALEXNET_FC, 6):
        x = layers.Dense(units, activation="relu", name=fc)(x)
        x = layers.Dropout(rate, name=f"drop{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name=name)
