"""Library speed next to the libraries it imitates; prints ratios, asserts nothing.

1. For every zoo model with a keras.applications twin: (our build + ``param_table``) time over
   the keras.applications build time (``weights=None``, same backend, same process). Goal <= 1.2.
2. ``cnncourse.ops.conv2d`` (NumPy im2col, float64) time over Keras ``Conv2D`` time on a
   1×64×64×32 input with 64 3×3 filters, 'same' padding. Goal <= 5.

Each time is the median of ``--repeats`` runs after one untimed warm-up, the two sides
alternating, so that a busy machine slows both alike. Run::

    python benchmarks/bench_library.py            # all five twins, 2 repeats
    KERAS_BACKEND=jax python benchmarks/bench_library.py --models resnet50
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time

TWINS = {"vgg16": "VGG16", "vgg19": "VGG19", "resnet50": "ResNet50",
         "resnet101": "ResNet101", "resnet152": "ResNet152"}


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _fresh(keras):
    keras.backend.clear_session()
    gc.collect()


def time_builds(name: str, repeats: int, keras) -> dict:
    """Median seconds for our build + param_table and for the keras.applications build.

    One untimed build of each comes first: JAX compiles each weight initialiser on first use,
    and whichever model is built first would otherwise pay for both.
    """
    from cnncourse import accounting, models

    models.build(name)
    getattr(keras.applications, TWINS[name])(weights=None)
    ours, theirs, table = [], [], []
    for _ in range(repeats):
        _fresh(keras)
        start = time.perf_counter()
        model = models.build(name)
        built = time.perf_counter()
        accounting.param_table(model)
        ours.append(time.perf_counter() - start)
        table.append(time.perf_counter() - built)
        del model
        _fresh(keras)
        theirs.append(_seconds(lambda: getattr(keras.applications, TWINS[name])(weights=None)))
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    return dict(model=name, ours_s=ours_s, table_s=statistics.median(table),
                keras_apps_s=theirs_s, ratio=ours_s / theirs_s, goal=1.2)


def time_conv(repeats: int, keras) -> dict:
    """Seconds per call of ops.conv2d and of a built Keras Conv2D on the same input."""
    import numpy as np

    from cnncourse import ops

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 64, 64, 32)).astype("float32")
    layer = keras.layers.Conv2D(64, 3, padding="same", use_bias=True)
    layer.build(x.shape)
    w, b = (np.asarray(v) for v in layer.get_weights())
    reference = keras.ops.convert_to_numpy(layer(x))  # warm-up; also the value to agree with
    np.testing.assert_allclose(ops.conv2d(x, w, b, padding="same"), reference, atol=1e-3)

    calls = 20
    numpy_s, keras_s = [], []
    for _ in range(repeats):
        numpy_s.append(_seconds(lambda: [ops.conv2d(x, w, b, padding="same")
                                         for _ in range(calls)]) / calls)
        keras_s.append(_seconds(lambda: [keras.ops.convert_to_numpy(layer(x))
                                         for _ in range(calls)]) / calls)
    numpy_med, keras_med = statistics.median(numpy_s), statistics.median(keras_s)
    return dict(model="ops.conv2d / Conv2D", ours_s=numpy_med, table_s=float("nan"),
                keras_apps_s=keras_med, ratio=numpy_med / keras_med, goal=5.0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(TWINS), choices=list(TWINS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import pandas as pd

    from cnncourse._quiet import import_backend

    keras = import_backend()
    rows = [time_builds(name, args.repeats, keras) for name in args.models]
    rows.append(time_conv(max(args.repeats, 3), keras))
    frame = pd.DataFrame(rows).set_index("model")
    frame["within_goal"] = frame["ratio"] <= frame["goal"]
    print(f"backend {keras.backend.backend()}, keras {keras.__version__}, median of "
          f"{args.repeats} after a warm-up (conv: {max(args.repeats, 3)} × 20 calls)")
    print(frame.to_string(float_format="{:.3f}".format))


if __name__ == "__main__":
    main()
