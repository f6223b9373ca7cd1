"""Small argument checks shared by the library, so every bad input gets the same kind of message.

Each check raises ``ValueError`` with what was wrong and how to fix it, before any backend code
runs, so a student never has to read a TensorFlow or JAX traceback to find a typo.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def _whole(value, name: str) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
    return int(value)


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= 1."""
    value = _whole(value, name)
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}. Use 1 for the plain (unit) setting.")
    return value


def non_negative_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= 0."""
    value = _whole(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}.")
    return value


def pair(value, name: str, *, allow_zero: bool = False) -> tuple[int, int]:
    """Turn an int or a 2-sequence into ``(rows, cols)``, checking each entry."""
    check = non_negative_int if allow_zero else positive_int
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, cols), got {value!r}.")
        return check(value[0], f"{name}[0]"), check(value[1], f"{name}[1]")
    v = check(value, name)
    return v, v


def did_you_mean(word: str, options: Iterable[str], n: int = 3) -> str:
    """A hint naming the closest options to ``word``, or all options when none is close."""
    options = sorted(options)
    close = difflib.get_close_matches(word, options, n=n, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "choose one of: " + ", ".join(options) + "."
