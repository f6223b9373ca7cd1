"""Checks of what ``fit``, ``evaluate`` and ``predict_labels`` are given: the model's input and
output, images against its input shape, labels against its output width, datasets by their spec.
Each mistake gets a ValueError naming what was expected, what came, and the fix.
"""
from __future__ import annotations

import numpy as np


def model_io(model) -> tuple[tuple, int]:
    """(input shape without the batch axis, output width) of a built single-input model."""
    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise ValueError("fit needs a built model with a known input shape: build it from "
                         "keras.Input(shape=...) (all zoo models are), or call model.build(...).")
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(f"fit trains single-input, single-output models; {model.name!r} has "
                         f"{len(model.inputs)} inputs and {len(model.outputs)} outputs.")
    return tuple(model.inputs[0].shape[1:]), int(model.outputs[0].shape[-1])


def _fmt(shape) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def _shape_fix(expected: tuple, got: tuple) -> str:
    """A one-line repair for images of shape ``got`` fed to a model reading ``expected``."""
    if len(got) == len(expected) - 1 and tuple(got) == tuple(expected[:-1]):
        return "add the channel axis with cnncourse.data.as_images(x) (also scales 0..255 to 0..1)"
    if len(got) == len(expected) - 1 and expected[-1] == 1 and len(got) == 2:
        got = (*got, 1)
        hint = "add the channel axis with cnncourse.data.as_images(x), then "
    else:
        hint = ""
    if len(got) == len(expected) and got[-1] == expected[-1] and len(expected) == 3:
        (h, w), (eh, ew) = got[:2], expected[:2]
        if None not in (eh, ew) and h <= eh and w <= ew:
            return (f"{hint}pad {h}×{w} to {eh}×{ew} with cnncourse.data.pad_to(x, "
                    f"{eh if eh == ew else (eh, ew)})")
        return (f"{hint}build the model for this size, e.g. cnncourse.models.build(name, "
                f"input_shape={tuple(got)}), or resize the images")
    if len(got) == len(expected) and len(expected) == 3:
        return (f"the model reads {expected[-1]}-channel images: convert the images "
                "(e.g. repeat a gray channel) or build the model with input_shape=(H, W, "
                f"{got[-1]})")
    return f"reshape x to (N, {', '.join(str(d) for d in expected)})"


def check_images(x, expected: tuple, model_name: str, what: str) -> None:
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{what}: there are no images (shape {x.shape}).")
    got = tuple(x.shape[1:])
    matches = len(got) == len(expected) and all(e is None or e == g for e, g in zip(expected, got))
    if not matches:
        raise ValueError(f"{what}: model {model_name!r} expects images (N, {_fmt(expected)}), "
                         f"got (N, {_fmt(got)}). Fix: {_shape_fix(expected, got)}.")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise ValueError(f"{what}: the images contain NaN or infinite values; clean or "
                         "re-scale them (np.nan_to_num) before training.")
    if x.dtype.kind not in "fiu":
        raise ValueError(f"{what}: images must be numbers, got dtype {x.dtype}.")


def check_labels(y, n_images: int, width: int, model_name: str, what: str) -> None:
    if len(y) != n_images:
        raise ValueError(f"{what}: {n_images} images but {len(y)} labels; give one label per image.")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2 and y.shape[1] == width:
        raise ValueError(f"{what}: the labels look one-hot (shape {y.shape}); fit uses integer "
                         "class labels: pass y.argmax(axis=1).")
    if y.ndim != 1:
        raise ValueError(f"{what}: labels must be one class index per image, shape (N,), got "
                         f"{y.shape}.")
    if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
        raise ValueError(f"{what}: labels must be whole class indices, got fractional values.")
    if y.dtype.kind not in "fiu":
        raise ValueError(f"{what}: labels must be integers, got dtype {y.dtype}.")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= width:
        raise ValueError(f"{what}: labels run from {low} to {high}, but model {model_name!r} has "
                         f"{width} outputs, so labels must lie in 0..{width - 1}. Fix: build the "
                         f"model with num_classes={high + 1}, or relabel the data.")


def is_dataset(data) -> bool:
    """A ``tf.data.Dataset`` (already batched) or a ``keras.utils.PyDataset``."""
    return (hasattr(data, "element_spec") and hasattr(data, "batch")) or is_py_dataset(data)


def is_py_dataset(data) -> bool:
    return any(cls.__name__ == "PyDataset" for cls in type(data).__mro__)


def _check_dataset(ds, expected: tuple, width: int, model_name: str, what: str) -> None:
    """Shapes of a tf.data.Dataset from its spec; a PyDataset by its first batch."""
    if is_py_dataset(ds):
        x, y = ds[0][:2]
        check_images(np.asarray(x), expected, model_name, what)
        check_labels(np.asarray(y), len(x), width, model_name, what)
        return
    spec = ds.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        raise ValueError(f"{what}: a tf.data.Dataset for fit must yield (images, labels) pairs.")
    got = tuple(spec[0].shape[1:])
    if len(got) != len(expected) or any(e is not None and g is not None and e != g
                                        for e, g in zip(expected, got)):
        raise ValueError(f"{what}: model {model_name!r} expects batches (batch, {_fmt(expected)}), "
                         f"the dataset yields (batch, {_fmt(got)}). Batch the dataset "
                         f"(ds.batch(n)) and fix the images: {_shape_fix(expected, got)}.")


def checked_data(data, expected, width, model_name, what):
    """``data`` as a dataset or an (x, y) pair of NumPy arrays, after checking it."""
    if is_dataset(data):
        _check_dataset(data, expected, width, model_name, what)
        return data
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{what} must be a pair (x, y) of arrays or a tf.data.Dataset, got "
                         f"{type(data).__name__}.")
    x, y = np.asarray(data[0]), np.asarray(data[1])
    check_images(x, expected, model_name, what)
    check_labels(y, len(x), width, model_name, what)
    return x, y.reshape(len(y))
