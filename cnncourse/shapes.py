"""Output sizes and receptive fields of convolution and pooling layers (pure Python, no backend).

The lectures give one formula for the side of a feature map (ML9, example 9.3-2)::

    out = (n + 2p - f) / s + 1          n: input side, f: filter, p: padding per side, s: stride

It only describes a real layer when the division is exact. ``conv_output_size`` therefore
refuses a fractional result by default (``strict=True``) and says which inputs and paddings
would tile exactly; ``strict=False`` rounds down as Keras, TensorFlow and PyTorch do. Dilation
``d`` spreads the ``f`` taps over ``d * (f - 1) + 1`` pixels (the *effective* filter size).

``receptive_field`` follows the input-pixel span of one output unit through a stack of layers
with the recurrence ``rf += (f_eff - 1) * jump`` and ``jump *= s``, where ``jump`` is the
distance, in input pixels, between neighbouring units of the current layer.
"""
from __future__ import annotations

import pandas as pd

from ._checks import did_you_mean, non_negative_int, pair, positive_int
from ._keras import layer_graph

__all__ = [
    "conv_output_size",
    "effective_kernel",
    "pool_output_size",
    "receptive_field",
    "same_padding",
    "transpose_output_size",
]

PADDING_MODES = ("valid", "same")


def padding_mode(padding: str) -> str:
    """Return ``padding`` lower-cased if it is 'valid' or 'same', else raise with a hint."""
    mode = padding.strip().lower()
    if mode not in PADDING_MODES:
        raise ValueError(f"padding={padding!r} is not a padding mode: "
                         f"{did_you_mean(mode, PADDING_MODES)} (or give a whole number of "
                         "pixels per side, e.g. padding=1).")
    return mode


def effective_kernel(f: int, d: int = 1) -> int:
    """Pixels spanned by ``f`` taps spaced ``d`` apart: ``d * (f - 1) + 1`` (3 taps, d=2 -> 5)."""
    return positive_int(d, "d") * (positive_int(f, "f") - 1) + 1


def same_padding(n: int, f: int, s: int = 1, d: int = 1) -> tuple[int, int]:
    """Pixels (before, after) that Keras/TensorFlow 'same' padding adds to a side of ``n``.

    The output side is ``ceil(n / s)``; the padding needed for that is split with the odd pixel
    at the end (bottom/right), e.g. ``same_padding(6, 3, s=2) == (0, 1)``.
    """
    n, s = positive_int(n, "n"), positive_int(s, "s")
    out = -(-n // s)
    total = max((out - 1) * s + effective_kernel(f, d) - n, 0)
    return total // 2, total - total // 2


def _formula(f: int, d: int) -> str:
    return "(n + 2p - f)/s + 1" if d == 1 else "(n + 2p - d(f-1) - 1)/s + 1"


def _not_whole_message(what: str, n: int, f: int, p: int, s: int, d: int) -> str:
    """Explain a fractional output size and list the inputs and paddings that would tile."""
    f_eff = effective_kernel(f, d)
    span = n + 2 * p - f_eff
    leftover = span % s
    value = span / s + 1
    smaller, larger = n - leftover, n - leftover + s
    fits = [f"n={m} (-> {(m + 2 * p - f_eff) // s + 1})"
            for m in (smaller, larger) if m + 2 * p >= f_eff and m >= 1]
    pads = [q for q in range(p, p + s) if (n + 2 * q - f_eff) % s == 0]
    if pads:
        pad_hint = f"padding p={pads[0]} also tiles (-> {(n + 2 * pads[0] - f_eff) // s + 1})."
    else:
        pad_hint = (f"no symmetric padding p tiles it: n + 2p - f is odd for every p ({span} "
                    f"here) while s = {s} is even; pad one side a pixel more, or change n.")
    return (f"{what}(n={n}, f={f}, p={p}, s={s}{'' if d == 1 else f', d={d}'}): "
            f"{_formula(f, d)} = ({n} + {2 * p} - {f_eff})/{s} + 1 = {value:g} is not a whole "
            f"number: the windows do not tile the input and {leftover} pixel(s) at the end are "
            f"never covered. Inputs that tile exactly: {' or '.join(fits)}; {pad_hint} "
            "Pass strict=False to round down as Keras and PyTorch do.")


def _output_size(what: str, n, f, p, s, d, strict: bool) -> int:
    n, f, s, d = (positive_int(n, "n"), positive_int(f, "f"), positive_int(s, "s"),
                  positive_int(d, "d"))
    if isinstance(p, str):
        if padding_mode(p) == "same":
            return -(-n // s)
        p = 0
    p = non_negative_int(p, "p")
    f_eff = effective_kernel(f, d)
    if n + 2 * p < f_eff:
        need = -(-(f_eff - n) // 2)
        raise ValueError(f"{what}: the filter spans {f_eff} pixels but the padded input has only "
                         f"n + 2p = {n + 2 * p}; use p >= {need}, padding 'same', or a smaller "
                         "filter/dilation.")
    if strict and (n + 2 * p - f_eff) % s:
        raise ValueError(_not_whole_message(what, n, f, p, s, d))
    return (n + 2 * p - f_eff) // s + 1


def conv_output_size(n: int, f: int, p: int | str = 0, s: int = 1, d: int = 1,
                     strict: bool = True) -> int:
    """Side of a convolution's output map: ``(n + 2p - d(f-1) - 1) / s + 1``.

    n: input side; f: filter side; p: zero padding per side, or 'valid' (p=0) or 'same'
    (Keras/TensorFlow: output ``ceil(n / s)``, padding chosen to fit); s: stride; d: dilation.
    strict: raise ``ValueError`` (naming inputs and paddings that would work) when the
    division is not exact; ``strict=False`` rounds down like the frameworks.

    >>> conv_output_size(227, 11, s=4)      # AlexNet conv1
    55
    """
    return _output_size("conv_output_size", n, f, p, s, d, strict)


def pool_output_size(n: int, f: int, s: int | None = None, p: int | str = 0,
                     strict: bool = True) -> int:
    """Side of a pooling layer's output: ``(n + 2p - f) / s + 1``; ``s`` defaults to ``f``.

    Same rules as ``conv_output_size``: 2x2 pooling of 28 -> 14; ``strict`` refuses 27.
    """
    s = f if s is None else s
    return _output_size("pool_output_size", n, f, p, s, 1, strict)


def transpose_output_size(n: int, f: int, s: int = 1, p: int | str = 0,
                          output_padding: int | None = None, d: int = 1) -> int:
    """Side of a transposed convolution's output (the inverse of ``conv_output_size``).

    With a whole number ``p`` (PyTorch's convention) the side is
    ``(n - 1) * s - 2p + d(f-1) + 1 + output_padding`` (``output_padding`` None means 0).
    With ``p='valid'`` or ``'same'`` it follows Keras ``Conv2DTranspose``: 'same' gives
    ``n * s`` and 'valid' gives ``(n - 1) * s + max(f_eff, s)`` unless ``output_padding`` is
    given, in which case they give ``(n - 1) * s + f_eff % 2 + output_padding`` and
    ``(n - 1) * s + f_eff + output_padding``. ``output_padding`` must be smaller than ``s``.
    """
    n, s = positive_int(n, "n"), positive_int(s, "s")
    f_eff = effective_kernel(f, d)
    if output_padding is not None:
        output_padding = non_negative_int(output_padding, "output_padding")
        if output_padding >= s:
            raise ValueError(f"output_padding={output_padding} must be smaller than the stride "
                             f"s={s}: it only picks one of the s input sizes that share an "
                             "output size.")
    if isinstance(p, str):
        if padding_mode(p) == "same":
            return n * s if output_padding is None else (n - 1) * s + f_eff % 2 + output_padding
        if output_padding is None:
            return (n - 1) * s + max(f_eff, s)
        return (n - 1) * s + f_eff + output_padding
    p = non_negative_int(p, "p")
    size = (n - 1) * s - 2 * p + f_eff + (output_padding or 0)
    if size < 1:
        raise ValueError(f"transpose_output_size: padding p={p} crops away the whole output "
                         f"((n-1)s + f_eff - 2p = {size}); use a smaller p.")
    return size


# --- receptive fields ------------------------------------------------------------------------

_COLUMNS = ["name", "kernel", "stride", "dilation", "jump", "rf"]


def _spec_from_tuple(item) -> tuple[str, tuple, tuple, tuple]:
    if not isinstance(item, (tuple, list)) or len(item) not in (3, 4):
        raise ValueError(f"receptive_field: each layer is (name, kernel, stride) or (name, kernel, "
                         f"stride, dilation), got {item!r}.")
    name, kernel, stride, *rest = item
    dilation = rest[0] if rest else 1
    return (str(name), pair(kernel, f"{name}: kernel"), pair(stride, f"{name}: stride"),
            pair(dilation, f"{name}: dilation"))


def _spec_from_layer(layer):
    """(name, kernel, stride, dilation) of a Keras layer that changes the field, else None."""
    kind = type(layer).__name__
    if "Transpose" in kind or "UpSampling" in kind:
        raise ValueError(f"receptive_field: layer {layer.name!r} ({kind}) upsamples; the table "
                         "covers downsampling stacks only. Pass the encoder part of the model.")
    kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    if kernel is None or kind.startswith("Global"):
        return None
    if len(kernel) != 2:
        raise ValueError(f"receptive_field: layer {layer.name!r} ({kind}) is not 2-D "
                         f"(kernel {tuple(kernel)}); only 2-D layers are supported.")
    dilation = getattr(layer, "dilation_rate", (1, 1))
    return layer.name, tuple(kernel), tuple(layer.strides), tuple(dilation)


_START = ((1, 1), (1, 1))  # (rf, jump) per axis of the input itself


def _compose(state: tuple, block: tuple) -> tuple:
    """(rf, jump) after a block whose own field is ``block``: rf += (rf_b - 1) * jump, jump *= j_b.

    A single layer is the block (f_eff, s), which gives the recurrence of the module docstring.
    """
    (rf, jump), (rf_b, jump_b) = state, block
    return (tuple(r + (rb - 1) * j for r, rb, j in zip(rf, rf_b, jump)),
            tuple(j * jb for j, jb in zip(jump, jump_b)))


def _grow(state: tuple, spec) -> tuple:
    _, kernel, stride, dilation = spec
    return _compose(state, (tuple(effective_kernel(k, d) for k, d in zip(kernel, dilation)), stride))


def _row(spec, state) -> dict:
    name, kernel, stride, dilation = spec
    rf, jump = state
    return dict(zip(_COLUMNS, (name, kernel, stride, dilation, jump, rf)))


def _merge(states: list) -> tuple:
    """Field of a merge (Add, Concatenate): the union of the branches' fields, axis by axis.

    Branches that merge are centred on the same output pixel, so the union of their fields is,
    on each axis, the widest field of any branch (a 1×7 branch and a 7×1 branch cover 7×7).
    """
    rfs, jumps = zip(*states)
    return tuple(map(max, zip(*rfs))), tuple(map(max, zip(*jumps)))


def _rows_from_model(model) -> tuple[list[dict], tuple]:
    """Rows of a model's spatial layers and the (rf, jump) of its output, from its own input.

    A nested model contributes its own rows, named 'block/layer' and seen through the field
    that reaches it.
    """
    states, rows, previous = {}, [], _START
    for layer, parents in layer_graph(model):
        incoming = _merge([states.get(id(p), _START) for p in parents] or [_START])
        if hasattr(layer, "layers"):
            inner_rows, inner_state = _rows_from_model(layer)
            for row in inner_rows:
                rf, jump = _compose(incoming, (row["rf"], row["jump"]))
                rows.append({**row, "name": f"{layer.name}/{row['name']}", "rf": rf, "jump": jump})
            state = _compose(incoming, inner_state)
        else:
            spec = _spec_from_layer(layer)
            state = incoming if spec is None else _grow(incoming, spec)
            if spec is not None:
                rows.append(_row(spec, state))
        states[id(layer)] = previous = state
    return rows, previous


def _squeeze(table: pd.DataFrame) -> pd.DataFrame:
    """Write (h, w) pairs as plain ints when every layer in the table is square."""
    pairs = ["kernel", "stride", "dilation", "jump", "rf"]
    if all(a == b for col in pairs for a, b in table[col]):
        for col in pairs:
            table[col] = [a for a, _ in table[col]]
    return table


def receptive_field(layers_or_model) -> pd.DataFrame:
    """Receptive field of each layer's units, in input pixels, as a DataFrame.

    layers_or_model: a list of ``(name, kernel, stride)`` or ``(name, kernel, stride,
    dilation)`` tuples (ints or (h, w) pairs), or a Keras model, whose Conv/Depthwise/Separable
    convolution and pooling layers are read; other layers (activations, normalisation,
    padding, dropout) do not change the field and are left out of the table. At a merge (Add,
    Concatenate) the widest incoming field is used; the layers of a nested model appear as
    'block/layer'.

    Columns: name, kernel, stride, dilation, jump (input pixels between neighbouring units), rf
    (side of the field). The first row is the input itself (rf 1, jump 1). Values are ints when
    every layer is square, otherwise (height, width) pairs.

    >>> receptive_field([("conv1", 3, 1), ("conv2", 3, 1)])["rf"].tolist()
    [1, 3, 5]
    """
    if hasattr(layers_or_model, "layers"):
        rows, _ = _rows_from_model(layers_or_model)
    else:
        if isinstance(layers_or_model, (str, bytes)) or not hasattr(layers_or_model, "__iter__"):
            raise ValueError("receptive_field takes a Keras model or a list of (name, kernel, "
                             f"stride[, dilation]) tuples, got {type(layers_or_model).__name__}.")
        state, rows = _START, []
        for spec in map(_spec_from_tuple, layers_or_model):
            state = _grow(state, spec)
            rows.append(_row(spec, state))
    first = _row(("input", (1, 1), (1, 1), (1, 1)), _START)
    return _squeeze(pd.DataFrame([first] + rows, columns=_COLUMNS))
