"""ResNet (He et al. 2015) and pre-activation ResNet (He et al. 2016), written from the papers' tables.

``RESNET_TABLE`` is Table 1 of "Deep Residual Learning for Image Recognition" as data: the block
kind and the number of blocks in the stages conv2_x … conv5_x. Every stage doubles the width
(``STAGE_WIDTHS``); a bottleneck block ends in ``EXPANSION["bottleneck"] = 4`` times that width.

Paper-exact details (these decide the parameter and multiply-add counts):

* a convolution followed by BatchNorm has no bias (its bias would be cancelled by BN's mean);
* shortcuts are identities, except where the shape changes: there a 1x1 convolution + BN
  projects them (the paper's option B);
* the downsampling stride of a bottleneck sits in its FIRST 1x1 convolution, as in the original
  paper and its Caffe models. Then ResNet-50 costs 3.86 G multiply-adds (conv + fc), the paper's
  "3.8 GFLOPs"; torchvision's "ResNet v1.5" moves the stride into the 3x3 convolution, which
  costs 4.09 G and is ``stride_in="3x3"`` here. The parameter count is the same either way.
* padding is symmetric, as in the paper's Caffe/Torch models: explicit ``ZeroPadding2D`` before
  every strided convolution or pool, since Keras's ``"same"`` pads a stride-2 layer unevenly.

Layers are named like ``keras.applications``: ``conv1_conv``, ``conv2_block1_1_conv``, the
projection shortcut ``conv2_block1_0_conv``, the block output ``conv2_block1_out``, so
``model.summary()`` and ``param_table`` group by stage.

Pre-activation units (He et al. 2016, "Identity Mappings in Deep Residual Networks") move BN and
ReLU in front of each convolution: ``x + F(BN-ReLU(x))`` with nothing after the addition. As the
paper prescribes, the first unit reuses the BN-ReLU that follows conv1 (it gets no activation of
its own), a projection shortcut starts from the pre-activated input, and one BN-ReLU follows the
last unit before pooling.
"""
from __future__ import annotations

from .._checks import did_you_mean, positive_int
from .._keras import import_backend
from ._common import check_input_shape, check_num_classes
from ._registry import register
from .blocks import EXPANSION, bn_relu, preact_residual_unit, residual_unit

__all__ = [
    "RESNET_TABLE", "STAGE_WIDTHS", "EXPANSION", "MIN_INPUT",
    "build_resnet", "resnet", "preact_resnet", "table_entry", "weighted_depth",
]

# He et al. 2015, Table 1: depth -> (block kind, blocks in conv2_x, conv3_x, conv4_x, conv5_x).
RESNET_TABLE = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
STAGE_WIDTHS = (64, 128, 256, 512)  # 3x3 width of conv2_x … conv5_x
# EXPANSION (block output channels = width * expansion) lives with the residual units in blocks.
CONVS_PER_BLOCK = {"basic": 2, "bottleneck": 3}  # weighted layers on a block's main path
STRIDE_PLACES = ("1x1", "3x3")
# Five stride-2 steps (conv1, pool1, conv3_1, conv4_1, conv5_1) shrink the image 32 times, so one
# cell of the last feature map stands for a 32x32 block of pixels (keras.applications' minimum too).
MIN_INPUT = 32


def weighted_depth(block: str, blocks) -> int:
    """The paper's layer count: conv1 + the main-path convolutions of every block + the fc layer.

    ``weighted_depth("bottleneck", [3, 8, 36, 3]) == 152`` — the slide's (3+8+36+3) x 3 + 2.
    Projection shortcuts are not counted, as in the paper.
    """
    block, blocks = _check_spec(block, blocks)
    return CONVS_PER_BLOCK[block] * sum(blocks) + 2


def _check_spec(block, blocks) -> tuple[str, tuple[int, ...]]:
    if not isinstance(block, str) or block not in EXPANSION:
        raise ValueError(f"block must be 'basic' or 'bottleneck', got {block!r}: "
                         f"{did_you_mean(str(block), EXPANSION)}")
    if not isinstance(blocks, (tuple, list)) or len(blocks) != len(STAGE_WIDTHS):
        raise ValueError(f"blocks must list the number of blocks of the {len(STAGE_WIDTHS)} stages "
                         f"conv2_x … conv5_x, e.g. [3, 4, 6, 3]; got {blocks!r}.")
    return block, tuple(positive_int(n, f"blocks[{i}]") for i, n in enumerate(blocks))


def _check_options(name, input_shape, num_classes, stride_in, se, reduction, block):
    """Validate every argument before any layer is built; return ``(input_shape, num_classes, reduction)``."""
    h, w, c = check_input_shape(input_shape, 1, name)
    if h < MIN_INPUT or w < MIN_INPUT:
        raise ValueError(
            f"{name} needs an input of at least {MIN_INPUT}x{MIN_INPUT} pixels, got {h}x{w}: its five "
            f"stride-2 steps (total stride 32) make each cell of the last feature map stand for a "
            f"32x32 block of pixels, which a smaller image cannot fill. Use input_shape="
            f"({max(h, MIN_INPUT)}, {max(w, MIN_INPUT)}, {c}) or resize the images up.")
    num_classes = check_num_classes(num_classes, name)
    if stride_in not in STRIDE_PLACES:
        raise ValueError(f"{name}: stride_in must be '1x1' (the paper) or '3x3' (torchvision's v1.5), "
                         f"got {stride_in!r}.")
    if not isinstance(se, bool):
        raise ValueError(f"{name}: se must be True or False, got {se!r}.")
    reduction = positive_int(reduction, f"{name}: reduction")
    narrowest = STAGE_WIDTHS[0] * EXPANSION[block]
    if se and reduction > narrowest:
        raise ValueError(f"{name}: reduction={reduction} would squeeze the {narrowest}-channel blocks "
                         f"of conv2_x to zero units; use a reduction of at most {narrowest} "
                         "(the paper uses 16).")
    return (h, w, c), num_classes, reduction


def build_resnet(block="bottleneck", blocks=(3, 4, 6, 3), *, input_shape=(224, 224, 3),
                 num_classes=1000, preact=False, stride_in="1x1", se=False, reduction=16,
                 name=None):
    """A ResNet from its spec: ``block`` kind and ``blocks`` per stage (conv2_x … conv5_x).

    input: (N, H, W, C) images, H, W >= 32; output: (N, num_classes) softmax probabilities.
    Stage outputs for a 224x224 input: conv1 112x112, conv2_x 56, conv3_x 28, conv4_x 14, conv5_x 7.
    ``preact=True`` builds He et al. 2016's pre-activation units; ``se=True`` puts a squeeze-and-
    excitation block (``reduction``) on every residual branch before the addition.
    """
    block, blocks = _check_spec(block, blocks)
    name = name or f"{'preact_' if preact else ''}{'se_' if se else ''}resnet{weighted_depth(block, blocks)}"
    input_shape, num_classes, reduction = _check_options(
        name, input_shape, num_classes, stride_in, se, reduction, block)
    keras = import_backend()
    layers = keras.layers
    se_reduction = reduction if se else None

    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (width, count) in enumerate(zip(STAGE_WIDTHS, blocks), start=2):
        for b in range(1, count + 1):
            stride = 2 if b == 1 and stage > 2 else 1
            unit_name = f"conv{stage}_block{b}"
            if preact:
                x = preact_residual_unit(x, block, width, stride, name=unit_name,
                                         stride_in=stride_in, se_reduction=se_reduction,
                                         activated=(stage == 2 and b == 1))
            else:
                x = residual_unit(x, block, width, stride, name=unit_name, stride_in=stride_in,
                                  se_reduction=se_reduction)
    if preact:
        x = bn_relu(x, "post")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def table_entry(depth, name: str) -> tuple[str, tuple[int, ...]]:
    """``(block kind, blocks per stage)`` of ResNet-``depth`` from Table 1, or a ValueError."""
    if depth not in RESNET_TABLE:
        raise ValueError(f"{name}: depth must be one of {sorted(RESNET_TABLE)} (He et al. 2015, Table 1), "
                         f"got {depth!r}. For another layout call build_resnet(block, blocks).")
    return RESNET_TABLE[depth]


@register("resnet18", depth=18)
@register("resnet34", depth=34)
@register("resnet50", depth=50)
@register("resnet101", depth=101)
@register("resnet152", depth=152)
def resnet(depth, input_shape=(224, 224, 3), num_classes=1000, stride_in="1x1"):
    """ResNet-``depth`` of He et al. 2015 (Table 1). input: (N, 224, 224, 3) -> (N, 1000) by default.

    With squeeze-and-excitation it is ``build("se_resnet50")`` (``senet.se_resnet``).
    """
    block, blocks = table_entry(depth, f"resnet{depth}")
    return build_resnet(block, blocks, input_shape=input_shape, num_classes=num_classes,
                        stride_in=stride_in)


@register("preact_resnet18", depth=18)
@register("preact_resnet34", depth=34)
@register("preact_resnet50", depth=50)
@register("preact_resnet101", depth=101)
@register("preact_resnet152", depth=152)
def preact_resnet(depth, input_shape=(224, 224, 3), num_classes=1000, stride_in="1x1"):
    """Pre-activation ResNet-``depth`` (He et al. 2016). input: (N, 224, 224, 3) -> (N, 1000) by default."""
    block, blocks = table_entry(depth, f"preact_resnet{depth}")
    return build_resnet(block, blocks, input_shape=input_shape, num_classes=num_classes,
                        preact=True, stride_in=stride_in)
