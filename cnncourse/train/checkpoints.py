"""Checkpoints of ``fit(..., checkpoint_dir=...)``: one file per finished epoch, written so that
a crash, a full disk or a corrupt file never costs the last good epoch.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import tempfile
import warnings

import h5py  # installed with Keras: it writes the .weights.h5 files

from .._keras import import_backend

CHECKPOINT_GLOB = "epoch-*.weights.h5"


def checkpoint_folder(path) -> pathlib.Path:
    """Create ``path`` if needed and prove it is writable, or raise OSError naming it."""
    folder = pathlib.Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise OSError(f"checkpoint_dir {str(folder)!r} is not writable ({exc.strerror or exc}). "
                      "Choose a folder you own, e.g. checkpoint_dir='checkpoints/run1' inside "
                      "your home, or fix its permissions.") from exc
    return folder


def epoch_files(folder: pathlib.Path) -> list[tuple[int, pathlib.Path]]:
    """Finished-epoch checkpoints in ``folder`` as (epoch, path), oldest first."""
    found = []
    for path in folder.glob(CHECKPOINT_GLOB):
        match = re.fullmatch(r"epoch-(\d+)\.weights\.h5", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _fsync(path: pathlib.Path) -> None:
    """Push ``path`` (a file or a folder's entries) from the OS cache to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomically(path: pathlib.Path, payload) -> None:
    """Write ``payload`` under a temporary name, fsync it, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


_JSON_FIX = {
    "history.json": "It holds only the metrics of past epochs: delete it to resume from the last "
                    "epoch's weights (saved_history then shows NaN for the earlier epochs), or "
                    "start over with a new checkpoint_dir.",
    "model.json": "It records which model the checkpoints belong to and cannot be rebuilt: use "
                  "a new checkpoint_dir (or delete this folder) to start over.",
}


def saved_history(checkpoint_dir, name: str = "history.json") -> dict:
    """Per-epoch metrics of every finished epoch saved in ``checkpoint_dir`` (across resumes),
    as ``{metric: [value per epoch]}``; ``{}`` when there is none. (``name`` reads another of
    the folder's JSON files.) A file that is not a JSON object raises ValueError naming it
    and the fix."""
    path = pathlib.Path(checkpoint_dir) / name
    if not path.is_file():
        return {}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(payload, dict):
            raise ValueError(f"a JSON object was expected, found {type(payload).__name__}")
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        fix = _JSON_FIX.get(name, "Delete it or use a new checkpoint_dir.")
        raise ValueError(f"{name} in {str(path.parent)!r} is corrupt ({type(exc).__name__}: "
                         f"{exc}). {fix}") from None
    return payload


def _weights_in(path: pathlib.Path) -> dict[str, int]:
    """Read every array of a ``.weights.h5`` file (a truncated or corrupt file fails here);
    returns how many arrays it holds under ``layers`` and ``optimizer``."""
    counts = {"layers": 0, "optimizer": 0}
    with h5py.File(path, "r") as handle:
        def read(name, item):
            if isinstance(item, h5py.Dataset):
                item[()]  # noqa: B018  (reading is the check)
                top = name.split("/", 1)[0]
                counts[top] = counts.get(top, 0) + 1

        handle.visititems(read)
    if not counts["layers"]:
        raise OSError("it holds no layer weights")
    return counts


def _optimizer_variables(model) -> int | None:
    """How many variables ``model``'s optimizer has (built first), or None without one."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return len(optimizer.variables)


def checkpoint_callback(folder):
    """A Keras callback that saves weights and optimizer state after every epoch, safely.

    Each finished epoch ``k`` (1-based) becomes ``epoch-000k.weights.h5``: written under a
    temporary name, flushed to disk (fsync), read back in full, and only then renamed to its
    real name; ``history.json`` (every epoch's metrics) is replaced the same way; only after
    both are in place are the older epochs' files removed. A crash, a full disk or a broken
    write therefore never costs the last good epoch: a failed write raises OSError naming the
    epoch and the file that is kept. ``model.json`` records the weight shapes and the
    optimizer. ``fit(..., checkpoint_dir=folder)`` adds this callback and resumes from it.
    """
    keras = import_backend()
    folder = pathlib.Path(folder)

    class EpochCheckpoint(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            _write_json_atomically(folder / "model.json", _fingerprint(self.model))

        def on_epoch_end(self, epoch, logs=None):
            done = epoch + 1
            tmp = folder / f".tmp-epoch-{done:04d}.weights.h5"
            try:
                self.model.save_weights(tmp)
                _fsync(tmp)
                saved = _weights_in(tmp)
                expected = _optimizer_variables(self.model)
                if expected is not None and saved["optimizer"] != expected:
                    raise OSError(f"it holds {saved['optimizer']} optimizer arrays, not "
                                  f"{expected}")
            except Exception as exc:
                tmp.unlink(missing_ok=True)
                kept = ", ".join(p.name for _, p in epoch_files(folder)) or "no earlier epoch"
                raise OSError(
                    f"The checkpoint of epoch {done} could not be written to {str(folder)!r} "
                    f"and read back ({type(exc).__name__}: {exc}). Kept: {kept}. Free disk "
                    "space or fix the folder, then call fit again with the same "
                    "checkpoint_dir to resume from the kept epoch.") from exc
            os.replace(tmp, folder / f"epoch-{done:04d}.weights.h5")
            _fsync(folder)
            history = saved_history(folder)
            for key, value in (logs or {}).items():
                values = history.setdefault(key, [])
                values[:] = values[:epoch] + [float("nan")] * (epoch - len(values))
                values.append(float(value))
            _write_json_atomically(folder / "history.json", history)
            for older, path in epoch_files(folder):
                if older < done:
                    path.unlink(missing_ok=True)

    return EpochCheckpoint()


def _fingerprint(model) -> dict:
    """What a checkpoint must match: the model's weight shapes, in order, and its optimizer."""
    optimizer = getattr(model, "optimizer", None)
    return {"model": model.name, "weight_shapes": [list(w.shape) for w in model.weights],
            "optimizer": None if optimizer is None else type(optimizer).__name__}


def _check_same_optimizer(model, saved: dict, folder: pathlib.Path) -> None:
    """Refuse to resume under another optimizer: its state (moments, step count) would be lost."""
    optimizer = getattr(model, "optimizer", None)
    before = saved.get("optimizer")
    now = None if optimizer is None else type(optimizer).__name__
    if before and now and before != now:
        raise ValueError(
            f"The checkpoints in {str(folder)!r} were trained with the {before} optimizer, but "
            f"model {model.name!r} is compiled with {now}; resuming would drop the optimizer's "
            f"state (its step count and moments). Compile the model with {before} (or leave it "
            "uncompiled: fit compiles Adam), or use a new checkpoint_dir to start over.")


def restore(model, folder: pathlib.Path) -> int:
    """Load the latest readable finished epoch from ``folder`` into ``model`` (weights and
    optimizer state); returns that epoch (0: none).

    Raises ValueError naming the file and the fix for a corrupt ``history.json`` or
    ``model.json``, a checkpoint of another model or another optimizer, or when no epoch file
    can be read. An unreadable newest file is skipped with a warning naming it: the run resumes
    from the last readable epoch.
    """
    saved_history(folder)  # a corrupt history is named now, before an epoch is trained
    files = epoch_files(folder)
    if not files:
        return 0
    saved = saved_history(folder, "model.json")
    if saved.get("weight_shapes") != _fingerprint(model)["weight_shapes"]:
        what = (f"it was saved by {saved['model']!r}, whose weights differ" if saved else
                "model.json, which records the model they belong to, is missing")
        raise ValueError(f"The checkpoint {files[-1][1].name} in {str(folder)!r} does not fit "
                         f"model {model.name!r}: {what}. Use a new checkpoint_dir for a new "
                         "model.")
    _check_same_optimizer(model, saved, folder)
    expected = _optimizer_variables(model)
    unreadable = []
    for epoch, path in reversed(files):
        try:
            found = _weights_in(path)
        except Exception as exc:  # truncated, overwritten, not HDF5 at all
            unreadable.append(f"{path.name} ({type(exc).__name__}: {exc})")
            continue
        if expected is not None and found["optimizer"] not in (0, expected):
            raise ValueError(
                f"{path.name} in {str(folder)!r} holds the state of an optimizer with "
                f"{found['optimizer']} variables; model {model.name!r} is compiled with one that "
                f"has {expected}, so resuming would drop it. Compile the model as the run was "
                "compiled, or use a new checkpoint_dir to start over.")
        model.load_weights(path)
        if unreadable:
            warnings.warn(
                f"{'; '.join(unreadable)} in {str(folder)!r}: unreadable, skipped. Resuming "
                f"from epoch {epoch}, the last readable one; delete the unreadable file to "
                "silence this.", UserWarning, stacklevel=3)
        return epoch
    raise ValueError(
        f"Every checkpoint in {str(folder)!r} is unreadable: {'; '.join(unreadable)}. Delete "
        f"{' and '.join(p.name for _, p in files)} to start over from scratch in this folder, "
        "or use a new checkpoint_dir.")
