"""Argument checks and small pieces shared by every zoo builder.

All checks run before Keras is touched, so a wrong ``input_shape`` or ``num_classes`` ends in a
one-line ``ValueError`` that says which sizes work, never in a backend traceback.

Stable API (other family modules import these):

* ``check_input_shape(input_shape, min_hw, name, channels=None) -> (H, W, C)``
* ``check_num_classes(num_classes, name) -> int``
* ``check_rate(value, name) -> float``
* ``output_side(n, steps) -> int`` and ``smallest_input(steps, at_least=1) -> int``: the
  spatial arithmetic of a chain of convolutions/pools, to derive a builder's minimum input
* ``ConvLayer``: the named record of one convolution row of a paper's table (AlexNet, ZFNet)

Keras itself comes from ``cnncourse._keras.import_backend`` (the quiet import); building
without weights is ``cnncourse._keras.without_weights``.
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from .._checks import pair, positive_int


class ConvLayer(NamedTuple):
    """One convolution row of a paper's layer table, and what follows it.

    ``padding`` is the zeros added on each side (0 = "valid") or ``"same"``; ``groups`` is the
    number of channel groups (AlexNet's two GPU towers); ``lrn`` / ``pool``: a local response
    normalisation / a max pool follows (in the order the family's builder states).
    """

    name: str
    filters: int
    kernel: int
    stride: int = 1
    padding: int | str = "same"
    groups: int = 1
    lrn: bool = False
    pool: bool = False


def _as_triple(input_shape, name: str) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(
            f"{name}: input_shape must be (height, width, channels) without the batch axis, "
            f"got {input_shape!r}. Example: input_shape=(224, 224, 3).")
    h = positive_int(input_shape[0], f"{name}: input_shape height")
    w = positive_int(input_shape[1], f"{name}: input_shape width")
    c = positive_int(input_shape[2], f"{name}: input_shape channels")
    return h, w, c


def check_input_shape(input_shape, min_hw, name: str, channels: int | None = None
                      ) -> tuple[int, int, int]:
    """Validate an image shape ``(H, W, C)`` for the model ``name`` and return it as ints.

    ``min_hw`` is the smallest spatial size (an int for square, or ``(rows, cols)``) the
    architecture can take; smaller inputs get a ``ValueError`` naming that minimum.
    ``channels``, when given, is the only channel count the model accepts.
    """
    h, w, c = _as_triple(input_shape, name)
    min_h, min_w = pair(min_hw, "min_hw")
    if h < min_h or w < min_w:
        raise ValueError(
            f"{name} needs an input of at least {min_h}x{min_w} pixels, got {h}x{w}: its "
            f"convolutions and pools would shrink a smaller image to nothing. "
            f"Use input_shape=({max(h, min_h)}, {max(w, min_w)}, {c}) or larger.")
    if channels is not None and c != channels:
        raise ValueError(
            f"{name} takes {channels}-channel images, got {c} channels in "
            f"input_shape={tuple(input_shape)}. Use input_shape=({h}, {w}, {channels}).")
    return h, w, c


def check_num_classes(num_classes, name: str) -> int:
    """``num_classes`` as an int >= 1 (the width of the final softmax layer)."""
    return positive_int(num_classes, f"{name}: num_classes")


def check_rate(value, name: str) -> float:
    """A dropout rate in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}. "
                         "Use 0 to switch dropout off.")
    return float(value)


def output_side(n: int, steps) -> int:
    """Side length after a chain of window operations, or 0 once the image has vanished.

    ``steps`` is a sequence of ``(kernel, stride, padding)``; ``padding`` is a number of zeros
    added on each side, or ``"same"`` (Keras's rule: the output side is ``ceil(n / stride)``).
    Example: AlexNet's conv1 ``(11, 4, 0)`` maps 227 to 55.
    """
    for kernel, stride, padding in steps:
        if padding == "same":
            n = math.ceil(n / stride)
        elif n + 2 * padding < kernel:
            return 0
        else:
            n = (n + 2 * padding - kernel) // stride + 1
    return n


def smallest_input(steps, at_least: int = 1) -> int:
    """The smallest side ``n`` for which ``output_side(n, steps) >= at_least``."""
    n = 1
    while output_side(n, steps) < at_least:
        n += 1
    return n
