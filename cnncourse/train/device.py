"""Device set-up and checks: backend, GPU memory policy, precision, seeds; data parallelism;
peak-memory readings; and ``doctor`` (also ``cnncourse doctor``).

``setup`` puts the GPU in a memory mode that lets several student kernels share one card;
``doctor`` says in one table what the machine can do and how to fix what is broken.
"""
from __future__ import annotations

import os
import platform
import random
import shutil
import subprocess
import sys
import warnings
from importlib import metadata

import numpy as np

from .. import __version__, data
from .._checks import did_you_mean, non_negative_int, positive_int
from .._keras import import_backend, native_stderr_silenced, set_random_seed

ENV_MEMORY = "CNNCOURSE_GPU_MEMORY_MB"   # hard cap per kernel, in MiB
ENV_PRECISION = "CNNCOURSE_PRECISION"    # auto | float32 | mixed
PRECISIONS = ("auto", "float32", "mixed")


def backend_name() -> str:
    """The Keras backend that will load, read without importing Keras."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def check_precision(precision) -> str:
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


def gpu_count(keras) -> int:
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
    backend = backend_name()
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
    package = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend, backend)
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def set_precision(keras, precision: str, n_gpus: int) -> str:
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
          deterministic: bool = False, quiet: bool = True, numpy_only: bool = False) -> str:
    """Prepare the backend for a notebook and print one status line; returns that line.

    - seeds Python's ``random``, NumPy and the backend with ``seed``; on JAX and PyTorch
      TensorFlow is seeded too only if it is already imported (Keras would import it, 5 s,
      just to seed ``tf.data``): import it before ``setup`` if your own pipeline uses it;
    - ``numpy_only=True`` seeds Python and NumPy and leaves Keras unloaded: a notebook that
      computes with NumPy alone (homework 1 and 2) then starts in a second instead of waiting
      for the backend to load; a later ``import keras`` still works, unseeded;
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
    asked_precision, precision = precision, check_precision(precision)
    cap_mb = _check_memory_limit(memory_limit_mb)
    seed = non_negative_int(seed, "seed")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if quiet:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
    if numpy_only:
        if deterministic or memory_limit_mb is not None or asked_precision is not None:
            raise ValueError("numpy_only=True loads no backend, so precision, memory_limit_mb "
                             "and deterministic have nothing to act on; leave them out, or "
                             "drop numpy_only to set up Keras.")
        random.seed(seed)
        np.random.seed(seed)
        line = (f"cnncourse {__version__} | numpy {np.__version__} | Keras not loaded "
                f"(NumPy-only notebook) | seed {seed}")
        print(line)
        return line
    backend = backend_name()
    if backend == "jax":
        _prepare_jax_env(cap_mb, deterministic)

    # TensorFlow's native start-up lines are silenced here as well as at the import (seeding
    # loads it when it is the backend; under JAX and torch it is seeded only if already loaded)
    with native_stderr_silenced():
        keras = import_backend()
        backend = keras.backend.backend()
        memory, n_gpus = _memory_policy(backend, cap_mb)
        policy = set_precision(keras, precision, n_gpus)
        set_random_seed(seed)   # Python, NumPy, the backend and Keras's generator
        if backend == "tensorflow":
            import tensorflow as tf

            if deterministic:
                tf.config.experimental.enable_op_determinism()
            if quiet:  # e.g. tf.function retracing notes, which would land in stderr
                tf.get_logger().setLevel("ERROR")
        if backend == "torch" and deterministic:
            _torch_deterministic()
        devices = _devices_text()

    line = (f"cnncourse {__version__} | keras {keras.__version__} | backend {backend} "
            f"{_backend_version(backend)} | device {devices} | precision {policy} | "
            f"memory {memory} | seed {seed}")
    print(line)
    return line


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
    keras = import_backend()
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


def host_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def peak_memory_mb() -> tuple[float, str]:
    """(peak memory in MiB, what was measured): the first GPU's allocator peak when the
    backend has a GPU, else the process's peak resident host memory ("host peak RSS")."""
    keras = import_backend()
    backend = keras.backend.backend()
    if backend == "tensorflow" and gpu_count(keras):
        import tensorflow as tf

        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20, "GPU peak"
    if backend == "jax" and gpu_count(keras):
        import jax

        gpu = next(d for d in jax.devices() if d.platform == "gpu")
        return gpu.memory_stats()["peak_bytes_in_use"] / 2**20, "GPU peak"
    if backend == "torch" and gpu_count(keras):
        import torch

        return torch.cuda.max_memory_allocated(0) / 2**20, "GPU peak"
    return host_peak_mb(), "host peak RSS"


def reset_peak_memory() -> None:
    """Start a new GPU peak (TensorFlow and PyTorch; JAX and host RSS peaks cannot be reset)."""
    keras = import_backend()
    backend = keras.backend.backend()
    if backend == "tensorflow" and gpu_count(keras):
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")
    elif backend == "torch" and gpu_count(keras):
        import torch

        torch.cuda.reset_peak_memory_stats(0)


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
        with native_stderr_silenced():
            keras = import_backend()
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
