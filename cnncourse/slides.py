"""The numeric claims of the lecture slides, each recomputed by the library and given a verdict.

The five lecture documents (``references.LECTURES``: ML9, DL1, GDSC, NOTES, MODELS) state many
numbers: feature-map sizes, parameter and multiply-add counts, memory, layer counts, error rates,
metrics. Each is one record here: where it is (``lecture`` key and ``section``), what it says (``claim``), the number as printed
(``slide_value``), a function that recomputes it with ``cnncourse`` (zoo models,
``accounting``, ``shapes``, ``ops``, ``train``, ``signals``, ``references``), and a rule. Nothing
computed is stored: ``claims()`` runs every function when it is called.

The verdict is derived, never typed in:

* ``ok``          the slide's value equals the computed one (floats: to 1e-9 relative);
* ``rounded``     not equal, but within the claim's stated relative tolerance, chosen from how
  the slide rounds ("138M" gets 1 %, "about 100 million" 10 %);
* ``erratum``     anything else, or a stated inequality ("more than 7×") that does not hold.

Example::

    from cnncourse import slides
    table = slides.claims()                  # every claim, one row each
    slides.errata(topic="params")            # the rows of one topic whose verdict is not ok
    slides.table(lecture="GDSC")             # the same claims as students read them

Each zoo model is built once per call, without allocating its weights (shapes are all the
counts need), summarised and dropped: the whole catalogue takes seconds and little memory.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ._checks import did_you_mean
from .references import LECTURES

__all__ = [
    "COLUMNS", "LECTURES", "TOPICS", "VERDICTS", "Bound", "Claim", "catalogue", "claims",
    "describe", "errata", "layer_depth", "pretty", "table", "verdict", "VERDICT_WORDS",
]

TOPICS = ("dsp", "layers", "params", "architectures", "training", "metrics", "history")
VERDICTS = ("ok", "rounded", "erratum")
# How a verdict reads in a student-facing table: a rounding is not a mistake.
VERDICT_WORDS = {
    "ok": "right",
    "rounded": "right, rounded",
    "erratum": "mistake",
}
COLUMNS = ["id", "lecture", "source", "topic", "claim", "slide_value", "computed_value", "rule",
           "verdict", "explanation"]
_FLOAT_EQUAL = 1e-9  # relative difference below which two floats count as the same number


# ---------------------------------------------------------------- values and the verdict rule

@dataclass(frozen=True)
class Bound:
    """A slide value that is an inequality rather than a number, e.g. ``Bound(">", 7)``.

    ``op`` is one of ``<``, ``>``, ``!=`` or ``in`` (then ``limit`` is a half-open range
    ``(low, high)``, printed ``[low, high)``).
    """

    op: str
    limit: object

    def holds(self, value) -> bool:
        """Whether ``value`` satisfies the inequality."""
        if self.op == "in":
            low, high = self.limit
            return low <= value < high
        return {"<": value < self.limit, ">": value > self.limit,
                "!=": value != self.limit}[self.op]

    def __str__(self) -> str:
        if self.op == "in":
            return f"in [{self.limit[0]}, {self.limit[1]})"
        return f"{self.op} {self.limit}"

    __repr__ = __str__


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)


def _same(a, b) -> bool:
    """Equality of slide and computed values: numbers (floats to 1e-9), tuples, strings."""
    if _is_number(a) and _is_number(b):
        return math.isclose(a, b, rel_tol=_FLOAT_EQUAL, abs_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def verdict(slide, computed, tol: float = 0.0) -> str:
    """``ok`` / ``rounded`` / ``erratum`` for a slide value against the computed one.

    slide: the value as printed (a number, a tuple, or a ``Bound``); computed: the value the
    library gives; tol: relative tolerance (of the computed value) within which an unequal
    number is ``rounded``. A ``Bound`` is ``ok`` when it holds, else ``erratum``.

    >>> verdict(35_000, 34_944, tol=0.01)
    'rounded'
    """
    if isinstance(tol, bool) or not _is_number(tol) or not 0 <= tol < 1:
        raise ValueError(f"tol must be a relative tolerance in [0, 1), got {tol!r}; "
                         "use 0 for claims that must match exactly.")
    if isinstance(slide, Bound):
        return "ok" if slide.holds(computed) else "erratum"
    if _same(slide, computed):
        return "ok"
    if tol and _is_number(slide) and _is_number(computed) and \
            abs(slide - computed) <= tol * abs(computed):
        return "rounded"
    return "erratum"


def _rule_text(slide, tol: float) -> str:
    if isinstance(slide, Bound):
        return "inequality"
    return "exact" if tol == 0 else f"within {tol:.0%}"


def _plain(value):
    """numpy scalars and arrays -> Python ints, floats and (nested) tuples."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------- the records

@dataclass(frozen=True)
class Claim:
    """One numeric statement of a lecture and the recipe to check it.

    compute(lab) returns the value the library gives now; ``details`` are further values,
    computed the same way, that ``why`` (the explanation shown when the verdict is not ok)
    refers to as ``{name}``; ``how`` says where the computed value comes from.
    """

    id: str
    lecture: str
    section: str
    topic: str
    text: str
    slide: object
    compute: Callable
    tol: float = 0.0
    how: str = ""
    why: str = ""
    details: Mapping[str, Callable] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f'[{self.lecture}, "{self.section}"]'


# ---------------------------------------------------------------- computing with zoo models

def _keras():
    """Keras, imported with the backend's start-up chatter silenced."""
    from ._quiet import import_backend

    return import_backend()


def _weighted_kinds():
    L = _keras().layers
    return (L.Conv1D, L.Conv2D, L.Conv3D, L.DepthwiseConv2D, L.SeparableConv2D,
            L.Conv2DTranspose, L.Dense, L.EinsumDense)


def _parents(layer) -> list:
    nodes = getattr(layer, "_inbound_nodes", [])
    return [parent.operation for parent in nodes[0].parent_nodes] if nodes else []


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
    for layer in model.layers:
        below = max((depth.get(id(p), 0) for p in _parents(layer)), default=0)
        depth[id(layer)] = below + isinstance(layer, weighted)
    return max(depth[id(t._keras_history.operation)] for t in model.outputs)


def _without_weights():
    """Build zoo models without allocating their weights (see ``models._common.counting_only``)."""
    from .models._common import counting_only

    return counting_only()


class _Profile:
    """What the claims need from one zoo model, read while it exists: no weights are kept.

    table: ``accounting.param_table`` indexed by layer name; kinds / configs / shapes: per
    layer class name, ``get_config()`` and output shape (no batch axis).
    """

    def __init__(self, model):
        from . import accounting

        self.name = model.name
        self.table = accounting.param_table(model).set_index("name", drop=False)
        self.input_shape = tuple(model.inputs[0].shape[1:])
        self.outputs = len(model.outputs)
        self.params = int(model.count_params())
        self.depth = layer_depth(model)
        self.kinds = {layer.name: type(layer).__name__ for layer in model.layers}
        self.configs = {layer.name: layer.get_config() for layer in model.layers}
        self.shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}

    def column(self, layer: str, column: str) -> int:
        return int(self.table.loc[layer, column])

    def names(self, kind: str) -> list[str]:
        """Layer names of one class (e.g. 'Conv2D') in model order."""
        return [name for name, k in self.kinds.items() if k == kind]

    def side(self, layer: str) -> int:
        return self.shapes[layer][0]

    def macs(self) -> int:
        return int(self.table["macs"].sum())

    def stage_blocks(self) -> tuple[int, ...]:
        """Blocks per stage of a ResNet, read from its layer names ``conv{stage}_block{n}_out``."""
        found: dict[int, int] = {}
        for name in self.kinds:
            match = re.fullmatch(r"conv(\d)_block(\d+)_out", name)
            if match:
                stage, block = map(int, match.groups())
                found[stage] = max(found.get(stage, 0), block)
        return tuple(found[s] for s in sorted(found))


class _Lab:
    """The workspace of one ``claims()`` call: zoo profiles and other costly results, cached."""

    def __init__(self):
        self._cache: dict = {}

    def _cached(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def zoo(self, name: str, **options) -> _Profile:
        """The profile of ``models.build(name, **options)``; the model itself is dropped."""

        def make():
            from . import models

            with _without_weights():
                model = models.build(name, **options)
            return _Profile(model)

        return self._cached(("zoo", name, tuple(sorted(options.items()))), make)

    def factorizations(self):
        """``accounting.factorization_examples`` with one channel: counts in units of C²."""
        from . import accounting

        def make():
            with _without_weights():
                return accounting.factorization_examples(channels=1, size=8)

        return self._cached("factor", make)

    def example(self, name: str):
        from . import ops

        return self._cached(("example", name), lambda: ops.worked_examples()[name])


def _ilsvrc(model: str, year: int | None = None) -> dict:
    """The row of ``references.ILSVRC`` for ``model`` (and ``year``) as a dict."""
    from .references import ilsvrc_table

    table = ilsvrc_table()
    rows = table[table["model"] == model]
    if year is not None:
        rows = rows[rows["year"] == year]
    return rows.iloc[0].to_dict()


def _confusion():
    """The slide's 10-person test-kit example as label vectors (y_true, y_pred)."""
    from . import train

    return train.labels_from_counts(tn=1, fp=2, fn=1, tp=6)


def _metric(name: str) -> float:
    from . import train

    return train.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)[name]


def _stack(layers, input_shape) -> tuple[int, int]:
    """(params, macs) of a small stack of Keras layers on ``input_shape``, via accounting."""
    from . import accounting

    with _without_weights():
        row = accounting.compare_stacks({"stack": layers}, input_shape).iloc[0]
    return int(row["params"]), int(row["macs"])


def _output_shape(layer, input_shape) -> tuple:
    """Output shape (no batch axis) of one Keras layer applied to ``input_shape``."""
    return tuple(layer.compute_output_shape((None, *input_shape))[1:])


def _keras_layers():
    return _keras().layers


def _selu_slope() -> float:
    """SELU's slope for positive inputs, from Keras (ELU's is 1 for any α)."""
    import numpy as np

    keras = _keras()
    out = keras.ops.convert_to_numpy(keras.ops.selu(np.array([1.0], dtype="float32")))
    return round(float(out[0]), 4)


def _alexnet_neurons(lab: _Lab) -> int:
    """Output values of AlexNet's 5 convolutions and 3 FC layers (the paper's 'neurons')."""
    p = lab.zoo("alexnet_grouped")
    return sum(p.column(n, "activations") for n in p.names("Conv2D") + p.names("Dense"))


def _vgg16_memory(lab: _Lab) -> int:
    """The values the VGG-16 memory slide lists: input, every conv, pool and FC output."""
    p = lab.zoo("vgg16")
    listed = p.table[p.table["type"].isin(["Conv2D", "MaxPooling2D", "Dense"])]
    return math.prod(p.input_shape) + int(listed["activations"].sum())


def _pools_between(p: _Profile, first: str, second: str) -> int:
    """MaxPooling2D layers after ``first`` and before ``second`` in model order."""
    names = list(p.kinds)
    between = names[names.index(first) + 1:names.index(second)]
    return sum(p.kinds[n] == "MaxPooling2D" for n in between)


def _inception_3a(lab: _Lab, column: str) -> int:
    p = lab.zoo("googlenet")
    rows = p.table[p.table["name"].str.startswith("inception_3a_")]
    return int(rows[column].sum())


def _crop_positions(image: int, crop: int) -> int:
    """Positions of a ``crop``-pixel square window in an ``image``-pixel square (stride 1)."""
    from .shapes import conv_output_size

    return conv_output_size(image, crop) ** 2


# ---------------------------------------------------------------- the catalogue

def _ml9() -> list[Claim]:
    from .shapes import conv_output_size, receptive_field

    s = "ML9"
    return [
        Claim("ml_sifting", s, "9.2 Convolution (DSP)", "dsp",
              "Any sequence is a sum of scaled, shifted impulses, x[n] = Σ x[k] δ[n−k] "
              "(value: largest |Σ x[k] δ[n−k] − x[n]| on a test sequence)",
              0, lambda lab: _sifting_error(),
              how="the rows of signals.decompose(x) summed and compared with x"),
        Claim("ml_impulse", s, "9.2 Convolution (DSP)", "dsp",
              "Convolving with δ[n] returns the input, x * δ = x (value: largest |x*δ − x|)",
              0, lambda lab: _impulse_error(),
              how="signals.convolve(x, signals.impulse(1)) against x"),
        Claim("ml_commutative", s, "9.2 Convolution (DSP)", "dsp",
              "Convolution commutes, x*h = h*x (value: largest |x*h − h*x|)",
              0, lambda lab: _commutation_error(),
              how="signals.convolve in both orders on two test sequences"),
        Claim("ml_dropout_variance", s, "9.4 Dropout, mathematical analysis", "training",
              "p = 0.5 makes Var[δ] = p(1 − p) largest, so dropout regularises most there "
              "(value: the keep-probability with the largest sampled variance, p = 0.1 … 0.9)",
              0.5, lambda lab: _dropout_variance_peak(),
              how="variance of Bernoulli(p) masks sampled by ops.dropout_output_mc"),
        Claim("ml_dilated_field", s, "9.5 Dilated convolutions", "layers",
              "A 3×3 kernel with dilation rate 2 sees a 5×5 field",
              5, lambda lab: int(receptive_field([("dilated", 3, 1, 2)])["rf"].iloc[-1]),
              how="shapes.receptive_field of one 3×3 layer with dilation 2"),
        Claim("ml_dilated_params", s, "9.5 Dilated convolutions", "params",
              "…while using only 9 parameters (one channel, no bias)",
              9, lambda lab: _stack([_keras_layers().Conv2D(1, 3, dilation_rate=2,
                                                            use_bias=False)], (8, 8, 1))[0],
              how="a Keras Conv2D(1, 3, dilation_rate=2) counted by accounting"),
        Claim("ml_separable_ratio", s, "9.5 Depthwise separable convolutions", "params",
              "Cost of depthwise separable over standard convolution = 1/H + 1/f² "
              "(evaluated for H = 64 filters of 3×3)",
              Fraction(1, 64) + Fraction(1, 9),
              lambda lab: _separable_ratio(64, 3),
              how="accounting.separable_cost_ratio: MACs counted from Keras layers"),
        Claim("ml_lenet_io", s, "9.6 LeNet-5", "architectures",
              "LeNet-5 takes a 32×32 input and ends in 10 softmax nodes",
              (32, 10), lambda lab: (lab.zoo("lenet5").input_shape[0],
                                     lab.zoo("lenet5").shapes["output"][-1]),
              how="input side and output units of models.build('lenet5')"),
        Claim("ml_alexnet_top5", s, "9.6 AlexNet", "history",
              "AlexNet: ILSVRC-2012 top-5 error 17 %",
              17.0, lambda lab: _ilsvrc("AlexNet", 2012)["top5_error"],
              how="references.ILSVRC",
              why="17.0 % is the paper's single-network result on the ILSVRC-2010 test set; "
                  "the ILSVRC-2012 entry (an ensemble) scored {computed} %."),
        Claim("ml_vgg16_fc", s, "9.6 VGG-16", "architectures",
              "VGG-16's fully connected layers: 25088-4096-4096-1000",
              (25088, 4096, 4096, 1000), lambda lab: _vgg_fc(lab.zoo("vgg16")),
              how="flatten size and Dense units of models.build('vgg16')"),
        Claim("ml_vgg_same", s, "9.6 VGG-16", "layers",
              "A 3×3 convolution with s=1, p=1 keeps the 224×224 size",
              224, lambda lab: conv_output_size(224, 3, p=1, s=1),
              how="shapes.conv_output_size(224, 3, p=1, s=1)"),
        Claim("ml_resnet50_cfg", s, "9.6 ResNet", "architectures",
              "ResNet-50: cfg = [3, 4, 6, 3] bottleneck blocks per stage",
              (3, 4, 6, 3), lambda lab: lab.zoo("resnet50").stage_blocks(),
              how="blocks per stage of models.build('resnet50'), read from layer names"),
        Claim("ml_resnet101_cfg", s, "9.6 ResNet", "architectures",
              "ResNet-101: cfg = [3, 4, 23, 8]",
              (3, 4, 23, 8), lambda lab: lab.zoo("resnet101").stage_blocks(),
              how="blocks per stage of models.build('resnet101')",
              why="ResNet-101 has 3 blocks in conv5_x, as in He et al., Table 1: {computed}. "
                  "With 8 blocks the slide's own rule (sum × 3 + 2) gives {printed_depth} layers, "
                  "not 101.",
              details={"printed_depth": lambda lab: _bottleneck_depth((3, 4, 23, 8))}),
        Claim("ml_resnet152_cfg", s, "9.6 ResNet", "architectures",
              "ResNet-152: cfg = [3, 8, 36, 3]",
              (3, 8, 36, 3), lambda lab: lab.zoo("resnet152").stage_blocks(),
              how="blocks per stage of models.build('resnet152')"),
        Claim("ml_resnet152_depth", s, "9.6 ResNet", "architectures",
              "(3 + 8 + 36 + 3) × 3 + 2 = 152 layers",
              152, lambda lab: lab.zoo("resnet152").depth,
              how="weighted layers on the longest path of models.build('resnet152')"),
    ]


_X = (3.0, -1.0, 2.0, 0.5, 4.0)  # test sequences for the DSP identities
_H = (0.5, -2.0, 1.0)


def _slide_blur():
    from .signals import slide_filter

    return slide_filter("blur")


def _largest_gap(a, b) -> float:
    """Largest absolute difference, rounded to 12 decimals (FFT round-off is ~1e-16)."""
    import numpy as np

    return round(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))), 12)


def _sifting_error() -> float:
    from . import signals

    return _largest_gap(signals.decompose(_X).sum(axis=0), _X)


def _impulse_error() -> float:
    from . import signals

    return _largest_gap(signals.convolve(_X, signals.impulse(1)), _X)


def _commutation_error() -> float:
    from . import signals

    return _largest_gap(signals.convolve(_X, _H), signals.convolve(_H, _X))


def _fourier_error() -> float:
    """Largest gap between the direct convolution and IFFT(FFT(f) · FFT(x))."""
    from . import signals

    return _largest_gap(signals.convolve(_X, _H), signals.fft_convolve(_X, _H))


def _dropout_variance_peak(samples: int = 20_000) -> float:
    """The p in 0.1 … 0.9 whose sampled dropout output o_D = δ·1·1 varies most."""
    from . import ops

    grid = [k / 10 for k in range(1, 10)]
    variances = [ops.dropout_output_mc([1.0], [1.0], p, samples=samples)[1] ** 2 * samples
                 for p in grid]
    return grid[variances.index(max(variances))]


def _separable_ratio(filters: int, f: int) -> Fraction:
    from . import accounting

    with _without_weights():
        return accounting.separable_cost_ratio(n=16, c=8, filters=filters, f=f)


def _vgg_fc(p: _Profile) -> tuple[int, ...]:
    return (p.shapes["flatten"][0], *(p.shapes[n][-1] for n in p.names("Dense")))


def _bottleneck_depth(blocks) -> int:
    from .models.resnet import weighted_depth

    return weighted_depth("bottleneck", list(blocks))


def _printed_vgg_formula(p: _Profile) -> int:
    """(k_h·k_w·c_in) + c_out of VGG-16's conv1_1: the slide's expression with its '+' typo."""
    filters = p.column("conv1_1", "biases")
    return p.column("conv1_1", "weights") // filters + filters


def _dl1() -> list[Claim]:
    from .shapes import pool_output_size, receptive_field

    s = "DL1"
    lenet = "LeNet-5 (1998)"
    alex = "AlexNet (2012)"
    vgg = "VGGNet (2014), VGG-16 table"

    def lenet_params(layer):
        return lambda lab: lab.zoo("lenet5").column(layer, "params")

    def alex_params(layer, model="alexnet"):
        return lambda lab: lab.zoo(model).column(layer, "params")

    def vgg_weights(layer):
        return lambda lab: lab.zoo("vgg16").column(layer, "weights")

    grouped_why = ("The slide lists {kernel} kernels (the two-GPU network: each kernel sees half "
                   "the channels), which give {computed:,} parameters; {slide:,} is the count of "
                   "the single-tower network, whose kernels are {full}.")
    return [
        Claim("dl_accuracy", s, "모델 평가 방법", "metrics",
              "Accuracy = (1+6)/(1+2+1+6)", (1 + 6) / (1 + 2 + 1 + 6),
              lambda lab: _metric("accuracy"),
              how="train.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)"),
        Claim("dl_recall", s, "모델 평가 방법", "metrics",
              "Recall = 6/(6+1)", 6 / (6 + 1), lambda lab: _metric("recall"),
              how="train.metrics_from_counts"),
        Claim("dl_precision", s, "모델 평가 방법", "metrics",
              "Precision = 6/(6+2)", 6 / (6 + 2), lambda lab: _metric("precision"),
              how="train.metrics_from_counts"),
        Claim("dl_negatives", s, "모델 평가 방법", "metrics",
              "'음성(4명)은 음성으로 분류': 4 of the 10 people are negative",
              4, lambda lab: int((_confusion()[0] == 0).sum()),
              how="actual negatives (TN + FP) of train.labels_from_counts",
              why="TN + FP = {computed} people are actually negative. 4 = 10 − 6 takes the 6 "
                  "true positives for all the positives, but {positives} people are positive "
                  "(TP + FN).",
              details={"positives": lambda lab: int((_confusion()[0] == 1).sum())}),
        Claim("dl_called_positive", s, "모델 평가 방법", "metrics",
              "Precision: the kit declared 8 people positive",
              8, lambda lab: int((_confusion()[1] == 1).sum()),
              how="predicted positives (TP + FP) of train.labels_from_counts"),
        Claim("dl_selu", s, "Activation Function2", "layers",
              "SELU is ELU with α ≠ 1 (value: the slope for x > 0, which is 1 for every ELU)",
              1, lambda lab: _selu_slope(),
              how="keras.ops.selu(1.0)",
              why="SELU = λ·ELU_α with both constants fixed (α ≈ 1.6733, λ ≈ 1.0507, "
                  "Klambauer et al. 2017): the scale λ multiplies the positive side too, so "
                  "selu(1) = {computed}; changing α alone still gives an ELU."),
        Claim("dl_lenet_sides", s, lenet, "layers",
              "Feature maps 28 → 14 → 10 → 5 (C1, S2, C3, S4)",
              (28, 14, 10, 5), lambda lab: tuple(lab.zoo("lenet5").side(n)
                                                 for n in ("c1", "s2", "c3", "s4")),
              how="output sides of models.build('lenet5')"),
        Claim("dl_lenet_c1", s, lenet, "params", "C1: (1×5×5×6) + 6 = 156",
              156, lenet_params("c1"), how="accounting.param_table('lenet5')"),
        Claim("dl_lenet_c3", s, lenet, "params", "C3: (6×5×5×16) + 16 = 2,416",
              2416, lenet_params("c3"), how="accounting.param_table('lenet5')"),
        Claim("dl_lenet_flatten", s, lenet, "layers", "Flatten: 5×5×16 = 400",
              400, lambda lab: math.prod(lab.zoo("lenet5").shapes["s4"]),
              how="size of the S4 output of models.build('lenet5')"),
        Claim("dl_lenet_f120", s, lenet, "params", "Dense(120): 400×120 + 120 = 48,120",
              48120, lenet_params("c5"),
              how="C5 of models.build('lenet5') (a 5×5 conv on the 5×5 map = Flatten + Dense)"),
        Claim("dl_lenet_f84", s, lenet, "params", "Dense(84): 120×84 + 84 = 10,164",
              10164, lenet_params("f6"), how="accounting.param_table('lenet5')"),
        Claim("dl_lenet_out", s, lenet, "params", "Dense(10): 84×10 + 10 = 850",
              850, lenet_params("output"), how="accounting.param_table('lenet5')"),
        Claim("dl_maxpool_example", s, "풀링층(Pooling layer)", "layers",
              "2×2 max pooling, stride 2, of the 4×4 example gives [[6, 8], [3, 4]]",
              ((6, 8), (3, 4)), lambda lab: _plain(lab.example("max_pool_2x2").compute()),
              how="ops.max_pool2d on the slide's input"),
        Claim("dl_pool_formula", s, "풀링층(Pooling layer)", "layers",
              "output_size = 1 + (input − pool)/stride: 4 → 2",
              2, lambda lab: pool_output_size(4, 2, 2), how="shapes.pool_output_size(4, 2, 2)"),
        Claim("dl_gap_dense500", s, "Global Average Pooling", "params",
              "dense (Dense): 64,500 parameters", 64500,
              lambda lab: lab.zoo("mnist_gap").column("dense", "params"),
              how="accounting.param_table('mnist_gap')"),
        Claim("dl_gap_dense10", s, "Global Average Pooling", "params",
              "dense_1 (Dense): 5,010 parameters", 5010,
              lambda lab: lab.zoo("mnist_gap").column("dense_1", "params"),
              how="accounting.param_table('mnist_gap')"),
        Claim("dl_gap_total", s, "Global Average Pooling", "params",
              "Total params: 326,534", 326534, lambda lab: lab.zoo("mnist_gap").params,
              how="models.build('mnist_gap').count_params()"),
        Claim("dl_alexnet_conv1", s, alex, "layers",
              "227×227×3 → 96 kernels 11×11, stride 4, pad 0 → 55×55×96",
              (55, 55, 96), lambda lab: lab.zoo("alexnet").shapes["conv1"],
              how="conv1 output of models.build('alexnet')"),
        Claim("dl_alexnet_conv1_params", s, alex, "params",
              "conv1: 3×11×11×96 + 96 = 34,944", 34944, alex_params("conv1"),
              how="accounting.param_table('alexnet')"),
        Claim("dl_alexnet_pool1", s, alex, "layers",
              "3×3 overlapping max pooling, stride 2: 55 → 27",
              27, lambda lab: lab.zoo("alexnet").side("pool1"),
              how="pool1 output of models.build('alexnet')"),
        Claim("dl_alexnet_conv2_params", s, alex, "params",
              "conv2: 256 kernels of 5×5×48 → 614,656 parameters",
              614656, alex_params("conv2", "alexnet_grouped"),
              how="accounting.param_table('alexnet_grouped')", why=grouped_why,
              details={"kernel": lambda lab: "5×5×48", "full": lambda lab: "5×5×96"}),
        Claim("dl_alexnet_conv3_params", s, alex, "params",
              "conv3: 384 kernels of 3×3×256 → 885,120 parameters",
              885120, alex_params("conv3", "alexnet_grouped"),
              how="accounting.param_table('alexnet_grouped') (conv3 joins the two GPUs)"),
        Claim("dl_alexnet_conv4_params", s, alex, "params",
              "conv4: 384 kernels of 3×3×192 → 1,327,488 parameters",
              1327488, alex_params("conv4", "alexnet_grouped"),
              how="accounting.param_table('alexnet_grouped')", why=grouped_why,
              details={"kernel": lambda lab: "3×3×192", "full": lambda lab: "3×3×384"}),
        Claim("dl_alexnet_conv5_params", s, alex, "params",
              "conv5: 256 kernels of 3×3×192 → 884,992 parameters",
              884992, alex_params("conv5", "alexnet_grouped"),
              how="accounting.param_table('alexnet_grouped')", why=grouped_why,
              details={"kernel": lambda lab: "3×3×192", "full": lambda lab: "3×3×384"}),
        Claim("dl_alexnet_pool5", s, alex, "layers", "After the last pooling: 6×6×256",
              (6, 6, 256), lambda lab: lab.zoo("alexnet").shapes["pool5"],
              how="pool5 output of models.build('alexnet')"),
        Claim("dl_alexnet_fc6", s, alex, "params", "(6×6×256)×4096 + 4096 = 37,752,832",
              37752832, alex_params("fc6"), how="accounting.param_table('alexnet')"),
        Claim("dl_alexnet_fc7", s, alex, "params", "4096×4096 + 4096 = 16,781,312",
              16781312, alex_params("fc7"), how="accounting.param_table('alexnet')"),
        Claim("dl_alexnet_fc8", s, alex, "params", "4096×1000 + 1000 = 4,097,000",
              4097000, alex_params("fc8"), how="accounting.param_table('alexnet')"),
        Claim("dl_alexnet_fc_labels", s, alex, "params",
              "The count printed under '6th: Fully Connected … 4096 neurons' is 16,781,312",
              16781312, alex_params("fc6"), how="fc6 of accounting.param_table('alexnet')",
              why="Each FC count is printed one heading too early: fc6's {computed:,} sits in "
                  "the pooling block above its heading, the 6th heading carries fc7's "
                  "16,781,312, the 7th carries fc8's 4,097,000, and the 8th has none."),
        Claim("dl_zf_table_224", s, "ZFNet, table 8.1", "layers",
              "AlexNet column: 224×224×3 → 11×11 conv, stride 4 → 55×55×96",
              55, lambda lab: _conv_side(224, 11, 4),
              how="shapes.conv_output_size(224, 11, s=4, strict=False)",
              why="(224 − 11)/4 + 1 = {exact} is not a whole number: the windows do not tile a "
                  "224 input and a framework rounds down to {computed}. The 55×55 map needs a "
                  "227×227 input, as the AlexNet slide itself says.",
              details={"exact": lambda lab: float(Fraction(224 - 11, 4) + 1)}),
        Claim("dl_zfnet_input", s, "ZFNet (2013)", "architectures",
              "ZFNet input: 227×227×3", 227, lambda lab: lab.zoo("zfnet").input_shape[0],
              how="default input of models.build('zfnet')",
              why="Zeiler & Fergus feed {computed}×{computed} crops (and table 8.1 below says "
                  "224): a 7×7 stride-2 conv with 1 pixel of padding maps it to {conv1}, as in "
                  "their Figure 3.",
              details={"conv1": lambda lab: lab.zoo("zfnet").side("conv1")}),
        Claim("dl_zf_table_zfnet", s, "ZFNet, table 8.1", "layers",
              "ZFNet column: 7×7/2 conv + max pool → 55×55×96; 5×5/2 conv + max pool → "
              "13×13×256",
              ((55, 55, 96), (13, 13, 256)),
              lambda lab: (lab.zoo("zfnet").shapes["pool1"], lab.zoo("zfnet").shapes["pool2"]),
              how="pool1 and pool2 outputs of models.build('zfnet')"),
        Claim("dl_vgg_conv1_1", s, vgg, "params", "CONV3-64 (first): 1,728 weights",
              1728, vgg_weights("conv1_1"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_formula", s, vgg, "params",
              "The weights column writes the first CONV3-64 as '(3*3*3)+64 = 1,728' "
              "(value: the printed expression, (3·3·3)+64, evaluated)",
              1728, lambda lab: _printed_vgg_formula(lab.zoo("vgg16")),
              how="kernel height × width × input channels, plus the filters, of conv1_1",
              why="As printed, (3·3·3)+64 = {computed}. The total 1,728 is right; the '+' is a "
                  "typo for '×': 3·3·3 × 64 = 1,728 weights (the table leaves biases out; with "
                  "the 64 biases the layer has 1,792 parameters)."),
        Claim("dl_vgg_conv1_2", s, vgg, "params", "CONV3-64 (second): 36,864 weights",
              36864, vgg_weights("conv1_2"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_conv2_1", s, vgg, "params", "CONV3-128 (first): 73,728 weights",
              73728, vgg_weights("conv2_1"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_conv5_1", s, vgg, "params", "CONV3-512 at 14×14: 2,359,296 weights",
              2359296, vgg_weights("conv5_1"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_fc6", s, vgg, "params", "FC 7*7*512*4096 = 102,760,448 weights",
              102760448, vgg_weights("fc6"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_fc8", s, vgg, "params", "FC 4096*1000 = 4,096,000 weights",
              4096000, vgg_weights("fc8"), how="weights of accounting.param_table('vgg16')"),
        Claim("dl_vgg_conv1_memory", s, vgg, "params",
              "First CONV3-64 output: 224*224*64 = 3.2M values",
              3_200_000, lambda lab: lab.zoo("vgg16").column("conv1_1", "activations"), tol=0.01,
              how="activations of conv1_1, accounting.param_table('vgg16')",
              why="{computed:,} rounded to two digits."),
        Claim("dl_vgg_memory_total", s, vgg, "params",
              "TOTAL memory: 24M values per image (forward pass)",
              24_000_000, _vgg16_memory, tol=0.05,
              how="input + outputs of every conv, pool and FC layer of models.build('vgg16')",
              why="The rows of the slide's own table add up to {computed:,} values, not 24M."),
        Claim("dl_vgg_memory_mb", s, vgg, "params",
              "…× 4 bytes ≈ 93 MB per image (value in MB = 10⁶ bytes)",
              93, lambda lab: round(_vgg16_memory(lab) * 4 / 1e6, 1), tol=0.05,
              how="the same count × 4 bytes (float32)",
              why="The listed activations take {computed} MB in float32; even the slide's "
                  "24M × 4 bytes would be {slide_bytes:g} MB, not 93.",
              details={"slide_bytes": lambda lab: 24e6 * 4 / 1e6}),
        Claim("dl_vgg_total_params", s, vgg, "params", "TOTAL params: 138M parameters",
              138_000_000, lambda lab: lab.zoo("vgg16").params, tol=0.01,
              how="models.build('vgg16').count_params() (with biases)",
              why="{computed:,} rounded to 138M."),
        Claim("dl_googlenet_depth", s, "GoogLeNet (2014)", "architectures",
              "GoogLeNet has 22 layers in total", 22, lambda lab: lab.zoo("googlenet").depth,
              how="weighted layers on the longest path of models.build('googlenet')"),
        Claim("dl_inception3a_out", s, "GoogLeNet (2014), inception (3a)", "layers",
              "inception (3a) outputs 28×28×256", (28, 28, 256),
              lambda lab: lab.zoo("googlenet").shapes["inception_3a_output"],
              how="output of inception_3a in models.build('googlenet')"),
        Claim("dl_inception3a_params", s, "GoogLeNet (2014), inception (3a)", "params",
              "inception (3a): 159K parameters (value in units of 1,024)",
              159, lambda lab: _inception_3a(lab, "weights") / 1024, tol=0.01,
              how="weights of the six inception_3a convolutions / 1024",
              why="The paper's table counts weights without biases and its K is 1,024: "
                  "{weights:,} / 1,024 = {computed}; with biases it would be {params:,}.",
              details={"weights": lambda lab: _inception_3a(lab, "weights"),
                       "params": lambda lab: _inception_3a(lab, "params")}),
        Claim("dl_inception3a_ops", s, "GoogLeNet (2014), inception (3a)", "params",
              "inception (3a): 128M operations (multiply-adds)",
              128_000_000, lambda lab: _inception_3a(lab, "macs"), tol=0.01,
              how="MACs of the six inception_3a convolutions (weights × 28×28 positions)",
              why="{computed:,} multiply-adds rounded to 128M (here M is 10⁶, while the params "
                  "column of the same table uses K = 1,024)."),
        Claim("dl_resnet_sides", s, "ResNet (2015)", "layers",
              "Output sizes: conv1 112, conv2_x 56, conv3_x 28, conv4_x 14, conv5_x 7",
              (112, 56, 28, 14, 7), lambda lab: _resnet_sides(lab.zoo("resnet34")),
              how="conv1 and stage outputs of models.build('resnet34')"),
        Claim("dl_resnet34_blocks", s, "ResNet (2015)", "architectures",
              "Stages conv2_x … conv5_x have 3, 4, 6, 3 residual blocks",
              (3, 4, 6, 3), lambda lab: lab.zoo("resnet34").stage_blocks(),
              how="blocks per stage of models.build('resnet34')"),
        Claim("dl_stacked_3x3", s, "VGGNet (2014)", "layers",
              "Two 3×3 convolutions = one 5×5, three 3×3 = one 7×7 (receptive fields)",
              (5, 7), lambda lab: tuple(int(receptive_field([("c", 3, 1)] * k)["rf"].iloc[-1])
                                        for k in (2, 3)),
              how="shapes.receptive_field of 2 and 3 stacked 3×3 layers"),
    ]


def _paper_params(name: str) -> float:
    """A published parameter count in millions, from ``references.PAPER_PARAMS``."""
    from .references import PAPER_PARAMS

    return PAPER_PARAMS[name].absolute / 1e6


def _conv_side(n: int, f: int, s: int) -> int:
    from .shapes import conv_output_size

    return conv_output_size(n, f, s=s, strict=False)


def _resnet_sides(p: _Profile) -> tuple[int, ...]:
    stages = [f"conv{k}_block{p.stage_blocks()[k - 2]}_out" for k in range(2, 6)]
    return tuple(p.side(n) for n in ["conv1_conv", *stages])


def _gdsc() -> list[Claim]:
    from .shapes import conv_output_size, receptive_field

    s = "GDSC"
    quiz = "Pop Quiz"
    flops = "ResNets table, FLOPs row"

    def resnet_flops(depth, slide):
        return Claim(f"gd_resnet{depth}_flops", s, flops, "params",
                     f"ResNet-{depth}: {slide} × 10⁹ FLOPs (multiply-adds)",
                     int(round(slide * 1e9)), lambda lab: lab.zoo(f"resnet{depth}").macs(),
                     tol=0.05, how=f"MACs of models.build('resnet{depth}') via accounting",
                     why="{computed:,} multiply-adds, rounded in the paper's table.")

    return [
        Claim("gd_conv_theorem", s, "Convolution and Fourier Transform", "dsp",
              "F[f * x] = F[f] F[x] (value: largest gap between the direct convolution and "
              "IFFT(FFT(f)·FFT(x)))",
              0, lambda lab: _fourier_error(),
              how="signals.convolve against signals.fft_convolve (equal to 1e-12)"),
        Claim("gd_blur_sum", s, "What exactly filters do?", "dsp",
              "The printed 3×3 blur kernel averages its neighbourhood (weights sum to 1)",
              1.0, lambda lab: round(float(_slide_blur().sum()), 10), tol=0.05,
              how="sum of signals.slide_filter('blur')",
              why="The printed entries are [[1,2,1],[2,4,2],[1,2,1]]/16 rounded to two decimals "
                  "(0.0625 → 0.06, 0.125 → 0.12), so they add up to {computed}; the kernel they "
                  "stand for sums to exactly 1. Used as printed, the blur darkens an image by 3 %."),
        Claim("gd_flatten", s, "Why not MLP?", "layers",
              "A 32×32×3 image stretched to 3072 × 1", 3072,
              lambda lab: _output_shape(_keras_layers().Flatten(), (32, 32, 3))[0],
              how="output of a Keras Flatten on (32, 32, 3)"),
        Claim("gd_conv_example", s, "Stride & Padding", "layers",
              "3×3 convolution of the 5×5 example: [[12, 12, 17], [10, 17, 19], [9, 6, 14]]",
              ((12, 12, 17), (10, 17, 19), (9, 6, 14)),
              lambda lab: _plain(lab.example("conv_3x3").compute()),
              how="ops.conv2d on the slide's input and filter"),
        Claim("gd_conv_size", s, "Stride & Padding", "layers",
              "⌊(5 − 3 + 0)/1⌋ + 1 = 3", 3, lambda lab: conv_output_size(5, 3),
              how="shapes.conv_output_size(5, 3)"),
        Claim("gd_conv_pad_stride_example", s, "Stride & Padding", "layers",
              "3×3 convolution + 1 pixel of zero padding + stride 2: "
              "[[1, 6, 5], [7, 10, 9], [7, 10, 8]]",
              ((1, 6, 5), (7, 10, 9), (7, 10, 8)),
              lambda lab: _plain(lab.example("conv_3x3_pad1_stride2").compute()),
              how="ops.conv2d(stride=2, padding=1) on the slide's input and filter",
              why="The printed map is the top-left 3×3 corner of the stride-1 result "
                  "{stride1}: the stride was left out. With stride 2 the output is {computed}.",
              details={"stride1": lambda lab: _stride1_corner(lab)}),
        Claim("gd_conv_pad_stride_size", s, "Stride & Padding", "layers",
              "⌊(5 − 3 + 2·1)/2⌋ + 1 = 3", 3, lambda lab: conv_output_size(5, 3, p=1, s=2),
              how="shapes.conv_output_size(5, 3, p=1, s=2)"),
        Claim("gd_receptive_field", s, "Receptive Field", "layers",
              "After two 3×3 convolutions a pixel sees a 5×5 patch of the input", 5,
              lambda lab: int(receptive_field([("c1", 3, 1), ("c2", 3, 1)])["rf"].iloc[-1]),
              how="shapes.receptive_field"),
        Claim("gd_vgg_pool", s, "VGG", "architectures",
              "vgg_block ends in MaxPool2D(3, stride=2) (value: pool size, stride)",
              (3, 2), lambda lab: _pool_config(lab.zoo("vgg16"), "pool1"),
              how="pool1 of models.build('vgg16')",
              why="VGG pools 2×2 with stride 2 (Simonyan & Zisserman, Sec. 2.1): {computed}. "
                  "A 3×3/2 pool is AlexNet's overlapping pool."),
        Claim("gd_quiz_depths", s, quiz, "architectures",
              "AlexNet 8 layers, VGGNet 19 layers, GoogLeNet 22 layers",
              (8, 19, 22), lambda lab: tuple(lab.zoo(n).depth
                                             for n in ("alexnet", "vgg19", "googlenet")),
              how="weighted layers on the longest path of each zoo model"),
        Claim("gd_quiz_alexnet", s, quiz, "params", "AlexNet (8-layers) → 60M parameters",
              60_000_000, lambda lab: lab.zoo("alexnet_grouped").params, tol=0.05,
              how="models.build('alexnet_grouped').count_params() (the paper's two-GPU net)",
              why="{computed:,} rounded down to 60M, as in the paper."),
        Claim("gd_quiz_vgg19", s, quiz, "params", "VGGNet (19-layers) → 138M parameters",
              138_000_000, lambda lab: lab.zoo("vgg19").params, tol=0.01,
              how="models.build('vgg19').count_params()",
              why="VGG-19 has {computed:,} parameters; 138M is VGG-16 ({vgg16:,}).",
              details={"vgg16": lambda lab: lab.zoo("vgg16").params}),
        Claim("gd_quiz_googlenet", s, quiz, "params", "GoogLeNet (22-layers) → 4M parameters",
              4_000_000, lambda lab: lab.zoo("googlenet").params, tol=0.05,
              how="models.build('googlenet').count_params() (no auxiliary classifiers)",
              why="The network of the paper's Table 1 has {computed:,} parameters (the "
                  "table's own column sums to about {paper:.1f}M). The popular '4M' does not match "
                  "it.", details={"paper": lambda lab: _paper_params("googlenet")}),
        *(resnet_flops(d, v) for d, v in ((18, 1.8), (34, 3.6), (50, 3.8), (101, 7.6),
                                          (152, 11.3))),
        Claim("gd_resnet_blocks", s, "ResNets table", "architectures",
              "Blocks per stage: 18 → 2,2,2,2; 34 → 3,4,6,3; 50 → 3,4,6,3; 101 → 3,4,23,3; "
              "152 → 3,8,36,3",
              ((2, 2, 2, 2), (3, 4, 6, 3), (3, 4, 6, 3), (3, 4, 23, 3), (3, 8, 36, 3)),
              lambda lab: tuple(lab.zoo(f"resnet{d}").stage_blocks()
                                for d in (18, 34, 50, 101, 152)),
              how="blocks per stage of each zoo ResNet"),
        Claim("gd_googlenet_2014", s, "Inception", "history",
              "GoogLeNet won the ImageNet challenge in 2014", 2014,
              lambda lab: int(_ilsvrc("GoogLeNet")["year"]), how="references.ILSVRC"),
        Claim("gd_resnet_2015", s, "ResNet", "history",
              "ResNet won ILSVRC 2015", 2015, lambda lab: int(_ilsvrc("ResNet")["year"]),
              how="references.ILSVRC"),
    ]


def _stride1_corner(lab: _Lab):
    from . import ops

    example = lab.example("conv_3x3_pad1_stride2")
    return _plain(ops.conv2d(example.input, example.filter, padding=1)[:3, :3])


def _pool_config(p: _Profile, layer: str) -> tuple[int, int]:
    config = p.configs[layer]
    return config["pool_size"][0], config["strides"][0]


def _notes() -> list[Claim]:
    s = "NOTES"
    return [
        Claim("hw_flatten", s, "CNN", "layers", "An image (7, 7, 3) flattens to (1, 7×7×3)",
              147, lambda lab: _output_shape(_keras_layers().Flatten(), (7, 7, 3))[0],
              how="output of a Keras Flatten on (7, 7, 3)"),
        Claim("hw_one_filter", s, "CNN", "layers",
              "A conv layer with 1 filter gives 1 output channel (3-channel input)",
              1, lambda lab: _output_shape(_keras_layers().Conv2D(1, 3), (7, 7, 3))[-1],
              how="output channels of a Keras Conv2D(1, 3) on (7, 7, 3)"),
        Claim("hw_alexnet_pool", s, "ALEX Net", "layers",
              "Overlapping pooling 3×3, stride 2", (3, 2),
              lambda lab: _pool_config(lab.zoo("alexnet"), "pool1"),
              how="pool1 of models.build('alexnet')"),
        Claim("hw_shortcut_params", s, "ResNet", "params",
              "Adding x (the identity shortcut) adds no parameters",
              0, lambda lab: _add_params(lab.zoo("resnet34")),
              how="parameters of the Add layers of models.build('resnet34')"),
    ]


def _add_params(p: _Profile) -> int:
    return sum(p.column(n, "params") for n in p.names("Add"))


def _models() -> list[Claim]:
    from .shapes import conv_output_size

    s = "MODELS"
    alex = "AlexNet"
    conv1 = "AlexNet conv1"
    google = "GoogLeNet"
    resnet = "ResNet"

    return [
        Claim("cm_alexnet_15", s, "AlexNet의 효과", "history",
              "AlexNet alone reached a top-5 error in the 15 % range at ILSVRC 2012",
              Bound("in", (15, 16)), lambda lab: _ilsvrc("AlexNet", 2012)["top5_error"],
              how="references.ILSVRC"),
        Claim("cm_alexnet_layout", s, alex, "architectures",
              "5 conv layers, 3 fully connected layers, 1000 categories",
              (5, 3, 1000), lambda lab: _layout(lab.zoo("alexnet")),
              how="Conv2D and Dense layers and output units of models.build('alexnet')"),
        Claim("cm_alexnet_neurons", s, alex, "params", "650,000 neurons",
              650_000, _alexnet_neurons, tol=0.05,
              how="outputs of the 5 conv and 3 FC layers of models.build('alexnet_grouped')",
              why="{computed:,} output values, rounded in the paper to 650,000."),
        Claim("cm_alexnet_params", s, alex, "params", "60 million parameters",
              60_000_000, lambda lab: lab.zoo("alexnet_grouped").params, tol=0.05,
              how="models.build('alexnet_grouped').count_params()",
              why="{computed:,} rounded down to 60 million, as in the paper."),
        Claim("cm_alexnet_connections", s, alex, "params", "630 million connections",
              630_000_000, lambda lab: lab.zoo("alexnet_grouped").macs(), tol=0.05,
              how="multiply-adds (one per connection) of models.build('alexnet_grouped')",
              why="Counting every weighted connection (one multiply-add each) of the two-GPU "
                  "network gives {computed:,}, {excess:.0%} more than 630M; the notes give no "
                  "breakdown of their figure.",
              details={"excess": lambda lab: lab.zoo("alexnet_grouped").macs() / 630e6 - 1}),
        Claim("cm_alexnet_conv1_spec", s, conv1, "architectures",
              "Input 227×227×3, conv1 kernel 11×11×3, stride 4",
              (227, 11, 4), lambda lab: _conv1_spec(lab.zoo("alexnet")),
              how="input side and conv1 kernel and stride of models.build('alexnet')"),
        Claim("cm_output_formula", s, "AlexNet: 224 or 227?", "layers",
              "Output = ((input − kernel + 2·pad)/2) + 1 gives 55 for a 227 input",
              55, lambda lab: conv_output_size(227, 11, s=2),
              how="shapes.conv_output_size(227, 11, s=2): the formula as printed",
              why="The printed formula divides by 2 and gives {computed}; the divisor is the "
                  "stride, 4: (227 − 11)/4 + 1 = {right}.",
              details={"right": lambda lab: conv_output_size(227, 11, s=4)}),
        Claim("cm_224_not_55", s, "AlexNet: 224 or 227?", "layers",
              "A 224 input cannot give 55 (11×11 kernel, stride 4)",
              Bound("!=", 55), lambda lab: _conv_side(224, 11, 4),
              how="shapes.conv_output_size(224, 11, s=4, strict=False)"),
        Claim("cm_last_window", s, "AlexNet: 224 or 227?", "layers",
              "The 55th window covers pixels 217 … 227",
              (217, 227), lambda lab: _last_window(227, 11, 4),
              how="window n covers 4(n−1)+1 … 4(n−1)+11 for n = "
                  "shapes.conv_output_size(227, 11, s=4)"),
        Claim("cm_zfnet_stride", s, "AlexNet: 224 or 227?", "architectures",
              "From ZFNet on, conv1 is 7×7 with stride 4", 4,
              lambda lab: lab.zoo("zfnet").configs["conv1"]["strides"][0],
              how="conv1 stride of models.build('zfnet')",
              why="ZFNet's 7×7 conv1 has stride {computed} (Zeiler & Fergus, Figure 3: "
                  "224 → {conv1}); stride 4 is AlexNet's.",
              details={"conv1": lambda lab: lab.zoo("zfnet").side("conv1")}),
        Claim("cm_conv1_neurons", s, conv1, "params", "conv1 has 55×55×96 = 290,400 neurons",
              290400, lambda lab: lab.zoo("alexnet").column("conv1", "activations"),
              how="activations of conv1, accounting.param_table('alexnet')"),
        Claim("cm_conv1_kernel", s, conv1, "params",
              "Each kernel: 11×11×3 = 363 weights + 1 bias = 364 parameters",
              364, lambda lab: lab.zoo("alexnet").column("conv1", "params") // 96,
              how="conv1 parameters / 96 kernels"),
        Claim("cm_conv1_params", s, conv1, "params", "364×96 = about 35,000 parameters",
              35_000, lambda lab: lab.zoo("alexnet").column("conv1", "params"), tol=0.01,
              how="accounting.param_table('alexnet')", why="364 × 96 = {computed:,}."),
        Claim("cm_conv1_connections", s, conv1, "params",
              "290,400 × 364 = about 100 million connections",
              100_000_000, _conv1_connections, tol=0.1,
              how="conv1 MACs + one bias connection per output (accounting)",
              why="290,400 × 364 = {computed:,}, which the notes round to 1억."),
        Claim("cm_conv1_no_pool", s, conv1, "architectures",
              "No max pooling after conv1 (value: pooling layers between conv1 and conv2)",
              0, lambda lab: _pools_between(lab.zoo("alexnet"), "conv1", "conv2"),
              how="MaxPooling2D layers between conv1 and conv2 in models.build('alexnet')",
              why="AlexNet pools after conv1 (Krizhevsky et al., Sec. 3.5: conv1 → response "
                  "normalisation → max pool); the stride of 4 does not replace it. The notes' "
                  "own conv2 section starts from a pooled 27×27 map."),
        Claim("cm_conv2_out", s, "AlexNet conv2", "layers", "conv2 result: 27×27×256",
              (27, 27, 256), lambda lab: lab.zoo("alexnet").shapes["conv2"],
              how="conv2 output of models.build('alexnet')"),
        Claim("cm_train_crops", s, "Data augmentation", "training",
              "224×224 crops of a 256×256 image plus their mirror images: 2048 per image",
              2048, lambda lab: 2 * _crop_positions(256, 224), tol=0.1,
              how="2 × (positions of a 224 window in 256)², shapes.conv_output_size",
              why="A 224 window fits at {offsets} offsets per axis of a 256 image, so there "
                  "are {computed:,} crops; the paper's 2048 = 32² × 2 counts 32 offsets.",
              details={"offsets": lambda lab: conv_output_size(256, 224)}),
        Claim("cm_dropout_fc", s, "Dropout", "training",
              "Dropout only in the first two FC layers", 2,
              lambda lab: len(lab.zoo("alexnet").names("Dropout")),
              how="Dropout layers of models.build('alexnet')"),
        Claim("cm_depth_before_2014", s, "GoogLeNet: history", "architectures",
              "Up to 2013 CNNs were less than 10 layers deep (AlexNet, ZFNet)",
              Bound("<", 10), lambda lab: max(lab.zoo(n).depth for n in ("alexnet", "zfnet")),
              how="weighted depth of models.build('alexnet') and ('zfnet')"),
        Claim("cm_depth_2014", s, "GoogLeNet: history", "architectures",
              "GoogLeNet and VGGNet reach 22 and 19 layers", (22, 19),
              lambda lab: (lab.zoo("googlenet").depth, lab.zoo("vgg19").depth),
              how="weighted depth of the zoo models"),
        Claim("cm_under_10", s, "GoogLeNet: history", "history",
              "Two years after AlexNet, the error fell below 10 %", Bound("<", 10),
              lambda lab: _ilsvrc("GoogLeNet", 2014)["top5_error"],
              how="references.ILSVRC, 2014 winner"),
        Claim("cm_resnet_357", s, "GoogLeNet: history", "history",
              "ResNet, 152 layers, brought the error down to 3.57 %", 3.57,
              lambda lab: _ilsvrc("ResNet", 2015)["top5_error"], how="references.ILSVRC"),
        Claim("cm_googlenet_shallower", s, "Inception", "architectures",
              "Compared with AlexNet, GoogLeNet is much shallower (value: its depth, vs "
              "AlexNet's 8)",
              Bound("<", 8), lambda lab: lab.zoo("googlenet").depth,
              how="weighted depth of models.build('googlenet')",
              why="GoogLeNet is much deeper: {computed} layers with weights against AlexNet's "
                  "{alexnet}. '얕은데' (shallower) should read '깊은데' (deeper).",
              details={"alexnet": lambda lab: lab.zoo("alexnet").depth}),
        Claim("cm_googlenet_12x", s, "Inception", "params",
              "GoogLeNet has 1/12 of AlexNet's free parameters (value: AlexNet / GoogLeNet)",
              12, lambda lab: round(lab.zoo("alexnet_grouped").params
                                    / lab.zoo("googlenet").params, 2), tol=0.1,
              how="count_params of alexnet_grouped over googlenet",
              why="The paper's claim ('12 times fewer'), but its own Table 1 network has "
                  "{googlenet:,} parameters: AlexNet has only {computed}× as many.",
              details={"googlenet": lambda lab: lab.zoo("googlenet").params}),
        Claim("cm_nine_inception", s, "GoogLeNet structure", "architectures",
              "9 inception modules", 9, lambda lab: _inception_modules(lab.zoo("googlenet")),
              how="inception_*_output layers of models.build('googlenet')"),
        Claim("cm_aux_classifiers", s, "Auxiliary classifier", "architectures",
              "Auxiliary classifiers in 2 places", 2,
              lambda lab: lab.zoo("googlenet", aux_logits=True).outputs - 1,
              how="extra outputs of models.build('googlenet', aux_logits=True)"),
        Claim("cm_factor_5x5", s, "Factorizing", "params",
              "5×5 conv → two 3×3 convs: free parameters 25 → 9 + 9 = 18 (per channel pair)",
              (25, 18), lambda lab: _factor(lab, "5×5 → two 3×3"),
              how="accounting.factorization_examples(channels=1)"),
        Claim("cm_conv_then_pool", s, "Grid size reduction", "params",
              "Conv before pooling costs 4 times the operations of pooling first",
              4, lambda lab: _conv_pool_ratio(), how="MACs via accounting.compare_stacks"),
        Claim("cm_7x7_vs_3x3", s, "VGGNet", "params",
              "C channels: 7×7 conv 7²·C² vs three 3×3 convs 3·(3²·C²) (value in units of C²)",
              (49, 27), lambda lab: _factor(lab, "7×7 → three 3×3"),
              how="accounting.factorization_examples(channels=1)"),
        Claim("cm_first_kernels", s, "VGGNet 특징", "architectures",
              "First kernels: AlexNet 11×11, GoogLeNet 7×7", (11, 7),
              lambda lab: (lab.zoo("alexnet").configs["conv1"]["kernel_size"][0],
                           lab.zoo("googlenet").configs["conv1_7x7_s2"]["kernel_size"][0]),
              how="conv1 kernel sizes of the zoo models"),
        Claim("cm_vgg_d_e", s, "VGGNet 표", "architectures",
              "Configuration D is VGG-16 and E is VGG-19 (weighted layers)", (16, 19),
              lambda lab: (lab.zoo("vgg16").depth, lab.zoo("vgg19").depth),
              how="weighted depth of models.build('vgg16') and ('vgg19')"),
        Claim("cm_vgg_11_first", s, "VGGNet 특징", "architectures",
              "The 11-layer network (configuration A) is trained first", 11,
              lambda lab: lab.zoo("vgg11").depth, how="weighted depth of models.build('vgg11')"),
        Claim("cm_resnet_error_2x", s, "ResNet info", "history",
              "Twice as good as GoogLeNet (2014) (value: ratio of their top-5 errors)",
              2, lambda lab: round(_ilsvrc("GoogLeNet", 2014)["top5_error"]
                                   / _ilsvrc("ResNet", 2015)["top5_error"], 2), tol=0.1,
              how="references.ILSVRC",
              why="{googlenet} % / {resnet} % = {computed}, a little under 2.",
              details={"googlenet": lambda lab: _ilsvrc("GoogLeNet", 2014)["top5_error"],
                       "resnet": lambda lab: _ilsvrc("ResNet", 2015)["top5_error"]}),
        Claim("cm_resnet_depth_7x", s, "ResNet info", "architectures",
              "More than 7 times as deep as GoogLeNet", Bound(">", 7),
              lambda lab: round(lab.zoo("resnet152").depth / lab.zoo("googlenet").depth, 2),
              how="weighted depth of resnet152 over googlenet",
              why="{resnet} / {googlenet} = {computed}: almost, but not more than, 7 times as "
                  "deep.", details={"resnet": lambda lab: lab.zoo("resnet152").depth,
                                    "googlenet": lambda lab: lab.zoo("googlenet").depth}),
        Claim("cm_resnet_layout", s, "ResNet 구조", "architectures",
              "No max pooling except one place, no hidden FC, no dropout "
              "(value: max pools, hidden FC layers, dropout layers)",
              (1, 0, 0), lambda lab: _resnet_layout(lab.zoo("resnet152")),
              how="layer kinds of models.build('resnet152')"),
    ]


def _layout(p: _Profile) -> tuple[int, int, int]:
    return len(p.names("Conv2D")), len(p.names("Dense")), p.shapes[p.names("Dense")[-1]][-1]


def _conv1_spec(p: _Profile) -> tuple[int, int, int]:
    config = p.configs["conv1"]
    return p.input_shape[0], config["kernel_size"][0], config["strides"][0]


def _last_window(n: int, f: int, s: int) -> tuple[int, int]:
    from .shapes import conv_output_size

    start = s * (conv_output_size(n, f, s=s) - 1) + 1
    return start, start + f - 1


def _conv1_connections(lab: _Lab) -> int:
    p = lab.zoo("alexnet")
    return p.column("conv1", "macs") + p.column("conv1", "activations")


def _inception_modules(p: _Profile) -> int:
    return sum(bool(re.fullmatch(r"inception_\w+_output", n)) for n in p.kinds)


def _factor(lab: _Lab, example: str) -> tuple[int, ...]:
    table = lab.factorizations()
    return tuple(int(v) for v in table.loc[table["example"] == example, "params"])


def _conv_pool_ratio():
    layers = _keras_layers()
    _, conv_first = _stack([layers.Conv2D(8, 3, padding="same", use_bias=False),
                               layers.MaxPooling2D(2)], (16, 16, 8))
    _, pool_first = _stack([layers.MaxPooling2D(2),
                               layers.Conv2D(8, 3, padding="same", use_bias=False)], (16, 16, 8))
    return Fraction(conv_first, pool_first)


def _resnet_layout(p: _Profile) -> tuple[int, int, int]:
    return len(p.names("MaxPooling2D")), len(p.names("Dense")) - 1, len(p.names("Dropout"))


def catalogue() -> list[Claim]:
    """Every claim record, lecture by lecture (nothing is computed)."""
    return _ml9() + _dl1() + _gdsc() + _notes() + _models()


# ---------------------------------------------------------------- the table

def _check_choice(value, options, what: str):
    if value is None:
        return None
    if value not in options:
        raise ValueError(f"Unknown {what} {value!r}: {did_you_mean(str(value), options)}")
    return value


def _evaluate(claim: Claim, lab: _Lab) -> dict:
    try:
        computed = _plain(claim.compute(lab))
        extra = {k: _plain(f(lab)) for k, f in claim.details.items()}
    except Exception as error:  # name the claim, keep the cause
        raise RuntimeError(f"claim {claim.id!r} {claim.source} could not be computed: "
                           f"{error}") from error
    result = verdict(claim.slide, computed, claim.tol)
    explanation = claim.how
    if result != "ok" and claim.why:
        explanation = claim.why.format(computed=computed, slide=claim.slide, **extra)
    return dict(id=claim.id, lecture=claim.lecture, source=claim.source, topic=claim.topic,
                claim=claim.text, slide_value=claim.slide, computed_value=computed,
                rule=_rule_text(claim.slide, claim.tol), verdict=result,
                explanation=explanation)


def claims(topic: str | None = None, lecture: str | None = None, ids=None):
    """The lecture claims as a DataFrame, every value recomputed now.

    topic: keep one of ``TOPICS``; lecture: keep one lecture document, by its key in
    ``references.LECTURES`` ('ML9', 'DL1', 'GDSC', 'NOTES', 'MODELS'); ids: keep these claim ids, in
    this order. Only the selected claims are computed. Columns: ``id`` (stable slug), ``lecture``,
    ``source`` ('[DL1, "AlexNet (2012)"]'), ``topic``, ``claim``, ``slide_value``,
    ``computed_value``, ``rule`` ('exact', 'within 1%', 'inequality'), ``verdict`` (ok / rounded /
    erratum) and ``explanation``.
    """
    import pandas as pd

    topic = _check_choice(topic, TOPICS, "topic")
    lecture = _check_choice(lecture, LECTURES, "lecture")
    chosen = [c for c in catalogue()
              if (topic is None or c.topic == topic) and (lecture is None or c.lecture == lecture)]
    if ids is not None:
        if isinstance(ids, str):
            raise ValueError(f"ids must be a list of claim ids, got the string {ids!r}; "
                             f"write ids=[{ids!r}].")
        by_id = {c.id: c for c in chosen}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValueError(f"unknown claim id(s) {unknown} for this selection: "
                             f"{did_you_mean(str(unknown[0]), by_id)}")
        chosen = [by_id[i] for i in ids]
    lab = _Lab()
    rows = [_evaluate(c, lab) for c in chosen]
    # object columns keep each value as computed: 2178 stays an int next to 15.3 or (3, 4)
    return pd.DataFrame({column: pd.Series([r[column] for r in rows], dtype=object)
                         for column in COLUMNS})


def errata(topic: str | None = None, lecture: str | None = None):
    """The rows of ``claims(topic, lecture)`` whose verdict is not ``ok``."""
    table = claims(topic=topic, lecture=lecture)
    return table[table["verdict"] != "ok"].reset_index(drop=True)


def _shown(value, top: bool = True) -> str:
    """One value as text: 138,000,000 at the top level, plain digits inside tuples."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_shown(v, top=False) for v in value) + ")"
    if isinstance(value, bool) or not _is_number(value) or isinstance(value, Fraction):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if top else str(value)
    return f"{value:,.6g}" if top else f"{value:.6g}"


def pretty(table):
    """A copy of a ``claims()`` table with ``slide_value`` and ``computed_value`` as readable text.

    Big numbers get thousands separators (138,000,000), floats 6 significant digits, fractions
    stay exact (73/576), inequalities read like the slide ('> 7').
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or not {"slide_value", "computed_value"} <= set(
            table.columns):
        raise ValueError("pretty() takes a table returned by slides.claims() or "
                         f"slides.errata(), got {type(table).__name__}.")
    shown = table.copy()
    for column in ("slide_value", "computed_value"):
        shown[column] = [_shown(v) for v in shown[column]]
    return shown


def describe(table, ids=None) -> str:
    """The rows of a ``claims()`` table as text, one block per claim, in the order of ``ids``.

    Each block gives the source and verdict, the claim, the lecture's value, the computed value
    and the explanation, e.g. to print a chapter's errata in full. ids: claim ids (default: all
    rows).
    """
    shown = pretty(table).set_index("id", drop=False)
    ids = list(shown.index) if ids is None else list(ids)
    missing = [i for i in ids if i not in shown.index]
    if missing:
        raise ValueError(f"no claim {missing[0]!r} in this table: "
                         f"{did_you_mean(str(missing[0]), shown.index)}")
    blocks = []
    for claim_id in ids:
        row = shown.loc[claim_id]
        blocks.append(f"{row.source} — {VERDICT_WORDS[row.verdict]}\n"
                      f"  claim:    {row.claim}\n"
                      f"  lecture:  {row.slide_value}\n"
                      f"  computed: {row.computed_value}\n"
                      f"  why:      {row.explanation}")
    return "\n\n".join(blocks)


TABLE_COLUMNS = ["source", "claim", "lecture says", "computed", "verdict", "why"]


def table(ids=None, *, topic: str | None = None, lecture: str | None = None,
          errata_only: bool = False):
    """The claims as students read them: no ids, readable values, the verdict in words.

    ids / topic / lecture select as in :func:`claims`; errata_only keeps the rows whose verdict is
    not ``ok``. Columns: ``source`` ('[GDSC, "Stride & Padding"]'), ``claim``, ``lecture says``,
    ``computed``, ``verdict`` (the words of ``VERDICT_WORDS``) and ``why`` (the explanation when
    the verdict is not ok, else how the value was computed). Rows are numbered from 1.
    """
    rows = claims(topic=topic, lecture=lecture, ids=ids)
    if errata_only:
        rows = rows[rows["verdict"] != "ok"]
    shown = pretty(rows)
    out = shown.rename(columns={"slide_value": "lecture says", "computed_value": "computed",
                                "explanation": "why"})
    out["verdict"] = [VERDICT_WORDS[v] for v in shown["verdict"]]
    out = out[TABLE_COLUMNS].reset_index(drop=True)
    out.index = range(1, len(out) + 1)
    return out
