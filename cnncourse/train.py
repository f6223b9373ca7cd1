"""Training: backend and device set-up, ``fit`` with checkpoint-resume, data parallelism,
evaluation metrics, and throughput benchmarks.

The pieces a GPU JupyterHub needs are here: ``setup`` puts the GPU in a memory mode that lets
several student kernels share one card, ``fit`` survives a culled or crashed kernel by resuming
from its last finished epoch, and ``doctor`` / ``bench`` (also ``cnncourse doctor`` and
``cnncourse bench`` on the command line) say what the machine can do.
"""
from __future__ import annotations

import json
import os
import pathlib
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

from ._checks import did_you_mean, non_negative_int, positive_int

__all__ = [
    "bench", "benchmark", "binary_metrics", "checkpoint_callback", "doctor", "evaluate", "fit",
    "labels_from_counts", "metrics_from_counts", "peak_memory_mb", "predict_labels", "replicas",
    "reset_peak_memory", "saved_history", "setup", "strategy", "torch_available",
    "torch_benchmark",
]

ENV_MEMORY = "CNNCOURSE_GPU_MEMORY_MB"   # hard cap per kernel, in MiB
ENV_PRECISION = "CNNCOURSE_PRECISION"    # auto | float32 | mixed
PRECISIONS = ("auto", "float32", "mixed")
CHECKPOINT_GLOB = "epoch-*.weights.h5"


def _backend_name() -> str:
    """The Keras backend that will load, read without importing Keras."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


# --------------------------------------------------------------------------- setup


def _check_precision(precision) -> str:
    chosen = precision if precision is not None else os.environ.get(ENV_PRECISION, "auto")
    key = str(chosen).strip().lower()
    if key not in PRECISIONS:
        raise ValueError(f"Unknown precision {chosen!r}: {did_you_mean(key, PRECISIONS)} "
                         "'mixed' computes in 16-bit floats and keeps float32 weights; "
                         "'auto' picks it on a GPU and float32 on a CPU.")
    return key


def _check_memory_limit(memory_limit_mb):
    """The cap in MiB from the argument or ``$CNNCOURSE_GPU_MEMORY_MB``, or None."""
    if memory_limit_mb is not None:
        return positive_int(memory_limit_mb, "memory_limit_mb")
    text = os.environ.get(ENV_MEMORY, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"${ENV_MEMORY} must be a whole number of MiB such as 4096, got "
                         f"{text!r}. Unset it to let the GPU memory grow on demand.")
    return int(text)


def _torch_deterministic() -> None:
    """Reproducible PyTorch kernels: deterministic algorithms (warn where an op has none),
    no cuDNN autotuning, and the cuBLAS workspace setting that CUDA needs for it."""
    import torch

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def _gpu_total_mb() -> int | None:
    """Memory of the first NVIDIA GPU in MiB, from nvidia-smi, or None when there is none."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=memory.total",
                              "--format=csv,noheader,nounits"], capture_output=True,
                             text=True, timeout=10, check=True).stdout
        return int(out.split()[0])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def _prepare_jax_env(cap_mb, deterministic: bool) -> None:
    """Environment that JAX reads once, when it first starts; later changes do nothing."""
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    if cap_mb is not None:
        total = _gpu_total_mb()
        if total:
            fraction = min(cap_mb / total, 1.0)
            os.environ.setdefault("XLA_PYTHON_CLIENT_MEM_FRACTION", f"{fraction:.3f}")
    if deterministic and "--xla_gpu_deterministic_ops" not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_gpu_deterministic_ops=true").strip()


def _tf_memory_policy(cap_mb) -> tuple[str, int]:
    """Memory growth (or a hard cap) on every TensorFlow GPU; (policy text, GPU count)."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "host RAM (no GPU)", 0
    try:
        for gpu in gpus:
            if cap_mb is None:
                tf.config.experimental.set_memory_growth(gpu, True)
            else:
                tf.config.set_logical_device_configuration(
                    gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=cap_mb)])
    except RuntimeError:  # the GPUs were initialised earlier (second call): keep what is set
        if tf.config.get_logical_device_configuration(gpus[0]):
            return "capped (set before this call)", len(gpus)
        grows = tf.config.experimental.get_memory_growth(gpus[0])
        return ("grow on demand" if grows else "preallocated") + " (set before this call)", len(gpus)
    return ("grow on demand" if cap_mb is None else f"cap {cap_mb} MiB per GPU"), len(gpus)


def _jax_memory_policy(cap_mb) -> tuple[str, int]:
    import jax

    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    if not gpus:
        return "host RAM (no GPU)", 0
    if os.environ.get("XLA_PYTHON_CLIENT_PREALLOCATE") != "false":
        return "preallocated (JAX started before setup)", len(gpus)
    fraction = os.environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION")
    if fraction:
        return f"grow on demand, cap {float(fraction):.0%} of each GPU", len(gpus)
    return "grow on demand", len(gpus)


def _torch_memory_fraction(cap_mb: int, total_mb: float) -> float:
    """The share of a GPU with ``total_mb`` MiB that a cap of ``cap_mb`` MiB allows (at most 1),
    as ``torch.cuda.set_per_process_memory_fraction`` takes it."""
    return min(cap_mb / total_mb, 1.0)


def _torch_memory_policy(cap_mb) -> tuple[str, int]:
    """PyTorch's caching allocator grows on demand already; a cap becomes a per-process memory
    fraction of every GPU (an allocation past it raises ``OutOfMemoryError``)."""
    import torch

    n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if not n_gpus:
        return "host RAM (no GPU)", 0
    if cap_mb is None:
        return "grow on demand", n_gpus
    for index in range(n_gpus):
        total_mb = torch.cuda.get_device_properties(index).total_memory / 2**20
        torch.cuda.set_per_process_memory_fraction(_torch_memory_fraction(cap_mb, total_mb),
                                                   index)
    return f"cap {cap_mb} MiB per GPU", n_gpus


def _gpu_count(keras) -> int:
    """How many GPUs the running backend sees."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return sum(d.platform == "gpu" for d in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    return 0


def _memory_policy(backend: str, cap_mb) -> tuple[str, int]:
    """(GPU memory policy in words, number of GPUs) after applying it for ``backend``."""
    if backend == "tensorflow":
        return _tf_memory_policy(cap_mb)
    if backend == "jax":
        return _jax_memory_policy(cap_mb)
    if backend == "torch":
        return _torch_memory_policy(cap_mb)
    return "backend default", 0


def _devices_text() -> str:
    """The accelerator(s) the backend sees, e.g. ``GPU x1 (NVIDIA H100)`` or ``CPU``."""
    backend = _backend_name()
    names: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            names.append(tf.config.experimental.get_device_details(gpu).get("device_name", "GPU"))
    elif backend == "jax":
        import jax

        names = [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    elif backend == "torch":
        import torch

        names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if not names:
        return "CPU"
    return f"GPU x{len(names)} ({names[0]})"


def _backend_version(backend: str) -> str:
    from importlib import metadata

    package = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend, backend)
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _set_precision(keras, precision: str, n_gpus: int) -> str:
    """Set Keras' global dtype policy; returns its name.

    ``mixed`` is ``mixed_float16`` on a GPU (tensor cores; Keras adds loss scaling when it
    compiles) and ``mixed_bfloat16`` on a CPU, which has no fast float16 arithmetic.
    """
    if precision == "auto":
        precision = "mixed" if n_gpus else "float32"
    policy = "float32" if precision == "float32" else (
        "mixed_float16" if n_gpus else "mixed_bfloat16")
    keras.config.set_dtype_policy(policy)
    return policy


def setup(seed: int = 42, precision: str | None = None, memory_limit_mb: int | None = None,
          deterministic: bool = False, quiet: bool = True) -> str:
    """Prepare the backend for a notebook and print one status line; returns that line.

    - seeds Python's ``random``, NumPy and the backend with ``seed``;
    - GPU memory: on TensorFlow every GPU grows its memory on demand, or gets a hard cap of
      ``memory_limit_mb`` MiB (default ``$CNNCOURSE_GPU_MEMORY_MB``), so several kernels can
      share one card. On JAX, ``XLA_PYTHON_CLIENT_PREALLOCATE=false`` (and a memory fraction
      for the cap) is set; JAX reads these only when it first starts, so they work only if
      ``setup`` runs before anything imports JAX (the course's first cell does exactly that).
      On PyTorch the caching allocator grows on demand; the cap becomes
      ``torch.cuda.set_per_process_memory_fraction`` (cap / the GPU's memory) on every GPU;
    - ``precision``: ``"auto"`` (mixed on a GPU, float32 on a CPU), ``"float32"`` or
      ``"mixed"`` (default ``$CNNCOURSE_PRECISION`` or auto). Models built afterwards use it;
    - ``deterministic=True`` asks for reproducible kernels (slower): TensorFlow's op
      determinism, XLA's deterministic GPU ops on JAX (before JAX starts), or PyTorch's
      deterministic algorithms (a warning names any op that has none);
    - TensorFlow's start-up messages never reach the notebook's stderr.

    Safe to call twice: a memory policy already fixed by a running GPU is kept and reported.
    """
    precision = _check_precision(precision)
    cap_mb = _check_memory_limit(memory_limit_mb)
    seed = non_negative_int(seed, "seed")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    backend = _backend_name()
    if backend == "jax":
        _prepare_jax_env(cap_mb, deterministic)
    if quiet:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)

    from ._keras import import_backend, native_stderr_silenced

    # Seeding can import TensorFlow (Keras seeds it whenever it is installed), so its native
    # start-up lines are silenced here as well as at the import.
    with native_stderr_silenced():
        keras = import_backend()
        backend = keras.backend.backend()
        memory, n_gpus = _memory_policy(backend, cap_mb)
        policy = _set_precision(keras, precision, n_gpus)
        random.seed(seed)
        np.random.seed(seed)
        keras.utils.set_random_seed(seed)
        if backend == "tensorflow":
            import tensorflow as tf

            if deterministic:
                tf.config.experimental.enable_op_determinism()
            if quiet:  # e.g. tf.function retracing notes, which would land in stderr
                tf.get_logger().setLevel("ERROR")
        if backend == "torch" and deterministic:
            _torch_deterministic()
        devices = _devices_text()

    from . import __version__

    line = (f"cnncourse {__version__} | keras {keras.__version__} | backend {backend} "
            f"{_backend_version(backend)} | device {devices} | precision {policy} | "
            f"memory {memory} | seed {seed}")
    print(line)
    return line


# --------------------------------------------------------------------------- input checks


def _model_io(model) -> tuple[tuple, int]:
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


def _check_images(x, expected: tuple, model_name: str, what: str) -> None:
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


def _check_labels(y, n_images: int, width: int, model_name: str, what: str) -> None:
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


def _is_dataset(data) -> bool:
    """A ``tf.data.Dataset`` (already batched) or a ``keras.utils.PyDataset``."""
    return (hasattr(data, "element_spec") and hasattr(data, "batch")) or _is_py_dataset(data)


def _is_py_dataset(data) -> bool:
    return any(cls.__name__ == "PyDataset" for cls in type(data).__mro__)


def _check_dataset(ds, expected: tuple, width: int, model_name: str, what: str) -> None:
    """Shapes of a tf.data.Dataset from its spec; a PyDataset by its first batch."""
    if _is_py_dataset(ds):
        x, y = ds[0][:2]
        _check_images(np.asarray(x), expected, model_name, what)
        _check_labels(np.asarray(y), len(x), width, model_name, what)
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


def _checked_data(data, expected, width, model_name, what):
    """``data`` as a dataset or an (x, y) pair of NumPy arrays, after checking it."""
    if _is_dataset(data):
        _check_dataset(data, expected, width, model_name, what)
        return data
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{what} must be a pair (x, y) of arrays or a tf.data.Dataset, got "
                         f"{type(data).__name__}.")
    x, y = np.asarray(data[0]), np.asarray(data[1])
    _check_images(x, expected, model_name, what)
    _check_labels(y, len(x), width, model_name, what)
    return x, y.reshape(len(y))


# --------------------------------------------------------------------------- checkpoints


def _checkpoint_folder(path) -> pathlib.Path:
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


def _epoch_files(folder: pathlib.Path) -> list[tuple[int, pathlib.Path]]:
    """Finished-epoch checkpoints in ``folder`` as (epoch, path), oldest first."""
    found = []
    for path in folder.glob(CHECKPOINT_GLOB):
        match = re.fullmatch(r"epoch-(\d+)\.weights\.h5", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _write_json_atomically(path: pathlib.Path, payload) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    os.replace(tmp, path)


def saved_history(checkpoint_dir, name: str = "history.json") -> dict:
    """Per-epoch metrics of every finished epoch saved in ``checkpoint_dir`` (across resumes),
    as ``{metric: [value per epoch]}``; ``{}`` when there is none. (``name`` reads another of
    the folder's JSON files.)"""
    path = pathlib.Path(checkpoint_dir) / name
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def _import_keras():
    from ._keras import import_backend

    return import_backend()


def checkpoint_callback(folder):
    """A Keras callback that saves weights and optimizer state after every epoch, atomically.

    Each finished epoch ``k`` (1-based) becomes ``epoch-000k.weights.h5``: written under a
    temporary name, then renamed, so a crash mid-write never leaves a half file under a real
    name. The epoch number lives in the file name; older files are removed once the new one is
    in place; ``model.json`` records the weight shapes and ``history.json`` every epoch's
    metrics. ``fit(..., checkpoint_dir=folder)`` adds it for you and resumes from it.
    """
    keras = _import_keras()
    folder = pathlib.Path(folder)

    class EpochCheckpoint(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            _write_json_atomically(folder / "model.json", _fingerprint(self.model))

        def on_epoch_end(self, epoch, logs=None):
            done = epoch + 1
            tmp = folder / f".tmp-epoch-{done:04d}.weights.h5"
            self.model.save_weights(tmp)
            os.replace(tmp, folder / f"epoch-{done:04d}.weights.h5")
            for older, path in _epoch_files(folder):
                if older < done:
                    path.unlink(missing_ok=True)
            history = saved_history(folder)
            for key, value in (logs or {}).items():
                history.setdefault(key, [])[epoch:] = [float(value)]
            _write_json_atomically(folder / "history.json", history)

    return EpochCheckpoint()


def _fingerprint(model) -> dict:
    """What a checkpoint must match: the model's weight shapes, in order."""
    return {"model": model.name, "weight_shapes": [list(w.shape) for w in model.weights]}


def _restore(model, folder: pathlib.Path) -> int:
    """Load the latest finished epoch from ``folder`` into ``model``; returns that epoch (0: none)."""
    files = _epoch_files(folder)
    if not files:
        return 0
    epoch, path = files[-1]
    saved = saved_history(folder, "model.json")
    problem = None
    if saved.get("weight_shapes") != _fingerprint(model)["weight_shapes"]:
        problem = f"it was saved by {saved.get('model', 'an unknown model')!r}, whose weights differ"
    else:
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        try:
            model.load_weights(path)
        except Exception as exc:  # unreadable file, or an optimizer of another kind
            problem = f"loading it failed ({type(exc).__name__}: {exc})"
    if problem:
        raise ValueError(f"The checkpoint {path.name} in {str(folder)!r} does not fit model "
                         f"{model.name!r}: {problem}. Use a new checkpoint_dir for a new model.")
    return epoch


# --------------------------------------------------------------------------- fit


def _outputs_probabilities(model) -> bool:
    """Whether the model's last layer already applies a softmax."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return (type(last).__name__ == "Softmax" or
            getattr(activation, "__name__", "") == "softmax")


def _default_jit_compile(keras):
    """Keras' "auto", except False for TensorFlow on a CPU (XLA is slower there)."""
    if keras.backend.backend() == "tensorflow" and not _gpu_count(keras):
        return False
    return "auto"


SCHEDULES = ("constant", "cosine")


def _check_schedule(schedule):
    """``schedule`` as given: a name in ``SCHEDULES`` or a Keras ``LearningRateSchedule``."""
    if isinstance(schedule, str):
        key = schedule.strip().lower()
        if key not in SCHEDULES:
            raise ValueError(f"Unknown schedule {schedule!r}: {did_you_mean(key, SCHEDULES)} "
                             "'constant' keeps learning_rate throughout (as a plain model.fit "
                             "with Adam does); 'cosine' lowers it to a tenth by the last epoch.")
        return key
    if callable(schedule):  # a keras.optimizers.schedules.LearningRateSchedule (step -> rate)
        return schedule
    raise ValueError(f"schedule must be 'constant', 'cosine' or a keras.optimizers.schedules."
                     f"LearningRateSchedule, got {type(schedule).__name__}.")


def _compile_defaults(model, keras, learning_rate: float, schedule, total_steps,
                      jit_compile) -> None:
    """Adam, sparse categorical cross-entropy (from logits when there is no softmax), accuracy.

    The rate is ``learning_rate`` throughout (``schedule="constant"``), a cosine from
    ``learning_rate`` down to a tenth of it over ``total_steps`` (``"cosine"``; constant when
    the number of steps is unknown), or the given Keras schedule.
    """
    rate = learning_rate
    if not isinstance(schedule, str):
        rate = schedule
    elif schedule == "cosine" and total_steps:
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.1)
    loss = keras.losses.SparseCategoricalCrossentropy(
        from_logits=not _outputs_probabilities(model))
    if jit_compile is None:
        jit_compile = _default_jit_compile(keras)
    model.compile(optimizer=keras.optimizers.Adam(rate), loss=loss, metrics=["accuracy"],
                  jit_compile=jit_compile)


def _steps_per_epoch(train, batch_size: int):
    """Batches per epoch: from the array length, or the dataset's cardinality (None if unknown)."""
    if not _is_dataset(train):
        return -(-len(train[0]) // batch_size)
    if _is_py_dataset(train):
        return train.num_batches
    n = int(train.cardinality())
    return n if n > 0 else None


def _pipeline(x, y, batch_size: int, shuffle: bool, seed: int):
    """Arrays as a tf.data pipeline on TensorFlow (shuffled each epoch, batched, prefetched).

    Other backends get the arrays back: Keras' own array loader batches and shuffles them
    without importing TensorFlow.
    """
    if _backend_name() != "tensorflow":
        return x, y
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _fit_to_devices(keras, train, val, batch_size: int):
    """Under a JAX ``DataParallel`` over n devices every batch must split evenly: check that
    ``batch_size`` is a multiple of n and drop the last ``len % n`` images of each array pair
    (at most n - 1), so the final, shorter batch splits evenly too."""
    engine = keras.distribution.distribution() if hasattr(keras, "distribution") else None
    if engine is None or not hasattr(engine, "device_mesh"):
        return train, val
    n = int(np.size(engine.device_mesh.devices))
    if batch_size % n:
        raise ValueError(f"batch_size={batch_size} does not split over the {n} devices of the "
                         f"strategy; use a multiple of {n}, e.g. {n * max(1, batch_size // n)}.")

    def trim(pair):
        if pair is None or _is_dataset(pair):
            return pair
        keep = len(pair[0]) - len(pair[0]) % n
        return pair[0][:keep], pair[1][:keep]

    return trim(train), trim(val)


def fit(model, train_data, *, validation_data=None, epochs: int, batch_size: int = 64,
        checkpoint_dir=None, verbose="auto", learning_rate: float = 1e-3,
        schedule="constant", callbacks=(), jit_compile=None, seed: int = 0):
    """Train ``model`` and return Keras' ``History``; resumable with ``checkpoint_dir``.

    - ``train_data`` / ``validation_data``: ``(x, y)`` NumPy arrays, images ``x: (N, H, W, C)``
      and integer labels ``y: (N,)``, or a batched ``tf.data.Dataset`` of such pairs. Arrays
      are checked first (image shape against the model's input, labels against its output
      width) and fed through a shuffling, prefetching tf.data pipeline (on TensorFlow; other
      backends use Keras' own array loader);
    - an uncompiled model is compiled with Adam, sparse categorical cross-entropy and
      accuracy. ``schedule`` sets its learning rate: ``"constant"`` (the default) keeps
      ``learning_rate`` throughout, exactly what a plain ``model.fit`` with
      ``Adam(learning_rate)`` does (benchmarks/bench_fit.py compares the two); ``"cosine"``
      lowers it along a cosine to a tenth of ``learning_rate`` by the last epoch; a
      ``keras.optimizers.schedules.LearningRateSchedule`` is used as given (``learning_rate``
      is then ignored). Keras adds loss scaling itself under ``mixed_float16``. A model you
      compiled yourself is trained as compiled;
    - ``checkpoint_dir``: after every epoch the weights, the optimizer state and the epoch
      number are saved there; calling ``fit`` again with the same folder resumes after the
      last finished epoch, and the returned History covers only the epochs run this time
      (``saved_history(checkpoint_dir)`` has them all). A folder that cannot be written
      raises OSError before training starts;
    - ``verbose="auto"`` shows Keras' progress bar (one line per epoch with 2, silent with 0);
    - ``jit_compile`` (used when ``fit`` compiles): None means Keras' "auto" (XLA where it
      can) except on TensorFlow without a GPU, where XLA made LeNet-5 training about twice
      as slow in our measurements, so it is off there.

    Raises ValueError naming the expected and the received shapes or labels and the fix.
    """
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}; 1e-3 suits Adam.")
    schedule = _check_schedule(schedule)
    expected, width = _model_io(model)
    train = _checked_data(train_data, expected, width, model.name, "train_data")
    val = (None if validation_data is None else
           _checked_data(validation_data, expected, width, model.name, "validation_data"))
    folder = None if checkpoint_dir is None else _checkpoint_folder(checkpoint_dir)

    keras = _import_keras()
    train, val = _fit_to_devices(keras, train, val, batch_size)
    if not model.compiled:
        steps = _steps_per_epoch(train, batch_size)
        _compile_defaults(model, keras, learning_rate, schedule, steps and steps * epochs,
                          jit_compile)
    if val is not None and not _is_dataset(val):
        val = _pipeline(*val, batch_size, shuffle=False, seed=seed)
    if not _is_dataset(train):
        train = _pipeline(*train, batch_size, shuffle=True, seed=seed)
    if _is_dataset(train):  # batched and shuffled already
        x, y, loader = train, None, {"shuffle": False}
    else:                   # arrays for Keras' own loader
        (x, y), loader = train, {"shuffle": True, "batch_size": batch_size}

    callbacks = list(callbacks)
    initial_epoch = 0
    if folder is not None:
        initial_epoch = _restore(model, folder)
        callbacks.insert(0, checkpoint_callback(folder))
        if initial_epoch >= epochs:
            print(f"cnncourse.train.fit: checkpoint_dir already holds epoch {initial_epoch} of "
                  f"{epochs}; nothing left to train (use a new checkpoint_dir to start over).")
        elif initial_epoch and verbose:
            print(f"cnncourse.train.fit: resuming after epoch {initial_epoch} of {epochs}.")
    return model.fit(x, y, validation_data=val, epochs=epochs, initial_epoch=initial_epoch,
                     callbacks=callbacks, verbose=verbose, **loader)


def evaluate(model, x, y, batch_size: int = 256) -> dict[str, float]:
    """Test accuracy and cross-entropy (mean negative log-probability of the true class) of a
    softmax model, from one pass of ``predict``; ``x: (N, H, W, C)``, ``y: (N,)``.
    Computed with scikit-learn, so any model that outputs class probabilities works."""
    from sklearn import metrics

    expected, width = _model_io(model)
    x, y = np.asarray(x), np.asarray(y)
    _check_images(x, expected, model.name, "x")
    _check_labels(y, len(x), width, model.name, "y")
    probs = np.asarray(model.predict(x, batch_size=positive_int(batch_size, "batch_size"),
                                     verbose=0), dtype=np.float64)
    if probs.min() < 0 or not np.allclose(probs.sum(axis=-1), 1.0, atol=1e-2):
        raise ValueError(f"evaluate needs class probabilities, but the outputs of {model.name!r} "
                         "are not (they do not sum to 1): add a keras.layers.Softmax() on top.")
    probs /= probs.sum(axis=-1, keepdims=True)  # float32 round-off; sklearn wants exact sums
    return {"accuracy": float(metrics.accuracy_score(y, probs.argmax(axis=-1))),
            "cross_entropy": float(metrics.log_loss(y, probs, labels=np.arange(width)))}


def predict_labels(model, x, batch_size: int = 256) -> np.ndarray:
    """Predicted class index per image, ``x: (N, H, W, C)`` → ``(N,)`` int."""
    expected, _ = _model_io(model)
    x = np.asarray(x)
    _check_images(x, expected, model.name, "x")
    scores = model.predict(x, batch_size=positive_int(batch_size, "batch_size"), verbose=0)
    return np.asarray(scores).argmax(axis=-1)


# --------------------------------------------------------------------------- parallelism


def strategy(devices=None):
    """Data parallelism over every local GPU (else every logical CPU) with the backend's engine.

    TensorFlow: ``tf.distribute.MirroredStrategy``; JAX: ``keras.distribution.DataParallel``.
    Both offer ``.scope()``: build, compile **and** fit inside it::

        with cnncourse.train.strategy().scope():
            model = cnncourse.models.build("lenet5")
            cnncourse.train.fit(model, (x, y), epochs=2, batch_size=128)

    Each step splits the batch evenly over the devices and averages their gradients.
    ``devices``: device names to use instead of all of them.
    """
    keras = _import_keras()
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        found = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy(devices=list(devices or [d.name for d in found]))
    if backend == "jax":
        import jax

        found = [d for d in jax.devices() if d.platform == "gpu"] or jax.devices("cpu")
        if devices:
            found = [d for d in found if str(d) in set(map(str, devices))]
        return keras.distribution.DataParallel(devices=found)
    raise ValueError(f"strategy() covers the tensorflow and jax backends, not {backend!r}; "
                     "with PyTorch, launch the script with torchrun and DistributedDataParallel.")


def replicas(engine) -> int:
    """How many devices a ``strategy()`` object trains on."""
    if hasattr(engine, "num_replicas_in_sync"):
        return int(engine.num_replicas_in_sync)
    return int(np.size(engine.device_mesh.devices))



# --------------------------------------------------------------------------- metrics


def metrics_from_counts(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """Accuracy, precision, recall, FPR (fall-out) and F1 from the four confusion-matrix cells.

    accuracy = (TP+TN)/all, precision = TP/(TP+FP), recall = TP/(TP+FN), FPR = FP/(TN+FP),
    F1 = 2PR/(P+R). A ratio whose denominator is 0 is returned as NaN.
    """
    tn, fp, fn, tp = (non_negative_int(v, n) for v, n in zip((tn, fp, fn, tp),
                                                             ("tn", "fp", "fn", "tp")))
    if tn + fp + fn + tp == 0:
        raise ValueError("all four counts are 0; a confusion matrix needs at least one example.")

    def ratio(num, den):
        return num / den if den else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"accuracy": ratio(tp + tn, tn + fp + fn + tp), "precision": precision,
            "recall": recall, "fpr": ratio(fp, tn + fp),
            "f1": ratio(2 * precision * recall, precision + recall)}


def labels_from_counts(tn: int, fp: int, fn: int, tp: int) -> tuple[np.ndarray, np.ndarray]:
    """Label vectors ``(y_true, y_pred)`` (each (n,), 0/1) with exactly these confusion counts,
    e.g. to hand a slide's example to scikit-learn or :func:`binary_metrics`."""
    counts = [non_negative_int(v, n) for v, n in zip((tn, fp, fn, tp), ("tn", "fp", "fn", "tp"))]
    cells = ((0, 0), (0, 1), (1, 0), (1, 1))  # (actual, predicted) of tn, fp, fn, tp
    return (np.repeat([c[0] for c in cells], counts), np.repeat([c[1] for c in cells], counts))


def binary_metrics(y_true, y_pred) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and fall-out (false-positive rate) of binary labels
    ``y_true, y_pred: (N,)`` in {0, 1} (1 = positive), e.g. a "digit 4 or not" detector.

    Computed by scikit-learn from the labels, so it cross-checks the hand formulas of
    ``metrics_from_counts``: precision = TP/(TP+FP), recall = TP/(TP+FN),
    F1 = 2PR/(P+R), fall-out = FP/(FP+TN).
    """
    from sklearn import metrics

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tn, fp, fn, tp = metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "precision": float(metrics.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(metrics.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(metrics.f1_score(y_true, y_pred, zero_division=0)),
        "fall_out": float(fp / (fp + tn)) if fp + tn else 0.0,
    }


# --------------------------------------------------------------------------- benchmarks


def _zoo_default(name: str, option: str):
    """The default of ``option`` (``input_shape``, ``num_classes``) for zoo model ``name``."""
    import inspect

    from . import models

    fn, defaults = models.builder(name)
    if option in defaults:
        return defaults[option]
    return inspect.signature(fn).parameters[option].default


def _benchmark_shape(model: str, image_size) -> tuple:
    """``(S, S, C)``: the zoo model's own input, or ``image_size`` square with its channels."""
    shape = tuple(_zoo_default(model, "input_shape"))
    if image_size is None:
        return shape
    side = positive_int(image_size, "image_size")
    return (side, side, shape[-1])


def _synthetic_batches(keras, shape: tuple, classes: int, batch: int, steps: int, seed: int):
    """A loader that yields the same random batch ``steps`` times: images ``(batch, *shape)``
    float32, labels ``(batch,)`` int32. Works on every backend (a ``keras.utils.PyDataset``)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *shape), dtype=np.float32)
    y = rng.integers(0, classes, size=batch).astype(np.int32)

    class SameBatch(keras.utils.PyDataset):
        def __len__(self):
            return steps

        def __getitem__(self, index):
            return x, y

    return SameBatch()


def _host_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def peak_memory_mb() -> tuple[float, str]:
    """(peak memory in MiB, what was measured): the first GPU's allocator peak when the
    backend has a GPU, else the process's peak resident host memory ("host peak RSS")."""
    keras = _import_keras()
    backend = keras.backend.backend()
    if backend == "tensorflow" and _gpu_count(keras):
        import tensorflow as tf

        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20, "GPU peak"
    if backend == "jax" and _gpu_count(keras):
        import jax

        gpu = next(d for d in jax.devices() if d.platform == "gpu")
        return gpu.memory_stats()["peak_bytes_in_use"] / 2**20, "GPU peak"
    if backend == "torch" and _gpu_count(keras):
        import torch

        return torch.cuda.max_memory_allocated(0) / 2**20, "GPU peak"
    return _host_peak_mb(), "host peak RSS"


def reset_peak_memory() -> None:
    """Start a new GPU peak (TensorFlow and PyTorch; JAX and host RSS peaks cannot be reset)."""
    keras = _import_keras()
    backend = keras.backend.backend()
    if backend == "tensorflow" and _gpu_count(keras):
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")
    elif backend == "torch" and _gpu_count(keras):
        import torch

        torch.cuda.reset_peak_memory_stats(0)


def _step_clock(keras):
    """A callback recording the wall time at the end of every training batch (``.stamps``)."""

    class StepClock(keras.callbacks.Callback):
        stamps: list

        def on_train_begin(self, logs=None):
            self.stamps = []

        def on_train_batch_end(self, batch, logs=None):
            self.stamps.append(time.perf_counter())

    return StepClock()


def benchmark(model: str, *, batch: int = 64, steps: int = 20, precision: str = "float32",
              image_size: int | None = None, jit_compile=None, warmup: int = 3) -> dict:
    """Training throughput of the zoo model ``model`` on synthetic data, through ``fit``.

    Builds the model under ``precision`` (the global policy is restored afterwards), trains
    ``warmup + steps`` batches of random images ``(batch, S, S, C)`` (S = ``image_size`` or the
    model's own size; the batch is the same host array every step, as a loader would hand it
    over), and times the last ``steps``. Returns a dict: ``images_per_s``, ``step_ms``,
    ``peak_memory_mb`` with ``memory_kind`` (GPU allocator peak, or host RSS on a CPU),
    ``policy``, ``jit_compile``, ``input_shape``, ``params``.
    """
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    warmup = positive_int(warmup, "warmup")
    precision = _check_precision(precision)
    shape = _benchmark_shape(model, image_size)

    from . import models

    keras = _import_keras()
    previous = keras.config.dtype_policy()
    try:
        policy = _set_precision(keras, precision, _gpu_count(keras))
        net = models.build(model, input_shape=shape)
    finally:
        keras.config.set_dtype_policy(previous)
    classes = int(net.outputs[0].shape[-1])
    batches = _synthetic_batches(keras, shape, classes, batch, warmup + steps, seed=0)
    clock = _step_clock(keras)
    reset_peak_memory()
    fit(net, batches, epochs=1, verbose=0, callbacks=[clock], jit_compile=jit_compile)
    elapsed = clock.stamps[-1] - clock.stamps[warmup - 1]
    peak, kind = peak_memory_mb()
    return {"model": model, "images_per_s": batch * steps / elapsed,
            "step_ms": 1000 * elapsed / steps, "peak_memory_mb": peak, "memory_kind": kind,
            "policy": policy, "jit_compile": net.jit_compile, "input_shape": shape,
            "params": int(net.count_params())}


TORCH_INSTALL = ("--vs torch needs PyTorch and torchvision. Install a matching pair, e.g. "
                 "`pip install torch torchvision` (CPU) or the CUDA build from "
                 "https://pytorch.org/get-started/locally/, then run the command again.")


def torch_available() -> bool:
    """Whether both torch and torchvision can be imported (checked without importing them)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "torchvision"))


def torch_benchmark(model: str, *, batch: int = 64, steps: int = 20, mixed: bool = False,
                    image_size: int | None = None, warmup: int = 3) -> dict:
    """The same measurement on torchvision's model of the same name, in this process.

    Adam, cross-entropy, the same host batch copied to the device every step (from pinned
    memory on a GPU); ``mixed``: autocast (float16 with a GradScaler on CUDA, bfloat16 on a CPU)
    and channels-last memory layout, the usual recipe for tensor cores. Returns the keys of
    ``benchmark`` that apply, plus the torch and torchvision versions.
    """
    import torch
    import torchvision

    if model not in torchvision.models.list_models():
        raise ValueError(f"torchvision has no model named {model!r}; --vs torch works for zoo "
                         "models torchvision also has, e.g. resnet50, vgg16, alexnet.")
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    h, w, c = _benchmark_shape(model, image_size)
    classes = int(_zoo_default(model, "num_classes"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    extra = {"aux_logits": False, "init_weights": True} if model == "googlenet" else {}
    layout = torch.channels_last if mixed else torch.contiguous_format
    net = torchvision.models.get_model(model, weights=None, num_classes=classes, **extra)
    net = net.to(device, memory_format=layout).train()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn((batch, c, h, w), generator=gen)
    y = torch.randint(0, classes, (batch,), generator=gen)
    if device == "cuda":
        x, y = x.pin_memory(), y.pin_memory()
        torch.cuda.reset_peak_memory_stats()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler(device, enabled=mixed and device == "cuda")
    amp_dtype = torch.float16 if device == "cuda" else torch.bfloat16
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        xb = x.to(device, non_blocking=True).contiguous(memory_format=layout)
        yb = y.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device, dtype=amp_dtype, enabled=mixed):
            loss = loss_fn(net(xb), yb)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(positive_int(warmup, "warmup")):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    elapsed = time.perf_counter() - start
    if device == "cuda":
        peak, kind = torch.cuda.max_memory_allocated() / 2**20, "GPU peak"
    else:
        peak, kind = _host_peak_mb(), "host peak RSS"
    return {"model": model, "images_per_s": batch * steps / elapsed,
            "step_ms": 1000 * elapsed / steps, "peak_memory_mb": peak, "memory_kind": kind,
            "input_shape": (h, w, c), "torch": torch.__version__,
            "torchvision": torchvision.__version__}


def bench(model: str = "resnet50", batch: int = 64, precision: str = "auto", steps: int = 20,
          vs: str | None = None, image_size: int | None = None) -> int:
    """``cnncourse bench``: print training images/s and peak memory of a zoo model.

    With ``vs="torch"`` also time torchvision's model of the same name in the same process and
    print the ratio (ours / torch). Returns the exit code: 0, or 2 when torch is missing.
    """
    from . import models

    models.builder(model)  # unknown names fail here, with a suggestion
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    precision = _check_precision(precision)
    if vs not in (None, "torch"):
        raise ValueError(f"--vs takes 'torch' only, got {vs!r}.")
    if vs == "torch" and not torch_available():
        print(f"cnncourse bench: {TORCH_INSTALL}")
        return 2
    setup(precision=precision)
    ours = benchmark(model, batch=batch, steps=steps, precision=precision, image_size=image_size)
    rows = [("keras (cnncourse.fit)", ours)]
    if vs == "torch":
        theirs = torch_benchmark(model, batch=batch, steps=steps, image_size=image_size,
                                 mixed=ours["policy"].startswith("mixed"))
        rows.append((f"torchvision {theirs['torchvision']}", theirs))
    side = "x".join(map(str, ours["input_shape"]))
    print(f"{model} | batch {batch} | {side} | {ours['policy']} | {steps} timed steps")
    print(f"{'run':<28}{'images/s':>12}{'ms/step':>10}{'peak MiB':>11}  memory")
    for label, r in rows:
        print(f"{label:<28}{r['images_per_s']:>12.1f}{r['step_ms']:>10.1f}"
              f"{r['peak_memory_mb']:>11.0f}  {r['memory_kind']}")
    if vs == "torch":
        print(f"ratio keras / torch (images/s): {ours['images_per_s'] / theirs['images_per_s']:.2f}")
    return 0


# --------------------------------------------------------------------------- doctor


def _torch_devices_text() -> str:
    """What PyTorch sees, whichever backend Keras runs: ``CPU-only build``, ``CUDA 12.8: no GPU
    visible`` or ``CUDA 12.8: GPU x1 (NVIDIA H100)``."""
    try:
        import torch
    except Exception as exc:  # installed but broken (e.g. a missing shared library)
        return f"fails to import: {type(exc).__name__}"
    if not torch.version.cuda:
        return "CPU-only build"
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if not count:
        return f"CUDA {torch.version.cuda}: no GPU visible"
    return f"CUDA {torch.version.cuda}: GPU x{count} ({torch.cuda.get_device_name(0)})"


def _doctor_rows() -> list[tuple[str, str, str, str]]:
    """(check, status, finding, fix) for every line of ``cnncourse doctor``.

    status is ``ok``, ``-`` (optional and absent: reported, not a failure) or ``FAIL``; only
    FAIL rows carry a fix.
    """
    from importlib import metadata

    from . import __version__, data

    def ok(check, finding):
        rows.append((check, "ok", finding, ""))

    def note(check, finding):
        rows.append((check, "-", finding, ""))

    def fail(check, finding, fix):
        rows.append((check, "FAIL", finding, fix))

    rows: list[tuple[str, str, str, str]] = []
    if sys.version_info >= (3, 10):
        ok("python", platform.python_version())
    else:
        fail("python", platform.python_version(), "use Python 3.10 or newer")
    ok("cnncourse", __version__)
    for package in ("keras", "tensorflow", "jax", "torch"):
        try:
            version = metadata.version(package)
            ok(package, f"{version} ({_torch_devices_text()})" if package == "torch" else version)
        except metadata.PackageNotFoundError:
            if package == "keras":
                fail(package, "not installed", "pip install -e '.[test,jax]' in the course folder")
            else:
                note(package, "not installed (optional)")
    try:
        cap = _check_memory_limit(None)
    except ValueError as exc:
        fail("gpu memory cap", f"${ENV_MEMORY}={os.environ.get(ENV_MEMORY)!r}", str(exc))
        cap = None
    try:
        from ._keras import native_stderr_silenced

        with native_stderr_silenced():
            keras = _import_keras()
            backend = keras.backend.backend()
            memory, n_gpus = _memory_policy(backend, cap)
            devices = _devices_text()
        ok("backend", f"{backend} {_backend_version(backend)}")
        ok("devices", devices)
        ok("gpu memory", memory)
        ok("precision (auto)", "mixed" if n_gpus else "float32")
    except Exception as exc:  # a broken install: report it, do not crash
        fail("backend", f"fails to start: {type(exc).__name__}: {exc}"[:120],
             "reinstall with pip install --force-reinstall keras tensorflow, or set "
             "KERAS_BACKEND to an installed backend")
    source = "auto"
    try:
        source = data.mnist_source()
        ok("data source", f"{source} (${data.ENV_SOURCE})")
    except ValueError as exc:
        fail("data source", f"${data.ENV_SOURCE}={os.environ.get(data.ENV_SOURCE)!r}", str(exc))
    try:
        data._load_sample(data.data_dir() / data.SAMPLE_FILE)
        ok("mnist sample", "4,000 + 1,000 digits, sha256 ok")
    except OSError as exc:
        if data.keras_mnist_cached():  # the full set is there, the sample is only a fallback
            note("mnist sample", "missing or corrupt (the Keras cache has the full set)")
        else:
            fail("mnist sample", "missing or corrupt", str(exc))
    if data.keras_mnist_cached():
        ok("keras mnist cache", "present (full MNIST)")
    else:
        note("keras mnist cache", "absent")
    if source == "sample":
        note("network", "not probed: the data source is the shipped sample")
    elif data.online(2.0):
        ok("network", "download host reachable")
    else:
        note("network", "offline: load_mnist() uses the shipped sample")
    return rows


def doctor() -> int:
    """``cnncourse doctor``: one table of versions, devices, memory policy and data.

    Returns 0 when everything needed works, 1 (after printing each fix) when something is
    broken. Missing optional pieces (JAX, PyTorch, network) are reported, not failures.
    """
    rows = _doctor_rows()
    width = max(len(row[0]) for row in rows) + 2
    print(f"{'check':<{width}}{'status':<8}finding")
    for check, status, finding, _ in rows:
        print(f"{check:<{width}}{status:<8}{finding}")
    fixes = [(check, fix) for check, status, _, fix in rows if status == "FAIL"]
    for check, fix in fixes:
        print(f"fix {check}: {fix}")
    return 1 if fixes else 0
