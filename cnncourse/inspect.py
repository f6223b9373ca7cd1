"""Look inside the classic networks (chapters 8 and 9): what each unit sees and what it does.

* Which input pixels a unit covers: ``conv_windows`` (pure arithmetic, the walk of seed 004:
  AlexNet's filter n covers pixels 4(n-1)+1 ... 4(n-1)+11) and ``field_geometry`` (the same
  read from the layers of a real Keras model, padding included).
* What the network sees: ``ten_crops`` (AlexNet's test-time crops), ``layer_outputs`` (feature
  maps), ``top_activations`` and ``top_patches`` (the inputs that excite a channel most, the
  simplest form of ZFNet's feature visualisation).
* NumPy references for layers the course checks the zoo against: ``local_response_norm``.
* Tables that read a model like its paper: ``googlenet_table`` (Table 1 of Szegedy et al.).

Example::

    from cnncourse import inspect, models
    inspect.conv_windows(227, 11, 4).tail(1)        # unit 55 covers pixels 217 ... 227
    model = models.build("mnist_cnn")
    inspect.field_geometry(model, "conv2")          # rf 8, jump 2, start -3 on each axis
"""
from __future__ import annotations

import numpy as np

from ._checks import did_you_mean, non_negative_int, positive_int

__all__ = [
    "conv_windows",
    "field_geometry",
    "googlenet_table",
    "input_window",
    "layer_outputs",
    "local_response_norm",
    "ten_crops",
    "top_activations",
    "top_patches",
]


# ---------------------------------------------------------------- which pixels a unit sees

def conv_windows(n: int, f: int, s: int = 1, p: int = 0):
    """The input pixels covered by each window of a 1-D slide of ``f`` pixels, stride ``s``.

    n: input side; f: window (filter) side; s: stride; p: zeros added at each end. Pixels are
    numbered 1 ... n as on the slides; padding pixels get numbers <= 0 or > n. Only whole
    windows are listed (what Keras computes with 'valid' padding). Returns a DataFrame with
    columns ``unit`` (1, 2, ...), ``first`` and ``last``: window ``unit`` covers
    ``s(unit-1) + 1 - p ... s(unit-1) + f - p``. ``attrs["uncovered"]`` lists the real pixels at
    the end that no window reaches (empty when the windows tile the input exactly).

    >>> conv_windows(227, 11, 4).iloc[-1].tolist()      # AlexNet conv1: the 55th window
    [55, 217, 227]
    """
    import pandas as pd

    n, f, s = positive_int(n, "n"), positive_int(f, "f"), positive_int(s, "s")
    p = non_negative_int(p, "p")
    if n + 2 * p < f:
        raise ValueError(f"conv_windows: a window of {f} pixels does not fit in n + 2p = "
                         f"{n + 2 * p} pixels; use a smaller f or more padding p.")
    units = np.arange(1, (n + 2 * p - f) // s + 2)
    first = s * (units - 1) + 1 - p
    table = pd.DataFrame({"unit": units, "first": first, "last": first + f - 1})
    table.attrs["uncovered"] = list(range(int(table["last"].iloc[-1]) + 1, n + 1))
    return table


def _single_parent(layer):
    nodes = getattr(layer, "_inbound_nodes", [])
    parents = [node.operation for node in nodes[0].parent_nodes] if nodes else []
    if len(nodes) > 1 or len(parents) > 1:
        raise ValueError(f"field_geometry follows a plain chain of layers, but layer "
                         f"{layer.name!r} has several inputs or is used twice; pass a model "
                         "without branches (e.g. mnist_cnn, alexnet, zfnet, vgg16).")
    return parents[0] if parents else None


def _chain_to(model, layer_name: str) -> list:
    """The layers from the model's input to ``layer_name``, in order."""
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"model {model.name!r} has no layer {layer_name!r}: "
                         f"{did_you_mean(layer_name, names)}")
    chain, layer = [], model.get_layer(layer_name)
    while layer is not None:
        chain.append(layer)
        layer = _single_parent(layer)
    return chain[::-1]


def _pad_before(layer, side: int, kernel: int, stride: int, dilation: int) -> int:
    """Zeros a layer adds before the first pixel of an axis of ``side`` pixels."""
    if getattr(layer, "padding", "valid") == "same":
        from .shapes import same_padding

        return same_padding(side, kernel, stride, dilation)[0]
    return 0


def field_geometry(model, layer_name: str) -> dict:
    """Where the units of layer ``layer_name`` look in the input image of ``model``.

    Returns ``{"rf": (h, w), "jump": (h, w), "start": (h, w)}``: the receptive-field side,
    the distance in input pixels between neighbouring units, and the input coordinate
    (0-based, negative inside the zero padding) of the top-left pixel seen by unit (0, 0).
    Unit (i, j) sees rows ``start[0] + i*jump[0]`` ... ``+ rf[0] - 1`` and likewise columns.
    Convolutions, pools and ZeroPadding2D are followed ('valid' and Keras 'same' padding);
    every other layer leaves the geometry alone. The model must be a plain chain up to the
    layer (no branches).
    """
    rf, jump, start = [1, 1], [1, 1], [0, 0]
    for layer in _chain_to(model, layer_name):
        if type(layer).__name__ == "ZeroPadding2D":
            for axis in (0, 1):
                start[axis] -= layer.padding[axis][0] * jump[axis]
            continue
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        if kernel is None or type(layer).__name__.startswith("Global"):
            continue
        strides = layer.strides
        dilation = getattr(layer, "dilation_rate", (1, 1))
        for axis in (0, 1):
            side = layer.input.shape[1 + axis]
            pad = _pad_before(layer, side, kernel[axis], strides[axis], dilation[axis])
            span = dilation[axis] * (kernel[axis] - 1) + 1
            start[axis] -= pad * jump[axis]
            rf[axis] += (span - 1) * jump[axis]
            jump[axis] *= strides[axis]
    return {"rf": tuple(rf), "jump": tuple(jump), "start": tuple(start)}


def input_window(geometry: dict, row: int, col: int) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` input rows/columns (half-open) seen by unit (row, col).

    geometry: from ``field_geometry``. The window may reach into the padding (negative, or
    past the image).
    """
    row, col = non_negative_int(row, "row"), non_negative_int(col, "col")
    top = geometry["start"][0] + row * geometry["jump"][0]
    left = geometry["start"][1] + col * geometry["jump"][1]
    return top, top + geometry["rf"][0], left, left + geometry["rf"][1]


# ---------------------------------------------------------------- what the network sees

def ten_crops(image, crop: int) -> np.ndarray:
    """AlexNet's test-time views: the four corner and the centre ``crop x crop`` patches,
    then the same five mirrored left-right.

    image: ``(H, W)`` or ``(H, W, C)``. Returns ``(10, crop, crop)`` or ``(10, crop, crop, C)``
    in the order top-left, top-right, bottom-left, bottom-right, centre, then their mirrors.
    The paper averages the softmax over these ten (224 crops of a 256 image).
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"ten_crops takes one image (H, W) or (H, W, C), got shape {image.shape}.")
    crop = positive_int(crop, "crop")
    h, w = image.shape[:2]
    if crop > min(h, w):
        raise ValueError(f"ten_crops: a {crop}x{crop} crop does not fit in a {h}x{w} image; "
                         f"use crop <= {min(h, w)}.")
    corners = [(0, 0), (0, w - crop), (h - crop, 0), (h - crop, w - crop),
               ((h - crop) // 2, (w - crop) // 2)]
    five = [image[r:r + crop, c:c + crop] for r, c in corners]
    return np.stack(five + [view[:, ::-1] for view in five])


def _check_batch(model, x) -> np.ndarray:
    x = np.asarray(x)
    expected = tuple(model.inputs[0].shape[1:])
    if x.ndim != len(expected) + 1 or any(e is not None and e != g
                                          for e, g in zip(expected, x.shape[1:])):
        raise ValueError(f"model {model.name!r} takes a batch of shape (N, "
                         f"{', '.join(str(e) for e in expected)}), got {x.shape}. "
                         "Add the batch axis with x[None] or the channel axis with x[..., None].")
    return x


def layer_outputs(model, x, names, batch_size: int = 256) -> dict:
    """The outputs (feature maps) of the named layers for a batch ``x: (N, H, W, C)``.

    names: one layer name or a list of them. Returns ``{name: array (N, ...)}`` computed in
    inference mode (dropout off).
    """
    names = [names] if isinstance(names, str) else list(names)
    known = [layer.name for layer in model.layers]
    for name in names:
        if name not in known:
            raise ValueError(f"model {model.name!r} has no layer {name!r}: "
                             f"{did_you_mean(str(name), known)}")
    x = _check_batch(model, x)
    batch_size = positive_int(batch_size, "batch_size")
    from ._quiet import import_backend

    keras = import_backend()
    probe = keras.Model(model.inputs, [model.get_layer(name).output for name in names],
                        name=f"{model.name}_probe")
    outputs = probe.predict(x, batch_size=batch_size, verbose=0)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {name: np.asarray(out) for name, out in zip(names, outputs)}


def top_activations(model, layer_name: str, x, channels=None, k: int = 4):
    """For each channel, the ``k`` images of ``x: (N, H, W, C)`` that excite it most.

    An image's score for a channel is the largest value of that channel's feature map, and
    its position is where that maximum sits. channels: channel indices (default: all).
    Returns a DataFrame with columns ``channel, rank`` (1 = strongest), ``image`` (index into
    ``x``), ``row, col`` (the unit, in the layer's map) and ``activation``, sorted by channel
    then rank. Images are distinct within a channel.
    """
    import pandas as pd

    k = positive_int(k, "k")
    maps = layer_outputs(model, x, layer_name)[layer_name]
    if maps.ndim != 4:
        raise ValueError(f"layer {layer_name!r} outputs shape {maps.shape[1:]}, not a feature "
                         "map (H, W, C); pick a convolution or pooling layer.")
    n, _, width, depth = maps.shape
    channels = list(range(depth)) if channels is None else [
        non_negative_int(c, "channel") for c in channels]
    bad = [c for c in channels if c >= depth]
    if bad:
        raise ValueError(f"layer {layer_name!r} has channels 0 ... {depth - 1}, got {bad}.")
    if k > n:
        raise ValueError(f"k={k} top images asked for, but x holds only {n}.")
    rows = []
    for c in channels:
        flat = maps[..., c].reshape(n, -1)
        best, where = flat.max(axis=1), flat.argmax(axis=1)
        for rank, image in enumerate(np.argsort(-best, kind="stable")[:k], 1):
            rows.append(dict(channel=c, rank=rank, image=int(image),
                             row=int(where[image] // width), col=int(where[image] % width),
                             activation=float(best[image])))
    return pd.DataFrame(rows, columns=["channel", "rank", "image", "row", "col", "activation"])


def top_patches(model, layer_name: str, x, table) -> np.ndarray:
    """The input patches behind the rows of a ``top_activations`` table.

    Each patch is the receptive field (``field_geometry``) of the row's unit, cut from image
    ``x[row.image]`` with zeros where the field reaches into the padding. Returns
    ``(len(table), rf_h, rf_w, C)``.
    """
    x = _check_batch(model, x)
    geometry = field_geometry(model, layer_name)
    rf_h, rf_w = geometry["rf"]
    patches = np.zeros((len(table), rf_h, rf_w, x.shape[-1]), dtype=x.dtype)
    h, w = x.shape[1:3]
    for i, (image, row, col) in enumerate(zip(table["image"], table["row"], table["col"])):
        top, bottom, left, right = input_window(geometry, int(row), int(col))
        r0, r1, c0, c1 = max(top, 0), min(bottom, h), max(left, 0), min(right, w)
        patches[i, r0 - top:r1 - top, c0 - left:c1 - left] = x[image, r0:r1, c0:c1]
    return patches


# ---------------------------------------------------------------- NumPy layer references

def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"local_response_norm: {name} must be a number > 0, got {value!r}.")
    return float(value)


def local_response_norm(x, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 2.0) -> np.ndarray:
    """AlexNet's local response normalisation (Krizhevsky et al. 2012, section 3.3) in NumPy.

    x: ``(..., C)`` with channels last, e.g. ``(N, H, W, C)``; returns the same shape with

        b[c] = a[c] / (k + alpha * sum of a[j]**2 over j = c - size//2 ... c + size//2) ** beta

    where the window stops at the first and last channel. ``alpha`` multiplies the plain sum
    (the paper's convention); the defaults are the paper's k=2, n=5, alpha=1e-4, beta=0.75.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1:
        raise ValueError("local_response_norm needs an array with a channel axis (last).")
    size = positive_int(size, "size")
    if size % 2 == 0:
        raise ValueError(f"local_response_norm: size must be odd so the window is centred, "
                         f"got {size}. AlexNet uses 5.")
    alpha, beta, k = _positive(alpha, "alpha"), _positive(beta, "beta"), _positive(k, "k")
    half, channels = size // 2, x.shape[-1]
    squares = x ** 2
    window = np.stack([squares[..., max(0, c - half):c + half + 1].sum(axis=-1)
                       for c in range(channels)], axis=-1)
    return x / (k + alpha * window) ** beta


# ---------------------------------------------------------------- GoogLeNet, Table 1

_TABLE1_STEMS = {"conv1": "conv1", "conv2": "conv2", "loss3": "linear"}


def _table1_row(layer_name: str) -> str | None:
    """The row of Table 1 a GoogLeNet layer belongs to (``inception_4a_1x1`` -> ``4a``)."""
    head = layer_name.split("_")
    if head[0] == "inception":
        return head[1]
    return _TABLE1_STEMS.get(head[0])


def googlenet_table(model=None):
    """GoogLeNet's Table 1 recomputed from a model, one row per line of the paper's table.

    model: a GoogLeNet built by ``cnncourse.models.build("googlenet")`` (default: built for
    counting only). Columns: ``row`` (conv1, conv2, 3a ... 5b, linear), ``output`` (shape of
    the row's last layer), ``weights`` (kernels, no biases), ``biases``, ``macs``
    (multiply-adds per image), ``params_k`` = weights / 1024 and ``ops_m`` = macs / 10^6 (the
    units of the paper's columns), ``paper_params_k`` and ``paper_ops_m`` (as printed), and
    the ratios ``params_ratio`` = params_k / paper_params_k and ``ops_ratio``. Auxiliary
    classifiers are not part of Table 1 and are left out.
    """
    import pandas as pd

    from . import accounting
    from .references import GOOGLENET_TABLE1

    table = accounting.param_table("googlenet" if model is None else model)
    table = table.assign(row=[_table1_row(name) for name in table["name"]])
    table = table[table["row"].notna()]
    grouped = table.groupby("row", sort=False)
    frame = pd.DataFrame({
        "output": grouped["output_shape"].last(),
        "weights": grouped["weights"].sum(),
        "biases": grouped["biases"].sum(),
        "macs": grouped["macs"].sum().astype("int64"),
    }).reindex(list(GOOGLENET_TABLE1)).reset_index()
    frame["params_k"] = frame["weights"] / 1024
    frame["paper_params_k"] = [GOOGLENET_TABLE1[r][0] for r in frame["row"]]
    frame["ops_m"] = frame["macs"] / 1e6
    frame["paper_ops_m"] = [GOOGLENET_TABLE1[r][1] for r in frame["row"]]
    frame["params_ratio"] = frame["params_k"] / frame["paper_params_k"]
    frame["ops_ratio"] = frame["ops_m"] / frame["paper_ops_m"]
    return frame
