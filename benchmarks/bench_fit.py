"""Does ``cnncourse.train.fit``'s default learn as well as a plain Keras ``model.fit``?

LeNet-5 on the shipped MNIST sample (4,000 training digits, the 1,000 test digits as the
validation set), the same epochs, batch size and seeds on both sides:

- ``plain keras``: ``model.compile(Adam(1e-3), sparse categorical cross-entropy, accuracy)`` then
  ``model.fit(x, y, batch_size, epochs, validation_data)``;
- ``train.fit``: ``cnncourse.train.fit(model, (x, y), validation_data=..., epochs, batch_size)``
  with its defaults (and, with ``--schedules``, other values of its ``schedule`` argument).

It prints the best validation accuracy of each run per seed and the difference (fit − plain).
Nothing is asserted; the figures go to benchmarks/RESULTS.md.

    python benchmarks/bench_fit.py                       # 10 epochs, batch 64, seeds 0 and 1
    python benchmarks/bench_fit.py --schedules default cosine --seeds 0 1 2
"""
from __future__ import annotations

import argparse
import inspect
import time

import numpy as np

from cnncourse import data, models, train


def mnist_sample():
    """((x_train, y_train), (x_val, y_val)): the sample as (N, 32, 32, 1) standardised images."""
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist(source="sample")

    def prepare(x):
        return data.pad_to(data.as_images(x, mean=data.MNIST_MEAN, std=data.MNIST_STD), 32)

    return (prepare(x_tr), y_tr), (prepare(x_te), y_te)


def plain_keras(seed, train_set, val_set, epochs, batch):
    """Best validation accuracy of a plain compile + fit with Adam(1e-3)."""
    import keras

    keras.utils.set_random_seed(seed)
    model = models.build("lenet5")
    softmax = getattr(getattr(model.layers[-1], "activation", None), "__name__", "") == "softmax"
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=not softmax),
                  metrics=["accuracy"], jit_compile=False)
    history = model.fit(*train_set, validation_data=val_set, epochs=epochs, batch_size=batch,
                        shuffle=True, verbose=0)
    return max(history.history["val_accuracy"])


def through_fit(seed, train_set, val_set, epochs, batch, schedule):
    """Best validation accuracy of ``train.fit`` (``schedule=None``: its default)."""
    import keras

    keras.utils.set_random_seed(seed)
    model = models.build("lenet5")
    extra = {} if schedule is None else {"schedule": schedule}
    history = train.fit(model, train_set, validation_data=val_set, epochs=epochs,
                        batch_size=batch, seed=seed, verbose=0, **extra)
    return max(history.history["val_accuracy"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--schedules", nargs="+", default=["default"],
                        help="values of fit's schedule argument to run ('default': fit's own)")
    args = parser.parse_args(argv)

    train.setup(seed=0, precision="float32")
    default = inspect.signature(train.fit).parameters["schedule"].default
    train_set, val_set = mnist_sample()
    print(f"LeNet-5, MNIST sample ({len(train_set[1])} train / {len(val_set[1])} validation), "
          f"{args.epochs} epochs, batch {args.batch}; best validation accuracy per run")
    print(f"train.fit default: schedule={default!r}, learning_rate="
          f"{inspect.signature(train.fit).parameters['learning_rate'].default}")
    labels = [f"fit {default}" if s == "default" else f"fit {s}" for s in args.schedules]
    header = f"{'seed':>4}  {'plain keras':>11}" + "".join(
        f"  {label:>14}  {'diff':>7}" for label in labels)
    print(header)
    diffs = {label: [] for label in labels}
    start = time.perf_counter()
    for seed in args.seeds:
        plain = plain_keras(seed, train_set, val_set, args.epochs, args.batch)
        row = f"{seed:>4}  {plain:>11.4f}"
        for label, schedule in zip(labels, args.schedules):
            ours = through_fit(seed, train_set, val_set, args.epochs, args.batch,
                               None if schedule == "default" else schedule)
            diffs[label].append(ours - plain)
            row += f"  {ours:>14.4f}  {ours - plain:>+7.4f}"
        print(row, flush=True)
    print(f"{'mean':>4}  {'':>11}" + "".join(
        f"  {'':>14}  {np.mean(d):>+7.4f}" for d in diffs.values()))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
