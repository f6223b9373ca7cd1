"""Small MNIST models the notebooks train on a CPU in seconds.

* ``mnist_mlp``: 784-512-512-10, the fully connected baseline (669,706 parameters).
* ``mnist_cnn``: two small conv layers and one dense layer (20,490 parameters, 33x fewer),
  the slides' point that a CNN needs far fewer weights than an MLP on images.
* ``mnist_gap``: the global-average-pooling model whose Keras summary the slides show.
"""
from __future__ import annotations

from .._checks import positive_int
from .._keras import import_backend
from ._common import check_input_shape, check_num_classes, check_rate
from ._registry import register

MNIST_SHAPE = (28, 28, 1)


def _checked(input_shape, num_classes, name, smallest):
    return (check_input_shape(input_shape, smallest, name),
            check_num_classes(num_classes, name))


@register("mnist_mlp")
def mnist_mlp(input_shape=MNIST_SHAPE, num_classes=10, hidden=(512, 512), dropout=0.2):
    """MLP: ``(N, 28, 28, 1)`` -> flatten 784 -> 512 -> 512 (ReLU, dropout) -> softmax.

    Parameters: 784*512 + 512 + 512*512 + 512 + 512*10 + 10 = 669,706.
    """
    shape, num_classes = _checked(input_shape, num_classes, "mnist_mlp", 1)
    if not isinstance(hidden, (tuple, list)) or not hidden:
        raise ValueError(f"mnist_mlp: hidden must be a non-empty tuple of layer widths, "
                         f"got {hidden!r}. Example: hidden=(512, 512).")
    hidden = [positive_int(units, f"mnist_mlp: hidden[{i}]") for i, units in enumerate(hidden)]
    rate = check_rate(dropout, "mnist_mlp: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="image")
    x = layers.Flatten(name="flatten")(inputs)
    for i, units in enumerate(hidden, 1):
        x = layers.Dense(units, activation="relu", name=f"hidden{i}")(x)
        x = layers.Dropout(rate, name=f"dropout{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_mlp")


@register("mnist_cnn")
def mnist_cnn(input_shape=MNIST_SHAPE, num_classes=10, dropout=0.25):
    """Small CNN: ``(N, 28, 28, 1)`` -> ``(N, num_classes)``.

    conv1 16@3x3 same (160) -> max pool 2 (14x14) -> conv2 32@3x3 same (4,640) -> max pool 2
    (7x7x32) -> flatten 1,568 -> dropout -> dense softmax (15,690): 20,490 parameters.
    The input must be at least 4x4 (two 2x2 pools).
    """
    shape, num_classes = _checked(input_shape, num_classes, "mnist_cnn", 4)
    rate = check_rate(dropout, "mnist_cnn: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(rate, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


@register("mnist_gap")
def mnist_gap(input_shape=MNIST_SHAPE, num_classes=10):
    """The slides' global-average-pooling MNIST model, rebuilt from its Keras summary.

    ``(N, 28, 28, 1)`` -> ``(N, num_classes)``. The summary on the slide shows only the last
    rows::

        max_pooling2d_1 (MaxPooling2D)        (None, 7, 7, 128)   0
        global_average_pooling2d (GlobalAv..)  (None, 128)         0
        dense (Dense)                          (None, 500)         64500
        activation_3 (Activation)              (None, 500)         0
        dense_1 (Dense)                        (None, 10)          5010
        activation_4 (Activation)              (None, 10)          0
        Total params: 326,534

    Keras numbers its default names, so ``activation_3`` means three earlier activations
    (one per convolution) and ``max_pooling2d_1`` means two pools, taking 28x28 to 7x7 with
    "same" convolutions. The hidden rows must hold 326,534 - 64,500 - 5,010 = 257,024
    parameters, and the last convolution must give 128 maps. 5x5 kernels with 32, 64 and 128
    filters do it exactly:

        (5*5*1*32 + 32) + (5*5*32*64 + 64) + (5*5*64*128 + 128) = 832 + 51,264 + 204,928
                                                                 = 257,024

    The summary does not say where the first pool sits; it is put after the first
    convolution (cheapest), which changes no parameter count. Layers keep the slide's Keras
    default names so the summary can be laid next to the slide row by row.
    """
    shape, num_classes = _checked(input_shape, num_classes, "mnist_gap", 4)
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(32, 5, padding="same", name="conv2d")(inputs)
    x = layers.Activation("relu", name="activation")(x)
    x = layers.MaxPooling2D(2, name="max_pooling2d")(x)
    x = layers.Conv2D(64, 5, padding="same", name="conv2d_1")(x)
    x = layers.Activation("relu", name="activation_1")(x)
    x = layers.Conv2D(128, 5, padding="same", name="conv2d_2")(x)
    x = layers.Activation("relu", name="activation_2")(x)
    x = layers.MaxPooling2D(2, name="max_pooling2d_1")(x)
    x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    x = layers.Dense(500, name="dense")(x)
    x = layers.Activation("relu", name="activation_3")(x)
    x = layers.Dense(num_classes, name="dense_1")(x)
    outputs = layers.Activation("softmax", name="activation_4")(x)
    return keras.Model(inputs, outputs, name="mnist_gap")
