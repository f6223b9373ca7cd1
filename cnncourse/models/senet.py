"""Squeeze-and-Excitation (Hu et al., "Squeeze-and-Excitation Networks", 2017/2018).

An SE block re-weights the channels of a feature map by how much each one matters for this image:

* squeeze: global average pooling turns each (H, W) map into one number, z: (N, C);
* excitation: FC to C/r units + ReLU, FC back to C units + sigmoid, s = σ(W2 δ(W1 z)) in (0, 1);
* scale: multiply every channel of the input by its weight s_c.

The paper uses r = 16 and FC layers with biases, so one block adds 2C²/r + C/r + C parameters.
``se_block`` works on any 4-D Keras tensor, so it can be added to any functional backbone; the
ResNet builders take ``se=True`` to put one on every residual branch, just before the addition
(the SE-ResNet module of the paper's Fig. 3).
"""
from __future__ import annotations

from .._checks import positive_int
from ._common import keras_module
from ._registry import register
from .resnet import RESNET_TABLE, build_resnet

__all__ = ["se_block", "se_resnet"]


def se_block(x, reduction=16, name="se"):
    """Re-weight the channels of ``x`` by squeeze-and-excitation.

    x: (N, H, W, C) Keras tensor -> (N, H, W, C). Layers: ``{name}_squeeze`` (global average pool),
    ``{name}_reduce`` (C/r units, ReLU), ``{name}_expand`` (C units, sigmoid), ``{name}_scale``.
    """
    reduction = positive_int(reduction, "reduction")
    if len(x.shape) != 4:
        raise ValueError(f"se_block needs a 4-D feature map (N, H, W, C), got shape {tuple(x.shape)}.")
    channels = x.shape[-1]
    units = channels // reduction
    if units < 1:
        raise ValueError(f"se_block {name!r}: reduction={reduction} leaves no units for {channels} "
                         f"channels; use a reduction of at most {channels}.")
    layers = keras_module().layers
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_squeeze")(x)
    s = layers.Dense(units, activation="relu", name=f"{name}_reduce")(s)
    s = layers.Dense(channels, activation="sigmoid", name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


@register("se_resnet18", depth=18)
@register("se_resnet34", depth=34)
@register("se_resnet50", depth=50)
@register("se_resnet101", depth=101)
@register("se_resnet152", depth=152)
def se_resnet(depth, input_shape=(224, 224, 3), num_classes=1000, reduction=16, stride_in="1x1"):
    """SE-ResNet-``depth``: ResNet (He et al. 2015, Table 1) with an SE block in every unit.

    input: (N, 224, 224, 3) -> (N, 1000) softmax by default. SE-ResNet-50 has 28,088,024
    parameters against the paper's "~28.1M".
    """
    if depth not in RESNET_TABLE:
        raise ValueError(f"se_resnet: depth must be one of {sorted(RESNET_TABLE)}, got {depth!r}.")
    block, blocks = RESNET_TABLE[depth]
    return build_resnet(block, blocks, input_shape=input_shape, num_classes=num_classes,
                        stride_in=stride_in, se=True, reduction=reduction)
