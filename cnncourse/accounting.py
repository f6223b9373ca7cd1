"""Count what a Keras model costs: parameters per layer, multiply-accumulates, activation memory.

Every count is read from real Keras layers, never typed in, so a notebook can put a slide's
number next to the computed one::

    from cnncourse import accounting, models
    table = accounting.param_table(models.build("lenet5"))   # one row per layer
    accounting.totals(table)["params"]                        # 61706
    accounting.reconcile("resnet50")   # ours vs paper vs keras.applications vs torchvision

Conventions used throughout:

* ``weights`` are multiplicative parameters (kernels, BatchNorm/LayerNorm γ), ``biases`` are
  additive ones (bias, β), ``other`` is everything else (BatchNorm moving μ and σ²).
  ``params = weights + biases + other`` and the column total equals ``model.count_params()``.
* ``macs`` are multiply-accumulates of a layer's learned weights for ONE image; bias additions,
  normalisation, activations and pooling count 0. This is what the ResNet and VGG papers call
  "FLOPs" (multiply-adds). A layer with weights but no known rule gets <NA>.
* ``activations`` are the values a layer outputs for one image (sum over its outputs and calls).
"""
from __future__ import annotations

import math
import sys
from fractions import Fraction

from . import models
from . import references as ref
from ._checks import did_you_mean, positive_int
from ._keras import layer_calls, layer_graph, output_layers, plain_console, without_weights

__all__ = [
    "COLUMNS", "param_table", "totals", "count_params", "count_trainable", "count_macs",
    "count_activations", "layer_depth", "summary", "reconcile", "explain", "compare_stacks",
    "factorization_examples", "separable_cost_ratio", "shapes_only", "zoo_counts", "zoo_model",
]

COLUMNS = ["name", "type", "output_shape", "formula", "weights", "biases", "other", "params",
           "trainable", "macs", "activations"]
_COUNT_COLUMNS = ["weights", "biases", "other", "params", "trainable", "macs", "activations"]

_WEIGHT_ROLES = {"kernel", "depthwise_kernel", "pointwise_kernel", "gamma", "scale", "embeddings"}
_BIAS_ROLES = {"bias", "beta"}
_SYMBOLS = {"gamma": "γ", "beta": "β", "moving_mean": "μ", "moving_variance": "σ²", "scale": "γ"}


# ---------------------------------------------------------------- argument checks (no backend)

def _as_model(model):
    """A built Keras model: pass one through, or build a zoo model from its name."""
    if isinstance(model, str):
        return zoo_model(model)
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(model, keras.Model):
        raise ValueError(
            f"model must be a Keras model or a zoo name such as 'vgg16', got "
            f"{type(model).__name__}. Build one with cnncourse.models.build(name).")
    return model


# ---------------------------------------------------------------- building without weights

# Build models inside ``with accounting.shapes_only():`` with shapes but no weight values: fast,
# for counting only (``cnncourse._keras.without_weights``, under the name notebooks use).
shapes_only = without_weights


# ---------------------------------------------------------------- one layer

def _variables(layer):
    seen, out = set(), []
    for v in getattr(layer, "weights", []):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _role(variable) -> str:
    return variable.name.split("/")[-1]


def _split_params(layer) -> dict:
    counts = dict(weights=0, biases=0, other=0, trainable=0)
    for v in _variables(layer):
        n = math.prod(v.shape)
        role = _role(v)
        key = "weights" if role in _WEIGHT_ROLES else "biases" if role in _BIAS_ROLES else "other"
        counts[key] += n
        counts["trainable"] += n if v.trainable else 0
    counts["params"] = counts["weights"] + counts["biases"] + counts["other"]
    return counts


def _channel_axis(layer) -> int:
    return 1 if getattr(layer, "data_format", "channels_last") == "channels_first" else -1


def _spatial(shape, layer) -> int:
    """Product of the spatial axes of ``shape`` (batch and channel axes left out)."""
    dims = shape[2:] if _channel_axis(layer) == 1 else shape[1:-1]
    return math.prod(dims)


def _kinds():
    import keras

    L = keras.layers
    return dict(
        transpose=(L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose),
        separable=(L.SeparableConv1D, L.SeparableConv2D),
        depthwise=(L.DepthwiseConv1D, L.DepthwiseConv2D),
        conv=(L.Conv1D, L.Conv2D, L.Conv3D),
        dense=(L.Dense,),
        einsum=(L.EinsumDense,),
        norm=(L.BatchNormalization, L.LayerNormalization, L.GroupNormalization,
              L.RMSNormalization, L.Normalization),
        embedding=(L.Embedding,),
    )


def _kind(layer, kinds) -> str | None:
    for name, classes in kinds.items():
        if isinstance(layer, classes):
            return name
    return None


def _call_macs(layer, kind, in_shapes, out_shapes):
    """Multiply-accumulates of one call for batch 1, or None when no rule is known."""
    if not _variables(layer):
        return 0
    x, y = in_shapes[0], out_shapes[0]
    k = math.prod(getattr(layer, "kernel_size", (1,)))
    if kind == "conv":
        return math.prod(y) * k * x[_channel_axis(layer)] // layer.groups
    if kind == "depthwise":
        return math.prod(y) * k
    if kind == "separable":
        mid = x[_channel_axis(layer)] * layer.depth_multiplier
        return _spatial(y, layer) * mid * (k + layer.filters)
    if kind == "transpose":
        return math.prod(x) * k * layer.filters
    if kind == "dense":
        return math.prod(x) * layer.units
    if kind == "einsum":
        return _einsum_macs(layer, x, y)
    if kind in ("norm", "embedding"):
        return 0
    return None


def _einsum_macs(layer, in_shape, out_shape) -> int:
    """MACs of an EinsumDense call (equation such as ``abc,cd->abd``).

    Every multiply-accumulate is one point of the grid spanned by all the equation's axes, so
    the count is the product of their sizes; with an ellipsis, ``prod(output) × prod(summed)``.
    """
    inputs, output = layer.equation.split("->")
    x_spec, w_spec = inputs.split(",")
    sizes = dict(zip(w_spec, layer.kernel.shape))
    if "..." not in x_spec:
        sizes.update(zip(x_spec, in_shape))
        return math.prod(sizes[c] for c in set(x_spec) | set(w_spec))
    summed = (set(x_spec) & set(w_spec)) - set(output)
    return math.prod(out_shape) * math.prod(sizes[c] for c in summed)


def _norm_formula(layer) -> str:
    variables = _variables(layer)
    size = math.prod(variables[0].shape)
    kept = [_SYMBOLS.get(_role(v), _role(v)) for v in variables if v.trainable]
    frozen = [_SYMBOLS.get(_role(v), _role(v)) for v in variables if not v.trainable]
    if frozen:
        note = f"{', '.join(kept)} trainable; {', '.join(frozen)} not" if kept else \
            f"{', '.join(frozen)} not trainable"
    else:
        note = ", ".join(kept)
    return f"{len(variables)}×{size} ({note})"


def _bias_term(layer, size) -> str:
    return f" + {size}" if getattr(layer, "use_bias", False) else ""


def _formula(layer, kind, in_shape) -> str:
    """The parameter count in words with the numbers, e.g. ``3×11×11×96 + 96``."""
    if not _variables(layer):
        return "0"
    c_in = in_shape[_channel_axis(layer)] if kind in ("conv", "depthwise", "separable",
                                                      "transpose") else None
    ks = "×".join(str(s) for s in getattr(layer, "kernel_size", ()))
    if kind in ("conv", "transpose"):
        groups = getattr(layer, "groups", 1)
        text = f"{c_in}×{ks}×{layer.filters}" + (f"÷{groups}" if groups > 1 else "")
        return text + _bias_term(layer, layer.filters)
    if kind == "depthwise":
        dm = layer.depth_multiplier
        return f"{c_in}×{ks}" + (f"×{dm}" if dm > 1 else "") + _bias_term(layer, c_in * dm)
    if kind == "separable":
        dm = layer.depth_multiplier
        depthwise = f"{c_in}×{ks}" + (f"×{dm}" if dm > 1 else "")
        return f"{depthwise} + {c_in * dm}×{layer.filters}" + _bias_term(layer, layer.filters)
    if kind == "dense":
        return f"{in_shape[-1]}×{layer.units}" + _bias_term(layer, layer.units)
    if kind == "norm":
        return _norm_formula(layer)
    return " + ".join("×".join(str(d) for d in v.shape) for v in _variables(layer))


def _shape_text(calls) -> str:
    """Per-image output shape(s), e.g. ``(55, 55, 96)``; shared layers list each call."""
    per_call = [", ".join(str(tuple(s[1:])) for s in outs) for _, outs in calls]
    if len(set(per_call)) == 1 and len(per_call) > 1:
        return f"{per_call[0]} [{len(per_call)} calls]"
    return "; ".join(per_call)


def _row(name, layer, calls, kinds) -> dict:
    import pandas as pd

    kind = _kind(layer, kinds)
    macs = [_call_macs(layer, kind, ins, outs) for ins, outs in calls]
    return dict(
        name=name,
        type=type(layer).__name__,
        output_shape=_shape_text(calls),
        formula=_formula(layer, kind, calls[0][0][0] if calls[0][0] else ()),
        **_split_params(layer),
        macs=pd.NA if None in macs else sum(macs),
        activations=sum(math.prod(s) for _, outs in calls for s in outs),
    )


# ---------------------------------------------------------------- tables and totals

def param_table(model):
    """One row per layer of ``model`` (InputLayer left out), in graph order, as a DataFrame.

    model: a built Keras model (functional or Sequential with an Input), or a zoo name (then
    built with ``shapes_only``). Nested models are opened: their layers appear as
    ``outer/inner`` rows.
    Columns: ``name, type, output_shape`` (per image, no batch axis), ``formula`` (the count
    in words), ``weights, biases, other, params, trainable`` (parameter counts), ``macs``
    (multiply-accumulates per image) and ``activations`` (output values per image). A layer
    called several times (shared weights) is one row: its parameters once, MACs and
    activations summed over the calls. ``df.attrs["totals"]`` holds the column sums plus
    ``input_activations`` (the values of the input image itself).
    """
    import pandas as pd

    model = _as_model(model)
    kinds = _kinds()
    rows = [_row(name, layer, calls, kinds) for name, layer, calls in layer_calls(model)]
    table = pd.DataFrame(rows, columns=COLUMNS)
    for column in _COUNT_COLUMNS:
        table[column] = table[column].astype("Int64" if column == "macs" else "int64")
    table.attrs["model"] = model.name
    table.attrs["totals"] = {
        **{c: int(table[c].sum()) for c in _COUNT_COLUMNS},
        "input_activations": sum(math.prod(t.shape[1:]) for t in model.inputs),
    }
    return table


def totals(table):
    """Column sums of a ``param_table`` as a pandas Series (``params``, ``macs``, ...)."""
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or not set(_COUNT_COLUMNS) <= set(table.columns):
        raise ValueError("totals() takes the DataFrame returned by param_table(model); "
                         f"got {type(table).__name__}.")
    return pd.Series({c: int(table[c].sum()) for c in _COUNT_COLUMNS}, name="total")


def count_params(model) -> int:
    """Every parameter, trainable or not; equals ``model.count_params()``."""
    model = _as_model(model)
    return sum(math.prod(v.shape) for v in model.weights)


def count_trainable(model) -> int:
    """Trainable parameters only: the count papers and torchvision quote."""
    model = _as_model(model)
    return sum(math.prod(v.shape) for v in model.trainable_weights)


def count_macs(model) -> int:
    """Multiply-accumulates of the learned weights for one image (the papers' "FLOPs")."""
    table = param_table(model)
    unknown = table.loc[table["macs"].isna(), "name"].tolist()
    if unknown:
        raise ValueError(f"no MAC rule for layer(s) {unknown}: count_macs knows Conv, "
                         "Depthwise/Separable/Transposed Conv, Dense and EinsumDense layers.")
    return int(table["macs"].sum())


def count_activations(model, bytes_per_element=None, include_input: bool = True):
    """Values every layer outputs for one image, plus the input image when ``include_input``.

    With ``bytes_per_element`` (4 for float32) the result is in bytes. Every layer output is
    counted, including ones a framework may compute in place (activations, dropout, flatten).
    """
    if bytes_per_element is not None:
        bytes_per_element = positive_int(bytes_per_element, "bytes_per_element")
    table = param_table(model)
    values = int(table["activations"].sum())
    if include_input:
        values += table.attrs["totals"]["input_activations"]
    return values if bytes_per_element is None else values * bytes_per_element


# ---------------------------------------------------------------- Keras' own summary, as text

def summary(model, line_length: int = 98) -> str:
    """Keras' ``model.summary()`` as plain text ``line_length`` characters wide, no colours.

    model: a Keras model or a zoo name. The text is the same in a terminal of any width and
    inside Jupyter, so notebooks can print it under strict nbval.
    """
    line_length = positive_int(line_length, "line_length")
    if line_length < 60:
        raise ValueError(f"line_length must be at least 60 for the summary's columns to fit, "
                         f"got {line_length}. The default is 98.")
    model = _as_model(model)
    chunks: list[str] = []
    with plain_console(line_length):
        model.summary(line_length=line_length, print_fn=chunks.append)
    text = "\n".join(chunks)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


# ---------------------------------------------------------------- small layer stacks

def _stack_model(layers, input_shape, name):
    import keras

    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x, name=name)


def compare_stacks(stacks: dict, input_shape):
    """Parameters and MACs of alternative layer stacks on the same input, as a DataFrame.

    stacks: ``{"design name": [unbuilt keras layers, applied in order], ...}``; the first
    entry is the baseline. The layers are built with ``shapes_only`` (counted, not run).
    input_shape: ``(H, W, C)`` without the batch axis. Columns: ``design, params, macs,
    output_shape, params_ratio, macs_ratio`` (exact ``Fraction`` of the baseline).
    """
    import pandas as pd

    if not isinstance(stacks, dict) or not stacks:
        raise ValueError("stacks must be a non-empty dict {'design name': [layers, ...]}.")
    if not isinstance(input_shape, (tuple, list)):
        raise ValueError(f"input_shape must be a tuple such as (28, 28, 64) without the batch "
                         f"axis, got {input_shape!r}.")
    shape = tuple(positive_int(d, "input_shape entry") for d in input_shape)
    rows = []
    for i, (design, layers) in enumerate(stacks.items()):
        with shapes_only():
            model = _stack_model(list(layers), shape, f"design_{i}")
        table = param_table(model)
        rows.append(dict(design=design, params=int(table["params"].sum()),
                         macs=int(table["macs"].sum()),
                         output_shape=table["output_shape"].iloc[-1]))
    frame = pd.DataFrame(rows)
    frame["params_ratio"] = [Fraction(p, rows[0]["params"]) for p in frame["params"]]
    frame["macs_ratio"] = [Fraction(m, rows[0]["macs"]) for m in frame["macs"]]
    return frame


def separable_cost_ratio(n: int = 32, c: int = 16, filters: int = 64, f: int = 3) -> Fraction:
    """MACs of a depthwise-separable conv over a standard conv, counted from Keras layers.

    Input ``(n, n, c)``, ``filters`` (the slides' H) output channels, ``f×f`` kernels, stride 1,
    'same' padding, no biases. The slides (ML9) derive 1/H + 1/f².
    """
    import keras

    n, c = positive_int(n, "n"), positive_int(c, "c")
    filters, f = positive_int(filters, "filters"), positive_int(f, "f")
    L = keras.layers
    frame = compare_stacks({
        "standard": [L.Conv2D(filters, f, padding="same", use_bias=False)],
        "depthwise + pointwise": [L.DepthwiseConv2D(f, padding="same", use_bias=False),
                                  L.Conv2D(filters, 1, use_bias=False)],
    }, (n, n, c))
    return frame["macs_ratio"].iloc[1]


def factorization_examples(channels: int = 64, size: int = 28):
    """The slides' factorisation arithmetic, each counted from real Keras layers (no biases).

    Input ``(size, size, channels)``, 'same' padding so every design keeps the shape.
    Returns a DataFrame: ``example, design, params, macs, params_ratio, macs_ratio``, the
    ratio taken against the first design of the same example.
    """
    import keras
    import pandas as pd

    c, s = positive_int(channels, "channels"), positive_int(size, "size")
    L = keras.layers

    def conv(k, filters=c):
        return L.Conv2D(filters, k, padding="same", use_bias=False)

    examples = {
        "5×5 → two 3×3": {"5×5": [conv(5)], "3×3, 3×3": [conv(3), conv(3)]},
        "7×7 → three 3×3": {"7×7": [conv(7)], "3×3 ×3": [conv(3), conv(3), conv(3)]},
        "3×3 → 1×3 + 3×1": {"3×3": [conv(3)], "1×3, 3×1": [conv((1, 3)), conv((3, 1))]},
        "7×7 → 1×7 + 7×1": {"7×7": [conv(7)], "1×7, 7×1": [conv((1, 7)), conv((7, 1))]},
        "bottleneck (4C wide)": {
            "3×3, 3×3 on 4C": [conv(3, 4 * c), conv(3, 4 * c)],
            "1×1 C, 3×3 C, 1×1 4C": [conv(1), conv(3), conv(1, 4 * c)],
        },
        "depthwise separable": {
            "3×3 conv": [conv(3)],
            "3×3 depthwise, 1×1": [L.DepthwiseConv2D(3, padding="same", use_bias=False),
                                   conv(1)],
        },
    }
    frames = []
    for example, stacks in examples.items():
        in_c = 4 * c if example.startswith("bottleneck") else c
        frame = compare_stacks(stacks, (s, s, in_c)).drop(columns="output_shape")
        frame.insert(0, "example", example)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- reconciliation

_ZOO_MODELS: dict = {}  # (name, options, Keras settings) -> the model zoo_model built
_ZOO_MODELS_KEPT = 64   # the whole zoo, built shapes-only, takes about 100 MB


def zoo_model(name: str, **options):
    """The zoo model ``name`` built for counting: ``models.build(name, **options)`` inside
    ``shapes_only()`` (weights declared, no values), built once and then shared.

    The accounting functions take a zoo name through here, so counting VGG-16's parameters,
    then its MACs, then printing its summary builds it once. The model is kept per name,
    options and Keras setting (backend, dtype policy, image data format), the last 64 of them.
    Read it; do not change or train it: ``models.build`` gives a model of your own.
    """
    import keras

    models.builder(name)  # an unknown name raises here, with a suggestion
    key = (name.strip().lower().replace("-", "_"), repr(sorted(options.items())),
           keras.backend.backend(), keras.config.dtype_policy().name,
           keras.config.image_data_format())
    model = _ZOO_MODELS.pop(key, None)
    if model is None:
        with shapes_only():
            model = models.build(name, **options)
    _ZOO_MODELS[key] = model  # now the most recently used
    while len(_ZOO_MODELS) > _ZOO_MODELS_KEPT:
        del _ZOO_MODELS[next(iter(_ZOO_MODELS))]
    return model


def _non_trainable(model) -> int:
    return sum(math.prod(v.shape) for v in model.non_trainable_weights)


def _feeds_norm(model) -> set[int]:
    """ids of the layers whose output goes straight into a BatchNormalization."""
    import keras

    return {id(parent) for layer, parents in layer_graph(model)
            if isinstance(layer, keras.layers.BatchNormalization) for parent in parents}


_CATEGORIES = ("conv biases before BatchNorm", "other conv biases", "BatchNorm γ, β",
               "BatchNorm moving μ, σ²", "kernels and other weights")


def _categories(model) -> dict[str, int]:
    """All parameters of ``model`` split into the categories that tell zoo variants apart."""
    kinds = _kinds()
    feeders = _feeds_norm(model)
    counts = dict.fromkeys(_CATEGORIES, 0)
    for _, layer, _ in layer_calls(model):
        kind = _kind(layer, kinds)
        for v in _variables(layer):
            n, role = math.prod(v.shape), _role(v)
            if kind in ("conv", "depthwise", "separable", "transpose") and role == "bias":
                key = _CATEGORIES[0] if id(layer) in feeders else _CATEGORIES[1]
            elif isinstance(layer, kinds["norm"][0]):
                key = _CATEGORIES[2] if v.trainable else _CATEGORIES[3]
            else:
                key = _CATEGORIES[4]
            counts[key] += n
    return counts


def _keras_application(name: str):
    """The keras.applications twin of a zoo model, built offline with ``weights=None``."""
    import keras

    with shapes_only():
        return getattr(keras.applications, ref.KERAS_APPLICATIONS_PARAMS[name][0])(weights=None)


def _keras_applications_parts(ours, theirs) -> dict[str, int]:
    """Why ``theirs.count_params()`` differs from our trainable count, category by category.

    Keras counts BatchNorm's moving statistics (ours row leaves them out, as papers do), so
    that part is theirs alone; every other part is theirs minus ours.
    """
    mine, other = _categories(ours), _categories(theirs)
    kinds, feeders = _kinds(), _feeds_norm(theirs)
    conv_layers = sum(1 for _, layer, _ in layer_calls(theirs) if id(layer) in feeders
                      and _kind(layer, kinds) == "conv" and layer.use_bias)
    parts = {f"{key} (keras.applications keeps them on {conv_layers} conv layers)"
             if key == _CATEGORIES[0] else key: other[key] - mine[key]
             for key in _CATEGORIES if key != _CATEGORIES[3]}
    parts["BatchNorm moving μ, σ² (non-trainable: Keras counts them, papers do not)"] = \
        other[_CATEGORIES[3]]
    return parts


def _conv_dense_params(model):
    """(name, params) of the conv and dense layers of ``model`` in graph order."""
    kinds = _kinds()
    return [(name, _split_params(layer)["params"]) for name, layer, _ in layer_calls(model)
            if _kind(layer, kinds) in ("conv", "dense")]


def _torchvision_alexnet():
    """torchvision's AlexNet (the "one weird trick" variant, Krizhevsky 2014) rebuilt in Keras.

    224×224 input, conv1 11×11/4 with padding 2, channels 64-192-384-256-256, 6×6×256 features,
    classifier 9216-4096-4096-1000, all layers with biases.
    """
    import keras

    L = keras.layers
    layers = [L.ZeroPadding2D(2), L.Conv2D(64, 11, strides=4), L.MaxPooling2D(3, 2),
              L.Conv2D(192, 5, padding="same"), L.MaxPooling2D(3, 2),
              L.Conv2D(384, 3, padding="same"), L.Conv2D(256, 3, padding="same"),
              L.Conv2D(256, 3, padding="same"), L.MaxPooling2D(3, 2), L.Flatten(),
              L.Dense(4096), L.Dense(4096), L.Dense(1000)]
    with shapes_only():
        return _stack_model(layers, (224, 224, 3), "torchvision_alexnet")


def _alexnet_torchvision_parts(ours, reference):
    """Layer-by-layer differences between our AlexNet and torchvision's."""
    mine, theirs = _conv_dense_params(ours), _conv_dense_params(_torchvision_alexnet())
    return {f"{name}: torchvision's one-weird-trick layer has {b:,}": b - a
            for (name, a), (_, b) in zip(mine, theirs) if b != a}


def _alexnet_paper_parts(ours, reference):
    """The two-GPU split: conv2, conv4, conv5 kernels see only half of the input channels."""
    kinds, parts = _kinds(), {}
    grouped = {name: layer for name, layer, _ in layer_calls(zoo_model("alexnet_grouped"))}
    for name, layer, _ in layer_calls(ours):
        twin = grouped.get(name)
        if _kind(layer, kinds) == "conv" and twin is not None and twin.groups != layer.groups:
            diff = _split_params(twin)["params"] - _split_params(layer)["params"]
            parts[f"{name}: {twin.groups} groups (two GPU towers)"] = diff
    return parts


def _googlenet_row(layer_name: str) -> str | None:
    """The Table 1 row of a GoogLeNet layer name (``inception_4a_1x1`` -> ``4a``)."""
    if layer_name.startswith("inception_"):
        return layer_name.split("_")[1]
    for row in ("conv1", "conv2"):
        if layer_name.startswith(row + "_"):
            return row
    return "linear" if layer_name == "loss3_classifier" else None


def _googlenet_paper_parts(ours, reference):
    """Table 1 of the paper row by row: its params column minus ours."""
    mine = dict.fromkeys(ref.GOOGLENET_TABLE1, 0)
    for name, layer, _ in layer_calls(ours):
        row = _googlenet_row(name)
        if row in mine:
            mine[row] += _split_params(layer)["trainable"]
    return {f"Table 1 row {row}: {k:g}K printed, {mine[row]:,} counted":
            round(k * 1000) - mine[row] for row, (k, _) in ref.GOOGLENET_TABLE1.items()}


def _googlenet_torchvision_parts(ours, reference):
    """torchvision's GoogLeNet: '5×5' branches with 3×3 kernels, BatchNorm instead of biases."""
    kinds = _kinds()
    feeders = _feeds_norm(ours)
    narrower = bias_to_norm = aux = 0
    for name, layer, _ in layer_calls(ours):
        if name.startswith("loss1") or name.startswith("loss2"):
            aux += _split_params(layer)["trainable"]
            continue
        if _kind(layer, kinds) != "conv":
            continue
        if tuple(layer.kernel_size) == (5, 5):
            narrower += math.prod(layer.kernel.shape) * (9 - 25) // 25
        if layer.use_bias and id(layer) not in feeders:
            bias_to_norm += layer.filters  # 2C of γ, β replace C biases
    return {"torchvision's '5×5' branches use 3×3 kernels": narrower,
            "BatchNorm γ, β instead of conv biases": bias_to_norm,
            "auxiliary classifiers (torchvision drops them)": -aux}


def _lenet_paper_parts(ours, reference):
    """LeCun et al. (1998) against the slide's all-dense Keras LeNet-5.

    S2 and S4 have a trainable coefficient and bias per map; C3 connects its 16 maps to 60 of
    the 96 (map, input) pairs (Table I); the output layer's RBF codes are set by hand, not
    trained. With these the paper's layers add up to exactly 60,000.
    """
    c3_dense = 6 * 5 * 5 * 16 + 16
    c3_sparse = 60 * 5 * 5 + 16
    kinds = _kinds()
    output = [layer for _, layer, _ in layer_calls(ours) if _kind(layer, kinds) == "dense"][-1]
    return {"S2, S4 subsampling: trainable coefficient + bias per map": 2 * 6 + 2 * 16,
            "C3 connects 60 of 96 map pairs (Table I)": c3_sparse - c3_dense,
            "output layer: RBF codes fixed by hand, not trained":
                -_split_params(output)["trainable"]}


def _se_paper_parts(ours, reference):
    """SENet's '~25 million' (ResNet-50) and '~2.5 million' (SE blocks) against our counts."""
    trunk = count_trainable(zoo_model("resnet50"))
    return {f"'~25 million' for ResNet-50, counted {trunk:,}": 25_000_000 - trunk,
            f"'~2.5 million' for the SE blocks, counted {count_trainable(ours) - trunk:,}":
                2_500_000 - (count_trainable(ours) - trunk)}


def _bn_torchvision_parts(ours, reference):
    """torchvision keeps a bias on every conv, also before BatchNorm."""
    kinds = _kinds()
    feeders = _feeds_norm(ours)
    missing = sum(layer.filters for _, layer, _ in layer_calls(ours)
                  if _kind(layer, kinds) == "conv" and not layer.use_bias
                  and id(layer) in feeders)
    return {"conv biases torchvision keeps before BatchNorm": missing}


_EXPLAINERS = {
    ("alexnet", "paper"): _alexnet_paper_parts,
    ("alexnet", "torchvision (published)"): _alexnet_torchvision_parts,
    ("googlenet", "paper"): _googlenet_paper_parts,
    ("googlenet", "torchvision (published)"): _googlenet_torchvision_parts,
    ("lenet5", "paper"): _lenet_paper_parts,
    ("se_resnet50", "paper"): _se_paper_parts,
}


def _explainer(key: str, source: str):
    if key.endswith("_bn") and source == "torchvision (published)":
        return _bn_torchvision_parts
    return _EXPLAINERS.get((key, source))


def _finish_parts(parts: dict, diff: int, reference) -> dict:
    """Drop zero parts; name what is left over (rounding of a printed figure, or unexplained)."""
    parts = {k: int(v) for k, v in parts.items() if v}
    rest = diff - sum(parts.values())
    if rest and reference.unit > 1 and abs(rest) < reference.unit:
        parts[f"printed as {reference.value:g} × {reference.unit:,} (rounded)"] = rest
    elif rest:
        parts["not explained"] = rest
    return parts


def _published_rows(key: str):
    """(source, Reference) pairs that exist for zoo model ``key``."""
    rows = [(source, table[key]) for source, table in
            (("slide", ref.SLIDE_PARAMS), ("paper", ref.PAPER_PARAMS)) if key in table]
    if key in ref.KERAS_APPLICATIONS_PARAMS:
        twin = _keras_application(key)
        rows.append(("keras.applications", ref.Reference(
            twin.count_params(), f"keras.applications.{ref.KERAS_APPLICATIONS_PARAMS[key][0]}"
            "(weights=None).count_params()", note=twin)))
    if key in ref.TORCHVISION_PARAMS:
        rows.append(("torchvision (published)", ref.TORCHVISION_PARAMS[key]))
    return rows


def reconcile(name: str):
    """Our parameter count for zoo model ``name`` next to every published count, explained.

    Rows (where a number exists): ``ours`` (trainable parameters of
    ``cnncourse.models.build(name)``, the convention of papers and torchvision), ``slide``,
    ``paper``, ``keras.applications`` (built offline with ``weights=None``, its
    ``count_params()``) and ``torchvision (published)``. Columns: ``source, params,
    difference`` (that source minus ours), ``explained`` (the sum of the parts) and
    ``explanation``. ``attrs["parts"]`` maps each source to ``{reason: count}``; every count is
    computed from real layers, and what no rule accounts for is listed as ``not explained``.
    """
    import pandas as pd

    if not isinstance(name, str):
        raise ValueError(f"reconcile takes a zoo model name such as 'resnet50', got {name!r}.")
    models.builder(name)  # an unknown name raises here, with a suggestion
    key = name.strip().lower().replace("-", "_")
    ours_model = zoo_model(key)
    ours = count_trainable(ours_model)
    rows = [dict(source="ours", params=ours, difference=0, explained=0,
                 explanation=f"trainable parameters of cnncourse.models.build({key!r}); Keras "
                 f"also stores {_non_trainable(ours_model):,} non-trainable values")]
    all_parts: dict[str, dict] = {}
    for source, reference in _published_rows(key):
        value = int(round(reference.absolute))
        if source == "keras.applications":
            parts = _keras_applications_parts(ours_model, reference.note)
        else:
            explainer = _explainer(key, source)
            parts = explainer(ours_model, reference) if explainer else {}
        parts = _finish_parts(parts, value - ours, reference)
        all_parts[source] = parts
        text = "; ".join(f"{k}: {v:+,}" for k, v in parts.items()) or "same count"
        rows.append(dict(source=source, params=value, difference=value - ours,
                         explained=sum(parts.values()),
                         explanation=f"{text} [{reference.source}]"))
    frame = pd.DataFrame(rows, columns=["source", "params", "difference", "explained",
                                        "explanation"])
    frame.attrs["parts"] = all_parts
    return frame


def explain(name: str, source: str) -> dict:
    """The ``{reason: count}`` parts of one row of ``reconcile(name)``."""
    parts = reconcile(name).attrs["parts"]
    if source not in parts:
        raise ValueError(f"reconcile({name!r}) has no row {source!r}: "
                         f"{did_you_mean(source, parts)}")
    return parts[source]


# ---------------------------------------------------------------- counting zoo models

def zoo_counts(names, **options):
    """Trainable parameters, classifier head, multiply-adds and depth of zoo models, one row each.

    names: a non-empty list of zoo names (``cnncourse.models.available()``); options: passed to
    every build, e.g. ``input_shape=(32, 32, 3)`` or ``reduction=8``. Models are built with
    ``shapes_only`` (no weight values), so even Mixer-H/14 takes about a second. Returns a
    DataFrame indexed by ``model`` with columns ``params`` (trainable, the papers' convention),
    ``head`` (trainable parameters of the last layer with weights: the classifier), ``macs``
    (``count_macs``: what the ResNet paper calls FLOPs) and ``depth`` (weighted layers on the
    longest input-to-output path, ``layer_depth``: VGG-16 -> 16, GoogLeNet -> 22).
    """
    import pandas as pd

    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise ValueError(f"names must be a non-empty list of zoo model names such as "
                         f"['resnet18', 'resnet50'], got {names!r}.")
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"every zoo name must be a string, got {name!r}.")
        models.builder(name)  # an unknown name raises here, with a suggestion
    rows = []
    for name in names:
        model = zoo_model(name, **options)
        head = [layer for layer in model.layers if layer.weights][-1]
        rows.append(dict(model=name, params=count_trainable(model),
                         head=sum(math.prod(v.shape) for v in head.trainable_weights),
                         macs=count_macs(model), depth=layer_depth(model)))
    return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------- depth

def _weighted_kinds():
    import keras

    L = keras.layers
    return (L.Conv1D, L.Conv2D, L.Conv3D, L.DepthwiseConv2D, L.SeparableConv2D,
            L.Conv2DTranspose, L.Dense, L.EinsumDense)


def layer_depth(model) -> int:
    """Layers with weights (convolutions, dense) on the longest input-to-output path of ``model``.

    This is how the papers count depth: VGG-16 -> 16, GoogLeNet -> 22 (each inception module
    adds 2: a 1x1 reduction then a 3x3 or 5x5), ResNet-152 -> 152 (projection shortcuts run
    beside three convolutions and so are not on the longest path). Pooling, normalisation and
    activation layers add nothing. model: a functional Keras model.
    """
    if not hasattr(model, "layers") or not hasattr(model, "outputs"):
        raise ValueError(f"layer_depth takes a functional Keras model, got "
                         f"{type(model).__name__}. Build one with cnncourse.models.build(name).")
    weighted = _weighted_kinds()
    depth: dict[int, int] = {}
    for layer, parents in layer_graph(model):
        below = max((depth.get(id(p), 0) for p in parents), default=0)
        depth[id(layer)] = below + isinstance(layer, weighted)
    return max(depth[id(layer)] for layer in output_layers(model))
