"""The model registry behind ``cnncourse.models.build`` and ``available``.

A family module registers each public name with the keyword defaults that pick the variant::

    @register("vgg16", depth=16)
    @register("vgg19", depth=19)
    def vgg(depth, input_shape=(224, 224, 3), num_classes=1000, batch_norm=False): ...
"""
from __future__ import annotations

import inspect
from collections.abc import Callable

from .._checks import did_you_mean

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
    return fn(**{**defaults, **kwargs})
