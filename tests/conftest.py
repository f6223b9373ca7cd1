"""Shared pytest set-up: quiet backends, a headless plot backend, backend-specific skips."""
import atexit
import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib  # noqa: E402
import pytest  # noqa: E402

# Headless plots for this process only: an MPLBACKEND environment variable would also reach the
# notebook kernels that nbval starts, and they must keep Jupyter's inline backend.
matplotlib.use("Agg")


_SESSION = contextlib.ExitStack()  # what pytest_configure sets up for the whole run


def _end_without_finalizing() -> None:
    """The last exit handler of an xdist worker: its results were sent, every other handler
    (registered later, so run earlier: Keras, Jupyter, the kernel server) has run; skip only
    Python's finalization, which took the workers 2–7 s after hundreds of Keras models."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):  # set by xdist before it imports this file
    atexit.register(_end_without_finalizing)


@contextlib.contextmanager
def _jax_compilation_cache():
    """On JAX, one persistent compilation cache for the run, in a temporary folder that the
    workers and the programs they start share: the small models the tests train, stop and
    resume again and again with the same shapes are compiled by XLA once, not once per test
    (the JAX run's training and checkpoint tests: 81-90 busy CPU-s without, 65-76 with). Every
    ``fit`` still traces and jit-compiles its steps as a student's would."""
    from cnncourse.train.device import backend_name

    if backend_name() != "jax" or "JAX_COMPILATION_CACHE_DIR" in os.environ:
        yield
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cnncourse-jax-cache-") as folder:
        settings = {"JAX_COMPILATION_CACHE_DIR": folder,     # read when JAX is imported
                    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
                    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}
        os.environ.update(settings)
        try:
            yield
        finally:
            for name in settings:
                os.environ.pop(name, None)


def backend() -> str:
    from cnncourse._quiet import import_backend

    return import_backend().backend.backend()


TORCH_AVG_POOL_SAME = (
    "Keras' torch backend fills an uneven 'same' pad of average pooling with copies of the edge "
    "pixels and averages them in; TensorFlow and JAX average only the real pixels "
    "(keras-team/keras#18452)")


def keras_torch_averages_the_pad() -> bool:
    """Whether this Keras still has the torch average-pool limitation: the window [10, 20, pad]
    (pool 3, stride 2, 'same') must average to 15; the limitation gives (10 + 20 + 20) / 3."""
    import numpy as np

    from cnncourse._quiet import import_backend

    keras = import_backend()
    x = np.array([10.0, 20.0], "float32").reshape(1, 2, 1)
    pooled = keras.ops.convert_to_numpy(keras.ops.average_pool(x, 3, 2, padding="same"))
    return not np.isclose(float(pooled.ravel()[0]), 15.0)


def _heavy_files_first(items) -> None:
    """Put the notebooks and the files with a ``slow`` test first (a stable sort: each file keeps
    its order), so that with ``pytest -n auto --dist loadfile`` the long files start at once and
    the short ones fill the gaps, instead of one notebook running alone at the end."""
    from cnncourse.runner import recorded_seconds

    heavy = {item.path for item in items
             if item.path.suffix == ".ipynb" or item.get_closest_marker("slow")}
    # notebooks by the length of their stored run, longest first (10 s where it was not
    # recorded); then the other heavy files
    seconds = {path: recorded_seconds(path) or 10.0 for path in heavy if path.suffix == ".ipynb"}
    items.sort(key=lambda item: (item.path not in heavy, -seconds.get(item.path, 0.0)))


def pytest_configure(config):
    """Notebook kernels (nbval, the runner's tests) are forked from one warm server per test
    process, so each starts without importing Keras again (cnncourse/kernels.py);
    ``CNNCOURSE_WARM_KERNELS=0`` starts them cold. Under ``pytest -n N`` the workers share the
    controller's server, each gets its share of the cores (``runner.threads_shared``), and
    xdist keeps the heavy-first order of the files. On JAX the run shares one XLA
    compilation cache (``_jax_compilation_cache``)."""
    from cnncourse import kernels, runner

    kernels.enable()
    if hasattr(config.option, "loadscopereorder"):
        # keep the heavy-first order of pytest_collection_modifyitems: by default xdist would
        # queue the files with the most tests first, which left chapter 14 for the middle
        config.option.loadscopereorder = False
    workers = getattr(config.option, "numprocesses", None) or 0
    if not hasattr(config, "workerinput"):
        _SESSION.enter_context(_jax_compilation_cache())
    if workers > 1 and not hasattr(config, "workerinput"):
        # each worker, and the kernel it waits on, gets its share of the cores (runner.py)
        _SESSION.enter_context(runner.threads_shared(workers))
    if workers and not hasattr(config, "workerinput") and _collects_notebooks(config):
        kernels.share()  # the xdist workers share one server, started here, before they are


def _collects_notebooks(config) -> bool:
    from pathlib import Path

    paths = [Path(arg.split("::")[0]) for arg in config.args] or [
        Path(config.rootpath, name) for name in config.getini("testpaths")]
    return any(path.suffix == ".ipynb" or (path.is_dir() and next(path.rglob("*.ipynb"), None))
               for path in paths)


def pytest_unconfigure(config):
    from cnncourse import kernels

    kernels.disable()
    _SESSION.close()


# test files that read the same zoo models: one worker runs them all, so each model is built
# once for them (accounting.zoo_model keeps it) instead of once per file and worker
ZOO_READERS = frozenset({"test_accounting.py", "test_models_classic.py", "test_models_modern.py",
                         "test_zoo_counts.py", "test_cli_models.py", "test_slides.py"})


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the ``ZOO_READERS`` files as one unit of work."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ZooTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "zoo models" if scope.rsplit("/", 1)[-1] in ZOO_READERS else scope

    return ZooTogether(config, log)


def pytest_collection_modifyitems(config, items):
    _heavy_files_first(items)
    skip_tf = pytest.mark.skip(reason="needs the TensorFlow backend")
    skip_pool = None
    for item in items:
        if "tensorflow_only" in item.keywords and backend() != "tensorflow":
            item.add_marker(skip_tf)
        if "torch_avg_pool_same" in item.keywords and backend() == "torch":
            if skip_pool is None:
                skip_pool = keras_torch_averages_the_pad()
            if skip_pool:
                item.add_marker(pytest.mark.skip(reason=TORCH_AVG_POOL_SAME))


@pytest.fixture(autouse=True)
def environment_restored():
    """Undo what a test leaves in ``os.environ`` (code under test may set variables, e.g.
    ``setup()`` on JAX): later tests, and the kernels they start, see the environment as it was."""
    before = dict(os.environ)
    yield
    if dict(os.environ) != before:
        os.environ.clear()
        os.environ.update(before)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every matplotlib figure a test leaves open (only in tests that imported pyplot)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
