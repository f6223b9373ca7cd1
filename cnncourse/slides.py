"""The numeric claims of the lecture slides, each recomputed by the library and given a verdict.

The five lecture documents (``references.LECTURES``: ML9, DL1, GDSC, NOTES, MODELS) state many
numbers: feature-map sizes, parameter and multiply-add counts, memory, layer counts, error rates,
metrics. Each is one record of the data file ``cnncourse/claims.toml``: where it is (``lecture``
key and ``section``), what it says (``text``), the number as printed (``lecture_value``), a
*probe* that recomputes it with ``cnncourse`` (zoo models, ``accounting``, ``shapes``, ``ops``,
``train``, ``signals``, ``references``), a rule, and the right value from the paper or from
arithmetic (for the tests; it is never shown as the computed value). Nothing computed is stored:
``claims()`` runs every probe when it is called.

The verdict is derived, never typed in:

* ``ok``          the slide's value equals the computed one (floats: to 1e-9 relative);
* ``rounded``     not equal, but within the claim's stated relative tolerance, chosen from how
  the slide rounds ("138M" gets 1 %, "about 100 million" 10 %);
* ``erratum``     anything else, or a stated inequality ("more than 7×") that does not hold.

Probes
------
``zoo:MODEL/QUERY``, ``zoo:MODEL[key=value,...]/QUERY``
    a zoo model built without its weights (options are ``models.build`` keywords, e.g.
    ``zoo:googlenet[aux_logits=true]/extra_outputs``). QUERY is a value of the whole model —
    ``depth`` (``layer_depth``), ``params``, ``macs``, ``stage_blocks`` (ResNet blocks per
    stage), ``input_side``, ``extra_outputs`` — or ``LAYERS/FIELD``. LAYERS is a layer name
    (``conv1_1``), a glob (``inception_3a_*``) or ``@Class`` (every layer of one Keras class,
    ``@Dropout``). FIELD is a column of ``accounting.param_table`` summed over those layers
    (``params``, ``weights``, ``biases``, ``activations``, ``macs``), ``count``, or, of one
    layer, ``shape``, ``side``, ``units``, ``size``, ``kernel``, ``stride``, ``pool``,
    ``params_per_filter``. Example: ``zoo:vgg16/conv1_1/weights``.
``ilsvrc:MODEL/COLUMN``, ``ilsvrc:MODEL/YEAR/COLUMN``
    a cell of ``references.ilsvrc_table()``, e.g. ``ilsvrc:ResNet/2015/top5_error``.
``fn:NAME``, ``fn:NAME(ARGS)``
    a function of this module registered with ``@_probe`` (its name without the leading
    underscore); ARGS are Python literals, e.g. ``fn:conv_output_size(227, 11, s=4)``.
    ``fn:total``, ``fn:largest``, ``fn:ratio`` and ``fn:excess`` take probes as arguments:
    ``fn:ratio("zoo:resnet152/depth", "zoo:googlenet/depth", digits=2)``.

A record's probe may be an array of probes: its value is then the tuple of their values.

Example::

    from cnncourse import slides
    table = slides.claims()                  # every claim, one row each
    slides.errata(topic="params")            # the rows of one topic whose verdict is not ok
    slides.table(lecture="GDSC")             # the same claims as students read them

Each zoo model is built once per call, without allocating its weights (shapes are all the
counts need), summarised and dropped: the whole catalogue takes seconds and little memory.
"""
from __future__ import annotations

import ast
import functools
import inspect
import math
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ._checks import did_you_mean
from ._keras import import_backend, without_weights
from .accounting import layer_depth  # the depth of a zoo model, kept here under its old name
from .references import LECTURES

__all__ = [
    "CLAIMS_FILE", "COLUMNS", "LECTURES", "TOPICS", "VERDICTS", "Bound", "Claim",
    "ClaimFileError", "catalogue", "claims", "describe", "errata", "layer_depth", "load",
    "parse_probe", "pretty", "run_probe", "table", "verdict", "VERDICT_WORDS",
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

CLAIMS_FILE = "claims.toml"  # package data next to this module


@dataclass(frozen=True)
class Claim:
    """One numeric statement of a lecture and the recipe to check it: a record of ``claims.toml``.

    slide: the value as printed; probe: how the library computes it (see *Probes* in the module
    docstring), or a tuple of probes for a tuple value; ``details`` name further probes that
    ``why`` (the explanation shown when the verdict is not ok) quotes as ``{name}``; ``how`` says
    where the computed value comes from. right / right_from: the right value, from the paper or
    from arithmetic, and where it comes from; the tests check every probe against it.
    """

    id: str
    lecture: str
    section: str
    topic: str
    text: str
    slide: object
    probe: str | tuple
    tol: float = 0.0
    how: str = ""
    why: str = ""
    details: Mapping[str, str] = field(default_factory=dict)
    right: object = None
    right_from: str = ""

    @property
    def source(self) -> str:
        return f'[{self.lecture}, "{self.section}"]'

    def compute(self, lab: _Lab | None = None):
        """The value the library gives now. lab: a workspace shared by several claims."""
        return _plain(run_probe(self.probe, lab or _Lab()))


# ---------------------------------------------------------------- computing with zoo models

# What a zoo probe can ask: of the whole model, summed over selected layers, or of one layer.
_MODEL_QUERIES = ("depth", "params", "macs", "stage_blocks", "input_side", "extra_outputs")
_SUMMED_FIELDS = ("params", "weights", "biases", "activations", "macs")
_LAYER_FIELDS = ("shape", "side", "units", "size", "kernel", "stride", "pool",
                 "params_per_filter")
_FIELDS = (*_SUMMED_FIELDS, "count", *_LAYER_FIELDS)


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

    def query(self, query: str):
        """One of ``_MODEL_QUERIES`` for the whole model."""
        return {"depth": lambda: self.depth, "params": lambda: self.params,
                "macs": self.macs, "stage_blocks": self.stage_blocks,
                "input_side": lambda: self.input_shape[0],
                "extra_outputs": lambda: self.outputs - 1}[query]()

    def select(self, layers: str) -> list[str]:
        """Layer names for a layer name, a glob ('inception_3a_*') or '@Class' ('@Dropout')."""
        if layers.startswith("@"):
            return self.names(layers[1:])
        if any(ch in layers for ch in "*?["):
            return [name for name in self.kinds if fnmatchcase(name, layers)]
        if layers not in self.kinds:
            raise KeyError(f"{self.name} has no layer {layers!r}: "
                           f"{did_you_mean(layers, self.kinds)}")
        return [layers]

    def field(self, layers: str, name: str):
        """One of ``_FIELDS`` for the layers ``layers`` selects."""
        chosen = self.select(layers)
        if name == "count":
            return len(chosen)
        if name in _SUMMED_FIELDS:
            return sum(self.column(layer, name) for layer in chosen)
        if len(chosen) != 1:
            raise ValueError(f"{name!r} is read from one layer, but {layers!r} selects "
                             f"{len(chosen)} layers of {self.name}")
        layer = chosen[0]
        shape, config = self.shapes[layer], self.configs[layer]
        return {"shape": lambda: shape, "side": lambda: shape[0], "units": lambda: shape[-1],
                "size": lambda: math.prod(shape),
                "kernel": lambda: config["kernel_size"][0],
                "stride": lambda: config["strides"][0],
                "pool": lambda: config["pool_size"][0],
                "params_per_filter": lambda: self.column(layer, "params") // config["filters"],
                }[name]()


# Zoo profiles are plain numbers read off a weightless build: they cannot change while the
# process runs, so every ``claims()`` call shares them (the errata appendix asks for a lecture's
# table several times; each VGG or ResNet is built once).
_PROFILES: dict = {}


class _Lab:
    """The workspace of one ``claims()`` call: zoo profiles and other costly results, cached."""

    def __init__(self):
        self._cache: dict = _PROFILES.copy()

    def _cached(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
            if isinstance(key, tuple) and key[0] == "zoo":   # zoo profiles outlive the call
                _PROFILES[key] = self._cache[key]
        return self._cache[key]

    def zoo(self, name: str, **options) -> _Profile:
        """The profile of ``models.build(name, **options)``; the model itself is dropped."""

        def make():  # the model accounting keeps, so counting it again elsewhere is free
            from . import accounting

            return _Profile(accounting.zoo_model(name, **options))

        return self._cached(("zoo", name, tuple(sorted(options.items()))), make)

    def factorizations(self):
        """``accounting.factorization_examples`` with one channel: counts in units of C²."""
        from . import accounting

        def make():
            with without_weights():
                return accounting.factorization_examples(channels=1, size=8)

        return self._cached("factor", make)

    def example(self, name: str):
        from . import ops

        return self._cached(("example", name), lambda: ops.worked_examples()[name])


# ---------------------------------------------------------------- probes

@dataclass(frozen=True)
class _Parsed:
    """A probe taken apart: form ('zoo', 'ilsvrc', 'fn'), target (model or function name),
    options (zoo build keywords), path (the query), args / kwargs (of a function)."""

    form: str
    target: str
    options: tuple = ()
    path: tuple = ()
    args: tuple = ()
    kwargs: tuple = ()


_PROBES: dict[str, Callable] = {}
# functions whose string arguments are probes themselves
_COMBINERS = ("total", "largest", "ratio", "excess")
_ILSVRC_COLUMNS = ("year", "team", "model", "top5_error", "winner", "source")
_ZOO_PROBE = re.compile(r"(?P<model>\w+)(?:\[(?P<options>[^\]]*)\])?/(?P<query>[^/]+(?:/[^/]+)?)")
_FN_PROBE = re.compile(r"(?P<name>\w+)(?:\((?P<args>.*)\))?", re.S)
PROBE_HELP = ("a probe is 'zoo:MODEL/QUERY' (e.g. 'zoo:vgg16/conv1_1/weights', "
              "'zoo:resnet101/stage_blocks'), 'ilsvrc:MODEL[/YEAR]/COLUMN' or 'fn:NAME(ARGS)'")


def _probe(func: Callable) -> Callable:
    """Register ``func(lab, *args)`` as the probe ``fn:NAME`` (its name without the '_')."""
    _PROBES[func.__name__.lstrip("_")] = func
    return func


def _option(text: str):
    if text in ("true", "false"):
        return text == "true"
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _parse_zoo(rest: str) -> _Parsed:
    from .models import available

    match = _ZOO_PROBE.fullmatch(rest)
    if not match:
        raise ValueError("write it as 'zoo:MODEL/QUERY' or 'zoo:MODEL/LAYERS/FIELD'")
    model = match["model"]
    if model not in available():
        raise ValueError(f"unknown model {model!r}: {did_you_mean(model, available())}")
    options = []
    for pair in filter(None, (match["options"] or "").split(",")):
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key.isidentifier():
            raise ValueError(f"build option {pair!r} must read key=value, e.g. aux_logits=true")
        options.append((key, _option(value)))
    path = tuple(match["query"].split("/"))
    if len(path) == 1 and path[0] not in _MODEL_QUERIES:
        raise ValueError(f"unknown model query {path[0]!r}: "
                         f"{did_you_mean(path[0], _MODEL_QUERIES)} (or LAYERS/FIELD)")
    if len(path) == 2 and path[1] not in _FIELDS:
        raise ValueError(f"unknown layer field {path[1]!r}: {did_you_mean(path[1], _FIELDS)}")
    return _Parsed("zoo", model, tuple(options), path)


def _parse_ilsvrc(rest: str) -> _Parsed:
    from .references import ILSVRC

    parts = rest.split("/")
    if len(parts) not in (2, 3) or (len(parts) == 3 and not parts[1].isdigit()):
        raise ValueError("write it as 'ilsvrc:MODEL/COLUMN' or 'ilsvrc:MODEL/YEAR/COLUMN'")
    models = {row[2] for row in ILSVRC}
    if parts[0] not in models:
        raise ValueError(f"no ILSVRC entry {parts[0]!r}: {did_you_mean(parts[0], models)}")
    if parts[-1] not in _ILSVRC_COLUMNS:
        raise ValueError(f"unknown ILSVRC column {parts[-1]!r}: "
                         f"{did_you_mean(parts[-1], _ILSVRC_COLUMNS)}")
    year = (int(parts[1]),) if len(parts) == 3 else ()
    return _Parsed("ilsvrc", parts[0], path=(*year, parts[-1]))


def _parse_fn(rest: str) -> _Parsed:
    match = _FN_PROBE.fullmatch(rest)
    if not match:
        raise ValueError("write it as 'fn:NAME' or 'fn:NAME(ARGS)' with literal arguments")
    name = match["name"]
    if name not in _PROBES:
        raise ValueError(f"unknown function {name!r}: {did_you_mean(name, _PROBES)}")
    try:
        call = ast.parse(f"f({match['args'] or ''})", mode="eval").body
        args = tuple(ast.literal_eval(a) for a in call.args)
        kwargs = tuple((k.arg, ast.literal_eval(k.value)) for k in call.keywords)
    except (SyntaxError, ValueError) as error:
        raise ValueError(f"the arguments of {name!r} must be Python literals "
                         f"(numbers, strings, tuples): {error}") from None
    try:
        inspect.signature(_PROBES[name]).bind(None, *args, **dict(kwargs))
    except TypeError as error:
        raise ValueError(f"fn:{name} {error}; its signature is "
                         f"{inspect.signature(_PROBES[name])} (lab is passed for you)") from None
    if name in _COMBINERS:
        for operand in args:
            if isinstance(operand, str):
                parse_probe(operand)
    return _Parsed("fn", name, args=args, kwargs=kwargs)


@functools.cache
def parse_probe(probe: str) -> _Parsed:
    """Check one probe string and take it apart; a ValueError says what is wrong."""
    if not isinstance(probe, str):
        raise ValueError(f"a probe is a string, got {probe!r}; {PROBE_HELP}")
    form, sep, rest = probe.partition(":")
    parsers = {"zoo": _parse_zoo, "ilsvrc": _parse_ilsvrc, "fn": _parse_fn}
    if not sep or form not in parsers:
        raise ValueError(f"probe {probe!r}: unknown form {form!r}; {PROBE_HELP}")
    try:
        return parsers[form](rest)
    except ValueError as error:
        raise ValueError(f"probe {probe!r}: {error}") from None


def run_probe(probe, lab: _Lab):
    """The value of a probe (or a tuple of probes) computed now, in the workspace ``lab``."""
    if isinstance(probe, tuple):
        return tuple(run_probe(p, lab) for p in probe)
    parsed = parse_probe(probe)
    if parsed.form == "zoo":
        profile = lab.zoo(parsed.target, **dict(parsed.options))
        if len(parsed.path) == 1:
            return profile.query(parsed.path[0])
        return profile.field(*parsed.path)
    if parsed.form == "ilsvrc":
        return _ilsvrc(parsed.target, *parsed.path[:-1])[parsed.path[-1]]
    return _PROBES[parsed.target](lab, *parsed.args, **dict(parsed.kwargs))


def _operand(lab: _Lab, value):
    """A combiner's argument: a probe string is computed, a number stays."""
    return run_probe(value, lab) if isinstance(value, str) else value


# ---------------------------------------------------------------- the registered functions

def _ilsvrc(model: str, year: int | None = None) -> dict:
    """The row of ``references.ILSVRC`` for ``model`` (and ``year``) as a dict."""
    from .references import ilsvrc_table

    table = ilsvrc_table()
    rows = table[table["model"] == model]
    if year is not None:
        rows = rows[rows["year"] == year]
    return rows.iloc[0].to_dict()


def _stack(layers, input_shape) -> tuple[int, int]:
    """(params, macs) of a small stack of Keras layers on ``input_shape``, via accounting."""
    from . import accounting

    with without_weights():
        row = accounting.compare_stacks({"stack": layers}, input_shape).iloc[0]
    return int(row["params"]), int(row["macs"])


def _output_shape(layer, input_shape) -> tuple:
    """Output shape (no batch axis) of one Keras layer applied to ``input_shape``."""
    return tuple(layer.compute_output_shape((None, *input_shape))[1:])


_X = (3.0, -1.0, 2.0, 0.5, 4.0)  # test sequences for the DSP identities
_H = (0.5, -2.0, 1.0)


def _largest_gap(a, b) -> float:
    """Largest absolute difference, rounded to 12 decimals (FFT round-off is ~1e-16)."""
    import numpy as np

    return round(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))), 12)


@_probe
def _sifting_error(lab) -> float:
    """Largest |Σ x[k] δ[n−k] − x[n]|: the rows of ``signals.decompose`` summed."""
    from . import signals

    return _largest_gap(signals.decompose(_X).sum(axis=0), _X)


@_probe
def _impulse_error(lab) -> float:
    """Largest |x * δ − x|."""
    from . import signals

    return _largest_gap(signals.convolve(_X, signals.impulse(1)), _X)


@_probe
def _commutation_error(lab) -> float:
    """Largest |x * h − h * x|."""
    from . import signals

    return _largest_gap(signals.convolve(_X, _H), signals.convolve(_H, _X))


@_probe
def _fourier_error(lab) -> float:
    """Largest gap between the direct convolution and IFFT(FFT(f) · FFT(x))."""
    from . import signals

    return _largest_gap(signals.convolve(_X, _H), signals.fft_convolve(_X, _H))


@_probe
def _blur_sum(lab) -> float:
    """Sum of the printed blur kernel, ``signals.slide_filter('blur')``."""
    from .signals import slide_filter

    return round(float(slide_filter("blur").sum()), 10)


@_probe
def _dropout_variance_peak(lab, samples: int = 20_000) -> float:
    """The p in 0.1 … 0.9 whose sampled dropout output o_D = δ·1·1 varies most."""
    from . import ops

    grid = [k / 10 for k in range(1, 10)]
    variances = [ops.dropout_output_mc([1.0], [1.0], p, samples=samples)[1] ** 2 * samples
                 for p in grid]
    return grid[variances.index(max(variances))]


@_probe
def _receptive_field(lab, kernel: int, layers: int = 1, dilation: int = 1) -> int:
    """Receptive field of ``layers`` stacked stride-1 convolutions (``shapes.receptive_field``)."""
    from .shapes import receptive_field

    stack = [(f"conv{k}", kernel, 1, dilation) for k in range(1, layers + 1)]
    return int(receptive_field(stack)["rf"].iloc[-1])


@_probe
def _conv_params(lab, kernel: int, filters: int = 1, dilation: int = 1) -> int:
    """Parameters of a Keras Conv2D without bias on a one-channel 8×8 input, via accounting."""
    conv = import_backend().layers.Conv2D(filters, kernel, dilation_rate=dilation, use_bias=False)
    return _stack([conv], (8, 8, 1))[0]


@_probe
def _conv_output_channels(lab, filters: int, kernel: int, input_shape) -> int:
    """Output channels of a Keras Conv2D(filters, kernel) applied to ``input_shape``."""
    return _output_shape(import_backend().layers.Conv2D(filters, kernel), input_shape)[-1]


@_probe
def _flatten_size(lab, *input_shape: int) -> int:
    """Length of a Keras Flatten's output on ``input_shape``."""
    return _output_shape(import_backend().layers.Flatten(), input_shape)[0]


@_probe
def _separable_ratio(lab, filters: int, f: int) -> Fraction:
    """``accounting.separable_cost_ratio`` for ``filters`` filters of f×f."""
    from . import accounting

    with without_weights():
        return accounting.separable_cost_ratio(n=16, c=8, filters=filters, f=f)


@_probe
def _conv_output_size(lab, n: int, f: int, p: int = 0, s: int = 1,
                      strict: bool = True) -> int:
    """``shapes.conv_output_size``."""
    from .shapes import conv_output_size

    return conv_output_size(n, f, p=p, s=s, strict=strict)


@_probe
def _pool_output_size(lab, n: int, f: int, s: int) -> int:
    """``shapes.pool_output_size``."""
    from .shapes import pool_output_size

    return pool_output_size(n, f, s)


@_probe
def _exact_output_size(lab, n: int, f: int, s: int) -> float:
    """(n − f)/s + 1 before any rounding."""
    return float(Fraction(n - f, s) + 1)


@_probe
def _last_window(lab, n: int, f: int, s: int) -> tuple[int, int]:
    """First and last pixel (from 1) of the last window of an f-wide, stride-s convolution."""
    from .shapes import conv_output_size

    start = s * (conv_output_size(n, f, s=s) - 1) + 1
    return start, start + f - 1


@_probe
def _crops_with_mirrors(lab, image: int, crop: int) -> int:
    """Square ``crop`` windows of a square ``image`` (stride 1), times 2 for the mirror images."""
    from .shapes import conv_output_size

    return 2 * conv_output_size(image, crop) ** 2


@_probe
def _worked_example(lab, name: str):
    """The result of one of ``ops.worked_examples()``, as nested tuples."""
    return _plain(lab.example(name).compute())


@_probe
def _stride1_corner(lab):
    """Top-left 3×3 of the padded stride-1 convolution of the stride-2 worked example."""
    from . import ops

    example = lab.example("conv_3x3_pad1_stride2")
    return _plain(ops.conv2d(example.input, example.filter, padding=1)[:3, :3])


@_probe
def _metric(lab, name: str) -> float:
    """``train.metrics_from_counts`` of the slide's 10-person test-kit example."""
    from . import train

    return train.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)[name]


@_probe
def _test_kit(lab, count: str) -> int:
    """People of the 10-person test-kit example: actual_negatives, actual_positives or
    predicted_positives, from ``train.labels_from_counts``."""
    from . import train

    y_true, y_pred = train.labels_from_counts(tn=1, fp=2, fn=1, tp=6)
    counts = {"actual_negatives": (y_true == 0), "actual_positives": (y_true == 1),
              "predicted_positives": (y_pred == 1)}
    return int(counts[count].sum())


@_probe
def _selu_slope(lab) -> float:
    """SELU's slope for positive inputs, from Keras (ELU's is 1 for any α)."""
    import numpy as np

    keras = import_backend()
    out = keras.ops.convert_to_numpy(keras.ops.selu(np.array([1.0], dtype="float32")))
    return round(float(out[0]), 4)


@_probe
def _factorization(lab, example: str) -> tuple[int, ...]:
    """Parameters (units of C²) of one row of ``accounting.factorization_examples``."""
    table = lab.factorizations()
    return tuple(int(v) for v in table.loc[table["example"] == example, "params"])


@_probe
def _conv_pool_ratio(lab) -> Fraction:
    """MACs of conv-then-pool over pool-then-conv (3×3 conv, 2×2 pool), via accounting."""
    layers = import_backend().layers
    _, conv_first = _stack([layers.Conv2D(8, 3, padding="same", use_bias=False),
                            layers.MaxPooling2D(2)], (16, 16, 8))
    _, pool_first = _stack([layers.MaxPooling2D(2),
                            layers.Conv2D(8, 3, padding="same", use_bias=False)], (16, 16, 8))
    return Fraction(conv_first, pool_first)


@_probe
def _printed_vgg_formula(lab) -> int:
    """(k_h·k_w·c_in) + c_out of VGG-16's conv1_1: the slide's expression with its '+' typo."""
    p = lab.zoo("vgg16")
    filters = p.column("conv1_1", "biases")
    return p.column("conv1_1", "weights") // filters + filters


@_probe
def _vgg16_memory(lab) -> int:
    """The values the VGG-16 memory slide lists: input, every conv, pool and FC output."""
    p = lab.zoo("vgg16")
    listed = p.table[p.table["type"].isin(["Conv2D", "MaxPooling2D", "Dense"])]
    return math.prod(p.input_shape) + int(listed["activations"].sum())


@_probe
def _vgg16_memory_mb(lab) -> float:
    """``vgg16_memory`` × 4 bytes (float32) in MB (10⁶ bytes), to one decimal."""
    return round(_vgg16_memory(lab) * 4 / 1e6, 1)


@_probe
def _pools_between(lab, model: str, first: str, second: str) -> int:
    """MaxPooling2D layers after ``first`` and before ``second`` in model order."""
    p = lab.zoo(model)
    names = list(p.kinds)
    between = names[names.index(first) + 1:names.index(second)]
    return sum(p.kinds[n] == "MaxPooling2D" for n in between)


@_probe
def _hidden_dense_layers(lab, model: str) -> int:
    """Dense layers of a zoo model other than its classifier."""
    return len(lab.zoo(model).names("Dense")) - 1


@_probe
def _resnet_sides(lab, model: str) -> tuple[int, ...]:
    """Output sides of conv1 and of the last block of each stage of a zoo ResNet."""
    p = lab.zoo(model)
    stages = [f"conv{k}_block{p.stage_blocks()[k - 2]}_out" for k in range(2, 6)]
    return tuple(p.side(n) for n in ["conv1_conv", *stages])


@_probe
def _bottleneck_depth(lab, blocks) -> int:
    """Weighted depth of a bottleneck ResNet with ``blocks`` per stage (sum × 3 + 2)."""
    from .models.resnet import weighted_depth

    return weighted_depth("bottleneck", list(blocks))


@_probe
def _paper_params(lab, name: str) -> float:
    """A published parameter count in millions, from ``references.PAPER_PARAMS``."""
    from .references import PAPER_PARAMS

    return PAPER_PARAMS[name].absolute / 1e6


@_probe
def _total(lab, *values):
    """Sum of probes (or numbers)."""
    return sum(_operand(lab, v) for v in values)


@_probe
def _largest(lab, *values):
    """Largest of probes (or numbers)."""
    return max(_operand(lab, v) for v in values)


@_probe
def _ratio(lab, numerator, denominator, digits: int | None = None):
    """numerator / denominator (probes or numbers), rounded to ``digits`` when given."""
    value = _operand(lab, numerator) / _operand(lab, denominator)
    return value if digits is None else round(value, digits)


@_probe
def _excess(lab, value, reference) -> float:
    """How much ``value`` exceeds ``reference``, as a fraction: value / reference − 1."""
    return _operand(lab, value) / _operand(lab, reference) - 1


# ---------------------------------------------------------------- the claims file

class ClaimFileError(ValueError):
    """A claims file that does not describe valid claims; the message names the claim and fix."""


_REQUIRED = ("id", "lecture", "section", "topic", "text", "lecture_value", "right_value",
             "right_from", "probe", "how")
_OPTIONAL = ("tol", "why", "details")
_TEXT_KEYS = ("id", "lecture", "section", "topic", "text", "right_from", "how", "why")
_BOUND_OPS = ("<", ">", "!=", "in")


def _decode(value, where: str):
    """A value of the file as the library uses it: arrays -> tuples, "1/64 + 1/9" -> Fraction,
    { op, limit } -> Bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, list, dict)):
        raise ClaimFileError(f"{where}: {value!r} is not a value; write a number, an array, a "
                             "fraction such as \"1/64 + 1/9\" or { op = \">\", limit = 7 }")
    if isinstance(value, list):
        return tuple(_decode(v, where) for v in value)
    if isinstance(value, str):
        try:
            return sum((Fraction(term.strip()) for term in value.split("+")), Fraction(0))
        except (ValueError, ZeroDivisionError):
            raise ClaimFileError(f"{where}: {value!r} is not a fraction; write it like "
                                 "\"1/64 + 1/9\"") from None
    if isinstance(value, dict):
        if set(value) != {"op", "limit"} or value["op"] not in _BOUND_OPS:
            raise ClaimFileError(f"{where}: an inequality is {{ op = OP, limit = LIMIT }} with "
                                 f"OP one of {', '.join(_BOUND_OPS)}; got {value!r}")
        limit = _decode(value["limit"], where)
        if (value["op"] == "in") != isinstance(limit, tuple):
            raise ClaimFileError(f"{where}: op 'in' takes limit = [low, high], the others one "
                                 f"number; got {value!r}")
        return Bound(value["op"], limit)
    return value


def _checked_probe(probe, where: str):
    """The probe of a record (a string or an array of strings) checked, arrays as tuples."""
    if isinstance(probe, list):
        return tuple(_checked_probe(p, where) for p in probe)
    try:
        parse_probe(probe)
    except ValueError as error:
        raise ClaimFileError(f"{where}: {error}") from None
    return probe


def _record(raw, number: int, seen: dict) -> Claim:
    """One [[claim]] table checked and turned into a Claim."""
    claim_id = raw.get("id") if isinstance(raw, dict) else None
    label = f"claim {claim_id!r}" if isinstance(claim_id, str) else f"claim #{number} (no id)"
    if not isinstance(raw, dict):
        raise ClaimFileError(f"{label}: each claim is a [[claim]] table, got {raw!r}")
    for key in raw:
        if key not in _REQUIRED + _OPTIONAL:
            raise ClaimFileError(f"{label}: unknown key {key!r}: "
                                 f"{did_you_mean(key, _REQUIRED + _OPTIONAL)}")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise ClaimFileError(f"{label}: missing {', '.join(map(repr, missing))}; every claim "
                             f"needs {', '.join(_REQUIRED)}")
    for key in _TEXT_KEYS:
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            raise ClaimFileError(f"{label}: {key} must be a non-empty string, got {raw[key]!r}")
    if claim_id in seen:
        raise ClaimFileError(f"{label}: duplicate id (claim #{seen[claim_id]} has it too); "
                             "give one of them a new id")
    seen[claim_id] = number
    if raw["lecture"] not in LECTURES:
        raise ClaimFileError(f"{label}: unknown lecture {raw['lecture']!r}: "
                             f"{did_you_mean(raw['lecture'], LECTURES)}")
    if raw["topic"] not in TOPICS:
        raise ClaimFileError(f"{label}: unknown topic {raw['topic']!r}: "
                             f"{did_you_mean(raw['topic'], TOPICS)}")
    tol = raw.get("tol", 0.0)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < 1:
        raise ClaimFileError(f"{label}: tol must be a relative tolerance in [0, 1), e.g. 0.05; "
                             f"got {tol!r}")
    details = raw.get("details", {})
    if not isinstance(details, dict):
        raise ClaimFileError(f"{label}: details is a table of name = probe, got {details!r}")
    checked = {name: _checked_probe(p, f"{label}, details.{name}") for name, p in details.items()}
    why = raw.get("why", "")
    for _, name, _, _ in string.Formatter().parse(why):
        field_name = (name or "").split(".")[0].split("[")[0]
        if name is not None and field_name not in {"computed", "slide", *checked}:
            raise ClaimFileError(f"{label}: why quotes {{{name}}}, which is neither computed, "
                                 "slide nor a name in details; add it to details or reword why")
    return Claim(claim_id, raw["lecture"], raw["section"], raw["topic"], raw["text"],
                 _decode(raw["lecture_value"], f"{label}, lecture_value"),
                 _checked_probe(raw["probe"], label), float(tol) if tol else 0.0,
                 raw["how"], why, checked, _decode(raw["right_value"], f"{label}, right_value"),
                 raw["right_from"])


def load(path=None) -> list[Claim]:
    """The claims of a TOML file (default: the packaged ``claims.toml``), checked.

    Raises ClaimFileError naming the claim and the fix for an unknown or missing key, a
    duplicate id, an unknown lecture, topic, probe, model or function, or a bad value.
    """
    if path is None:
        name, text = CLAIMS_FILE, files(__package__).joinpath(CLAIMS_FILE).read_text("utf-8")
    else:
        name, text = str(path), Path(path).read_text("utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ClaimFileError(f"{name} is not valid TOML: {error}") from None
    unknown = [key for key in document if key != "claim"]
    if unknown or not isinstance(document.get("claim"), list):
        raise ClaimFileError(f"{name}: the file holds [[claim]] tables only, found "
                             f"{unknown or 'no [[claim]] table'}")
    seen: dict = {}
    return [_record(raw, number, seen) for number, raw in enumerate(document["claim"], 1)]


@functools.cache
def _packaged() -> tuple[Claim, ...]:
    return tuple(load())


def catalogue() -> list[Claim]:
    """Every claim record of the packaged ``claims.toml``, lecture by lecture (nothing computed)."""
    return list(_packaged())


# ---------------------------------------------------------------- the table

def _check_choice(value, options, what: str):
    if value is None:
        return None
    if value not in options:
        raise ValueError(f"Unknown {what} {value!r}: {did_you_mean(str(value), options)}")
    return value


def _evaluate(claim: Claim, lab: _Lab) -> dict:
    try:
        computed = claim.compute(lab)
        extra = {name: _plain(run_probe(probe, lab)) for name, probe in claim.details.items()}
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
    """The lecture claims as a DataFrame, every value computed from the course's own code.

    (Each zoo model is built once per process; its counts are shared by later calls.)

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
