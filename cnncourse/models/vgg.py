"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks", ICLR 2015), configs A/B/D/E.

Every convolution is 3x3, stride 1, padding 1 ("same") with ReLU; every block ends in a
2x2/2 max pool; then FC-4096, FC-4096 (dropout 0.5 on both) and the softmax layer. The
configurations below are the columns of the paper's Table 1, one tuple per block.

Layer names follow the authors' released Caffe models (conv1_1 ... conv5_4, pool1 ... pool5,
fc6, fc7, fc8), so ``model.summary()`` reads down Table 1.

``batch_norm=True`` (the ``vgg*_bn`` names) puts a BatchNormalization between each
convolution and its ReLU, as torchvision's ``vgg16_bn`` does, and like torchvision it keeps the
convolution's bias even though BatchNorm's beta makes it redundant: this keeps the layout of
the widely used torchvision weights, whose 138,365,992 trainable parameters (VGG-16-BN) this
model reproduces. Dropping the bias would remove one parameter per channel (4,224 for VGG-16).
"""
from __future__ import annotations

from .._keras import import_backend
from ._common import check_input_shape, check_num_classes, check_rate, smallest_input
from .blocks import conv_block
from ._registry import register

# Table 1 of the paper: output maps of each conv3 layer, grouped by block (max pool after each).
VGG_CONFIGS = {
    "A": ((64,), (128,), (256, 256), (512, 512), (512, 512)),
    "B": ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
    "D": ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
    "E": ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512), (512, 512, 512, 512)),
}
DEPTH_TO_CONFIG = {11: "A", 13: "B", 16: "D", 19: "E"}
FC_UNITS = (4096, 4096)
SMALLEST_SIDE = smallest_input([(2, 2, 0)] * 5)  # five 2x2/2 pools: 32


@register("vgg11", depth=11)
@register("vgg13", depth=13)
@register("vgg16", depth=16)
@register("vgg19", depth=19)
@register("vgg11_bn", depth=11, batch_norm=True)
@register("vgg13_bn", depth=13, batch_norm=True)
@register("vgg16_bn", depth=16, batch_norm=True)
@register("vgg19_bn", depth=19, batch_norm=True)
def vgg(depth, input_shape=(224, 224, 3), num_classes=1000, batch_norm=False, dropout=0.5):
    """VGG-``depth``: ``(N, 224, 224, 3)`` -> ``(N, num_classes)`` softmax probabilities.

    ``depth`` is 11, 13, 16 or 19 (configs A, B, D, E). The input side must be at least 32,
    which the five pools bring down to 1; on 224 the last block gives 7x7x512 and fc6 has
    7*7*512*4096 + 4096 = 102,764,544 parameters. VGG-16 has 138,357,544 parameters and
    VGG-19 143,667,240, the same as ``keras.applications.VGG16/VGG19(weights=None)``.
    """
    if depth not in DEPTH_TO_CONFIG:
        raise ValueError(f"VGG depth must be one of {sorted(DEPTH_TO_CONFIG)} (the paper's "
                         f"configurations A, B, D, E), got {depth!r}.")
    name = f"vgg{depth}" + ("_bn" if batch_norm else "")
    shape = check_input_shape(input_shape, SMALLEST_SIDE, name)
    num_classes = check_num_classes(num_classes, name)
    rate = check_rate(dropout, f"{name}: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="input")
    x = inputs
    for b, block in enumerate(VGG_CONFIGS[DEPTH_TO_CONFIG[depth]], 1):
        for c, maps in enumerate(block, 1):
            x = conv_block(x, maps, 3, name=f"conv{b}_{c}", batch_norm=batch_norm)
        x = layers.MaxPooling2D(2, strides=2, name=f"pool{b}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate(FC_UNITS, 6):
        x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        x = layers.Dropout(rate, name=f"drop{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name=name)
