"""Calling the student's function on one probe; shared by ``homework.check`` and the grader's
sandbox harness (``cnncourse.grading.harness``), which runs next to the student's code and only
turns calls into :class:`~cnncourse.homework._base.Result` records.
"""
from __future__ import annotations

import sys


def _matches(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


class CallTracer:
    """Record calls into the modules ``forbidden`` (prefixes) while a student's function runs."""

    def __init__(self, forbidden):
        self.forbidden = tuple(forbidden)
        self.hits: list[str] = []

    def _profile(self, frame, event, arg):
        if event == "call":
            module = frame.f_globals.get("__name__", "") or ""
            name = frame.f_code.co_name
        elif event == "c_call":
            module = getattr(arg, "__module__", None) or ""
            if not module:
                owner = getattr(arg, "__self__", None)
                module = getattr(type(owner), "__module__", "") if owner is not None else ""
            name = getattr(arg, "__qualname__", getattr(arg, "__name__", "?"))
        else:
            return
        if isinstance(module, str) and module != __name__ and _matches(module, self.forbidden):
            hit = f"{module}.{name}"
            if hit not in self.hits and len(self.hits) < 20:
                self.hits.append(hit)

    def __enter__(self):
        self._previous = sys.getprofile()
        self._hook = self._profile
        if self.forbidden:
            sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc):
        if self.forbidden:
            if sys.getprofile() != self._hook:
                self.hits.append("(the call replaced the grader's call tracer)")
            sys.setprofile(self._previous)
        return False


def keras_arguments(probe):
    """``(args, kwargs, inputs)`` with every KerasInput replaced by a fresh ``keras.Input``."""
    from .._keras import import_backend
    from ._base import KerasInput

    keras = import_backend()
    inputs = []

    def convert(value):
        if isinstance(value, KerasInput):
            tensor = keras.Input(tuple(value.shape))
            inputs.append(tensor)
            return tensor
        return value

    args = tuple(convert(a) for a in probe.args)
    kwargs = {k: convert(v) for k, v in probe.kwargs.items()}
    return args, kwargs, inputs


def call_probe(fn, probe, kind: str, forbidden=()):
    """Call ``fn`` on ``probe``; return ``(Result, calls into forbidden modules)``.

    For a ``build`` exercise the result's value is a ``keras.Model``: the model the builder
    returns, or ``keras.Model(inputs, output)`` for a block that returns its output tensor.
    """
    from ._base import Result

    if not callable(fn):
        return Result("not_callable", message=type(fn).__name__), []
    tracer = CallTracer(forbidden)
    try:
        if kind == "build":
            args, kwargs, inputs = keras_arguments(probe)
        else:
            args, kwargs, inputs = probe.args, probe.kwargs, []
        with tracer:
            value = fn(*args, **kwargs)
        if kind == "build":
            from .._keras import import_backend

            keras = import_backend()
            if not isinstance(value, keras.Model):
                if inputs and isinstance(value, keras.KerasTensor):
                    value = keras.Model(inputs if len(inputs) > 1 else inputs[0], value)
                else:
                    return Result("bad_return", message=f"a {type(value).__name__}"), tracer.hits
        return Result("ok", value=value), tracer.hits
    except NotImplementedError:
        return Result("not_done"), tracer.hits
    except Exception as exc:  # the student's bug is a failed check, not a crash
        return Result("raised", ename=type(exc).__name__, message=str(exc)[:2000]), tracer.hits


def call_probe_weightless_first(fn, probe, kind: str, forbidden=(), usable=None):
    """``call_probe``, a builder first called inside ``without_weights()`` (weights declared,
    never filled: VGG-16 in a fraction of a second instead of 550 MB of random numbers).

    A builder that needs real variables (it calls or compiles its model, sets weights) fails
    there, or returns a model ``usable(model)`` rejects, and is called again the usual way.
    """
    if kind == "build":
        from .._keras import without_weights

        with without_weights():
            result, found = call_probe(fn, probe, kind, forbidden)
        if result.status == "ok":
            try:
                if usable is None or usable(result.value):
                    return result, found
            except Exception:
                pass
    return call_probe(fn, probe, kind, forbidden)
