"""``fit``: Keras' ``model.fit`` with checked inputs, sensible compile defaults (Adam at a
constant rate unless ``schedule`` says otherwise), a tf.data pipeline, and checkpoint-resume.
"""
from __future__ import annotations

import numpy as np

from .._checks import did_you_mean, positive_int
from .._keras import import_backend
from .checkpoints import checkpoint_callback, checkpoint_folder, restore
from .device import backend_name, gpu_count
from .inputs import checked_data, is_dataset, is_py_dataset, model_io


def _outputs_probabilities(model) -> bool:
    """Whether the model's last layer already applies a softmax."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return (type(last).__name__ == "Softmax" or
            getattr(activation, "__name__", "") == "softmax")


def _default_jit_compile(keras):
    """Keras' "auto", except False for TensorFlow on a CPU (XLA is slower there)."""
    if keras.backend.backend() == "tensorflow" and not gpu_count(keras):
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
    if not is_dataset(train):
        return -(-len(train[0]) // batch_size)
    if is_py_dataset(train):
        return train.num_batches
    n = int(train.cardinality())
    return n if n > 0 else None


def _pipeline(x, y, batch_size: int, shuffle: bool, seed: int):
    """Arrays as a tf.data pipeline on TensorFlow (shuffled each epoch, batched, prefetched).

    Other backends get the arrays back: Keras' own array loader batches and shuffles them
    without importing TensorFlow.
    """
    if backend_name() != "tensorflow":
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
        if pair is None or is_dataset(pair):
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
      raises OSError before training starts. The last good epoch is never deleted before
      the next is written and read back; a corrupt file is named with the fix, an unreadable
      newest epoch is skipped (with a warning) for the last readable one, and a model
      compiled with another optimizer than the checkpoints' is refused;
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
    expected, width = model_io(model)
    train = checked_data(train_data, expected, width, model.name, "train_data")
    val = (None if validation_data is None else
           checked_data(validation_data, expected, width, model.name, "validation_data"))
    folder = None if checkpoint_dir is None else checkpoint_folder(checkpoint_dir)

    keras = import_backend()
    train, val = _fit_to_devices(keras, train, val, batch_size)
    if not model.compiled:
        steps = _steps_per_epoch(train, batch_size)
        _compile_defaults(model, keras, learning_rate, schedule, steps and steps * epochs,
                          jit_compile)
    if val is not None and not is_dataset(val):
        val = _pipeline(*val, batch_size, shuffle=False, seed=seed)
    if not is_dataset(train):
        train = _pipeline(*train, batch_size, shuffle=True, seed=seed)
    if is_dataset(train):  # batched and shuffled already
        x, y, loader = train, None, {"shuffle": False}
    else:                   # arrays for Keras' own loader
        (x, y), loader = train, {"shuffle": True, "batch_size": batch_size}

    callbacks = list(callbacks)
    initial_epoch = 0
    if folder is not None:
        initial_epoch = restore(model, folder)
        callbacks.insert(0, checkpoint_callback(folder))
        if initial_epoch >= epochs:
            print(f"cnncourse.train.fit: checkpoint_dir already holds epoch {initial_epoch} of "
                  f"{epochs}; nothing left to train (use a new checkpoint_dir to start over).")
        elif initial_epoch and verbose:
            print(f"cnncourse.train.fit: resuming after epoch {initial_epoch} of {epochs}.")
    return model.fit(x, y, validation_data=val, epochs=epochs, initial_epoch=initial_epoch,
                     callbacks=callbacks, verbose=verbose, **loader)
