"""Training: backend and device set-up, ``fit`` with checkpoint-resume, data parallelism,
evaluation metrics, and throughput benchmarks.

The pieces a GPU JupyterHub needs are here: ``setup`` puts the GPU in a memory mode that lets
several student kernels share one card, ``fit`` survives a culled or crashed kernel by resuming
from its last finished epoch, and ``doctor`` / ``bench`` (also ``cnncourse doctor`` and
``cnncourse bench`` on the command line) say what the machine can do.

One module per concern; every name below is importable as ``cnncourse.train.NAME``:

- ``device``: ``setup``, ``doctor``, ``strategy`` / ``replicas``, the GPU memory policy,
  ``peak_memory_mb`` / ``reset_peak_memory``;
- ``fitting``: ``fit`` (with ``inputs``, the checks of what it is given);
- ``checkpoints``: ``checkpoint_callback``, ``saved_history``;
- ``metrics``: ``evaluate``, ``predict_labels``, ``metrics_from_counts``,
  ``labels_from_counts``, ``binary_metrics``;
- ``benchmarks``: ``benchmark``, ``torch_benchmark``, ``bench``.
"""
from .benchmarks import TORCH_INSTALL, bench, benchmark, torch_available, torch_benchmark
from .checkpoints import CHECKPOINT_GLOB, checkpoint_callback, saved_history
from .device import (ENV_MEMORY, ENV_PRECISION, PRECISIONS, doctor, peak_memory_mb, replicas,
                     reset_peak_memory, setup, strategy)
from .fitting import SCHEDULES, fit
from .metrics import (binary_metrics, evaluate, labels_from_counts, metrics_from_counts,
                      predict_labels)

__all__ = [
    "bench", "benchmark", "binary_metrics", "checkpoint_callback", "doctor", "evaluate", "fit",
    "labels_from_counts", "metrics_from_counts", "peak_memory_mb", "predict_labels", "replicas",
    "reset_peak_memory", "saved_history", "setup", "strategy", "torch_available",
    "torch_benchmark",
]
