"""Network in Network (Lin, Chen & Yan, ICLR 2014): the paper's CIFAR-10 model.

An "mlpconv" layer is a k x k convolution followed by two 1x1 convolutions (the paper's
cascaded cross-channel parametric pooling, "cccp"), each with ReLU: a small MLP slid over
the image. Three mlpconv layers are stacked; the first two are followed by a 3x3/2 max pool
and dropout 0.5 (section 4.1: dropout on the outputs of all but the last mlpconv layer).
The last 1x1 layer has one map per class and global average pooling turns each map into a
class score: there is no fully connected layer at all.

We build the CIFAR-10 configuration (32x32x3 input, 10 classes) because that is the model
the paper's experiments are about; the widths are those of the authors' released CIFAR-10
network (192-160-96, 192-192-192, 192-192-classes).
"""
from __future__ import annotations

from typing import NamedTuple

from .._keras import import_backend
from ._common import check_input_shape, check_num_classes, check_rate
from ._registry import register


class MlpConv(NamedTuple):
    """One mlpconv layer: a k x k convolution, then its 1x1 "cccp" layers (None = num_classes)."""

    name: str
    maps: int
    kernel: int
    cccp: tuple


NIN_CIFAR10 = (
    MlpConv("mlpconv1", maps=192, kernel=5, cccp=(160, 96)),
    MlpConv("mlpconv2", maps=192, kernel=5, cccp=(192, 192)),
    MlpConv("mlpconv3", maps=192, kernel=3, cccp=(192, None)),
)


@register("nin")
def nin(input_shape=(32, 32, 3), num_classes=10, dropout=0.5):
    """NIN for CIFAR-10: ``(N, 32, 32, 3)`` -> ``(N, num_classes)`` softmax probabilities.

    conv1 192@5x5, cccp1 160, cccp2 96 (32x32) -> max pool 3x3/2 (16x16) -> dropout ->
    conv2 192@5x5, cccp3 192, cccp4 192 -> max pool (8x8) -> dropout -> conv3 192@3x3,
    cccp5 192, cccp6 num_classes -> global average pool -> softmax. Convolutions and pools
    use "same" padding, so every side >= 1 passes through. 966,986 parameters for 10 classes.
    """
    shape = check_input_shape(input_shape, 1, "nin")
    num_classes = check_num_classes(num_classes, "nin")
    rate = check_rate(dropout, "nin: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    cccp = 0
    for i, block in enumerate(NIN_CIFAR10, 1):
        x = layers.Conv2D(block.maps, block.kernel, padding="same", activation="relu",
                          name=f"conv{i}")(x)
        for width in block.cccp:
            cccp += 1
            x = layers.Conv2D(width or num_classes, 1, activation="relu", name=f"cccp{cccp}")(x)
        if i < len(NIN_CIFAR10):
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{i}")(x)
            x = layers.Dropout(rate, name=f"drop{i}")(x)
    x = layers.GlobalAveragePooling2D(name="global_avg_pool")(x)
    outputs = layers.Activation("softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name="nin")
