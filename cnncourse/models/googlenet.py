"""GoogLeNet / Inception v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015).

``INCEPTION`` holds the nine inception rows of the paper's Table 1 as data. A module runs
four branches on the same input and concatenates them along channels (``blocks.inception_module``):

    1x1 | 1x1 reduce -> 3x3 | 1x1 reduce -> 5x5 | 3x3/1 max pool -> 1x1 "pool proj"

Layer names follow the authors' reference Caffe model (``inception_3a_3x3_reduce``,
``loss1_fc`` ...), with ``_`` where Caffe writes ``/`` (Keras names may not contain ``/``).
Local response normalisation sits where Figure 3 of the paper has it (after pool1 and after
conv2); the paper gives no constants, so those of the reference Caffe model are used
(5 channels, beta 0.75, k 1, alpha 1e-4 in Caffe's per-window-mean convention = 2e-5 here).
Pools use "same" padding, which reproduces the paper's sides 112, 56, 28, 14, 7; the final
7x7/1 average pool is a global average pool (identical on a 224 input).

``aux_logits=True`` adds the two auxiliary classifiers of section 5 after 4a and 4d. They
exist for training only (the paper adds their losses with weight 0.3 and discards them at
inference); the model then returns ``[main, aux1, aux2]``. The main-path layers have the same
names in both variants, so weights trained with aux heads load into the plain model by name.
"""
from __future__ import annotations

from .._keras import import_backend
from . import blocks
from ._common import check_input_shape, check_num_classes, check_rate, smallest_input
from ._registry import register
from .blocks import InceptionSpec, conv_block, inception_module

__all__ = ["INCEPTION", "InceptionSpec", "googlenet", "inception_module"]

# Table 1: name -> (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj)
INCEPTION = {
    name: InceptionSpec(*row) for name, row in {
        "3a": (64, 96, 128, 16, 32, 32),
        "3b": (128, 128, 192, 32, 96, 64),
        "4a": (192, 96, 208, 16, 48, 64),
        "4b": (160, 112, 224, 24, 64, 64),
        "4c": (128, 128, 256, 24, 64, 64),
        "4d": (112, 144, 288, 32, 64, 64),
        "4e": (256, 160, 320, 32, 128, 128),
        "5a": (256, 160, 320, 32, 128, 128),
        "5b": (384, 192, 384, 48, 128, 128),
    }.items()
}
POOL_AFTER = {"3b": "pool3", "4e": "pool4"}  # 3x3/2 max pools between the stages
AUX_AFTER = {"4a": "loss1", "4d": "loss2"}  # where the auxiliary classifiers branch off
LRN = dict(size=5, alpha=2e-5, beta=0.75, k=1.0)
# Spatial steps up to 4a/4d (conv1, pool1, pool2, pool3: all "same", stride 2), then the aux
# head's 5x5/3 average pool, which needs a 5x5 map.
_STEPS_TO_AUX = [(7, 2, "same"), (3, 2, "same"), (3, 2, "same"), (3, 2, "same"), (5, 3, 0)]


def _aux_classifier(x, name: str, num_classes: int):
    """Section 5: avg pool 5x5/3 -> 1x1 conv 128 -> fc 1024 -> dropout 0.7 -> softmax."""
    layers = import_backend().layers
    x = layers.AveragePooling2D(5, strides=3, name=f"{name}_ave_pool")(x)
    x = conv_block(x, 128, 1, name=f"{name}_conv")
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(1024, activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_drop_fc")(x)
    return layers.Dense(num_classes, activation="softmax", name=f"{name}_classifier")(x)


@register("googlenet")
def googlenet(input_shape=(224, 224, 3), num_classes=1000, aux_logits=False, dropout=0.4):
    """GoogLeNet: ``(N, 224, 224, 3)`` -> ``(N, num_classes)``; with ``aux_logits`` a list of
    three such outputs ``[main, aux1, aux2]``.

    conv1 7x7/2 (112) -> pool 3x3/2 (56) -> LRN -> conv2 1x1 64 + 3x3 192 -> LRN -> pool (28)
    -> 3a, 3b -> pool (14) -> 4a ... 4e -> pool (7) -> 5a, 5b (7x7x1024) -> average pool ->
    dropout 40% -> linear + softmax. 22 layers with weights on the main path. The network takes
    any side (all pools are "same"); the auxiliary heads need 4a's map to be at least 5x5,
    which means an input of at least 65x65.
    """
    if not isinstance(aux_logits, bool):
        raise ValueError(f"googlenet: aux_logits must be True or False, got {aux_logits!r}.")
    smallest = smallest_input(_STEPS_TO_AUX) if aux_logits else 1
    shape = check_input_shape(input_shape, smallest, "googlenet")
    num_classes = check_num_classes(num_classes, "googlenet")
    rate = check_rate(dropout, "googlenet: dropout")
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=shape, name="input")
    x = conv_block(inputs, 64, 7, strides=2, name="conv1_7x7_s2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)
    x = blocks.LocalResponseNormalization(**LRN, name="pool1_norm1")(x)
    x = conv_block(x, 64, 1, name="conv2_3x3_reduce")
    x = conv_block(x, 192, 3, name="conv2_3x3")
    x = blocks.LocalResponseNormalization(**LRN, name="conv2_norm2")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2_3x3_s2")(x)
    aux = []
    for module, spec in INCEPTION.items():
        x = inception_module(x, module, spec)
        if aux_logits and module in AUX_AFTER:
            aux.append(_aux_classifier(x, AUX_AFTER[module], num_classes))
        if module in POOL_AFTER:
            x = layers.MaxPooling2D(3, strides=2, padding="same",
                                    name=f"{POOL_AFTER[module]}_3x3_s2")(x)
    x = layers.GlobalAveragePooling2D(name="pool5_7x7_s1")(x)
    x = layers.Dropout(rate, name="pool5_drop_7x7_s1")(x)
    main = layers.Dense(num_classes, activation="softmax", name="loss3_classifier")(x)
    outputs = [main, *aux] if aux_logits else main
    return keras.Model(inputs, outputs, name="googlenet")
