"""Training: backend/device set-up, fit with checkpoint-resume, strategies, benchmarks.

(First cut: ``setup`` only. The training issue grows this module.)
"""
from __future__ import annotations

import os
import random
import warnings


def setup(seed: int = 42, quiet: bool = True) -> str:
    """Seed Python, NumPy and the backend, quiet the backend's logging, print one status line.

    Returns the status line (backend, device, versions) so a notebook can also assert on it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if quiet:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
    import numpy as np

    from ._quiet import import_backend

    keras = import_backend()

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    line = f"cnncourse | keras {keras.__version__} | backend {keras.backend.backend()} | seed {seed}"
    print(line)
    return line
