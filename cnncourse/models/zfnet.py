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

from ._common import (check_input_shape, check_num_classes, check_rate, keras_module,
                      smallest_input)
from ._registry import register

# (name, maps, kernel, stride, zero padding (pixels or "same"), pool after, norm after)
ZFNET_CONV = (
    ("conv1", 96, 7, 2, 1, True, True),
    ("conv2", 256, 5, 2, 0, True, True),
    ("conv3", 384, 3, 1, "same", False, False),
    ("conv4", 384, 3, 1, "same", False, False),
    ("conv5", 256, 3, 1, "same", True, False),
)
WIDE_MAPS = {"conv3": 512, "conv4": 1024, "conv5": 512}
POOL_PADDING = {"pool1": "same", "pool2": "same", "pool5": "valid"}
LRN = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)


def _steps():
    steps = []
    for i, (_, _, kernel, stride, pad, pool, _) in enumerate(ZFNET_CONV, 1):
        steps.append((kernel, stride, pad))
        if pool:
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
    keras = keras_module()
    layers = keras.layers
    from .layers import LocalResponseNormalization

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for i, (conv, maps, kernel, stride, pad, pool, norm) in enumerate(ZFNET_CONV, 1):
        if pad == "same":
            padding = "same"
        else:
            padding = "valid"
            if pad:
                x = layers.ZeroPadding2D(pad, name=f"{conv}_pad")(x)
        maps = WIDE_MAPS.get(conv, maps) if wide else maps
        x = layers.Conv2D(maps, kernel, strides=stride, padding=padding, activation="relu",
                          name=conv)(x)
        if pool:
            x = layers.MaxPooling2D(3, strides=2, padding=POOL_PADDING[f"pool{i}"],
                                    name=f"pool{i}")(x)
        if norm:
            x = LocalResponseNormalization(**LRN, name=f"norm{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i in (6, 7):
        x = layers.Dense(4096, activation="relu", name=f"fc{i}")(x)
        x = layers.Dropout(rate, name=f"drop{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="zfnet_wide" if wide else "zfnet")
