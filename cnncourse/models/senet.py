"""Squeeze-and-Excitation (Hu et al., "Squeeze-and-Excitation Networks", 2017/2018).

An SE block re-weights the channels of a feature map by how much each one matters for this image:

* squeeze: global average pooling turns each (H, W) map into one number, z: (N, C);
* excitation: FC to C/r units + ReLU, FC back to C units + sigmoid, s = σ(W2 δ(W1 z)) in (0, 1);
* scale: multiply every channel of the input by its weight s_c.

The paper uses r = 16 and FC layers with biases, so one block adds 2C²/r + C/r + C parameters.
``se_block`` (written in ``blocks``, re-exported here) works on any 4-D Keras tensor, so it can
be added to any functional backbone. ``se_resnet`` is the zoo's one route to an SE-ResNet: a
ResNet (``resnet.build_resnet``) with an SE block on every residual branch, just before the
addition (the SE-ResNet module of the paper's Fig. 3).
"""
from __future__ import annotations

from ._registry import register
from .blocks import se_block
from .resnet import build_resnet, table_entry

__all__ = ["se_block", "se_resnet"]


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
    block, blocks = table_entry(depth, f"se_resnet{depth}")
    return build_resnet(block, blocks, input_shape=input_shape, num_classes=num_classes,
                        stride_in=stride_in, se=True, reduction=reduction)
