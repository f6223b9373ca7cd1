"""The model registry behind ``cnncourse.models.build`` and ``available``.

A family module registers each public name with the keyword defaults that pick the variant::

    @register("vgg16", depth=16)
    @register("vgg19", depth=19)
    def vgg(depth, input_shape=(224, 224, 3), num_classes=1000, batch_norm=False): ...
"""
from __future__ import annotations

import inspect
import os
from collections.abc import Callable

from .._checks import did_you_mean, positive_int
from .._keras import without_weights

_REGISTRY: dict[str, tuple[Callable, dict]] = {}


def register(name: str, **defaults):
    """Decorator: make ``build(name)`` call the decorated builder with ``defaults``."""

    def decorate(fn):
        if name in _REGISTRY:
            raise RuntimeError(f"model name {name!r} is registered twice")
        _REGISTRY[name] = (fn, defaults)
        return fn

    return decorate


def _canonical(name: str) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def available() -> list[str]:
    """Every name ``build`` accepts, sorted."""
    return sorted(_REGISTRY)


def builder(name: str) -> tuple[Callable, dict]:
    """The builder function and its registered defaults for ``name``."""
    key = _canonical(name)
    if key not in _REGISTRY:
        raise ValueError(f"Unknown model {name!r}: {did_you_mean(key, _REGISTRY)} "
                         "See cnncourse.models.available() for the full list.")
    return _REGISTRY[key]


def build(name: str, **kwargs):
    """Build the Keras model registered as ``name``; ``kwargs`` override its defaults.

    Every builder takes ``input_shape=`` and ``num_classes=`` (the paper's values by default).
    """
    fn, defaults = builder(name)
    params = inspect.signature(fn).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    unknown = [k for k in kwargs if k not in params and not takes_any]
    if unknown:
        accepted = [p for p in params if p not in defaults]
        raise ValueError(f"build({name!r}) got unknown option(s) {unknown}; "
                         f"it accepts: {', '.join(accepted)}.")
    if "num_classes" in kwargs:
        kwargs["num_classes"] = positive_int(kwargs["num_classes"], "num_classes")
    options = {**defaults, **kwargs}
    if {"input_shape", "num_classes"} & set(kwargs):
        _check_weight_memory(name, fn, options, params)
    return fn(**options)


def weight_budget_bytes() -> int:
    """The most float32 weight memory ``build`` allocates without refusing.

    ``CNNCOURSE_MAX_WEIGHTS_GB`` sets it; by default it is half of this machine's memory.
    """
    configured = os.environ.get("CNNCOURSE_MAX_WEIGHTS_GB")
    if configured:
        try:
            return int(float(configured) * 1e9)
        except ValueError:
            raise ValueError(f"CNNCOURSE_MAX_WEIGHTS_GB must be a number of gigabytes, got "
                             f"{configured!r}; e.g. CNNCOURSE_MAX_WEIGHTS_GB=8.") from None
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):  # no sysconf: no limit we can know
        return 1 << 62


def _check_weight_memory(name: str, fn: Callable, options: dict, params) -> None:
    """Refuse, with the reason, a variant whose weights would not fit in memory.

    The variant is first built without allocating its weights (a few milliseconds), so a
    ``num_classes`` of a billion or a 2048×2048 input to VGG's dense layers is caught before
    the backend runs out of memory.
    """
    with without_weights():
        model = fn(**options)
    count = model.count_params()
    need, budget = 4 * count, weight_budget_bytes()
    if need <= budget:
        return
    reasons = []
    default_classes = params["num_classes"].default if "num_classes" in params else None
    if isinstance(default_classes, int) and options.get("num_classes", 0) > default_classes:
        reasons.append(f"num_classes={options['num_classes']:,} makes the classifier layer "
                       "huge: use the number of classes in your data")
    default_shape = params["input_shape"].default if "input_shape" in params else None
    if default_shape is not inspect.Parameter.empty and default_shape is not None and \
            tuple(options.get("input_shape", default_shape)) != tuple(default_shape):
        reasons.append(f"input_shape={tuple(options['input_shape'])} is larger than the "
                       f"{tuple(default_shape)} it was designed for, and its fully connected "
                       "layers grow with the input area: resize the images to "
                       f"{tuple(default_shape)[:2]}")
    raise ValueError(f"build({name!r}) would need {count:,} parameters = {need / 1e9:.1f} GB of "
                     f"float32 weights, more than the {budget / 1e9:.1f} GB allowed "
                     "(half of this machine's memory, or CNNCOURSE_MAX_WEIGHTS_GB). "
                     + ("; ".join(reasons) + "." if reasons else ""))
