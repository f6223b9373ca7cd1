"""Answers as plain data: JSON for the structure, one ``.npz`` (no pickle) for the arrays.

Only numbers, strings, None, lists, tuples, dicts with string keys and numeric NumPy arrays travel;
anything else is written as ``{"__unsupported__": type name}``. Reading never unpickles and caps
sizes, so a hostile file can make an answer wrong but cannot run code in the grader.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

MAX_JSON_BYTES = 8 << 20
MAX_NPZ_BYTES = 256 << 20
MAX_ITEMS = 100_000
MAX_DEPTH = 20
MAX_TEXT = 2_000_000


class PlainDataError(ValueError):
    """A plain-data file is missing, too large or malformed."""


def encode(value, arrays: dict, depth: int = 0):
    """``value`` as JSON-able data; numeric arrays go into ``arrays`` and are referenced by key."""
    import numpy as np

    if depth > MAX_DEPTH:
        return {"__unsupported__": "nesting too deep"}
    if value is None or isinstance(value, (bool, str)):
        return value[:MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, int):
        return value if abs(value) < 2 ** 63 else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return encode(value.item(), arrays, depth)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.size <= 50_000_000:
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"__array__": key}
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        items = [encode(v, arrays, depth + 1) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict) and len(value) <= MAX_ITEMS and all(isinstance(k, str) for k in value):
        return {"__dict__": [[k[:200], encode(v, arrays, depth + 1)] for k, v in value.items()]}
    return {"__unsupported__": type(value).__name__[:80]}


class Unsupported:
    """An answer of a type that cannot travel as plain data (shown by its type name)."""

    def __init__(self, name: str):
        self.name = str(name)[:80]

    def __repr__(self):
        return f"<{self.name}>"


def decode(data, arrays, depth: int = 0):
    """The inverse of :func:`encode`; unknown shapes of data become :class:`Unsupported`."""
    if depth > MAX_DEPTH + 2:
        raise PlainDataError("nesting too deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, arrays, depth + 1) for v in data]
    if isinstance(data, dict) and len(data) == 1:
        (tag, body), = data.items()
        if tag == "__array__" and isinstance(body, str) and body in arrays:
            return arrays[body]
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(decode(v, arrays, depth + 1) for v in body)
        if tag == "__dict__" and isinstance(body, list):
            return {str(k): decode(v, arrays, depth + 1) for k, v in
                    (pair for pair in body if isinstance(pair, list) and len(pair) == 2)}
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__unsupported__":
            return Unsupported(body)
    return Unsupported("malformed data")


def save(path: Path, value) -> None:
    """Write ``value`` as ``path.json`` (+ ``path.npz`` when it holds arrays), atomically."""
    import numpy as np

    arrays: dict = {}
    data = encode(value, arrays)
    path = Path(path)
    if arrays:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path.with_suffix(".npz"))
    tmp = path.with_name(path.name + ".tmp.json")
    tmp.write_text(json.dumps({"data": data, "arrays": sorted(arrays)}))
    os.replace(tmp, path.with_suffix(".json"))


def _regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link) of at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PlainDataError(f"cannot open {path.name}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        import stat

        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PlainDataError(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise PlainDataError(f"{path.name} is {info.st_size:,} bytes (limit {limit:,})")
        return handle.read(limit + 1)[:limit]


def load(path: Path):
    """Read what :func:`save` wrote; raise :class:`PlainDataError` on anything unexpected."""
    import io

    import numpy as np

    path = Path(path)
    try:
        record = json.loads(_regular_file(path.with_suffix(".json"), MAX_JSON_BYTES))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PlainDataError(f"{path.name}.json is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(record, dict) or "data" not in record:
        raise PlainDataError(f"{path.name}.json is not an answer record")
    arrays = {}
    if record.get("arrays"):
        blob = _regular_file(path.with_suffix(".npz"), MAX_NPZ_BYTES)
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except Exception as exc:  # a corrupt archive is the submission's problem, not a crash
            raise PlainDataError(f"{path.name}.npz cannot be read ({type(exc).__name__})") from None
        if any(a.dtype.kind not in "biuf" for a in arrays.values()):
            raise PlainDataError(f"{path.name}.npz holds a non-numeric array")
    try:
        return decode(record["data"], arrays)
    except RecursionError:
        raise PlainDataError(f"{path.name}.json is nested too deeply") from None
