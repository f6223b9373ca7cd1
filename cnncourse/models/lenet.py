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

from ._common import check_input_shape, check_num_classes, keras_module, smallest_input
from ._registry import register

# (name, kind, maps or units, kernel): the rows of the paper's Figure 2.
LENET5 = (
    ("c1", "conv", 6, 5),
    ("s2", "pool", None, 2),
    ("c3", "conv", 16, 5),
    ("s4", "pool", None, 2),
    ("c5", "conv", 120, 5),
    ("f6", "dense", 84, None),
)


def _steps():
    return [(k, 1, 0) if kind == "conv" else (k, k, 0) for _, kind, _, k in LENET5 if k]


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
    keras = keras_module()
    layers = keras.layers

    inputs = keras.Input(shape=tuple(input_shape), name="input")
    x = inputs
    for name, kind, units, kernel in LENET5:
        if kind == "conv":
            x = layers.Conv2D(units, kernel, activation="tanh", name=name)(x)
        elif kind == "pool":
            x = layers.AveragePooling2D(kernel, name=name)(x)
        else:
            x = layers.Dense(units, activation="tanh", name=name)(x)
        if name == "c5":
            x = layers.Flatten(name="c5_flatten")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5")
