"""Shared pytest set-up: quiet backends, a headless plot backend, backend-specific skips."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib  # noqa: E402
import pytest  # noqa: E402

# Headless plots for this process only: an MPLBACKEND environment variable would also reach the
# notebook kernels that nbval starts, and they must keep Jupyter's inline backend.
matplotlib.use("Agg")


def backend() -> str:
    from cnncourse._quiet import import_backend

    return import_backend().backend.backend()


def pytest_collection_modifyitems(config, items):
    skip_tf = pytest.mark.skip(reason="needs the TensorFlow backend")
    for item in items:
        if "tensorflow_only" in item.keywords and backend() != "tensorflow":
            item.add_marker(skip_tf)


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
