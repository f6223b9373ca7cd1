"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998) in the modern form the slides teach.

The layer names are the paper's: C = convolution, S = subsampling, F = fully connected.
Simplifications the slides make, kept here: every C3 map sees all six S2 maps (the paper
connects each to a subset: 1,516 weights instead of 2,416), S2/S4 are plain average pools
(the paper gives each map a trainable coefficient and bias), and the output is a softmax
(the paper uses Euclidean RBF units). With them the parameter count is 61,706 instead of
the paper's 60,000 trainable parameters: +900 for the full C3, -44 for the pool
coefficients, +850 for the trainable output layer.
"""
from __future__ import annotations

from typing import NamedTuple

from .._keras import import_backend
from ._common import check_input_shape, check_num_classes, smallest_input
from ._registry import register


class LeNetLayer(NamedTuple):
    """One row of the paper's Figure 2: ``kind`` is "conv", "pool" (average) or "dense"."""

    name: str
    kind: str
    units: int | None = None  # maps of a conv, units of a dense layer
    kernel: int | None = None  # side of a conv kernel or pool window


LENET5 = (
    LeNetLayer("c1", "conv", units=6, kernel=5),
    LeNetLayer("s2", "pool", kernel=2),
    LeNetLayer("c3", "conv", units=16, kernel=5),
    LeNetLayer("s4", "pool", kernel=2),
    LeNetLayer("c5", "conv", units=120, kernel=5),
    LeNetLayer("f6", "dense", units=84),
)


def _steps():
    return [(row.kernel, 1, 0) if row.kind == "conv" else (row.kernel, row.kernel, 0)
            for row in LENET5 if row.kernel]


@register("lenet5")
def lenet5(input_shape=(32, 32, 1), num_classes=10):
    """LeNet-5: ``(N, 32, 32, 1)`` grey digits -> ``(N, num_classes)`` softmax probabilities.

    C1 6@5x5 (28x28) -> S2 avg 2x2/2 (14x14) -> C3 16@5x5 (10x10) -> S4 avg 2x2/2 (5x5)
    -> C5 120@5x5 (1x1) -> F6 84 -> output; tanh after every C and F layer.
    Parameters: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706. C5 is a 5x5 convolution as in
    the paper; on the 32x32 input it sees the whole 5x5 S4 map, so it equals the slides'
    ``Flatten() + Dense(120)``. The smallest input is 32x32: pad 28x28 MNIST digits by 2
    pixels on each side, as LeCun et al. did.
    """
    check_input_shape(input_shape, smallest_input(_steps()), "lenet5")
    num_classes = check_num_classes(num_classes, "lenet5")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=tuple(input_shape), name="input")
    x = inputs
    for row in LENET5:
        if row.kind == "conv":
            x = layers.Conv2D(row.units, row.kernel, activation="tanh", name=row.name)(x)
        elif row.kind == "pool":
            x = layers.AveragePooling2D(row.kernel, name=row.name)(x)
        else:
            x = layers.Dense(row.units, activation="tanh", name=row.name)(x)
        if row.name == "c5":
            x = layers.Flatten(name="c5_flatten")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5")
