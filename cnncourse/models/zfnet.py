"""ZFNet (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", 2013).

AlexNet retuned after looking at its features: conv1 becomes 7x7 with stride 2 (instead of
11x11/4) and conv2 gets stride 2, all on one GPU (no grouped layers). Each layer of the
paper's Figure 3 with its output side on a 224x224 input:

    conv1 96@7x7/2 -> 110, pool 3x3/2 -> 55, norm | conv2 256@5x5/2 -> 26, pool 3x3/2 -> 13,
    norm | conv3 384@3x3 -> 13 | conv4 384@3x3 -> 13 | conv5 256@3x3 -> 13, pool 3x3/2 -> 6
    | fc6 4096 | fc7 4096 | fc8 classes

Padding is chosen to reproduce those sides: one pixel of zeros around the input of conv1,
"same" (ceil) for pool1 and pool2, none elsewhere. The paper's "contrast normalisation" is
implemented with AlexNet's local response normalisation. ``wide=True`` gives the variant of
the paper's Tables 2 and 3 with 512, 1024 and 512 maps in conv3-5 (the ZFNet column of the slides'
Table 8.1).
"""
from __future__ import annotations

from .._keras import import_backend
from . import blocks
from ._common import ConvLayer, check_input_shape, check_num_classes, check_rate, smallest_input
from ._registry import register

# Figure 3: a 3x3/2 max pool, then the normalisation, follow where marked.
ZFNET_CONV = (
    ConvLayer("conv1", filters=96, kernel=7, stride=2, padding=1, pool=True, lrn=True),
    ConvLayer("conv2", filters=256, kernel=5, stride=2, padding=0, pool=True, lrn=True),
    ConvLayer("conv3", filters=384, kernel=3),
    ConvLayer("conv4", filters=384, kernel=3),
    ConvLayer("conv5", filters=256, kernel=3, pool=True),
)
WIDE_MAPS = {"conv3": 512, "conv4": 1024, "conv5": 512}
POOL_PADDING = {"pool1": "same", "pool2": "same", "pool5": "valid"}
LRN = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)


def _steps():
    steps = []
    for i, conv in enumerate(ZFNET_CONV, 1):
        steps.append((conv.kernel, conv.stride, conv.padding))
        if conv.pool:
            steps.append((3, 2, "same" if POOL_PADDING[f"pool{i}"] == "same" else 0))
    return steps


@register("zfnet")
def zfnet(input_shape=(224, 224, 3), num_classes=1000, wide=False, dropout=0.5):
    """ZFNet: ``(N, 224, 224, 3)`` -> ``(N, num_classes)`` softmax probabilities.

    Feature-map sides 110, 55, 26, 13, 13, 13, 13, 6 (conv1, pool1, conv2, pool2, conv3, conv4,
    conv5, pool5). ``wide=True``: conv3-5 with 512/1024/512 maps. Dropout after fc6 and fc7.
    """
    shape = check_input_shape(input_shape, smallest_input(_steps()), "zfnet")
    num_classes = check_num_classes(num_classes, "zfnet")
    rate = check_rate(dropout, "zfnet: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for i, conv in enumerate(ZFNET_CONV, 1):
        if conv.padding == "same":
            padding = "same"
        else:
            padding = "valid"
            if conv.padding:
                x = layers.ZeroPadding2D(conv.padding, name=f"{conv.name}_pad")(x)
        maps = WIDE_MAPS.get(conv.name, conv.filters) if wide else conv.filters
        x = layers.Conv2D(maps, conv.kernel, strides=conv.stride, padding=padding,
                          activation="relu", name=conv.name)(x)
        if conv.pool:
            x = layers.MaxPooling2D(3, strides=2, padding=POOL_PADDING[f"pool{i}"],
                                    name=f"pool{i}")(x)
        if conv.lrn:
            x = blocks.LocalResponseNormalization(**LRN, name=f"norm{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i in (6, 7):
        x = layers.Dense(4096, activation="relu", name=f"fc{i}")(x)
        x = layers.Dropout(rate, name=f"drop{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="zfnet_wide" if wide else "zfnet")
